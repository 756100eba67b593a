// Parsers for the lines Lambda writes to CloudWatch Logs, in both LogFormat=Text
// and LogFormat=JSON. Pure and total: every input yields a ParsedLogLine.
import {
  asNumber,
  asRecord,
  asString,
  describeError,
  tryParseJson,
  unparsed,
  type Unparsed,
} from "./unparsed.ts";

export type LogFormat = "text" | "json";

interface LineBase {
  format: LogFormat;
  /** ISO timestamp printed on the line itself, when there is one. */
  time?: string;
}

export interface StartLine extends LineBase {
  kind: "start";
  requestId: string;
  version?: string;
  xrayTraceId?: string;
}

export interface EndLine extends LineBase {
  kind: "end";
  requestId: string;
}

/** "success" | "timeout" | "error" | "failure" as Lambda prints them; other values pass through. */
export type ReportStatus = "success" | "timeout" | "error" | "failure" | (string & {});

export interface ReportLine extends LineBase {
  kind: "report";
  requestId: string;
  durationMs: number;
  billedDurationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  initDurationMs?: number;
  restoreDurationMs?: number;
  billedRestoreDurationMs?: number;
  /** Absent on text REPORT lines without a Status field. */
  status?: ReportStatus;
  errorType?: string;
  xrayTraceId?: string;
  xraySegmentId?: string;
  xraySampled?: boolean;
  /** Set when Lambda reported Runtime.OutOfMemory. */
  oom?: boolean;
}

export interface InitStartLine extends LineBase {
  kind: "init_start";
  runtimeVersion?: string;
  runtimeVersionArn?: string;
  initializationType?: string;
  phase?: string;
  functionName?: string;
  functionVersion?: string;
}

export interface TimeoutLine extends LineBase {
  kind: "timeout";
  requestId?: string;
  timeoutSeconds: number;
}

/** Where an error line came from; "app_log" is application logging at ERROR/FATAL/CRITICAL level. */
export type ErrorSource =
  | "invoke_error"
  | "uncaught_exception"
  | "unhandled_rejection"
  | "python_uncaught"
  | "runtime_exit"
  | "app_log";

export interface ErrorLine extends LineBase {
  kind: "error";
  source: ErrorSource;
  requestId?: string;
  errorType?: string;
  errorMessage?: string;
  stack?: string[];
  level?: string;
  /** The runtime was killed for exceeding its memory (signal: killed / Runtime.OutOfMemory). */
  oom: boolean;
}

export interface PlatformLine extends LineBase {
  kind: "platform";
  /** JSON event type ("platform.runtimeDone"); text lines map to the same names ("platform.initReport"), XRAY-only lines to "xray". */
  eventType: string;
  requestId?: string;
  status?: string;
  phase?: string;
  durationMs?: number;
  errorType?: string;
  name?: string;
  xrayTraceId?: string;
  xraySegmentId?: string;
  xraySampled?: boolean;
  /** The JSON record or the text line's key/value fields. */
  detail?: Record<string, unknown>;
}

export interface AppLogLine extends LineBase {
  kind: "app_log";
  requestId?: string;
  level: string;
  message: string;
}

export type UnparsedLine = Unparsed;

/** One normalized Lambda log line, discriminated by `kind`. */
export type ParsedLogLine =
  | StartLine
  | EndLine
  | ReportLine
  | TimeoutLine
  | ErrorLine
  | InitStartLine
  | PlatformLine
  | AppLogLine
  | UnparsedLine;

export type LogLineKind = ParsedLogLine["kind"];

/** Every value `ParsedLogLine["kind"]` can take. */
export const LOG_LINE_KINDS: readonly LogLineKind[] = [
  "start",
  "end",
  "report",
  "timeout",
  "error",
  "init_start",
  "platform",
  "app_log",
  "unparsed",
];

const ERROR_LEVELS = new Set(["ERROR", "FATAL", "CRITICAL"]);

const START_RE = /^START RequestId: (\S+)(?:\s+Version: (\S+))?\s*$/;
const END_RE = /^END RequestId: (\S+)\s*$/;
// The whole canonical REPORT event (optionally followed by its XRAY line) in one native match.
const REPORT_FULL_RE = new RegExp(
  "^REPORT RequestId: (\\S+)[ \\t]+Duration: (\\d+(?:\\.\\d+)?) ms[ \\t]+Billed Duration: (\\d+) ms" +
    "[ \\t]+Memory Size: (\\d+) MB[ \\t]+Max Memory Used: (\\d+) MB" +
    "(?:[ \\t]+Init Duration: (\\d+(?:\\.\\d+)?) ms)?" +
    "(?:[ \\t]+Restore Duration: (\\d+(?:\\.\\d+)?) ms)?" +
    "(?:[ \\t]+Billed Restore Duration: (\\d+) ms)?" +
    "(?:[ \\t]+Status: ([^\\s]+))?" +
    "(?:[ \\t]+Error Type: ([^\\s]+))?" +
    "(?:\\s+XRAY TraceId: ([^\\s]+)[ \\t]+SegmentId: ([^\\s]+)[ \\t]+Sampled: (true|false))?" +
    "\\s*$",
);
// Fallback for REPORT lines whose fields are separated by spaces instead of tabs; longest keys first.
const REPORT_FIELD_RE =
  /(?:^|\s)(Billed Restore Duration|Billed Duration|Restore Duration|Init Duration|Max Memory Used|Memory Size|Duration|Status|Error Type|XRAY TraceId|SegmentId|Sampled): ?(\S+)/g;
const RUNTIME_VERSION_RE = /Runtime Version: (\S+)(?:\s+Runtime Version ARN: (\S+))?/;
const PLATFORM_FIELD_RE =
  /(?:^|\s)(Init Duration|Restore Duration|Phase|Status|Error Type|Name|State): ?(\S+)/g;
const TIMEOUT_RE = /^(?:(\S+)\s+)?(?:(\S+)\s+)?Task timed out after (\d+(?:\.\d+)?) seconds/;
const RUNTIME_EXIT_RE =
  /^(?:RequestId: (\S+)\s+)?(?:Error: )?(Runtime exited[\s\S]*|Process exited before completing request[\s\S]*|Unknown application error occurred[\s\S]*)$/;
const ERROR_TYPE_PREFIX_RE = /^([A-Za-z_$][\w$.]*(?:Error|Exception|Fault))(?::\s|:?$)/;
const PY_ERROR_HEAD_RE = /^([A-Za-z_][\w.]*)(?::\s?([\s\S]*))?$/;
const BARE_ERROR_TYPE_RE = /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+$/;
const LINE_BREAK_RE = /\r\n|\r|\n/;
const LEVEL_RE = /^[A-Za-z]{3,8}$/;
const JSON_ERROR_TYPE_RE = /"errorType"\s*:\s*"([^"]*)"/;
const JSON_ERROR_MESSAGE_RE = /"errorMessage"\s*:\s*"((?:[^"\\]|\\.)*)"/;

/** Parses one line of a Lambda log event; never throws. */
export function parseLambdaLogLine(line: string): ParsedLogLine {
  if (typeof line !== "string") return unparsed("not a string");
  try {
    return dispatchLine(line.trimEnd());
  } catch (err) {
    return unparsed(`parser error: ${describeError(err)}`);
  }
}

/** Parses a whole CloudWatch event message, which may hold several lines (REPORT + XRAY, error + traceback); never throws. */
export function parseLambdaLogMessage(message: string): ParsedLogLine[] {
  if (typeof message !== "string") return [unparsed("not a string")];
  try {
    const trimmed = message.trimEnd();
    if (trimmed.length === 0) return [];
    if (trimmed.indexOf("\n") === -1) return [dispatchLine(trimmed)];
    // REPORT + XRAY is the common multi-line event: parse it whole, without splitting.
    if (hasPrefix(trimmed, "REPORT RequestId: ")) {
      const report = parseReportStrict(trimmed);
      if (report !== undefined) return [report];
    }
    const out: ParsedLogLine[] = [];
    for (const raw of trimmed.split("\n")) {
      const line = raw.trimEnd();
      const prev = out.length > 0 ? out[out.length - 1] : undefined;
      if (line.length === 0) {
        if (prev) appendContinuation(prev, "");
        continue;
      }
      const parsed = dispatchLine(line);
      if (prev && mergeInto(prev, parsed, line)) continue;
      out.push(parsed);
    }
    return out;
  } catch (err) {
    return [unparsed(`parser error: ${describeError(err)}`)];
  }
}

/** The flat JSON object a CLI prints for one parsed line (absent keys omitted, fixed key order). */
export interface ParseLogsJson {
  kind: LogLineKind;
  /** Platform lines only: "platform.runtimeDone", "platform.initReport", "xray", ... */
  eventType?: string;
  requestId?: string;
  version?: string;
  /** INIT_START / platform.initStart: "nodejs:20.v13". */
  runtimeVersion?: string;
  durationMs?: number;
  billedDurationMs?: number;
  memorySizeMb?: number;
  maxMemoryUsedMb?: number;
  initDurationMs?: number;
  restoreDurationMs?: number;
  xrayTraceId?: string;
  status?: string;
  errorType?: string;
  errorMessage?: string;
  timeoutSeconds?: number;
  level?: string;
}

const PARSE_LOGS_JSON_KEYS = [
  "eventType",
  "requestId",
  "version",
  "runtimeVersion",
  "durationMs",
  "billedDurationMs",
  "memorySizeMb",
  "maxMemoryUsedMb",
  "initDurationMs",
  "restoreDurationMs",
  "xrayTraceId",
  "status",
  "errorType",
  "errorMessage",
  "timeoutSeconds",
  "level",
] as const;

/** Flattens a parsed line into the CLI's `parse-logs --json` shape. */
export function toParseLogsJson(line: ParsedLogLine): ParseLogsJson {
  const out: Record<string, unknown> = { kind: line.kind };
  const src = line as unknown as Record<string, unknown>;
  for (const key of PARSE_LOGS_JSON_KEYS) {
    if (key === "status" && line.kind === "timeout") {
      out.status = "timeout";
      continue;
    }
    const value = src[key];
    if (value !== undefined) out[key] = value;
  }
  return out as unknown as ParseLogsJson;
}

function dispatchLine(line: string): ParsedLogLine {
  if (line.length === 0) return unparsed("empty line");
  switch (line.charCodeAt(0)) {
    case 0x53: // S
      if (hasPrefix(line, "START RequestId: ")) return parseStart(line);
      break;
    case 0x45: // E
      if (hasPrefix(line, "END RequestId: ")) return parseEnd(line);
      if (hasPrefix(line, "EXTENSION")) return parseTextPlatform(line, "platform.extension", 9);
      if (hasPrefix(line, "Error: ")) return parseRuntimeExit(line);
      break;
    case 0x52: // R
      if (hasPrefix(line, "REPORT RequestId: ")) return parseReport(line);
      if (hasPrefix(line, "RESTORE_START")) return parseTextPlatform(line, "platform.restoreStart", 13);
      if (hasPrefix(line, "RESTORE_REPORT")) return parseTextPlatform(line, "platform.restoreReport", 14);
      if (hasPrefix(line, "RequestId: ")) return parseRuntimeExit(line);
      break;
    case 0x49: // I
      if (hasPrefix(line, "INIT_START")) return parseInitStart(line);
      if (hasPrefix(line, "INIT_REPORT")) return parseTextPlatform(line, "platform.initReport", 11);
      break;
    case 0x58: // X
      if (hasPrefix(line, "XRAY TraceId: ")) return parseXrayLine(line);
      break;
    case 0x54: // T
      if (hasPrefix(line, "TELEMETRY")) return parseTextPlatform(line, "platform.telemetrySubscription", 9);
      if (hasPrefix(line, "Task timed out after ")) return parseTimeout(line);
      break;
    case 0x4c: // L
      if (hasPrefix(line, "LOGS")) return parseTextPlatform(line, "platform.logsSubscription", 4);
      break;
    case 0x50: // P
    case 0x55: // U
      return parseRuntimeExit(line);
    case 0x5b: // [
      return parsePythonLine(line);
    case 0x7b: // {
      return parseJsonLine(line);
    default: {
      const c = line.charCodeAt(0);
      if (c >= 0x30 && c <= 0x39) return parseTimestamped(line);
    }
  }
  return unparsed("unrecognized line");
}

function parseStart(line: string): ParsedLogLine {
  const m = START_RE.exec(line);
  if (!m) return unparsed("malformed START line");
  const out: StartLine = { kind: "start", format: "text", requestId: m[1] };
  if (m[2] !== undefined) out.version = m[2];
  return out;
}

function parseEnd(line: string): ParsedLogLine {
  const m = END_RE.exec(line);
  if (!m) return unparsed("malformed END line");
  return { kind: "end", format: "text", requestId: m[1] };
}

interface ReportFields {
  durationMs?: number;
  billedDurationMs?: number;
  memorySizeMb?: number;
  maxMemoryUsedMb?: number;
  initDurationMs?: number;
  restoreDurationMs?: number;
  billedRestoreDurationMs?: number;
  status?: string;
  errorType?: string;
  xrayTraceId?: string;
  xraySegmentId?: string;
  xraySampled?: boolean;
}

// Fixed-shape accumulator: every field exists from construction, so stores stay monomorphic.
class ReportAcc implements ReportFields {
  durationMs: number | undefined = undefined;
  billedDurationMs: number | undefined = undefined;
  memorySizeMb: number | undefined = undefined;
  maxMemoryUsedMb: number | undefined = undefined;
  initDurationMs: number | undefined = undefined;
  restoreDurationMs: number | undefined = undefined;
  billedRestoreDurationMs: number | undefined = undefined;
  status: string | undefined = undefined;
  errorType: string | undefined = undefined;
  xrayTraceId: string | undefined = undefined;
  xraySegmentId: string | undefined = undefined;
  xraySampled: boolean | undefined = undefined;
}

// Sticky: matches one "Key: value" field at lastIndex; longest keys first so "Billed Duration" wins over "Duration".
const REPORT_FIELD_STICKY_RE =
  /[ \t\r\n]*(Billed Restore Duration|Billed Duration|Restore Duration|Init Duration|Max Memory Used|Memory Size|Duration|Status|Error Type|XRAY TraceId|SegmentId|Sampled): ([^\t\r\n]*)/y;
const TRAILING_SPACE_RE = /[ \t\r\n]*$/y;

/** Stores one REPORT field; the value may carry a unit ("12.34 ms"). */
function setReportField(acc: ReportAcc, key: string, raw: string): void {
  const value = raw.trim();
  switch (key) {
    case "Duration":
      acc.durationMs = parseFloat(value);
      return;
    case "Billed Duration":
      acc.billedDurationMs = parseFloat(value);
      return;
    case "Memory Size":
      acc.memorySizeMb = parseFloat(value);
      return;
    case "Max Memory Used":
      acc.maxMemoryUsedMb = parseFloat(value);
      return;
    case "Init Duration":
      acc.initDurationMs = parseFloat(value);
      return;
    case "Restore Duration":
      acc.restoreDurationMs = parseFloat(value);
      return;
    case "Billed Restore Duration":
      acc.billedRestoreDurationMs = parseFloat(value);
      return;
    case "Status":
      acc.status = value;
      return;
    case "Error Type":
      acc.errorType = value;
      return;
    case "XRAY TraceId":
      acc.xrayTraceId = value;
      return;
    case "SegmentId":
      acc.xraySegmentId = value;
      return;
    case "Sampled":
      acc.xraySampled = value === "true";
      return;
  }
}

/**
 * Reads tab/line-break separated fields from `from` to the end of s. False when
 * something else is there (space-separated fields, unknown keys): caller falls back.
 */
function scanReportFields(s: string, from: number, acc: ReportAcc): boolean {
  let pos = from;
  const re = REPORT_FIELD_STICKY_RE;
  for (;;) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (m === null) break;
    const value = m[2];
    if (value.indexOf(": ") !== -1) return false;
    // A second XRAY header means two lines were glued together; let the caller split them.
    if (m[1] === "XRAY TraceId" && acc.xrayTraceId !== undefined) return false;
    setReportField(acc, m[1], value);
    pos = re.lastIndex;
  }
  TRAILING_SPACE_RE.lastIndex = pos;
  TRAILING_SPACE_RE.exec(s);
  return TRAILING_SPACE_RE.lastIndex === s.length;
}

function readReportFields(s: string, from: number): ReportAcc {
  const acc = new ReportAcc();
  if (scanReportFields(s, from, acc)) return acc;
  // Fallback for space-separated fields (console copies) and unknown keys.
  const retry = new ReportAcc();
  const body = from === 0 ? s : s.slice(from);
  for (const m of body.matchAll(REPORT_FIELD_RE)) setReportField(retry, m[1], m[2]);
  return retry;
}

/** Strict REPORT parse (Lambda's field order, only known fields); undefined otherwise. */
function parseReportStrict(line: string): ReportLine | undefined {
  const m = REPORT_FULL_RE.exec(line);
  if (m === null) return undefined;
  const out: ReportLine = {
    kind: "report",
    format: "text",
    requestId: m[1],
    durationMs: Number(m[2]),
    billedDurationMs: Number(m[3]),
    memorySizeMb: Number(m[4]),
    maxMemoryUsedMb: Number(m[5]),
  };
  // Digit runs past ~308 digits overflow to Infinity: let the slow path report them as unparsed.
  if (!isNum(out.durationMs) || !isNum(out.billedDurationMs) || !isNum(out.memorySizeMb) || !isNum(out.maxMemoryUsedMb)) return undefined;
  if (m[6] !== undefined && isNum(Number(m[6]))) out.initDurationMs = Number(m[6]);
  if (m[7] !== undefined && isNum(Number(m[7]))) out.restoreDurationMs = Number(m[7]);
  if (m[8] !== undefined && isNum(Number(m[8]))) out.billedRestoreDurationMs = Number(m[8]);
  if (m[9] !== undefined) out.status = m[9];
  if (m[10] !== undefined) {
    out.errorType = m[10];
    if (m[10] === "Runtime.OutOfMemory") out.oom = true;
  }
  if (m[11] !== undefined) {
    out.xrayTraceId = m[11];
    out.xraySegmentId = m[12];
    out.xraySampled = m[13] === "true";
  }
  return out;
}

function parseReport(line: string): ParsedLogLine {
  const strict = parseReportStrict(line);
  if (strict !== undefined) return strict;
  // Slow path: any field order, unknown fields, spaces instead of tabs.
  const start = 18; // "REPORT RequestId: ".length
  let i = start;
  while (i < line.length && !isSpace(line.charCodeAt(i))) i++;
  if (i === start) return unparsed("REPORT line without RequestId");
  return buildReport(line.slice(start, i), readReportFields(line, i), "text");
}

function buildReport(
  requestId: string,
  f: ReportFields,
  format: LogFormat,
  time?: string,
): ParsedLogLine {
  if (!isNum(f.durationMs)) return unparsed("REPORT line without a numeric Duration");
  if (!isNum(f.billedDurationMs)) return unparsed("REPORT line without a numeric Billed Duration");
  if (!isNum(f.memorySizeMb)) return unparsed("REPORT line without a numeric Memory Size");
  if (!isNum(f.maxMemoryUsedMb)) return unparsed("REPORT line without a numeric Max Memory Used");
  const out: ReportLine = {
    kind: "report",
    format,
    requestId,
    durationMs: f.durationMs,
    billedDurationMs: f.billedDurationMs,
    memorySizeMb: f.memorySizeMb,
    maxMemoryUsedMb: f.maxMemoryUsedMb,
  };
  if (time !== undefined) out.time = time;
  if (isNum(f.initDurationMs)) out.initDurationMs = f.initDurationMs;
  if (isNum(f.restoreDurationMs)) out.restoreDurationMs = f.restoreDurationMs;
  if (isNum(f.billedRestoreDurationMs)) out.billedRestoreDurationMs = f.billedRestoreDurationMs;
  if (f.status !== undefined) out.status = f.status;
  if (f.errorType !== undefined) {
    out.errorType = f.errorType;
    if (f.errorType === "Runtime.OutOfMemory") out.oom = true;
  }
  if (f.xrayTraceId !== undefined) out.xrayTraceId = f.xrayTraceId;
  if (f.xraySegmentId !== undefined) out.xraySegmentId = f.xraySegmentId;
  if (f.xraySampled !== undefined) out.xraySampled = f.xraySampled;
  return out;
}

function parseXrayLine(line: string): ParsedLogLine {
  const f = readReportFields(line, 0);
  if (f.xrayTraceId === undefined) return unparsed("malformed XRAY line");
  const out: PlatformLine = { kind: "platform", format: "text", eventType: "xray", xrayTraceId: f.xrayTraceId };
  if (f.xraySegmentId !== undefined) out.xraySegmentId = f.xraySegmentId;
  if (f.xraySampled !== undefined) out.xraySampled = f.xraySampled;
  return out;
}

function parseInitStart(line: string): ParsedLogLine {
  if (line.length > 10 && !isSpace(line.charCodeAt(10))) return unparsed("unrecognized line");
  const m = RUNTIME_VERSION_RE.exec(line);
  const out: InitStartLine = { kind: "init_start", format: "text" };
  if (m) {
    out.runtimeVersion = m[1];
    if (m[2] !== undefined) out.runtimeVersionArn = m[2];
  }
  return out;
}

/** INIT_REPORT, RESTORE_START/REPORT, EXTENSION, TELEMETRY and LOGS lines. */
function parseTextPlatform(line: string, eventType: string, prefixLength: number): ParsedLogLine {
  const next = line.charCodeAt(prefixLength);
  if (line.length > prefixLength && !isSpace(next)) return unparsed("unrecognized line");
  const body = line.slice(prefixLength);
  const detail: Record<string, unknown> = {};
  const out: PlatformLine = { kind: "platform", format: "text", eventType, detail };
  if (eventType === "platform.restoreStart") {
    const m = RUNTIME_VERSION_RE.exec(body);
    if (m) {
      detail.runtimeVersion = m[1];
      if (m[2] !== undefined) detail.runtimeVersionArn = m[2];
    }
    return out;
  }
  if (eventType === "platform.extension" || eventType === "platform.telemetrySubscription" || eventType === "platform.logsSubscription") {
    // Values here may hold spaces ("Events: [INVOKE, SHUTDOWN]"), so split on tabs only.
    for (const part of body.split("\t")) {
      const colon = part.indexOf(": ");
      if (colon > 0) detail[part.slice(0, colon).trim()] = part.slice(colon + 2).trim();
    }
    if (typeof detail.Name === "string") out.name = detail.Name;
    if (typeof detail.State === "string") out.status = detail.State;
    return out;
  }
  for (const m of body.matchAll(PLATFORM_FIELD_RE)) {
    const key = m[1];
    const value = m[2];
    detail[key] = value;
    if (key === "Init Duration" || key === "Restore Duration") {
      const n = parseFloat(value);
      if (Number.isFinite(n)) out.durationMs = n;
    } else if (key === "Phase") out.phase = value;
    else if (key === "Status") out.status = value;
    else if (key === "Error Type") out.errorType = value;
  }
  return out;
}

function parseTimeout(line: string): ParsedLogLine {
  const m = TIMEOUT_RE.exec(line);
  if (!m) return unparsed("malformed timeout line");
  const seconds = Number(m[3]);
  if (!Number.isFinite(seconds)) return unparsed("malformed timeout line");
  const out: TimeoutLine = { kind: "timeout", format: "text", timeoutSeconds: seconds };
  const a = m[1];
  const b = m[2];
  if (a !== undefined && b !== undefined) {
    out.time = a;
    out.requestId = b;
  } else if (a !== undefined) {
    if (looksLikeIsoTime(a)) out.time = a;
    else out.requestId = a;
  }
  return out;
}

function parseRuntimeExit(line: string): ParsedLogLine {
  const m = RUNTIME_EXIT_RE.exec(line);
  if (!m) return unparsed("unrecognized line");
  const message = m[2];
  const out: ErrorLine = {
    kind: "error",
    format: "text",
    source: "runtime_exit",
    errorMessage: message,
    oom: message.indexOf("signal: killed") !== -1,
  };
  if (message.startsWith("Runtime exited")) out.errorType = "Runtime.ExitError";
  if (m[1] !== undefined) out.requestId = m[1];
  return out;
}

/** Node/.NET text lines: "<iso>\t<requestId>\t<LEVEL>\t<message>"; also "<iso> <requestId> Task timed out ...". */
function parseTimestamped(line: string): ParsedLogLine {
  const t1 = indexOfTab(line, 0);
  if (t1 === -1 || !looksLikeIsoTime(line.slice(0, t1))) {
    if (line.indexOf("Task timed out after ") !== -1) return parseTimeout(line);
    return unparsed("unrecognized line");
  }
  const t2 = indexOfTab(line, t1 + 1);
  if (t2 === -1) return unparsed("timestamped line without request id and level");
  const t3 = indexOfTab(line, t2 + 1);
  const level = (t3 === -1 ? line.slice(t2 + 1) : line.slice(t2 + 1, t3)).trim();
  if (!LEVEL_RE.test(level)) {
    if (line.indexOf("Task timed out after ") !== -1) return parseTimeout(line.replace(/\t/g, " "));
    return unparsed("timestamped line without a log level");
  }
  const time = line.slice(0, t1);
  const requestId = cleanRequestId(line.slice(t1 + 1, t2));
  const message = t3 === -1 ? "" : line.slice(t3 + 1);
  return appLogOrError(time, requestId, level.toUpperCase(), message);
}

function appLogOrError(
  time: string,
  requestId: string | undefined,
  level: string,
  message: string,
): ParsedLogLine {
  if (!ERROR_LEVELS.has(level)) {
    const out: AppLogLine = { kind: "app_log", format: "text", time, level, message };
    if (requestId !== undefined) out.requestId = requestId;
    return out;
  }
  if (message.startsWith("Invoke Error")) return nodeRuntimeError(time, requestId, level, message, "invoke_error");
  if (message.startsWith("Uncaught Exception")) return nodeRuntimeError(time, requestId, level, message, "uncaught_exception");
  if (message.startsWith("Unhandled Promise Rejection")) {
    return nodeRuntimeError(time, requestId, level, message, "unhandled_rejection");
  }
  const out: ErrorLine = { kind: "error", format: "text", source: "app_log", time, level, oom: false };
  if (requestId !== undefined) out.requestId = requestId;
  setMessageAndType(out, message);
  return out;
}

function setMessageAndType(out: ErrorLine, message: string): void {
  const lines = message.split(LINE_BREAK_RE);
  out.errorMessage = lines[0];
  const m = ERROR_TYPE_PREFIX_RE.exec(lines[0]);
  if (m) out.errorType = m[1];
  if (lines.length > 1) out.stack = lines.slice(1);
}

function nodeRuntimeError(
  time: string,
  requestId: string | undefined,
  level: string,
  message: string,
  source: ErrorSource,
): ErrorLine {
  const out: ErrorLine = { kind: "error", format: "text", source, time, level, oom: false };
  if (requestId !== undefined) out.requestId = requestId;
  const brace = message.indexOf("{");
  if (brace === -1) {
    out.errorMessage = message;
    return out;
  }
  const payloadText = message.slice(brace);
  const parsed = tryParseJson(payloadText);
  const payload = parsed.ok ? asRecord(parsed.value) : undefined;
  if (payload) {
    const errorType = asString(payload.errorType);
    if (errorType !== undefined) out.errorType = errorType;
    const errorMessage = typeof payload.errorMessage === "string" ? payload.errorMessage : undefined;
    if (errorMessage !== undefined) out.errorMessage = errorMessage;
    const stack = toStack(payload.stack ?? payload.trace ?? payload.stackTrace);
    if (stack) out.stack = stack;
  } else {
    // Truncated payloads (256 KB event limit) still usually carry the type near the start.
    const t = JSON_ERROR_TYPE_RE.exec(payloadText);
    if (t) out.errorType = t[1];
    const em = JSON_ERROR_MESSAGE_RE.exec(payloadText);
    out.errorMessage = em ? em[1] : payloadText;
  }
  return out;
}

/** "[LEVEL]\t<iso>\t<requestId>\t<message>" app logs and "[ERROR] Type: message" uncaught errors. */
function parsePythonLine(line: string): ParsedLogLine {
  const close = line.indexOf("]");
  if (close < 2 || close > 10) return unparsed("unrecognized line");
  const level = line.slice(1, close);
  if (!LEVEL_RE.test(level)) return unparsed("unrecognized line");
  const sep = line.charCodeAt(close + 1);
  if (sep === 0x09) {
    const t2 = line.indexOf("\t", close + 2);
    if (t2 === -1) return unparsed("python log line without request id");
    const time = line.slice(close + 2, t2);
    const t3 = line.indexOf("\t", t2 + 1);
    const requestId = cleanRequestId(t3 === -1 ? line.slice(t2 + 1) : line.slice(t2 + 1, t3));
    const message = t3 === -1 ? "" : line.slice(t3 + 1);
    return appLogOrError(time, requestId, level.toUpperCase(), message);
  }
  if (sep === 0x20 && ERROR_LEVELS.has(level)) {
    const content = line.slice(close + 2);
    const lines = content.split(LINE_BREAK_RE);
    const out: ErrorLine = { kind: "error", format: "text", source: "python_uncaught", level, oom: false };
    const m = PY_ERROR_HEAD_RE.exec(lines[0]);
    if (m) {
      out.errorType = m[1];
      out.errorMessage = m[2] ?? "";
    } else {
      out.errorMessage = lines[0];
    }
    if (lines.length > 1) out.stack = lines.slice(1);
    return out;
  }
  return unparsed("unrecognized bracketed line");
}

function parseJsonLine(line: string): ParsedLogLine {
  const parsed = tryParseJson(line);
  if (!parsed.ok) return unparsed("invalid JSON");
  const obj = asRecord(parsed.value);
  if (!obj) return unparsed("JSON line is not an object");
  const type = obj.type;
  if (typeof type === "string" && type.startsWith("platform.")) return parsePlatformEvent(obj, type);
  const level = asString(obj.level) ?? asString(obj.log_level) ?? asString(obj.logLevel);
  if (level !== undefined) return parseJsonAppLog(obj, level.toUpperCase());
  if (typeof obj.errorType === "string") return parseJsonAppLog(obj, "ERROR");
  if (obj._aws !== undefined) return unparsed("embedded metric format (EMF) record");
  return unparsed("JSON object without level or platform type");
}

function parseJsonAppLog(obj: Record<string, unknown>, level: string): ParsedLogLine {
  const time = asString(obj.timestamp) ?? asString(obj.time);
  const requestId = cleanRequestId(
    asString(obj.requestId) ??
      asString(obj.function_request_id) ??
      asString(obj.AWSRequestId) ??
      asString(obj.awsRequestId),
  );
  const rawMessage = obj.message ?? obj.msg;
  const message = typeof rawMessage === "string" ? rawMessage : rawMessage === undefined ? "" : safeStringify(rawMessage);
  if (!ERROR_LEVELS.has(level)) {
    const out: AppLogLine = { kind: "app_log", format: "json", level, message };
    if (time !== undefined) out.time = time;
    if (requestId !== undefined) out.requestId = requestId;
    return out;
  }
  const out: ErrorLine = { kind: "error", format: "json", source: "app_log", level, oom: false };
  if (time !== undefined) out.time = time;
  if (requestId !== undefined) out.requestId = requestId;
  const nested = asRecord(rawMessage);
  const ptError = asRecord(obj.error); // Powertools for TypeScript
  const errorType =
    asString(obj.errorType) ??
    asString(nested?.errorType) ??
    asString(ptError?.name) ??
    asString(obj.exception_name); // Powertools for Python
  const errorMessage =
    asString(obj.errorMessage) ?? asString(nested?.errorMessage) ?? asString(ptError?.message);
  const stack = toStack(obj.stackTrace ?? nested?.stackTrace ?? nested?.stack ?? ptError?.stack ?? obj.exception);
  if (errorMessage !== undefined) out.errorMessage = errorMessage;
  else if (message !== "") setMessageAndType(out, message);
  if (errorType !== undefined) out.errorType = errorType;
  if (stack) out.stack = stack;
  if (out.errorType === "Runtime.OutOfMemory") out.oom = true;
  return out;
}

function parsePlatformEvent(obj: Record<string, unknown>, type: string): ParsedLogLine {
  const time = asString(obj.time);
  const record = asRecord(obj.record) ?? {};
  const tracing = readTracing(record.tracing);
  switch (type) {
    case "platform.start": {
      const requestId = asString(record.requestId);
      if (requestId === undefined) return unparsed("platform.start without requestId");
      const out: StartLine = { kind: "start", format: "json", requestId };
      if (time !== undefined) out.time = time;
      const version = asString(record.version);
      if (version !== undefined) out.version = version;
      if (tracing.traceId !== undefined) out.xrayTraceId = tracing.traceId;
      return out;
    }
    case "platform.report": {
      const requestId = asString(record.requestId);
      if (requestId === undefined) return unparsed("platform.report without requestId");
      const metrics = asRecord(record.metrics) ?? {};
      const f: ReportFields = {
        durationMs: asNumber(metrics.durationMs),
        billedDurationMs: asNumber(metrics.billedDurationMs),
        memorySizeMb: asNumber(metrics.memorySizeMB),
        maxMemoryUsedMb: asNumber(metrics.maxMemoryUsedMB),
        initDurationMs: asNumber(metrics.initDurationMs),
        restoreDurationMs: asNumber(metrics.restoreDurationMs),
        billedRestoreDurationMs: asNumber(metrics.billedRestoreDurationMs),
        status: asString(record.status),
        errorType: asString(record.errorType),
        xrayTraceId: tracing.traceId,
        xraySegmentId: tracing.segmentId,
        xraySampled: tracing.sampled,
      };
      return buildReport(requestId, f, "json", time);
    }
    case "platform.initStart": {
      const out: InitStartLine = { kind: "init_start", format: "json" };
      if (time !== undefined) out.time = time;
      const fields = ["runtimeVersion", "runtimeVersionArn", "initializationType", "phase", "functionName", "functionVersion"] as const;
      for (const key of fields) {
        const v = asString(record[key]);
        if (v !== undefined) out[key] = v;
      }
      return out;
    }
    default: {
      const out: PlatformLine = { kind: "platform", format: "json", eventType: type, detail: record };
      if (time !== undefined) out.time = time;
      const requestId = asString(record.requestId);
      if (requestId !== undefined) out.requestId = requestId;
      const status = asString(record.status);
      if (status !== undefined) out.status = status;
      const phase = asString(record.phase);
      if (phase !== undefined) out.phase = phase;
      const errorType = asString(record.errorType);
      if (errorType !== undefined) out.errorType = errorType;
      const name = asString(record.name);
      if (name !== undefined) out.name = name;
      const durationMs = asNumber(asRecord(record.metrics)?.durationMs);
      if (durationMs !== undefined) out.durationMs = durationMs;
      if (tracing.traceId !== undefined) out.xrayTraceId = tracing.traceId;
      if (tracing.segmentId !== undefined) out.xraySegmentId = tracing.segmentId;
      if (tracing.sampled !== undefined) out.xraySampled = tracing.sampled;
      return out;
    }
  }
}

interface TracingInfo {
  traceId?: string;
  segmentId?: string;
  sampled?: boolean;
}

/** Reads `{spanId, type: "X-Amzn-Trace-Id", value: "Root=...;Parent=...;Sampled=1"}`. */
function readTracing(value: unknown): TracingInfo {
  const tracing = asRecord(value);
  if (!tracing) return {};
  const out: TracingInfo = {};
  const header = asString(tracing.value);
  if (header !== undefined) {
    for (const part of header.split(";")) {
      const eq = part.indexOf("=");
      if (eq <= 0) continue;
      const key = part.slice(0, eq).trim();
      const v = part.slice(eq + 1).trim();
      if (key === "Root" && v) out.traceId = v;
      else if (key === "Parent" && v) out.segmentId = v;
      else if (key === "Sampled") out.sampled = v === "1";
    }
  }
  const spanId = asString(tracing.spanId);
  if (spanId !== undefined) out.segmentId = spanId;
  return out;
}

/** Folds a line into the previous entry of the same event message; true when merged. */
function mergeInto(prev: ParsedLogLine, cur: ParsedLogLine, line: string): boolean {
  if (cur.kind === "platform" && cur.eventType === "xray") {
    if (prev.kind !== "report" || prev.xrayTraceId !== undefined) return false;
    prev.xrayTraceId = cur.xrayTraceId;
    if (cur.xraySegmentId !== undefined) prev.xraySegmentId = cur.xraySegmentId;
    if (cur.xraySampled !== undefined) prev.xraySampled = cur.xraySampled;
    return true;
  }
  if (cur.kind !== "unparsed") return false;
  if (prev.kind === "error" && prev.source === "runtime_exit" && BARE_ERROR_TYPE_RE.test(line.trim())) {
    prev.errorType = line.trim();
    if (prev.errorType === "Runtime.OutOfMemory") prev.oom = true;
    return true;
  }
  return appendContinuation(prev, line);
}

/** Multi-line app messages and tracebacks arrive as one event; keep their tail with the head line. */
function appendContinuation(prev: ParsedLogLine, line: string): boolean {
  if (prev.kind === "app_log" && prev.format === "text") {
    prev.message += "\n" + line;
    return true;
  }
  if (prev.kind === "error" && prev.format === "text") {
    if (prev.stack) prev.stack.push(line);
    else prev.stack = [line];
    return true;
  }
  return false;
}

function toStack(value: unknown): string[] | undefined {
  if (Array.isArray(value)) {
    const out: string[] = [];
    for (const v of value) if (typeof v === "string") out.push(v);
    return out.length > 0 ? out : undefined;
  }
  if (typeof value === "string" && value.length > 0) return value.split(LINE_BREAK_RE);
  return undefined;
}

function cleanRequestId(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  // Node prints "undefined" for lines logged during INIT.
  return v.length === 0 || v === "undefined" || v === "null" ? undefined : v;
}

function looksLikeIsoTime(s: string): boolean {
  return (
    s.length >= 19 &&
    s.charCodeAt(4) === 0x2d &&
    s.charCodeAt(7) === 0x2d &&
    (s.charCodeAt(10) === 0x54 || s.charCodeAt(10) === 0x20)
  );
}

/** startsWith without the builtin's per-call overhead (hot path). */
function hasPrefix(s: string, prefix: string): boolean {
  return s.length >= prefix.length && matchesAt(s, 0, prefix);
}

function indexOfTab(s: string, from: number): number {
  for (let i = from; i < s.length; i++) if (s.charCodeAt(i) === 0x09) return i;
  return -1;
}

function matchesAt(s: string, pos: number, lit: string): boolean {
  if (pos + lit.length > s.length) return false;
  for (let i = 0; i < lit.length; i++) {
    if (s.charCodeAt(pos + i) !== lit.charCodeAt(i)) return false;
  }
  return true;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isNum(n: number | undefined): n is number {
  return typeof n === "number" && Number.isFinite(n);
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return "[unserializable]";
  }
}
