/**
 * Writes simulated telemetry through the AWS APIs with the batching real services use:
 * PutLogEvents (<= 10,000 events / 1 MB / 24 h per call, per stream), PutMetricData
 * (<= 1,000 datums per call), PutTraceSegments, SendMessage — several requests in flight.
 * Two halves: the Batcher cuts telemetry into calls and keeps their contents as bytes, the
 * SdkSender makes the calls. SdkWriter runs both in this thread; ThreadWriter
 * (writer-thread.ts) runs the sender in a worker thread.
 */
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
} from "@aws-sdk/client-cloudwatch-logs";
import { PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { PutTraceSegmentsCommand } from "@aws-sdk/client-xray";
import { SendMessageCommand, type MessageAttributeValue } from "@aws-sdk/client-sqs";
import type { AwsClients } from "../aws/clients.ts";
import type { LogEventInput, SqsMessageAttribute } from "../sandbox/core.ts";
import type { SimulationOutput } from "./engine.ts";
import {
  FragmentBuffer,
  PUT_TRACE_SEGMENTS_FRAME,
  enableFastSerialization,
  jsonStringArrayBody,
  logEventsBody,
  metricDatumJson,
  putLogEventsFrame,
  putMetricDataFrame,
  withEncodedBody,
  type RawFragments,
} from "./fast-serde.ts";
import type { NamespacedDatum } from "./metrics.ts";

export const LOG_BATCH_EVENTS = 10_000;
export const LOG_BATCH_BYTES = 1_048_576;
/** CloudWatch Logs counts 26 bytes of overhead per event. */
export const LOG_EVENT_OVERHEAD = 26;
const LOG_BATCH_SPAN_MS = 24 * 3600_000 - 60_000;
export const METRIC_BATCH = 1000;
const METRIC_BATCH_BYTES = 800_000;
export const TRACE_BATCH = 500;
const TRACE_BATCH_BYTES = 900_000;

export interface WriterStats {
  putLogEvents: number;
  logEvents: number;
  createLogStream: number;
  putMetricData: number;
  datums: number;
  putTraceSegments: number;
  segments: number;
  sendMessage: number;
  rejectedLogEvents: number;
  unprocessedSegments: number;
  failures: number;
}

interface StreamBuffer {
  group: string;
  stream: string;
  /** The events, encoded as they arrive; sent in time order. */
  events: FragmentBuffer;
  /** What CloudWatch Logs counts against the 1 MB batch limit. */
  bytes: number;
  oldest: number;
}

/** A bounded pool of in-flight requests. */
export class RequestPool {
  private inFlight = 0;
  private queue: (() => Promise<void>)[] = [];
  private idle: (() => void)[] = [];
  private room: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  get pending(): number {
    return this.inFlight + this.queue.length;
  }

  /** Queues a request; it starts when a slot frees. */
  run(task: () => Promise<void>): void {
    this.queue.push(task);
    this.pump();
  }

  /** Resolves when the backlog is small enough to keep producing. */
  async backpressure(maxBacklog = this.limit * 4): Promise<void> {
    while (this.pending > maxBacklog) await new Promise<void>((r) => this.room.push(r));
  }

  /** Resolves when nothing is queued or in flight. */
  async drain(): Promise<void> {
    while (this.pending > 0) await new Promise<void>((r) => this.idle.push(r));
  }

  private pump(): void {
    while (this.inFlight < this.limit && this.queue.length > 0) {
      const task = this.queue.shift()!;
      this.inFlight++;
      task().finally(() => {
        this.inFlight--;
        for (const r of this.room.splice(0)) r();
        if (this.pending === 0) for (const r of this.idle.splice(0)) r();
        this.pump();
      });
    }
  }
}

/** What the simulation writes telemetry through (in this thread, or in a writer thread). */
export interface TelemetryWriter extends SimulationOutput {
  readonly stats: WriterStats;
  /** First error per operation. */
  readonly errors: Map<string, string>;
  metrics(datums: NamespacedDatum[]): void;
  flushLogs(before?: number): void;
  flush(): void;
  /** Resolves when the backlog is small enough to keep producing. */
  backpressure(): Promise<void>;
  /** Flushes and waits until everything is written; the writer stays usable. */
  drain(): Promise<void>;
  /** Drains and releases the writer's resources. */
  close(): Promise<void>;
}

/** One API call's worth of telemetry, its body already encoded (bodies are whole buffers: they can move between threads). */
export type WriteRequest =
  /** Raw UTF-8 messages keyed by timestamp; the sender escapes them into the body (logEventsBody). */
  | { kind: "logs"; group: string; stream: string; count: number; events: RawFragments }
  | { kind: "metrics"; namespace: string; count: number; body: Buffer }
  /** Segment documents as raw UTF-8 text; the sender escapes them into the body (jsonStringArrayBody). */
  | { kind: "traces"; count: number; docs: RawFragments }
  | { kind: "message"; queue: string; body: string; attributes?: Record<string, SqsMessageAttribute> };

export const emptyWriterStats = (): WriterStats => ({
  putLogEvents: 0,
  logEvents: 0,
  createLogStream: 0,
  putMetricData: 0,
  datums: 0,
  putTraceSegments: 0,
  segments: 0,
  sendMessage: 0,
  rejectedLogEvents: 0,
  unprocessedSegments: 0,
  failures: 0,
});

/**
 * Cuts telemetry into API calls the way real services batch it (per stream, per namespace,
 * up to the size limits) and encodes each event once, as it arrives, into its call's body.
 */
export class Batcher {
  private readonly buffers = new Map<string, StreamBuffer>();
  private traceBatch = new FragmentBuffer(1 << 20);
  private traceBytes = 0;
  private metricBatches = new Map<string, { data: FragmentBuffer; bytes: number }>();

  constructor(private readonly emit: (request: WriteRequest) => void) {}

  log(group: string, stream: string, events: LogEventInput[]): void {
    const key = `${group}\u0000${stream}`;
    let b = this.buffers.get(key);
    for (const e of events) {
      if (b && (b.events.count >= LOG_BATCH_EVENTS || Math.abs(e.timestamp - b.oldest) > LOG_BATCH_SPAN_MS)) {
        this.flushBuffer(key, b);
        b = undefined;
      }
      if (!b) {
        b = { group, stream, events: new FragmentBuffer(), bytes: 0, oldest: e.timestamp };
        this.buffers.set(key, b);
      }
      // The raw message, keyed by its time (access logs arrive slightly out of order; the batch is
      // sent in time order). What CloudWatch Logs counts is its UTF-8 bytes + 26.
      const size = b.events.add(e.message, e.timestamp) + LOG_EVENT_OVERHEAD;
      if (b.bytes + size > LOG_BATCH_BYTES && b.events.count > 1) {
        b.events.pop();
        this.flushBuffer(key, b);
        b = { group, stream, events: new FragmentBuffer(), bytes: 0, oldest: e.timestamp };
        this.buffers.set(key, b);
        b.events.add(e.message, e.timestamp);
      }
      b.bytes += size;
      if (e.timestamp < b.oldest) b.oldest = e.timestamp;
    }
  }

  traces(documents: string[]): void {
    for (const d of documents) {
      const size = d.length + 4;
      if (this.traceBatch.count >= TRACE_BATCH || (this.traceBatch.count > 0 && this.traceBytes + size > TRACE_BATCH_BYTES)) this.flushTraces();
      this.traceBatch.add(d);
      this.traceBytes += size;
    }
  }

  message(queue: string, body: string, attributes: Record<string, SqsMessageAttribute> | undefined): void {
    this.emit({ kind: "message", queue, body, attributes });
  }

  /** Buffers datums per namespace; full batches (1,000 datums) are sent at once, the rest on flush. */
  metrics(datums: NamespacedDatum[]): void {
    for (const d of datums) {
      let b = this.metricBatches.get(d.namespace);
      if (!b) this.metricBatches.set(d.namespace, (b = { data: new FragmentBuffer(1 << 18), bytes: 0 }));
      const size = 160 + (d.datum.Values?.length ?? 0) * 24;
      if (b.data.count >= METRIC_BATCH || b.bytes + size > METRIC_BATCH_BYTES) {
        this.emitMetrics(d.namespace, b.data);
        b.data = new FragmentBuffer(1 << 18);
        b.bytes = 0;
      }
      b.data.add(metricDatumJson(d.datum));
      b.bytes += size;
    }
  }

  /** Sends buffered log events of streams whose oldest event is before `before` (all when omitted). */
  flushLogs(before = Number.POSITIVE_INFINITY): void {
    for (const [key, b] of this.buffers) if (b.oldest < before) this.flushBuffer(key, b);
  }

  /** Sends everything buffered. */
  flush(): void {
    this.flushLogs();
    this.flushTraces();
    for (const [namespace, b] of this.metricBatches) if (b.data.count) this.emitMetrics(namespace, b.data);
    this.metricBatches.clear();
  }

  private emitMetrics(namespace: string, data: FragmentBuffer): void {
    this.emit({ kind: "metrics", namespace, count: data.count, body: data.body(putMetricDataFrame(namespace)) });
  }

  private flushTraces(): void {
    if (this.traceBatch.count === 0) return;
    this.emit({ kind: "traces", count: this.traceBatch.count, docs: this.traceBatch.contents() });
    this.traceBatch = new FragmentBuffer(1 << 20);
    this.traceBytes = 0;
  }

  private flushBuffer(key: string, b: StreamBuffer): void {
    this.buffers.delete(key);
    if (b.events.count === 0) return;
    this.emit({ kind: "logs", group: b.group, stream: b.stream, count: b.events.count, events: b.events.contents() });
  }
}

export interface SdkWriterOptions {
  /** Requests in flight (default 32). */
  concurrency?: number;
  /** Queue name -> URL (from provisioning). */
  queueUrls: Record<string, string>;
  /** Log groups already created (provisioning creates the shop's). */
  knownGroups?: Iterable<string>;
  onError?: (operation: string, err: unknown) => void;
}

/** Makes the API calls of write requests through SDK clients, several in flight; creates log streams on first use. */
export class SdkSender {
  readonly stats: WriterStats = emptyWriterStats();
  /** First error per operation. */
  readonly errors = new Map<string, string>();
  private readonly pool: RequestPool;
  private readonly streams = new Map<string, Promise<boolean>>();
  private readonly groups = new Map<string, Promise<boolean>>();

  constructor(
    private readonly clients: AwsClients,
    private readonly options: SdkWriterOptions,
  ) {
    this.pool = new RequestPool(options.concurrency ?? 32);
    enableFastSerialization(clients);
    // The SDK rebuilds each command's middleware chain per call unless told to cache it per command
    // class (an SDK option): about a third of the per-call CPU, and a backfill makes thousands of calls.
    for (const c of [clients.logs, clients.cloudwatch, clients.xray, clients.sqs]) c.config.cacheMiddleware = true;
    for (const g of options.knownGroups ?? []) this.groups.set(g, Promise.resolve(true));
  }

  get pending(): number {
    return this.pool.pending;
  }

  /** Queues the request's call; `done` runs when it has finished (written or failed). */
  send(r: WriteRequest, done?: () => void): void {
    this.pool.run(async () => {
      try {
        if (r.kind === "logs") {
          if (await this.ensureStream(r.group, r.stream)) await this.putEvents(r, true);
        } else if (r.kind === "metrics") await this.putMetrics(r);
        else if (r.kind === "traces") await this.putTraces(r);
        else await this.sendMessage(r);
      } finally {
        done?.();
      }
    });
  }

  async backpressure(): Promise<void> {
    await this.pool.backpressure();
  }

  async drain(): Promise<void> {
    await this.pool.drain();
  }

  private fail(operation: string, err: unknown): void {
    this.stats.failures++;
    if (!this.errors.has(operation)) {
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      this.errors.set(operation, message);
      this.options.onError?.(operation, err);
    }
  }

  private async sendMessage(r: Extract<WriteRequest, { kind: "message" }>): Promise<void> {
    const url = this.options.queueUrls[r.queue];
    if (!url) return this.fail("SendMessage", new Error(`no queue URL for ${r.queue}`));
    try {
      await this.clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: r.body, MessageAttributes: r.attributes as Record<string, MessageAttributeValue> | undefined }));
      this.stats.sendMessage++;
    } catch (err) {
      this.fail("SendMessage", err);
    }
  }

  private async putMetrics(r: Extract<WriteRequest, { kind: "metrics" }>): Promise<void> {
    try {
      await this.clients.cloudwatch.send(new PutMetricDataCommand(withEncodedBody({ Namespace: r.namespace, MetricData: [] }, r.body)));
      this.stats.putMetricData++;
      this.stats.datums += r.count;
    } catch (err) {
      this.fail("PutMetricData", err);
    }
  }

  private async putTraces(r: Extract<WriteRequest, { kind: "traces" }>): Promise<void> {
    try {
      const out = await this.clients.xray.send(new PutTraceSegmentsCommand(withEncodedBody({ TraceSegmentDocuments: [] }, jsonStringArrayBody(PUT_TRACE_SEGMENTS_FRAME, r.docs))));
      this.stats.putTraceSegments++;
      this.stats.segments += r.count - (out.UnprocessedTraceSegments?.length ?? 0);
      if (out.UnprocessedTraceSegments?.length) {
        this.stats.unprocessedSegments += out.UnprocessedTraceSegments.length;
        const u = out.UnprocessedTraceSegments[0]!;
        this.fail("PutTraceSegments", new Error(`unprocessed segment ${u.Id}: ${u.ErrorCode} ${u.Message}`));
      }
    } catch (err) {
      this.fail("PutTraceSegments", err);
    }
  }

  private async putEvents(r: Extract<WriteRequest, { kind: "logs" }>, retry: boolean): Promise<void> {
    try {
      const out = await this.clients.logs.send(new PutLogEventsCommand(withEncodedBody({ logGroupName: r.group, logStreamName: r.stream, logEvents: [] }, logEventsBody(putLogEventsFrame(r.group, r.stream), r.events))));
      this.stats.putLogEvents++;
      this.stats.logEvents += r.count;
      const x = out.rejectedLogEventsInfo;
      if (x) {
        const rejected =
          (x.tooOldLogEventEndIndex !== undefined ? x.tooOldLogEventEndIndex + 1 : 0) +
          (x.expiredLogEventEndIndex !== undefined ? x.expiredLogEventEndIndex + 1 : 0) +
          (x.tooNewLogEventStartIndex !== undefined ? r.count - x.tooNewLogEventStartIndex : 0);
        if (rejected > 0) {
          this.stats.rejectedLogEvents += rejected;
          this.fail("PutLogEvents", new Error(`${rejected} events rejected in ${r.group} (${JSON.stringify(x)})`));
        }
      }
    } catch (err) {
      if (retry && err instanceof ResourceNotFoundException) {
        // The group or stream vanished (deleted, or created by someone else): create and retry once.
        this.groups.delete(r.group);
        this.streams.delete(`${r.group}\u0000${r.stream}`);
        if (await this.ensureStream(r.group, r.stream)) return this.putEvents(r, false);
        return;
      }
      this.fail("PutLogEvents", err);
    }
  }

  private ensureGroup(group: string): Promise<boolean> {
    let p = this.groups.get(group);
    if (!p) {
      p = this.clients.logs.send(new CreateLogGroupCommand({ logGroupName: group })).then(
        () => true,
        (err) => {
          if (err instanceof ResourceAlreadyExistsException) return true;
          this.fail("CreateLogGroup", err);
          return false;
        },
      );
      this.groups.set(group, p);
    }
    return p;
  }

  private ensureStream(group: string, stream: string): Promise<boolean> {
    const key = `${group}\u0000${stream}`;
    let p = this.streams.get(key);
    if (!p) {
      p = this.ensureGroup(group).then(async (ok) => {
        if (!ok) return false;
        try {
          await this.clients.logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
          this.stats.createLogStream++;
          return true;
        } catch (err) {
          if (err instanceof ResourceAlreadyExistsException) return true;
          this.fail("CreateLogStream", err);
          return false;
        }
      });
      this.streams.set(key, p);
    }
    return p;
  }
}

/** A TelemetryWriter whose telemetry is cut into calls by a Batcher; subclasses make the calls. */
export abstract class BatchingWriter implements TelemetryWriter {
  abstract readonly stats: WriterStats;
  abstract readonly errors: Map<string, string>;
  protected readonly batcher = new Batcher((r) => this.send(r));

  /** Makes (or hands over) the call of one request the Batcher emitted. */
  protected abstract send(request: WriteRequest): void;
  abstract backpressure(): Promise<void>;
  abstract drain(): Promise<void>;
  abstract close(): Promise<void>;

  log(group: string, stream: string, events: LogEventInput[]): void {
    this.batcher.log(group, stream, events);
  }

  traces(documents: string[]): void {
    this.batcher.traces(documents);
  }

  message(queue: string, body: string, attributes: Record<string, SqsMessageAttribute> | undefined): void {
    this.batcher.message(queue, body, attributes);
  }

  metrics(datums: NamespacedDatum[]): void {
    this.batcher.metrics(datums);
  }

  flushLogs(before?: number): void {
    this.batcher.flushLogs(before);
  }

  flush(): void {
    this.batcher.flush();
  }
}

/** Writes telemetry through SDK clients, in this thread. */
export class SdkWriter extends BatchingWriter {
  private readonly sender: SdkSender;

  constructor(clients: AwsClients, options: SdkWriterOptions) {
    super();
    this.sender = new SdkSender(clients, options);
  }

  get stats(): WriterStats {
    return this.sender.stats;
  }

  get errors(): Map<string, string> {
    return this.sender.errors;
  }

  protected send(request: WriteRequest): void {
    this.sender.send(request);
  }

  async backpressure(): Promise<void> {
    await this.sender.backpressure();
  }

  async drain(): Promise<void> {
    this.batcher.flush();
    await this.sender.drain();
  }

  async close(): Promise<void> {
    await this.drain();
  }
}
