// Normalizes the three shapes a failed Lambda event arrives in: an async-invocation DLQ message,
// an on-failure destination record, and a plain message in an event source mapping's DLQ.
import { asNumber, asRecord, asString, describeError, tryParseJson, unparsed, type Unparsed } from "./unparsed.ts";

export type FailedEventSourceKind = "async_dlq" | "destination" | "esm_dlq";

/** One failed event, whatever queue or destination it came from. */
export interface FailedEvent {
  kind: "failed_event";
  sourceKind: FailedEventSourceKind;
  /** SQS message id, or the request id when the record did not come through SQS. */
  messageId: string;
  requestId?: string;
  functionName?: string;
  /** Version or alias from the function ARN ("$LATEST", "3", "live"). */
  qualifier?: string;
  functionArn?: string;
  /** DLQ ErrorCode attribute / destination responseContext.statusCode, as a string. */
  errorCode?: string;
  errorType?: string;
  errorMessage?: string;
  /** Destination condition: "RetriesExhausted", "EventAgeExceeded", "RetryAttemptsExhausted", ... */
  condition?: string;
  /** Destination requestContext.approximateInvokeCount. */
  attempts?: number;
  /** The original event as JSON text (for ESM DLQs: the message body as-is), ready to replay. */
  payload: string;
  /** SQS ApproximateReceiveCount of the DLQ message. */
  receiveCount?: number;
  /** ISO time the failure was sent (SQS SentTimestamp, else the record's timestamp). */
  sentAt?: string;
  /** SQS DeadLetterQueueSourceArn: the queue an ESM DLQ message was moved from. */
  sourceQueueArn?: string;
}

export type FailedEventResult = FailedEvent | Unparsed;

/** SQS message attribute as the SDK (`StringValue`) or a Lambda SQS event (`stringValue`) spells it. */
export interface SqsMessageAttributeLike {
  DataType?: string;
  StringValue?: string;
  dataType?: string;
  stringValue?: string;
}

/** An SQS message from ReceiveMessage (PascalCase) or from a Lambda SQS event record (camelCase). */
export interface SqsMessageLike {
  messageId?: string;
  MessageId?: string;
  body?: string;
  Body?: string;
  attributes?: Record<string, string | undefined>;
  Attributes?: Record<string, string | undefined>;
  messageAttributes?: Record<string, SqsMessageAttributeLike | undefined>;
  MessageAttributes?: Record<string, SqsMessageAttributeLike | undefined>;
}

/** Envelope facts a destination record can borrow from the SQS message that carried it. */
export interface DestinationEnvelope {
  messageId?: string;
  receiveCount?: number;
  sentAt?: string;
}

const FUNCTION_ARN_RE = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9_-]+)(?::([A-Za-z0-9$_-]+))?$/;
const EVENTBRIDGE_FAILURE = "Lambda Function Invocation Result - Failure";
const BATCH_INFO_KEYS = ["KinesisBatchInfo", "DDBStreamBatchInfo", "SQSBatchInfo", "KafkaBatchInfo", "MQBatchInfo"];

/** Auto-detects and parses a failed-event message (async DLQ, destination record via SQS/SNS/EventBridge, or ESM DLQ). */
export function parseFailedEvent(msg: SqsMessageLike): FailedEventResult {
  try {
    const m = readSqsMessage(msg);
    if (!m) return unparsed("not an SQS message");
    if (hasLambdaDlqAttributes(m.messageAttributes)) return parseDlqMessage(msg);
    const parsed = tryParseJson(m.body);
    const obj = parsed.ok ? asRecord(parsed.value) : undefined;
    if (obj) {
      const envelope: DestinationEnvelope = { messageId: m.messageId, receiveCount: m.receiveCount, sentAt: m.sentAt };
      const sns = readSnsEnvelope(obj);
      if (sns && hasLambdaDlqAttributes(sns.attributes)) return parseDlqMessage(msg);
      const record = findDestinationRecord(obj);
      if (record) return destinationFromRecord(record, envelope);
    }
    return esmDlqFromMessage(m);
  } catch (err) {
    return unparsed(`failed-event parse failed: ${describeError(err)}`);
  }
}

/** Parses a Lambda async-invocation DLQ message (attributes RequestID, ErrorCode, ErrorMessage; body = original event). */
export function parseDlqMessage(msg: SqsMessageLike): FailedEventResult {
  try {
    const m = readSqsMessage(msg);
    if (!m) return unparsed("not an SQS message");
    let attrs = m.messageAttributes;
    let payload = m.body;
    if (!hasLambdaDlqAttributes(attrs)) {
      // A DLQ topic subscribed by a queue without raw delivery wraps everything in an SNS envelope.
      const parsed = tryParseJson(m.body);
      const sns = parsed.ok ? readSnsEnvelope(asRecord(parsed.value)) : undefined;
      if (!sns || !hasLambdaDlqAttributes(sns.attributes)) return unparsed("no RequestID/ErrorCode/ErrorMessage attributes");
      attrs = sns.attributes;
      payload = sns.message;
    }
    const out: FailedEvent = { kind: "failed_event", sourceKind: "async_dlq", messageId: m.messageId, payload };
    const requestId = attrs.get("RequestID");
    if (requestId !== undefined) out.requestId = requestId;
    const errorCode = attrs.get("ErrorCode");
    if (errorCode !== undefined) out.errorCode = errorCode;
    const errorMessage = attrs.get("ErrorMessage");
    if (errorMessage !== undefined) out.errorMessage = errorMessage;
    if (m.receiveCount !== undefined) out.receiveCount = m.receiveCount;
    if (m.sentAt !== undefined) out.sentAt = m.sentAt;
    return out;
  } catch (err) {
    return unparsed(`DLQ message parse failed: ${describeError(err)}`);
  }
}

/** Parses an on-failure destination record (raw, or wrapped by EventBridge or SNS), as JSON text or an object. */
export function parseDestinationRecord(body: unknown, envelope: DestinationEnvelope = {}): FailedEventResult {
  try {
    let value: unknown = body;
    if (typeof body === "string") {
      const parsed = tryParseJson(body);
      if (!parsed.ok) return unparsed("destination record is not JSON");
      value = parsed.value;
    }
    const obj = asRecord(value);
    if (!obj) return unparsed("destination record is not an object");
    const record = findDestinationRecord(obj);
    if (!record) return unparsed("no requestContext with requestId or functionArn");
    return destinationFromRecord(record, envelope ?? {});
  } catch (err) {
    return unparsed(`destination record parse failed: ${describeError(err)}`);
  }
}

interface SqsFacts {
  messageId: string;
  body: string;
  receiveCount?: number;
  sentAt?: string;
  sourceQueueArn?: string;
  messageAttributes: Map<string, string>;
}

function readSqsMessage(msg: unknown): SqsFacts | undefined {
  const rec = asRecord(msg);
  if (!rec) return undefined;
  const messageId = asString(rec.messageId) ?? asString(rec.MessageId);
  const body = typeof rec.body === "string" ? rec.body : typeof rec.Body === "string" ? rec.Body : undefined;
  if (messageId === undefined || body === undefined) return undefined;
  const attributes = asRecord(rec.attributes) ?? asRecord(rec.Attributes) ?? {};
  const facts: SqsFacts = { messageId, body, messageAttributes: readMessageAttributes(rec.messageAttributes ?? rec.MessageAttributes) };
  const receiveCount = asNumber(attributes.ApproximateReceiveCount);
  if (receiveCount !== undefined && Number.isInteger(receiveCount) && receiveCount >= 0) facts.receiveCount = receiveCount;
  const sentAt = epochMsToIso(attributes.SentTimestamp);
  if (sentAt !== undefined) facts.sentAt = sentAt;
  const sourceQueueArn = asString(attributes.DeadLetterQueueSourceArn);
  if (sourceQueueArn !== undefined) facts.sourceQueueArn = sourceQueueArn;
  return facts;
}

function readMessageAttributes(value: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const rec = asRecord(value);
  if (!rec) return out;
  for (const [name, attr] of Object.entries(rec)) {
    const a = asRecord(attr);
    const v = a ? (a.StringValue ?? a.stringValue ?? a.Value) : undefined;
    if (typeof v === "string") out.set(name, v);
  }
  return out;
}

function hasLambdaDlqAttributes(attrs: Map<string, string>): boolean {
  return attrs.has("RequestID") || attrs.has("ErrorCode") || attrs.has("ErrorMessage");
}

function readSnsEnvelope(obj: Record<string, unknown> | undefined): { message: string; attributes: Map<string, string> } | undefined {
  if (!obj || obj.Type !== "Notification" || typeof obj.Message !== "string") return undefined;
  return { message: obj.Message, attributes: readMessageAttributes(obj.MessageAttributes) };
}

/** Finds the destination record itself inside an optional EventBridge or SNS envelope. */
function findDestinationRecord(obj: Record<string, unknown>): Record<string, unknown> | undefined {
  if (isDestinationRecord(obj)) return obj;
  if (obj["detail-type"] === EVENTBRIDGE_FAILURE || obj.source === "lambda") {
    const detail = asRecord(obj.detail);
    if (detail && isDestinationRecord(detail)) return detail;
  }
  const sns = readSnsEnvelope(obj);
  if (sns) {
    const parsed = tryParseJson(sns.message);
    const inner = parsed.ok ? asRecord(parsed.value) : undefined;
    if (inner && isDestinationRecord(inner)) return inner;
  }
  return undefined;
}

function isDestinationRecord(obj: Record<string, unknown>): boolean {
  const ctx = asRecord(obj.requestContext);
  return !!ctx && (asString(ctx.requestId) !== undefined || asString(ctx.functionArn) !== undefined);
}

function destinationFromRecord(record: Record<string, unknown>, envelope: DestinationEnvelope): FailedEventResult {
  const ctx = asRecord(record.requestContext) ?? {};
  const requestId = asString(ctx.requestId);
  const messageId = asString(envelope.messageId) ?? requestId;
  if (messageId === undefined) return unparsed("destination record without requestId or message id");
  const out: FailedEvent = {
    kind: "failed_event",
    sourceKind: "destination",
    messageId,
    payload: destinationPayload(record),
  };
  if (requestId !== undefined) out.requestId = requestId;
  const functionArn = asString(ctx.functionArn);
  if (functionArn !== undefined) {
    out.functionArn = functionArn;
    const m = FUNCTION_ARN_RE.exec(functionArn);
    if (m) {
      out.functionName = m[1];
      if (m[2] !== undefined) out.qualifier = m[2];
    }
  }
  const condition = asString(ctx.condition);
  if (condition !== undefined) out.condition = condition;
  const attempts = asNumber(ctx.approximateInvokeCount);
  if (attempts !== undefined && Number.isInteger(attempts) && attempts >= 0) out.attempts = attempts;
  const response = asRecord(record.responseContext);
  const statusCode = asNumber(response?.statusCode);
  if (statusCode !== undefined) out.errorCode = String(statusCode);
  const responsePayload = asRecord(record.responsePayload);
  const errorType = asString(responsePayload?.errorType) ?? asString(response?.functionError);
  if (errorType !== undefined) out.errorType = errorType;
  const errorMessage =
    asString(responsePayload?.errorMessage) ??
    (typeof record.responsePayload === "string" && record.responsePayload !== "" ? record.responsePayload : undefined);
  if (errorMessage !== undefined) out.errorMessage = errorMessage;
  if (envelope.receiveCount !== undefined) out.receiveCount = envelope.receiveCount;
  const sentAt = asString(envelope.sentAt) ?? asString(record.timestamp);
  if (sentAt !== undefined) out.sentAt = sentAt;
  return out;
}

/** requestPayload for async invocations; the batch info for stream/queue event source mappings. */
function destinationPayload(record: Record<string, unknown>): string {
  if (record.requestPayload !== undefined) return safeStringify(record.requestPayload);
  for (const key of BATCH_INFO_KEYS) {
    if (record[key] !== undefined) return safeStringify({ [key]: record[key] });
  }
  return "";
}

function esmDlqFromMessage(m: SqsFacts): FailedEvent {
  const out: FailedEvent = { kind: "failed_event", sourceKind: "esm_dlq", messageId: m.messageId, payload: m.body };
  if (m.receiveCount !== undefined) out.receiveCount = m.receiveCount;
  if (m.sentAt !== undefined) out.sentAt = m.sentAt;
  if (m.sourceQueueArn !== undefined) out.sourceQueueArn = m.sourceQueueArn;
  return out;
}

function epochMsToIso(value: unknown): string | undefined {
  const ms = asNumber(value);
  if (ms === undefined || ms < 0 || ms > 8.64e15) return undefined;
  return new Date(ms).toISOString();
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return "";
  }
}
