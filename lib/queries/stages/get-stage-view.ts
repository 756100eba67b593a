import type { Db } from "../../db.ts";
import { bucketStarts, type TimeRange } from "../../time-range.ts";
import { prepareTimeSeries, type PreparedSeries } from "../../charts/prepare-time-series.ts";
import { getCoverage } from "../shared/get-coverage.ts";
import { getStage, type StageInfo } from "./get-stage.ts";
import { readStageRollups } from "./read-stage-rollups.ts";
import { deriveStage, stageTotalsBy, stageTotalsOf, type StageStats, type StageTotals } from "./summarize-stage.ts";
import { statusCause } from "./status-causes.ts";
import { listStageRequests, type StageRequestFilters, type StageRequestRow } from "./list-stage-requests.ts";

export interface StatusRow {
  status: number;
  count: number;
  share: number;
  cause: string;
  action: string;
}

export interface StageView {
  stage: StageInfo;
  stats: StageStats;
  variants: Array<{ variant: "base" | "canary"; stats: StageStats }>;
  statuses: StatusRow[];
  series: { traffic: PreparedSeries; latency: PreparedSeries; cache: PreparedSeries | null };
  requests: StageRequestRow[];
}

/** Everything the API stage page shows for a window. */
export async function getStageView(db: Db, api: string, stageName: string, range: TimeRange, filters: StageRequestFilters): Promise<StageView | null> {
  const stage = await getStage(db, api, stageName);
  if (!stage) return null;
  const [rows, coverage, requests] = await Promise.all([readStageRollups(db, stage.id, range.from, range.to), getCoverage(db), listStageRequests(db, stage.id, range, filters)]);
  const allRows = rows.filter((r) => r.variant === "$ALL");
  const totals = stageTotalsOf(allRows);
  const stats = deriveStage(totals);
  const byVariant = stageTotalsBy(rows.filter((r) => r.variant !== "$ALL"), (r) => r.variant);
  const variants = (["base", "canary"] as const).filter((v) => byVariant.has(v)).map((v) => ({ variant: v, stats: deriveStage(byVariant.get(v)!) }));
  const statuses: StatusRow[] = Object.entries(stats.byStatus)
    .map(([code, count]) => ({ status: Number(code), count }))
    .filter((s) => s.status >= 400 && s.count > 0)
    .sort((a, b) => a.status - b.status)
    .map((s) => ({ ...s, share: stats.requests > 0 ? s.count / stats.requests : 0, ...statusCause(s.status) }));
  const starts = bucketStarts(range);
  const buckets = stageTotalsBy(allRows, (r) => Math.floor(r.bucketStart.getTime() / range.stepMs) * range.stepMs);
  const derived = new WeakMap<StageTotals, StageStats>();
  const d = (t: StageTotals) => {
    let v = derived.get(t);
    if (!v) derived.set(t, (v = deriveStage(t)));
    return v;
  };
  const traffic = prepareTimeSeries({
    starts,
    stepMs: range.stepMs,
    buckets,
    coverage,
    series: [
      { key: "requests", label: "Requests", unit: "count", policy: "zero", value: (t) => t.requests },
      { key: "status4xx", label: "4xx", unit: "count", policy: "zero", value: (t) => t.status4xx },
      { key: "status5xx", label: "5xx", unit: "count", policy: "zero", value: (t) => t.status5xx },
    ],
  });
  const latency = prepareTimeSeries({
    starts,
    stepMs: range.stepMs,
    buckets,
    coverage,
    series: [
      { key: "avgLatencyMs", label: "Latency (avg)", unit: "ms", policy: "gap", value: (t) => d(t).avgLatencyMs },
      { key: "avgIntegrationLatencyMs", label: "Integration latency (avg)", unit: "ms", policy: "gap", value: (t) => d(t).avgIntegrationLatencyMs },
      { key: "p99LatencyMs", label: "Latency p99", unit: "ms", policy: "gap", value: (t) => d(t).p99LatencyMs },
    ],
  });
  const cache = stage.cacheEnabled
    ? prepareTimeSeries({ starts, stepMs: range.stepMs, buckets, coverage, series: [{ key: "cacheHitRatio", label: "Cache hit ratio", unit: "percent", policy: "gap", value: (t) => d(t).cacheHitRatio }] })
    : null;
  return { stage, stats, variants, statuses, series: { traffic, latency, cache }, requests };
}
