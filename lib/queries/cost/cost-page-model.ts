/**
 * Pure pieces of the Cost page: the report period behind a dashboard time range, metric sums
 * keyed by function/alias, and the provisioned-concurrency usage estimate from metrics.
 */
import { Rational } from "../../cost/rational.ts";
import { resolveReportPeriod, type ReportPeriod } from "../../reports/periods.ts";

const MINUTE = 60_000;

/** The cost report period for a dashboard range: [from, to) in UTC, compared with the span just before it. */
export function costPeriodOfRange(range: { from: Date; to: Date }, now: Date): ReportPeriod {
  const from = Math.floor(range.from.getTime() / MINUTE) * MINUTE;
  const to = Math.max(from + MINUTE, Math.floor(range.to.getTime() / MINUTE) * MINUTE);
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, "Z");
  return resolveReportPeriod({ preset: "custom", from: iso(from), to: iso(to) }, { now, timezone: "UTC" });
}

/** One stored CloudWatch figure summed over a window. */
export interface MetricSum {
  sourceId: number;
  metricName: string;
  /** Canonical "Name=Value,Name=Value" (sorted by name). */
  dimensions: string;
  stat: string;
  sum: number;
  max: number | null;
}

/** Looks up a summed metric of a function (no alias) or of an alias (Resource=fn:alias). */
export function metricLookup(sums: readonly MetricSum[]) {
  const map = new Map<string, MetricSum>();
  for (const s of sums) map.set(`${s.sourceId}|${s.metricName}|${s.stat}|${s.dimensions}`, s);
  return (sourceId: number, metricName: string, stat: string, fn: string, alias?: string): MetricSum | undefined =>
    map.get(`${sourceId}|${metricName}|${stat}|${alias === undefined ? `FunctionName=${fn}` : `FunctionName=${fn},Resource=${fn}:${alias}`}`);
}

export interface ProvisionedUsageInput {
  /** Invocations of the alias that carries the provisioned concurrency (AWS/Lambda Invocations, Resource=fn:alias). */
  aliasInvocations: number;
  /** ProvisionedConcurrencySpilloverInvocations of the function: served on demand while PC was full. */
  spilloverInvocations: number;
  /** Average billed ms per invocation of the function (from REPORT lines). */
  avgBilledMs: Rational | null;
}

export interface ProvisionedUsage {
  provisionedInvocations: number;
  spilloverInvocations: number;
  provisionedBilledMs: bigint;
  spilloverBilledMs: bigint;
  assumption: string;
}

/**
 * Splits an alias's invocations into those served by provisioned environments and the spillover,
 * and prices their execution time at the function's average billed duration (rounded to whole ms).
 */
export function estimateProvisionedUsage(input: ProvisionedUsageInput): ProvisionedUsage {
  const total = Math.max(0, Math.round(input.aliasInvocations));
  const spill = Math.min(total, Math.max(0, Math.round(input.spilloverInvocations)));
  const provisioned = total - spill;
  const ms = (n: number) => (input.avgBilledMs === null ? 0n : input.avgBilledMs.mul(n).roundHalfUp());
  return {
    provisionedInvocations: provisioned,
    spilloverInvocations: spill,
    provisionedBilledMs: ms(provisioned),
    spilloverBilledMs: ms(spill),
    assumption:
      "Provisioned invocations = the alias's Invocations minus ProvisionedConcurrencySpilloverInvocations (CloudWatch); each is assumed to take the function's average billed duration from its REPORT lines, and the configuration is assumed to have been in place from the later of the window's start and the first time Faasight saw the function (the store keeps no history of PC configuration changes).",
  };
}
