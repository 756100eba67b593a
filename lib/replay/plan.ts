/**
 * What a replay would do, decided from stored facts only (pure): the target, the exact
 * payload, the size check, the idempotency key, or a refusal with a reason. A dry run
 * returns this plan; a real replay executes it.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { describeBytes, lambdaPayloadLimit, sqsMessageSize, SQS_MAX_MESSAGE_BYTES, type InvocationType, type SqsAttributeLike } from "./limits.ts";

export type ReplayAction = "reinvoke" | "redrive" | "discard";
export type SourceKind = "async_dlq" | "destination" | "esm_dlq";

/** Statuses from which an event may be replayed or redriven. */
export const REPLAYABLE_STATUSES = ["new", "failed_again"] as const;
/** Statuses from which an event may be discarded. */
export const DISCARDABLE_STATUSES = ["new", "failed_again", "gone"] as const;

/** The stored facts a plan is made from (a FailedEvent row with its queue and function). */
export interface EventFacts {
  id: number;
  messageId: string;
  sourceKind: string;
  functionName: string | null;
  qualifier: string | null;
  requestId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  payload: string;
  attributesJson: string;
  status: string;
  queue: { id: number; name: string; url: string; arn: string; role: string; feedsJson: string };
  /** Timeout of the function (seconds), when the inventory knows it. */
  functionTimeoutSec: number | null;
  /** Alias or version of the original invocation, when the event is linked to it. */
  invocationQualifier: string | null;
  /** Finished, unsuccessful attempts so far: a retry after a failure gets a fresh idempotency key. */
  failedAttempts: number;
}

export type RefusalCode =
  | "not_eligible"
  | "not_invocable"
  | "no_payload"
  | "not_json"
  | "payload_too_large"
  | "unknown_function"
  | "function_mismatch"
  | "no_source_queue"
  | "not_redrivable";

export interface Refusal {
  code: RefusalCode;
  message: string;
}

interface PlanBase {
  eventId: number;
  sourceKind: string;
  eventStatus: string;
  queue: { id: number; name: string; url: string; arn: string };
  messageId: string;
  /** The key stored before the AWS call (derived, or the caller's). */
  idempotencyKey: string;
  ok: boolean;
  refusal?: Refusal;
  warnings: string[];
}

export interface ReinvokePlan extends PlanBase {
  action: "reinvoke";
  functionName: string | null;
  /** null: unqualified (Lambda runs $LATEST). */
  qualifier: string | null;
  qualifierSource: "input" | "event" | "invocation" | "unqualified";
  invocationType: InvocationType;
  /** Exactly the bytes Invoke would send (UTF-8). */
  payload: string;
  payloadBytes: number;
  payloadSha256: string;
  limitBytes: number;
  /** Seconds the DLQ message is held invisible while the invocation runs. */
  holdSeconds: number;
}

export interface RedrivePlan extends PlanBase {
  action: "redrive";
  destinationQueueArn: string | null;
  destinationSource: "input" | "message" | "queue" | null;
  /** The stored body; the live message's body and typed attributes are what is sent. */
  body: string;
  messageAttributes: Record<string, string>;
  estimatedBytes: number;
  limitBytes: number;
  holdSeconds: number;
}

export type ReplayPlan = ReinvokePlan | RedrivePlan;

const BATCH_INFO_KEYS = ["KinesisBatchInfo", "DDBStreamBatchInfo", "SQSBatchInfo", "KafkaBatchInfo", "MQBatchInfo"];
const SQS_ARN = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/;

/** The idempotency key of an action on an event: equal for a double click, fresh after a failed attempt. */
export function deriveIdempotencyKey(eventId: number, action: ReplayAction, target: string, generation: number): string {
  const digest = createHash("sha256").update(`${eventId}\n${action}\n${target}\n${generation}`).digest("hex");
  return `fe${eventId}-${action}-${digest.slice(0, 32)}`;
}

const storedAttributesSchema = z
  .object({
    messageAttributes: z.record(z.string(), z.unknown()).optional(),
    attributes: z.record(z.string(), z.unknown()).optional(),
  })
  .catch({});

/** The message and system attributes the collector stored with an event (lenient: strings or typed values). */
export function readStoredAttributes(json: string): { messageAttributes: Record<string, string>; attributes: Record<string, string> } {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    raw = {};
  }
  const parsed = storedAttributesSchema.parse(raw);
  const flatten = (rec: Record<string, unknown> | undefined) => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(rec ?? {})) {
      if (typeof v === "string" || typeof v === "number") out[k] = String(v);
      else if (v && typeof v === "object" && typeof (v as { StringValue?: unknown }).StringValue === "string") out[k] = (v as { StringValue: string }).StringValue;
    }
    return out;
  };
  return { messageAttributes: flatten(parsed.messageAttributes), attributes: flatten(parsed.attributes) };
}

function statusRefusal(status: string, allowed: readonly string[]): Refusal | undefined {
  if (allowed.includes(status)) return undefined;
  const why: Record<string, string> = {
    replaying: "a replay of this event is in progress, or its outcome is unknown (resolve it first)",
    replayed: "this event was already replayed",
    discarded: "this event was discarded",
    gone: "the message is no longer in its queue (consumed elsewhere or expired)",
    failed_again: "this event failed again",
    new: "this event is new",
  };
  return { code: "not_eligible", message: `Not allowed now: ${why[status] ?? `status is ${status}`}.` };
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function isBatchPointer(payload: string): boolean {
  try {
    const v = JSON.parse(payload) as unknown;
    return !!v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 1 && BATCH_INFO_KEYS.includes(Object.keys(v)[0]!);
  } catch {
    return false;
  }
}

/** Seconds to keep the message hidden while the action runs: the function's timeout plus a margin for sync invokes. */
export function holdSecondsFor(invocationType: InvocationType | null, functionTimeoutSec: number | null): number {
  if (invocationType === "RequestResponse") return Math.min(43_200, (functionTimeoutSec ?? 900) + 60);
  return 60;
}

export interface ReinvokeOptions {
  qualifier?: string;
  invocationType: InvocationType;
  functionName?: string;
  idempotencyKey?: string;
}

/** Plans re-invoking the event's function with its original payload. */
export function planReinvoke(ev: EventFacts, opts: ReinvokeOptions): ReinvokePlan {
  const warnings: string[] = [];
  let functionName = ev.functionName;
  let refusal: Refusal | undefined = statusRefusal(ev.status, REPLAYABLE_STATUSES);
  if (!refusal && ev.functionName && opts.functionName && opts.functionName !== ev.functionName) {
    refusal = { code: "function_mismatch", message: `This event belongs to ${ev.functionName}; it cannot be replayed against ${opts.functionName}.` };
  }
  if (!functionName && opts.functionName) functionName = opts.functionName;

  let qualifier: string | null = null;
  let qualifierSource: ReinvokePlan["qualifierSource"] = "unqualified";
  if (opts.qualifier) [qualifier, qualifierSource] = [opts.qualifier, "input"];
  else if (ev.qualifier) [qualifier, qualifierSource] = [ev.qualifier, "event"];
  else if (ev.invocationQualifier) [qualifier, qualifierSource] = [ev.invocationQualifier, "invocation"];
  else warnings.push("The original version or alias is not known; the unqualified function ($LATEST) will run. Choose a version or alias to be sure.");

  const payload = ev.payload;
  const payloadBytes = Buffer.byteLength(payload, "utf8");
  const limitBytes = lambdaPayloadLimit(opts.invocationType);
  if (!refusal && ev.sourceKind === "esm_dlq") {
    refusal = {
      code: "not_invocable",
      message: "This message failed in an event source mapping: its body is the queue message, not the function's event. Redrive it to its source queue instead.",
    };
  }
  if (!refusal && payload.trim() === "") refusal = { code: "no_payload", message: "The failure record carries no request payload to replay." };
  if (!refusal && isBatchPointer(payload)) {
    refusal = {
      code: "not_invocable",
      message: "The record points at a stream or queue batch (shard and sequence numbers), not at the event itself; re-read the batch from its source.",
    };
  }
  if (!refusal) {
    try {
      JSON.parse(payload);
    } catch {
      refusal = { code: "not_json", message: "The payload is not JSON; Lambda's Invoke accepts JSON payloads only." };
    }
  }
  if (!refusal && !functionName) {
    refusal = { code: "unknown_function", message: "The event does not name its function (the DLQ may be shared); pass the function name." };
  }
  if (!refusal && payloadBytes > limitBytes) {
    const alt = opts.invocationType === "Event" && payloadBytes <= lambdaPayloadLimit("RequestResponse") ? " Replay it with RequestResponse (up to 6 MB) instead." : "";
    refusal = {
      code: "payload_too_large",
      message: `The payload is ${describeBytes(payloadBytes)}; an ${opts.invocationType} invocation accepts at most ${describeBytes(limitBytes)}. It is not truncated.${alt}`,
    };
  }
  const target = `${functionName ?? "?"}:${qualifier ?? "$LATEST"}`;
  return {
    action: "reinvoke",
    eventId: ev.id,
    sourceKind: ev.sourceKind,
    eventStatus: ev.status,
    queue: { id: ev.queue.id, name: ev.queue.name, url: ev.queue.url, arn: ev.queue.arn },
    messageId: ev.messageId,
    idempotencyKey: opts.idempotencyKey ?? deriveIdempotencyKey(ev.id, "reinvoke", target, ev.failedAttempts),
    ok: !refusal,
    ...(refusal ? { refusal } : {}),
    warnings,
    functionName,
    qualifier,
    qualifierSource,
    invocationType: opts.invocationType,
    payload,
    payloadBytes,
    payloadSha256: sha256(payload),
    limitBytes,
    holdSeconds: holdSecondsFor(opts.invocationType, ev.functionTimeoutSec),
  };
}

/** The queue an SQS dead-letter message came from: the caller's choice, the message's attribute, or the one queue feeding the DLQ. */
export function resolveSourceQueue(ev: EventFacts, explicit?: string): { arn: string | null; source: RedrivePlan["destinationSource"] } {
  if (explicit) return { arn: explicit, source: "input" };
  const fromMessage = readStoredAttributes(ev.attributesJson).attributes.DeadLetterQueueSourceArn;
  if (fromMessage && SQS_ARN.test(fromMessage)) return { arn: fromMessage, source: "message" };
  let feeds: unknown = [];
  try {
    feeds = JSON.parse(ev.queue.feedsJson);
  } catch {
    feeds = [];
  }
  const queues = Array.isArray(feeds) ? feeds.filter((f): f is string => typeof f === "string" && SQS_ARN.test(f)) : [];
  if (queues.length === 1) return { arn: queues[0]!, source: "queue" };
  return { arn: null, source: null };
}

export interface RedriveOptions {
  destinationQueueArn?: string;
  idempotencyKey?: string;
}

/** Plans sending an event-source-mapping DLQ message back to its source queue (send, then delete). */
export function planRedrive(ev: EventFacts, opts: RedriveOptions): RedrivePlan {
  let refusal: Refusal | undefined = statusRefusal(ev.status, REPLAYABLE_STATUSES);
  const dest = resolveSourceQueue(ev, opts.destinationQueueArn);
  if (!refusal && ev.sourceKind !== "esm_dlq") {
    refusal = {
      code: "not_redrivable",
      message:
        ev.sourceKind === "async_dlq"
          ? "This is an asynchronous-invocation failure: no source queue fed it. Re-invoke the function instead."
          : "This is an on-failure destination record: no source queue fed it. Re-invoke the function instead.",
    };
  }
  if (!refusal && !dest.arn) {
    refusal = { code: "no_source_queue", message: "The source queue of this message is not known (no DeadLetterQueueSourceArn); choose the destination queue." };
  }
  const stored = readStoredAttributes(ev.attributesJson);
  const typed: Record<string, SqsAttributeLike> = Object.fromEntries(Object.entries(stored.messageAttributes).map(([k, v]) => [k, { DataType: "String", StringValue: v }]));
  const estimatedBytes = sqsMessageSize(ev.payload, typed);
  if (!refusal && estimatedBytes > SQS_MAX_MESSAGE_BYTES) {
    refusal = { code: "payload_too_large", message: `The message is ${describeBytes(estimatedBytes)}; SQS accepts at most ${describeBytes(SQS_MAX_MESSAGE_BYTES)}.` };
  }
  return {
    action: "redrive",
    eventId: ev.id,
    sourceKind: ev.sourceKind,
    eventStatus: ev.status,
    queue: { id: ev.queue.id, name: ev.queue.name, url: ev.queue.url, arn: ev.queue.arn },
    messageId: ev.messageId,
    idempotencyKey: opts.idempotencyKey ?? deriveIdempotencyKey(ev.id, "redrive", dest.arn ?? "?", ev.failedAttempts),
    ok: !refusal,
    ...(refusal ? { refusal } : {}),
    warnings: ["The live message's body and typed attributes are sent; the destination queue's MaximumMessageSize is checked before sending."],
    destinationQueueArn: dest.arn,
    destinationSource: dest.source,
    body: ev.payload,
    messageAttributes: stored.messageAttributes,
    estimatedBytes,
    limitBytes: SQS_MAX_MESSAGE_BYTES,
    holdSeconds: holdSecondsFor(null, null),
  };
}

/** Plans an event's discard (only the status check can refuse it). */
export function discardRefusal(ev: Pick<EventFacts, "status">): Refusal | undefined {
  return statusRefusal(ev.status, DISCARDABLE_STATUSES);
}
