/**
 * Delivery of CloudWatch Logs subscription data as AWS does it: gzip-compressed
 * DATA_MESSAGE payloads, to a Lambda function (async Invoke with {"awslogs":{"data"}})
 * or to a Firehose delivery stream, which the sandbox hands to a registered HTTP endpoint
 * in the Firehose HTTP endpoint delivery format (buffered, retried with the same request id).
 */
import zlib from "node:zlib";
import { z } from "zod";
import { newRequestId, type SandboxContext } from "../core.ts";

/** An HTTP endpoint that receives a Firehose stream's deliveries. */
export interface FirehoseEndpoint {
  url: string;
  accessKey?: string;
  /** Sent as X-Amz-Firehose-Common-Attributes. */
  commonAttributes?: Record<string, string>;
  /** The stream's "GZIP" content encoding: the whole request body gzip-compressed. */
  contentEncoding?: "gzip";
}

/** The CloudWatch Logs subscription payload (before gzip). */
export interface SubscriptionPayload {
  messageType: "DATA_MESSAGE" | "CONTROL_MESSAGE";
  owner: string;
  logGroup: string;
  logStream: string;
  subscriptionFilters: string[];
  logEvents: { id: string; timestamp: number; message: string }[];
}

export interface DeliveryStats {
  delivered: number;
  failedAttempts: number;
  dropped: number;
}

const firehoseEnvSchema = z.record(
  z.string(),
  z.object({ url: z.url(), accessKey: z.string().optional(), commonAttributes: z.record(z.string(), z.string()).optional(), contentEncoding: z.literal("gzip").optional() }),
);

/** Parses FAASIGHT_SANDBOX_FIREHOSE ({"stream":{"url","accessKey"}}); empty = none. */
export function parseFirehoseEnv(value: string | undefined): Record<string, FirehoseEndpoint> {
  if (!value || value.trim() === "") return {};
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch {
    throw new Error("FAASIGHT_SANDBOX_FIREHOSE must be JSON: {\"<delivery stream>\": {\"url\": \"https://…\", \"accessKey\": \"…\"}}");
  }
  const parsed = firehoseEnvSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`FAASIGHT_SANDBOX_FIREHOSE is invalid: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return parsed.data;
}

/** Flush a Firehose buffer at this size (bytes of base64 record data) or after FLUSH_INTERVAL_MS. */
const FIREHOSE_BUFFER_BYTES = 1024 * 1024;
const FLUSH_INTERVAL_MS = 1000;
const MAX_ATTEMPTS = 6;
const RETRY_BASE_MS = 200;
const REQUEST_TIMEOUT_MS = 30_000;
/** Keep each DATA_MESSAGE's events under this many bytes (Lambda async payload limit territory). */
const MAX_PAYLOAD_BYTES = 200 * 1024;

/** Stream name of a Firehose delivery stream ARN, or undefined. */
export function firehoseStreamName(arn: string): string | undefined {
  return /^arn:aws[\w-]*:firehose:[^:]*:\d*:deliverystream\/(.+)$/.exec(arn)?.[1];
}

/** Buffers and delivers subscription payloads; all deliveries are asynchronous. */
export class SubscriptionDelivery {
  private endpoints = new Map<string, FirehoseEndpoint>();
  private buffers = new Map<string, { records: string[]; bytes: number }>();
  private lambdaQueue: { arn: string; data: string }[] = [];
  private inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  readonly stats: DeliveryStats = { delivered: 0, failedAttempts: 0, dropped: 0 };

  constructor(
    private readonly ctx: SandboxContext,
    endpoints: Record<string, FirehoseEndpoint>,
    /** Called before each timed flush (the service promotes late events then). */
    private readonly beforeFlush: () => void,
  ) {
    for (const [name, ep] of Object.entries(endpoints)) this.endpoints.set(name, ep);
  }

  registerFirehoseEndpoint(streamName: string, endpoint: FirehoseEndpoint): void {
    this.endpoints.set(streamName, endpoint);
  }

  /** Splits events into payloads under the size limit and queues them for the destination. */
  enqueue(destinationArn: string, base: Omit<SubscriptionPayload, "logEvents">, events: SubscriptionPayload["logEvents"]): void {
    let chunk: SubscriptionPayload["logEvents"] = [];
    let bytes = 0;
    const emit = () => {
      if (chunk.length) this.enqueuePayload(destinationArn, { ...base, logEvents: chunk });
      chunk = [];
      bytes = 0;
    };
    for (const e of events) {
      const size = Buffer.byteLength(e.message, "utf8") + 80;
      if (bytes + size > MAX_PAYLOAD_BYTES && chunk.length) emit();
      chunk.push(e);
      bytes += size;
    }
    emit();
  }

  enqueuePayload(destinationArn: string, payload: SubscriptionPayload): void {
    const data = zlib.gzipSync(JSON.stringify(payload)).toString("base64");
    if (destinationArn.includes(":lambda:")) {
      this.lambdaQueue.push({ arn: destinationArn, data });
    } else {
      const stream = firehoseStreamName(destinationArn);
      if (stream === undefined) {
        // Kinesis streams and cross-account destinations are accepted but not delivered.
        this.stats.dropped++;
        return;
      }
      const buf = this.buffers.get(stream) ?? { records: [], bytes: 0 };
      buf.records.push(data);
      buf.bytes += data.length;
      this.buffers.set(stream, buf);
      if (buf.bytes >= FIREHOSE_BUFFER_BYTES) this.flushStream(stream);
    }
    this.schedule();
  }

  /** Delivers everything buffered and waits for every delivery (with retries) to finish. */
  async flush(): Promise<void> {
    this.beforeFlush();
    this.flushAll();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.beforeFlush();
      this.flushAll();
    }, FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  private flushAll(): void {
    for (const stream of [...this.buffers.keys()]) this.flushStream(stream);
    const lambdas = this.lambdaQueue;
    this.lambdaQueue = [];
    for (const { arn, data } of lambdas) {
      this.track(
        this.ctx.internals.invokeLambda(arn, JSON.stringify({ awslogs: { data } }), "Event").then(
          () => void this.stats.delivered++,
          () => void this.stats.dropped++,
        ),
      );
    }
  }

  private flushStream(stream: string): void {
    const buf = this.buffers.get(stream);
    this.buffers.delete(stream);
    if (!buf || buf.records.length === 0) return;
    const endpoint = this.endpoints.get(stream);
    if (!endpoint) {
      this.stats.dropped += buf.records.length;
      return;
    }
    this.track(this.postFirehose(stream, endpoint, buf.records));
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async postFirehose(stream: string, endpoint: FirehoseEndpoint, records: string[]): Promise<void> {
    const requestId = newRequestId(this.ctx.random);
    const json = JSON.stringify({ requestId, timestamp: this.ctx.now(), records: records.map((data) => ({ data })) });
    const body = endpoint.contentEncoding === "gzip" ? zlib.gzipSync(json) : json;
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "x-amz-firehose-protocol-version": "1.0",
      "x-amz-firehose-request-id": requestId,
      "x-amz-firehose-source-arn": `arn:aws:firehose:${this.ctx.region}:${this.ctx.accountId}:deliverystream/${stream}`,
      "x-amz-firehose-common-attributes": JSON.stringify({ commonAttributes: endpoint.commonAttributes ?? {} }),
    };
    if (endpoint.accessKey) headers["x-amz-firehose-access-key"] = endpoint.accessKey;
    if (endpoint.contentEncoding === "gzip") headers["content-encoding"] = "gzip";
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      try {
        const res = await fetch(endpoint.url, { method: "POST", headers, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        const text = await res.text();
        if (res.status === 200) {
          const ack = safeJson(text) as { requestId?: string } | undefined;
          // Firehose treats a response without the matching request id as a failure.
          if (ack?.requestId === requestId) {
            this.stats.delivered += records.length;
            return;
          }
        }
      } catch {
        // Network errors are retried like non-200 responses.
      }
      this.stats.failedAttempts++;
      if (attempt < MAX_ATTEMPTS) await new Promise((r) => setTimeout(r, Math.min(5_000, RETRY_BASE_MS * 2 ** (attempt - 1))).unref());
    }
    this.stats.dropped += records.length;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
