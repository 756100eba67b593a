/**
 * Rollup writers. Every rollup is recomputed from the rows below it (invocations -> minute,
 * minute -> hour, hour -> fleet), so a re-run or a late row rewrites the same bucket to the
 * same value and nothing is ever counted twice.
 */
import type { DbProvider } from "../db-url.ts";
import { all, chunks, inList, insertRows, run, toBool, toDate, toNum, toBig, type Sql, type Store } from "./sql.ts";
import {
  ALL_QUALIFIER,
  HOUR_MS,
  MINUTE_MS,
  emptyRollup,
  errorsByTypeJson,
  histText,
  hourOf,
  mergeRollup,
  minuteOf,
  minuteRanges,
  parseErrorsByType,
  readHist,
  rollupMinutes,
  type RollupInvocation,
  type RollupValues,
} from "./rollup-math.ts";
import { addValue, createHistogram, mergeInto } from "../histogram/histogram.ts";

const INVOCATION_COLUMNS = ["invocations", "errors", "timeouts", "oomKills", "coldStarts", "billedMs", "mbMs", "durationSumMs", "initSumMs", "maxMemoryUsedMb", "errorsByType", "hist", "initHist"];

function rollupRow(functionId: number, qualifier: string, bucketStart: number, v: RollupValues): unknown[] {
  return [
    functionId,
    qualifier,
    new Date(bucketStart),
    v.invocations,
    v.errors,
    v.timeouts,
    v.oomKills,
    v.coldStarts,
    v.billedMs,
    v.mbMs,
    v.durationHundredths / 100,
    v.initHundredths / 100,
    v.maxMemoryUsedMb,
    errorsByTypeJson(v.errorsByType),
    histText(v.hist),
    histText(v.initHist),
  ];
}

/** Qualifiers whose figures come from logs: $ALL and executed versions (aliases come from metrics). */
export function isLogQualifier(q: string): boolean {
  return q === ALL_QUALIFIER || q === "$LATEST" || /^\d+$/.test(q);
}

/** Reads the invocations of one function whose START falls in [from, to). */
export function* invocationsBetween(functionId: number, from: number, to: number): Sql<RollupInvocation[]> {
  const rows = yield* all<Record<string, unknown>>(
    `SELECT "version", "startedAt", "durationMs", "billedMs", "memoryMb", "maxMemoryUsedMb", "initMs", "coldStart", "status", "errorType" FROM "Invocation" WHERE "functionId" = ? AND "startedAt" >= ? AND "startedAt" < ? ORDER BY "startedAt", "requestId", "endedAt"`,
    [functionId, new Date(from), new Date(to)],
  );
  return rows.map((r) => ({
    version: String(r.version),
    startedAt: toDate(r.startedAt).getTime(),
    durationMs: Number(r.durationMs),
    billedMs: toNum(r.billedMs),
    memoryMb: toNum(r.memoryMb),
    maxMemoryUsedMb: r.maxMemoryUsedMb == null ? null : toNum(r.maxMemoryUsedMb),
    initMs: r.initMs == null ? null : Number(r.initMs),
    coldStart: toBool(r.coldStart),
    status: String(r.status),
    errorType: r.errorType == null ? null : String(r.errorType),
  }));
}

/**
 * Recomputes the log-derived columns of the given minutes of one function from its
 * invocation rows (throttles and malformed counts, written by others, are left alone).
 * Returns the hours touched.
 */
export function* recomputeMinutes(dialect: DbProvider, functionId: number, minutes: Iterable<number>): Sql<Set<number>> {
  const wanted = new Set([...minutes].map(minuteOf));
  const hours = new Set<number>();
  for (const [from, to] of minuteRanges(wanted)) {
    const invs = yield* invocationsBetween(functionId, from, to);
    const buckets = rollupMinutes(invs);
    const present = new Set<string>();
    const rows: unknown[][] = [];
    for (const b of buckets.values()) {
      if (!wanted.has(b.bucketStart)) continue;
      present.add(`${b.qualifier}\u0000${b.bucketStart}`);
      rows.push(rollupRow(functionId, b.qualifier, b.bucketStart, b.values));
      hours.add(hourOf(b.bucketStart));
    }
    // Rows of these minutes that no invocation supports any more keep their other columns but lose log counts.
    const existing = yield* all<{ qualifier: string; bucketStart: unknown; invocations: unknown }>(
      `SELECT "qualifier", "bucketStart", "invocations" FROM "MinuteRollup" WHERE "functionId" = ? AND "bucketStart" >= ? AND "bucketStart" < ? AND "invocations" > 0`,
      [functionId, new Date(from), new Date(to)],
    );
    for (const e of existing) {
      const t = toDate(e.bucketStart).getTime();
      if (!wanted.has(t) || !isLogQualifier(e.qualifier) || present.has(`${e.qualifier}\u0000${t}`)) continue;
      rows.push(rollupRow(functionId, e.qualifier, t, emptyRollup()));
      hours.add(hourOf(t));
    }
    yield* insertRows(dialect, "MinuteRollup", ["functionId", "qualifier", "bucketStart", ...INVOCATION_COLUMNS], rows, {
      conflict: ["functionId", "qualifier", "bucketStart"],
      update: INVOCATION_COLUMNS,
    });
  }
  return hours;
}

/** Adds newly seen malformed lines to the $ALL minute rows (exact: callers pass only first-time events). */
export function* addMalformed(dialect: DbProvider, functionId: number, perMinute: Map<number, number>): Sql<Set<number>> {
  const rows = [...perMinute].map(([m, n]) => [functionId, ALL_QUALIFIER, new Date(m), n]);
  yield* insertRows(dialect, "MinuteRollup", ["functionId", "qualifier", "bucketStart", "malformedLines"], rows, {
    conflict: ["functionId", "qualifier", "bucketStart"],
    updateExpr: [`"malformedLines" = "MinuteRollup"."malformedLines" + excluded."malformedLines"`],
  });
  return new Set([...perMinute.keys()].map(hourOf));
}

export interface MetricRollupValues {
  invocations?: number;
  errors?: number;
  throttles?: number;
}

/**
 * Writes metric-derived minute figures: throttles of every qualifier, and invocations/errors
 * of alias qualifiers (which logs cannot attribute). Returns the hours touched.
 */
export function* writeMetricMinutes(dialect: DbProvider, functionId: number, rows: Array<{ qualifier: string; bucketStart: number; values: MetricRollupValues; alias: boolean }>): Sql<Set<number>> {
  const hours = new Set<number>();
  const throttleRows: unknown[][] = [];
  const aliasRows: unknown[][] = [];
  for (const r of rows) {
    hours.add(hourOf(r.bucketStart));
    if (r.alias) aliasRows.push([functionId, r.qualifier, new Date(r.bucketStart), r.values.invocations ?? 0, r.values.errors ?? 0, r.values.throttles ?? 0]);
    else throttleRows.push([functionId, r.qualifier, new Date(r.bucketStart), r.values.throttles ?? 0]);
  }
  yield* insertRows(dialect, "MinuteRollup", ["functionId", "qualifier", "bucketStart", "throttles"], throttleRows, {
    conflict: ["functionId", "qualifier", "bucketStart"],
    update: ["throttles"],
  });
  yield* insertRows(dialect, "MinuteRollup", ["functionId", "qualifier", "bucketStart", "invocations", "errors", "throttles"], aliasRows, {
    conflict: ["functionId", "qualifier", "bucketStart"],
    update: ["invocations", "errors", "throttles"],
  });
  return hours;
}

interface StoredRollup extends RollupValues {
  qualifier: string;
  bucketStart: number;
  throttles: number;
  malformedLines: number;
}

function readRollupRow(r: Record<string, unknown>): StoredRollup {
  return {
    qualifier: String(r.qualifier),
    bucketStart: toDate(r.bucketStart).getTime(),
    invocations: toNum(r.invocations),
    errors: toNum(r.errors),
    timeouts: toNum(r.timeouts),
    oomKills: toNum(r.oomKills),
    coldStarts: toNum(r.coldStarts),
    billedMs: toBig(r.billedMs),
    mbMs: toBig(r.mbMs),
    durationHundredths: Math.round(Number(r.durationSumMs) * 100),
    initHundredths: Math.round(Number(r.initSumMs) * 100),
    maxMemoryUsedMb: r.maxMemoryUsedMb == null ? null : toNum(r.maxMemoryUsedMb),
    errorsByType: parseErrorsByType(r.errorsByType),
    hist: readHist(r.hist),
    initHist: readHist(r.initHist),
    throttles: toNum(r.throttles),
    malformedLines: toNum(r.malformedLines),
  };
}

const ROLLUP_SELECT = `"qualifier", "bucketStart", "invocations", "errors", "timeouts", "oomKills", "throttles", "coldStarts", "billedMs", "mbMs", "durationSumMs", "initSumMs", "maxMemoryUsedMb", "malformedLines", "errorsByType", "hist", "initHist"`;
const HOUR_COLUMNS = ["invocations", "errors", "timeouts", "oomKills", "throttles", "coldStarts", "billedMs", "mbMs", "durationSumMs", "initSumMs", "maxMemoryUsedMb", "malformedLines", "errorsByType", "hist", "initHist"];

const DAY_MS = 24 * HOUR_MS;

/** The UTC day an instant falls in. */
export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/**
 * Recomputes one function's coarse rollups (every qualifier) for the given buckets from the
 * rows one level below: MinuteRollup -> HourRollup, HourRollup -> DayRollup.
 */
function* recomputeCoarse(dialect: DbProvider, functionId: number, from: "MinuteRollup" | "HourRollup", to: "HourRollup" | "DayRollup", starts: Iterable<number>, spanMs: number): Sql<void> {
  for (const start of new Set([...starts].map((s) => Math.floor(s / spanMs) * spanMs))) {
    const rows = yield* all<Record<string, unknown>>(`SELECT ${ROLLUP_SELECT} FROM "${from}" WHERE "functionId" = ? AND "bucketStart" >= ? AND "bucketStart" < ? ORDER BY "qualifier", "bucketStart"`, [
      functionId,
      new Date(start),
      new Date(start + spanMs),
    ]);
    const byQ = new Map<string, StoredRollup>();
    for (const r of rows.map(readRollupRow)) {
      const acc = byQ.get(r.qualifier);
      if (!acc) byQ.set(r.qualifier, r);
      else {
        mergeRollup(acc, r);
        acc.throttles += r.throttles;
        acc.malformedLines += r.malformedLines;
      }
    }
    const out = [...byQ.values()].map((v) => [
      functionId,
      v.qualifier,
      new Date(start),
      v.invocations,
      v.errors,
      v.timeouts,
      v.oomKills,
      v.throttles,
      v.coldStarts,
      v.billedMs,
      v.mbMs,
      v.durationHundredths / 100,
      v.initHundredths / 100,
      v.maxMemoryUsedMb,
      v.malformedLines,
      errorsByTypeJson(v.errorsByType),
      histText(v.hist),
      histText(v.initHist),
    ]);
    yield* insertRows(dialect, to, ["functionId", "qualifier", "bucketStart", ...HOUR_COLUMNS], out, {
      conflict: ["functionId", "qualifier", "bucketStart"],
      update: HOUR_COLUMNS,
    });
  }
}

/** Recomputes the hour rollups of one function for the given hours from its minute rows. */
export function* recomputeHours(dialect: DbProvider, functionId: number, hours: Iterable<number>): Sql<void> {
  yield* recomputeCoarse(dialect, functionId, "MinuteRollup", "HourRollup", hours, HOUR_MS);
}

/** Recomputes the day rollups of one function for the given days (any instant in them) from its hour rows. */
export function* recomputeDays(dialect: DbProvider, functionId: number, days: Iterable<number>): Sql<void> {
  yield* recomputeCoarse(dialect, functionId, "HourRollup", "DayRollup", days, DAY_MS);
}

// ---------------------------------------------------------------- deferred hour rollups

export const DIRTY_COLLECTOR = "rollup-dirty";

/**
 * Records hours whose hour rollup must be recomputed, inside the transaction that changed
 * their minutes; flushDirtyHours recomputes each once (not once per batch) and clears the marks.
 */
export function* markDirtyHours(dialect: DbProvider, sourceId: number, kind: "fn" | "stage" | "fleet", id: number, hours: Iterable<number>): Sql<void> {
  const now = new Date();
  const rows = [...new Set(hours)].map((h) => [sourceId, DIRTY_COLLECTOR, `${kind}:${id}:${h}`, "", now]);
  yield* insertRows(dialect, "CollectorCursor", ["sourceId", "collector", "key", "position", "updatedAt"], rows, { conflict: ["sourceId", "collector", "key"] });
}

/**
 * Records minutes whose fleet (source-wide) minute row must be recomputed, inside the
 * transaction that changed a function's minutes; flushDirtyHours recomputes them, and the
 * fleet hours they fall in, after the functions' hours.
 */
export function* markDirtyFleetMinutes(dialect: DbProvider, sourceId: number, minutes: Iterable<number>): Sql<void> {
  yield* markDirtyHours(dialect, sourceId, "fleet", 0, [...minutes].map(minuteOf));
}

type DirtyGroup = { kind: string; id: number; hours: number[]; keys: string[] };

/** The marks of a source, grouped by function or stage ("fleet:0" holds the fleet's). */
async function readDirtyMarks(store: Store, sourceId: number): Promise<Map<string, DirtyGroup>> {
  const marks = await store.read(() => all<{ key: string }>(`SELECT "key" FROM "CollectorCursor" WHERE "sourceId" = ? AND "collector" = ?`, [sourceId, DIRTY_COLLECTOR]));
  const groups = new Map<string, DirtyGroup>();
  for (const { key } of marks) {
    const [kind, id, hour] = String(key).split(":");
    const g = groups.get(`${kind}:${id}`) ?? { kind: kind!, id: Number(id), hours: [], keys: [] };
    g.hours.push(Number(hour));
    g.keys.push(String(key));
    groups.set(`${kind}:${id}`, g);
  }
  return groups;
}

function* clearMarks(sourceId: number, keys: string[]): Sql<void> {
  for (const part of chunks(keys)) yield* run(`DELETE FROM "CollectorCursor" WHERE "sourceId" = ? AND "collector" = ? AND ${inList(`"key"`, part)}`, [sourceId, DIRTY_COLLECTOR, ...part]);
}

/**
 * Recomputes every marked hour of a source (one transaction per function or stage), then the
 * fleet's marked minutes and the fleet hours they fall in; returns how many function and stage
 * hours and the earliest. Each step clears its marks in the transaction that does the work, so
 * a run killed anywhere leaves nothing stale: the next flush finishes the job.
 */
export async function flushDirtyHours(store: Store, sourceId: number): Promise<{ hours: number; earliest: number | null }> {
  let n = 0;
  let earliest: number | null = null;
  for (const g of (await readDirtyMarks(store, sourceId)).values()) {
    if (g.kind === "fleet") continue;
    for (const h of g.hours) earliest = earliest === null ? h : Math.min(earliest, h);
    await store.transaction(() =>
      (function* (): Sql<void> {
        if (g.kind === "fn") {
          yield* recomputeHours(store.dialect, g.id, g.hours);
          yield* recomputeDays(store.dialect, g.id, g.hours);
        } else yield* recomputeStageHours(store.dialect, g.id, g.hours);
        yield* clearMarks(sourceId, g.keys);
      })(),
    );
    n += g.hours.length;
  }
  const fleet = (await readDirtyMarks(store, sourceId)).get("fleet:0");
  if (fleet) {
    const marks = fleet.hours.map((m, i) => ({ m, key: fleet.keys[i]! })).sort((a, b) => a.m - b.m);
    for (const part of chunks(marks, 240)) {
      await store.transaction(() =>
        (function* (): Sql<void> {
          // Runs of consecutive minutes are read as one span.
          let from = part[0]!.m;
          let to = from + MINUTE_MS;
          for (const { m } of part.slice(1)) {
            if (m > to) {
              yield* recomputeFleetMinutes(store.dialect, sourceId, from, to);
              from = m;
            }
            to = m + MINUTE_MS;
          }
          yield* recomputeFleetMinutes(store.dialect, sourceId, from, to);
          for (const h of new Set(part.map((x) => hourOf(x.m)))) yield* recomputeFleetHours(store.dialect, sourceId, h, h + HOUR_MS);
          yield* clearMarks(sourceId, part.map((x) => x.key));
        })(),
      );
    }
  }
  return { hours: n, earliest };
}

const FLEET_COLUMNS = ["invocations", "errors", "timeouts", "throttles", "coldStarts", "billedMs", "mbMs", "hist"];

/** Recomputes fleet (source-wide) rollups of [from, to) from the functions' $ALL rows of the same width. */
function* recomputeFleet(dialect: DbProvider, sourceId: number, from: "HourRollup" | "MinuteRollup", to: "FleetHourRollup" | "FleetMinuteRollup", start: number, end: number): Sql<number> {
  const rows = yield* all<Record<string, unknown>>(
    `SELECT h."bucketStart", h."invocations", h."errors", h."timeouts", h."throttles", h."coldStarts", h."billedMs", h."mbMs", h."hist"
       FROM "${from}" h JOIN "LambdaFunction" f ON f."id" = h."functionId"
      WHERE f."sourceId" = ? AND h."qualifier" = ? AND h."bucketStart" >= ? AND h."bucketStart" < ?
      ORDER BY h."bucketStart", f."name"`,
    [sourceId, ALL_QUALIFIER, new Date(start), new Date(end)],
  );
  const byBucket = new Map<number, { invocations: number; errors: number; timeouts: number; throttles: number; coldStarts: number; billedMs: bigint; mbMs: bigint; hist: ReturnType<typeof createHistogram> }>();
  for (const r of rows) {
    const b = toDate(r.bucketStart).getTime();
    let acc = byBucket.get(b);
    if (!acc) byBucket.set(b, (acc = { invocations: 0, errors: 0, timeouts: 0, throttles: 0, coldStarts: 0, billedMs: 0n, mbMs: 0n, hist: createHistogram() }));
    acc.invocations += toNum(r.invocations);
    acc.errors += toNum(r.errors);
    acc.timeouts += toNum(r.timeouts);
    acc.throttles += toNum(r.throttles);
    acc.coldStarts += toNum(r.coldStarts);
    acc.billedMs += toBig(r.billedMs);
    acc.mbMs += toBig(r.mbMs);
    mergeInto(acc.hist, readHist(r.hist));
  }
  const out = [...byBucket].map(([b, v]) => [sourceId, new Date(b), v.invocations, v.errors, v.timeouts, v.throttles, v.coldStarts, v.billedMs, v.mbMs, histText(v.hist)]);
  for (const part of chunks(out, 500)) {
    yield* insertRows(dialect, to, ["sourceId", "bucketStart", ...FLEET_COLUMNS], part, { conflict: ["sourceId", "bucketStart"], update: FLEET_COLUMNS });
  }
  return out.length;
}

/** Recomputes the fleet (source-wide) hour rollups of [from, to) from the functions' $ALL hour rows. */
export function* recomputeFleetHours(dialect: DbProvider, sourceId: number, from: number, to: number): Sql<number> {
  return yield* recomputeFleet(dialect, sourceId, "HourRollup", "FleetHourRollup", hourOf(from), to);
}

/** Recomputes the fleet (source-wide) minute rollups of [from, to) from the functions' $ALL minute rows. */
export function* recomputeFleetMinutes(dialect: DbProvider, sourceId: number, from: number, to: number): Sql<number> {
  return yield* recomputeFleet(dialect, sourceId, "MinuteRollup", "FleetMinuteRollup", minuteOf(from), to);
}

// ---------------------------------------------------------------- API stages

export interface StageRequestFacts {
  at: number;
  status: number;
  latencyMs: number | null;
  integrationLatencyMs: number | null;
  canary: boolean;
}

interface StageValues {
  requests: number;
  status4xx: number;
  status5xx: number;
  byStatus: Record<string, number>;
  latencySumMs: number;
  integrationLatencySumMs: number;
  hist: ReturnType<typeof createHistogram>;
}

/** Stage minute rollups of requests per variant ($ALL, base, canary). Pure. */
export function rollupStageMinutes(requests: Iterable<StageRequestFacts>, withCanary: boolean): Map<string, { variant: string; bucketStart: number; values: StageValues }> {
  const out = new Map<string, { variant: string; bucketStart: number; values: StageValues }>();
  for (const r of requests) {
    const bucketStart = minuteOf(r.at);
    const variants = withCanary ? [ALL_QUALIFIER, r.canary ? "canary" : "base"] : [ALL_QUALIFIER];
    for (const variant of variants) {
      const key = `${variant}\u0000${bucketStart}`;
      let b = out.get(key);
      if (!b) out.set(key, (b = { variant, bucketStart, values: { requests: 0, status4xx: 0, status5xx: 0, byStatus: {}, latencySumMs: 0, integrationLatencySumMs: 0, hist: createHistogram() } }));
      const v = b.values;
      v.requests++;
      if (r.status >= 400 && r.status < 500) v.status4xx++;
      if (r.status >= 500) v.status5xx++;
      v.byStatus[String(r.status)] = (v.byStatus[String(r.status)] ?? 0) + 1;
      if (r.latencyMs != null) {
        v.latencySumMs += r.latencyMs;
        addValue(v.hist, r.latencyMs);
      }
      if (r.integrationLatencyMs != null) v.integrationLatencySumMs += r.integrationLatencyMs;
    }
  }
  return out;
}

const STAGE_COLUMNS = ["requests", "status4xx", "status5xx", "byStatus", "latencySumMs", "integrationLatencySumMs", "hist"];

/** Recomputes the given minutes of a stage from its ApiRequest rows; returns the hours touched. */
export function* recomputeStageMinutes(dialect: DbProvider, stageId: number, minutes: Iterable<number>, withCanary: boolean): Sql<Set<number>> {
  const wanted = new Set([...minutes].map(minuteOf));
  const hours = new Set<number>();
  for (const [from, to] of minuteRanges(wanted)) {
    const rows = yield* all<Record<string, unknown>>(`SELECT "at", "status", "latencyMs", "integrationLatencyMs", "canary" FROM "ApiRequest" WHERE "stageId" = ? AND "at" >= ? AND "at" < ? ORDER BY "at", "requestId"`, [
      stageId,
      new Date(from),
      new Date(to),
    ]);
    const buckets = rollupStageMinutes(
      rows.map((r) => ({
        at: toDate(r.at).getTime(),
        status: toNum(r.status),
        latencyMs: r.latencyMs == null ? null : Number(r.latencyMs),
        integrationLatencyMs: r.integrationLatencyMs == null ? null : Number(r.integrationLatencyMs),
        canary: toBool(r.canary),
      })),
      withCanary,
    );
    const out: unknown[][] = [];
    for (const b of buckets.values()) {
      if (!wanted.has(b.bucketStart)) continue;
      hours.add(hourOf(b.bucketStart));
      const v = b.values;
      out.push([stageId, b.variant, new Date(b.bucketStart), v.requests, v.status4xx, v.status5xx, errorsByTypeJson(v.byStatus), v.latencySumMs, v.integrationLatencySumMs, histText(v.hist)]);
    }
    yield* insertRows(dialect, "StageMinuteRollup", ["stageId", "variant", "bucketStart", ...STAGE_COLUMNS], out, { conflict: ["stageId", "variant", "bucketStart"], update: STAGE_COLUMNS });
  }
  return hours;
}

/** Writes metric-derived stage minute figures (cache hits/misses always; counts when the stage has no access log). */
export function* writeStageMetricMinutes(
  dialect: DbProvider,
  stageId: number,
  rows: Array<{ bucketStart: number; cacheHits?: number; cacheMisses?: number; requests?: number; status4xx?: number; status5xx?: number }>,
  countsFromMetrics: boolean,
): Sql<Set<number>> {
  const cols = countsFromMetrics ? ["cacheHits", "cacheMisses", "requests", "status4xx", "status5xx"] : ["cacheHits", "cacheMisses"];
  const out = rows.map((r) => [stageId, ALL_QUALIFIER, new Date(r.bucketStart), ...cols.map((c) => (r as Record<string, number | undefined>)[c] ?? 0)]);
  yield* insertRows(dialect, "StageMinuteRollup", ["stageId", "variant", "bucketStart", ...cols], out, { conflict: ["stageId", "variant", "bucketStart"], update: cols });
  return new Set(rows.map((r) => hourOf(r.bucketStart)));
}

const STAGE_HOUR_COLUMNS = ["requests", "status4xx", "status5xx", "byStatus", "latencySumMs", "integrationLatencySumMs", "cacheHits", "cacheMisses", "hist"];

/** Recomputes a stage's hour rollups from its minute rows. */
export function* recomputeStageHours(dialect: DbProvider, stageId: number, hours: Iterable<number>): Sql<void> {
  for (const hour of new Set([...hours].map(hourOf))) {
    const rows = yield* all<Record<string, unknown>>(
      `SELECT "variant", "requests", "status4xx", "status5xx", "byStatus", "latencySumMs", "integrationLatencySumMs", "cacheHits", "cacheMisses", "hist" FROM "StageMinuteRollup" WHERE "stageId" = ? AND "bucketStart" >= ? AND "bucketStart" < ? ORDER BY "variant", "bucketStart"`,
      [stageId, new Date(hour), new Date(hour + HOUR_MS)],
    );
    const byV = new Map<string, { requests: number; status4xx: number; status5xx: number; byStatus: Record<string, number>; latencySumMs: number; integrationLatencySumMs: number; cacheHits: number; cacheMisses: number; hist: ReturnType<typeof createHistogram> }>();
    for (const r of rows) {
      const v = String(r.variant);
      let acc = byV.get(v);
      if (!acc) byV.set(v, (acc = { requests: 0, status4xx: 0, status5xx: 0, byStatus: {}, latencySumMs: 0, integrationLatencySumMs: 0, cacheHits: 0, cacheMisses: 0, hist: createHistogram() }));
      acc.requests += toNum(r.requests);
      acc.status4xx += toNum(r.status4xx);
      acc.status5xx += toNum(r.status5xx);
      for (const [k, n] of Object.entries(parseErrorsByType(r.byStatus))) acc.byStatus[k] = (acc.byStatus[k] ?? 0) + n;
      acc.latencySumMs += Number(r.latencySumMs);
      acc.integrationLatencySumMs += Number(r.integrationLatencySumMs);
      acc.cacheHits += toNum(r.cacheHits);
      acc.cacheMisses += toNum(r.cacheMisses);
      mergeInto(acc.hist, readHist(r.hist));
    }
    const out = [...byV].map(([variant, a]) => [stageId, variant, new Date(hour), a.requests, a.status4xx, a.status5xx, errorsByTypeJson(a.byStatus), a.latencySumMs, a.integrationLatencySumMs, a.cacheHits, a.cacheMisses, histText(a.hist)]);
    yield* insertRows(dialect, "StageHourRollup", ["stageId", "variant", "bucketStart", ...STAGE_HOUR_COLUMNS], out, { conflict: ["stageId", "variant", "bucketStart"], update: STAGE_HOUR_COLUMNS });
  }
}

/** Deletes rows older than a cutoff from a table with a time column (retention). */
export function* deleteOlderThan(table: string, column: string, cutoff: Date): Sql<number> {
  return yield* run(`DELETE FROM "${table}" WHERE "${column}" < ?`, [cutoff]);
}


/**
 * Fills the day and fleet-minute rollups of a store written before they existed (run once,
 * when their migration is applied): days from the hour rows, fleet minutes from the minute rows.
 */
export async function backfillCoarseRollups(store: Store): Promise<{ days: number; fleetMinutes: number }> {
  const rows = await store.read(() => all<Record<string, unknown>>(`SELECT DISTINCT "functionId", "bucketStart" FROM "HourRollup"`));
  const daysByFn = new Map<number, Set<number>>();
  for (const r of rows) {
    const id = toNum(r.functionId);
    const set = daysByFn.get(id) ?? new Set<number>();
    set.add(dayOf(toDate(r.bucketStart).getTime()));
    daysByFn.set(id, set);
  }
  let days = 0;
  for (const [id, set] of daysByFn) {
    await store.transaction(() => recomputeDays(store.dialect, id, set));
    days += set.size;
  }
  let fleetMinutes = 0;
  const spans = await store.read(() =>
    all<Record<string, unknown>>(`SELECT f."sourceId" AS "sourceId", MIN(m."bucketStart") AS "lo", MAX(m."bucketStart") AS "hi" FROM "MinuteRollup" m JOIN "LambdaFunction" f ON f."id" = m."functionId" GROUP BY f."sourceId"`),
  );
  for (const s of spans) {
    if (s.lo == null || s.hi == null) continue;
    const end = toDate(s.hi).getTime() + MINUTE_MS;
    for (let from = dayOf(toDate(s.lo).getTime()); from < end; from += DAY_MS) {
      fleetMinutes += await store.transaction(() => recomputeFleetMinutes(store.dialect, toNum(s.sourceId), from, Math.min(end, from + DAY_MS)));
    }
  }
  return { days, fleetMinutes };
}
