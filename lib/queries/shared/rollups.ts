/**
 * Reads function rollups for any minute-aligned window exactly: whole hours inside the window
 * from HourRollup, the partial hours at either edge from MinuteRollup.
 */
import { queryRows, type Db } from "../../db.ts";
import { createHistogram } from "../../histogram/histogram.ts";
import { mergeCached, mergeHist, quantilesOf, type Histogram } from "./histogram.ts";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

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

/** Rollup tables from finest to coarsest. */
export type RollupLevel = "minute" | "hour" | "day";
const LEVEL_MS: Record<RollupLevel, number> = { minute: MINUTE, hour: HOUR, day: DAY };
const LEVELS: RollupLevel[] = ["day", "hour", "minute"];

export interface RollupFilter {
  from: Date;
  to: Date;
  functionIds?: number[];
  qualifiers?: string[];
  /** Read the histogram columns (needed for percentiles only); "duration" leaves the init-duration histogram out. */
  withHist?: boolean | "duration";
  /**
   * The coarsest rows to read (default: hour rows for windows over 12 h, minute rows
   * otherwise). Rows are grouped by a chart step no finer than this level's width.
   */
  coarsest?: RollupLevel;
  /** Legacy form of coarsest: true = "hour", false = "minute". */
  useHours?: boolean;
  /**
   * Nothing is stored after `to` (the window ends now): the trailing partial hour or day is
   * read from the live row that contains it instead of from its finer rows.
   */
  openEnd?: boolean;
}

export interface RollupSpan {
  level: RollupLevel;
  from: number;
  to: number;
}

const floorTo = (ms: number, step: number) => Math.floor(ms / step) * step;
const ceilTo = (ms: number, step: number) => Math.ceil(ms / step) * step;

/**
 * Covers [from, to) with as few rows as possible: whole days from day rows, whole hours
 * from hour rows, the rest from minute rows (pure). With openEnd the trailing part is read
 * from the coarse row that contains it (valid only when nothing exists after `to`).
 */
export function planWindow(from: number, to: number, coarsest: RollupLevel, openEnd = false): RollupSpan[] {
  const levels = LEVELS.slice(LEVELS.indexOf(coarsest));
  const cover = (a: number, b: number, ls: RollupLevel[], open: boolean): RollupSpan[] => {
    if (a >= b) return [];
    const [level, ...finer] = ls as [RollupLevel, ...RollupLevel[]];
    if (finer.length === 0) return [{ level, from: a, to: b }];
    const w = LEVEL_MS[level];
    const s = ceilTo(a, w);
    const e = open ? ceilTo(b, w) : floorTo(b, w);
    if (s >= e) return cover(a, b, finer, open);
    return [...cover(a, s, finer, false), { level, from: s, to: e }, ...(open ? [] : cover(e, b, finer, false))];
  };
  return cover(from, to, levels, openEnd);
}

/** The [start, end) spans of the window that minute rows and hour rows cover (no open end). */
export function splitWindow(from: number, to: number, useHours: boolean): { minutes: Array<[number, number]>; hours: [number, number] | null } {
  const spans = planWindow(from, to, useHours ? "hour" : "minute");
  const hours = spans.find((s) => s.level === "hour");
  return { minutes: spans.filter((s) => s.level === "minute").map((s) => [s.from, s.to]), hours: hours ? [hours.from, hours.to] : null };
}

/** The coarsest rows that still fall in one bucket of `stepMs` (pure). */
export function levelFor(stepMs: number): RollupLevel {
  return stepMs >= DAY ? "day" : stepMs >= HOUR ? "hour" : "minute";
}

/** The coarsest level a read may use: the filter's, or by window length. */
export function coarsestFor(f: Pick<RollupFilter, "from" | "to" | "coarsest" | "useHours">): RollupLevel {
  if (f.coarsest) return f.coarsest;
  const useHours = f.useHours ?? f.to.getTime() - f.from.getTime() > 12 * HOUR;
  return useHours ? "hour" : "minute";
}

const COUNT_COLS = ["invocations", "errors", "timeouts", "oomKills", "throttles", "coldStarts", "billedMs", "mbMs", "durationSumMs", "initSumMs", "malformedLines"] as const;
/** Exact 64-bit sums travel as text (the drivers return plain numbers). */
const EXACT = new Set<string>(["billedMs", "mbMs"]);
const ROW_COLS = [`"functionId"`, `"qualifier"`, `"bucketStart"`, ...COUNT_COLS.map((c) => (EXACT.has(c) ? `CAST("${c}" AS TEXT) AS "${c}"` : `"${c}"`)), `"maxMemoryUsedMb"`, `"errorsByType"`];

/** The WHERE clause of a filter's reads, without the span (null when it selects nothing). */
function filterSql(f: RollupFilter): { conds: string[]; params: unknown[] } | null {
  const conds: string[] = [];
  const params: unknown[] = [];
  if (f.functionIds) {
    if (f.functionIds.length === 0) return null;
    conds.push(`"functionId" IN (${f.functionIds.map(() => "?").join(", ")})`);
    params.push(...f.functionIds);
  }
  if (f.qualifiers) {
    if (f.qualifiers.length === 0) return null;
    conds.push(`"qualifier" IN (${f.qualifiers.map(() => "?").join(", ")})`);
    params.push(...f.qualifiers);
  }
  return { conds, params };
}

/** Runs one SELECT per span of the window (see planWindow) and concatenates the rows. */
async function readSpans(db: Db, f: RollupFilter, select: string, groupBy = ""): Promise<Array<RawRollupRow & RollupRow>> {
  const where = filterSql(f);
  if (!where) return [];
  const spans = planWindow(f.from.getTime(), f.to.getTime(), coarsestFor(f), f.openEnd ?? false);
  const parts = await Promise.all(
    spans.map((s) =>
      queryRows<RawRollupRow & RollupRow>(db, `SELECT ${select} FROM "${TABLE[s.level]}" WHERE ${[...where.conds, `"bucketStart" >= ?`, `"bucketStart" < ?`].join(" AND ")}${groupBy}`, [
        ...where.params,
        new Date(s.from),
        new Date(s.to),
      ]).then((rows) => {
        // Sums over a span carry the span's start (they lie inside it).
        if (groupBy && !groupBy.includes(`"bucketStart"`)) for (const r of rows) r.bucketStart = new Date(s.from);
        return rows;
      }),
    ),
  );
  return parts.flat();
}

/** Converts a row as the driver returns it, in place (fleet views read tens of thousands: no second object per row). */
function toRollupRow(r: RawRollupRow & RollupRow): RollupRow {
  r.functionId = Number(r.functionId);
  if (!(r.bucketStart instanceof Date)) r.bucketStart = new Date(r.bucketStart);
  r.qualifier ??= "$ALL";
  r.invocations = Number(r.invocations ?? 0);
  r.errors = Number(r.errors ?? 0);
  r.timeouts = Number(r.timeouts ?? 0);
  r.oomKills = Number(r.oomKills ?? 0);
  r.throttles = Number(r.throttles ?? 0);
  r.coldStarts = Number(r.coldStarts ?? 0);
  if (typeof r.billedMs !== "bigint") r.billedMs = BigInt(r.billedMs ?? 0);
  if (typeof r.mbMs !== "bigint") r.mbMs = BigInt(r.mbMs ?? 0);
  r.durationSumMs = Number(r.durationSumMs ?? 0);
  r.initSumMs = Number(r.initSumMs ?? 0);
  r.maxMemoryUsedMb = r.maxMemoryUsedMb == null ? null : Number(r.maxMemoryUsedMb);
  r.malformedLines = Number(r.malformedLines ?? 0);
  r.errorsByType ??= "{}";
  r.hist ??= "";
  r.initHist ??= "";
  return r;
}

/** Reads the rollup rows of a window (see planWindow). */
export async function readFunctionRollups(db: Db, f: RollupFilter): Promise<RollupRow[]> {
  // Plain SQL: these reads return tens of thousands of rows for fleet views, where the ORM's row mapping doubles the time.
  const cols = [...ROW_COLS];
  if (f.withHist) cols.push(`"hist"`);
  if (f.withHist === true) cols.push(`"initHist"`);
  const rows = await readSpans(db, f, cols.join(", "));
  for (const r of rows) toRollupRow(r);
  return rows;
}

/**
 * A window's rollups summed by the database per function, per function and qualifier, or per
 * function and stored bucket (over the qualifiers filtered): one row per group and span, plus,
 * when histograms or error types are asked for, one row per stored row carrying only those
 * (counts zero). totalsBy over the result gives the same
 * totals as over readFunctionRollups, reading a few columns instead of every row.
 */
export async function sumFunctionRollups(db: Db, f: RollupFilter & { by: "function" | "qualifier" | "bucket"; errorsByType?: boolean }): Promise<RollupRow[]> {
  const keys = f.by === "qualifier" ? [`"functionId"`, `"qualifier"`] : f.by === "bucket" ? [`"functionId"`, `"bucketStart"`] : [`"functionId"`];
  const sums = COUNT_COLS.map((c) => (EXACT.has(c) ? `CAST(SUM("${c}") AS TEXT) AS "${c}"` : `SUM("${c}") AS "${c}"`));
  const detail = [...(f.withHist ? [`"hist"`] : []), ...(f.withHist === true ? [`"initHist"`] : []), ...(f.errorsByType ? [`"errorsByType"`] : [])];
  const [summed, details] = await Promise.all([
    readSpans(db, f, [...keys, ...sums, `MAX("maxMemoryUsedMb") AS "maxMemoryUsedMb"`].join(", "), ` GROUP BY ${keys.join(", ")}`),
    detail.length > 0 ? readSpans(db, f, [...keys, `"bucketStart"`, ...detail].join(", ")) : Promise.resolve([]),
  ]);
  const out: RollupRow[] = [];
  for (const r of summed) out.push(toRollupRow(r));
  for (const r of details) out.push(toRollupRow(r));
  return out;
}

const TABLE: Record<RollupLevel, string> = { minute: "MinuteRollup", hour: "HourRollup", day: "DayRollup" };

interface RawRollupRow {
  functionId: number | bigint;
  qualifier: string;
  bucketStart: Date | string;
  invocations: number | bigint;
  errors: number | bigint;
  timeouts: number | bigint;
  oomKills: number | bigint;
  throttles: number | bigint;
  coldStarts: number | bigint;
  billedMs: bigint | number | string | null;
  mbMs: bigint | number | string | null;
  durationSumMs: number;
  initSumMs: number;
  maxMemoryUsedMb: number | bigint | null;
  malformedLines: number | bigint;
  errorsByType: string;
  hist?: string;
  initHist?: string;
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

/** Adds totals b into a (b's histograms are not changed). */
export function addTotals(a: Totals, b: Totals): Totals {
  a.invocations += b.invocations;
  a.errors += b.errors;
  a.timeouts += b.timeouts;
  a.oomKills += b.oomKills;
  a.throttles += b.throttles;
  a.coldStarts += b.coldStarts;
  a.billedMs += b.billedMs;
  a.mbMs += b.mbMs;
  a.durationSumMs += b.durationSumMs;
  a.initSumMs += b.initSumMs;
  a.malformedLines += b.malformedLines;
  if (b.maxMemoryUsedMb != null) a.maxMemoryUsedMb = Math.max(a.maxMemoryUsedMb ?? 0, b.maxMemoryUsedMb);
  for (const [k, v] of Object.entries(b.errorsByType)) a.errorsByType[k] = (a.errorsByType[k] ?? 0) + v;
  if (b.hist) a.hist = mergeHist(a.hist ?? createHistogram(), b.hist);
  if (b.initHist) a.initHist = mergeHist(a.initHist ?? createHistogram(), b.initHist);
  return a;
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
  const [p50Ms, p90Ms, p99Ms] = quantilesOf(t.hist, [0.5, 0.9, 0.99]);
  const [initP50Ms, initP99Ms] = quantilesOf(t.initHist, [0.5, 0.99]);
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
    p50Ms: p50Ms ?? null,
    p90Ms: p90Ms ?? null,
    p99Ms: p99Ms ?? null,
    initP50Ms: initP50Ms ?? null,
    initP99Ms: initP99Ms ?? null,
    avgInitMs: t.coldStarts > 0 ? t.initSumMs / t.coldStarts : null,
    billedMs: Number(t.billedMs),
    mbMs: Number(t.mbMs),
    gbSeconds: gbSecondsOf(t.mbMs),
    maxMemoryUsedMb: t.maxMemoryUsedMb,
    malformedLines: t.malformedLines,
    errorsByType: t.errorsByType,
  };
}

export { MINUTE, HOUR, DAY };
