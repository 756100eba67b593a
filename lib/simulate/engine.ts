/**
 * The simulated world: traffic arrives minute by minute (API requests, queue messages,
 * topic publishes, uploads, schedules), invocations run through execution environments in
 * time order, and every outcome becomes telemetry (through an output) and ground truth.
 * Deterministic for a seed; time only advances when the caller says so.
 */
import type { LogEventInput, SqsMessageAttribute } from "../sandbox/core.ts";
import type { MetricAggregator, Dimensions } from "./metrics.ts";
import { EnvironmentPool, burstProbability, drawInitDuration, drawOutcome, trafficFactor } from "./model.ts";
import { applyOverrides, type BehaviourProfile } from "./profile.ts";
import { base64Id, hexString, intBetween, poisson, requestId as newRequestId, rngFor, uniform, type Rng } from "./rng.ts";
import type { AliasSpec, ApiSpec, FunctionSpec, RouteSpec, RuleSpec, Shop, StageSpec } from "./shop.ts";
import {
  GATEWAY_ERROR_BODIES,
  accessLogLine,
  apiGatewaySegmentDocument,
  deadLetterMessage,
  errorPayload,
  functionArn,
  lambdaLogEvents,
  lambdaSegmentDocuments,
  newTraceId,
  onFailureRecord,
  runtimeVersion,
  runtimeVersionArn,
  type ApiRequestRecord,
  type FunctionIdentity,
  type InvocationRecord,
  type TraceInfo,
} from "./telemetry.ts";
import type { TruthRecorder } from "./truth.ts";

/** Where the simulation's telemetry goes (an SDK writer, the sandbox internals, a test buffer). */
export interface SimulationOutput {
  /** Events of one stream, in time order. */
  log(group: string, stream: string, events: LogEventInput[]): void;
  /** Segment documents; `at` is when they are complete. */
  traces(documents: string[], at: number): void;
  message(queue: string, body: string, attributes: Record<string, SqsMessageAttribute> | undefined, at: number): void;
}

export interface SimulationOptions {
  shop: Shop;
  seed: number;
  region: string;
  accountId: string;
  /** Window start (ms, rounded down to the minute). */
  start: number;
  /** Traffic multiplier (--rate). */
  rate?: number;
  /** API name -> API id, from provisioning. */
  apiIds?: Record<string, string>;
  output: SimulationOutput;
  truth: TruthRecorder;
  metrics: MetricAggregator;
}

/** API Gateway's integration timeout. */
export const INTEGRATION_TIMEOUT_MS = 29_000;

const USER_AGENTS = [
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
  "okhttp/4.12.0",
  "ShopApp/3.14.2 (Android 14)",
];

interface FnState {
  spec: FunctionSpec;
  identity: FunctionIdentity;
  pool: EnvironmentPool;
  profiles: Map<string, BehaviourProfile>;
  aliases: Map<string, AliasSpec>;
  logGroup: string;
  sampleSecond: number;
  rngMinute: number;
  rng: Rng;
}

interface TraceHeader {
  traceId: string;
  sampled: boolean;
  parentId?: string;
}

interface InvokeResult {
  throttled: boolean;
  at: number;
  rec?: InvocationRecord;
}

interface Pending {
  at: number;
  seq: number;
  fn: FnState;
  qualifier?: string;
  type: "RequestResponse" | "Event";
  attempt: number;
  requestId: string;
  trace?: TraceHeader;
  durationFactor?: number;
  forceError?: boolean;
  /** Async: when Lambda accepted the event, and the event itself (for DLQ / destination). */
  enqueuedAt?: number;
  payload?: unknown;
  throttleRetries?: number;
  done?: (r: InvokeResult) => void;
}

interface SqsMessage {
  id: string;
  body: string;
  sentAt: number;
  receiveCount: number;
  poison: boolean;
}

interface QueueState {
  name: string;
  kind: "dlq" | "destination" | "source";
  /** Messages written, by the time they land (for the per-minute depth gauge). */
  pending: number[];
  landed: number;
}

/** A binary min-heap of pending invocations by (time, sequence). */
class EventQueue {
  private heap: Pending[] = [];
  get length(): number {
    return this.heap.length;
  }
  peek(): Pending | undefined {
    return this.heap[0];
  }
  push(p: Pending): void {
    const h = this.heap;
    h.push(p);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }
  pop(): Pending | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Pending, b: Pending): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

const minuteOf = (t: number) => Math.floor(t / 60_000) * 60_000;

/** The running simulation of a shop. */
export class Simulation {
  private readonly fns = new Map<string, FnState>();
  private readonly queue = new EventQueue();
  private readonly queues = new Map<string, QueueState>();
  private readonly buckets = new Map<string, { tokens: number; last: number }>();
  private readonly stageSampling = new Map<string, number>();
  private readonly dimsCache = new Map<string, Dimensions[]>();
  private readonly stageIndex = new Map<string, { api: ApiSpec; stage: StageSpec }>();
  private readonly accessStreams = new Map<string, string>();
  private seq = 0;
  private generatedUntil: number;
  private processedUntil: number;
  private readonly rate: number;
  private readonly start: number;

  constructor(private readonly o: SimulationOptions) {
    this.start = minuteOf(o.start);
    this.generatedUntil = this.start;
    this.processedUntil = this.start;
    this.rate = o.rate ?? 1;
    for (const spec of o.shop.functions) this.fns.set(spec.name, this.fnState(spec));
    for (const q of o.shop.queues) {
      this.queues.set(q.name, { name: q.name, kind: q.kind, pending: [], landed: 0 });
      o.truth.queue(q.name, q.kind);
    }
    this.provisionConcurrency();
  }

  /** Time up to which invocations have been processed. */
  get now(): number {
    return this.processedUntil;
  }

  /** Runs everything that starts before `t`. */
  advanceTo(t: number): void {
    for (;;) {
      this.processBefore(Math.min(t, this.generatedUntil));
      if (this.generatedUntil > t) break;
      if (this.generatedUntil > this.start) this.closeMinute(this.generatedUntil - 60_000);
      if (this.generatedUntil >= t) break;
      this.generateMinute(this.generatedUntil);
      this.generatedUntil += 60_000;
    }
  }

  /** Invocations still queued (retries and redeliveries after the window). */
  pendingCount(): number {
    return this.queue.length;
  }

  // ------------------------------------------------------------ setup

  private fnState(spec: FunctionSpec): FnState {
    const identity: FunctionIdentity = {
      name: spec.name,
      runtime: spec.runtime,
      memoryMb: spec.memoryMb,
      timeoutS: spec.timeoutS,
      logFormat: spec.logFormat,
      region: this.o.region,
      accountId: this.o.accountId,
    };
    const profiles = new Map<string, BehaviourProfile>();
    for (let v = 1; v <= spec.publishedVersions; v++) profiles.set(String(v), applyOverrides(spec.profile, spec.versionOverrides[String(v)]));
    // $LATEST runs the newest code.
    profiles.set("$LATEST", spec.publishedVersions > 0 ? profiles.get(String(spec.publishedVersions))! : spec.profile);
    return {
      spec,
      identity,
      pool: new EnvironmentPool(),
      profiles,
      aliases: new Map(spec.aliases.map((a) => [a.name, a])),
      logGroup: `/aws/lambda/${spec.name}`,
      sampleSecond: -1,
      rngMinute: -1,
      rng: () => 0,
    };
  }

  private provisionConcurrency(): void {
    for (const f of this.fns.values()) {
      for (const alias of f.spec.aliases) {
        if (!alias.provisionedConcurrency) continue;
        const rng = rngFor(this.o.seed, "pc", f.spec.name, alias.name, this.start);
        for (const env of f.pool.provision(this.start, alias.version, alias.provisionedConcurrency, rng)) {
          const rv = runtimeVersion(f.spec.runtime);
          const arn = runtimeVersionArn(f.spec.runtime, this.o.region);
          const message =
            f.spec.logFormat === "JSON"
              ? JSON.stringify({ time: new Date(this.start).toISOString(), type: "platform.initStart", record: { initializationType: "provisioned-concurrency", phase: "init", runtimeVersion: rv, runtimeVersionArn: arn, functionName: f.spec.name, functionVersion: alias.version } })
              : `INIT_START Runtime Version: ${rv}\tRuntime Version ARN: ${arn}`;
          this.o.output.log(f.logGroup, env.stream, [{ timestamp: this.start, message }]);
          this.o.truth.extraLogLines(f.spec.name, alias.version, this.start, 1);
        }
      }
    }
  }

  // ------------------------------------------------------------ the event loop

  private push(p: Omit<Pending, "seq">): void {
    this.queue.push({ ...p, seq: this.seq++ });
  }

  private processBefore(t: number): void {
    for (let next = this.queue.peek(); next && next.at < t; next = this.queue.peek()) {
      this.queue.pop();
      this.invoke(next);
    }
    this.processedUntil = Math.max(this.processedUntil, t);
  }

  private fnRng(f: FnState, t: number): Rng {
    const m = Math.floor(t / 60_000);
    if (f.rngMinute !== m) {
      f.rngMinute = m;
      f.rng = rngFor(this.o.seed, "fn", f.spec.name, m);
    }
    return f.rng;
  }

  /** X-Ray sampling: the first request each second (reservoir), then 5%. */
  private sample(key: string, t: number, rng: Rng, state?: FnState): boolean {
    const second = Math.floor(t / 1000);
    const last = state ? state.sampleSecond : (this.stageSampling.get(key) ?? -1);
    if (second !== last) {
      if (state) state.sampleSecond = second;
      else this.stageSampling.set(key, second);
      return true;
    }
    return rng() < 0.05;
  }

  private invoke(p: Pending): void {
    const f = p.fn;
    const t = p.at;
    const rng = this.fnRng(f, t);
    const name = f.spec.name;
    let version = "$LATEST";
    let alias: AliasSpec | undefined;
    if (p.qualifier && /^\d+$/.test(p.qualifier)) version = p.qualifier;
    else if (p.qualifier && p.qualifier !== "$LATEST") {
      alias = f.aliases.get(p.qualifier);
      if (!alias) throw new Error(`simulate: ${name} has no alias ${p.qualifier}`);
      version = alias.additional && rng() < alias.additional.weight ? alias.additional.version : alias.version;
    }
    const dims = this.lambdaDims(name, alias?.name ?? (p.qualifier && p.qualifier !== "$LATEST" ? p.qualifier : undefined));
    const m = this.o.metrics;
    const busy = f.pool.busy(t);
    if (f.spec.reservedConcurrency !== undefined && busy >= f.spec.reservedConcurrency) {
      for (const d of dims.slice(0, 2)) m.count("AWS/Lambda", "Throttles", d, t);
      this.o.truth.throttle({ name, alias: alias?.name, version: alias ? undefined : version, at: t });
      this.afterInvoke(p, { throttled: true, at: t }, rng);
      return;
    }
    const profile = f.profiles.get(version) ?? f.spec.profile;
    const pcAlias = !!alias?.provisionedConcurrency;
    const pcBefore = pcAlias ? f.pool.provisionedUse(t, version) : undefined;
    const { env, cold } = f.pool.acquire(t, version, rng, profile.idleMinutes as [number, number], { useProvisioned: pcAlias });
    const initMs = cold ? drawInitDuration(rng, profile) : undefined;
    const outcome = drawOutcome(rng, {
      profile,
      memoryMb: f.spec.memoryMb,
      timeoutS: f.spec.timeoutS,
      initDurationMs: initMs,
      billInit: cold && !env.provisioned,
      envMemoryMb: env.maxMemoryUsedMb,
      durationFactor: p.durationFactor,
      forceError: p.forceError,
    });
    const startAt = t + (initMs ?? 0) + (cold ? uniform(rng, 1, 4) : uniform(rng, 0.1, 0.8));
    const endAt = startAt + outcome.durationMs;
    f.pool.release(env, endAt + 1, outcome.maxMemoryUsedMb, outcome.status === "timeout" || outcome.status === "oom");

    let trace: TraceInfo | undefined;
    if (p.trace) {
      trace = { ...p.trace, segmentId: hexString(rng, 16), functionSegmentId: hexString(rng, 16) };
    } else if (f.spec.tracing === "Active") {
      trace = { traceId: newTraceId(rng, t), sampled: this.sample(name, t, rng, f), segmentId: hexString(rng, 16), functionSegmentId: hexString(rng, 16) };
      // Async retries keep the trace of the first attempt.
      if (p.type === "Event") p.trace = { traceId: trace.traceId, sampled: trace.sampled };
    }

    const rec: InvocationRecord = {
      fn: f.identity,
      requestId: p.requestId,
      version,
      alias: alias?.name,
      attempt: p.attempt,
      stream: env.stream,
      cold,
      arrivedAt: t,
      startAt,
      endAt,
      outcome,
      trace,
    };
    const events = lambdaLogEvents(rec);
    this.o.output.log(f.logGroup, env.stream, events);
    if (trace?.sampled) {
      this.o.output.traces(lambdaSegmentDocuments(rec, rng), endAt + 2);
      this.o.truth.trace(trace.traceId);
    }
    this.o.truth.invocation({
      name,
      version,
      alias: alias?.name,
      startAt,
      memoryMb: f.spec.memoryMb,
      outcome,
      cold,
      logLines: events.length,
      traced: !!trace?.sampled,
      attempt: p.attempt,
    });

    const failed = outcome.status !== "success" ? 1 : 0;
    // ExecutedVersion series exist for alias invocations only.
    const all = alias ? [...dims, this.dimsOf(["FunctionName", name], ["Resource", `${name}:${alias.name}`], ["ExecutedVersion", version])] : dims;
    for (const d of all) {
      m.count("AWS/Lambda", "Invocations", d, startAt);
      m.count("AWS/Lambda", "Errors", d, startAt, failed);
      m.sample("AWS/Lambda", "Duration", d, startAt, outcome.durationMs);
      m.max("AWS/Lambda", "ConcurrentExecutions", d, startAt, busy + 1);
    }
    if (pcAlias && pcBefore) {
      const d = dims[1]!;
      if (env.provisioned) {
        m.count("AWS/Lambda", "ProvisionedConcurrencyInvocations", d, startAt);
        m.count("AWS/Lambda", "ProvisionedConcurrencyInvocations", dims[0]!, startAt);
        m.max("AWS/Lambda", "ProvisionedConcurrentExecutions", d, startAt, pcBefore.busy + 1);
        m.max("AWS/Lambda", "ProvisionedConcurrencyUtilization", d, startAt, (pcBefore.busy + 1) / Math.max(1, pcBefore.total));
      } else {
        m.count("AWS/Lambda", "ProvisionedConcurrencySpilloverInvocations", d, startAt);
        m.count("AWS/Lambda", "ProvisionedConcurrencySpilloverInvocations", dims[0]!, startAt);
        m.max("AWS/Lambda", "ProvisionedConcurrencyUtilization", d, startAt, pcBefore.busy / Math.max(1, pcBefore.total));
      }
    }
    if (p.type === "Event" && p.enqueuedAt !== undefined) {
      for (const d of dims.slice(0, 2)) m.sample("AWS/Lambda", "AsyncEventAge", d, startAt, Math.round(startAt - p.enqueuedAt));
    }
    this.afterInvoke(p, { throttled: false, at: t, rec }, rng);
  }

  /** Dimension sets Lambda publishes for an invocation: FunctionName; + Resource; + ExecutedVersion (alias only, added by caller). */
  private lambdaDims(name: string, qualifier: string | undefined): Dimensions[] {
    const key = `${name}:${qualifier ?? ""}`;
    let dims = this.dimsCache.get(key);
    if (!dims) {
      const base: Dimensions = [["FunctionName", name]];
      dims = qualifier ? [base, [["FunctionName", name], ["Resource", `${name}:${qualifier}`]]] : [base];
      this.dimsCache.set(key, dims);
    }
    return dims;
  }

  /** Memoised dimension list (the aggregator caches keys by identity). */
  private dimsOf(...pairs: [string, string][]): Dimensions {
    const key = pairs.map((p) => p.join("=")).join(";");
    let d = this.dimsCache.get(key)?.[0];
    if (!d) {
      d = pairs;
      this.dimsCache.set(key, [d]);
    }
    return d;
  }

  private afterInvoke(p: Pending, r: InvokeResult, rng: Rng): void {
    if (p.type === "Event") this.asyncDone(p, r, rng);
    p.done?.(r);
  }

  private asyncDone(p: Pending, r: InvokeResult, rng: Rng): void {
    const f = p.fn;
    if (r.throttled) {
      // Lambda keeps throttled events and retries them with backoff (up to 6 hours).
      const n = (p.throttleRetries ?? 0) + 1;
      this.push({ ...p, at: r.at + Math.min(60_000, 1000 * 2 ** Math.min(n, 6)) * uniform(rng, 0.5, 1), throttleRetries: n });
      return;
    }
    const rec = r.rec!;
    if (rec.outcome.status === "success") return;
    const maxRetries = f.spec.async?.maxRetries ?? 2;
    if (p.attempt <= maxRetries) {
      const delay = p.attempt === 1 ? uniform(rng, 55_000, 65_000) : uniform(rng, 115_000, 125_000);
      this.push({ ...p, at: rec.endAt + delay, attempt: p.attempt + 1, throttleRetries: 0 });
      return;
    }
    const at = rec.endAt + uniform(rng, 40, 400);
    const response = errorPayload(rec);
    const qualified = functionArn(rec.fn, p.qualifier ?? "$LATEST");
    if (f.spec.async?.deadLetterQueue) {
      const msg = deadLetterMessage(rec.requestId, p.payload ?? {}, String(response.errorMessage ?? ""));
      this.send(f.spec.async.deadLetterQueue, msg.body, msg.attributes, at, true, { name: f.spec.name, version: rec.version, alias: rec.alias, at });
    } else if (f.spec.async?.onFailureQueue) {
      const body = onFailureRecord({ requestId: rec.requestId, functionArn: qualified, attempts: p.attempt, payload: p.payload ?? {}, executedVersion: rec.version, response, at });
      this.send(f.spec.async.onFailureQueue, body, undefined, at, true, { name: f.spec.name, version: rec.version, alias: rec.alias, at });
    } else {
      for (const d of this.lambdaDims(f.spec.name, rec.alias)) this.o.metrics.count("AWS/Lambda", "AsyncEventsDropped", d, at);
    }
  }

  /**
   * A message lands in a queue. `counted`: sent with SendMessage (NumberOfMessagesSent), not moved
   * by a redrive. Messages of consumed source queues are not written: their consumption is simulated
   * (a real message would make an emulator's event source mapping invoke the function again).
   */
  private send(
    queue: string,
    body: string,
    attributes: Record<string, SqsMessageAttribute> | undefined,
    at: number,
    counted: boolean,
    from?: { name: string; version: string; alias?: string; at: number },
  ): void {
    const q = this.queues.get(queue);
    if (q?.kind !== "source") {
      this.o.output.message(queue, body, attributes, at);
      q?.pending.push(at);
    }
    this.o.truth.message(queue, from);
    if (counted) this.o.metrics.count("AWS/SQS", "NumberOfMessagesSent", this.dimsOf(["QueueName", queue]), at);
  }

  private closeMinute(minute: number): void {
    const end = minute + 60_000;
    for (const q of this.queues.values()) {
      if (q.pending.length) {
        const still: number[] = [];
        for (const at of q.pending) if (at < end) q.landed++;
        else still.push(at);
        q.pending = still;
      }
      const visible = q.kind === "source" ? 0 : this.o.truth.depth(q.name) - q.pending.length;
      this.o.metrics.max("AWS/SQS", "ApproximateNumberOfMessagesVisible", this.dimsOf(["QueueName", q.name]), minute, visible);
    }
  }

  // ------------------------------------------------------------ traffic generation

  private generateMinute(minute: number): void {
    const factor = trafficFactor(minute + 30_000) * this.rate;
    const index = Math.floor(minute / 60_000);
    for (const api of this.o.shop.apis) for (const stage of api.stages) this.generateStage(api, stage, minute, index, factor);
    for (const f of this.fns.values()) {
      const t = f.spec.trigger;
      const rng = rngFor(this.o.seed, "gen", f.spec.name, index);
      if (t.kind === "sqs") this.generateSqs(f, t, minute, rng, factor);
      else if (t.kind === "sns") this.generateSns(f, t, minute, rng, factor);
      else if (t.kind === "s3") this.generateS3(f, t, minute, rng, factor);
      else if (t.kind === "direct") {
        for (const at of this.arrivals(rng, minute, t.invocationsPerMinute * factor, false)) {
          this.push({ at, fn: f, type: "RequestResponse", attempt: 1, requestId: newRequestId(rng) });
        }
      }
    }
    for (const rule of this.o.shop.rules) this.generateRule(rule, minute, index);
  }

  /** Arrival times in a minute: Poisson with an optional burst (many requests within ~400 ms). */
  private arrivals(rng: Rng, minute: number, mean: number, bursts: boolean): number[] {
    const out: number[] = [];
    const n = poisson(rng, mean);
    for (let i = 0; i < n; i++) out.push(minute + rng() * 60_000);
    if (bursts && mean > 0 && rng() < burstProbability(minute) * Math.min(1, mean)) {
      const t0 = minute + rng() * 59_000;
      const k = intBetween(rng, 6, 20);
      for (let i = 0; i < k; i++) out.push(t0 + rng() * 400);
    }
    return out.sort((a, b) => a - b);
  }

  private generateSqs(f: FnState, t: Extract<FunctionSpec["trigger"], { kind: "sqs" }>, minute: number, rng: Rng, factor: number): void {
    const byPoll = new Map<number, SqsMessage[]>();
    for (const at of this.arrivals(rng, minute, t.messagesPerMinute * factor, true)) {
      const id = newRequestId(rng);
      const body = JSON.stringify({ orderId: `ord_${hexString(rng, 12)}`, customerId: `cus_${hexString(rng, 8)}`, total: Math.round(uniform(rng, 5, 400) * 100) / 100, currency: "USD", placedAt: new Date(at).toISOString() });
      this.send(t.queue, body, undefined, at, true);
      // The ESM poller picks messages up within about a second; one batch per poll.
      const poll = Math.ceil((at + 20) / 1000) * 1000;
      const list = byPoll.get(poll) ?? [];
      list.push({ id, body, sentAt: at, receiveCount: 0, poison: rng() < t.poisonRate });
      byPoll.set(poll, list);
    }
    for (const [poll, messages] of byPoll) {
      for (let i = 0; i < messages.length; i += t.batchSize) this.pushBatch(f, t, messages.slice(i, i + t.batchSize), poll + uniform(rng, 5, 60), rng);
    }
  }

  private pushBatch(f: FnState, t: Extract<FunctionSpec["trigger"], { kind: "sqs" }>, batch: SqsMessage[], at: number, rng: Rng): void {
    const queueSpec = this.o.shop.queues.find((q) => q.name === t.queue);
    const visibilityMs = (queueSpec?.visibilityTimeoutS ?? 30) * 1000;
    const maxReceive = queueSpec?.redrive?.maxReceiveCount ?? 3;
    const dlq = queueSpec?.redrive?.deadLetterQueue;
    this.push({
      at,
      fn: f,
      type: "RequestResponse",
      attempt: 1,
      requestId: newRequestId(rng),
      done: (r) => {
        const frng = this.fnRng(f, r.at);
        if (r.throttled) {
          this.pushBatch(f, t, batch, r.at + uniform(frng, 1000, 3000), frng);
          return;
        }
        const rec = r.rec!;
        const dims = this.dimsOf(["QueueName", t.queue]);
        this.o.metrics.count("AWS/SQS", "NumberOfMessagesReceived", dims, rec.startAt, batch.length);
        for (const msg of batch) msg.receiveCount++;
        const profile = f.profiles.get(rec.version) ?? f.spec.profile;
        const failed = rec.outcome.status !== "success" ? batch : batch.filter((msg) => msg.poison || frng() < profile.batchItemFailureRate);
        this.o.metrics.count("AWS/SQS", "NumberOfMessagesDeleted", dims, rec.endAt, batch.length - failed.length);
        const retry: SqsMessage[] = [];
        for (const msg of failed) {
          if (msg.receiveCount >= maxReceive && dlq) this.send(dlq, msg.body, undefined, rec.endAt + visibilityMs, false, { name: f.spec.name, version: rec.version, alias: rec.alias, at: rec.endAt + visibilityMs });
          else retry.push(msg);
        }
        if (retry.length) this.pushBatch(f, t, retry, rec.endAt + visibilityMs + uniform(frng, 5, 500), frng);
      },
    });
  }

  private generateSns(f: FnState, t: Extract<FunctionSpec["trigger"], { kind: "sns" }>, minute: number, rng: Rng, factor: number): void {
    const dims = this.dimsOf(["TopicName", t.topic]);
    const topicArn = `arn:aws:sns:${this.o.region}:${this.o.accountId}:${t.topic}`;
    for (const at of this.arrivals(rng, minute, t.messagesPerMinute * factor, true)) {
      const messageId = newRequestId(rng);
      const message = JSON.stringify({ type: "OrderPlaced", orderId: `ord_${hexString(rng, 12)}`, email: `customer${intBetween(rng, 1, 99999)}@example.com` });
      this.o.metrics.count("AWS/SNS", "NumberOfMessagesPublished", dims, at);
      this.o.metrics.sample("AWS/SNS", "PublishSize", dims, at, message.length, "Bytes");
      const deliverAt = at + uniform(rng, 20, 150);
      if (rng() < 0.0005) {
        this.o.metrics.count("AWS/SNS", "NumberOfNotificationsFailed", dims, deliverAt);
        continue;
      }
      this.o.metrics.count("AWS/SNS", "NumberOfNotificationsDelivered", dims, deliverAt);
      const payload = {
        Records: [
          {
            EventSource: "aws:sns",
            EventVersion: "1.0",
            EventSubscriptionArn: `${topicArn}:${hexString(rng, 8)}-${hexString(rng, 4)}-${hexString(rng, 4)}-${hexString(rng, 4)}-${hexString(rng, 12)}`,
            Sns: { Type: "Notification", MessageId: messageId, TopicArn: topicArn, Subject: null, Message: message, Timestamp: new Date(at).toISOString(), SignatureVersion: "1", MessageAttributes: {} },
          },
        ],
      };
      this.pushAsync(f, deliverAt, payload, rng, rng() < t.poisonRate);
    }
  }

  private generateS3(f: FnState, t: Extract<FunctionSpec["trigger"], { kind: "s3" }>, minute: number, rng: Rng, factor: number): void {
    for (const at of this.arrivals(rng, minute, t.eventsPerMinute * factor, true)) {
      const key = `uploads/${hexString(rng, 8)}/${hexString(rng, 12)}.jpg`;
      const payload = {
        Records: [
          {
            eventVersion: "2.1",
            eventSource: "aws:s3",
            awsRegion: this.o.region,
            eventTime: new Date(at).toISOString(),
            eventName: "ObjectCreated:Put",
            s3: { s3SchemaVersion: "1.0", bucket: { name: t.bucket, arn: `arn:aws:s3:::${t.bucket}` }, object: { key, size: intBetween(rng, 200_000, 9_000_000), eTag: hexString(rng, 32) } },
          },
        ],
      };
      this.pushAsync(f, at + uniform(rng, 50, 900), payload, rng, rng() < t.poisonRate);
    }
  }

  private generateRule(rule: RuleSpec, minute: number, index: number): void {
    const minuteOfDay = Math.floor((minute % 86_400_000) / 60_000);
    if ((((minuteOfDay - rule.offsetMinutes) % rule.periodMinutes) + rule.periodMinutes) % rule.periodMinutes !== 0) return;
    const f = this.fns.get(rule.fn);
    if (!f) return;
    const rng = rngFor(this.o.seed, "rule", rule.name, index);
    const dims = this.dimsOf(["RuleName", rule.name]);
    const at = minute + uniform(rng, 100, 900);
    this.o.metrics.count("AWS/Events", "TriggeredRules", dims, at);
    this.o.metrics.count("AWS/Events", "Invocations", dims, at);
    if (rng() < 0.01) {
      this.o.metrics.count("AWS/Events", "FailedInvocations", dims, at);
      return;
    }
    this.pushAsync(f, at + uniform(rng, 20, 200), rule.input, rng, false, rule.durationFactor);
  }

  private pushAsync(f: FnState, at: number, payload: unknown, rng: Rng, poison: boolean, durationFactor?: number): void {
    for (const d of this.lambdaDims(f.spec.name, undefined)) this.o.metrics.count("AWS/Lambda", "AsyncEventsReceived", d, at);
    this.push({ at: at + uniform(rng, 10, 120), fn: f, type: "Event", attempt: 1, requestId: newRequestId(rng), enqueuedAt: at, payload, forceError: poison, durationFactor });
  }

  // ------------------------------------------------------------ API Gateway

  private generateStage(api: ApiSpec, stage: StageSpec, minute: number, index: number, factor: number): void {
    const rng = rngFor(this.o.seed, "api", api.name, stage.name, index);
    const arrivals: { at: number; route: RouteSpec }[] = [];
    for (const route of api.routes) {
      // Bursts (flash sales) hit the production stage, not the developers' stage.
      for (const at of this.arrivals(rng, minute, route.ratePerMinute * stage.trafficShare * factor, stage.trafficShare >= 0.5)) arrivals.push({ at, route });
    }
    arrivals.sort((a, b) => a.at - b.at);
    const key = `${api.name}/${stage.name}`;
    const bucket = this.buckets.get(key) ?? { tokens: stage.throttle.burst, last: minute };
    this.buckets.set(key, bucket);
    for (const { at, route } of arrivals) {
      bucket.tokens = Math.min(stage.throttle.burst, bucket.tokens + ((at - bucket.last) * stage.throttle.rate) / 1000);
      bucket.last = at;
      const allowed = bucket.tokens >= 1;
      if (allowed) bucket.tokens -= 1;
      this.startRequest(api, stage, route, at, rng, allowed);
    }
  }

  private startRequest(api: ApiSpec, stage: StageSpec, route: RouteSpec, at: number, rng: Rng, allowed: boolean): void {
    const apiId = this.o.apiIds?.[api.name] ?? hexString(rngFor(this.o.seed, "apiid", api.name), 10);
    const path = route.path.replace(/\{(\w+)\}/g, (_, p: string) => (p === "sku" ? `SKU-${intBetween(rng, 10000, 99999)}` : String(intBetween(rng, 1000, 99999))));
    const req: ApiRequestRecord = {
      apiName: api.name,
      apiId,
      apiType: api.type,
      stage: stage.name,
      region: this.o.region,
      accountId: this.o.accountId,
      requestId: api.type === "REST" ? newRequestId(rng) : base64Id(rng, 15),
      extendedRequestId: base64Id(rng, 15),
      ip: `${intBetween(rng, 11, 223)}.${intBetween(rng, 0, 255)}.${intBetween(rng, 0, 255)}.${intBetween(rng, 1, 254)}`,
      userAgent: USER_AGENTS[Math.floor(rng() * USER_AGENTS.length)]!,
      method: route.method,
      resourcePath: route.path,
      path,
      receivedAt: at,
      completedAt: at,
      status: 0,
      responseLength: 0,
      canary: !!stage.canaryPercent && rng() < stage.canaryPercent / 100,
    };
    if (stage.tracing) req.trace = { traceId: newTraceId(rng, at), segmentId: hexString(rng, 16), sampled: this.sample(key(api, stage), at, rng) };
    if (!allowed) return this.finishRequest(req, 429, at + uniform(rng, 0.5, 2));
    if (route.invalidRate && rng() < route.invalidRate) return this.finishRequest(req, 400, at + uniform(rng, 2, 6));
    const integrate = (t: number) => this.integrate(api, stage, route, req, t, rng);
    const auth = route.authorized ? api.authorizer : undefined;
    const authFn = auth ? this.fns.get(auth.fn) : undefined;
    if (!auth || !authFn) return integrate(at + uniform(rng, 1, 3));
    const deny = rng() < auth.denyRate;
    if (rng() >= auth.cacheMissRate) {
      // Cached policy: no authorizer invocation.
      if (deny) return this.finishRequest(req, 403, at + uniform(rng, 1, 4));
      return integrate(at + uniform(rng, 1, 3));
    }
    const subsegmentId = req.trace ? hexString(rng, 16) : undefined;
    const invokeAt = at + uniform(rng, 1, 3);
    this.push({
      at: invokeAt,
      fn: authFn,
      type: "RequestResponse",
      attempt: 1,
      requestId: newRequestId(rng),
      trace: req.trace ? { traceId: req.trace.traceId, sampled: req.trace.sampled, parentId: subsegmentId } : undefined,
      done: (r) => {
        const endedAt = r.rec ? r.rec.endAt + uniform(rng, 0.5, 2) : r.at + 2;
        req.authorizer = { requestId: r.rec?.requestId, status: 0, latencyMs: endedAt - invokeAt, functionName: authFn.spec.name, startedAt: invokeAt, endedAt, subsegmentId };
        if (!r.rec || r.rec.outcome.status !== "success") {
          req.authorizer.status = 500;
          return this.finishRequest(req, 500, endedAt + uniform(rng, 0.5, 2));
        }
        req.authorizer.status = deny ? 403 : 200;
        if (deny) return this.finishRequest(req, 403, endedAt + uniform(rng, 0.5, 2));
        integrate(endedAt);
      },
    });
  }

  private integrate(api: ApiSpec, stage: StageSpec, route: RouteSpec, req: ApiRequestRecord, at: number, rng: Rng): void {
    const cached = stage.cacheEnabled && route.cached;
    if (cached && rng() < stage.cacheHitRate) {
      req.cacheHit = true;
      req.responseLength = Math.round(uniform(rng, 800, 4000));
      return this.finishRequest(req, 200, at + uniform(rng, 1, 6));
    }
    if (cached) req.cacheHit = false;
    const fn = this.fns.get(route.fn)!;
    const subsegmentId = req.trace ? hexString(rng, 16) : undefined;
    this.push({
      at,
      fn,
      qualifier: stage.target === "alias" ? route.alias : undefined,
      type: "RequestResponse",
      attempt: 1,
      requestId: newRequestId(rng),
      trace: req.trace ? { traceId: req.trace.traceId, sampled: req.trace.sampled, parentId: subsegmentId } : undefined,
      done: (r) => {
        if (r.throttled) {
          const endedAt = at + uniform(rng, 2, 8);
          req.integration = { requestId: "-", status: "429", latencyMs: endedAt - at, functionName: fn.spec.name, startedAt: at, endedAt, subsegmentId, throttled: true };
          req.errorMessage = "Rate Exceeded.";
          return this.finishRequest(req, 500, endedAt + uniform(rng, 0.5, 2));
        }
        const rec = r.rec!;
        const endedAt = rec.endAt + uniform(rng, 1, 5);
        const latency = endedAt - at;
        req.integration = { requestId: rec.requestId, status: "200", latencyMs: latency, functionName: fn.spec.name, startedAt: at, endedAt, subsegmentId, throttled: false };
        if (latency > INTEGRATION_TIMEOUT_MS) {
          req.integration.status = "-";
          req.integration.latencyMs = INTEGRATION_TIMEOUT_MS;
          req.errorMessage = "Endpoint request timed out";
          return this.finishRequest(req, 504, at + INTEGRATION_TIMEOUT_MS + uniform(rng, 1, 5));
        }
        if (rec.outcome.status !== "success") {
          req.errorMessage = "Internal server error";
          return this.finishRequest(req, 502, endedAt + uniform(rng, 0.5, 2));
        }
        req.responseLength = rec.outcome.responseBytes;
        this.finishRequest(req, rec.outcome.statusCode, endedAt + uniform(rng, 0.5, 3));
      },
    });
  }

  private stageOf(req: ApiRequestRecord): { api: ApiSpec; stage: StageSpec } {
    const k = `${req.apiName}/${req.stage}`;
    let v = this.stageIndex.get(k);
    if (!v) {
      const api = this.o.shop.apis.find((a) => a.name === req.apiName)!;
      v = { api, stage: api.stages.find((s) => s.name === req.stage)! };
      this.stageIndex.set(k, v);
    }
    return v;
  }

  /** API Gateway writes access logs to a few streams; one per stage and day here. */
  private accessStream(api: ApiSpec, stage: StageSpec, at: number): string {
    const day = Math.floor(at / 86_400_000);
    const k = `${api.name}/${stage.name}/${day}`;
    let stream = this.accessStreams.get(k);
    if (!stream) {
      stream = hexString(rngFor(this.o.seed, "access", api.name, stage.name, day), 32);
      this.accessStreams.set(k, stream);
    }
    return stream;
  }

  private finishRequest(req: ApiRequestRecord, status: number, completedAt: number): void {
    req.status = status;
    req.completedAt = completedAt;
    // Responses API Gateway generates itself carry its standard error bodies.
    if (!req.responseLength) req.responseLength = (GATEWAY_ERROR_BODIES[status] ?? "").length;
    const { api, stage } = this.stageOf(req);
    this.o.output.log(stage.accessLogGroup, this.accessStream(api, stage, completedAt), [{ timestamp: Math.floor(completedAt), message: accessLogLine(req) }]);
    const m = this.o.metrics;
    const at = req.receivedAt;
    const latency = Math.max(1, Math.round(completedAt - req.receivedAt));
    const c4 = status >= 400 && status < 500 ? 1 : 0;
    const c5 = status >= 500 ? 1 : 0;
    if (api.type === "REST") {
      const d = this.dimsOf(["ApiName", api.name], ["Stage", stage.name]);
      m.count("AWS/ApiGateway", "Count", d, at);
      m.count("AWS/ApiGateway", "4XXError", d, at, c4);
      m.count("AWS/ApiGateway", "5XXError", d, at, c5);
      m.sample("AWS/ApiGateway", "Latency", d, at, latency);
      if (req.integration && !req.integration.throttled) m.sample("AWS/ApiGateway", "IntegrationLatency", d, at, Math.max(1, Math.round(req.integration.latencyMs)));
      if (req.cacheHit === true) m.count("AWS/ApiGateway", "CacheHitCount", d, at);
      if (req.cacheHit === false) m.count("AWS/ApiGateway", "CacheMissCount", d, at);
    } else {
      const d = this.dimsOf(["ApiId", req.apiId], ["Stage", stage.name]);
      m.count("AWS/ApiGateway", "Count", d, at);
      m.count("AWS/ApiGateway", "4xx", d, at, c4);
      m.count("AWS/ApiGateway", "5xx", d, at, c5);
      m.sample("AWS/ApiGateway", "Latency", d, at, latency);
      if (req.integration && !req.integration.throttled) m.sample("AWS/ApiGateway", "IntegrationLatency", d, at, Math.max(1, Math.round(req.integration.latencyMs)));
      m.count("AWS/ApiGateway", "DataProcessed", d, at, req.responseLength + 300, "Bytes");
    }
    const seg = apiGatewaySegmentDocument(req);
    if (seg) {
      this.o.output.traces([seg], completedAt + 1);
      this.o.truth.trace(req.trace!.traceId);
    }
    this.o.truth.request({ at, api: api.name, apiType: api.type, stage: stage.name, status, cacheHit: req.cacheHit, canary: req.canary });
  }
}

const key = (api: ApiSpec, stage: StageSpec) => `${api.name}/${stage.name}`;

