/**
 * Alert rule kinds and their zod-validated configuration. A rule row keeps its threshold,
 * window, pending periods, cooldown and severity in columns; the kind's scope and extra
 * parameters live in AlertRule.scopeJson as `{ ...scope, "params": { ... } }`.
 */
import { z } from "zod";

export const RULE_KINDS = [
  "error_rate",
  "p99_latency",
  "throttles",
  "timeouts",
  "new_error_group",
  "cold_start_rate",
  "init_duration",
  "dlq_new_messages",
  "dlq_depth",
  "gateway_5xx_rate",
  "gateway_4xx_rate",
  "canary_regression",
  "iterator_age",
  "destination_delivery_failures",
  "cost_anomaly",
  "projected_overspend",
  "no_logs",
  "collector_failing_or_lagging",
] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export const SEVERITIES = ["info", "warning", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** What a rule's value (and threshold) measures. */
export type RuleUnit = "ratio" | "ms" | "count" | "z" | "usd" | "minutes" | "mad";
export type ScopeType = "functions" | "aliases" | "stages" | "queues" | "sources" | "cost";

export interface RuleKindInfo {
  kind: RuleKind;
  label: string;
  unit: RuleUnit;
  scope: ScopeType;
  defaultThreshold: number;
  /** Breached when the value is above the threshold (the comparison of every kind). */
  description: string;
}

/** What every kind measures, for the rule editor and for messages. */
export const RULE_KIND_INFO: Record<RuleKind, RuleKindInfo> = {
  error_rate: { kind: "error_rate", label: "Error rate", unit: "ratio", scope: "functions", defaultThreshold: 0.05, description: "Errors / invocations over the window (from REPORT lines; aliases from metrics)." },
  p99_latency: { kind: "p99_latency", label: "p99 latency", unit: "ms", scope: "functions", defaultThreshold: 1000, description: "99th percentile duration over the window, merged from the rollup histograms." },
  throttles: { kind: "throttles", label: "Throttles", unit: "count", scope: "functions", defaultThreshold: 0, description: "Throttled invocations in the window." },
  timeouts: { kind: "timeouts", label: "Timeouts", unit: "count", scope: "functions", defaultThreshold: 0, description: "Invocations that timed out in the window." },
  new_error_group: { kind: "new_error_group", label: "New error group", unit: "count", scope: "functions", defaultThreshold: 0, description: "Error groups first seen within the window." },
  cold_start_rate: { kind: "cold_start_rate", label: "Cold-start rate", unit: "ratio", scope: "functions", defaultThreshold: 0.2, description: "Cold starts / invocations over the window." },
  init_duration: { kind: "init_duration", label: "Init duration (p99)", unit: "ms", scope: "functions", defaultThreshold: 1000, description: "99th percentile of Init Duration of cold starts in the window." },
  dlq_new_messages: { kind: "dlq_new_messages", label: "New DLQ messages", unit: "count", scope: "queues", defaultThreshold: 0, description: "Failed events first captured from a DLQ or destination queue within the window." },
  dlq_depth: { kind: "dlq_depth", label: "DLQ depth", unit: "count", scope: "queues", defaultThreshold: 0, description: "Messages visible in a DLQ or destination queue at the last reading." },
  gateway_5xx_rate: { kind: "gateway_5xx_rate", label: "Gateway 5xx rate", unit: "ratio", scope: "stages", defaultThreshold: 0.01, description: "5xx responses / requests of an API stage over the window." },
  gateway_4xx_rate: { kind: "gateway_4xx_rate", label: "Gateway 4xx rate", unit: "ratio", scope: "stages", defaultThreshold: 0.1, description: "4xx responses / requests of an API stage over the window." },
  canary_regression: {
    kind: "canary_regression",
    label: "Canary regression",
    unit: "z",
    scope: "aliases",
    defaultThreshold: 2.33,
    description: "For an alias routing traffic to two versions: the new version's error rate (two-proportion z-test) or p99 (share above the old p99) is worse than the old beyond noise. The threshold is the one-sided z critical value (2.33 = 99%).",
  },
  iterator_age: { kind: "iterator_age", label: "Iterator age", unit: "ms", scope: "functions", defaultThreshold: 60_000, description: "Maximum IteratorAge (stream sources) in the window." },
  destination_delivery_failures: { kind: "destination_delivery_failures", label: "Destination delivery failures", unit: "count", scope: "functions", defaultThreshold: 0, description: "DestinationDeliveryFailures (and DeadLetterErrors) in the window: failed events that were lost." },
  cost_anomaly: { kind: "cost_anomaly", label: "Cost anomaly", unit: "mad", scope: "cost", defaultThreshold: 3, description: "Spend of the last 24 hours above the trailing median + threshold x 1.4826 x MAD of previous 24-hour periods." },
  projected_overspend: { kind: "projected_overspend", label: "Projected overspend", unit: "usd", scope: "cost", defaultThreshold: 100, description: "Projected month-end Lambda spend (USD) above the budget." },
  no_logs: { kind: "no_logs", label: "Invocations without logs", unit: "count", scope: "functions", defaultThreshold: 0, description: "Invocations in CloudWatch metrics but none in the logs: the execution role probably lacks CloudWatch Logs permissions." },
  collector_failing_or_lagging: {
    kind: "collector_failing_or_lagging",
    label: "Collection failing or lagging",
    unit: "minutes",
    scope: "sources",
    defaultThreshold: 15,
    description: "Minutes since a collector last succeeded for a source, or several failed runs in a row.",
  },
};

const pattern = z
  .string()
  .trim()
  .min(1)
  .max(256)
  .regex(/^\S+$/, { error: () => "must not contain spaces" });
const patterns = z.array(pattern).max(100);
const qualifier = z
  .string()
  .max(128)
  .regex(/^(\$ALL|\$LATEST|[A-Za-z0-9_-]+)$/, { error: () => "must be $ALL, $LATEST, a version number or an alias name" });
const tags = z.record(z.string().min(1).max(128), z.string().min(1).max(256));

const functionSelector = {
  sources: patterns.optional(),
  functions: patterns.optional(),
  exclude: patterns.optional(),
  tags: tags.optional(),
};

export const functionScopeSchema = z.object({ ...functionSelector, qualifiers: z.array(qualifier).min(1).max(20).optional() }).strict();
export const aliasScopeSchema = z.object({ ...functionSelector, aliases: patterns.optional() }).strict();
export const stageScopeSchema = z.object({ sources: patterns.optional(), stages: patterns.optional(), exclude: patterns.optional() }).strict();
export const QUEUE_ROLES = ["dlq", "destination", "source", "other"] as const;
export const queueScopeSchema = z.object({ sources: patterns.optional(), queues: patterns.optional(), exclude: patterns.optional(), roles: z.array(z.enum(QUEUE_ROLES)).min(1).optional() }).strict();
export const COLLECTOR_NAMES = ["inventory", "logs", "metrics", "traces", "failures"] as const;
export const sourceScopeSchema = z.object({ sources: patterns.optional(), collectors: z.array(z.enum(COLLECTOR_NAMES)).min(1).optional() }).strict();
export const costScopeSchema = z.object({ ...functionSelector, aggregate: z.enum(["total", "each"]).default("total") }).strict();

const count = (fallback: number) => z.number().int().min(0).max(1_000_000_000).default(fallback);
const positive = (fallback: number, max: number) => z.number().positive().max(max).default(fallback);
const none = z.object({}).strict();

const PARAMS = {
  error_rate: z.object({ minInvocations: count(20) }).strict(),
  p99_latency: z.object({ minInvocations: count(20) }).strict(),
  throttles: none,
  timeouts: none,
  new_error_group: none,
  cold_start_rate: z.object({ minInvocations: count(20) }).strict(),
  init_duration: z.object({ minColdStarts: count(5) }).strict(),
  dlq_new_messages: none,
  dlq_depth: z.object({ maxReadingAgeMinutes: positive(60, 10_080) }).strict(),
  gateway_5xx_rate: z.object({ minRequests: count(20) }).strict(),
  gateway_4xx_rate: z.object({ minRequests: count(20) }).strict(),
  canary_regression: z
    .object({
      /** Invocations each version needs in the window before it is judged. */
      minSamples: count(100),
      /** Smallest error-rate increase (absolute) that counts, so a significant 0.1% does not page. */
      minErrorRateDelta: z.number().min(0).max(1).default(0.005),
      latency: z.boolean().default(true),
      /** The new p99 must also be this many times the old one … */
      latencyRatio: z.number().min(1).max(100).default(1.2),
      /** … and at least this many ms slower. */
      minLatencyDeltaMs: z.number().min(0).max(900_000).default(20),
    })
    .strict(),
  iterator_age: none,
  destination_delivery_failures: z.object({ includeDeadLetterErrors: z.boolean().default(true) }).strict(),
  cost_anomaly: z
    .object({
      historyDays: z.number().int().min(3).max(60).default(14),
      minHistoryDays: z.number().int().min(2).max(60).default(7),
      /** Smallest excess over the median that counts (USD). */
      floorUsd: z.number().min(0).max(1_000_000).default(1),
    })
    .strict(),
  projected_overspend: z.object({ windowDays: z.number().int().min(1).max(31).default(7), useHighEstimate: z.boolean().default(false) }).strict(),
  no_logs: z.object({ lagMinutes: z.number().int().min(0).max(120).default(5) }).strict(),
  collector_failing_or_lagging: z.object({ consecutiveFailures: z.number().int().min(1).max(100).default(3) }).strict(),
} satisfies Record<RuleKind, z.ZodType>;

const SCOPES = {
  error_rate: functionScopeSchema,
  p99_latency: functionScopeSchema,
  throttles: functionScopeSchema,
  timeouts: functionScopeSchema,
  new_error_group: functionScopeSchema.omit({ qualifiers: true }),
  cold_start_rate: functionScopeSchema,
  init_duration: functionScopeSchema,
  dlq_new_messages: queueScopeSchema,
  dlq_depth: queueScopeSchema,
  gateway_5xx_rate: stageScopeSchema,
  gateway_4xx_rate: stageScopeSchema,
  canary_regression: aliasScopeSchema,
  iterator_age: functionScopeSchema.omit({ qualifiers: true }),
  destination_delivery_failures: functionScopeSchema.omit({ qualifiers: true }),
  cost_anomaly: costScopeSchema,
  projected_overspend: costScopeSchema,
  no_logs: functionScopeSchema.omit({ qualifiers: true }),
  collector_failing_or_lagging: sourceScopeSchema,
} satisfies Record<RuleKind, z.ZodType>;

function definition<K extends RuleKind, S extends z.ZodObject, P extends z.ZodObject>(kind: K, scope: S, params: P) {
  return z.object({ kind: z.literal(kind), scope: scope.prefault({} as never), params: params.prefault({} as never) });
}

/** A rule's kind with its scope and parameters (validated). */
export const ruleDefinitionSchema = z.discriminatedUnion("kind", [
  definition("error_rate", SCOPES.error_rate, PARAMS.error_rate),
  definition("p99_latency", SCOPES.p99_latency, PARAMS.p99_latency),
  definition("throttles", SCOPES.throttles, PARAMS.throttles),
  definition("timeouts", SCOPES.timeouts, PARAMS.timeouts),
  definition("new_error_group", SCOPES.new_error_group, PARAMS.new_error_group),
  definition("cold_start_rate", SCOPES.cold_start_rate, PARAMS.cold_start_rate),
  definition("init_duration", SCOPES.init_duration, PARAMS.init_duration),
  definition("dlq_new_messages", SCOPES.dlq_new_messages, PARAMS.dlq_new_messages),
  definition("dlq_depth", SCOPES.dlq_depth, PARAMS.dlq_depth),
  definition("gateway_5xx_rate", SCOPES.gateway_5xx_rate, PARAMS.gateway_5xx_rate),
  definition("gateway_4xx_rate", SCOPES.gateway_4xx_rate, PARAMS.gateway_4xx_rate),
  definition("canary_regression", SCOPES.canary_regression, PARAMS.canary_regression),
  definition("iterator_age", SCOPES.iterator_age, PARAMS.iterator_age),
  definition("destination_delivery_failures", SCOPES.destination_delivery_failures, PARAMS.destination_delivery_failures),
  definition("cost_anomaly", SCOPES.cost_anomaly, PARAMS.cost_anomaly),
  definition("projected_overspend", SCOPES.projected_overspend, PARAMS.projected_overspend),
  definition("no_logs", SCOPES.no_logs, PARAMS.no_logs),
  definition("collector_failing_or_lagging", SCOPES.collector_failing_or_lagging, PARAMS.collector_failing_or_lagging),
]);
export type RuleDefinition = z.output<typeof ruleDefinitionSchema>;
export type RuleDefinitionOf<K extends RuleKind> = Extract<RuleDefinition, { kind: K }>;

/** Checks a threshold against its kind's unit; returns a message when it is out of range. */
export function thresholdProblem(kind: RuleKind, threshold: number): string | null {
  if (!Number.isFinite(threshold)) return "must be a number";
  const unit = RULE_KIND_INFO[kind].unit;
  if (unit === "ratio" && (threshold < 0 || threshold > 1)) return "is a fraction between 0 and 1 (0.05 = 5%)";
  if ((unit === "z" || unit === "mad") && threshold <= 0) return "must be above 0";
  if (threshold < 0) return "must not be negative";
  return null;
}

/** A stored rule, parsed and ready to evaluate. */
export interface RuleSpec {
  id: number;
  name: string;
  kind: RuleKind;
  threshold: number;
  windowMinutes: number;
  pendingPeriods: number;
  cooldownMinutes: number;
  severity: Severity;
  enabled: boolean;
  definition: RuleDefinition;
}

/** Raised when a stored rule does not validate (edited by hand, or from an older version). */
export class RuleConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RuleConfigError";
  }
}

/** Splits AlertRule.scopeJson into scope and params. */
export function splitScopeJson(scopeJson: string): { scope: unknown; params: unknown } {
  let raw: unknown;
  try {
    raw = JSON.parse(scopeJson || "{}");
  } catch {
    throw new RuleConfigError("scopeJson is not valid JSON");
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new RuleConfigError("scopeJson must be a JSON object");
  const { params, ...scope } = raw as Record<string, unknown>;
  return { scope, params: params ?? {} };
}

/** The AlertRule.scopeJson text of a definition. */
export function scopeJsonOf(def: RuleDefinition): string {
  return JSON.stringify({ ...def.scope, params: def.params });
}

function zodMessage(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "(rule)"}: ${i.message}`).join("; ");
}

/** Parses a stored AlertRule row; throws RuleConfigError naming the bad field. */
export function parseRuleRow(row: {
  id: number;
  name: string;
  kind: string;
  scopeJson: string;
  threshold: number;
  windowMinutes: number;
  pendingPeriods: number;
  cooldownMinutes: number;
  severity: string;
  enabled: boolean;
}): RuleSpec {
  const { scope, params } = splitScopeJson(row.scopeJson);
  const parsed = ruleDefinitionSchema.safeParse({ kind: row.kind, scope, params });
  if (!parsed.success) throw new RuleConfigError(`rule "${row.name}": ${zodMessage(parsed.error)}`);
  const problem = thresholdProblem(parsed.data.kind, row.threshold);
  if (problem) throw new RuleConfigError(`rule "${row.name}": threshold ${problem}`);
  return {
    id: row.id,
    name: row.name,
    kind: parsed.data.kind,
    threshold: row.threshold,
    windowMinutes: Math.max(1, row.windowMinutes),
    pendingPeriods: Math.max(1, row.pendingPeriods),
    cooldownMinutes: Math.max(0, row.cooldownMinutes),
    severity: (SEVERITIES as readonly string[]).includes(row.severity) ? (row.severity as Severity) : "warning",
    enabled: row.enabled,
    definition: parsed.data,
  };
}

export { zodMessage };
