import { describe, expect, it } from "vitest";
import { assembleStream, byStream, compareEvents, isMalformedLine, parseLogEvent, splitTypedMessage, versionOfStream, type RawLogEvent } from "./invocation-assembly.ts";
import { parseLambdaLogLine } from "../parse/lambda-log.ts";

const RID = "8f5c1a0e-1111-4000-8000-000000000001";
const STREAM = "2026/11/02/[7]0123456789abcdef0123456789abcdef";
const T = Date.parse("2026-11-02T10:00:00.000Z");
let seq = 0;
const ev = (offset: number, message: string, stream = STREAM): RawLogEvent => ({ eventId: String(T + offset).padStart(20, "0") + String(seq++).padStart(36, "0"), logStream: stream, timestamp: T + offset, message });
const report = (extra = "", rid = RID) => `REPORT RequestId: ${rid}\tDuration: 120.50 ms\tBilled Duration: 121 ms\tMemory Size: 1024 MB\tMax Memory Used: 90 MB\t${extra}`;

function one(events: RawLogEvent[], runtime?: string) {
  const a = assembleStream(events.map(parseLogEvent), runtime);
  expect(a.invocations).toHaveLength(1);
  return a.invocations[0]!;
}

describe("assembleStream: one invocation per REPORT, its outcome from its own lines", () => {
  it.each([
    {
      name: "node success, cold start with init and a sampled trace",
      runtime: "nodejs20.x",
      lines: [`START RequestId: ${RID} Version: 7`, `2026-11-02T10:00:00.050Z\t${RID}\tINFO\thandling request`, `END RequestId: ${RID}`, `${report("Init Duration: 250.12 ms\t")}\nXRAY TraceId: 1-5e1b4151-5ac6c58f5b1a4b3c8e7f6a1b\tSegmentId: 6b2f1e3f5d6c7a8b\tSampled: true\t`],
      want: { status: "ok", coldStart: true, initMs: 250.12, traceId: "1-5e1b4151-5ac6c58f5b1a4b3c8e7f6a1b", version: "7", billedMs: 121, memoryMb: 1024 },
    },
    {
      name: "unsampled trace id is not a link",
      runtime: "nodejs20.x",
      lines: [`START RequestId: ${RID} Version: 7`, `END RequestId: ${RID}`, `${report()}\nXRAY TraceId: 1-5e1b4151-5ac6c58f5b1a4b3c8e7f6a1b\tSegmentId: 6b2f1e3f5d6c7a8b\tSampled: false\t`],
      want: { status: "ok", traceId: null },
    },
    {
      name: "node Invoke Error",
      runtime: "nodejs20.x",
      lines: [`START RequestId: ${RID} Version: 7`, `2026-11-02T10:00:00.100Z\t${RID}\tERROR\tInvoke Error \t{"errorType":"TypeError","errorMessage":"Cannot read properties of undefined (reading 'items')","stack":["TypeError: x"]}`, `END RequestId: ${RID}`, report()],
      want: { status: "error", errorType: "TypeError", errorMessage: "Cannot read properties of undefined (reading 'items')" },
    },
    {
      name: "python uncaught error (no request id on the line)",
      runtime: "python3.12",
      lines: [`START RequestId: ${RID} Version: $LATEST`, `[ERROR] KeyError: 'sku'\nTraceback (most recent call last):\n  File "/var/task/cart.py", line 20, in handler`, `END RequestId: ${RID}`, report()],
      want: { status: "error", errorType: "KeyError", errorMessage: "'sku'", version: "$LATEST" },
    },
    {
      name: "java runtime error payload",
      runtime: "java21",
      lines: [`START RequestId: ${RID} Version: 3`, `{"errorMessage":"Catalog index not loaded","errorType":"java.lang.IllegalStateException","stackTrace":["a.b(C.java:1)"]}`, `END RequestId: ${RID}`, report()],
      want: { status: "error", errorType: "java.lang.IllegalStateException", errorMessage: "Catalog index not loaded" },
    },
    {
      name: "java application lines do not fail an invocation",
      runtime: "java21",
      lines: [`START RequestId: ${RID} Version: 3`, `2026-11-02 10:00:00.100 ${RID} INFO  Handler - handling request`, `END RequestId: ${RID}`, report()],
      want: { status: "ok" },
    },
    {
      name: ".NET unhandled exception (fail line with a stack)",
      runtime: "dotnet8",
      lines: [`START RequestId: ${RID} Version: $LATEST`, `2026-11-02T10:00:00.100Z\t${RID}\tfail\tInvalidOperationException: Template 'invoice-v2' not found\n   at InvoicePdf.Function.Handler(InvoiceRequest input) in /src/Function.cs:line 31`, `END RequestId: ${RID}`, report()],
      want: { status: "error", errorType: "InvalidOperationException", errorMessage: "Template 'invoice-v2' not found" },
    },
    {
      name: "custom runtime: the last line at ERROR level",
      runtime: "provided.al2023",
      lines: [`START RequestId: ${RID} Version: $LATEST`, `{"time":"2026-11-02T10:00:00.100Z","level":"ERROR","msg":"errorString: recommendation model unavailable","requestId":"${RID}"}`, `END RequestId: ${RID}`, report()],
      want: { status: "error", errorType: "errorString", errorMessage: "recommendation model unavailable" },
    },
    {
      name: "an application ERROR log alone does not fail a node invocation",
      runtime: "nodejs20.x",
      lines: [`START RequestId: ${RID} Version: 7`, `2026-11-02T10:00:00.100Z\t${RID}\tERROR\tpayment declined`, `END RequestId: ${RID}`, report()],
      want: { status: "ok" },
    },
    {
      name: "timeout from the REPORT status",
      runtime: "nodejs20.x",
      lines: [`START RequestId: ${RID} Version: 7`, `2026-11-02T10:00:10.000Z ${RID} Task timed out after 10.00 seconds`, `END RequestId: ${RID}`, report("Status: timeout\t")],
      want: { status: "timeout", errorType: "Sandbox.Timedout" },
    },
    {
      name: "timeout from the timeout line (older runtimes print no Status)",
      runtime: "nodejs20.x",
      lines: [`START RequestId: ${RID} Version: 7`, `2026-11-02T10:00:10.000Z ${RID} Task timed out after 3.00 seconds`, `END RequestId: ${RID}`, report()],
      want: { status: "timeout", errorType: "Sandbox.Timedout", errorMessage: "Task timed out after 3.00 seconds" },
    },
    {
      name: "out of memory",
      runtime: "python3.11",
      lines: [`START RequestId: ${RID} Version: $LATEST`, `RequestId: ${RID} Error: Runtime exited with error: signal: killed\nRuntime.OutOfMemory`, `END RequestId: ${RID}`, report("Status: error\tError Type: Runtime.OutOfMemory\t")],
      want: { status: "oom", errorType: "Runtime.OutOfMemory" },
    },
    {
      name: "JSON log format: platform events",
      runtime: "nodejs20.x",
      lines: [
        `{"time":"2026-11-02T10:00:00.000Z","type":"platform.start","record":{"requestId":"${RID}","version":"$LATEST","tracing":{"spanId":"a1","type":"X-Amzn-Trace-Id","value":"Root=1-5e1b4151-5ac6c58f5b1a4b3c8e7f6a1b;Parent=a1;Sampled=1"}}}`,
        `{"timestamp":"2026-11-02T10:00:00.010Z","level":"ERROR","requestId":"${RID}","message":{"errorType":"ProvisionedThroughputExceededException","errorMessage":"The level of configured provisioned throughput for the table was exceeded."}}`,
        `{"time":"2026-11-02T10:00:00.120Z","type":"platform.runtimeDone","record":{"requestId":"${RID}","status":"error","errorType":"ProvisionedThroughputExceededException"}}`,
        `{"time":"2026-11-02T10:00:00.120Z","type":"platform.report","record":{"requestId":"${RID}","metrics":{"durationMs":120.5,"billedDurationMs":121,"memorySizeMB":256,"maxMemoryUsedMB":70,"initDurationMs":180.25},"status":"error","errorType":"ProvisionedThroughputExceededException"}}`,
      ],
      want: { status: "error", errorType: "ProvisionedThroughputExceededException", coldStart: true, initMs: 180.25, memoryMb: 256, traceId: "1-5e1b4151-5ac6c58f5b1a4b3c8e7f6a1b" },
    },
  ])("$name", ({ lines, runtime, want }) => {
    const inv = one(lines.map((m, i) => ev(i * 30, m)), runtime);
    const { traceId, ...rest } = want as Record<string, unknown>;
    expect(inv).toMatchObject({ requestId: RID, startedAt: T, endedAt: T + (lines.length - 1) * 30, hasStart: true, ...rest });
    if (traceId !== undefined) expect(inv.traceId ?? null).toBe(traceId);
  });

  it("keeps invocations of one stream apart and finds the REPORT's own START", () => {
    const r2 = RID.replace(/1$/, "2");
    const a = assembleStream(
      [ev(0, `START RequestId: ${RID} Version: 7`), ev(10, `[ERROR] KeyError: 'a'`), ev(20, report()), ev(30, `START RequestId: ${r2} Version: 7`), ev(40, report("", r2))].map(parseLogEvent),
      "python3.12",
    );
    expect(a.invocations.map((i) => [i.requestId, i.status, i.startedAt - T])).toEqual([
      [RID, "error", 0],
      [r2, "ok", 30],
    ]);
    expect(a.invocations[0]!.eventIds).toHaveLength(3);
    // A traceback line without a request id belongs to the invocation open in its stream.
    expect([...a.requestIdOf.values()]).toEqual([RID, RID, RID, r2, r2]);
  });

  it("classifies a START-less invocation from its own lines (late or missing START)", () => {
    const node = one([ev(100, `2026-11-02T10:00:00.100Z\t${RID}\tERROR\tInvoke Error \t{"errorType":"TypeError","errorMessage":"boom"}`), ev(120, `END RequestId: ${RID}`), ev(120, report())], "nodejs20.x");
    expect([node.hasStart, node.status, node.errorType]).toEqual([false, "error", "TypeError"]);
    const a = assembleStream([ev(0, report("", RID.replace(/1$/, "9"))), ev(100, `[ERROR] KeyError: 'sku'`), ev(120, `END RequestId: ${RID}`), ev(120, report())].map(parseLogEvent), "python3.12");
    expect(a.invocations.map((i) => [i.status, i.errorType ?? null])).toEqual([
      ["ok", null],
      ["error", "KeyError"],
    ]);
  });

  it("marks a REPORT whose START came in an earlier batch (the store completes it)", () => {
    const inv = one([ev(500, `END RequestId: ${RID}`), ev(500, report())]);
    expect([inv.hasStart, inv.startedAt, inv.version]).toEqual([false, T + 500 - 121, "7"]);
  });
});

describe("malformed lines", () => {
  it.each([
    ["REPORT RequestId: abc\tDuration: fast", true],
    ["START RequestId: abc extra words", true],
    ['{"type":"platform.report","record":{"requestId":', true],
    ['{"type":"platform.report","record":{}}', true],
    ["just some print() output", false],
    ['{"_aws":{"CloudWatchMetrics":[]}}', false],
    ["2026-11-02T10:00:00.000Z\tabc\tINFO\tok", false],
  ])("%j -> %s", (line, want) => expect(isMalformedLine(parseLambdaLogLine(line))).toBe(want));
});

describe("helpers", () => {
  it.each([
    ["TypeError: x is undefined", { type: "TypeError", message: "x is undefined" }],
    ["errorString: model unavailable\nstack", { type: "errorString", message: "model unavailable" }],
    ["plain text", { message: "plain text" }],
    [undefined, {}],
  ])("splitTypedMessage(%j)", (text, want) => expect(splitTypedMessage(text)).toEqual(want));
  it.each([
    ["2026/11/02/[$LATEST]0123456789abcdef0123456789abcdef", "$LATEST"],
    ["2026/11/02/[12]0123456789abcdef0123456789abcdef", "12"],
    ["not-a-stream", undefined],
  ])("versionOfStream(%s)", (s, v) => expect(versionOfStream(s)).toBe(v));
  it("orders events by time, then event id, per stream", () => {
    const a = { eventId: "002", logStream: "s", timestamp: 1, message: "" };
    const b = { eventId: "001", logStream: "s", timestamp: 1, message: "" };
    const c = { eventId: "003", logStream: "t", timestamp: 0, message: "" };
    expect(compareEvents(a, b)).toBeGreaterThan(0);
    const m = byStream([a, b, c, { ...b }]);
    expect(m.get("s")!.map((e) => e.eventId)).toEqual(["001", "002"]);
    expect(m.get("t")).toHaveLength(1);
  });
});
