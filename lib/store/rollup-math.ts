/**
 * Rollup math, pure: invocations -> minute buckets per qualifier; minute rows -> hour
 * rows; hour rows -> fleet rows. Sums are exact (integer hundredths of a ms, BigInt
 * MB-ms), histograms are the mergeable log-bucket ones.
 */
import { addValue, createHistogram, deserializeHistogramOrEmpty, mergeInto, serializeHistogram, type DurationHistogram } from "../histogram/histogram.ts";

export type Histogram = DurationHistogram;

export const ALL_QUALIFIER = "$ALL";
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

/** Start of the minute containing `ms`. */
export function minuteOf(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

/** Start of the hour containing `ms`. */
export function hourOf(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/** The invocation fields rollups need. */
export interface RollupInvocation {
  version: string;
  startedAt: number;
  durationMs: number;
  billedMs: number;
  memoryMb: number;
  maxMemoryUsedMb: number | null;
  initMs: number | null;
  coldStart: boolean;
  status: string;
  errorType: string | null;
}

/** The counters a minute/hour rollup row holds (log-derived part). */
export interface RollupValues {
  invocations: number;
  errors: number;
  timeouts: number;
  oomKills: number;
  coldStarts: number;
  billedMs: bigint;
  mbMs: bigint;
  /** Hundredths of a millisecond, exact. */
  durationHundredths: number;
  initHundredths: number;
  maxMemoryUsedMb: number | null;
  errorsByType: Record<string, number>;
  hist: Histogram;
  initHist: Histogram;
}

export function emptyRollup(): RollupValues {
  return {
    invocations: 0,
    errors: 0,
    timeouts: 0,
    oomKills: 0,
    coldStarts: 0,
    billedMs: 0n,
    mbMs: 0n,
    durationHundredths: 0,
    initHundredths: 0,
    maxMemoryUsedMb: null,
    errorsByType: {},
    hist: createHistogram(),
    initHist: createHistogram(),
  };
}

/** Error type an invocation counts under (timeouts and OOM kills have fixed types, as the truth and Errors metric do). */
export function errorTypeOf(status: string, errorType: string | null | undefined): string | null {
  if (status === "ok") return null;
  if (status === "timeout") return "Sandbox.Timedout";
  if (status === "oom") return "Runtime.OutOfMemory";
  return errorType ?? "Error";
}

/** Adds one invocation to a rollup. */
export function addInvocation(r: RollupValues, inv: RollupInvocation): void {
  r.invocations++;
  r.billedMs += BigInt(inv.billedMs);
  r.mbMs += BigInt(inv.billedMs) * BigInt(inv.memoryMb);
  r.durationHundredths += Math.round(inv.durationMs * 100);
  if (inv.initMs != null) {
    r.initHundredths += Math.round(inv.initMs * 100);
    addValue(r.initHist, inv.initMs);
  }
  if (inv.coldStart) r.coldStarts++;
  if (inv.maxMemoryUsedMb != null) r.maxMemoryUsedMb = Math.max(r.maxMemoryUsedMb ?? 0, inv.maxMemoryUsedMb);
  addValue(r.hist, inv.durationMs);
  const type = errorTypeOf(inv.status, inv.errorType);
  if (type !== null) {
    r.errors++;
    r.errorsByType[type] = (r.errorsByType[type] ?? 0) + 1;
    if (inv.status === "timeout") r.timeouts++;
    if (inv.status === "oom") r.oomKills++;
  }
}

/** Merges `b` into `a` (sums, maxima, histograms). */
export function mergeRollup(a: RollupValues, b: RollupValues): RollupValues {
  a.invocations += b.invocations;
  a.errors += b.errors;
  a.timeouts += b.timeouts;
  a.oomKills += b.oomKills;
  a.coldStarts += b.coldStarts;
  a.billedMs += b.billedMs;
  a.mbMs += b.mbMs;
  a.durationHundredths += b.durationHundredths;
  a.initHundredths += b.initHundredths;
  if (b.maxMemoryUsedMb != null) a.maxMemoryUsedMb = Math.max(a.maxMemoryUsedMb ?? 0, b.maxMemoryUsedMb);
  for (const [k, v] of Object.entries(b.errorsByType)) a.errorsByType[k] = (a.errorsByType[k] ?? 0) + v;
  mergeInto(a.hist, b.hist);
  mergeInto(a.initHist, b.initHist);
  return a;
}

export interface BucketKey {
  qualifier: string;
  bucketStart: number;
}

/** Minute rollups of invocations per ($ALL and executed version) x minute of the START line. */
export function rollupMinutes(invocations: Iterable<RollupInvocation>): Map<string, BucketKey & { values: RollupValues }> {
  const out = new Map<string, BucketKey & { values: RollupValues }>();
  for (const inv of invocations) {
    const bucketStart = minuteOf(inv.startedAt);
    for (const qualifier of [ALL_QUALIFIER, inv.version]) {
      const key = `${qualifier}\u0000${bucketStart}`;
      let b = out.get(key);
      if (!b) out.set(key, (b = { qualifier, bucketStart, values: emptyRollup() }));
      addInvocation(b.values, inv);
    }
  }
  return out;
}

/** Sorted-key JSON of errors by type (stable text, so re-runs write identical rows). */
export function errorsByTypeJson(m: Record<string, number>): string {
  const keys = Object.keys(m).filter((k) => m[k]! > 0).sort();
  return JSON.stringify(Object.fromEntries(keys.map((k) => [k, m[k]])));
}

/** Parses a stored errorsByType column (tolerates junk as empty). */
export function parseErrorsByType(text: unknown): Record<string, number> {
  if (typeof text !== "string" || text === "") return {};
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(o)) if (typeof v === "number" && Number.isFinite(v)) out[k] = v;
    return out;
  } catch {
    return {};
  }
}

/** Serialises a histogram ("" when empty, matching the column default). */
export function histText(h: Histogram): string {
  return h.count === 0 ? "" : serializeHistogram(h);
}

/** Reads a stored histogram column ("" = empty). */
export function readHist(text: unknown): Histogram {
  return typeof text === "string" ? deserializeHistogramOrEmpty(text) : createHistogram();
}

/** Minute buckets grouped into [from, to) ranges of consecutive minutes (fewer range queries). */
export function minuteRanges(minutes: Iterable<number>, maxGapMinutes = 5): Array<[number, number]> {
  const sorted = [...new Set(minutes)].sort((a, b) => a - b);
  const out: Array<[number, number]> = [];
  for (const m of sorted) {
    const last = out[out.length - 1];
    if (last && m - last[1] <= maxGapMinutes * MINUTE_MS) last[1] = m + MINUTE_MS;
    else out.push([m, m + MINUTE_MS]);
  }
  return out;
}

/**
 * Throttles per qualifier from the Throttles metric: FunctionName -> $ALL, Resource=fn:q ->
 * q (alias or version), and unqualified calls (no Resource series) -> $LATEST.
 */
export function throttlesByQualifier(total: number, byResource: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = { [ALL_QUALIFIER]: total };
  let qualified = 0;
  for (const [q, v] of Object.entries(byResource)) {
    out[q] = (out[q] ?? 0) + v;
    qualified += v;
  }
  const latest = total - qualified;
  if (latest > 0 || out.$LATEST !== undefined) out.$LATEST = (out.$LATEST ?? 0) + Math.max(0, latest);
  return out;
}
