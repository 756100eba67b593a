/**
 * Traces collector: GetTraceSummaries over the window since the cursor (minus an overlap,
 * as segments complete late) stores a row per trace from its summary; the full segment
 * documents (BatchGetTraces, 5 ids per call, 5 TPS) are fetched for every trace with a
 * fault, error or throttle and a deterministic sample of the rest, then summarised by
 * lib/parse/xray. Re-reading a window selects the same traces, so it changes nothing.
 */
import { paginateBatchGetTraces, paginateGetTraceSummaries, type TraceSummary as AwsTraceSummary, type XRayClient } from "@aws-sdk/client-xray";
import type { DbProvider } from "../db-url.ts";
import { summarizeTrace, type TraceSummary } from "../parse/xray.ts";
import { writeCursor } from "../store/cursors.ts";
import { linkTraceAliases } from "../correlate/link.ts";
import { all, chunks, inList, insertRows, toNum, type Sql, type Store } from "../store/sql.ts";
import { mapPool } from "./logs.ts";
import crypto from "node:crypto";

export const TRACES_COLLECTOR = "traces";
export const BATCH_GET_TRACES_MAX = 5;
/** X-Ray accepts summary windows of at most 24 hours; smaller slices keep pages short. */
const SLICE_MS = 6 * 3_600_000;

export interface TracesCollectOptions {
  store: Store;
  sourceId: number;
  now: number;
  initialStart: number;
  overlapMs?: number;
  cursor?: number;
  /** Share (0..1) of traces without a fault, error or throttle whose full documents are fetched. */
  detailRate?: number;
  signal?: AbortSignal;
}

export interface TracesResult {
  window: { start: number; end: number };
  summaries: number;
  fetched: number;
  written: number;
  skipped: number;
  malformed: number;
  failed: number;
  errors: string[];
}

/** Slices [start, end) into X-Ray-sized windows (pure). */
export function sliceWindow(start: number, end: number, size = SLICE_MS): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let t = start; t < end; t += size) out.push([t, Math.min(end, t + size)]);
  return out;
}

/** Whether a trace's documents are fetched: every failing trace, and a stable sample of the rest (pure). */
export function wantsDetail(s: Pick<AwsTraceSummary, "Id" | "HasFault" | "HasError" | "HasThrottle">, rate: number): boolean {
  if (s.HasFault || s.HasError || s.HasThrottle) return true;
  if (rate <= 0) return false;
  return crypto.createHash("sha1").update(s.Id ?? "").digest().readUInt32BE(0) / 0x1_0000_0000 < rate;
}

const SUMMARY_COLUMNS = ["sourceId", "traceId", "startedAt", "durationMs", "rootName", "fault", "error", "throttle", "httpStatus"];
const DETAIL_COLUMNS = ["sourceId", "traceId", "startedAt", "durationMs", "rootName", "functionName", "requestId", "coldStart", "initMs", "fault", "error", "throttle", "httpStatus", "segmentsJson"];

/** The start of a trace: its summary's StartTime, else the epoch seconds in its id. */
export function traceStart(s: Pick<AwsTraceSummary, "Id" | "StartTime">): number {
  if (s.StartTime) return new Date(s.StartTime).getTime();
  const m = /^1-([0-9a-f]{8})-/.exec(s.Id ?? "");
  return m ? parseInt(m[1]!, 16) * 1000 : 0;
}

/** The Trace row of a summary (no documents): what X-Ray says of the whole trace. */
export function summaryRow(sourceId: number, s: AwsTraceSummary): unknown[] {
  return [sourceId, s.Id, new Date(traceStart(s)), Math.round((s.Duration ?? 0) * 1000 * 1000) / 1000, s.EntryPoint?.Name ?? null, !!s.HasFault, !!s.HasError, !!s.HasThrottle, s.Http?.HttpStatus ?? null];
}

/** The Trace row of a fully fetched trace. */
export function traceRow(sourceId: number, t: TraceSummary): unknown[] {
  return [
    sourceId,
    t.traceId,
    new Date(t.startTime),
    t.durationMs,
    t.rootName ?? null,
    t.functionName ?? null,
    t.requestId ?? null,
    t.coldStart,
    t.initMs ?? null,
    t.fault,
    t.error,
    t.throttle,
    t.httpStatus ?? null,
    JSON.stringify(t.segments),
  ];
}

/** Upserts summary rows without touching what only the documents tell (segments, request id). */
export function* writeTraceSummaries(dialect: DbProvider, rows: unknown[][]): Sql<void> {
  yield* insertRows(dialect, "Trace", SUMMARY_COLUMNS, rows, { conflict: ["sourceId", "traceId"], update: SUMMARY_COLUMNS.slice(3) });
}

/** Upserts fully fetched traces. */
export function* writeTraces(dialect: DbProvider, rows: unknown[][]): Sql<void> {
  yield* insertRows(dialect, "Trace", DETAIL_COLUMNS, rows, { conflict: ["sourceId", "traceId"], update: DETAIL_COLUMNS.slice(2) });
}

/** Stores one page of summaries: skips traces already complete, fetches the documents of those that want detail. */
async function storeSummaryPage(xray: XRayClient, opts: TracesCollectOptions, summaries: Map<string, AwsTraceSummary>, rate: number, res: TracesResult): Promise<void> {
  // Stored traces whose duration did not change are complete: skip them.
  const ids = [...summaries.keys()].sort();
  const known = new Map<string, { durationMs: number; detailed: boolean }>();
  for (const part of chunks(ids)) {
    const rows = await opts.store.read(() =>
      all<{ traceId: string; durationMs: unknown; detailed: unknown }>(`SELECT "traceId", "durationMs", CASE WHEN "segmentsJson" = '[]' THEN 0 ELSE 1 END AS "detailed" FROM "Trace" WHERE "sourceId" = ? AND ${inList(`"traceId"`, part)}`, [opts.sourceId, ...part]),
    );
    for (const r of rows) known.set(String(r.traceId), { durationMs: toNum(r.durationMs), detailed: toNum(r.detailed) === 1 });
  }
  const changed = ids.filter((id) => {
    const k = known.get(id);
    const s = summaries.get(id)!;
    return !k || Math.abs(k.durationMs - (s.Duration ?? 0) * 1000) > 1.5 || (!k.detailed && wantsDetail(s, rate));
  });
  res.skipped += ids.length - changed.length;
  const summaryRows = changed.filter((id) => !wantsDetail(summaries.get(id)!, rate)).map((id) => summaryRow(opts.sourceId, summaries.get(id)!));
  const detailIds = changed.filter((id) => wantsDetail(summaries.get(id)!, rate));
  const detailRows: unknown[][] = [];
  const aliases: Array<{ requestId: string; traceId: string; alias: string }> = [];
  // Several BatchGetTraces in flight; the quota middleware keeps them under the API's rate.
  await mapPool(
    chunks(detailIds, BATCH_GET_TRACES_MAX),
    6,
    async (five) => {
      try {
        for await (const page of paginateBatchGetTraces({ client: xray }, { TraceIds: five })) {
          for (const t of page.Traces ?? []) {
            if (!t.Id) continue;
            res.fetched++;
            const summary = summarizeTrace(t.Id, (t.Segments ?? []).map((s) => s.Document ?? ""));
            res.malformed += summary.malformed;
            if (summary.kind !== "trace") {
              summaryRows.push(summaryRow(opts.sourceId, summaries.get(t.Id)!));
              continue;
            }
            detailRows.push(traceRow(opts.sourceId, summary));
            if (summary.requestId && summary.version && summary.version !== "$LATEST" && !/^\d+$/.test(summary.version)) aliases.push({ requestId: summary.requestId, traceId: summary.traceId, alias: summary.version });
          }
        }
      } catch (err) {
        res.failed++;
        res.errors.push(`BatchGetTraces: ${(err as Error).name}: ${(err as Error).message}`);
      }
    },
    opts.signal,
  );
  if (opts.signal?.aborted) return;
  detailRows.sort((a, b) => (String(a[1]) < String(b[1]) ? -1 : 1));
  if (summaryRows.length + detailRows.length + aliases.length === 0) return;
  await opts.store.transaction(() =>
    (function* (): Sql<void> {
      yield* writeTraceSummaries(opts.store.dialect, summaryRows);
      yield* writeTraces(opts.store.dialect, detailRows);
      if (aliases.length) yield* linkTraceAliases(aliases);
    })(),
  );
  res.written += summaryRows.length + detailRows.length;
}

/**
 * One traces cycle for a source. Each page of summaries is stored before the next is read
 * (memory stays one page deep whatever the window holds); the cursor moves once a whole
 * slice is stored with no failure (re-storing a page is a no-op).
 */
export async function collectTraces(xray: XRayClient, opts: TracesCollectOptions): Promise<TracesResult> {
  const overlap = opts.overlapMs ?? 15 * 60_000;
  const rate = opts.detailRate ?? 0.05;
  const start = opts.cursor === undefined ? opts.initialStart : Math.min(opts.cursor - overlap, opts.now - overlap);
  const end = opts.now;
  const res: TracesResult = { window: { start, end }, summaries: 0, fetched: 0, written: 0, skipped: 0, malformed: 0, failed: 0, errors: [] };
  for (const [from, to] of sliceWindow(start, end)) {
    if (opts.signal?.aborted) return res;
    // X-Ray may list a trace on two pages of one window: each is stored once.
    const seen = new Set<string>();
    const pages = paginateGetTraceSummaries({ client: xray }, { StartTime: new Date(from), EndTime: new Date(to), Sampling: false })[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<{ TraceSummaries?: AwsTraceSummary[] }>;
      try {
        next = await pages.next();
      } catch (err) {
        res.failed++;
        res.errors.push(`GetTraceSummaries: ${(err as Error).name}: ${(err as Error).message}`);
        return res;
      }
      if (next.done) break;
      const summaries = new Map<string, AwsTraceSummary>();
      for (const s of next.value.TraceSummaries ?? []) {
        if (!s.Id || seen.has(s.Id)) continue;
        seen.add(s.Id);
        summaries.set(s.Id, s);
      }
      res.summaries += summaries.size;
      if (summaries.size) await storeSummaryPage(xray, opts, summaries, rate, res);
      if (opts.signal?.aborted) return res;
    }
    if (res.failed === 0) await opts.store.transaction(() => writeCursor(opts.store.dialect, { sourceId: opts.sourceId, collector: TRACES_COLLECTOR, key: "all", position: String(to) }));
  }
  return res;
}
