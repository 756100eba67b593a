/**
 * Amazon Data Firehose HTTP endpoint delivery format (protocol 1.0) carrying CloudWatch Logs
 * subscription payloads: pure decoding and validation of a delivery, the access-key check and
 * the response body Firehose expects. A bad record is counted and skipped; only a body that is
 * not a Firehose request at all is rejected.
 */
import crypto from "node:crypto";
import zlib from "node:zlib";
import { z } from "zod";

/** Header names Firehose sends (lower-case, as Fetch/Node expose them). */
export const FIREHOSE_HEADERS = {
  requestId: "x-amz-firehose-request-id",
  accessKey: "x-amz-firehose-access-key",
  commonAttributes: "x-amz-firehose-common-attributes",
  sourceArn: "x-amz-firehose-source-arn",
  protocolVersion: "x-amz-firehose-protocol-version",
} as const;

/** Largest (decompressed) delivery body accepted; Firehose buffers at most 64 MiB. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;
/** Largest decompressed subscription payload accepted in one record. */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;

const deliverySchema = z.object({
  requestId: z.string().min(1),
  timestamp: z.number().int().nonnegative(),
  records: z.array(z.object({ data: z.string() }).loose()),
});

const logEventSchema = z.object({ id: z.string(), timestamp: z.number().int(), message: z.string() });

/** A CloudWatch Logs subscription payload (the JSON inside each record's gzip). */
export const subscriptionPayloadSchema = z.object({
  messageType: z.enum(["DATA_MESSAGE", "CONTROL_MESSAGE"]),
  owner: z.string(),
  logGroup: z.string(),
  logStream: z.string(),
  subscriptionFilters: z.array(z.string()),
  logEvents: z.array(logEventSchema),
});

export type SubscriptionPayload = z.infer<typeof subscriptionPayloadSchema>;

export interface DecodedDelivery {
  requestId: string;
  /** Firehose's timestamp of the request (epoch ms). */
  timestamp: number;
  /** DATA_MESSAGE payloads, in record order. */
  data: SubscriptionPayload[];
  /** CONTROL_MESSAGE health checks (acknowledged, not stored). */
  control: number;
  /** Records that could not be decoded, with the reason of each (index: reason). */
  malformed: string[];
  records: number;
}

export type DecodeResult = { ok: true; delivery: DecodedDelivery } | { ok: false; reason: string };

/** One record's data: base64 -> gzip -> JSON -> payload (pure; throws with the reason). */
export function decodeRecordData(data: string): SubscriptionPayload {
  if (data.length === 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 !== 0) throw new Error("data is not base64");
  const raw = Buffer.from(data, "base64");
  let text: string;
  try {
    text = zlib.gunzipSync(raw, { maxOutputLength: MAX_RECORD_BYTES }).toString("utf8");
  } catch {
    throw new Error("data is not gzip");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error("payload is not JSON");
  }
  const parsed = subscriptionPayloadSchema.safeParse(json);
  if (!parsed.success) throw new Error(`not a CloudWatch Logs subscription payload: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
  return parsed.data;
}

/** The request body, gunzipped when Content-Encoding is gzip (pure). */
export function requestBodyText(body: Uint8Array, contentEncoding: string | null | undefined): { ok: true; text: string } | { ok: false; reason: string } {
  const enc = (contentEncoding ?? "").trim().toLowerCase();
  if (enc === "" || enc === "identity") return { ok: true, text: Buffer.from(body).toString("utf8") };
  if (enc !== "gzip") return { ok: false, reason: `unsupported Content-Encoding: ${enc}` };
  try {
    return { ok: true, text: zlib.gunzipSync(body, { maxOutputLength: MAX_BODY_BYTES }).toString("utf8") };
  } catch {
    return { ok: false, reason: "Content-Encoding is gzip but the body is not gzip data (or is larger than 64 MiB)" };
  }
}

/** Decodes a delivery body; `headerRequestId` (X-Amz-Firehose-Request-Id) must match the body's when both are present. */
export function decodeDelivery(text: string, headerRequestId?: string | null): DecodeResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: "body is not JSON" };
  }
  const parsed = deliverySchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: `not a Firehose delivery: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}` };
  const { requestId, timestamp, records } = parsed.data;
  if (headerRequestId && headerRequestId !== requestId) return { ok: false, reason: "X-Amz-Firehose-Request-Id does not match the body's requestId" };
  const out: DecodedDelivery = { requestId, timestamp, data: [], control: 0, malformed: [], records: records.length };
  records.forEach((r, i) => {
    try {
      const p = decodeRecordData(r.data);
      if (p.messageType === "CONTROL_MESSAGE") out.control++;
      else out.data.push(p);
    } catch (err) {
      out.malformed.push(`record ${i}: ${(err as Error).message}`);
    }
  });
  return { ok: true, delivery: out };
}

/** The access key Firehose sends (verbatim, or `{"api_key": "…"}` when kept in Secrets Manager). */
function keyValue(given: string): string {
  if (!given.startsWith("{")) return given;
  try {
    const o = JSON.parse(given) as { api_key?: unknown };
    return typeof o.api_key === "string" ? o.api_key : given;
  } catch {
    return given;
  }
}

/** Constant-time comparison of the X-Amz-Firehose-Access-Key header with the configured key. */
export function accessKeyMatches(given: string | null | undefined, expected: string): boolean {
  if (!given || !expected) return false;
  // Digests have equal length, so timingSafeEqual never leaks the key length.
  const a = crypto.createHash("sha256").update(keyValue(given)).digest();
  const b = crypto.createHash("sha256").update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

/** The response body Firehose expects: the request id echoed, a timestamp, and an error message on failure. */
export function firehoseResponseBody(requestId: string, timestamp: number, errorMessage?: string): { requestId: string; timestamp: number; errorMessage?: string } {
  return errorMessage === undefined ? { requestId, timestamp } : { requestId, timestamp, errorMessage };
}

/** The request id to echo when the body could not be read: the header's, else the body's if it parses. */
export function requestIdOf(text: string | undefined, header: string | null | undefined): string {
  if (header) return header;
  try {
    const o = JSON.parse(text ?? "") as { requestId?: unknown };
    if (typeof o?.requestId === "string") return o.requestId;
  } catch {
    // no usable body
  }
  return "";
}
