/**
 * A TelemetryWriter whose API calls run in a worker thread. This thread batches and encodes
 * the telemetry (Batcher, as the in-thread SdkWriter does) and moves each finished request
 * body to the worker without copying (a transferred ArrayBuffer); the worker makes the SDK
 * calls (signing, HTTP, responses, retries: about a third of a backfill's CPU). Simulating
 * and calling then run side by side on two cores. Batches, and so what the endpoint holds,
 * are the same as with the in-thread writer.
 */
import { Worker } from "node:worker_threads";
import type { AwsTarget } from "../aws/clients.ts";
import { BatchingWriter, emptyWriterStats, type WriteRequest, type WriterStats } from "./writer.ts";

/** What the worker needs to build its clients and sender (structured-cloneable). */
export interface WriterThreadConfig {
  target: AwsTarget;
  concurrency: number;
  queueUrls: Record<string, string>;
  knownGroups: string[];
}

export type ToWorker = { type: "request"; request: WriteRequest } | { type: "drain"; id: number } | { type: "close"; id: number };
export type FromWorker =
  | { type: "progress"; completed: number; stats: WriterStats }
  | { type: "ack"; id: number; completed: number; stats: WriterStats }
  | { type: "error"; operation: string; name: string; message: string }
  | { type: "fatal"; message: string };

/** Whether a target can be handed to a worker: static credentials or the default chain, not a provider function or a role. */
export function targetIsCloneable(target: AwsTarget): boolean {
  return typeof target.credentials !== "function" && !target.roleArn;
}

/** The body as a buffer of its own, so that moving it to the worker detaches nothing else. */
function ownBuffer(body: Uint8Array): ArrayBuffer {
  if (body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.buffer instanceof ArrayBuffer) return body.buffer;
  return body.slice().buffer as ArrayBuffer;
}

export class ThreadWriter extends BatchingWriter {
  readonly stats: WriterStats = emptyWriterStats();
  readonly errors = new Map<string, string>();
  private readonly worker: Worker;
  private readonly maxBacklog: number;
  private sent = 0;
  private completed = 0;
  private lastId = 0;
  private acked = 0;
  private waiters: (() => void)[] = [];
  private failure: Error | undefined;
  private closed = false;

  constructor(config: WriterThreadConfig, onError?: (operation: string, err: unknown) => void) {
    super();
    this.maxBacklog = config.concurrency * 4;
    this.worker = new Worker(new URL("./writer-worker.boot.mjs", import.meta.url), { workerData: config });
    this.worker.on("message", (m: FromWorker) => {
      if (m.type === "progress" || m.type === "ack") {
        this.completed = Math.max(this.completed, m.completed);
        Object.assign(this.stats, m.stats);
        if (m.type === "ack") this.acked = Math.max(this.acked, m.id);
      } else if (m.type === "error") {
        if (!this.errors.has(m.operation)) this.errors.set(m.operation, `${m.name}: ${m.message}`);
        const err = new Error(m.message);
        err.name = m.name;
        onError?.(m.operation, err);
      } else this.failure ??= new Error(`writer thread failed: ${m.message}`);
      this.wake();
    });
    this.worker.on("error", (err) => {
      this.failure ??= err instanceof Error ? err : new Error(String(err));
      this.wake();
    });
    this.worker.on("exit", (code) => {
      if (!this.closed) this.failure ??= new Error(`writer thread exited (code ${code}) before it was closed`);
      this.wake();
    });
  }

  async backpressure(): Promise<void> {
    while (this.sent - this.completed > this.maxBacklog) await this.next();
    this.check();
  }

  async drain(): Promise<void> {
    this.batcher.flush();
    await this.request("drain");
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.batcher.flush();
    try {
      await this.request("close");
    } finally {
      this.closed = true;
      await this.worker.terminate();
    }
  }

  protected send(request: WriteRequest): void {
    this.check();
    if (request.kind === "message") this.worker.postMessage({ type: "request", request } satisfies ToWorker);
    else if (request.kind === "traces") {
      const bytes = ownBuffer(request.docs.bytes);
      this.worker.postMessage({ type: "request", request: { ...request, docs: { ...request.docs, bytes: new Uint8Array(bytes) } } } satisfies ToWorker, [bytes]);
    } else if (request.kind === "logs") {
      const bytes = ownBuffer(request.events.bytes);
      this.worker.postMessage({ type: "request", request: { ...request, events: { ...request.events, bytes: new Uint8Array(bytes) } } } satisfies ToWorker, [bytes]);
    } else {
      const body = ownBuffer(request.body);
      this.worker.postMessage({ type: "request", request: { ...request, body: Buffer.from(body) } } satisfies ToWorker, [body]);
    }
    this.sent++;
  }

  private async request(type: "drain" | "close"): Promise<void> {
    this.check();
    const id = ++this.lastId;
    this.worker.postMessage({ type, id } satisfies ToWorker);
    while (this.acked < id) await this.next();
    this.check();
  }

  private next(): Promise<void> {
    this.check();
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private check(): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new Error("writer thread: used after close()");
  }
}
