/**
 * Reads function rollups for any minute-aligned window exactly: whole hours inside the window
 * from HourRollup, the partial hours at either edge from MinuteRollup.
 */
import type { Db } from "../../db.ts";
import { mergeCached, mergeHist, quantileOf, type Histogram } from "./histogram.ts";

const MINUTE = 60_000;
const HOUR = 3_600_000;

export interface RollupRow {
  functionId: number;
  qualifier: string;
  bucketStart: Date;
  invocations: number;
  errors: number;
  timeouts: number;
  oomKills: number;
  throttles: number;
  coldStarts: number;
  billedMs: bigint;
  mbMs: bigint;
  durationSumMs: number;
  initSumMs: number;
  maxMemoryUsedMb: number | null;
  malformedLines: number;
  errorsByType: string;
  hist: string;
  initHist: string;
}

export interface RollupFilter {
  from: Date;
  to: Date;
  functionIds?: number[];
  qualifiers?: string[];
  /** Read the histogram columns (needed for percentiles only). */
  withHist?: boolean;
  /** Use hour rows for whole hours (long windows); minute rows only otherwise. */
  useHours?: boolean;
}

/** The [start, end) spans of the window that minute rows and hour rows cover. */
export function splitWindow(from: number, to: number, useHours: boolean): { minutes: Array<[number, number]>; hours: [number, number] | null } {
  const hStart = Math.ceil(from / HOUR) * HOUR;
  const hEnd = Math.floor(to / HOUR) * HOUR;
  if (!useHours || hEnd <= hStart) return { minutes: [[from, to]], hours: null };
  const minutes: Array<[number, number]> = [];
  if (from < hStart) minutes.push([from, hStart]);
  if (hEnd < to) minutes.push([hEnd, to]);
  return { minutes, hours: [hStart, hEnd] };
}

/** Reads the rollup rows of a window (see splitWindow). */
export async function readFunctionRollups(db: Db, f: RollupFilter): Promise<RollupRow[]> {
  const useHours = f.useHours ?? f.to.getTime() - f.from.getTime() > 12 * HOUR;
  const { minutes, hours } = splitWindow(f.from.getTime(), f.to.getTime(), useHours);
  const select = {
    functionId: true,
    qualifier: true,
    bucketStart: true,
    invocations: true,
    errors: true,
    timeouts: true,
    oomKills: true,
    throttles: true,
    coldStarts: true,
    billedMs: true,
    mbMs: true,
    durationSumMs: true,
    initSumMs: true,
    maxMemoryUsedMb: true,
    malformedLines: true,
    errorsByType: true,
    hist: f.withHist ?? false,
    initHist: f.withHist ?? false,
  } as const;
  const common = {
    ...(f.functionIds ? { functionId: { in: f.functionIds } } : {}),
    ...(f.qualifiers ? { qualifier: { in: f.qualifiers } } : {}),
  };
  const queries: Array<Promise<Array<Partial<RollupRow>>>> = minutes.map(([a, b]) =>
    db.minuteRollup.findMany({ where: { ...common, bucketStart: { gte: new Date(a), lt: new Date(b) } }, select }),
  );
  if (hours) queries.push(db.hourRollup.findMany({ where: { ...common, bucketStart: { gte: new Date(hours[0]), lt: new Date(hours[1]) } }, select }));
  const parts = await Promise.all(queries);
  return parts.flat().map((r) => ({ ...r, hist: r.hist ?? "", initHist: r.initHist ?? "" }) as RollupRow);
}

export interface Totals {
  invocations: number;
  errors: number;
  timeouts: number;
  oomKills: number;
  throttles: number;
  coldStarts: number;
  billedMs: bigint;
  mbMs: bigint;
  durationSumMs: number;
  initSumMs: number;
  maxMemoryUsedMb: number | null;
  malformedLines: number;
  errorsByType: Record<string, number>;
  hist: Histogram | null;
  initHist: Histogram | null;
}

export function emptyTotals(): Totals {
  return {
    invocations: 0,
    errors: 0,
    timeouts: 0,
    oomKills: 0,
    throttles: 0,
    coldStarts: 0,
    billedMs: 0n,
    mbMs: 0n,
    durationSumMs: 0,
    initSumMs: 0,
    maxMemoryUsedMb: null,
    malformedLines: 0,
    errorsByType: {},
    hist: null,
    initHist: null,
  };
}

function parseCounts(s: string): Record<string, number> {
  try {
    const o = JSON.parse(s) as unknown;
    if (!o || typeof o !== "object") return {};
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(o)) if (typeof v === "number" && Number.isFinite(v)) out[k] = v;
    return out;
  } catch {
    return {};
  }
}

/** Adds rows into totals (histograms merged when the rows carry them). */
export function addRows(t: Totals, rows: RollupRow[]): Totals {
  const hists: string[] = [];
  const initHists: string[] = [];
  for (const r of rows) {
    t.invocations += r.invocations;
    t.errors += r.errors;
    t.timeouts += r.timeouts;
    t.oomKills += r.oomKills;
    t.throttles += r.throttles;
    t.coldStarts += r.coldStarts;
    t.billedMs += BigInt(r.billedMs);
    t.mbMs += BigInt(r.mbMs);
    t.durationSumMs += r.durationSumMs;
    t.initSumMs += r.initSumMs;
    t.malformedLines += r.malformedLines;
    if (r.maxMemoryUsedMb != null) t.maxMemoryUsedMb = Math.max(t.maxMemoryUsedMb ?? 0, r.maxMemoryUsedMb);
    if (r.errorsByType && r.errorsByType !== "{}") for (const [k, v] of Object.entries(parseCounts(r.errorsByType))) t.errorsByType[k] = (t.errorsByType[k] ?? 0) + v;
    if (r.hist) hists.push(r.hist);
    if (r.initHist) initHists.push(r.initHist);
  }
  t.hist = mergeHist(t.hist, mergeCached(hists));
  t.initHist = mergeHist(t.initHist, mergeCached(initHists));
  return t;
}

/** Totals of a set of rows. */
export function totalsOf(rows: RollupRow[]): Totals {
  return addRows(emptyTotals(), rows);
}

/** Groups rows by a key and totals each group. */
export function totalsBy<K>(rows: RollupRow[], key: (r: RollupRow) => K): Map<K, Totals> {
  const groups = new Map<K, RollupRow[]>();
  for (const r of rows) {
    const k = key(r);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  const out = new Map<K, Totals>();
  for (const [k, g] of groups) out.set(k, totalsOf(g));
  return out;
}

/** The bucket a row falls into for a chart step (hour rows into hour-or-wider buckets). */
export function bucketOf(bucketStart: Date, stepMs: number): number {
  return Math.floor(bucketStart.getTime() / stepMs) * stepMs;
}

/** GB-seconds exactly as stored: mbMs / 1024 / 1000. */
export function gbSecondsOf(mbMs: bigint): number {
  return Number(mbMs) / 1024 / 1000;
}

/** Derived figures every view shows; rates and percentiles are null without invocations. */
export interface DerivedStats {
  invocations: number;
  errors: number;
  timeouts: number;
  oomKills: number;
  throttles: number;
  coldStarts: number;
  errorRate: number | null;
  coldStartRate: number | null;
  throttleRate: number | null;
  avgDurationMs: number | null;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  initP50Ms: number | null;
  initP99Ms: number | null;
  avgInitMs: number | null;
  billedMs: number;
  /** Exact MB-milliseconds (GB-s x 1,024,000). */
  mbMs: number;
  gbSeconds: number;
  maxMemoryUsedMb: number | null;
  malformedLines: number;
  errorsByType: Record<string, number>;
}

/** Derives rates and percentiles from totals. */
export function derive(t: Totals): DerivedStats {
  const n = t.invocations;
  return {
    invocations: n,
    errors: t.errors,
    timeouts: t.timeouts,
    oomKills: t.oomKills,
    throttles: t.throttles,
    coldStarts: t.coldStarts,
    errorRate: n > 0 ? t.errors / n : null,
    coldStartRate: n > 0 ? t.coldStarts / n : null,
    throttleRate: n + t.throttles > 0 ? t.throttles / (n + t.throttles) : null,
    avgDurationMs: n > 0 ? t.durationSumMs / n : null,
    p50Ms: quantileOf(t.hist, 0.5),
    p90Ms: quantileOf(t.hist, 0.9),
    p99Ms: quantileOf(t.hist, 0.99),
    initP50Ms: quantileOf(t.initHist, 0.5),
    initP99Ms: quantileOf(t.initHist, 0.99),
    avgInitMs: t.coldStarts > 0 ? t.initSumMs / t.coldStarts : null,
    billedMs: Number(t.billedMs),
    mbMs: Number(t.mbMs),
    gbSeconds: gbSecondsOf(t.mbMs),
    maxMemoryUsedMb: t.maxMemoryUsedMb,
    malformedLines: t.malformedLines,
    errorsByType: t.errorsByType,
  };
}

export { MINUTE, HOUR };
