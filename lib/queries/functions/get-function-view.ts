import type { Db } from "../../db.ts";
import { bucketStarts, type TimeRange } from "../../time-range.ts";
import { prepareTimeSeries, type PreparedSeries } from "../../charts/prepare-time-series.ts";
import { getCoverage } from "../shared/get-coverage.ts";
import { derive, type DerivedStats, type Totals } from "../shared/rollups.ts";
import { estimateSpendMicros } from "../shared/cost.ts";
import { getFunctionConfig, versionOrder, type FunctionConfig } from "./get-function-config.ts";
import { getFunctionSeries } from "./get-function-series.ts";
import { getQualifierStats } from "./get-qualifier-stats.ts";
import { listErrorGroups, type ErrorGroupRow } from "./list-error-groups.ts";
import { listInvocations, type InvocationFilters, type InvocationRow } from "./list-invocations.ts";
import { listLogLines, type LogLine } from "./list-log-lines.ts";
import { countLogEvidence } from "./count-log-evidence.ts";
import { getFunctionMetricMax } from "./get-function-metric-series.ts";
import type { DbProvider } from "../../db-url.ts";
import { deriveInsights, type Insight } from "./derive-insights.ts";
import { compareCanary, type CanaryVerdict } from "./canary-verdict.ts";

export interface QualifierRow {
  qualifier: string;
  kind: "all" | "alias" | "version";
  stats: DerivedStats;
}

export interface CanaryComparison {
  alias: string;
  weights: Array<{ version: string; weight: number }>;
  verdict: CanaryVerdict;
  versions: Array<{ version: string; weight: number; stats: DerivedStats | null }>;
}

export interface FunctionView {
  config: FunctionConfig;
  stats: DerivedStats;
  spendMicros: number | null;
  qualifiers: QualifierRow[];
  canaries: CanaryComparison[];
  series: { traffic: PreparedSeries; latency: PreparedSeries; coldStarts: PreparedSeries; concurrency: PreparedSeries | null };
  insights: Insight[];
  errorGroups: ErrorGroupRow[];
  invocations: Array<InvocationRow & { logLines: LogLine[] }>;
  logEvidence: { logEvents: number; metricInvocations: number | null };
}

/** Everything the function page shows for a window. */
export async function getFunctionView(db: Db, name: string, range: TimeRange, filters: InvocationFilters & { qualifier?: string }, provider: DbProvider = "sqlite", now?: Date): Promise<FunctionView | null> {
  const config = await getFunctionConfig(db, name);
  if (!config) return null;
  const qualifier = filters.qualifier ?? "$ALL";
  const [buckets, byQualifier, coverage, errorGroups, invocations, logEvidence, metrics] = await Promise.all([
    getFunctionSeries(db, config.id, qualifier, range, now),
    getQualifierStats(db, config.id, range, [...new Set(["$ALL", "$LATEST", ...config.versions.map((v) => v.version), ...config.aliases.map((a) => a.name), ...config.aliases.flatMap((a) => [a.functionVersion, ...Object.keys(a.routing)])])], now),
    getCoverage(db),
    listErrorGroups(db, config.id, range),
    listInvocations(db, config.id, range, filters),
    countLogEvidence(db, config, range),
    getFunctionMetricMax(db, provider, config, range, "ConcurrentExecutions", "Maximum"),
  ]);
  const logs = await listLogLines(db, config.id, [...new Set(invocations.map((i) => i.requestId))], 60);
  const starts = bucketStarts(range);
  // Quantiles are not free: derive each bucket once, whatever number of series read it.
  const derived = new WeakMap<Totals, DerivedStats>();
  const d = (t: Totals) => {
    let v = derived.get(t);
    if (!v) derived.set(t, (v = derive(t)));
    return v;
  };
  const count = (key: "invocations" | "errors" | "throttles" | "timeouts" | "coldStarts", label: string) => ({ key, label, unit: "count" as const, policy: "zero" as const, value: (t: Totals) => t[key] });
  const traffic = prepareTimeSeries({ starts, stepMs: range.stepMs, buckets, coverage, series: [count("invocations", "Invocations"), count("errors", "Errors"), count("throttles", "Throttles"), count("timeouts", "Timeouts")] });
  const latency = prepareTimeSeries({
    starts,
    stepMs: range.stepMs,
    buckets,
    coverage,
    series: [
      { key: "p50Ms", label: "p50", unit: "ms", policy: "gap", value: (t) => d(t).p50Ms },
      { key: "p90Ms", label: "p90", unit: "ms", policy: "gap", value: (t) => d(t).p90Ms },
      { key: "p99Ms", label: "p99", unit: "ms", policy: "gap", value: (t) => d(t).p99Ms },
    ],
  });
  const coldStarts = prepareTimeSeries({
    starts,
    stepMs: range.stepMs,
    buckets,
    coverage,
    series: [count("coldStarts", "Cold starts"), { key: "coldStartRate", label: "Cold-start rate", unit: "percent", policy: "gap", value: (t) => d(t).coldStartRate }],
  });
  // Concurrency: the CloudWatch Maximum per bucket; a bucket without a point is a gap.
  const conc = new Map(metrics.map((m) => [m.t, m.max]));
  const concurrency = conc.size ? prepareTimeSeries({ starts, stepMs: range.stepMs, buckets: conc, coverage, series: [{ key: "concurrency", label: "Max concurrent executions", unit: "count", policy: "gap", value: (v) => v }] }) : null;

  const all = byQualifier.get(qualifier) ?? byQualifier.get("$ALL") ?? derive({ invocations: 0, errors: 0, timeouts: 0, oomKills: 0, throttles: 0, coldStarts: 0, billedMs: 0n, mbMs: 0n, durationSumMs: 0, initSumMs: 0, maxMemoryUsedMb: null, malformedLines: 0, errorsByType: {}, hist: null, initHist: null });
  const aliasNames = new Set(config.aliases.map((a) => a.name));
  const qualifiers: QualifierRow[] = [...byQualifier.entries()]
    .map(([q, stats]) => ({ qualifier: q, kind: (q === "$ALL" ? "all" : aliasNames.has(q) ? "alias" : "version") as QualifierRow["kind"], stats }))
    .sort((a, b) => (a.kind === b.kind ? versionOrder(a.qualifier) - versionOrder(b.qualifier) || a.qualifier.localeCompare(b.qualifier) : ["all", "alias", "version"].indexOf(a.kind) - ["all", "alias", "version"].indexOf(b.kind)));

  const canaries: CanaryComparison[] = [];
  for (const a of config.aliases) {
    const extra = Object.entries(a.routing).filter(([, w]) => w > 0);
    if (extra.length === 0) continue;
    const baseWeight = 1 - extra.reduce((s, [, w]) => s + w, 0);
    const sample = (v: string) => {
      const s = byQualifier.get(v);
      return { version: v, invocations: s?.invocations ?? 0, errors: s?.errors ?? 0, coldStarts: s?.coldStarts ?? 0, p99Ms: s?.p99Ms ?? null };
    };
    for (const [v, w] of extra) {
      canaries.push({
        alias: a.name,
        weights: [{ version: a.functionVersion, weight: baseWeight }, { version: v, weight: w }],
        verdict: compareCanary(sample(a.functionVersion), sample(v)),
        versions: [
          { version: a.functionVersion, weight: baseWeight, stats: byQualifier.get(a.functionVersion) ?? null },
          { version: v, weight: w, stats: byQualifier.get(v) ?? null },
        ],
      });
    }
  }
  const stats = byQualifier.get("$ALL") ?? all;
  const insights = deriveInsights({
    runtime: config.runtime,
    packageType: config.packageType,
    tracingMode: config.tracingMode,
    memoryMb: config.memoryMb,
    timeoutSec: config.timeoutSec,
    codeSizeBytes: config.codeSizeBytes,
    invocations: stats.invocations,
    timeouts: stats.timeouts,
    p99Ms: stats.p99Ms,
    maxMemoryUsedMb: stats.maxMemoryUsedMb,
    malformedLines: stats.malformedLines,
    metricInvocations: logEvidence.metricInvocations,
    logEvents: logEvidence.logEvents,
  });
  return {
    config,
    stats: all,
    spendMicros: estimateSpendMicros([{ region: config.region, architecture: config.architecture, mbMs: BigInt(stats.mbMs), requests: stats.invocations }]),
    qualifiers,
    canaries,
    series: { traffic, latency, coldStarts, concurrency },
    insights,
    errorGroups,
    invocations: invocations.map((i) => ({ ...i, logLines: logs.get(i.requestId) ?? [] })),
    logEvidence,
  };
}
