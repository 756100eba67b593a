/**
 * The environment, parsed once with zod. Empty strings count as unset; a bad value
 * fails with a message naming the variable.
 */
import { z } from "zod";

const emptyAsUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optionalString = z.preprocess(emptyAsUndefined, z.string().optional());
const port = (fallback: number) => z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(fallback));

export const envSchema = z.object({
  NODE_ENV: z.preprocess(emptyAsUndefined, z.enum(["development", "production", "test"]).default("development")),
  DATABASE_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .default("file:./data/faasight.db")
      .refine((v) => v.startsWith("file:") || /^postgres(ql)?:\/\//.test(v), "must start with file: (SQLite) or postgres:// / postgresql:// (PostgreSQL)"),
  ),
  /** Region used when no source config names one. */
  AWS_REGION: z.preprocess(emptyAsUndefined, z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region such as us-east-1").optional()),
  AWS_DEFAULT_REGION: optionalString,
  AWS_PROFILE: optionalString,
  /** Standard AWS SDK endpoint override (all services). */
  AWS_ENDPOINT_URL: z.preprocess(emptyAsUndefined, z.string().url().optional()),
  AWS_ACCESS_KEY_ID: optionalString,
  AWS_SECRET_ACCESS_KEY: optionalString,
  AWS_SESSION_TOKEN: optionalString,
  /** Sources config file (accounts x regions, roles); see README. */
  FAASIGHT_SOURCES_FILE: optionalString,
  FAASIGHT_PORT: port(3000),
  FAASIGHT_SANDBOX_PORT: port(4566),
  FAASIGHT_SANDBOX_STATE: optionalString,
  /** Public base URL used in deep links (alerts, reports). */
  FAASIGHT_PUBLIC_URL: z.preprocess(emptyAsUndefined, z.string().url().optional()),
  /** Secret for session signing and CSRF tokens; generated into ./data when unset. */
  FAASIGHT_SECRET: z.preprocess(emptyAsUndefined, z.string().min(32, "must be at least 32 characters").optional()),
  FAASIGHT_ADMIN_PASSWORD: optionalString,
  FAASIGHT_COLLECT_INTERVAL_SECONDS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(10).default(60)),
  FAASIGHT_LOG_LEVEL: z.preprocess(emptyAsUndefined, z.enum(["debug", "info", "warn", "error"]).default("info")),
  FAASIGHT_CAPTURE_DLQ: z.preprocess(emptyAsUndefined, z.enum(["every-cycle", "on-demand"]).default("every-cycle")),
  /** Seconds a captured DLQ message stays hidden from other consumers (ReceiveMessage VisibilityTimeout; at least 1, or a capture could not page past the first 10). */
  FAASIGHT_DLQ_VISIBILITY_SECONDS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(60).default(5)),
  /** Look-back overlap of each log group's window, for late log events. */
  FAASIGHT_LOGS_LOOKBACK_MINUTES: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(1440).default(15)),
  /** Overlap re-read by each metrics cycle, so revised CloudWatch points overwrite stored ones. */
  FAASIGHT_METRICS_OVERLAP_MINUTES: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(1440).default(15)),
  /** Multiplies the client-side API rate limits (1 = 80% of AWS's documented quotas). */
  FAASIGHT_QUOTA_SCALE: z.preprocess(emptyAsUndefined, z.coerce.number().positive().max(1000).default(1)),
  /** Share of traces without faults whose full segment documents are fetched (BatchGetTraces is 5 TPS). */
  FAASIGHT_TRACE_DETAIL_RATE: z.preprocess(emptyAsUndefined, z.coerce.number().min(0).max(1).default(0.05)),
  /** Minutes between inventory reads in the worker (functions, APIs, queues, topics, rules). */
  FAASIGHT_INVENTORY_INTERVAL_MINUTES: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).default(10)),
  /** Minutes between refreshes of a function's details (versions, aliases, configs). */
  FAASIGHT_INVENTORY_DETAIL_MINUTES: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).default(60)),
  /** Retention: raw rows (invocations, log events, traces, gateway requests), metric points, minute and hour rollups. */
  FAASIGHT_RETENTION_RAW_DAYS: z.preprocess(emptyAsUndefined, z.coerce.number().positive().default(7)),
  FAASIGHT_RETENTION_METRIC_DAYS: z.preprocess(emptyAsUndefined, z.coerce.number().positive().default(15)),
  FAASIGHT_RETENTION_MINUTE_DAYS: z.preprocess(emptyAsUndefined, z.coerce.number().positive().default(35)),
  FAASIGHT_RETENTION_HOUR_DAYS: z.preprocess(emptyAsUndefined, z.coerce.number().positive().default(400)),
  /** Email of the admin created on first run when the store has no user (password: FAASIGHT_ADMIN_PASSWORD or generated and printed once). */
  FAASIGHT_ADMIN_EMAIL: z.preprocess(emptyAsUndefined, z.string().regex(/^[^\s@]+@[^\s@]+$/, "must be an email address").default("admin@faasight.local")),
  /** Price override file merged over the built-in tables (lib/cost/prices.ts). */
  FAASIGHT_PRICES_FILE: optionalString,
  /** Report schedules config file, synced by name at worker start (lib/reports/config.ts). */
  FAASIGHT_REPORTS_FILE: optionalString,
  /** Firehose HTTP endpoint (push ingestion): the access key Firehose sends in X-Amz-Firehose-Access-Key; unset = push off. */
  FAASIGHT_FIREHOSE_ACCESS_KEY: optionalString,
  /** The Source (by name) that Firehose deliveries belong to; unset = the Source whose account id is the payload's owner. */
  FAASIGHT_FIREHOSE_SOURCE: optionalString,
  /** Lambda logs: poll (FilterLogEvents), push (skip polling groups a Firehose delivery reached), both (poll and push overlap). */
  FAASIGHT_LOGS_MODE: z.preprocess(emptyAsUndefined, z.enum(["poll", "push", "both"]).default("poll")),
  /** Seconds a worker's lease on a source lasts without renewal (several workers on PostgreSQL). */
  FAASIGHT_LEASE_SECONDS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(5).default(120)),
  /** Sources with more log groups than this have their log groups leased in shards of about this size, so several workers poll them (0 = off). */
  FAASIGHT_LOG_GROUPS_PER_LEASE: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).default(0)),
  /** A stable worker identity (one per worker): restarted, it takes back its own leases at once instead of waiting for them to lapse. Unset = host:pid:random. */
  FAASIGHT_WORKER_ID: optionalString,
});

export type Env = z.infer<typeof envSchema>;

/** Thrown when a variable is invalid; the message names every bad variable. */
export class EnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EnvError";
  }
}

/** Parses an environment record (pure; tests pass their own). */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => {
      const name = i.path.join(".");
      return `  ${name}=${shownValue(name, source[name])}: ${describeIssue(i)}`;
    });
    throw new EnvError(`Invalid environment:\n${lines.join("\n")}`);
  }
  return result.data;
}

const SECRET_NAME_RE = /SECRET|PASSWORD|TOKEN|ACCESS_KEY/;

/** The offending value for the message: secrets hidden, a database URL without its password. */
function shownValue(name: string, value: string | undefined): string {
  if (value === undefined) return "(unset)";
  if (SECRET_NAME_RE.test(name)) return "(hidden)";
  const v = name === "DATABASE_URL" ? value.replace(/(\/\/[^:/@]+:)[^@]*@/, "$1***@") : value;
  return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);
}

/** zod's issue in words a person setting a variable understands. */
function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type") {
    if (issue.expected === "number") return "must be a number";
    if (issue.expected === "int") return "must be a whole number";
  }
  if (issue.code === "too_small" && issue.origin === "number") return `must be ${issue.inclusive === false ? "greater than" : "at least"} ${issue.minimum}`;
  if (issue.code === "too_big" && issue.origin === "number") return `must be ${issue.inclusive === false ? "less than" : "at most"} ${issue.maximum}`;
  if (issue.code === "invalid_value") return `must be one of ${issue.values.map((v) => String(v)).join(", ")}`;
  return issue.message;
}

let cached: Env | undefined;

/** The process environment, parsed once. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** For tests that change process.env. */
export function resetEnvCache(): void {
  cached = undefined;
}
