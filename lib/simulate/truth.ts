/**
 * Ground truth: exact counts of everything the simulator wrote, for tests that compare
 * collected data against it. The JSON shape (`--truth FILE`) is a stable contract:
 *
 * {
 *   "seed": number, "generatedAt": ISO, "window": { "start": ISO, "end": ISO },
 *   "region": string, "accountId": string,
 *   "functions": [ { "name", "qualifier", "invocations", "errors", "errorsByType": { type: n },
 *                    "throttles", "timeouts", "coldStarts", "oomKills", "billedMs", "gbSeconds",
 *                    "durationMsSum", "initMsSum", "p50Ms", "p90Ms", "p99Ms",
 *                    "logLines", "reportLines", "tracedInvocations", "dlqMessages", "destinationMessages" } ],
 *   "minutes":   [ { "minute": ISO, "name", "qualifier", ...the same counters and percentiles } ],
 *   "stages":    [ { "api", "apiType": "REST"|"HTTP", "stage", "requests", "status4xx", "status5xx",
 *                    "byStatus": { "403": n, ... }, "cacheHits", "cacheMisses", "canaryRequests" } ],
 *   "stageMinutes": [ { "minute": ISO, ...the same stage fields } ],
 *   "queues":    [ { "queue", "kind": "dlq"|"destination"|"source", "messages", "depth" } ],
 *   "traces": n, "asyncRetries": n
 * }
 *
 * Semantics:
 * - Rows per function: qualifier "$ALL" (every invocation), one per executed version ("$LATEST",
 *   "7", "8") and one per alias the invocation came through ("live", "prod").
 * - invocations = attempts that ran = REPORT lines (async retries count once per attempt, as the
 *   Invocations metric does). Throttled attempts are not invocations and write no logs; they count in
 *   "throttles" of $ALL, of the alias row when invoked through an alias, and of the version row only
 *   when the function was invoked unqualified or by version (CloudWatch has no ExecutedVersion for them).
 * - errors include timeouts and out-of-memory kills (as the Errors metric does); errorsByType keys are
 *   the runtime's error type, "Sandbox.Timedout" for timeouts and "Runtime.OutOfMemory" for OOM kills.
 * - An invocation belongs to the minute of its START line; a throttle to the minute it happened.
 * - billedMs sums Billed Duration (init included on on-demand cold starts); gbSeconds =
 *   sum(billedMs x memoryMB) / 1,024,000; durationMsSum / initMsSum sum the printed Duration /
 *   Init Duration values. Percentiles are nearest-rank over the printed Durations of the row.
 * - logLines counts every event in /aws/lambda/<fn> belonging to the row (INIT_START, START, app
 *   lines, errors, END, REPORT, or the JSON platform events); provisioned-concurrency environments'
 *   INIT_START lines count in the $ALL and version rows only. reportLines counts REPORT lines (or
 *   platform.report events); tracedInvocations counts REPORT lines with "Sampled: true".
 * - dlqMessages / destinationMessages: messages the row's failed events sent to the function's
 *   dead-letter queue (async DLQ, or the event source queue's redrive) / on-failure destination, in
 *   the minute the message was sent.
 * - stages count finished requests by API, stage and final status; canary requests are included
 *   in the stage's totals. stageMinutes: the same per minute the request was received (the minute
 *   of its Count datum). queues: messages written during the run; depth = messages visible at the
 *   end (the queue's depth before the run plus messages written; sources are consumed: depth 0).
 * - traces = distinct trace ids with at least one segment written; asyncRetries = attempts >= 2.
 */
import fs from "node:fs";
import path from "node:path";
import type { InvocationOutcome } from "./model.ts";

export interface TruthCounters {
  invocations: number;
  errors: number;
  errorsByType: Record<string, number>;
  throttles: number;
  timeouts: number;
  coldStarts: number;
  oomKills: number;
  billedMs: number;
  gbSeconds: number;
  durationMsSum: number;
  initMsSum: number;
  logLines: number;
  reportLines: number;
  tracedInvocations: number;
  dlqMessages: number;
  destinationMessages: number;
}

export interface TruthFunctionRow extends TruthCounters {
  name: string;
  qualifier: string;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
}

export interface TruthMinuteRow extends TruthCounters {
  minute: string;
  name: string;
  qualifier: string;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
}

export interface TruthStageRow {
  api: string;
  apiType: "REST" | "HTTP";
  stage: string;
  requests: number;
  status4xx: number;
  status5xx: number;
  byStatus: Record<string, number>;
  cacheHits: number;
  cacheMisses: number;
  canaryRequests: number;
}

export interface TruthStageMinuteRow extends TruthStageRow {
  minute: string;
}

export interface TruthQueueRow {
  queue: string;
  kind: "dlq" | "destination" | "source";
  messages: number;
  depth: number;
}

export interface GroundTruth {
  seed: number;
  generatedAt: string;
  window: { start: string; end: string };
  region: string;
  accountId: string;
  functions: TruthFunctionRow[];
  minutes: TruthMinuteRow[];
  stages: TruthStageRow[];
  stageMinutes: TruthStageMinuteRow[];
  queues: TruthQueueRow[];
  traces: number;
  asyncRetries: number;
}

export const ALL_QUALIFIER = "$ALL";

interface Acc {
  invocations: number;
  errors: number;
  errorsByType: Map<string, number> | undefined;
  throttles: number;
  timeouts: number;
  coldStarts: number;
  oomKills: number;
  billedMs: number;
  mbMs: number;
  durationHundredths: number;
  initHundredths: number;
  logLines: number;
  reportLines: number;
  traced: number;
  dlq: number;
  destination: number;
}

const newAcc = (): Acc => ({
  invocations: 0,
  errors: 0,
  errorsByType: undefined,
  throttles: 0,
  timeouts: 0,
  coldStarts: 0,
  oomKills: 0,
  billedMs: 0,
  mbMs: 0,
  durationHundredths: 0,
  initHundredths: 0,
  logLines: 0,
  reportLines: 0,
  traced: 0,
  dlq: 0,
  destination: 0,
});

function counters(a: Acc): TruthCounters {
  return {
    invocations: a.invocations,
    errors: a.errors,
    errorsByType: Object.fromEntries([...(a.errorsByType?.entries() ?? [])].sort((x, y) => (x[0] < y[0] ? -1 : 1))),
    throttles: a.throttles,
    timeouts: a.timeouts,
    coldStarts: a.coldStarts,
    oomKills: a.oomKills,
    billedMs: a.billedMs,
    gbSeconds: Math.round((a.mbMs / 1_024_000) * 1e9) / 1e9,
    durationMsSum: a.durationHundredths / 100,
    initMsSum: a.initHundredths / 100,
    logLines: a.logLines,
    reportLines: a.reportLines,
    tracedInvocations: a.traced,
    dlqMessages: a.dlq,
    destinationMessages: a.destination,
  };
}

/** Nearest-rank percentile of sorted values. */
export function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export interface InvocationFact {
  name: string;
  version: string;
  alias?: string;
  startAt: number;
  memoryMb: number;
  outcome: InvocationOutcome;
  cold: boolean;
  logLines: number;
  traced: boolean;
  attempt: number;
}

export interface ThrottleFact {
  name: string;
  /** Version row to count in (unqualified or version-qualified calls), if any. */
  version?: string;
  alias?: string;
  at: number;
}

export interface RequestFact {
  /** When the gateway received the request. */
  at: number;
  api: string;
  apiType: "REST" | "HTTP";
  stage: string;
  status: number;
  cacheHit?: boolean;
  canary: boolean;
}

/** Accumulates the ground truth while the simulation runs. */
export class TruthRecorder {
  private rows = new Map<string, { name: string; qualifier: string; acc: Acc; durations: number[]; lastMinute: number; lastMinuteAcc?: Acc; lastMinuteDurations?: number[] }>();
  private minuteRows = new Map<string, { minute: number; name: string; qualifier: string; acc: Acc; durations: number[] }>();
  private stages = new Map<string, TruthStageRow>();
  private stageMinutes = new Map<string, TruthStageMinuteRow>();
  private scratchDurations: number[] = [];
  private queues = new Map<string, TruthQueueRow>();
  private traceIds = new Set<string>();
  private scratch: Acc | undefined;
  private asyncRetries = 0;

  /** `minutes: false` skips the per-minute rows (large for big shops over long windows). */
  constructor(
    private readonly meta: { seed: number; region: string; accountId: string; start: number; end: number },
    private readonly options: { minutes?: boolean } = {},
  ) {}

  /** Extends the window end (live mode). */
  setEnd(end: number): void {
    this.meta.end = end;
  }

  private row(name: string, qualifier: string) {
    const key = `${name}\u0000${qualifier}`;
    let r = this.rows.get(key);
    if (!r) {
      r = { name, qualifier, acc: newAcc(), durations: [], lastMinute: Number.NaN };
      this.rows.set(key, r);
    }
    return r;
  }

  private minuteAcc(row: { name: string; qualifier: string; lastMinute: number; lastMinuteAcc?: Acc; lastMinuteDurations?: number[] }, minute: number): Acc {
    if (this.options.minutes === false) return (this.scratch ??= newAcc());
    if (row.lastMinute !== minute || !row.lastMinuteAcc) {
      const m = this.minuteRow(minute, row.name, row.qualifier);
      row.lastMinute = minute;
      row.lastMinuteAcc = m.acc;
      row.lastMinuteDurations = m.durations;
    }
    return row.lastMinuteAcc;
  }

  /** The duration list of the row's current minute (call minuteAcc first). */
  private minuteDurations(row: { lastMinuteDurations?: number[] }): number[] {
    if (this.options.minutes === false) {
      this.scratchDurations.length = 0;
      return this.scratchDurations;
    }
    return row.lastMinuteDurations!;
  }

  private minuteRow(minute: number, name: string, qualifier: string) {
    const key = `${minute}\u0000${name}\u0000${qualifier}`;
    let r = this.minuteRows.get(key);
    if (!r) {
      r = { minute, name, qualifier, acc: newAcc(), durations: [] };
      this.minuteRows.set(key, r);
    }
    return r;
  }

  private qualifiers(version: string | undefined, alias: string | undefined): string[] {
    const q = [ALL_QUALIFIER];
    if (version !== undefined) q.push(version);
    if (alias !== undefined) q.push(alias);
    return q;
  }

  /** Records one invocation attempt that ran. */
  invocation(f: InvocationFact): void {
    const o = f.outcome;
    const minute = f.startAt - (f.startAt % 60_000);
    const dur = Math.round(o.durationMs * 100);
    const init = o.initDurationMs !== undefined ? Math.round(o.initDurationMs * 100) : 0;
    const mbMs = o.billedMs * f.memoryMb;
    const failed = o.status !== "success";
    const type = o.errorType ?? "Error";
    const add = (acc: Acc) => {
      acc.invocations++;
      acc.reportLines++;
      acc.logLines += f.logLines;
      acc.billedMs += o.billedMs;
      acc.mbMs += mbMs;
      acc.durationHundredths += dur;
      acc.initHundredths += init;
      if (f.cold) acc.coldStarts++;
      if (f.traced) acc.traced++;
      if (failed) {
        acc.errors++;
        acc.errorsByType ??= new Map();
        acc.errorsByType.set(type, (acc.errorsByType.get(type) ?? 0) + 1);
        if (o.status === "timeout") acc.timeouts++;
        if (o.status === "oom") acc.oomKills++;
      }
    };
    const visit = (q: string) => {
      const row = this.row(f.name, q);
      row.durations.push(dur);
      add(row.acc);
      add(this.minuteAcc(row, minute));
      this.minuteDurations(row).push(dur);
    };
    visit(ALL_QUALIFIER);
    visit(f.version);
    if (f.alias !== undefined) visit(f.alias);
    if (f.attempt >= 2) this.asyncRetries++;
  }

  /** Records a throttled attempt (no logs, only the Throttles metric). */
  throttle(f: ThrottleFact): void {
    const minute = Math.floor(f.at / 60_000) * 60_000;
    for (const q of this.qualifiers(f.version, f.alias)) {
      const row = this.row(f.name, q);
      row.acc.throttles++;
      this.minuteAcc(row, minute).throttles++;
    }
  }

  /** Log lines outside any invocation (provisioned environments' INIT_START). */
  extraLogLines(name: string, version: string, at: number, lines: number): void {
    const minute = Math.floor(at / 60_000) * 60_000;
    for (const q of [ALL_QUALIFIER, version]) {
      const row = this.row(name, q);
      row.acc.logLines += lines;
      this.minuteAcc(row, minute).logLines += lines;
    }
  }

  /** Records a finished gateway request. */
  request(f: RequestFact): void {
    const key = `${f.api}\u0000${f.stage}`;
    let s = this.stages.get(key);
    if (!s) {
      s = { api: f.api, apiType: f.apiType, stage: f.stage, requests: 0, status4xx: 0, status5xx: 0, byStatus: {}, cacheHits: 0, cacheMisses: 0, canaryRequests: 0 };
      this.stages.set(key, s);
    }
    addRequest(s, f);
    if (this.options.minutes === false) return;
    const minute = f.at - (f.at % 60_000);
    const mkey = `${minute}\u0000${key}`;
    let m = this.stageMinutes.get(mkey);
    if (!m) {
      m = { minute: new Date(minute).toISOString(), api: f.api, apiType: f.apiType, stage: f.stage, requests: 0, status4xx: 0, status5xx: 0, byStatus: {}, cacheHits: 0, cacheMisses: 0, canaryRequests: 0 };
      this.stageMinutes.set(mkey, m);
    }
    addRequest(m, f);
  }

  /** Declares a queue with its depth before the run. */
  queue(name: string, kind: TruthQueueRow["kind"], initialDepth = 0): void {
    if (!this.queues.has(name)) this.queues.set(name, { queue: name, kind, messages: 0, depth: initialDepth });
  }

  /**
   * Records a message written to a queue (the depth grows unless the queue is a consumed source);
   * `from`: the failed invocation that sent it to a dead-letter queue or on-failure destination.
   */
  message(queue: string, from?: { name: string; version: string; alias?: string; at: number }): void {
    const q = this.queues.get(queue);
    if (!q) throw new Error(`truth: undeclared queue ${queue}`);
    q.messages++;
    if (q.kind !== "source") q.depth++;
    if (!from || q.kind === "source") return;
    const minute = from.at - (from.at % 60_000);
    for (const qualifier of this.qualifiers(from.version, from.alias)) {
      const row = this.row(from.name, qualifier);
      for (const acc of [row.acc, this.minuteAcc(row, minute)]) {
        if (q.kind === "dlq") acc.dlq++;
        else acc.destination++;
      }
    }
  }

  /** Current depth of a queue as the simulation knows it. */
  depth(queue: string): number {
    return this.queues.get(queue)?.depth ?? 0;
  }

  trace(traceId: string): void {
    this.traceIds.add(traceId);
  }

  /** Invocation totals across all functions ($ALL rows). */
  totalInvocations(): number {
    let n = 0;
    for (const r of this.rows.values()) if (r.qualifier === ALL_QUALIFIER) n += r.acc.invocations;
    return n;
  }

  /** The ground truth document. */
  toJSON(generatedAt: Date): GroundTruth {
    const byName = <T extends { name: string; qualifier: string }>(a: T, b: T) => (a.name === b.name ? cmpQualifier(a.qualifier, b.qualifier) : a.name < b.name ? -1 : 1);
    const functions: TruthFunctionRow[] = [...this.rows.values()]
      .map((r) => {
        const sorted = r.durations.slice().sort((a, b) => a - b);
        const pct = (p: number) => {
          const v = nearestRank(sorted, p);
          return v === null ? null : v / 100;
        };
        return { name: r.name, qualifier: r.qualifier, ...counters(r.acc), p50Ms: pct(50), p90Ms: pct(90), p99Ms: pct(99) };
      })
      .sort(byName);
    const minutes: TruthMinuteRow[] = [...this.minuteRows.values()]
      .sort((a, b) => a.minute - b.minute || byName(a, b))
      .map((r) => {
        const sorted = r.durations.sort((a, b) => a - b);
        const pct = (p: number) => {
          const v = nearestRank(sorted, p);
          return v === null ? null : v / 100;
        };
        return { minute: new Date(r.minute).toISOString(), name: r.name, qualifier: r.qualifier, ...counters(r.acc), p50Ms: pct(50), p90Ms: pct(90), p99Ms: pct(99) };
      });
    return {
      seed: this.meta.seed,
      generatedAt: generatedAt.toISOString(),
      window: { start: new Date(this.meta.start).toISOString(), end: new Date(this.meta.end).toISOString() },
      region: this.meta.region,
      accountId: this.meta.accountId,
      functions,
      minutes,
      stages: [...this.stages.values()].sort((a, b) => (a.api + a.stage < b.api + b.stage ? -1 : 1)),
      stageMinutes: [...this.stageMinutes.values()].sort((a, b) => (a.minute !== b.minute ? (a.minute < b.minute ? -1 : 1) : a.api + a.stage < b.api + b.stage ? -1 : 1)),
      queues: [...this.queues.values()].sort((a, b) => (a.queue < b.queue ? -1 : 1)),
      traces: this.traceIds.size,
      asyncRetries: this.asyncRetries,
    };
  }
}

function addRequest(s: TruthStageRow, f: RequestFact): void {
  s.requests++;
  if (f.status >= 400 && f.status < 500) s.status4xx++;
  if (f.status >= 500) s.status5xx++;
  s.byStatus[String(f.status)] = (s.byStatus[String(f.status)] ?? 0) + 1;
  if (f.cacheHit === true) s.cacheHits++;
  if (f.cacheHit === false) s.cacheMisses++;
  if (f.canary) s.canaryRequests++;
}

function cmpQualifier(a: string, b: string): number {
  const rank = (q: string) => (q === ALL_QUALIFIER ? 0 : q === "$LATEST" ? 1 : /^\d+$/.test(q) ? 2 : 3);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (rank(a) === 2) return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Writes the truth JSON atomically. */
export function writeTruthFile(file: string, truth: GroundTruth): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(truth));
  fs.renameSync(tmp, file);
}
