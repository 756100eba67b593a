/**
 * Faster request bodies for the three bulk write operations (PutLogEvents, PutMetricData,
 * PutTraceSegments). The SDK's schema serializer walks every member of every event, which
 * dominates a backfill's CPU; these bodies are plain JSON.stringify of the same shapes, or
 * bytes the caller encoded ahead (a FragmentBuffer: each event encoded once, as it is
 * buffered, into memory outside the JS heap). The rest of the SDK pipeline (endpoint,
 * signing, retries, HTTP) is unchanged, and tests check the bodies equal the SDK's own.
 */
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { XRayClient } from "@aws-sdk/client-xray";

type Serializer = (input: any) => string;

interface PatchableProtocol {
  serializeRequest(operationSchema: { name: string }, input: unknown, context: unknown): Promise<{ body?: unknown; headers: Record<string, string> }>;
}

const PATCHED = Symbol.for("faasight.fastSerde");
/** A command input carrying its request body already encoded (see withEncodedBody). */
const ENCODED_BODY = Symbol.for("faasight.encodedBody");

const toEpochSeconds = (t: unknown): number | undefined => {
  if (t === undefined || t === null) return undefined;
  if (t instanceof Date) return t.getTime() / 1000;
  if (typeof t === "number") return t;
  return Date.parse(String(t)) / 1000;
};

/** awsJson1_1 body of PutLogEvents. */
export const putLogEventsBody: Serializer = (input) =>
  JSON.stringify({ logGroupName: input.logGroupName, logStreamName: input.logStreamName, logEvents: input.logEvents, sequenceToken: input.sequenceToken });

/** One element of PutMetricData's MetricData (awsJson1_0: the timestamp in epoch seconds). */
export const metricDatumJson = (d: object): string => JSON.stringify({ ...d, Timestamp: toEpochSeconds((d as { Timestamp?: unknown }).Timestamp) });

/** awsJson1_0 body of PutMetricData (timestamps as epoch seconds). */
export const putMetricDataBody: Serializer = (input) =>
  JSON.stringify({
    Namespace: input.Namespace,
    MetricData: (input.MetricData as Record<string, unknown>[]).map((d) => ({ ...d, Timestamp: toEpochSeconds(d.Timestamp) })),
  });

/** The text around PutLogEvents' events (the body is prefix, events joined by commas, suffix). */
export const putLogEventsFrame = (group: string, stream: string) => ({ prefix: `{"logGroupName":${JSON.stringify(group)},"logStreamName":${JSON.stringify(stream)},"logEvents":[`, suffix: "]}" });
export const putMetricDataFrame = (namespace: string) => ({ prefix: `{"Namespace":${JSON.stringify(namespace)},"MetricData":[`, suffix: "]}" });
export const PUT_TRACE_SEGMENTS_FRAME = { prefix: '{"TraceSegmentDocuments":[', suffix: "]}" };

/**
 * JSON array elements encoded to UTF-8 as they arrive, in a growing buffer outside the JS
 * heap: a backfill holds log events for hours of simulated time, and as JS objects they
 * would be copied by every young-generation collection until they are sent.
 */
export class FragmentBuffer {
  private buf: Buffer;
  private used = 0;
  /** Byte offset where each fragment starts (fragments after the first start with a comma). */
  private readonly starts: number[] = [];
  /** Sort key per fragment; fragments are emitted by key (stable) when added out of order. */
  private readonly keys: number[] = [];
  private ordered = true;

  constructor(initialBytes = 16_384) {
    this.buf = Buffer.allocUnsafeSlow(initialBytes);
  }

  get count(): number {
    return this.starts.length;
  }

  /** Appends one JSON value (its text) with its sort key; returns its size in bytes. */
  add(json: string, key = 0): number {
    const n = this.starts.length;
    // UTF-8 needs at most 3 bytes per UTF-16 unit; +1 for the comma.
    const need = this.used + json.length * 3 + 1;
    if (need > this.buf.length) {
      const next = Buffer.allocUnsafeSlow(Math.max(need, this.buf.length * 2));
      this.buf.copy(next, 0, 0, this.used);
      this.buf = next;
    }
    this.starts.push(this.used);
    if (n > 0) {
      this.buf[this.used++] = 0x2c;
      if (key < this.keys[n - 1]!) this.ordered = false;
    }
    this.keys.push(key);
    const bytes = this.buf.write(json, this.used, "utf8");
    this.used += bytes;
    return bytes;
  }

  /** The fragments' bytes as stored (each after the first starts with a comma) and where each starts; the buffer is not to be used after. */
  contents(): RawFragments {
    return { bytes: this.buf, starts: this.starts, used: this.used, keys: this.keys, ordered: this.ordered };
  }

  /** Removes the fragment added last. */
  pop(): void {
    const start = this.starts.pop();
    if (start === undefined) return;
    this.keys.pop();
    this.used = start;
  }

  /** The request body: prefix, the fragments in the order added, joined by commas, suffix (keys are for contents()). */
  body(frame: { prefix: string; suffix: string }): Buffer {
    const pre = Buffer.byteLength(frame.prefix, "utf8");
    const out = Buffer.allocUnsafeSlow(pre + this.used + Buffer.byteLength(frame.suffix, "utf8"));
    out.write(frame.prefix, 0, "utf8");
    this.buf.copy(out, pre, 0, this.used);
    out.write(frame.suffix, pre + this.used, "utf8");
    return out;
  }
}

/** Fragments as a FragmentBuffer stores them: `bytes[0, used)`, fragment i from starts[i] (after its comma) to the next start. */
export interface RawFragments {
  bytes: Uint8Array;
  starts: number[];
  used: number;
  /** Sort key per fragment, and whether they were added in key order. */
  keys: number[];
  ordered: boolean;
}

/** Fragment k's text (without the comma it was stored with). */
function fragmentText(raw: RawFragments, view: Buffer, k: number): string {
  const from = k === 0 ? 0 : raw.starts[k]! + 1;
  const to = k + 1 < raw.starts.length ? raw.starts[k + 1]! : raw.used;
  return view.toString("utf8", from, to);
}

const viewOf = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

/** Fragment indexes in key order (stable). */
const keyOrder = (raw: RawFragments): number[] => {
  const order = raw.starts.map((_, i) => i);
  return raw.ordered ? order : order.sort((a, b) => raw.keys[a]! - raw.keys[b]! || a - b);
};

/**
 * The request body of a JSON array of strings whose UTF-8 text is in `raw`: prefix, each string
 * as JSON.stringify writes it, commas, suffix. Text decoded from bytes is flat, so V8 escapes it
 * at full speed (and this can run in another thread than the one that made the strings). Strings
 * must be valid Unicode: a lone surrogate was written as U+FFFD, where JSON.stringify would
 * write \udXXX.
 */
export function jsonStringArrayBody(frame: { prefix: string; suffix: string }, raw: RawFragments): Buffer {
  const view = viewOf(raw.bytes);
  const parts = new Array<string>(raw.starts.length);
  for (let k = 0; k < parts.length; k++) parts[k] = JSON.stringify(fragmentText(raw, view, k));
  return Buffer.from(frame.prefix + parts.join(",") + frame.suffix, "utf8");
}

/**
 * The body of PutLogEvents from raw messages (UTF-8, keyed by timestamp): the events in time
 * order (stable), each `{"timestamp":T,"message":"…"}` as JSON.stringify writes it.
 */
export function logEventsBody(frame: { prefix: string; suffix: string }, raw: RawFragments): Buffer {
  const view = viewOf(raw.bytes);
  const order = keyOrder(raw);
  const parts = new Array<string>(order.length);
  for (let j = 0; j < order.length; j++) {
    const k = order[j]!;
    const t = raw.keys[k]!;
    parts[j] = `{"timestamp":${Number.isFinite(t) ? t : "null"},"message":${JSON.stringify(fragmentText(raw, view, k))}}`;
  }
  return Buffer.from(frame.prefix + parts.join(",") + frame.suffix, "utf8");
}

/** Gives a command input its request body, already encoded; the patched serializer sends it as is. */
export function withEncodedBody<T extends object>(input: T, body: Buffer): T {
  (input as Record<symbol, unknown>)[ENCODED_BODY] = body;
  return input;
}

/** restJson1 body of PutTraceSegments. */
export const putTraceSegmentsBody: Serializer = (input) => JSON.stringify({ TraceSegmentDocuments: input.TraceSegmentDocuments });

function patch(client: { config: unknown }, serializers: Record<string, Serializer>): void {
  const config = client.config as { protocol?: PatchableProtocol & { [PATCHED]?: boolean } };
  const protocol = config.protocol;
  if (!protocol || typeof protocol.serializeRequest !== "function" || protocol[PATCHED]) return;
  const original = protocol.serializeRequest.bind(protocol);
  protocol.serializeRequest = async (operationSchema, input, context) => {
    const fast = serializers[operationSchema.name];
    if (!fast) return original(operationSchema, input, context);
    // The SDK still builds method, path and headers; only the body is ours.
    const request = await original(operationSchema, {}, context);
    // Bytes once: the signer hashes and the socket writes the same buffer without re-encoding.
    const encoded = (input as Record<symbol, unknown> | undefined)?.[ENCODED_BODY];
    request.body = encoded instanceof Uint8Array ? encoded : Buffer.from(fast(input), "utf8");
    return request;
  };
  protocol[PATCHED] = true;
}

/** Makes the bulk write operations of these clients serialize their bodies with JSON.stringify. */
export function enableFastSerialization(clients: { logs: CloudWatchLogsClient; cloudwatch: CloudWatchClient; xray: XRayClient }): void {
  patch(clients.logs, { PutLogEvents: putLogEventsBody });
  patch(clients.cloudwatch, { PutMetricData: putMetricDataBody });
  patch(clients.xray, { PutTraceSegments: putTraceSegmentsBody });
}
