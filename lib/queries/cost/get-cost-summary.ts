import type { Db } from "../../db.ts";
import { bucketStarts, type TimeRange } from "../../time-range.ts";
import { prepareTimeSeries, type PreparedSeries } from "../../charts/prepare-time-series.ts";
import { levelFor, sumFunctionRollups, totalsBy, gbSecondsOf, type RollupRow } from "../shared/rollups.ts";
import { getCoverage } from "../shared/get-coverage.ts";
import { estimateSpendMicros, SPEND_NOTE } from "../shared/cost.ts";
import { getMonthSpend, type MonthSpend } from "./get-month-spend.ts";
import { costTrendRange } from "./get-spend-series.ts";

export interface CostRow {
  function: string;
  qualifier: string;
  architecture: string;
  memoryMb: number;
  invocations: number;
  billedMs: number;
  gbSeconds: number;
  spendMicros: number | null;
  /** Cost per 1,000 invocations (micro-dollars). */
  per1kMicros: number | null;
  maxMemoryUsedMb: number | null;
}

export interface CostSummary {
  range: { preset: string; from: string; to: string; stepMs: number };
  totalMicros: number | null;
  totalGbSeconds: number;
  byFunction: CostRow[];
  byAlias: CostRow[];
  series: PreparedSeries;
  month: MonthSpend;
  note: string;
}

/** Billed GB-seconds and spend per function and alias, a spend trend per function, month projection. */
export async function getCostSummary(db: Db, range: TimeRange, now: Date): Promise<CostSummary> {
  // Totals and the trend from the same rows: the coarsest that fit in one trend bucket.
  const trend = costTrendRange(range);
  const window = { from: range.from, to: range.to, coarsest: levelFor(trend.stepMs), openEnd: range.to.getTime() >= now.getTime() };
  const [fns, rows, all, coverage, month] = await Promise.all([
    db.lambdaFunction.findMany({ where: { deletedAt: null }, select: { id: true, name: true, architecture: true, memoryMb: true, source: { select: { region: true } }, aliases: { where: { deletedAt: null }, select: { name: true } } } }),
    // Totals per function and qualifier, and per function and trend bucket ($ALL), summed by the database.
    sumFunctionRollups(db, { ...window, by: "qualifier" }),
    sumFunctionRollups(db, { ...window, by: "bucket", qualifiers: ["$ALL"] }),
    getCoverage(db),
    getMonthSpend(db, now),
  ]);
  const byId = new Map(fns.map((f) => [f.id, f]));
  const rowOf = (fnId: number, qualifier: string, group: RollupRow[]): CostRow | null => {
    const f = byId.get(fnId);
    if (!f) return null;
    const t = totalsBy(group, () => 0).get(0);
    if (!t) return null;
    const spend = estimateSpendMicros([{ region: f.source.region, architecture: f.architecture, mbMs: t.mbMs, requests: t.invocations }]);
    return {
      function: f.name,
      qualifier,
      architecture: f.architecture,
      memoryMb: f.memoryMb,
      invocations: t.invocations,
      billedMs: Number(t.billedMs),
      gbSeconds: gbSecondsOf(t.mbMs),
      spendMicros: spend,
      per1kMicros: spend !== null && t.invocations > 0 ? Math.round((spend / t.invocations) * 1000) : null,
      maxMemoryUsedMb: t.maxMemoryUsedMb,
    };
  };
  const groups = new Map<string, RollupRow[]>();
  for (const r of rows) {
    const k = `${r.functionId}\u0000${r.qualifier}`;
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  const byFunction: CostRow[] = [];
  const byAlias: CostRow[] = [];
  for (const [k, g] of groups) {
    const [id, q] = k.split("\u0000") as [string, string];
    const fn = byId.get(Number(id));
    if (!fn) continue;
    if (q === "$ALL") {
      const row = rowOf(fn.id, q, g);
      if (row) byFunction.push(row);
    } else if (fn.aliases.some((a) => a.name === q)) {
      const row = rowOf(fn.id, q, g);
      if (row) byAlias.push(row);
    }
  }
  for (const f of fns) if (!byFunction.some((r) => r.function === f.name)) byFunction.push({ function: f.name, qualifier: "$ALL", architecture: f.architecture, memoryMb: f.memoryMb, invocations: 0, billedMs: 0, gbSeconds: 0, spendMicros: 0, per1kMicros: null, maxMemoryUsedMb: null });
  const sortKey = (r: CostRow) => r.spendMicros ?? r.gbSeconds;
  byFunction.sort((a, b) => sortKey(b) - sortKey(a));
  byAlias.sort((a, b) => sortKey(b) - sortKey(a));
  // Trend: spend per bucket of the top five functions and the rest, stacked.
  const top = byFunction.slice(0, 5).map((r) => r.function);
  // Usage summed per bucket, stack entry, region and architecture, then priced once each (the first tier is linear).
  const usage = new Map<string, { b: number; name: string; region: string; architecture: string; mbMs: bigint; requests: number }>();
  for (const r of all) {
    const f = byId.get(r.functionId);
    if (!f) continue;
    const b = Math.floor(r.bucketStart.getTime() / trend.stepMs) * trend.stepMs;
    const name = top.includes(f.name) ? f.name : "other";
    const key = `${b}\u0000${name}\u0000${f.source.region}\u0000${f.architecture}`;
    const u = usage.get(key) ?? { b, name, region: f.source.region, architecture: f.architecture, mbMs: 0n, requests: 0 };
    u.mbMs += BigInt(r.mbMs);
    u.requests += r.invocations;
    usage.set(key, u);
  }
  const buckets = new Map<number, Map<string, number>>();
  for (const u of usage.values()) {
    const spend = estimateSpendMicros([{ region: u.region, architecture: u.architecture, mbMs: u.mbMs, requests: u.requests }]) ?? 0;
    const m = buckets.get(u.b) ?? new Map<string, number>();
    m.set(u.name, (m.get(u.name) ?? 0) + spend / 1e6);
    buckets.set(u.b, m);
  }
  const names = [...top, ...(byFunction.length > 5 ? ["other"] : [])];
  const series = prepareTimeSeries({
    starts: bucketStarts(trend),
    stepMs: trend.stepMs,
    buckets,
    coverage,
    series: names.map((n) => ({ key: n, label: n, unit: "usd" as const, policy: "zero" as const, value: (m: Map<string, number>) => m.get(n) ?? 0 })),
  });
  const totalMicros = byFunction.some((r) => r.spendMicros === null) ? null : byFunction.reduce((s, r) => s + (r.spendMicros ?? 0), 0);
  return {
    range: { preset: range.preset, from: range.from.toISOString(), to: range.to.toISOString(), stepMs: range.stepMs },
    totalMicros,
    totalGbSeconds: byFunction.reduce((s, r) => s + r.gbSeconds, 0),
    byFunction,
    byAlias,
    series,
    month,
    note: SPEND_NOTE,
  };
}
