/**
 * The pure per-invocation outcome model and the execution-environment pool. No clock
 * and no I/O: time comes in as a parameter, randomness from a seeded stream.
 */
import { hexString, lognormal, pickWeighted, uniform, type Rng } from "./rng.ts";
import type { BehaviourProfile, DownstreamSpec, ErrorSpec } from "./profile.ts";

export type InvocationStatus = "success" | "error" | "timeout" | "oom";

/** The error type truth and the Errors metric use for timeouts and out-of-memory kills. */
export const TIMEOUT_ERROR_TYPE = "Sandbox.Timedout";
export const OOM_ERROR_TYPE = "Runtime.OutOfMemory";

export interface DownstreamCall {
  spec: DownstreamSpec;
  /** Offset from the invocation start and duration, ms. */
  offsetMs: number;
  durationMs: number;
  failed: boolean;
}

export interface InvocationOutcome {
  status: InvocationStatus;
  /** As printed on the REPORT line (2 decimals). */
  durationMs: number;
  /** Present on cold starts (2 decimals). */
  initDurationMs?: number;
  billedMs: number;
  maxMemoryUsedMb: number;
  /** Error type as the runtime reports it (TypeError, ValueError, Sandbox.Timedout, Runtime.OutOfMemory). */
  errorType?: string;
  errorMessage?: string;
  /** The proxy-integration status code of a successful invocation. */
  statusCode: number;
  responseBytes: number;
  appLogLines: number;
  downstream: DownstreamCall[];
}

export interface OutcomeInput {
  profile: BehaviourProfile;
  memoryMb: number;
  timeoutS: number;
  /** Init Duration to report (cold start), already drawn by the pool. */
  initDurationMs?: number;
  /** Bill the init phase (on-demand cold starts since 1 Aug 2025; never provisioned concurrency). */
  billInit: boolean;
  /** The environment's high-water mark of memory so far. */
  envMemoryMb: number;
  durationFactor?: number;
  /** A poison event: the invocation fails with the profile's first error type. */
  forceError?: boolean;
}

/** Rounds to the 2 decimals Lambda prints. */
export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Billed Duration: duration (plus init when billed) rounded up to the next ms, from the printed values. */
export function billedDurationMs(durationMs: number, initDurationMs: number | undefined, billInit: boolean): number {
  const hundredths = Math.round(durationMs * 100) + (billInit && initDurationMs !== undefined ? Math.round(initDurationMs * 100) : 0);
  return Math.max(1, Math.ceil(hundredths / 100));
}

/** GB-seconds of an invocation: billed ms / 1000 x memory MB / 1024. */
export function gbSeconds(billedMs: number, memoryMb: number): number {
  return (billedMs * memoryMb) / 1_024_000;
}

/** Draws the Init Duration of a cold start. */
export function drawInitDuration(rng: Rng, profile: BehaviourProfile): number {
  return round2(Math.max(1, lognormal(rng, profile.initMs, 0.25)));
}

/** Draws one invocation's outcome. */
export function drawOutcome(rng: Rng, input: OutcomeInput): InvocationOutcome {
  const { profile } = input;
  const timeoutMs = input.timeoutS * 1000;
  const factor = input.durationFactor ?? 1;
  let duration = lognormal(rng, profile.durationMs * factor, profile.durationSigma);
  if (profile.tail && rng() < profile.tail.probability) duration = uniform(rng, profile.tail.minMs, profile.tail.maxMs);
  duration = Math.max(0.8 + rng(), duration);

  let status: InvocationStatus = "success";
  let error: ErrorSpec | undefined;
  const roll = rng();
  if (duration >= timeoutMs || roll < profile.timeoutRate) status = "timeout";
  else if (roll < profile.timeoutRate + profile.oomRate) status = "oom";
  else if (input.forceError || roll < profile.timeoutRate + profile.oomRate + profile.errorRate) status = "error";

  let memory = Math.max(input.envMemoryMb, Math.round(uniform(rng, profile.memoryUsedMb[0], profile.memoryUsedMb[1])));
  memory = Math.min(memory, input.memoryMb);
  let errorType: string | undefined;
  let errorMessage: string | undefined;
  if (status === "timeout") {
    duration = timeoutMs;
    errorType = TIMEOUT_ERROR_TYPE;
    errorMessage = `Task timed out after ${input.timeoutS.toFixed(2)} seconds`;
  } else if (status === "oom") {
    duration = duration * uniform(rng, 0.4, 0.95);
    memory = input.memoryMb;
    errorType = OOM_ERROR_TYPE;
    errorMessage = "Runtime exited with error: signal: killed";
  } else if (status === "error") {
    error = profile.errors.length === 0 ? { type: "Error", message: "Unhandled error", weight: 1 } : input.forceError ? profile.errors[0]! : pickWeighted(rng, profile.errors);
    duration = duration * uniform(rng, 0.5, 1);
    errorType = error.type;
    errorMessage = error.message;
  }
  const durationMs = round2(Math.max(0.8, duration));
  const statusCode = status === "success" ? pickWeighted(rng, profile.statusCodes).code : 502;
  const appLogLines = Math.floor(profile.appLogLines + rng());

  const downstream: DownstreamCall[] = [];
  let offset = Math.min(durationMs * 0.05, 2);
  for (const spec of profile.downstream) {
    if (rng() >= spec.probability) continue;
    const failed = status === "error" && error?.downstream === spec.name;
    const d = Math.max(0.5, durationMs * spec.share * uniform(rng, 0.7, 1.1));
    if (offset >= durationMs) break;
    const callDuration = Math.min(d, durationMs - offset);
    downstream.push({ spec, offsetMs: offset, durationMs: callDuration, failed });
    offset += callDuration + uniform(rng, 0.1, 1.5);
    if (failed) break;
  }

  return {
    status,
    durationMs,
    initDurationMs: input.initDurationMs,
    billedMs: billedDurationMs(durationMs, input.initDurationMs, input.billInit),
    maxMemoryUsedMb: memory,
    errorType,
    errorMessage,
    statusCode,
    responseBytes: status === "success" ? Math.round(profile.responseBytes * uniform(rng, 0.6, 1.4)) : 0,
    appLogLines,
    downstream,
  };
}

// ---------------------------------------------------------------- environments

export interface ExecutionEnvironment {
  id: number;
  version: string;
  /** Log stream: YYYY/MM/DD/[version]<32 hex>. */
  stream: string;
  createdAt: number;
  /** Busy until this time (ms). */
  busyUntil: number;
  lastUsedAt: number;
  idleLimitMs: number;
  /** Recycled by Lambda after this time regardless of use. */
  retireAt: number;
  maxMemoryUsedMb: number;
  provisioned: boolean;
  /** Destroyed (timeout / out-of-memory): never reused. */
  dead: boolean;
}

/** Log stream name Lambda gives an execution environment. */
export function logStreamName(createdAtMs: number, version: string, hex32: string): string {
  const d = new Date(createdAtMs);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/[${version}]${hex32}`;
}

export interface Acquired {
  env: ExecutionEnvironment;
  cold: boolean;
}

/** The execution environments of one function (all versions): reuse, scale-out, idle expiry, provisioned concurrency. */
export class EnvironmentPool {
  private envs: ExecutionEnvironment[] = [];
  private nextId = 1;

  /** Environments busy at time t (the function's concurrency). */
  busy(t: number): number {
    let n = 0;
    for (const e of this.envs) if (e.busyUntil > t) n++;
    return n;
  }

  /** Provisioned environments of a version busy at t, and their total. */
  provisionedUse(t: number, version: string): { busy: number; total: number } {
    let busy = 0;
    let total = 0;
    for (const e of this.envs) {
      if (!e.provisioned || e.version !== version) continue;
      total++;
      if (e.busyUntil > t) busy++;
    }
    return { busy, total };
  }

  /** Allocates provisioned environments (initialised ahead of invocations); returns the new ones. */
  provision(t: number, version: string, count: number, rng: Rng): ExecutionEnvironment[] {
    const have = this.envs.filter((e) => e.provisioned && e.version === version).length;
    const added: ExecutionEnvironment[] = [];
    for (let i = have; i < count; i++) {
      const env = this.create(t, version, rng, [5, 15], true);
      added.push(env);
    }
    return added;
  }

  /** A warm free environment of the version (provisioned first when allowed), or a new cold one. */
  acquire(t: number, version: string, rng: Rng, idleMinutes: [number, number], options: { useProvisioned: boolean }): Acquired {
    this.expire(t);
    let best: ExecutionEnvironment | undefined;
    for (const e of this.envs) {
      if (e.dead || e.version !== version || e.busyUntil > t) continue;
      if (e.provisioned && !options.useProvisioned) continue;
      // Provisioned first, then the most recently used (Lambda favours warm, recently used environments).
      if (!best || (e.provisioned && !best.provisioned) || (e.provisioned === best.provisioned && e.lastUsedAt > best.lastUsedAt)) best = e;
    }
    const acquired = best ? { env: best, cold: false } : { env: this.create(t, version, rng, idleMinutes, false), cold: true };
    // Busy until released.
    acquired.env.busyUntil = Number.POSITIVE_INFINITY;
    return acquired;
  }

  /** Marks an environment used until `until`; `kill` destroys it afterwards (timeout, OOM). */
  release(env: ExecutionEnvironment, until: number, memoryMb: number, kill: boolean): void {
    env.busyUntil = until;
    env.lastUsedAt = until;
    env.maxMemoryUsedMb = Math.max(env.maxMemoryUsedMb, memoryMb);
    if (kill && !env.provisioned) env.dead = true;
    if (kill && env.provisioned) env.maxMemoryUsedMb = 0;
  }

  size(): number {
    return this.envs.length;
  }

  private create(t: number, version: string, rng: Rng, idleMinutes: [number, number], provisioned: boolean): ExecutionEnvironment {
    const env: ExecutionEnvironment = {
      id: this.nextId++,
      version,
      stream: logStreamName(t, version, hexString(rng, 32)),
      createdAt: t,
      busyUntil: t,
      lastUsedAt: t,
      idleLimitMs: uniform(rng, idleMinutes[0], idleMinutes[1]) * 60_000,
      retireAt: provisioned ? Number.POSITIVE_INFINITY : t + uniform(rng, 90, 150) * 60_000,
      maxMemoryUsedMb: 0,
      provisioned,
      dead: false,
    };
    this.envs.push(env);
    return env;
  }

  private expire(t: number): void {
    let removed = false;
    for (const e of this.envs) {
      if (!e.provisioned && !e.dead && e.busyUntil <= t && (t - e.lastUsedAt > e.idleLimitMs || t > e.retireAt)) e.dead = true;
      if (e.dead && e.busyUntil <= t) removed = true;
    }
    if (removed) this.envs = this.envs.filter((e) => !e.dead || e.busyUntil > t);
  }
}

// ---------------------------------------------------------------- traffic

/** Traffic multiplier at time t: diurnal curve (peak 15:00 UTC, trough 03:00) x weekend dip; mean ~1 on weekdays. */
export function trafficFactor(t: number): number {
  const d = new Date(t);
  const hour = d.getUTCHours() + d.getUTCMinutes() / 60;
  const diurnal = 0.35 + 1.3 * ((1 + Math.cos((2 * Math.PI * (hour - 15)) / 24)) / 2);
  const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6 ? 0.8 : 1;
  return diurnal * weekend;
}

/** Probability of a traffic burst (flash sale, bulk upload) in a minute at time t for one source. */
export function burstProbability(t: number): number {
  const f = trafficFactor(t);
  return 0.002 * f * f;
}
