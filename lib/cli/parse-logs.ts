/**
 * `faasight parse-logs`: Lambda log lines on stdin -> one JSON object per input line.
 * Input lines are raw messages, or JSON objects with a `message` field as CloudWatch Logs
 * exports them (FilterLogEvents / `aws logs filter-log-events` output, subscription events).
 */
import readline from "node:readline";
import { parseLambdaLogMessage, toParseLogsJson, type ParseLogsJson, type ParsedLogLine } from "../parse/lambda-log.ts";
import { parseLogStreamName } from "../parse/log-stream.ts";
import { parseOptions } from "./args.ts";

const HELP = `Usage: faasight parse-logs < lines

Reads Lambda log lines on stdin: raw messages (LogFormat Text or JSON), or JSON lines with
a "message" field as CloudWatch Logs exports them (aws logs filter-log-events, subscription
and Firehose records; "@message" of Logs Insights exports). Prints one JSON object per input
line with "kind" (start, end, report, timeout, error, init_start, platform, app_log, or
unparsed with a "reason") and, where the line carries them: eventType, requestId, version
(also from the record's log stream name), runtimeVersion, durationMs, billedDurationMs,
memorySizeMb, maxMemoryUsedMb, initDurationMs, restoreDurationMs, xrayTraceId, status,
errorType, errorMessage, timeoutSeconds, level. Numbers are JSON numbers.

  --summary   also print counts per kind to stderr at the end
`;

// Keys only CloudWatch export records have (subscription log events have just id, timestamp and message).
const EXPORT_KEYS = ["eventId", "logStreamName", "ingestionTime", "logGroupName"];
// Keys of LogFormat=JSON lines (application lines carry a level, platform lines a type): such a line is itself the message.
const LAMBDA_JSON_KEYS = ["level", "log_level", "logLevel", "type", "record"];

/** What one stdin line carries: the log message and, for export records, the log stream it came from. */
export interface InputLine {
  message: string;
  logStreamName?: string;
}

/**
 * Reads one stdin line: a CloudWatch export record (`message`, as FilterLogEvents / subscription
 * events / Firehose records give it, or `@message` as Logs Insights exports it) yields its message;
 * anything else, LogFormat=JSON lines included, is the message itself.
 */
export function readInputLine(line: string): InputLine {
  const trimmed = line.trim();
  if (!trimmed.startsWith("{")) return { message: line };
  let obj: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return { message: line };
    obj = parsed as Record<string, unknown>;
  } catch {
    return { message: line };
  }
  const stream = typeof obj.logStreamName === "string" ? obj.logStreamName : typeof obj["@logStream"] === "string" ? obj["@logStream"] : undefined;
  if (typeof obj["@message"] === "string") return withStream(obj["@message"], stream);
  if (typeof obj.message !== "string") return { message: line };
  const isExport = EXPORT_KEYS.some((k) => k in obj) || !LAMBDA_JSON_KEYS.some((k) => k in obj);
  return isExport ? withStream(obj.message, stream) : { message: line };
}

function withStream(message: string, logStreamName: string | undefined): InputLine {
  return logStreamName === undefined ? { message } : { message, logStreamName };
}

/** The log message an input line carries: the `message` of a CloudWatch export record, else the line. */
export function messageOfInputLine(line: string): string {
  return readInputLine(line).message;
}

export type ParseLogsOutput = ParseLogsJson | { kind: "unparsed"; reason: string };

/**
 * One output object per input line: the most informative parse of its message. A line without
 * a version of its own takes the one its record's log stream name carries ("2024/05/01/[7]…").
 */
export function parseInputLine(line: string): ParseLogsOutput {
  const input = readInputLine(line);
  const results: ParsedLogLine[] = parseLambdaLogMessage(input.message);
  const best = results.find((r) => r.kind !== "unparsed") ?? results[0];
  if (!best) return { kind: "unparsed", reason: "empty message" };
  if (best.kind === "unparsed") return { kind: "unparsed", reason: best.reason };
  const out = toParseLogsJson(best);
  if (out.version === undefined && input.logStreamName !== undefined) {
    const stream = parseLogStreamName(input.logStreamName);
    if (stream.kind === "log_stream") return withVersion(out, stream.version);
  }
  return out;
}

/** Inserts version at its place in the output's key order (after requestId). */
function withVersion(out: ParseLogsJson, version: string): ParseLogsJson {
  const { kind, eventType, requestId, ...rest } = out;
  const head: ParseLogsJson = { kind };
  if (eventType !== undefined) head.eventType = eventType;
  if (requestId !== undefined) head.requestId = requestId;
  return { ...head, version, ...rest };
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseOptions(args, { help: { type: "boolean", short: "h" }, summary: { type: "boolean" } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const counts: Record<string, number> = {};
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.trim() === "") continue;
    const out = parseInputLine(line);
    counts[out.kind] = (counts[out.kind] ?? 0) + 1;
    if (!process.stdout.write(JSON.stringify(out) + "\n")) await new Promise((r) => process.stdout.once("drain", r));
  }
  if (values.summary) process.stderr.write(JSON.stringify(counts) + "\n");
  return 0;
}
