/**
 * Which CloudWatch metrics to ask for, pure: per active function a handful of AWS/Lambda
 * series chosen by its configuration, its aliases and canary routing; per API stage the
 * REST (ApiName+Stage) or HTTP (ApiId+Stage) names; DLQ depth/age; SNS and EventBridge
 * failures. Idle functions cost nothing.
 */

export interface Dimension {
  Name: string;
  Value: string;
}

export interface MetricQuery {
  namespace: string;
  metricName: string;
  dimensions: Dimension[];
  /** Sum, Maximum, Average, SampleCount or a percentile (p50, p99 …). */
  stat: string;
}

export interface PlanFunction {
  name: string;
  aliases: Array<{ name: string; routing: Record<string, number>; functionVersion: string; provisioned: boolean }>;
  provisioned: boolean;
  dlq: boolean;
  destinations: boolean;
  asyncConfigured: boolean;
  streamSource: boolean;
}

export interface PlanStage {
  apiName: string;
  apiId: string;
  type: "REST" | "HTTP";
  stage: string;
  cacheEnabled: boolean;
}

export interface PlanInput {
  functions: PlanFunction[];
  /** Functions that ran (or were throttled) in the window; others are skipped. */
  active: Set<string>;
  /** Resource qualifiers that had throttles (from ListMetrics), per function. */
  throttledResources: Map<string, string[]>;
  /** Functions with throttle series in ListMetrics (RecentlyActive) covering the window; null = unknown, ask every active function. */
  throttledFunctions?: Set<string> | null;
  stages: PlanStage[];
  /** Stages with traffic in the window (null = all). */
  activeStages: Set<string> | null;
  queues: string[];
  topics: string[];
  rules: string[];
  /** Ask for percentile statistics (off for emulators that reject them). */
  percentiles: boolean;
}

/** Canonical dimension text: "Name=Value,Name=Value" sorted by name (the MetricPoint key). */
export function canonicalDimensions(dims: Dimension[]): string {
  return [...dims]
    .sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0))
    .map((d) => `${d.Name}=${d.Value}`)
    .join(",");
}

/** Whether a statistic is a percentile (p50, p99.9, tm99 …). */
export function isPercentileStat(stat: string): boolean {
  return /^(p|tm|wm|tc|ts|pr)\d/i.test(stat);
}

export function stageKey(s: Pick<PlanStage, "apiId" | "stage">): string {
  return `${s.apiId}/${s.stage}`;
}

/** The metric queries of one cycle. */
export function planMetricQueries(input: PlanInput): MetricQuery[] {
  const out: MetricQuery[] = [];
  const add = (namespace: string, metricName: string, dimensions: Dimension[], stat: string) => {
    if (!input.percentiles && isPercentileStat(stat)) return;
    out.push({ namespace, metricName, dimensions, stat });
  };
  for (const f of input.functions) {
    if (!input.active.has(f.name)) continue;
    const fn = [{ Name: "FunctionName", Value: f.name }];
    // Counts, errors and durations come exactly from REPORT lines. Invocations stays: the cost
    // reconciliation and the no-logs alert compare it with the logs. Errors is not asked: nothing
    // reads a function's Errors metric (error counts come from the logs).
    add("AWS/Lambda", "Invocations", fn, "Sum");
    // A function with no throttle series has no throttles to read (throttled calls leave no log line).
    if (!input.throttledFunctions || input.throttledFunctions.has(f.name)) add("AWS/Lambda", "Throttles", fn, "Sum");
    add("AWS/Lambda", "ConcurrentExecutions", fn, "Maximum");
    // The cost estimate for functions whose logs are not collected (Duration sum x memory).
    add("AWS/Lambda", "Duration", fn, "Sum");
    if (f.dlq) add("AWS/Lambda", "DeadLetterErrors", fn, "Sum");
    if (f.destinations) add("AWS/Lambda", "DestinationDeliveryFailures", fn, "Sum");
    if (f.asyncConfigured) add("AWS/Lambda", "AsyncEventsDropped", fn, "Sum");
    if (f.streamSource) add("AWS/Lambda", "IteratorAge", fn, "Maximum");
    if (f.provisioned) add("AWS/Lambda", "ProvisionedConcurrencySpilloverInvocations", fn, "Sum");
    const aliasNames = new Set(f.aliases.map((a) => a.name));
    for (const a of f.aliases) {
      const res = [...fn, { Name: "Resource", Value: `${f.name}:${a.name}` }];
      add("AWS/Lambda", "Invocations", res, "Sum");
      add("AWS/Lambda", "Errors", res, "Sum");
      add("AWS/Lambda", "Throttles", res, "Sum");
      // p99 only: an alias's median comes from its REPORT lines (nothing reads a p50 metric).
      add("AWS/Lambda", "Duration", res, "p99");
      if (a.provisioned) add("AWS/Lambda", "ProvisionedConcurrencyUtilization", res, "Maximum");
      const versions = Object.keys(a.routing);
      // Canary routing: per executed version counts, for the canary comparison.
      if (versions.length > 0) {
        for (const v of [a.functionVersion, ...versions]) {
          const ev = [...res, { Name: "ExecutedVersion", Value: v }];
          add("AWS/Lambda", "Invocations", ev, "Sum");
          add("AWS/Lambda", "Errors", ev, "Sum");
        }
      }
    }
    for (const q of input.throttledResources.get(f.name) ?? []) {
      if (aliasNames.has(q)) continue;
      add("AWS/Lambda", "Throttles", [...fn, { Name: "Resource", Value: `${f.name}:${q}` }], "Sum");
    }
  }
  for (const s of input.stages) {
    if (input.activeStages && !input.activeStages.has(stageKey(s))) continue;
    if (s.type === "REST") {
      const d = [
        { Name: "ApiName", Value: s.apiName },
        { Name: "Stage", Value: s.stage },
      ];
      add("AWS/ApiGateway", "Count", d, "Sum");
      add("AWS/ApiGateway", "4XXError", d, "Sum");
      add("AWS/ApiGateway", "5XXError", d, "Sum");
      add("AWS/ApiGateway", "Latency", d, "p99");
      add("AWS/ApiGateway", "IntegrationLatency", d, "p99");
      if (s.cacheEnabled) {
        add("AWS/ApiGateway", "CacheHitCount", d, "Sum");
        add("AWS/ApiGateway", "CacheMissCount", d, "Sum");
      }
    } else {
      const d = [
        { Name: "ApiId", Value: s.apiId },
        { Name: "Stage", Value: s.stage },
      ];
      add("AWS/ApiGateway", "Count", d, "Sum");
      add("AWS/ApiGateway", "4xx", d, "Sum");
      add("AWS/ApiGateway", "5xx", d, "Sum");
      add("AWS/ApiGateway", "Latency", d, "p99");
      add("AWS/ApiGateway", "IntegrationLatency", d, "p99");
    }
  }
  for (const q of input.queues) {
    add("AWS/SQS", "ApproximateNumberOfMessagesVisible", [{ Name: "QueueName", Value: q }], "Maximum");
    add("AWS/SQS", "ApproximateAgeOfOldestMessage", [{ Name: "QueueName", Value: q }], "Maximum");
  }
  for (const t of input.topics) add("AWS/SNS", "NumberOfNotificationsFailed", [{ Name: "TopicName", Value: t }], "Sum");
  for (const r of input.rules) add("AWS/Events", "FailedInvocations", [{ Name: "RuleName", Value: r }], "Sum");
  return out;
}

/**
 * Splits queries into GetMetricData calls of at most `max` queries; percentile queries go
 * in calls of their own so an endpoint that rejects them fails only those.
 */
export function batchQueries(queries: MetricQuery[], max = 500): MetricQuery[][] {
  const plain = queries.filter((q) => !isPercentileStat(q.stat));
  const pct = queries.filter((q) => isPercentileStat(q.stat));
  const out: MetricQuery[][] = [];
  for (const list of [plain, pct]) for (let i = 0; i < list.length; i += max) out.push(list.slice(i, i + max));
  return out;
}

/** The [start, end) window of a metrics cycle, aligned to whole periods (pure). */
export function planMetricWindow(cursor: number | undefined, now: number, initialStart: number, overlapMs: number, periodMs = 60_000): { start: number; end: number } {
  const rawStart = cursor === undefined ? initialStart : Math.min(cursor - overlapMs, now - overlapMs);
  const start = Math.floor(rawStart / periodMs) * periodMs;
  const end = Math.ceil(now / periodMs) * periodMs;
  return { start, end: Math.max(end, start + periodMs) };
}
