/** `faasight parse-logs` as a user runs it: the real binary, stdin in, JSON lines out. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { messageOfInputLine, parseInputLine, readInputLine } from "../../lib/cli/parse-logs.ts";

const BIN = path.resolve(import.meta.dirname, "../../bin/faasight.js");
const RID = "8f5c1a0e-1111-4000-8000-000000000001";
const TRACE = "1-5e1b4151-5ac6c58f5b1a4b3c8e7f6a1b";
const STREAM = "2024/01/01/[7]0123456789abcdef0123456789abcdef";

function runParseLogs(input: string): Record<string, unknown>[] {
  const res = spawnSync(process.execPath, [BIN, "parse-logs"], { input, encoding: "utf8" });
  expect(res.status, res.stderr).toBe(0);
  return res.stdout.trim().split("\n").map((l) => JSON.parse(l));
}

/** A CloudWatch Logs export record (aws logs filter-log-events --output json, one event per line). */
const exported = (message: string, logStreamName = STREAM) =>
  JSON.stringify({ logStreamName, timestamp: 1704067200000, message, ingestionTime: 1704067200500, eventId: "37927640537101578945874125489765482352435468758937657344" });

// Each input line (a raw Lambda message or an export record holding one) and the exact object printed for it.
const cases: Array<[string, string, Record<string, unknown>]> = [
  ["START, raw", `START RequestId: ${RID} Version: $LATEST`, { kind: "start", requestId: RID, version: "$LATEST" }],
  ["END, raw", `END RequestId: ${RID}`, { kind: "end", requestId: RID }],
  [
    "REPORT cold start, raw",
    `REPORT RequestId: ${RID}\tDuration: 12.34 ms\tBilled Duration: 263 ms\tMemory Size: 512 MB\tMax Memory Used: 80 MB\tInit Duration: 250.12 ms\t`,
    { kind: "report", requestId: RID, durationMs: 12.34, billedDurationMs: 263, memorySizeMb: 512, maxMemoryUsedMb: 80, initDurationMs: 250.12 },
  ],
  [
    "REPORT + XRAY in one exported event; version from the log stream name",
    exported(`REPORT RequestId: ${RID}\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t\nXRAY TraceId: ${TRACE}\tSegmentId: 0af1b2c3d4e5f607\tSampled: true\t\n`),
    { kind: "report", requestId: RID, version: "7", durationMs: 1, billedDurationMs: 1, memorySizeMb: 128, maxMemoryUsedMb: 60, xrayTraceId: TRACE },
  ],
  [
    "REPORT with the stray space before each tab (older runtimes)",
    exported(`REPORT RequestId: ${RID}\tDuration: 12.34 ms \tBilled Duration: 100 ms \tMemory Size: 128 MB\tMax Memory Used: 18 MB\t\n`, "2017/02/01/[$LATEST]0123456789abcdef0123456789abcdef"),
    { kind: "report", requestId: RID, version: "$LATEST", durationMs: 12.34, billedDurationMs: 100, memorySizeMb: 128, maxMemoryUsedMb: 18 },
  ],
  [
    "REPORT with Status: timeout",
    exported(`REPORT RequestId: ${RID}\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 79 MB\tStatus: timeout\n`),
    { kind: "report", requestId: RID, version: "7", durationMs: 3000, billedDurationMs: 3000, memorySizeMb: 128, maxMemoryUsedMb: 79, status: "timeout" },
  ],
  [
    "REPORT out of memory",
    exported(`REPORT RequestId: ${RID}\tDuration: 1502.31 ms\tBilled Duration: 1503 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB\tStatus: error\tError Type: Runtime.OutOfMemory\n`),
    { kind: "report", requestId: RID, version: "7", durationMs: 1502.31, billedDurationMs: 1503, memorySizeMb: 128, maxMemoryUsedMb: 128, status: "error", errorType: "Runtime.OutOfMemory" },
  ],
  [
    "REPORT SnapStart restore",
    exported(`REPORT RequestId: ${RID}\tDuration: 306.34 ms\tBilled Duration: 610 ms\tMemory Size: 3009 MB\tMax Memory Used: 155 MB\tRestore Duration: 511.25 ms\tBilled Restore Duration: 303 ms\t\n`),
    { kind: "report", requestId: RID, version: "7", durationMs: 306.34, billedDurationMs: 610, memorySizeMb: 3009, maxMemoryUsedMb: 155, restoreDurationMs: 511.25 },
  ],
  [
    "INIT_START",
    exported("INIT_START Runtime Version: nodejs:20.v13\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:0a25e3e7\n"),
    { kind: "init_start", version: "7", runtimeVersion: "nodejs:20.v13" },
  ],
  [
    "Task timed out",
    JSON.stringify({ timestamp: 1700000000000, message: `2024-01-01T00:00:03.012Z ${RID} Task timed out after 3.00 seconds\n`, eventId: "37" }),
    { kind: "timeout", requestId: RID, status: "timeout", timeoutSeconds: 3 },
  ],
  [
    "Node Invoke Error",
    exported(`2024-01-01T00:00:00.000Z\t${RID}\tERROR\tInvoke Error \t{"errorType":"TypeError","errorMessage":"Cannot read properties of undefined (reading 'id')","stack":["TypeError: Cannot read properties of undefined (reading 'id')","    at Runtime.handler (file:///var/task/index.mjs:3:22)"]}\n`),
    { kind: "error", requestId: RID, version: "7", errorType: "TypeError", errorMessage: "Cannot read properties of undefined (reading 'id')", level: "ERROR" },
  ],
  [
    "Python [ERROR] with its traceback",
    exported(`[ERROR] KeyError: 'id'\nTraceback (most recent call last):\n  File "/var/task/app.py", line 5, in handler\n    return event['id']\n`),
    { kind: "error", version: "7", errorType: "KeyError", errorMessage: "'id'", level: "ERROR" },
  ],
  [
    "out of memory: Runtime.ExitError",
    exported(`RequestId: ${RID} Error: Runtime exited with error: signal: killed\nRuntime.ExitError\n`),
    { kind: "error", requestId: RID, version: "7", errorType: "Runtime.ExitError", errorMessage: "Runtime exited with error: signal: killed" },
  ],
  [
    "JSON platform.start",
    exported(`{"time":"2024-01-01T00:00:00.000Z","type":"platform.start","record":{"requestId":"${RID}","version":"3","tracing":{"spanId":"54565fb41ac79632","type":"X-Amzn-Trace-Id","value":"Root=${TRACE};Parent=0efbd19962d95b05;Sampled=1"}}}`),
    { kind: "start", requestId: RID, version: "3", xrayTraceId: TRACE },
  ],
  [
    "JSON platform.runtimeDone",
    exported(`{"time":"2024-01-01T00:00:00.100Z","type":"platform.runtimeDone","record":{"requestId":"${RID}","status":"success","metrics":{"durationMs":92.1,"producedBytes":12}}}`),
    { kind: "platform", eventType: "platform.runtimeDone", requestId: RID, version: "7", durationMs: 92.1, status: "success" },
  ],
  [
    "JSON platform.report, raw",
    JSON.stringify({ time: "2024-01-01T00:00:00Z", type: "platform.report", record: { requestId: RID, status: "timeout", metrics: { durationMs: 3000.5, billedDurationMs: 3001, memorySizeMB: 128, maxMemoryUsedMB: 60, initDurationMs: 180.25 } } }),
    { kind: "report", requestId: RID, durationMs: 3000.5, billedDurationMs: 3001, memorySizeMb: 128, maxMemoryUsedMb: 60, initDurationMs: 180.25, status: "timeout" },
  ],
  [
    "JSON application line, raw",
    JSON.stringify({ timestamp: "2024-01-01T00:00:00Z", level: "INFO", requestId: RID, message: "order placed" }),
    { kind: "app_log", requestId: RID, level: "INFO" },
  ],
  [
    "JSON application ERROR line with errorType",
    exported(JSON.stringify({ timestamp: "2024-01-01T00:00:00Z", level: "ERROR", requestId: RID, message: { errorType: "CardDeclined", errorMessage: "insufficient funds", stackTrace: ["CardDeclined: insufficient funds"] } })),
    { kind: "error", requestId: RID, version: "7", errorType: "CardDeclined", errorMessage: "insufficient funds", level: "ERROR" },
  ],
  [
    "Logs Insights export (@message, @logStream)",
    JSON.stringify({ "@timestamp": "2024-01-01 00:00:00.000", "@logStream": "2024/01/01/[12]0123456789abcdef0123456789abcdef", "@message": `END RequestId: ${RID}` }),
    { kind: "end", requestId: RID, version: "12" },
  ],
  ["a record with only a message", JSON.stringify({ message: `END RequestId: ${RID}` }), { kind: "end", requestId: RID }],
  ["not a Lambda line", "this is not a Lambda line", { kind: "unparsed", reason: "unrecognized line" }],
  [
    "a REPORT whose Duration overflows a double",
    `REPORT RequestId: ${RID}\tDuration: ${"9".repeat(400)} ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t`,
    { kind: "unparsed", reason: "REPORT line without a numeric Duration" },
  ],
];

describe("faasight parse-logs", () => {
  it("prints exactly one object per input line, numbers as JSON numbers, for real-format samples", () => {
    const out = runParseLogs(cases.map(([, input]) => input).join("\n") + "\n\n");
    expect(out).toHaveLength(cases.length);
    cases.forEach(([name, , expected], i) => {
      expect(out[i], name).toEqual(expected);
      expect(Object.keys(out[i]!).slice(0, 1), name).toEqual(["kind"]);
    });
  });

  it.each(cases)("parseInputLine: %s", (_name, input, expected) => {
    expect(parseInputLine(input)).toEqual(expected);
  });

  it("counts kinds with --summary and exits 0", () => {
    const res = spawnSync(process.execPath, [BIN, "parse-logs", "--summary"], { input: `START RequestId: ${RID}\nEND RequestId: ${RID}\nnope\n`, encoding: "utf8" });
    expect(res.status).toBe(0);
    expect(JSON.parse(res.stderr.trim())).toEqual({ start: 1, end: 1, unparsed: 1 });
  });

  it("lists its commands in --help", () => {
    const res = spawnSync(process.execPath, [BIN, "--help"], { encoding: "utf8" });
    expect(res.status).toBe(0);
    for (const name of ["demo", "parse-logs", "migrate", "collect", "worker"]) expect(res.stdout).toMatch(new RegExp(`^  ${name} `, "m"));
  });

  it("is the package's `faasight` binary, so `npx faasight` runs it", () => {
    const root = path.resolve(import.meta.dirname, "../..");
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { bin?: Record<string, string> };
    expect(pkg.bin).toEqual({ faasight: "bin/faasight.js" });
    expect(fs.readFileSync(BIN, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
    expect(fs.statSync(BIN).mode & 0o111).not.toBe(0);
    const res = spawnSync("npx", ["--no-install", "faasight", "parse-logs"], { cwd: root, input: `END RequestId: ${RID}\n`, encoding: "utf8" });
    expect(res.status, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({ kind: "end", requestId: RID });
  });

  it.each([
    ["raw line", "START RequestId: x Version: 1", { message: "START RequestId: x Version: 1" }],
    ["export record", JSON.stringify({ timestamp: 1, message: "END RequestId: x" }), { message: "END RequestId: x" }],
    ["export record with its stream", JSON.stringify({ logStreamName: STREAM, message: "m" }), { message: "m", logStreamName: STREAM }],
    ["subscription log event", JSON.stringify({ id: "3795", timestamp: 1, message: "m" }), { message: "m" }],
    ["JSON application log stays whole", JSON.stringify({ level: "INFO", message: "hi", requestId: "x", id: 5 }), { message: JSON.stringify({ level: "INFO", message: "hi", requestId: "x", id: 5 }) }],
    ["JSON platform line stays whole", JSON.stringify({ type: "platform.start", record: {} }), { message: JSON.stringify({ type: "platform.start", record: {} }) }],
    ["JSON that is not an object", "[1,2]", { message: "[1,2]" }],
    ["invalid JSON", "{nope", { message: "{nope" }],
  ])("input line: %s", (_name, input, expected) => {
    expect(readInputLine(input)).toEqual(expected);
    expect(messageOfInputLine(input)).toBe(expected.message);
  });

  it("never throws and always prints JSON-safe objects (property)", () => {
    const samples = cases.map(([, input]) => input);
    const line = fc.oneof(
      fc.string(),
      fc.json(),
      fc.tuple(fc.constantFrom(...samples), fc.nat(), fc.string({ maxLength: 4 })).map(([s, cut, ins]) => s.slice(0, cut % (s.length + 1)) + ins + s.slice(cut % (s.length + 1))),
      fc.record({ message: fc.string(), logStreamName: fc.string(), "@message": fc.string() }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
    );
    fc.assert(
      fc.property(line, (input) => {
        const out = parseInputLine(input);
        if (typeof out.kind !== "string") return false;
        if (Object.values(out).some((v) => typeof v === "number" && !Number.isFinite(v))) return false;
        return JSON.stringify(JSON.parse(JSON.stringify(out))) === JSON.stringify(out);
      }),
      { numRuns: 3000, seed: 2024 },
    );
  });
});
