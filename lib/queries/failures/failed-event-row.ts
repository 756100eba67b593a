/** The fields a failed event shows in the failures list and on its own page, from its stored row (pure). */
import { z } from "zod";
import type { FailedEvent } from "../../generated/sqlite/client.ts";
import { readJson } from "../shared/json.ts";

const STORED_COLUMNS = ["id", "messageId", "sourceKind", "functionName", "qualifier", "requestId", "errorCode", "errorMessage", "condition", "attempts", "payload", "attributesJson", "receiveCount", "sentAt", "firstSeenAt", "status"] as const;

/** The stored FailedEvent columns the shared fields come from. */
export type StoredFailedEvent = Pick<FailedEvent, (typeof STORED_COLUMNS)[number]>;

/** The fields a failed event shows in the list and on its page: the stored columns, dates as ISO strings, attributes read. */
export type FailedEventFields = Omit<StoredFailedEvent, "attributesJson" | "sentAt" | "firstSeenAt"> & {
  /** System and message attributes as strings (message attributes win on a name clash). */
  attributes: Record<string, string>;
  sentAt: string | null;
  firstSeenAt: string;
};

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
  const { attributesJson, sentAt, firstSeenAt, ...columns } = pickStored(r);
  return { ...columns, attributes: readStoredAttributes(attributesJson), sentAt: sentAt?.toISOString() ?? null, firstSeenAt: firstSeenAt.toISOString() };
}

// Only the shared columns: callers pass whole rows (with queue, functionId, lastSeenAt …).
function pickStored(r: StoredFailedEvent): StoredFailedEvent {
  return Object.fromEntries(STORED_COLUMNS.map((k) => [k, r[k]])) as StoredFailedEvent;
}
