/** Pure aggregation of stage rollup rows: per variant totals and per bucket series. */
import { z } from "zod";
import { readJson } from "../shared/json.ts";
import { mergeCached, quantileOf, type Histogram } from "../shared/histogram.ts";
import type { StageRollupRow } from "./read-stage-rollups.ts";

export interface StageTotals {
  requests: number;
  status4xx: number;
  status5xx: number;
  byStatus: Record<string, number>;
  latencySumMs: number;
  integrationLatencySumMs: number;
  cacheHits: number;
  cacheMisses: number;
  hist: Histogram | null;
}

export interface StageStats {
  requests: number;
  status4xx: number;
  status5xx: number;
  errorRate4xx: number | null;
  errorRate5xx: number | null;
  byStatus: Record<string, number>;
  avgLatencyMs: number | null;
  avgIntegrationLatencyMs: number | null;
  /** Gateway overhead: latency minus integration latency, averaged. */
  avgOverheadMs: number | null;
  p50LatencyMs: number | null;
  p99LatencyMs: number | null;
  cacheHits: number;
  cacheMisses: number;
  cacheHitRatio: number | null;
}

const countsSchema = z.record(z.string(), z.number());

export function emptyStageTotals(): StageTotals {
  return { requests: 0, status4xx: 0, status5xx: 0, byStatus: {}, latencySumMs: 0, integrationLatencySumMs: 0, cacheHits: 0, cacheMisses: 0, hist: null };
}

/** Totals of rows. */
export function stageTotalsOf(rows: StageRollupRow[]): StageTotals {
  const t = emptyStageTotals();
  for (const r of rows) {
    t.requests += r.requests;
    t.status4xx += r.status4xx;
    t.status5xx += r.status5xx;
    t.latencySumMs += r.latencySumMs;
    t.integrationLatencySumMs += r.integrationLatencySumMs;
    t.cacheHits += r.cacheHits;
    t.cacheMisses += r.cacheMisses;
    for (const [k, v] of Object.entries(readJson(r.byStatus, countsSchema, {}))) t.byStatus[k] = (t.byStatus[k] ?? 0) + v;
  }
  t.hist = mergeCached(rows.map((r) => r.hist));
  return t;
}

/** Rates, averages and percentiles of totals (null where there is no denominator). */
export function deriveStage(t: StageTotals): StageStats {
  const n = t.requests;
  const avgL = n > 0 ? t.latencySumMs / n : null;
  const avgI = n > 0 ? t.integrationLatencySumMs / n : null;
  const cache = t.cacheHits + t.cacheMisses;
  return {
    requests: n,
    status4xx: t.status4xx,
    status5xx: t.status5xx,
    errorRate4xx: n > 0 ? t.status4xx / n : null,
    errorRate5xx: n > 0 ? t.status5xx / n : null,
    byStatus: t.byStatus,
    avgLatencyMs: avgL,
    avgIntegrationLatencyMs: avgI,
    avgOverheadMs: avgL !== null && avgI !== null ? avgL - avgI : null,
    p50LatencyMs: quantileOf(t.hist, 0.5),
    p99LatencyMs: quantileOf(t.hist, 0.99),
    cacheHits: t.cacheHits,
    cacheMisses: t.cacheMisses,
    cacheHitRatio: cache > 0 ? t.cacheHits / cache : null,
  };
}

/** Groups rows and totals each group. */
export function stageTotalsBy<K>(rows: StageRollupRow[], key: (r: StageRollupRow) => K): Map<K, StageTotals> {
  const groups = new Map<K, StageRollupRow[]>();
  for (const r of rows) {
    const k = key(r);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  const out = new Map<K, StageTotals>();
  for (const [k, g] of groups) out.set(k, stageTotalsOf(g));
  return out;
}
