/** The fields a failed event shows in the failures list and on its own page, from its stored row (pure). */
import { z } from "zod";
import { readJson } from "../shared/json.ts";

export interface FailedEventFields {
  id: number;
  messageId: string;
  sourceKind: string;
  functionName: string | null;
  qualifier: string | null;
  requestId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  condition: string | null;
  attempts: number | null;
  payload: string;
  /** System and message attributes as strings (message attributes win on a name clash). */
  attributes: Record<string, string>;
  receiveCount: number;
  sentAt: string | null;
  firstSeenAt: string;
  status: string;
}

/** The stored FailedEvent columns the fields come from. */
export interface StoredFailedEvent {
  id: number;
  messageId: string;
  sourceKind: string;
  functionName: string | null;
  qualifier: string | null;
  requestId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  condition: string | null;
  attempts: number | null;
  payload: string;
  attributesJson: string;
  receiveCount: number;
  sentAt: Date | null;
  firstSeenAt: Date;
  status: string;
}

const attributeMap = z.record(z.string(), z.unknown());
const storedAttributes = z.object({ messageAttributes: attributeMap.optional(), attributes: attributeMap.optional() }).catch({});

/**
 * The stored attributes as strings: the collector stores `{ attributes, messageAttributes }` as
 * SQS returned them; a flat name -> value map (older rows, fixtures) is read as it is.
 */
export function readStoredAttributes(json: string | null): Record<string, string> {
  const raw = readJson(json, attributeMap, {});
  if (!("attributes" in raw) && !("messageAttributes" in raw)) return flattenAttributes(raw);
  const a = storedAttributes.parse(raw);
  return { ...flattenAttributes(a.attributes), ...flattenAttributes(a.messageAttributes) };
}

/** One attribute map as strings: typed SQS values (`StringValue`, or `stringValue` in Lambda event records) unwrapped, anything else as JSON. */
export function flattenAttributes(rec: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec ?? {})) {
    if (typeof v === "string" || typeof v === "number") out[k] = String(v);
    else if (v && typeof v === "object" && "StringValue" in v) out[k] = String((v as { StringValue: unknown }).StringValue);
    else if (v && typeof v === "object" && "stringValue" in v) out[k] = String((v as { stringValue: unknown }).stringValue);
    else out[k] = JSON.stringify(v);
  }
  return out;
}

/** The shared fields of a stored failed event. */
export function failedEventFields(r: StoredFailedEvent): FailedEventFields {
  return {
    id: r.id,
    messageId: r.messageId,
    sourceKind: r.sourceKind,
    functionName: r.functionName,
    qualifier: r.qualifier,
    requestId: r.requestId,
    errorCode: r.errorCode,
    errorMessage: r.errorMessage,
    condition: r.condition,
    attempts: r.attempts,
    payload: r.payload,
    attributes: readStoredAttributes(r.attributesJson),
    receiveCount: r.receiveCount,
    sentAt: r.sentAt?.toISOString() ?? null,
    firstSeenAt: r.firstSeenAt.toISOString(),
    status: r.status,
  };
}
