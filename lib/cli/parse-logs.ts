/**
 * `faasight parse-logs`: Lambda log lines on stdin -> one JSON object per input line.
 * Input lines are raw messages, or JSON objects with a `message` field as CloudWatch Logs
 * exports them (FilterLogEvents / `aws logs filter-log-events` output, subscription events).
 */
import readline from "node:readline";
import { parseLambdaLogMessage, toParseLogsJson, type ParsedLogLine } from "../parse/lambda-log.ts";
import { parseOptions } from "./args.ts";

const HELP = `Usage: faasight parse-logs < lines

Reads Lambda log lines on stdin: raw messages, or JSON lines with a "message" field
(as exported by CloudWatch Logs). Prints one JSON object per input line with "kind"
(start, end, report, timeout, error, init_start, platform, app_log, unparsed with a
reason) and,
where the line carries them: requestId, version, durationMs, billedDurationMs,
memorySizeMb, maxMemoryUsedMb, initDurationMs, restoreDurationMs, xrayTraceId,
status, errorType, errorMessage, timeoutSeconds, level.

  --summary   also print counts per kind to stderr at the end
`;

const EXPORT_KEYS = ["eventId", "logStreamName", "ingestionTime", "logGroupName", "id"];

/** The log message an input line carries: the `message` of a CloudWatch export record, else the line. */
export function messageOfInputLine(line: string): string {
  const trimmed = line.trim();
  if (!trimmed.startsWith("{")) return line;
  try {
    const obj = JSON.parse(trimmed) as Record<string, unknown>;
    // LogFormat=JSON application lines also have "message"; export records have export-only keys or a numeric timestamp.
    const isExport =
      typeof obj.message === "string" &&
      (EXPORT_KEYS.some((k) => k in obj) || (typeof obj.timestamp === "number" && !("level" in obj) && !("type" in obj) && !("requestId" in obj)));
    return isExport ? (obj.message as string) : line;
  } catch {
    return line;
  }
}

/** One output object per input line: the most informative parse of its message. */
export function parseInputLine(line: string): ReturnType<typeof toParseLogsJson> & { reason?: string } {
  const results: ParsedLogLine[] = parseLambdaLogMessage(messageOfInputLine(line));
  const best = results.find((r) => r.kind !== "unparsed") ?? results[0];
  if (!best) return { kind: "unparsed", reason: "empty message" };
  return best.kind === "unparsed" ? { kind: "unparsed", reason: best.reason } : toParseLogsJson(best);
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
