/**
 * A TelemetryWriter that hands operations to an SdkWriter on a worker thread, so that
 * generating telemetry and sending it use two cores.
 */
import { Worker } from "node:worker_threads";
import type { AwsTarget } from "../aws/clients.ts";
import type { LogEventInput, SqsMessageAttribute } from "../sandbox/core.ts";
import type { NamespacedDatum } from "./metrics.ts";
import type { SdkWriterOptions, TelemetryWriter, WriterStats } from "./writer.ts";

export type WriterOp =
  /** Columns rather than event objects: cheaper to pass between threads. */
  | { k: "log"; group: string; stream: string; timestamps: Float64Array; messages: string[] }
  | { k: "traces"; documents: string[] }
  | { k: "message"; queue: string; body: string; attributes?: Record<string, SqsMessageAttribute> }
  /** Datums as one JSON text: cloning thousands of small objects between threads costs more than JSON. */
  | { k: "metrics"; json: string };

export type WriterMessage =
  | { type: "ops"; id: number; ops: WriterOp[] }
  | { type: "flushLogs"; before: number | null }
  | { type: "flush" }
  | { type: "drain" | "close"; id: number };

export type WriterReply =
  | { type: "ack"; id: number }
  | { type: "error"; operation: string; message: string }
  | { type: "drained"; id: number; stats: WriterStats; errors: [string, string][] };

/** Operations per message: large enough that posting is cheap, small enough to keep both threads busy. */
const OPS_PER_MESSAGE = 2000;
/** Unacknowledged messages before the producer waits. */
const MAX_IN_FLIGHT = 3;

/** Whether a target can be handed to a worker (credential providers are functions and cannot). */
export function canRunInThread(target: AwsTarget): boolean {
  return typeof target.credentials !== "function";
}

export class ThreadedWriter implements TelemetryWriter {
  stats: WriterStats = {
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
  };
  readonly errors = new Map<string, string>();
  private readonly worker: Worker;
  private ops: WriterOp[] = [];
  private nextId = 1;
  private unacked = new Set<number>();
  private waiters = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  private ackWaiters: (() => void)[] = [];
  private failure: Error | undefined;
  private closed = false;

  constructor(
    target: AwsTarget,
    options: Omit<SdkWriterOptions, "onError"> & { onError?: SdkWriterOptions["onError"] },
  ) {
    const { onError, ...rest } = options;
    this.worker = new Worker(new URL("./writer-thread.mjs", import.meta.url), { workerData: { target, options: { ...rest, knownGroups: [...(rest.knownGroups ?? [])] } } });
    this.worker.on("message", (m: WriterReply) => {
      if (m.type === "ack") {
        this.unacked.delete(m.id);
        for (const w of this.ackWaiters.splice(0)) w();
      } else if (m.type === "error") {
        if (!this.errors.has(m.operation)) this.errors.set(m.operation, m.message);
        onError?.(m.operation, new Error(m.message));
      } else {
        this.stats = m.stats;
        for (const [op, message] of m.errors) if (!this.errors.has(op)) this.errors.set(op, message);
        this.waiters.get(m.id)?.resolve();
        this.waiters.delete(m.id);
      }
    });
    this.worker.on("error", (err) => this.fail(err));
    this.worker.on("exit", (code) => {
      if (code !== 0) this.fail(new Error(`writer thread exited with code ${code}`));
    });
  }

  log(group: string, stream: string, events: LogEventInput[]): void {
    const timestamps = new Float64Array(events.length);
    const messages = new Array<string>(events.length);
    for (let i = 0; i < events.length; i++) {
      timestamps[i] = events[i]!.timestamp;
      messages[i] = events[i]!.message;
    }
    this.push({ k: "log", group, stream, timestamps, messages });
  }

  traces(documents: string[]): void {
    this.push({ k: "traces", documents });
  }

  message(queue: string, body: string, attributes: Record<string, SqsMessageAttribute> | undefined): void {
    this.push({ k: "message", queue, body, attributes });
  }

  metrics(datums: NamespacedDatum[]): void {
    if (datums.length) this.push({ k: "metrics", json: JSON.stringify(datums) });
  }

  flushLogs(before?: number): void {
    this.post();
    this.worker.postMessage({ type: "flushLogs", before: before ?? null } satisfies WriterMessage);
  }

  flush(): void {
    this.post();
    this.worker.postMessage({ type: "flush" } satisfies WriterMessage);
  }

  async backpressure(): Promise<void> {
    this.post();
    while (this.unacked.size >= MAX_IN_FLIGHT && !this.failure) await new Promise<void>((r) => this.ackWaiters.push(r));
    if (this.failure) throw this.failure;
  }

  drain(): Promise<void> {
    return this.request("drain");
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (!this.failure) await this.request("close");
    } finally {
      await this.worker.terminate();
    }
  }

  private request(type: "drain" | "close"): Promise<void> {
    this.post();
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.waiters.set(id, { resolve, reject });
      this.worker.postMessage({ type, id } satisfies WriterMessage);
    });
  }

  private push(op: WriterOp): void {
    this.ops.push(op);
    if (this.ops.length >= OPS_PER_MESSAGE) this.post();
  }

  private post(): void {
    if (this.ops.length === 0) return;
    const id = this.nextId++;
    this.unacked.add(id);
    this.worker.postMessage({ type: "ops", id, ops: this.ops } satisfies WriterMessage);
    this.ops = [];
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.ackWaiters.splice(0)) w();
    for (const w of this.waiters.values()) w.reject(err);
    this.waiters.clear();
  }
}
