/**
 * A simulation run against an AWS endpoint: the world, its ground truth and the SDK
 * writer, plus the fast backfill loop (generate minute by minute, write in big batches
 * with several requests in flight).
 */
import type { AwsClients } from "../aws/clients.ts";
import type { LogEventInput, SqsMessageAttribute } from "../sandbox/core.ts";
import { Simulation, type SimulationOutput } from "./engine.ts";
import { MetricAggregator } from "./metrics.ts";
import type { ProvisionResult } from "./provision.ts";
import type { Shop } from "./shop.ts";
import { TruthRecorder } from "./truth.ts";
import { SdkWriter, type TelemetryWriter } from "./writer.ts";
import { ThreadWriter, targetIsCloneable } from "./writer-thread.ts";

/**
 * Passes telemetry to the writer, holding back what lies in the future of `now`
 * (live mode: a REPORT line appears when the invocation ends, not when it starts).
 */
export class ReleaseGate implements SimulationOutput {
  /** Items later than this are held; +Infinity passes everything (backfill). */
  now = Number.POSITIVE_INFINITY;
  private held: { at: number; apply: () => void }[] = [];

  constructor(private readonly target: SimulationOutput) {}

  log(group: string, stream: string, events: LogEventInput[]): void {
    if (events.length === 0) return;
    if (events[events.length - 1]!.timestamp <= this.now) return this.target.log(group, stream, events);
    const ready = events.filter((e) => e.timestamp <= this.now);
    if (ready.length) this.target.log(group, stream, ready);
    for (const e of events) if (e.timestamp > this.now) this.held.push({ at: e.timestamp, apply: () => this.target.log(group, stream, [e]) });
  }

  traces(documents: string[], at: number): void {
    if (at <= this.now) this.target.traces(documents, at);
    else this.held.push({ at, apply: () => this.target.traces(documents, at) });
  }

  message(queue: string, body: string, attributes: Record<string, SqsMessageAttribute> | undefined, at: number): void {
    if (at <= this.now) this.target.message(queue, body, attributes, at);
    else this.held.push({ at, apply: () => this.target.message(queue, body, attributes, at) });
  }

  /** Releases held items up to `now` (everything when omitted), in time order. */
  release(now = Number.POSITIVE_INFINITY): void {
    if (this.held.length === 0) return;
    this.held.sort((a, b) => a.at - b.at);
    let i = 0;
    while (i < this.held.length && this.held[i]!.at <= now) this.held[i++]!.apply();
    this.held = this.held.slice(i);
  }

  get heldCount(): number {
    return this.held.length;
  }
}

/** Requests in flight: enough that the endpoint always has the next batch while a step is simulated. */
export const DEFAULT_CONCURRENCY = 32;

export interface RunOptions {
  clients: AwsClients;
  shop: Shop;
  seed: number;
  rate?: number;
  /** Window start (ms). */
  start: number;
  provisioned: ProvisionResult;
  /** Requests in flight. */
  concurrency?: number;
  onError?: (operation: string, err: unknown) => void;
  /** Keep per-minute truth rows (default true). */
  truthMinutes?: boolean;
  /** Make the API calls from a worker thread (simulating and calling side by side; default: this thread). */
  writerThread?: boolean;
}

export interface SimulationRun {
  simulation: Simulation;
  truth: TruthRecorder;
  metrics: MetricAggregator;
  writer: TelemetryWriter;
  gate: ReleaseGate;
  start: number;
}

/** Builds a run: world, truth, metric aggregation and writer. */
export function createRun(o: RunOptions): SimulationRun {
  const start = Math.floor(o.start / 60_000) * 60_000;
  const p = o.provisioned;
  const truth = new TruthRecorder({ seed: o.seed, region: p.region, accountId: p.accountId, start, end: start }, { minutes: o.truthMinutes ?? true });
  for (const q of o.shop.queues) truth.queue(q.name, q.kind, q.kind === "source" ? 0 : (p.queueDepths[q.name] ?? 0));
  const metrics = new MetricAggregator();
  const concurrency = o.concurrency ?? DEFAULT_CONCURRENCY;
  const writer: TelemetryWriter =
    o.writerThread && targetIsCloneable(o.clients.target)
      ? new ThreadWriter({ target: o.clients.target, concurrency, queueUrls: p.queueUrls, knownGroups: [...p.logGroups] }, o.onError)
      : new SdkWriter(o.clients, { concurrency, queueUrls: p.queueUrls, knownGroups: p.logGroups, onError: o.onError });
  const gate = new ReleaseGate(writer);
  const simulation = new Simulation({ shop: o.shop, seed: o.seed, region: p.region, accountId: p.accountId, start, rate: o.rate, apiIds: p.apiIds, output: gate, truth, metrics });
  return { simulation, truth, metrics, writer, gate, start };
}

/** Metrics of a minute are final a few minutes later (gateway requests finish after their minute). */
const METRIC_LAG_MS = 5 * 60_000;
/** Log buffers older than this are sent (an execution environment lives at most ~2.5 h). */
const LOG_HOLD_MS = 3 * 3600_000;
const STEP_MS = 30 * 60_000;

/** Simulates [run's current time, end) as fast as the endpoint accepts it. */
export async function backfill(run: SimulationRun, end: number, onProgress?: (simulatedTo: number) => void): Promise<void> {
  run.gate.now = Number.POSITIVE_INFINITY;
  run.truth.setEnd(end);
  for (let t = run.simulation.now; t < end; ) {
    const next = Math.min(end, t + STEP_MS);
    run.simulation.advanceTo(next);
    run.writer.metrics(run.metrics.drain(next - METRIC_LAG_MS));
    run.writer.flushLogs(next - LOG_HOLD_MS);
    await run.writer.backpressure();
    // Let responses in and queued requests out before simulating on: without this turn of the event
    // loop the endpoint sits idle while a step is simulated, and the two processes take turns.
    await new Promise<void>((resolve) => setImmediate(resolve));
    onProgress?.(next);
    t = next;
  }
  run.writer.metrics(run.metrics.drain());
  await run.writer.drain();
}
