import type { Db } from "../../db.ts";
import { bucketStarts, type TimeRange } from "../../time-range.ts";
import { prepareTimeSeries, type PreparedSeries } from "../../charts/prepare-time-series.ts";
import { listFunctionStats } from "../functions/list-function-stats.ts";
import { getFleetSeries } from "./get-fleet-series.ts";
import { getSparklines, sparkRange } from "./get-sparklines.ts";
import { getCoverage } from "../shared/get-coverage.ts";
import { derive, type DerivedStats, type Totals } from "../shared/rollups.ts";
import { estimateSpendMicros } from "../shared/cost.ts";
import { listAlerts, type AlertEventRow } from "../alerts/list-alerts.ts";
import { listFailureQueues, type QueueRow } from "../queues/list-failure-queues.ts";
import { getCollectorStatus, type CollectorStatusRow } from "../collector/get-collector-status.ts";
import { getMonthSpend, type MonthSpend } from "../cost/get-month-spend.ts";

export interface OverviewFunction {
  name: string;
  runtime: string | null;
  architecture: string;
  memoryMb: number;
  stats: DerivedStats;
  spendMicros: number | null;
  sparkline: PreparedSeries;
}

export interface Offender {
  name: string;
  value: number;
  detail: string;
}

export interface OverviewData {
  range: { preset: string; from: string; to: string; stepMs: number };
  fleet: DerivedStats & { spendMicros: number | null; functions: number };
  series: PreparedSeries;
  /** The busiest functions (at most OVERVIEW_FUNCTIONS, by invocations), with sparklines; `fleet.functions` counts them all. */
  functions: OverviewFunction[];
  offenders: { errors: Offender[]; latency: Offender[]; cost: Offender[]; coldStarts: Offender[] };
  openAlerts: AlertEventRow[];
  queues: QueueRow[];
  collectors: CollectorStatusRow[];
  month: MonthSpend;
  coverage: { from: string | null; to: string | null };
}

/** Functions listed on the overview (the busiest); the Functions page lists every one. */
export const OVERVIEW_FUNCTIONS = 50;

const countSeries = (key: "invocations" | "errors" | "throttles", label: string) => ({ key, label, unit: "count" as const, policy: "zero" as const, value: (t: Totals) => t[key] });

/** Everything the overview page shows for a window. */
export async function getOverview(db: Db, range: TimeRange, now: Date): Promise<OverviewData> {
  const [stats, fleetBuckets, coverage, alerts, queues, collectors, month] = await Promise.all([
    listFunctionStats(db, range, now, { initPercentiles: false }),
    getFleetSeries(db, range),
    getCoverage(db),
    listAlerts(db, { openOnly: true, limit: 20 }),
    listFailureQueues(db),
    getCollectorStatus(db, now),
    getMonthSpend(db, now),
  ]);
  const starts = bucketStarts(range);
  const series = prepareTimeSeries({
    starts,
    stepMs: range.stepMs,
    buckets: fleetBuckets,
    coverage,
    series: [
      countSeries("invocations", "Invocations"),
      countSeries("errors", "Errors"),
      countSeries("throttles", "Throttles"),
      { key: "p99Ms", label: "p99 duration", unit: "ms", policy: "gap", value: (t: Totals) => derive(t).p99Ms },
    ],
  });
  const all = stats.functions.map((f) => ({
    f,
    spendMicros: estimateSpendMicros([{ region: f.region, architecture: f.architecture, mbMs: f.mbMs, requests: f.stats.invocations }]),
  }));
  const busiest = [...all].sort((a, b) => b.f.stats.invocations - a.f.stats.invocations || (a.f.name < b.f.name ? -1 : 1)).slice(0, OVERVIEW_FUNCTIONS);
  const spark = sparkRange(range);
  const sparkStarts = bucketStarts(spark);
  const sparklines = await getSparklines(db, spark, busiest.map((x) => x.f.id), now);
  const functions: OverviewFunction[] = busiest.map(({ f, spendMicros }) => ({
    name: f.name,
    runtime: f.runtime,
    architecture: f.architecture,
    memoryMb: f.memoryMb,
    stats: f.stats,
    spendMicros,
    sparkline: prepareTimeSeries({ starts: sparkStarts, stepMs: spark.stepMs, buckets: sparklines.get(f.id) ?? new Map(), coverage, series: [countSeries("invocations", "Invocations"), countSeries("errors", "Errors")] }),
  }));
  const ranked = all.map(({ f, spendMicros }) => ({ name: f.name, stats: f.stats, spendMicros }));
  type Ranked = (typeof ranked)[number];
  const top = (pick: (f: Ranked) => number | null, detail: (f: Ranked) => string): Offender[] =>
    ranked
      .map((f) => ({ f, v: pick(f) }))
      .filter((x): x is { f: OverviewFunction; v: number } => x.v !== null && x.v > 0)
      .sort((a, b) => b.v - a.v)
      .slice(0, 5)
      .map(({ f, v }) => ({ name: f.name, value: v, detail: detail(f) }));
  const fleetSpend = all.some((x) => x.spendMicros === null) ? null : all.reduce((s, x) => s + (x.spendMicros ?? 0), 0);
  return {
    range: { preset: range.preset, from: range.from.toISOString(), to: range.to.toISOString(), stepMs: range.stepMs },
    fleet: { ...stats.fleet, spendMicros: fleetSpend, functions: stats.functions.length },
    series,
    functions,
    offenders: {
      errors: top((f) => f.stats.errors, (f) => `${f.stats.errors} errors`),
      latency: top((f) => f.stats.p99Ms, () => "p99"),
      cost: top((f) => f.spendMicros ?? f.stats.gbSeconds, () => ""),
      coldStarts: top((f) => f.stats.coldStartRate, (f) => `${f.stats.coldStarts} cold starts`),
    },
    openAlerts: alerts.events,
    queues,
    collectors,
    month,
    coverage: { from: coverage.from !== null ? new Date(coverage.from).toISOString() : null, to: coverage.to !== null ? new Date(coverage.to).toISOString() : null },
  };
}
