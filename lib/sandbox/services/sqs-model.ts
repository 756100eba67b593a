/**
 * SQS state shapes, limits, errors and validators (pure: no I/O, no clock), used by
 * the SQS service. State is plain JSON so the sandbox can snapshot it.
 */
import { AwsServiceError, type SqsMessageAttribute } from "../core.ts";

export interface SqsMessage {
  id: string;
  body: string;
  md5OfBody: string;
  messageAttributes?: Record<string, SqsMessageAttribute>;
  systemAttributes?: Record<string, SqsMessageAttribute>;
  senderId: string;
  /** Enqueue time (ms); retention counts from it. */
  sentAt: number;
  /** The message can be received from this time (ms): delay or visibility timeout. */
  visibleAt: number;
  receiveCount: number;
  firstReceiveAt?: number;
  /** Nonce of the most recent receipt handle; earlier handles are stale. */
  receipt?: string;
  receivedAt?: number;
  groupId?: string;
  deduplicationId?: string;
  sequenceNumber?: string;
  /** Set when the message was moved here by a redrive policy. */
  deadLetterSourceArn?: string;
}

export interface SqsQueue {
  name: string;
  createdAt: number;
  lastModifiedAt: number;
  /** Settable attributes as stored (defaults are applied on read). */
  attributes: Record<string, string>;
  tags: Record<string, string>;
  messages: SqsMessage[];
  nextSequence: number;
  /** FIFO de-duplication: key -> { message id, expiry ms }. */
  deduplication: Record<string, { messageId: string; expiresAt: number }>;
  purgedAt?: number;
  /** Counters since the last publishQueueMetrics call. */
  counters: { sent: number; received: number; deleted: number; emptyReceives: number; sentBytes: number };
}

export type MoveTaskStatus = "RUNNING" | "COMPLETED" | "CANCELLED" | "FAILED";

export interface SqsMoveTask {
  taskHandle: string;
  sourceArn: string;
  destinationArn?: string;
  maxPerSecond?: number;
  status: MoveTaskStatus;
  moved: number;
  toMove: number;
  startedAt: number;
  failureReason?: string;
}

export interface SqsState {
  queues: Record<string, SqsQueue>;
  /** Queue name -> deletion time (ms), for QueueDeletedRecently. */
  deletedAt: Record<string, number>;
  moveTasks: SqsMoveTask[];
}

/** A record without a prototype, so user-chosen keys such as "constructor" or "__proto__" are plain keys. */
export function dict<T>(entries?: Record<string, T>): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  for (const [k, v] of Object.entries(entries ?? {})) out[k] = v;
  return out;
}

/** AWS limits (SQS developer guide, quotas). */
export const SQS_LIMITS = {
  maxBatchEntries: 10,
  maxMessageAttributes: 10,
  maxMessageBytes: 1_048_576,
  maxBatchBytes: 1_048_576,
  maxReceiveMessages: 10,
  maxWaitSeconds: 20,
  maxVisibilitySeconds: 43_200,
  maxDelaySeconds: 900,
  listQueuesMax: 1000,
  deduplicationWindowMs: 5 * 60_000,
  purgeCooldownMs: 60_000,
  recreateCooldownMs: 60_000,
  maxMoveRatePerSecond: 500,
} as const;

/** Legacy query codes (x-amzn-query-error) and HTTP statuses of the modelled SQS errors. */
const SQS_ERRORS = {
  QueueDoesNotExist: ["AWS.SimpleQueueService.NonExistentQueue", 400],
  QueueNameExists: ["QueueAlreadyExists", 400],
  QueueDeletedRecently: ["AWS.SimpleQueueService.QueueDeletedRecently", 400],
  InvalidParameterValue: ["InvalidParameterValue", 400],
  MissingParameter: ["MissingParameter", 400],
  InvalidAttributeName: ["InvalidAttributeName", 400],
  InvalidAttributeValue: ["InvalidAttributeValue", 400],
  InvalidAddress: ["InvalidAddress", 404],
  ReceiptHandleIsInvalid: ["ReceiptHandleIsInvalid", 404],
  MessageNotInflight: ["AWS.SimpleQueueService.MessageNotInflight", 400],
  BatchEntryIdsNotDistinct: ["AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400],
  EmptyBatchRequest: ["AWS.SimpleQueueService.EmptyBatchRequest", 400],
  TooManyEntriesInBatchRequest: ["AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400],
  InvalidBatchEntryId: ["AWS.SimpleQueueService.InvalidBatchEntryId", 400],
  BatchRequestTooLong: ["AWS.SimpleQueueService.BatchRequestTooLong", 400],
  PurgeQueueInProgress: ["AWS.SimpleQueueService.PurgeQueueInProgress", 403],
  ResourceNotFoundException: ["ResourceNotFoundException", 404],
  UnsupportedOperation: ["AWS.SimpleQueueService.UnsupportedOperation", 400],
  InvalidMessageContents: ["InvalidMessageContents", 400],
  RequestThrottled: ["RequestThrottled", 403],
} as const;

export type SqsErrorCode = keyof typeof SQS_ERRORS;

/** An SQS error in the awsJson + awsQueryCompatible form the SDK maps to its exception classes. */
export function sqsError(code: SqsErrorCode, message: string): AwsServiceError {
  const [queryCode, status] = SQS_ERRORS[code];
  return new AwsServiceError(code, message, status, { fault: "Sender", queryCode });
}

/** The code a batch result entry carries for an error (the legacy query code). */
export function batchErrorCode(err: AwsServiceError): string {
  return err.options.queryCode ?? err.code;
}

export const invalidParameter = (name: string, value: unknown, reason: string) =>
  sqsError("InvalidParameterValue", `Value ${typeof value === "string" ? value : JSON.stringify(value)} for parameter ${name} is invalid. Reason: ${reason}.`);

/** Integer-valued queue attributes and their valid ranges. */
const INTEGER_ATTRIBUTES: Record<string, [number, number]> = {
  DelaySeconds: [0, SQS_LIMITS.maxDelaySeconds],
  MaximumMessageSize: [1024, SQS_LIMITS.maxMessageBytes],
  MessageRetentionPeriod: [60, 1_209_600],
  ReceiveMessageWaitTimeSeconds: [0, SQS_LIMITS.maxWaitSeconds],
  VisibilityTimeout: [0, SQS_LIMITS.maxVisibilitySeconds],
  KmsDataKeyReusePeriodSeconds: [60, 86_400],
};

const STRING_ATTRIBUTES = new Set([
  "Policy",
  "RedrivePolicy",
  "RedriveAllowPolicy",
  "KmsMasterKeyId",
  "SqsManagedSseEnabled",
  "FifoQueue",
  "ContentBasedDeduplication",
  "DeduplicationScope",
  "FifoThroughputLimit",
]);

const FIFO_ONLY = new Set(["ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"]);

export const READ_ONLY_ATTRIBUTES = [
  "ApproximateNumberOfMessages",
  "ApproximateNumberOfMessagesNotVisible",
  "ApproximateNumberOfMessagesDelayed",
  "CreatedTimestamp",
  "LastModifiedTimestamp",
  "QueueArn",
] as const;

export const DEFAULT_ATTRIBUTES: Record<string, string> = {
  DelaySeconds: "0",
  MaximumMessageSize: String(SQS_LIMITS.maxMessageBytes),
  MessageRetentionPeriod: "345600",
  ReceiveMessageWaitTimeSeconds: "0",
  VisibilityTimeout: "30",
  SqsManagedSseEnabled: "true",
};

export const FIFO_DEFAULT_ATTRIBUTES: Record<string, string> = {
  FifoQueue: "true",
  ContentBasedDeduplication: "false",
  DeduplicationScope: "queue",
  FifoThroughputLimit: "perQueue",
};

export function isKnownAttribute(name: string): boolean {
  return name in INTEGER_ATTRIBUTES || STRING_ATTRIBUTES.has(name) || (READ_ONLY_ATTRIBUTES as readonly string[]).includes(name);
}

export function isFifoQueue(queue: SqsQueue): boolean {
  return queue.attributes.FifoQueue === "true";
}

/** Effective value of a settable attribute (stored or default). */
export function queueAttribute(queue: SqsQueue, name: string): string | undefined {
  return queue.attributes[name] ?? (isFifoQueue(queue) ? FIFO_DEFAULT_ATTRIBUTES[name] : undefined) ?? DEFAULT_ATTRIBUTES[name];
}

export function queueNumber(queue: SqsQueue, name: string): number {
  return Number(queueAttribute(queue, name) ?? 0);
}

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

export function parseRedrivePolicy(text: string | undefined): RedrivePolicy | undefined {
  if (!text) return undefined;
  try {
    const p = JSON.parse(text) as RedrivePolicy;
    return p && typeof p.deadLetterTargetArn === "string" ? { deadLetterTargetArn: p.deadLetterTargetArn, maxReceiveCount: Number(p.maxReceiveCount) } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Validates and normalises settable queue attributes (CreateQueue / SetQueueAttributes).
 * Cross-queue checks (the dead-letter target exists) are the caller's.
 */
export function normaliseQueueAttributes(input: Record<string, unknown>, fifo: boolean, creating: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(input)) {
    const value = String(raw);
    if ((READ_ONLY_ATTRIBUTES as readonly string[]).includes(name) || !isKnownAttribute(name)) {
      throw sqsError("InvalidAttributeName", `Unknown Attribute ${name}.`);
    }
    if (name in INTEGER_ATTRIBUTES) {
      const [min, max] = INTEGER_ATTRIBUTES[name]!;
      if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
        throw sqsError("InvalidAttributeValue", `Invalid value for the parameter ${name}.`);
      }
      out[name] = String(Number(value));
      continue;
    }
    if (FIFO_ONLY.has(name) && !fifo) throw sqsError("InvalidAttributeName", `Unknown Attribute ${name}.`);
    switch (name) {
      case "FifoQueue":
        if (value !== "true" && value !== "false") throw sqsError("InvalidAttributeValue", `Invalid value for the parameter FifoQueue.`);
        if (!creating && (value === "true") !== fifo) {
          throw sqsError("InvalidAttributeValue", "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.");
        }
        if (value === "true") out[name] = value;
        break;
      case "ContentBasedDeduplication":
      case "SqsManagedSseEnabled":
        if (value !== "true" && value !== "false") throw sqsError("InvalidAttributeValue", `Invalid value for the parameter ${name}.`);
        out[name] = value;
        break;
      case "DeduplicationScope":
        if (value !== "messageGroup" && value !== "queue") throw sqsError("InvalidAttributeValue", `Invalid value for the parameter ${name}.`);
        out[name] = value;
        break;
      case "FifoThroughputLimit":
        if (value !== "perQueue" && value !== "perMessageGroupId") throw sqsError("InvalidAttributeValue", `Invalid value for the parameter ${name}.`);
        out[name] = value;
        break;
      case "RedrivePolicy":
        out[name] = value === "" ? "" : normaliseRedrivePolicy(value);
        break;
      case "Policy":
      case "RedriveAllowPolicy":
        if (value !== "") {
          try {
            JSON.parse(value);
          } catch {
            throw invalidParameter(name, value, "Invalid JSON");
          }
        }
        out[name] = value;
        break;
      default:
        out[name] = value;
    }
  }
  return out;
}

function normaliseRedrivePolicy(value: string): string {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(value) as Record<string, unknown>;
  } catch {
    throw invalidParameter("RedrivePolicy", value, "Redrive policy is not a valid JSON map");
  }
  const target = parsed?.deadLetterTargetArn;
  const count = Number(parsed?.maxReceiveCount);
  if (typeof target !== "string" || !target.startsWith("arn:")) throw invalidParameter("RedrivePolicy", value, "Invalid value for deadLetterTargetArn");
  if (!Number.isInteger(count) || count < 1 || count > 1000) throw invalidParameter("RedrivePolicy", value, "Invalid value for maxReceiveCount");
  return JSON.stringify({ deadLetterTargetArn: target, maxReceiveCount: count });
}

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

export function validateQueueName(name: unknown, fifo: boolean): string {
  if (typeof name !== "string" || name === "") throw sqsError("MissingParameter", "The request must contain the parameter QueueName.");
  const base = fifo ? name.replace(/\.fifo$/, "") : name;
  if (fifo && !name.endsWith(".fifo")) {
    throw invalidParameter("QueueName", name, "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length");
  }
  if (!QUEUE_NAME.test(base) || name.length > 80 || (!fifo && name.endsWith(".fifo"))) {
    throw invalidParameter("QueueName", name, "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
  }
  return name;
}

// The characters SQS accepts in bodies and string attributes (XML 1.0 Char production).
const INVALID_CHARS = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export function validateBody(body: unknown): string {
  if (typeof body !== "string" || body === "") throw sqsError("MissingParameter", "The request must contain the parameter MessageBody.");
  if (INVALID_CHARS.test(body)) {
    throw sqsError("InvalidMessageContents", "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF");
  }
  return body;
}

const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,256}$/;

/** Validates MessageAttributes (or MessageSystemAttributes) and drops empty members. */
export function normaliseMessageAttributes(input: unknown, system = false): Record<string, SqsMessageAttribute> | undefined {
  if (input === undefined || input === null) return undefined;
  if (typeof input !== "object") throw sqsError("InvalidParameterValue", "MessageAttributes must be a map.");
  const entries = Object.entries(input as Record<string, Partial<SqsMessageAttribute>>);
  if (entries.length === 0) return undefined;
  if (!system && entries.length > SQS_LIMITS.maxMessageAttributes) {
    throw sqsError("InvalidParameterValue", `Number of message attributes [${entries.length}] exceeds the allowed maximum [${SQS_LIMITS.maxMessageAttributes}].`);
  }
  const out = dict<SqsMessageAttribute>();
  for (const [name, attr] of entries) {
    if (system) {
      if (name !== "AWSTraceHeader") throw sqsError("InvalidParameterValue", `Message system attribute name '${name}' is invalid.`);
    } else if (!ATTRIBUTE_NAME.test(name) || name.startsWith(".") || name.endsWith(".") || name.includes("..") || /^(aws|amazon)\./i.test(name)) {
      throw sqsError("InvalidParameterValue", `Message (user) attribute '${name}' must contain a non-empty attribute name, consisting of alphanumeric characters, '-', '_' or '.', not starting with AWS. or Amazon.`);
    }
    const dataType = attr?.DataType;
    if (typeof dataType !== "string" || !/^(String|Number|Binary)(\..{1,250})?$/.test(dataType)) {
      throw sqsError("InvalidParameterValue", `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`);
    }
    const value: SqsMessageAttribute = { DataType: dataType };
    const isBinary = dataType.startsWith("Binary");
    if (isBinary) {
      if (typeof attr.BinaryValue !== "string" || attr.BinaryValue === "") {
        throw sqsError("InvalidParameterValue", `Message (user) attribute '${name}' must contain a non-empty value of message attribute type '${dataType}'.`);
      }
      value.BinaryValue = attr.BinaryValue;
    } else {
      if (typeof attr.StringValue !== "string" || attr.StringValue === "") {
        throw sqsError("InvalidParameterValue", `Message (user) attribute '${name}' must contain a non-empty value of message attribute type '${dataType}'.`);
      }
      if (INVALID_CHARS.test(attr.StringValue)) throw sqsError("InvalidMessageContents", `Invalid characters found in message attribute '${name}'.`);
      if (dataType.startsWith("Number") && !(attr.StringValue.trim() !== "" && Number.isFinite(Number(attr.StringValue)))) {
        throw sqsError("InvalidParameterValue", `Can't cast the value of message (user) attribute '${name}' to a number.`);
      }
      value.StringValue = attr.StringValue;
    }
    if (attr.StringListValues?.length) value.StringListValues = [...attr.StringListValues];
    if (attr.BinaryListValues?.length) value.BinaryListValues = [...attr.BinaryListValues];
    out[name] = value;
  }
  return out;
}

/** Bytes a message counts against MaximumMessageSize: body plus every attribute's name, type and value. */
export function messageSize(body: string, attributes: Record<string, SqsMessageAttribute> | undefined): number {
  let size = Buffer.byteLength(body, "utf8");
  for (const [name, a] of Object.entries(attributes ?? {})) {
    size += Buffer.byteLength(name) + Buffer.byteLength(a.DataType);
    if (a.StringValue !== undefined) size += Buffer.byteLength(a.StringValue);
    if (a.BinaryValue !== undefined) size += Buffer.from(a.BinaryValue, "base64").length;
  }
  return size;
}

const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

/** Checks a batch request's entry list as SQS does before looking at any entry. */
export function validateBatchEntries<T extends { Id?: unknown }>(entries: unknown, action: string): T[] {
  if (!Array.isArray(entries) || entries.length === 0) {
    throw sqsError("EmptyBatchRequest", `There should be at least one ${action}RequestEntry in the request.`);
  }
  if (entries.length > SQS_LIMITS.maxBatchEntries) {
    throw sqsError("TooManyEntriesInBatchRequest", `Maximum number of entries per request are ${SQS_LIMITS.maxBatchEntries}. You have sent ${entries.length}.`);
  }
  const seen = new Set<string>();
  for (const entry of entries as T[]) {
    const id = entry?.Id;
    if (typeof id !== "string" || !BATCH_ENTRY_ID.test(id)) {
      throw sqsError("InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.");
    }
    if (seen.has(id)) throw sqsError("BatchEntryIdsNotDistinct", `Id ${id} repeated.`);
    seen.add(id);
  }
  return entries as T[];
}

/** Reads an optional integer request parameter within [min, max]. */
export function intParam(name: string, value: unknown, min: number, max: number, reason?: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw invalidParameter(name, value, reason ?? `Must be between ${min} and ${max}, if provided`);
  return n;
}
