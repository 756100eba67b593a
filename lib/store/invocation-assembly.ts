/**
 * Pure assembly of Lambda log events into invocations: one per REPORT line (or
 * platform.report), with the status, error and cold start its stream's lines tell.
 * Used by the polling collector and by push ingestion alike.
 */
import { parseLambdaLogMessage, type ParsedLogLine, type ReportLine } from "../parse/lambda-log.ts";
import { parseLogStreamName } from "../parse/log-stream.ts";

/** A CloudWatch Logs event as FilterLogEvents (or a subscription payload) delivers it. */
export interface RawLogEvent {
  eventId: string;
  logStream: string;
  /** Epoch ms. */
  timestamp: number;
  message: string;
}

export interface ParsedLogEvent extends RawLogEvent {
  lines: ParsedLogLine[];
  /** The request the event belongs to, when the line or its position in the stream says. */
  requestId?: string;
  malformed: boolean;
}

export type InvocationStatus = "ok" | "error" | "timeout" | "oom";

export interface AssembledInvocation {
  requestId: string;
  logStream: string;
  version: string;
  /** START line time (or end − duration when the START line is unknown). */
  startedAt: number;
  /** REPORT line time: with the request id, it identifies one attempt. */
  endedAt: number;
  /** False when the START line was not among the events given (the caller completes it from the store). */
  hasStart: boolean;
  durationMs: number;
  billedMs: number;
  memoryMb: number;
  maxMemoryUsedMb: number;
  initMs?: number;
  restoreMs?: number;
  coldStart: boolean;
  status: InvocationStatus;
  errorType?: string;
  errorMessage?: string;
  traceId?: string;
  /** Events that make up this invocation (START, its lines, REPORT) among those given. */
  eventIds: string[];
}

/** Error types the truth, the Errors metric and error groups use for these outcomes. */
export const TIMEOUT_ERROR_TYPE = "Sandbox.Timedout";
export const OOM_ERROR_TYPE = "Runtime.OutOfMemory";

// Reasons the parser gives for lines that claim a Lambda or JSON structure but are broken.
// Free-form text ("unrecognized line") is ordinary application output, not malformed.
const MALFORMED_REASON = /^(malformed |REPORT line|platform\.|invalid JSON|JSON line is not an object|parser error|not a string|malformed)/;

/** True when a parsed line is a broken platform/structured line (counted and skipped). */
export function isMalformedLine(line: ParsedLogLine): boolean {
  return line.kind === "unparsed" && MALFORMED_REASON.test(line.reason);
}

/** Parses one event's message (which may hold several lines). */
export function parseLogEvent(e: RawLogEvent): ParsedLogEvent {
  const lines = parseLambdaLogMessage(e.message);
  let requestId: string | undefined;
  let malformed = false;
  for (const l of lines) {
    if (requestId === undefined && "requestId" in l && typeof l.requestId === "string") requestId = l.requestId;
    if (isMalformedLine(l)) malformed = true;
  }
  return { eventId: e.eventId, logStream: e.logStream, timestamp: e.timestamp, message: e.message, lines, requestId, malformed };
}

/** The version a log stream name carries ("[$LATEST]", "[7]"), if it is a Lambda stream. */
export function versionOfStream(stream: string): string | undefined {
  const info = parseLogStreamName(stream);
  return info.kind === "log_stream" ? info.version : undefined;
}

interface Item {
  line: ParsedLogLine;
  message: string;
}

interface Context {
  requestId: string;
  eventIds: string[];
  startTs: number;
  version?: string;
  traceId?: string;
  items: Item[];
}

const TYPE_PREFIX = /^([A-Za-z_$][\w$.]*(?:\.[\w$]+)*): ([\s\S]*)$/;
const DEFINITIVE_SOURCES = new Set(["invoke_error", "uncaught_exception", "unhandled_rejection", "python_uncaught", "runtime_exit"]);
const ERROR_LEVELS = new Set(["ERROR", "FATAL", "CRITICAL", "FAIL", "CRIT"]);

/** Splits "Type: message" (the head of most runtimes' error lines). */
export function splitTypedMessage(text: string | undefined): { type?: string; message?: string } {
  if (!text) return {};
  const first = text.split(/\r?\n/, 1)[0]!;
  const m = TYPE_PREFIX.exec(first);
  return m ? { type: m[1], message: m[2] } : { message: first };
}

/** A bare JSON error payload as the Java and Go runtimes print it: errorType + errorMessage, no log level. */
function isBareErrorPayload(message: string): boolean {
  if (!message.startsWith("{")) return false;
  try {
    const o = JSON.parse(message) as Record<string, unknown>;
    return typeof o.errorType === "string" && "errorMessage" in o && o.level === undefined && o.log_level === undefined && o.type === undefined;
  } catch {
    return false;
  }
}

interface Failure {
  status: InvocationStatus;
  errorType?: string;
  errorMessage?: string;
}

/**
 * The outcome of an invocation from its REPORT and the lines between START and REPORT.
 * The REPORT/platform status wins; otherwise runtime failure lines decide (application
 * ERROR logs alone do not fail an invocation, except the last line of a custom runtime).
 */
export function failureOf(report: ReportLine, items: Item[], runtime?: string): Failure {
  let lineType: string | undefined;
  let lineMessage: string | undefined;
  let definitive: Failure | undefined;
  let runtimeDoneStatus: string | undefined;
  let runtimeDoneType: string | undefined;
  let lastErrorish: Failure | undefined;
  for (const { line, message } of items) {
    if (line.kind === "timeout") {
      definitive ??= { status: "timeout", errorType: TIMEOUT_ERROR_TYPE, errorMessage: `Task timed out after ${line.timeoutSeconds.toFixed(2)} seconds` };
      continue;
    }
    if (line.kind === "platform" && line.eventType === "platform.runtimeDone") {
      runtimeDoneStatus = line.status;
      runtimeDoneType = line.errorType;
      continue;
    }
    if (line.kind === "error") {
      const split = line.errorType ? { type: line.errorType, message: line.errorMessage } : splitTypedMessage(line.errorMessage);
      if (lineMessage === undefined && split.message !== undefined) lineMessage = split.message;
      if (lineType === undefined && split.type !== undefined) lineType = split.type;
      if (line.oom) definitive = { status: "oom", errorType: OOM_ERROR_TYPE, errorMessage: line.errorMessage };
      else if (DEFINITIVE_SOURCES.has(line.source) || isBareErrorPayload(message)) definitive ??= { status: "error", errorType: split.type, errorMessage: split.message };
      lastErrorish = { status: "error", errorType: split.type, errorMessage: split.message };
      continue;
    }
    if (line.kind === "app_log") {
      if (ERROR_LEVELS.has(line.level)) {
        const split = splitTypedMessage(line.message);
        // .NET prints an unhandled exception as a "fail" line with the type and a stack.
        if (line.level === "FAIL" && split.type && /\n\s+at /.test(line.message)) definitive ??= { status: "error", errorType: split.type, errorMessage: split.message };
        lastErrorish = { status: "error", errorType: split.type, errorMessage: split.message };
      } else lastErrorish = undefined;
      continue;
    }
  }
  const status = report.status ?? runtimeDoneStatus;
  if (status !== undefined) {
    if (status === "success") return { status: "ok" };
    if (status === "timeout") return { status: "timeout", errorType: TIMEOUT_ERROR_TYPE, errorMessage: definitive?.errorMessage ?? "Task timed out" };
    const type = report.errorType ?? runtimeDoneType;
    if (report.oom || type === OOM_ERROR_TYPE) return { status: "oom", errorType: OOM_ERROR_TYPE, errorMessage: definitive?.errorMessage ?? lineMessage };
    return { status: "error", errorType: type ?? definitive?.errorType ?? lineType ?? "Error", errorMessage: definitive?.errorMessage ?? lineMessage };
  }
  if (definitive) return { ...definitive, errorType: definitive.errorType ?? "Error" };
  if (runtime?.startsWith("provided") && lastErrorish) return { ...lastErrorish, errorType: lastErrorish.errorType ?? "Error" };
  return { status: "ok" };
}

/** Builds one invocation from its REPORT line and the context its START opened (if seen). */
function finish(ev: ParsedLogEvent, report: ReportLine, ctx: Context | undefined, runtime: string | undefined, fallbackVersion: string | undefined, eventIds: string[], orphanItems?: Item[]): AssembledInvocation {
  const failure = failureOf(report, ctx?.items ?? orphanItems ?? [], runtime);
  const inv: AssembledInvocation = {
    eventIds,
    requestId: report.requestId,
    logStream: ev.logStream,
    version: ctx?.version ?? fallbackVersion ?? "$LATEST",
    startedAt: ctx ? ctx.startTs : ev.timestamp - Math.round(report.durationMs),
    endedAt: ev.timestamp,
    hasStart: !!ctx,
    durationMs: report.durationMs,
    billedMs: Math.round(report.billedDurationMs),
    memoryMb: Math.round(report.memorySizeMb),
    maxMemoryUsedMb: Math.round(report.maxMemoryUsedMb),
    coldStart: report.initDurationMs !== undefined || report.restoreDurationMs !== undefined,
    status: failure.status,
  };
  if (report.initDurationMs !== undefined) inv.initMs = report.initDurationMs;
  if (report.restoreDurationMs !== undefined) inv.restoreMs = report.restoreDurationMs;
  if (failure.errorType !== undefined) inv.errorType = failure.errorType;
  if (failure.errorMessage !== undefined) inv.errorMessage = failure.errorMessage.slice(0, 2000);
  // Only sampled traces exist in X-Ray; an unsampled id links to nothing.
  const traceId = report.xrayTraceId ?? ctx?.traceId;
  if (traceId && report.xraySampled !== false) inv.traceId = traceId;
  return inv;
}

export interface StreamAssembly {
  invocations: AssembledInvocation[];
  /** Request id of each event (its own, or the invocation open in its stream when it was written). */
  requestIdOf: Map<string, string>;
}

/**
 * How far a START may precede its REPORT's timestamp minus the reported duration. Retries of
 * one request id come a minute or more apart; the START of the same attempt is within a few ms.
 */
const ATTEMPT_SLACK_MS = 2_000;

/** Assembles one log stream's events (sorted by time, then event id). */
export function assembleStream(events: ParsedLogEvent[], runtime?: string): StreamAssembly {
  const invocations: AssembledInvocation[] = [];
  const requestIdOf = new Map<string, string>();
  const open = new Map<string, Context>();
  // Lines of invocations whose START is not among the events: by request id, or (no id) since the last REPORT.
  // Each with its event's timestamp: a REPORT takes only those after its own start.
  type Pending = { ids: Array<{ id: string; ts: number }>; items: Array<{ item: Item; ts: number }> };
  const orphans = new Map<string, Pending>();
  let anonymous: Pending = { ids: [], items: [] };
  let current: Context | undefined;
  const fallbackVersion = events.length ? versionOfStream(events[0]!.logStream) : undefined;
  for (const ev of events) {
    let evRequest = ev.requestId;
    for (const line of ev.lines) {
      if (line.kind === "start") {
        current = { requestId: line.requestId, eventIds: [ev.eventId], startTs: ev.timestamp, version: line.version, traceId: line.xrayTraceId, items: [] };
        open.set(line.requestId, current);
        anonymous = { ids: [], items: [] };
        evRequest ??= line.requestId;
        continue;
      }
      if (line.kind === "report") {
        // A START well before this REPORT's own start opened an earlier attempt of the request
        // id (an async retry) whose REPORT is not among these events: not this invocation's.
        const opened = open.get(line.requestId);
        const ctx = opened && opened.startTs >= ev.timestamp - line.durationMs - ATTEMPT_SLACK_MS ? opened : undefined;
        const orphan = orphans.get(line.requestId);
        const since = ev.timestamp - line.durationMs - ATTEMPT_SLACK_MS;
        const ids = ctx ? ctx.eventIds : [...anonymous.ids, ...(orphan?.ids ?? [])].filter((x) => x.ts >= since).map((x) => x.id);
        if (ids[ids.length - 1] !== ev.eventId) ids.push(ev.eventId);
        const items = ctx ? undefined : [...anonymous.items, ...(orphan?.items ?? [])].filter((x) => x.ts >= since).map((x) => x.item);
        invocations.push(finish(ev, line, ctx, runtime, fallbackVersion, ids, items));
        open.delete(line.requestId);
        orphans.delete(line.requestId);
        anonymous = { ids: [], items: [] };
        if (current?.requestId === line.requestId) current = undefined;
        continue;
      }
      const rid = "requestId" in line && typeof line.requestId === "string" ? line.requestId : undefined;
      const target = rid !== undefined ? open.get(rid) : current;
      if (target) {
        target.items.push({ line, message: ev.message });
        if (target.eventIds[target.eventIds.length - 1] !== ev.eventId) target.eventIds.push(ev.eventId);
      } else {
        const o = rid !== undefined ? (orphans.get(rid) ?? orphans.set(rid, { ids: [], items: [] }).get(rid)!) : anonymous;
        o.items.push({ item: { line, message: ev.message }, ts: ev.timestamp });
        if (o.ids[o.ids.length - 1]?.id !== ev.eventId) o.ids.push({ id: ev.eventId, ts: ev.timestamp });
      }
      evRequest ??= target?.requestId;
    }
    if (evRequest !== undefined) requestIdOf.set(ev.eventId, evRequest);
  }
  return { invocations, requestIdOf };
}

/** Orders events the way CloudWatch Logs does: time, then event id (same-length digit strings). */
export function compareEvents(a: RawLogEvent, b: RawLogEvent): number {
  if (a.timestamp !== b.timestamp) return a.timestamp - b.timestamp;
  if (a.eventId.length !== b.eventId.length) return a.eventId.length - b.eventId.length;
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

/** Groups events by stream, each sorted, an event given twice kept once (same id: same time, adjacent). */
export function byStream<T extends RawLogEvent>(events: T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const e of events) {
    let l = out.get(e.logStream);
    if (!l) out.set(e.logStream, (l = []));
    l.push(e);
  }
  for (const [stream, l] of out) {
    l.sort(compareEvents);
    let n = 0;
    for (let i = 0; i < l.length; i++) if (n === 0 || l[i]!.eventId !== l[n - 1]!.eventId) l[n++] = l[i]!;
    if (n < l.length) out.set(stream, l.slice(0, n));
  }
  return out;
}
