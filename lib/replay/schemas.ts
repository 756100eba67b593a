/** Inputs of the replay API, validated with zod at the boundary (API routes, CLI, UI actions). */
import { z } from "zod";

const eventId = z.number({ error: () => "must be a failed event id (a positive integer)" }).int().positive();

/** A Lambda version or alias ("$LATEST", "8", "live"). */
export const qualifierSchema = z
  .string()
  .regex(/^[a-zA-Z0-9$_-]{1,128}$/, { error: () => "must be a version number, $LATEST or an alias name" });

export const invocationTypeSchema = z.enum(["Event", "RequestResponse"], { error: () => 'must be "Event" or "RequestResponse"' });

export const sqsArnSchema = z.string().regex(/^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,75}(\.fifo)?$/, { error: () => "must be an SQS queue ARN" });

/** Client-chosen idempotency key (e.g. one per opened replay dialog). */
export const idempotencyKeySchema = z.string().regex(/^[A-Za-z0-9._:-]{8,200}$/, { error: () => "must be 8-200 characters of letters, digits, . _ : -" });

const functionNameSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: () => "must be a Lambda function name" });

/** One event: re-invoke its function or redrive its message to the source queue. */
export const replayInputSchema = z
  .object({
    eventId,
    action: z.enum(["reinvoke", "redrive"]).default("reinvoke"),
    /** reinvoke: version or alias to run instead of the original qualifier. */
    qualifier: qualifierSchema.optional(),
    /** reinvoke: RequestResponse (default) reports the function's outcome; Event hands it to Lambda's async queue. */
    invocationType: invocationTypeSchema.default("RequestResponse"),
    /** reinvoke: only for events whose function is unknown (a DLQ shared by several functions). */
    functionName: functionNameSchema.optional(),
    /** redrive: the queue to send to; default the message's source queue. */
    destinationQueueArn: sqsArnSchema.optional(),
    idempotencyKey: idempotencyKeySchema.optional(),
    dryRun: z.boolean().default(false),
  })
  .strict();
export type ReplayInput = z.input<typeof replayInputSchema>;
export type ParsedReplayInput = z.output<typeof replayInputSchema>;

export const discardInputSchema = z
  .object({
    eventId,
    reason: z.string().trim().min(3, { error: () => "must say why (at least 3 characters)" }).max(1000),
    /** Also delete the message from its queue (default); false only marks the event. */
    deleteMessage: z.boolean().default(true),
    idempotencyKey: idempotencyKeySchema.optional(),
  })
  .strict();
export type DiscardInput = z.input<typeof discardInputSchema>;

/** Which failed events a bulk replay selects, and what it does to each. */
export const bulkFilterSchema = z
  .object({
    functionName: functionNameSchema.optional(),
    /** Matches the ErrorCode exactly or appears in the error message (same on SQLite and PostgreSQL). */
    errorType: z.string().min(1).max(200).optional(),
    queueId: z.number().int().positive().optional(),
    sourceKind: z.enum(["async_dlq", "destination", "esm_dlq"]).optional(),
    /** Sent (or first seen, when the send time is unknown) at or after / before. */
    since: z.date().optional(),
    until: z.date().optional(),
    status: z.array(z.enum(["new", "failed_again"])).min(1).default(["new"]),
    limit: z.number().int().min(1).max(100_000).default(10_000),
    action: z.enum(["reinvoke", "redrive"]).default("reinvoke"),
    qualifier: qualifierSchema.optional(),
    invocationType: invocationTypeSchema.default("RequestResponse"),
    dryRun: z.boolean().default(false),
  })
  .strict()
  .refine((f) => !(f.since && f.until) || f.since < f.until, { message: "since must be before until", path: ["since"] })
  .refine((f) => f.functionName !== undefined || f.queueId !== undefined, { message: "choose a function or a queue (a bulk replay of every failure is not allowed)", path: ["functionName"] });
export type BulkFilter = z.input<typeof bulkFilterSchema>;
export type ParsedBulkFilter = z.output<typeof bulkFilterSchema>;

export const redriveQueueInputSchema = z
  .object({
    queueId: z.number().int().positive(),
    /** Default: each message's own source queue (its DeadLetterQueueSourceArn). */
    destinationQueueArn: sqsArnSchema.optional(),
    maxPerSecond: z.number().int().min(1).max(500).optional(),
    /** How long to wait for the move task before returning "running" (it continues in AWS). */
    waitSeconds: z.number().min(0).max(900).default(60),
    dryRun: z.boolean().default(false),
  })
  .strict();
export type RedriveQueueInput = z.input<typeof redriveQueueInputSchema>;

export const resolveInDoubtInputSchema = z
  .object({
    eventId,
    /** What the operator found out: the replay ran (mark replayed) or did not (release for another replay). */
    resolution: z.enum(["ran", "did_not_run"]),
    reason: z.string().trim().min(3).max(1000),
  })
  .strict();
export type ResolveInDoubtInput = z.input<typeof resolveInDoubtInputSchema>;

/** Raised for input that fails validation; API routes answer 400 with its message. */
export class ReplayInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReplayInputError";
  }
}

/** Raised when the failed event or queue does not exist; API routes answer 404. */
export class ReplayNotFoundError extends Error {
  constructor(what: string) {
    super(`${what} was not found`);
    this.name = "ReplayNotFoundError";
  }
}

/** Parses with a schema; a failure names each field and why. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new ReplayInputError(r.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; "));
}
