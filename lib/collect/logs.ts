/**
 * Logs collector: FilterLogEvents over every /aws/lambda/<fn> group and every API access-log
 * group, each from its own cursor minus a look-back overlap (late events), one store
 * transaction per page with the cursor advance inside it.
 */
import { paginateFilterLogEvents, type CloudWatchLogsClient, type FilteredLogEvent } from "@aws-sdk/client-cloudwatch-logs";
import type { Store } from "../store/sql.ts";
import { ingestLambdaLogEvents, type FunctionRef } from "../store/log-ingest.ts";
import { ingestAccessLogEvents, type StageRef } from "../store/access-log-ingest.ts";
import type { RawLogEvent } from "../store/invocation-assembly.ts";
import { positionMs } from "../store/cursors.ts";

export const LOGS_COLLECTOR = "logs";
export const DEFAULT_LOOKBACK_MS = 15 * 60_000;
/** A skipped idle group is still read at least this often (catches activity ListMetrics has not listed yet). */
export const IDLE_REREAD_MS = 2 * 3_600_000;

export type LogGroupTask =
  | { kind: "lambda"; group: string; fn: FunctionRef }
  | { kind: "access"; group: string; stage: StageRef };

export interface LogsCollectOptions {
  store: Store;
  sourceId: number;
  /** End of this cycle's window (epoch ms). */
  now: number;
  /** Start of the first window of a group without a cursor. */
  initialStart: number;
  lookbackMs?: number;
  /** Cursors by group name (from readCursors). */
  cursors: Map<string, string>;
  /** Functions with recent activity; groups of other functions are read only every IDLE_REREAD_MS. Null = read all. */
  activeFunctions?: Set<string> | null;
  purgedBefore?: number;
  concurrency?: number;
  /** FilterLogEvents page size (AWS max 10,000). */
  limit?: number;
  signal?: AbortSignal;
  onPage?: (group: string, events: number) => void;
}

export interface GroupResult {
  group: string;
  /** The function of a Lambda group (absent for access logs). */
  functionName?: string;
  skippedIdle: boolean;
  pages: number;
  events: number;
  written: number;
  skipped: number;
  malformed: number;
  invocations: number;
  error?: string;
}

export interface LogsResult {
  groups: GroupResult[];
  written: number;
  skipped: number;
  malformed: number;
  failed: number;
  /** Functions whose groups had new events this cycle. */
  activeFunctions: Set<string>;
  /** Malformed lines per function name. */
  malformedByFunction: Record<string, number>;
}

/** The [start, end] FilterLogEvents window of a group this cycle (pure). */
export function planLogWindow(cursor: number | undefined, now: number, initialStart: number, lookbackMs: number): { start: number; end: number } {
  const start = cursor === undefined ? initialStart : Math.min(cursor - lookbackMs, now);
  return { start: Math.max(0, start), end: now };
}

/** Whether an idle group can be skipped this cycle (pure). */
export function shouldSkipIdle(cursor: number | undefined, now: number, active: boolean, hasActivityInfo: boolean): boolean {
  if (!hasActivityInfo || active || cursor === undefined) return false;
  return now - cursor < IDLE_REREAD_MS;
}

function toRaw(e: FilteredLogEvent): RawLogEvent | undefined {
  if (!e.eventId || e.timestamp === undefined || e.message === undefined) return undefined;
  return { eventId: e.eventId, logStream: e.logStreamName ?? "", timestamp: e.timestamp, message: e.message };
}

/** Collects one log group from its cursor to `now`. */
export async function collectLogGroup(logs: CloudWatchLogsClient, task: LogGroupTask, opts: LogsCollectOptions): Promise<GroupResult> {
  const res: GroupResult = { group: task.group, functionName: task.kind === "lambda" ? task.fn.name : undefined, skippedIdle: false, pages: 0, events: 0, written: 0, skipped: 0, malformed: 0, invocations: 0 };
  const cursor = positionMs(opts.cursors.get(task.group));
  if (task.kind === "lambda" && shouldSkipIdle(cursor, opts.now, opts.activeFunctions?.has(task.fn.name) ?? false, !!opts.activeFunctions)) {
    res.skippedIdle = true;
    return res;
  }
  const { start, end } = planLogWindow(cursor, opts.now, opts.initialStart, opts.lookbackMs ?? DEFAULT_LOOKBACK_MS);
  let reached = cursor ?? start;
  try {
    const pages = paginateFilterLogEvents({ client: logs, pageSize: opts.limit }, { logGroupName: task.group, startTime: start, endTime: end });
    for await (const page of pages) {
      res.pages++;
      const events = (page.events ?? []).map(toRaw).filter((e): e is RawLogEvent => !!e);
      res.events += events.length;
      const last = !page.nextToken;
      // Mid-window pages advance the cursor to the newest event seen (the look-back covers any disorder).
      if (events.length) reached = Math.max(reached, Math.min(end, Math.max(...events.map((e) => e.timestamp))));
      const position = last ? end : reached;
      const cursorWrite = { sourceId: opts.sourceId, collector: LOGS_COLLECTOR, key: task.group, position: String(position) };
      const r: { written: number; skipped: number; malformed: number; invocations?: number } =
        task.kind === "lambda"
          ? await ingestLambdaLogEvents(opts.store, task.fn, events, { cursor: cursorWrite, purgedBefore: opts.purgedBefore })
          : await ingestAccessLogEvents(opts.store, task.stage, events, { cursor: cursorWrite, purgedBefore: opts.purgedBefore });
      res.written += r.written;
      res.skipped += r.skipped;
      res.malformed += r.malformed;
      res.invocations += r.invocations ?? 0;
      opts.onPage?.(task.group, events.length);
      if (opts.signal?.aborted) break;
    }
  } catch (err) {
    const e = err as { name?: string; message?: string };
    // A group that does not exist yet (a function never invoked) is not an error.
    if (e.name !== "ResourceNotFoundException") res.error = `${e.name ?? "Error"}: ${e.message ?? String(err)}`;
  }
  return res;
}

/** Runs `fn` over items with at most `n` in flight. */
export async function mapPool<T, R>(items: T[], n: number, fn: (item: T) => Promise<R>, signal?: AbortSignal): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal?.aborted) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out.filter((r) => r !== undefined);
}

/** Collects every log group of a source. */
export async function collectLogs(logs: CloudWatchLogsClient, tasks: LogGroupTask[], opts: LogsCollectOptions): Promise<LogsResult> {
  const groups = await mapPool(tasks, opts.concurrency ?? 4, (t) => collectLogGroup(logs, t, opts), opts.signal);
  const out: LogsResult = { groups, written: 0, skipped: 0, malformed: 0, failed: 0, activeFunctions: new Set(), malformedByFunction: {} };
  for (const g of groups) {
    out.written += g.written;
    out.skipped += g.skipped;
    out.malformed += g.malformed;
    if (g.error) out.failed++;
    if (g.functionName) {
      if (g.written > 0) out.activeFunctions.add(g.functionName);
      if (g.malformed > 0) out.malformedByFunction[g.functionName] = (out.malformedByFunction[g.functionName] ?? 0) + g.malformed;
    }
  }
  return out;
}
