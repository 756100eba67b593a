/**
 * Pure rule evaluation: aggregates read from the store in, one result per scope key out
 * ({ value, breached, threshold, summary, details }). `breached: null` means "not enough
 * data to judge" (too few samples, a stale reading): the state machine holds the state.
 */
import { quantile, type DurationHistogram } from "../histogram/histogram.ts";
import { detectSpendAnomalies, projectMonthEnd, type DailySpend } from "../cost/projection.ts";
import { redactString } from "../redact.ts";
import type { RuleDefinitionOf, RuleKind, RuleSpec } from "./rules.ts";
import { countAbove, normalCdf, oneProportionZ, twoProportionZ } from "./stats.ts";

export type AlertTarget =
  | { type: "function"; source: string; function: string; qualifier: string }
  | { type: "alias"; source: string; function: string; alias: string }
  | { type: "stage"; source: string; api: string; stage: string }
  | { type: "queue"; source: string; queue: string }
  | { type: "collector"; source: string; collector: string | null }
  | { type: "cost"; function: string | null };

export interface ScopeResult {
  /** Stable identity of what is measured, e.g. "function:checkout", "alias:checkout:live". */
  key: string;
  target: AlertTarget;
  value: number | null;
  /** true / false, or null when there is not enough data to judge. */
  breached: boolean | null;
  /** The threshold the value was compared with, in the value's unit. */
  threshold: number;
  summary: string;
  details: Record<string, unknown>;
}

interface Keyed<T extends AlertTarget> {
  key: string;
  target: T;
}

export type FunctionTarget = Extract<AlertTarget, { type: "function" }>;

export interface FunctionWindow extends Keyed<FunctionTarget> {
  invocations: number;
  errors: number;
  timeouts: number;
  throttles: number;
  coldStarts: number;
  hist: DurationHistogram;
  initHist: DurationHistogram;
}

export interface NewErrorGroups extends Keyed<FunctionTarget> {
  groups: Array<{ errorType: string; messagePattern: string; sampleMessage: string | null; firstSeenAt: Date; count: number }>;
}

export interface VersionWindow {
  version: string;
  invocations: number;
  errors: number;
  hist: DurationHistogram;
  /** Where the counts come from: the alias's per-version metrics, or the version's REPORT lines. */
  countsFrom?: "metrics" | "logs";
}

export interface CanaryWindow extends Keyed<Extract<AlertTarget, { type: "alias" }>> {
  /** The alias's primary version and the additional version with its routing weight. */
  base: VersionWindow;
  canary: VersionWindow;
  canaryWeight: number;
}

export interface StageWindow extends Keyed<Extract<AlertTarget, { type: "stage" }>> {
  requests: number;
  status4xx: number;
  status5xx: number;
  byStatus: Record<string, number>;
}

export interface QueueWindow extends Keyed<Extract<AlertTarget, { type: "queue" }>> {
  newMessages: number;
  byFunction: Record<string, number>;
  byErrorCode: Record<string, number>;
  depth: number;
  depthAt: Date | null;
  oldestAgeSec: number | null;
}

export interface MetricWindow extends Keyed<FunctionTarget> {
  /** Number of datapoints read (0 = the metric was not reported in the window). */
  points: number;
  /** Maximum (iterator age) or sum (failures) of the points. */
  value: number;
  /** Second metric where a kind reads two (DeadLetterErrors). */
  extra?: number;
}

export interface NoLogsWindow extends Keyed<FunctionTarget> {
  /** Sum of AWS/Lambda Invocations in the window, null when no datapoint was reported. */
  metricInvocations: number | null;
  /** Invocations parsed from REPORT lines in the same window. */
  logInvocations: number;
  logGroup: string;
}

export interface CostWindow extends Keyed<Extract<AlertTarget, { type: "cost" }>> {
  /** Spend per consecutive period (oldest first); the last one is the period judged. Null when a region is unpriced. */
  periods: DailySpend[] | null;
}

export interface MonthWindow extends Keyed<Extract<AlertTarget, { type: "cost" }>> {
  /** Calendar-day spend (UTC) up to and including asOf; null when unpriced. */
  daily: DailySpend[] | null;
  /** Last complete day of the current month, null on the 1st (nothing complete yet). */
  asOf: string | null;
}

export interface CollectorWindow extends Keyed<Extract<AlertTarget, { type: "collector" }>> {
  /** Finish time of the last ok/partial run; null when none yet. */
  lastSuccessAt: Date | null;
  /** When the source was first registered (lag counts from here before the first success). */
  since: Date;
  /** Statuses of finished runs, most recent first. */
  recent: string[];
  lastError: string | null;
}

/** The aggregates each kind is evaluated on. */
export interface RuleInputs {
  error_rate: FunctionWindow[];
  p99_latency: FunctionWindow[];
  throttles: FunctionWindow[];
  timeouts: FunctionWindow[];
  new_error_group: NewErrorGroups[];
  cold_start_rate: FunctionWindow[];
  init_duration: FunctionWindow[];
  dlq_new_messages: QueueWindow[];
  dlq_depth: QueueWindow[];
  gateway_5xx_rate: StageWindow[];
  gateway_4xx_rate: StageWindow[];
  canary_regression: CanaryWindow[];
  iterator_age: MetricWindow[];
  destination_delivery_failures: MetricWindow[];
  cost_anomaly: CostWindow[];
  projected_overspend: MonthWindow[];
  no_logs: NoLogsWindow[];
  collector_failing_or_lagging: CollectorWindow[];
}

export interface EvalContext<K extends RuleKind> {
  threshold: number;
  windowMinutes: number;
  params: RuleDefinitionOf<K>["params"];
  now: Date;
}

// ---------------------------------------------------------------- formatting

/** 0.0812 -> "8.1%". */
export function formatRatio(x: number | null): string {
  if (x === null) return "n/a";
  const pct = x * 100;
  return `${pct >= 10 || pct === 0 ? pct.toFixed(1) : pct.toPrecision(2)}%`;
}

/** 1234.5 -> "1,235 ms"; 2_500_000 -> "41.7 min". */
export function formatMs(ms: number | null): string {
  if (ms === null) return "n/a";
  if (ms >= 120_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${Math.round(ms).toLocaleString("en-US")} ms`;
}

export function formatUsdNumber(usd: number | null): string {
  return usd === null ? "n/a" : `$${usd.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;

function fnLabel(t: FunctionTarget): string {
  return t.qualifier === "$ALL" ? t.function : `${t.function}:${t.qualifier}`;
}

// ---------------------------------------------------------------- function rollups

function ratioOf<K extends "error_rate" | "cold_start_rate">(items: FunctionWindow[], ctx: EvalContext<K>, pick: "errors" | "coldStarts", noun: string): ScopeResult[] {
  return items.map((w) => {
    const x = w[pick];
    const value = w.invocations > 0 ? x / w.invocations : null;
    const enough = w.invocations > 0 && w.invocations >= ctx.params.minInvocations;
    const breached = enough ? value! > ctx.threshold : null;
    return {
      key: w.key,
      target: w.target,
      value: value === null ? null : round(value, 6),
      breached,
      threshold: ctx.threshold,
      summary: enough
        ? `${fnLabel(w.target)} ${noun} ${formatRatio(value)} (${x} of ${w.invocations}) ${breached ? ">" : "<="} ${formatRatio(ctx.threshold)}`
        : `${fnLabel(w.target)}: ${w.invocations} invocations, fewer than the ${ctx.params.minInvocations} needed to judge the ${noun}`,
      details: { invocations: w.invocations, [pick]: x, minInvocations: ctx.params.minInvocations },
    };
  });
}

export function evaluateErrorRate(items: FunctionWindow[], ctx: EvalContext<"error_rate">): ScopeResult[] {
  return ratioOf(items, ctx, "errors", "error rate");
}

export function evaluateColdStartRate(items: FunctionWindow[], ctx: EvalContext<"cold_start_rate">): ScopeResult[] {
  return ratioOf(items, ctx, "coldStarts", "cold-start rate");
}

export function evaluateP99Latency(items: FunctionWindow[], ctx: EvalContext<"p99_latency">): ScopeResult[] {
  return items.map((w) => {
    const n = w.hist.count;
    const p99 = quantile(w.hist, 0.99);
    const enough = n > 0 && n >= ctx.params.minInvocations;
    const breached = enough && p99 !== null ? p99 > ctx.threshold : null;
    return {
      key: w.key,
      target: w.target,
      value: p99 === null ? null : round(p99, 2),
      breached,
      threshold: ctx.threshold,
      summary: enough
        ? `${fnLabel(w.target)} p99 ${formatMs(p99)} over ${n} invocations ${breached ? ">" : "<="} ${formatMs(ctx.threshold)}`
        : `${fnLabel(w.target)}: ${n} timed invocations, fewer than the ${ctx.params.minInvocations} needed for a p99`,
      details: { invocations: n, p50Ms: quantile(w.hist, 0.5), p99Ms: p99, maxMs: n > 0 ? w.hist.max : null, minInvocations: ctx.params.minInvocations },
    };
  });
}

export function evaluateInitDuration(items: FunctionWindow[], ctx: EvalContext<"init_duration">): ScopeResult[] {
  return items.map((w) => {
    const n = w.initHist.count;
    const p99 = quantile(w.initHist, 0.99);
    const enough = n > 0 && n >= ctx.params.minColdStarts;
    const breached = enough && p99 !== null ? p99 > ctx.threshold : null;
    return {
      key: w.key,
      target: w.target,
      value: p99 === null ? null : round(p99, 2),
      breached,
      threshold: ctx.threshold,
      summary: enough
        ? `${fnLabel(w.target)} init duration p99 ${formatMs(p99)} over ${n} cold starts ${breached ? ">" : "<="} ${formatMs(ctx.threshold)}`
        : `${fnLabel(w.target)}: ${n} cold starts, fewer than the ${ctx.params.minColdStarts} needed to judge init duration`,
      details: { coldStarts: n, initP50Ms: quantile(w.initHist, 0.5), initP99Ms: p99, minColdStarts: ctx.params.minColdStarts },
    };
  });
}

function countOf<K extends "throttles" | "timeouts">(items: FunctionWindow[], ctx: EvalContext<K>, pick: "throttles" | "timeouts"): ScopeResult[] {
  return items.map((w) => {
    const value = w[pick];
    const breached = value > ctx.threshold;
    return {
      key: w.key,
      target: w.target,
      value,
      breached,
      threshold: ctx.threshold,
      summary: `${fnLabel(w.target)}: ${value} ${pick} in ${ctx.windowMinutes} min (${w.invocations} invocations) ${breached ? ">" : "<="} ${ctx.threshold}`,
      details: { [pick]: value, invocations: w.invocations },
    };
  });
}

export function evaluateThrottles(items: FunctionWindow[], ctx: EvalContext<"throttles">): ScopeResult[] {
  return countOf(items, ctx, "throttles");
}

export function evaluateTimeouts(items: FunctionWindow[], ctx: EvalContext<"timeouts">): ScopeResult[] {
  return countOf(items, ctx, "timeouts");
}

export function evaluateNewErrorGroups(items: NewErrorGroups[], ctx: EvalContext<"new_error_group">): ScopeResult[] {
  return items.map((w) => {
    const value = w.groups.length;
    const breached = value > ctx.threshold;
    const first = w.groups[0];
    return {
      key: w.key,
      target: w.target,
      value,
      breached,
      threshold: ctx.threshold,
      summary:
        value === 0
          ? `${w.target.function}: no new error group in ${ctx.windowMinutes} min`
          : `${w.target.function}: ${value} new error group${value === 1 ? "" : "s"}, e.g. ${first.errorType}: ${redactString(first.messagePattern).slice(0, 120)}`,
      details: {
        groups: w.groups.slice(0, 10).map((g) => ({
          errorType: g.errorType,
          messagePattern: redactString(g.messagePattern).slice(0, 300),
          sampleMessage: g.sampleMessage === null ? null : redactString(g.sampleMessage).slice(0, 300),
          firstSeenAt: g.firstSeenAt.toISOString(),
          count: g.count,
        })),
      },
    };
  });
}

// ---------------------------------------------------------------- canary

/** Error rate: two-proportion z-test; p99: z-test of the canary's share above the base p99 against 1%. */
export function evaluateCanaryRegression(items: CanaryWindow[], ctx: EvalContext<"canary_regression">): ScopeResult[] {
  const p = ctx.params;
  return items.map((w) => {
    const { base, canary } = w;
    const enough = base.invocations >= p.minSamples && canary.invocations >= p.minSamples && base.invocations > 0 && canary.invocations > 0;
    const baseRate = base.invocations > 0 ? base.errors / base.invocations : null;
    const canaryRate = canary.invocations > 0 ? canary.errors / canary.invocations : null;
    const errorZ = twoProportionZ(base.errors, base.invocations, canary.errors, canary.invocations);
    const errorRegressed = enough && errorZ !== null && errorZ > ctx.threshold && canaryRate! - baseRate! >= p.minErrorRateDelta;
    const baseP99 = quantile(base.hist, 0.99);
    const canaryP99 = quantile(canary.hist, 0.99);
    let latencyZ: number | null = null;
    let shareAbove: number | null = null;
    let latencyRegressed = false;
    const timedEnough = base.hist.count >= p.minSamples && canary.hist.count >= p.minSamples && base.hist.count > 0 && canary.hist.count > 0;
    if (p.latency && timedEnough && baseP99 !== null && canaryP99 !== null) {
      const above = countAbove(canary.hist, baseP99);
      shareAbove = above / canary.hist.count;
      latencyZ = oneProportionZ(above, canary.hist.count, 0.01);
      latencyRegressed = latencyZ !== null && latencyZ > ctx.threshold && canaryP99 >= baseP99 * p.latencyRatio && canaryP99 - baseP99 >= p.minLatencyDeltaMs;
    }
    // The value is the strongest evidence of a regression: the error z, or the latency z when latency regressed.
    const best = latencyRegressed && latencyZ !== null ? Math.max(latencyZ, errorZ ?? -Infinity) : errorZ;
    const value = best === null ? null : round(best, 4);
    const breached = enough ? errorRegressed || latencyRegressed : null;
    const label = `${w.target.function}:${w.target.alias}`;
    const parts: string[] = [];
    if (enough) {
      parts.push(`v${canary.version} error rate ${formatRatio(canaryRate)} vs v${base.version} ${formatRatio(baseRate)} (z=${errorZ?.toFixed(2) ?? "n/a"})`);
      if (canaryP99 !== null && baseP99 !== null) parts.push(`p99 ${formatMs(canaryP99)} vs ${formatMs(baseP99)}${latencyZ !== null ? ` (z=${latencyZ.toFixed(2)})` : ""}`);
    }
    return {
      key: w.key,
      target: w.target,
      value,
      breached,
      threshold: ctx.threshold,
      summary: enough
        ? `${label} canary ${breached ? "regressed" : "holds"}: ${parts.join("; ")}`
        : `${label}: v${base.version} ${base.invocations} and v${canary.version} ${canary.invocations} invocations; ${p.minSamples} each needed to compare`,
      details: {
        baseVersion: base.version,
        canaryVersion: canary.version,
        canaryWeight: w.canaryWeight,
        countsFrom: canary.countsFrom ?? "logs",
        base: { invocations: base.invocations, errors: base.errors, errorRate: baseRate, p99Ms: baseP99 },
        canary: { invocations: canary.invocations, errors: canary.errors, errorRate: canaryRate, p99Ms: canaryP99 },
        errorZ: errorZ === null ? null : round(errorZ, 4),
        errorPValue: errorZ === null ? null : round(1 - normalCdf(errorZ), 8),
        errorRegressed,
        latencyZ: latencyZ === null ? null : round(latencyZ, 4),
        canaryShareAboveBaseP99: shareAbove === null ? null : round(shareAbove, 6),
        latencyRegressed,
        minSamples: p.minSamples,
      },
    };
  });
}

// ---------------------------------------------------------------- API Gateway

const STATUS_CAUSE: Record<string, string> = {
  "400": "invalid request",
  "403": "authentication/authorization failed",
  "429": "throttled",
  "502": "the backend (Lambda) returned an error or a malformed response",
  "503": "service issue",
  "504": "integration timeout (29 s)",
};

function stageRate<K extends "gateway_5xx_rate" | "gateway_4xx_rate">(items: StageWindow[], ctx: EvalContext<K>, pick: "status5xx" | "status4xx"): ScopeResult[] {
  const klass = pick === "status5xx" ? "5" : "4";
  return items.map((w) => {
    const x = w[pick];
    const value = w.requests > 0 ? x / w.requests : null;
    const enough = w.requests > 0 && w.requests >= ctx.params.minRequests;
    const breached = enough ? value! > ctx.threshold : null;
    const codes = Object.entries(w.byStatus)
      .filter(([code]) => code.startsWith(klass))
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([code, n]) => ({ status: Number(code), count: n, likelyCause: STATUS_CAUSE[code] ?? null }));
    const top = codes[0];
    return {
      key: w.key,
      target: w.target,
      value: value === null ? null : round(value, 6),
      breached,
      threshold: ctx.threshold,
      summary: enough
        ? `${w.target.api}/${w.target.stage} ${klass}xx rate ${formatRatio(value)} (${x} of ${w.requests}) ${breached ? ">" : "<="} ${formatRatio(ctx.threshold)}${top ? `; mostly ${top.status}${top.likelyCause ? ` (${top.likelyCause})` : ""}` : ""}`
        : `${w.target.api}/${w.target.stage}: ${w.requests} requests, fewer than the ${ctx.params.minRequests} needed to judge`,
      details: { requests: w.requests, [pick]: x, byStatus: codes, minRequests: ctx.params.minRequests },
    };
  });
}

export function evaluateGateway5xxRate(items: StageWindow[], ctx: EvalContext<"gateway_5xx_rate">): ScopeResult[] {
  return stageRate(items, ctx, "status5xx");
}

export function evaluateGateway4xxRate(items: StageWindow[], ctx: EvalContext<"gateway_4xx_rate">): ScopeResult[] {
  return stageRate(items, ctx, "status4xx");
}

// ---------------------------------------------------------------- queues

export function evaluateDlqNewMessages(items: QueueWindow[], ctx: EvalContext<"dlq_new_messages">): ScopeResult[] {
  return items.map((w) => {
    const breached = w.newMessages > ctx.threshold;
    const fns = Object.entries(w.byFunction).sort((a, b) => b[1] - a[1]);
    return {
      key: w.key,
      target: w.target,
      value: w.newMessages,
      breached,
      threshold: ctx.threshold,
      summary: `${w.target.queue}: ${w.newMessages} new failed event${w.newMessages === 1 ? "" : "s"} in ${ctx.windowMinutes} min${fns.length ? ` (${fns.slice(0, 3).map(([f, n]) => `${f} ${n}`).join(", ")})` : ""}`,
      details: { newMessages: w.newMessages, byFunction: w.byFunction, byErrorCode: w.byErrorCode, depth: w.depth },
    };
  });
}

export function evaluateDlqDepth(items: QueueWindow[], ctx: EvalContext<"dlq_depth">): ScopeResult[] {
  const maxAgeMs = ctx.params.maxReadingAgeMinutes * 60_000;
  return items.map((w) => {
    const fresh = w.depthAt !== null && ctx.now.getTime() - w.depthAt.getTime() <= maxAgeMs;
    const breached = fresh ? w.depth > ctx.threshold : null;
    return {
      key: w.key,
      target: w.target,
      value: w.depthAt === null ? null : w.depth,
      breached,
      threshold: ctx.threshold,
      summary: fresh
        ? `${w.target.queue}: ${w.depth} message${w.depth === 1 ? "" : "s"} waiting${w.oldestAgeSec !== null ? `, oldest ${Math.round(w.oldestAgeSec / 60)} min` : ""}`
        : `${w.target.queue}: no depth reading in the last ${ctx.params.maxReadingAgeMinutes} min`,
      details: { depth: w.depth, depthAt: w.depthAt?.toISOString() ?? null, oldestAgeSec: w.oldestAgeSec },
    };
  });
}

// ---------------------------------------------------------------- metrics

export function evaluateIteratorAge(items: MetricWindow[], ctx: EvalContext<"iterator_age">): ScopeResult[] {
  return items.map((w) => {
    // No datapoint: the stream delivered nothing, so nothing is behind.
    const value = w.points > 0 ? w.value : null;
    const breached = value !== null && value > ctx.threshold;
    return {
      key: w.key,
      target: w.target,
      value,
      breached,
      threshold: ctx.threshold,
      summary: value === null ? `${w.target.function}: no stream records in ${ctx.windowMinutes} min` : `${w.target.function}: iterator age up to ${formatMs(value)} ${breached ? ">" : "<="} ${formatMs(ctx.threshold)}`,
      details: { maxIteratorAgeMs: value, points: w.points },
    };
  });
}

export function evaluateDestinationDeliveryFailures(items: MetricWindow[], ctx: EvalContext<"destination_delivery_failures">): ScopeResult[] {
  return items.map((w) => {
    const dlq = ctx.params.includeDeadLetterErrors ? (w.extra ?? 0) : 0;
    const value = w.value + dlq;
    const breached = value > ctx.threshold;
    return {
      key: w.key,
      target: w.target,
      value,
      breached,
      threshold: ctx.threshold,
      summary: `${w.target.function}: ${w.value} destination delivery failure${w.value === 1 ? "" : "s"}${ctx.params.includeDeadLetterErrors ? ` and ${dlq} dead-letter error${dlq === 1 ? "" : "s"}` : ""} in ${ctx.windowMinutes} min`,
      details: { destinationDeliveryFailures: w.value, deadLetterErrors: ctx.params.includeDeadLetterErrors ? dlq : null },
    };
  });
}

export function evaluateNoLogs(items: NoLogsWindow[], ctx: EvalContext<"no_logs">): ScopeResult[] {
  return items.map((w) => {
    const metric = w.metricInvocations ?? 0;
    const breached = w.metricInvocations !== null && w.logInvocations === 0 && metric > ctx.threshold;
    return {
      key: w.key,
      target: w.target,
      value: metric,
      breached,
      threshold: ctx.threshold,
      summary: breached
        ? `${w.target.function}: ${metric} invocations in CloudWatch metrics but none in ${w.logGroup}; the execution role probably lacks logs:CreateLogStream / logs:PutLogEvents`
        : `${w.target.function}: ${metric} invocations in metrics, ${w.logInvocations} in logs`,
      details: {
        metricInvocations: w.metricInvocations,
        logInvocations: w.logInvocations,
        logGroup: w.logGroup,
        hint: "Attach AWSLambdaBasicExecutionRole (or logs:CreateLogGroup, logs:CreateLogStream, logs:PutLogEvents) to the execution role, and check the function's logging config points at this log group.",
        lagMinutes: ctx.params.lagMinutes,
      },
    };
  });
}

// ---------------------------------------------------------------- cost

const micro = (v: bigint) => Number(v) / 1e6;

export function evaluateCostAnomaly(items: CostWindow[], ctx: EvalContext<"cost_anomaly">): ScopeResult[] {
  const p = ctx.params;
  return items.map((w) => {
    const label = w.target.function ?? "all functions";
    if (!w.periods || w.periods.length === 0) {
      return { key: w.key, target: w.target, value: null, breached: null, threshold: ctx.threshold, summary: `${label}: spend cannot be priced`, details: {} };
    }
    const current = w.periods[w.periods.length - 1];
    const history = w.periods.length - 1;
    // The threshold depends on the history only: probe it with a huge current period, so the
    // figure comes from the cost engine whether or not the real period is flagged.
    const probe = [...w.periods.slice(0, -1), { date: current.date, microUsd: 1n << 62n }];
    const options = { windowDays: p.historyDays, minHistoryDays: p.minHistoryDays, k: ctx.threshold, floorMicroUsd: BigInt(Math.round(p.floorUsd * 1e6)) };
    const limit = detectSpendAnomalies(probe, options).find((a) => a.date === current.date);
    if (!limit) {
      return { key: w.key, target: w.target, value: round(micro(current.microUsd), 6), breached: null, threshold: ctx.threshold, summary: `${label}: ${history} days of spend history, ${p.minHistoryDays} needed`, details: { historyDays: history } };
    }
    const flagged = detectSpendAnomalies(w.periods, options).find((a) => a.date === current.date);
    const value = micro(current.microUsd);
    const thresholdUsd = micro(limit.thresholdMicroUsd);
    return {
      key: w.key,
      target: w.target,
      value: round(value, 6),
      breached: flagged !== undefined,
      threshold: thresholdUsd,
      summary: flagged ? `${label}: ${flagged.reason}` : `${label}: ${formatUsdNumber(value)} in the last 24 hours, within the usual range (up to ${formatUsdNumber(thresholdUsd)})`,
      details: { spendUsd: value, medianUsd: micro(limit.medianMicroUsd), madUsd: micro(limit.madMicroUsd), thresholdUsd, k: ctx.threshold, historyDays: history },
    };
  });
}

export function evaluateProjectedOverspend(items: MonthWindow[], ctx: EvalContext<"projected_overspend">): ScopeResult[] {
  return items.map((w) => {
    const label = w.target.function ?? "all functions";
    if (!w.daily) return { key: w.key, target: w.target, value: null, breached: null, threshold: ctx.threshold, summary: `${label}: spend cannot be priced`, details: {} };
    if (!w.asOf) return { key: w.key, target: w.target, value: null, breached: null, threshold: ctx.threshold, summary: `${label}: no complete day this month yet`, details: {} };
    const pr = projectMonthEnd(w.daily, { asOf: w.asOf, windowDays: ctx.params.windowDays });
    const projected = micro(ctx.params.useHighEstimate ? pr.highMicroUsd : pr.projectedMicroUsd);
    const breached = projected > ctx.threshold;
    return {
      key: w.key,
      target: w.target,
      value: round(projected, 6),
      breached,
      threshold: ctx.threshold,
      summary: `${label}: ${pr.month} projected at ${formatUsdNumber(projected)} (${formatUsdNumber(micro(pr.monthToDateMicroUsd))} so far) ${breached ? "over" : "within"} the ${formatUsdNumber(ctx.threshold)} budget`,
      details: {
        month: pr.month,
        monthToDateUsd: micro(pr.monthToDateMicroUsd),
        projectedUsd: micro(pr.projectedMicroUsd),
        lowUsd: micro(pr.lowMicroUsd),
        highUsd: micro(pr.highMicroUsd),
        budgetUsd: ctx.threshold,
        method: pr.method,
      },
    };
  });
}

// ---------------------------------------------------------------- Faasight itself

export function evaluateCollectorHealth(items: CollectorWindow[], ctx: EvalContext<"collector_failing_or_lagging">): ScopeResult[] {
  return items.map((w) => {
    const ref = w.lastSuccessAt ?? w.since;
    const lag = Math.max(0, (ctx.now.getTime() - ref.getTime()) / 60_000);
    let failedInRow = 0;
    for (const s of w.recent) {
      if (s !== "failed") break;
      failedInRow++;
    }
    const failing = failedInRow >= ctx.params.consecutiveFailures;
    const lagging = lag > ctx.threshold;
    const label = w.target.collector ? `${w.target.source} ${w.target.collector}` : w.target.source;
    return {
      key: w.key,
      target: w.target,
      value: round(lag, 1),
      breached: failing || lagging,
      threshold: ctx.threshold,
      summary: failing
        ? `${label}: ${failedInRow} failed runs in a row${w.lastError ? `: ${redactString(w.lastError).slice(0, 200)}` : ""}`
        : lagging
          ? `${label}: ${w.lastSuccessAt ? `last successful run ${Math.round(lag)} min ago` : `no successful run in ${Math.round(lag)} min`}`
          : `${label}: last successful run ${Math.round(lag)} min ago`,
      details: {
        lastSuccessAt: w.lastSuccessAt?.toISOString() ?? null,
        failedInRow,
        lastError: w.lastError === null ? null : redactString(w.lastError).slice(0, 500),
      },
    };
  });
}

type Evaluators = { [K in RuleKind]: (items: RuleInputs[K], ctx: EvalContext<K>) => ScopeResult[] };

const EVALUATORS: Evaluators = {
  error_rate: evaluateErrorRate,
  p99_latency: evaluateP99Latency,
  throttles: evaluateThrottles,
  timeouts: evaluateTimeouts,
  new_error_group: evaluateNewErrorGroups,
  cold_start_rate: evaluateColdStartRate,
  init_duration: evaluateInitDuration,
  dlq_new_messages: evaluateDlqNewMessages,
  dlq_depth: evaluateDlqDepth,
  gateway_5xx_rate: evaluateGateway5xxRate,
  gateway_4xx_rate: evaluateGateway4xxRate,
  canary_regression: evaluateCanaryRegression,
  iterator_age: evaluateIteratorAge,
  destination_delivery_failures: evaluateDestinationDeliveryFailures,
  cost_anomaly: evaluateCostAnomaly,
  projected_overspend: evaluateProjectedOverspend,
  no_logs: evaluateNoLogs,
  collector_failing_or_lagging: evaluateCollectorHealth,
};

/** Evaluates a rule on its aggregates (pure). */
export function evaluateRule<K extends RuleKind>(rule: Pick<RuleSpec, "threshold" | "windowMinutes"> & { definition: RuleDefinitionOf<K> }, items: RuleInputs[K], now: Date): ScopeResult[] {
  const kind = rule.definition.kind as K;
  const fn = EVALUATORS[kind] as (items: RuleInputs[K], ctx: EvalContext<K>) => ScopeResult[];
  return fn(items, { threshold: rule.threshold, windowMinutes: rule.windowMinutes, params: rule.definition.params as EvalContext<K>["params"], now });
}
