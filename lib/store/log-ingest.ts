/**
 * Ingest of Lambda log events (polled by FilterLogEvents or pushed by a subscription):
 * one transaction stores the raw events (de-duplicated by event id), assembles and upserts
 * the invocations they complete or change, recomputes the affected rollups and error
 * groups, and advances the caller's cursor — so a crash at any instant loses nothing and
 * a replay changes nothing.
 */
import type { DbProvider } from "../db-url.ts";
import { errorFingerprint } from "../correlate/fingerprint.ts";
import { writeCursor, type CursorWrite } from "./cursors.ts";
import {
  assembleStream,
  byStream,
  parseLogEvent,
  type AssembledInvocation,
  type ParsedLogEvent,
  type RawLogEvent,
} from "./invocation-assembly.ts";
import { errorTypeOf, minuteOf } from "./rollup-math.ts";
import { addMalformed, markDirtyFleetMinutes, markDirtyHours, recomputeMinutes } from "./rollups.ts";
import { all, chunks, inList, insertRows, insertRowsCount, isUniqueViolation, toDate, toNum, type Sql, type Store } from "./sql.ts";

/** The function a log group belongs to. */
export interface FunctionRef {
  id: number;
  sourceId: number;
  name: string;
  runtime?: string | null;
}

export interface LogIngestOptions {
  /** Cursor advanced in the same transaction. */
  cursor?: CursorWrite;
  /** Raw rows before this instant were purged by retention: events older are skipped, their buckets left alone. */
  purgedBefore?: number;
}

export interface LogIngestResult {
  events: number;
  /** Log events stored for the first time. */
  written: number;
  /** Events already stored (overlap re-reads) or older than retention. */
  skipped: number;
  /** First-time events that were broken platform/structured lines. */
  malformed: number;
  /** Invocation rows created or changed. */
  invocations: number;
}

const LOG_COLUMNS = ["functionId", "eventId", "logStream", "timestamp", "requestId", "message"];
const INVOCATION_COLUMNS = [
  "functionId",
  "requestId",
  "attempt",
  "version",
  "logStream",
  "startedAt",
  "endedAt",
  "durationMs",
  "billedMs",
  "memoryMb",
  "maxMemoryUsedMb",
  "initMs",
  "restoreMs",
  "coldStart",
  "status",
  "errorType",
  "errorMessage",
  "traceId",
];
// alias and apiRequestId are set by correlation and survive re-derivation.
const INVOCATION_UPDATE = INVOCATION_COLUMNS.slice(2);

interface ExistingInvocation {
  id: number;
  requestId: string;
  endedAt: number;
  startedAt: number;
  attempt: number;
  logStream: string | null;
  version: string;
  status: string;
  errorType: string | null;
  errorMessage: string | null;
}

// A START-less invocation's start is estimated (end − duration): lines a little before it are still its own.
const ANON_SLACK_MS = 1_000;

const keyOf = (requestId: string, endedAt: number) => `${requestId}\u0000${endedAt}`;

type Assembled = Map<string, { invocations: AssembledInvocation[]; requestIdOf: Map<string, string> }>;

/** Stores one batch of a function's log events and everything derived from them. */
export async function ingestLambdaLogEvents(store: Store, fn: FunctionRef, events: RawLogEvent[], opts: LogIngestOptions = {}): Promise<LogIngestResult> {
  const purgedBefore = opts.purgedBefore ?? 0;
  const inWindow = events.filter((e) => e.timestamp >= purgedBefore);
  // Overlap re-reads bring mostly stored events: find them with one range read and parse only the rest.
  const stored = new Set<string>();
  if (inWindow.length > 0) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const e of inWindow) {
      lo = Math.min(lo, e.timestamp);
      hi = Math.max(hi, e.timestamp);
    }
    const rows = await store.read(() => all<{ eventId: string }>(`SELECT "eventId" FROM "LogEvent" WHERE "functionId" = ? AND "timestamp" >= ? AND "timestamp" <= ?`, [fn.id, new Date(lo), new Date(hi)]));
    for (const r of rows) stored.add(String(r.eventId));
  }
  // (An event repeated within the batch fails the plain insert below and takes the exact path.)
  const fresh = stored.size ? inWindow.filter((e) => !stored.has(e.eventId)) : inWindow;
  if (fresh.length === 0) {
    if (opts.cursor) await store.transaction(() => writeCursor(store.dialect, opts.cursor!));
    return { events: events.length, written: 0, skipped: events.length, malformed: 0, invocations: 0 };
  }
  const parsed = fresh.map(parseLogEvent);
  const streams = byStream(parsed);
  const assembled: Assembled = new Map();
  for (const [stream, evs] of streams) assembled.set(stream, assembleStream(evs, fn.runtime ?? undefined));
  const result: LogIngestResult = { events: events.length, written: 0, skipped: events.length - fresh.length, malformed: 0, invocations: 0 };
  // Usually every fresh event (and invocation not read in the store) is new: plain INSERTs (no ON CONFLICT,
  // no RETURNING). If another writer stored some meanwhile, a unique key fails: roll back, redo exactly.
  let out: { written: number; malformed: number; invocations: number };
  try {
    out = await store.transaction(() => ingestBody(store.dialect, fn, parsed, streams, assembled, opts.cursor, false));
  } catch (err) {
    if (!isUniqueViolation(err, "LogEvent") && !isUniqueViolation(err, "Invocation")) throw err;
    out = await store.transaction(() => ingestBody(store.dialect, fn, parsed, streams, assembled, opts.cursor, true));
  }
  result.written = out.written;
  result.skipped += fresh.length - out.written;
  result.malformed = out.malformed;
  result.invocations = out.invocations;
  return result;
}

function* ingestBody(
  dialect: DbProvider,
  fn: FunctionRef,
  parsed: ParsedLogEvent[],
  streams: Map<string, ParsedLogEvent[]>,
  assembled: Assembled,
  cursor: CursorWrite | undefined,
  exact: boolean,
): Sql<{ written: number; malformed: number; invocations: number }> {
  const rows = parsed.map((e) => [fn.id, e.eventId, e.logStream, new Date(e.timestamp), e.requestId ?? assembled.get(e.logStream)?.requestIdOf.get(e.eventId) ?? null, e.message]);
  let fresh = parsed;
  let isNew = (_id: string) => true;
  if (exact) {
    const inserted = yield* insertRows<{ eventId: string }>(dialect, "LogEvent", LOG_COLUMNS, rows, { conflict: ["functionId", "eventId"], returning: ["eventId"] });
    const newIds = new Set(inserted.map((r) => String(r.eventId)));
    const seen = new Set<string>();
    fresh = parsed.filter((e) => newIds.has(e.eventId) && !seen.has(e.eventId) && !!seen.add(e.eventId));
    isNew = (id) => newIds.has(id);
  } else yield* insertRowsCount(dialect, "LogEvent", LOG_COLUMNS, rows, { failOnConflict: true });
  if (fresh.length === 0) {
    if (cursor) yield* writeCursor(dialect, cursor);
    return { written: 0, malformed: 0, invocations: 0 };
  }

  // Which invocations the new events complete or change.
  const derive = new Map<string, AssembledInvocation>();
  const needContext: Array<{ stream: string; from: number; to: number; requestId: string; endedAt: number }> = [];
  const covered = new Set<string>();
  const olderLines = yield* streamsWithOlderEvents(dialect, fn.id, streams, assembled);
  for (const [stream, a] of assembled) {
    for (const inv of a.invocations) {
      for (const id of inv.eventIds) covered.add(id);
      if (!inv.eventIds.some(isNew)) continue;
      if (inv.hasStart && !olderLines.has(stream)) derive.set(keyOf(inv.requestId, inv.endedAt), inv);
      else needContext.push({ stream, from: inv.startedAt - Math.ceil(inv.initMs ?? 0) - 10_000, to: inv.endedAt, requestId: inv.requestId, endedAt: inv.endedAt });
    }
  }

  // New events no in-batch REPORT accounts for: late lines (or a late START) of invocations stored earlier.
  const loose = fresh.filter((e) => !covered.has(e.eventId) && !e.lines.every((l) => l.kind === "init_start"));
  const looseWithId = loose.filter((e) => e.requestId !== undefined);
  for (const part of chunks([...new Set(looseWithId.map((e) => e.requestId!))])) {
    const hits = yield* all<Record<string, unknown>>(`SELECT "requestId", "startedAt", "endedAt", "logStream" FROM "Invocation" WHERE "functionId" = ? AND ${inList(`"requestId"`, part)}`, [fn.id, ...part]);
    for (const ev of looseWithId) {
      // The attempt this line belongs to: the first one of its stream that ended at or after it.
      const mine = hits
        .filter((h) => String(h.requestId) === ev.requestId && String(h.logStream) === ev.logStream && toDate(h.endedAt).getTime() >= ev.timestamp)
        .sort((a, b) => toDate(a.endedAt).getTime() - toDate(b.endedAt).getTime())[0];
      if (!mine) continue;
      const e = toDate(mine.endedAt).getTime();
      needContext.push({ stream: ev.logStream, from: Math.min(ev.timestamp, toDate(mine.startedAt).getTime()) - 10_000, to: e, requestId: ev.requestId!, endedAt: e });
    }
  }
  const anonymous = loose.filter((e) => e.requestId === undefined);
  if (anonymous.length > 0) {
    const looseStreams = [...new Set(anonymous.map((e) => e.logStream))];
    const minTs = Math.min(...anonymous.map((e) => e.timestamp));
    const maxTs = Math.max(...anonymous.map((e) => e.timestamp));
    for (const part of chunks(looseStreams, 200)) {
      const hits = yield* all<Record<string, unknown>>(
        `SELECT "requestId", "startedAt", "endedAt", "logStream" FROM "Invocation" WHERE "functionId" = ? AND ${inList(`"logStream"`, part)} AND "endedAt" >= ? AND "startedAt" <= ?`,
        [fn.id, ...part, new Date(minTs), new Date(maxTs + ANON_SLACK_MS)],
      );
      for (const h of hits) {
        const s = toDate(h.startedAt).getTime() - ANON_SLACK_MS;
        const e = toDate(h.endedAt).getTime();
        const stream = String(h.logStream);
        if (!anonymous.some((ev) => ev.logStream === stream && ev.timestamp >= s && ev.timestamp <= e)) continue;
        needContext.push({ stream, from: s - 10_000, to: e, requestId: String(h.requestId), endedAt: e });
      }
    }
  }

  // Invocations spanning earlier batches: re-assemble from the stored events of their stream.
  const byCtxStream = new Map<string, typeof needContext>();
  for (const n of needContext) {
    const l = byCtxStream.get(n.stream) ?? [];
    l.push(n);
    byCtxStream.set(n.stream, l);
  }
  for (const [stream, needs] of byCtxStream) {
    const from = Math.min(...needs.map((n) => n.from));
    const to = Math.max(...needs.map((n) => n.to));
    const stored = yield* all<Record<string, unknown>>(
      `SELECT "eventId", "logStream", "timestamp", "message" FROM "LogEvent" WHERE "functionId" = ? AND "logStream" = ? AND "timestamp" >= ? AND "timestamp" <= ?`,
      [fn.id, stream, new Date(from), new Date(to)],
    );
    const evs = stored.map((r) => parseLogEvent({ eventId: String(r.eventId), logStream: String(r.logStream), timestamp: toDate(r.timestamp).getTime(), message: String(r.message) }));
    const a = assembleStream(byStream(evs).get(stream) ?? [], fn.runtime ?? undefined);
    for (const n of needs) {
      const inv = a.invocations.find((i) => i.requestId === n.requestId && i.endedAt === n.endedAt);
      if (inv) derive.set(keyOf(inv.requestId, inv.endedAt), inv);
    }
  }

  const malformedPerMinute = new Map<number, number>();
  let malformed = 0;
  for (const e of fresh) {
    if (!e.malformed) continue;
    malformed++;
    const m = minuteOf(e.timestamp);
    malformedPerMinute.set(m, (malformedPerMinute.get(m) ?? 0) + 1);
  }

  const hours = new Set<number>();
  let changed = 0;
  if (derive.size > 0) {
    const requestIds = [...new Set([...derive.values()].map((d) => d.requestId))];
    const existing: ExistingInvocation[] = [];
    for (const part of chunks(requestIds)) {
      const rows = yield* all<Record<string, unknown>>(
        `SELECT "id", "requestId", "endedAt", "startedAt", "attempt", "logStream", "version", "status", "errorType", "errorMessage" FROM "Invocation" WHERE "functionId" = ? AND ${inList(`"requestId"`, part)}`,
        [fn.id, ...part],
      );
      for (const r of rows) {
        existing.push({
          id: toNum(r.id),
          requestId: String(r.requestId),
          endedAt: toDate(r.endedAt).getTime(),
          startedAt: toDate(r.startedAt).getTime(),
          attempt: toNum(r.attempt),
          logStream: r.logStream == null ? null : String(r.logStream),
          version: String(r.version),
          status: String(r.status),
          errorType: r.errorType == null ? null : String(r.errorType),
          errorMessage: r.errorMessage == null ? null : String(r.errorMessage),
        });
      }
    }
    const old = new Map(existing.map((e) => [keyOf(e.requestId, e.endedAt), e]));

    // Attempts of async retries: the order of the request id's REPORT lines.
    const endings = new Map<string, number[]>();
    for (const e of existing) (endings.get(e.requestId) ?? endings.set(e.requestId, []).get(e.requestId)!).push(e.endedAt);
    for (const d of derive.values()) {
      const l = endings.get(d.requestId) ?? endings.set(d.requestId, []).get(d.requestId)!;
      if (!l.includes(d.endedAt)) l.push(d.endedAt);
    }
    const attemptOf = (rid: string, endedAt: number) => endings.get(rid)!.sort((a, b) => a - b).indexOf(endedAt) + 1;

    const upserts: unknown[][] = [];
    const inserts: unknown[][] = [];
    const minutes = new Set<number>();
    const groupDelta = new Map<string, { errorType: string; pattern: string; sample: string | null; delta: number; first: number; last: number; versions: Set<string> }>();
    const bump = (status: string, errorType: string | null, message: string | null, version: string, at: number, delta: number) => {
      const type = errorTypeOf(status, errorType);
      if (type === null) return;
      const { fingerprint, pattern } = errorFingerprint(fn.name, type, message);
      let g = groupDelta.get(fingerprint);
      if (!g) groupDelta.set(fingerprint, (g = { errorType: type, pattern, sample: message, delta: 0, first: at, last: at, versions: new Set() }));
      g.delta += delta;
      g.first = Math.min(g.first, at);
      g.last = Math.max(g.last, at);
      if (delta > 0) g.versions.add(version);
    };
    for (const d of derive.values()) {
      const k = keyOf(d.requestId, d.endedAt);
      const prev = old.get(k);
      const attempt = attemptOf(d.requestId, d.endedAt);
      const same =
        prev &&
        prev.attempt === attempt &&
        prev.status === d.status &&
        prev.startedAt === d.startedAt &&
        prev.version === d.version &&
        (prev.errorType ?? undefined) === d.errorType &&
        (prev.errorMessage ?? undefined) === d.errorMessage;
      if (same) continue;
      changed++;
      // Rows not stored yet (read above, in this transaction) need no ON CONFLICT, except in the exact redo.
      (prev || exact ? upserts : inserts).push([
        fn.id,
        d.requestId,
        attempt,
        d.version,
        d.logStream,
        new Date(d.startedAt),
        new Date(d.endedAt),
        d.durationMs,
        d.billedMs,
        d.memoryMb,
        d.maxMemoryUsedMb,
        d.initMs ?? null,
        d.restoreMs ?? null,
        d.coldStart,
        d.status,
        d.errorType ?? null,
        d.errorMessage ?? null,
        d.traceId ?? null,
      ]);
      minutes.add(minuteOf(d.startedAt));
      if (prev) minutes.add(minuteOf(prev.startedAt));
      const prevType = prev ? errorTypeOf(prev.status, prev.errorType) : null;
      const nextType = errorTypeOf(d.status, d.errorType ?? null);
      const prevFp = prev && prevType ? errorFingerprint(fn.name, prevType, prev.errorMessage).fingerprint : null;
      const nextFp = nextType ? errorFingerprint(fn.name, nextType, d.errorMessage ?? null).fingerprint : null;
      if (prevFp !== nextFp) {
        if (prev && prevFp) bump(prev.status, prev.errorType, prev.errorMessage, prev.version, prev.endedAt, -1);
        if (nextFp) bump(d.status, d.errorType ?? null, d.errorMessage ?? null, d.version, d.endedAt, 1);
      }
    }
    // Earlier attempts of a request id renumber when a later-found attempt sorts before them.
    for (const e of existing) {
      const k = keyOf(e.requestId, e.endedAt);
      if (derive.has(k)) continue;
      const attempt = attemptOf(e.requestId, e.endedAt);
      if (attempt !== e.attempt) yield* all(`UPDATE "Invocation" SET "attempt" = ? WHERE "id" = ?`, [attempt, e.id]);
    }
    yield* insertRows(dialect, "Invocation", INVOCATION_COLUMNS, inserts, { failOnConflict: true });
    yield* insertRows(dialect, "Invocation", INVOCATION_COLUMNS, upserts, { conflict: ["functionId", "requestId", "endedAt"], update: INVOCATION_UPDATE });
    if (groupDelta.size > 0) yield* applyErrorGroupDeltas(dialect, fn.id, groupDelta);
    for (const h of yield* recomputeMinutes(dialect, fn.id, minutes)) hours.add(h);
    yield* markDirtyFleetMinutes(dialect, fn.sourceId, minutes);
  }
  if (malformedPerMinute.size > 0) {
    for (const h of yield* addMalformed(dialect, fn.id, malformedPerMinute)) hours.add(h);
    yield* markDirtyFleetMinutes(dialect, fn.sourceId, malformedPerMinute.keys());
  }
  if (hours.size > 0) yield* markDirtyHours(dialect, fn.sourceId, "fn", fn.id, hours);
  if (cursor) yield* writeCursor(dialect, cursor);
  return { written: fresh.length, malformed, invocations: changed };
}

/**
 * Streams where an invocation framed by this batch (its START and REPORT both in it) may have
 * lines stored by an earlier batch: a late START/REPORT arriving after the lines between them.
 * Counted per stream over the span of those invocations (one statement for all streams);
 * equal counts mean nothing older.
 */
function* streamsWithOlderEvents(dialect: DbProvider, functionId: number, streams: Map<string, ParsedLogEvent[]>, assembled: Assembled): Sql<Set<string>> {
  const spans: Array<{ stream: string; from: number; to: number; inBatch: number }> = [];
  for (const [stream, a] of assembled) {
    let from = Infinity;
    let to = -Infinity;
    for (const i of a.invocations) {
      if (!i.hasStart) continue;
      if (i.startedAt < from) from = i.startedAt;
      if (i.endedAt > to) to = i.endedAt;
    }
    if (from > to) continue;
    let inBatch = 0;
    for (const e of streams.get(stream) ?? []) if (e.timestamp >= from && e.timestamp <= to) inBatch++;
    spans.push({ stream, from, to, inBatch });
  }
  const out = new Set<string>();
  const tuple = dialect === "pg" ? "(?::text, ?::timestamp(3), ?::timestamp(3))" : "(?, ?, ?)";
  for (const part of chunks(spans, 300)) {
    const rows = yield* all<{ s: unknown; n: unknown }>(
      `WITH "span" ("s", "f", "t") AS (VALUES ${part.map(() => tuple).join(", ")}) ` +
        `SELECT "span"."s" AS "s", (SELECT COUNT(*) FROM "LogEvent" e WHERE e."functionId" = ? AND e."logStream" = "span"."s" AND e."timestamp" >= "span"."f" AND e."timestamp" <= "span"."t") AS "n" FROM "span"`,
      [...part.flatMap((p) => [p.stream, new Date(p.from), new Date(p.to)]), functionId],
    );
    const counts = new Map(rows.map((r) => [String(r.s), toNum(r.n)]));
    for (const p of part) if ((counts.get(p.stream) ?? 0) > p.inBatch) out.add(p.stream);
  }
  return out;
}

function* applyErrorGroupDeltas(
  dialect: DbProvider,
  functionId: number,
  deltas: Map<string, { errorType: string; pattern: string; sample: string | null; delta: number; first: number; last: number; versions: Set<string> }>,
): Sql<void> {
  const fps = [...deltas.keys()];
  const current = new Map<string, { count: number; first: number; last: number; versions: string[] }>();
  for (const part of chunks(fps)) {
    const rows = yield* all<Record<string, unknown>>(
      `SELECT "fingerprint", "count", "firstSeenAt", "lastSeenAt", "versionsJson" FROM "ErrorGroup" WHERE "functionId" = ? AND ${inList(`"fingerprint"`, part)}`,
      [functionId, ...part],
    );
    for (const r of rows) {
      let versions: string[] = [];
      try {
        const v = JSON.parse(String(r.versionsJson)) as unknown;
        if (Array.isArray(v)) versions = v.map(String);
      } catch {
        versions = [];
      }
      current.set(String(r.fingerprint), { count: toNum(r.count), first: toDate(r.firstSeenAt).getTime(), last: toDate(r.lastSeenAt).getTime(), versions });
    }
  }
  const rows: unknown[][] = [];
  for (const [fp, d] of deltas) {
    const cur = current.get(fp);
    const versions = [...new Set([...(cur?.versions ?? []), ...d.versions])].sort(compareVersions);
    rows.push([
      functionId,
      fp,
      d.errorType,
      d.pattern,
      d.sample?.slice(0, 1000) ?? null,
      new Date(Math.min(cur?.first ?? d.first, d.first)),
      new Date(Math.max(cur?.last ?? d.last, d.last)),
      Math.max(0, (cur?.count ?? 0) + d.delta),
      JSON.stringify(versions),
    ]);
  }
  yield* insertRows(dialect, "ErrorGroup", ["functionId", "fingerprint", "errorType", "messagePattern", "sampleMessage", "firstSeenAt", "lastSeenAt", "count", "versionsJson"], rows, {
    conflict: ["functionId", "fingerprint"],
    update: ["firstSeenAt", "lastSeenAt", "count", "versionsJson"],
  });
}

/** "$LATEST" first, then numeric versions in order. */
export function compareVersions(a: string, b: string): number {
  const rank = (v: string) => (v === "$LATEST" ? -1 : /^\d+$/.test(v) ? Number(v) : Number.MAX_SAFE_INTEGER);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}
