import { describe, expect, it } from "vitest";
import { parseLambdaLogMessage, type ParsedLogLine } from "../parse/lambda-log.ts";
import { createRandom } from "../sandbox/random.ts";
import type { InvocationOutcome } from "./model.ts";
import {
  accessLogLine,
  apiGatewaySegmentDocument,
  clfTime,
  deadLetterMessage,
  formatReportLine,
  lambdaLogEvents,
  lambdaSegmentDocuments,
  onFailureRecord,
  runtimeVersion,
  seconds,
  type ApiRequestRecord,
  type InvocationRecord,
} from "./telemetry.ts";

const REQ = "8f5e1c2a-1b2c-4d3e-9f4a-5b6c7d8e9f01";
const TRACE = "1-6750a1b2-0123456789abcdef01234567";
const T0 = Date.parse("2026-11-20T10:00:00.000Z");

function outcome(over: Partial<InvocationOutcome> = {}): InvocationOutcome {
  return { status: "success", durationMs: 12.34, billedMs: 13, maxMemoryUsedMb: 80, statusCode: 200, responseBytes: 100, appLogLines: 1, downstream: [], ...over };
}

function record(over: Partial<InvocationRecord> = {}, fn: Partial<InvocationRecord["fn"]> = {}): InvocationRecord {
  const o = over.outcome ?? outcome();
  return {
    fn: { name: "checkout", runtime: "nodejs20.x", memoryMb: 512, timeoutS: 3, logFormat: "Text", region: "us-east-1", accountId: "123456789012", ...fn },
    requestId: REQ,
    version: "$LATEST",
    attempt: 1,
    stream: "2026/11/20/[$LATEST]0123456789abcdef0123456789abcdef",
    cold: o.initDurationMs !== undefined,
    arrivedAt: T0,
    startAt: T0 + (o.initDurationMs ?? 0) + 1,
    endAt: T0 + (o.initDurationMs ?? 0) + 1 + o.durationMs,
    ...over,
    outcome: o,
  };
}

const parsedAll = (rec: InvocationRecord): ParsedLogLine[] => lambdaLogEvents(rec).flatMap((e) => parseLambdaLogMessage(e.message));

describe("REPORT lines", () => {
  it.each([
    {
      name: "warm",
      rec: { outcome: outcome() },
      line: `REPORT RequestId: ${REQ}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 512 MB\tMax Memory Used: 80 MB\t`,
    },
    {
      name: "cold start with init billed",
      rec: { outcome: outcome({ initDurationMs: 250.12, billedMs: 263 }) },
      line: `REPORT RequestId: ${REQ}\tDuration: 12.34 ms\tBilled Duration: 263 ms\tMemory Size: 512 MB\tMax Memory Used: 80 MB\tInit Duration: 250.12 ms\t`,
    },
    {
      name: "timeout",
      rec: { outcome: outcome({ status: "timeout", durationMs: 3000, billedMs: 3000, errorType: "Sandbox.Timedout" }) },
      line: `REPORT RequestId: ${REQ}\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 512 MB\tMax Memory Used: 80 MB\tStatus: timeout\t`,
    },
    {
      name: "out of memory",
      rec: { outcome: outcome({ status: "oom", maxMemoryUsedMb: 512, errorType: "Runtime.OutOfMemory" }) },
      line: `REPORT RequestId: ${REQ}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 512 MB\tMax Memory Used: 512 MB\tStatus: error\tError Type: Runtime.OutOfMemory\t`,
    },
    {
      name: "traced",
      rec: { outcome: outcome(), trace: { traceId: TRACE, sampled: true, segmentId: "0123456789abcdef", functionSegmentId: "fedcba9876543210" } },
      line: `REPORT RequestId: ${REQ}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 512 MB\tMax Memory Used: 80 MB\t\nXRAY TraceId: ${TRACE}\tSegmentId: 0123456789abcdef\tSampled: true\t`,
    },
  ])("$name", ({ rec, line }) => {
    const r = record(rec as Partial<InvocationRecord>);
    expect(formatReportLine({ ...r, memoryMb: 512 })).toBe(line);
    const events = lambdaLogEvents(r);
    expect(events[events.length - 1]!.message).toBe(line);
  });

  it("parses back to the same numbers", () => {
    const r = record({ outcome: outcome({ initDurationMs: 250.12, billedMs: 263 }), trace: { traceId: TRACE, sampled: false, segmentId: "0123456789abcdef", functionSegmentId: "x" } });
    const report = parsedAll(r).find((l) => l.kind === "report");
    expect(report).toMatchObject({ requestId: REQ, durationMs: 12.34, billedDurationMs: 263, memorySizeMb: 512, maxMemoryUsedMb: 80, initDurationMs: 250.12, xrayTraceId: TRACE, xraySampled: false });
  });
});

describe("Lambda text logs", () => {
  it("writes INIT_START, START, app lines, END and REPORT in time order for a cold start", () => {
    const r = record({ outcome: outcome({ initDurationMs: 250.12, billedMs: 263, appLogLines: 2 }) });
    const events = lambdaLogEvents(r);
    expect(events.map((e) => e.message.split(/[\t ]/)[0])).toEqual(["INIT_START", "START", expect.stringMatching(/^2026-/), expect.stringMatching(/^2026-/), "END", "REPORT"]);
    expect(events[0]!.message).toMatch(/^INIT_START Runtime Version: nodejs:20\.v\d+\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}$/);
    expect(events[1]!.message).toBe(`START RequestId: ${REQ} Version: $LATEST`);
    expect(events[4]!.message).toBe(`END RequestId: ${REQ}`);
    for (let i = 1; i < events.length; i++) expect(events[i]!.timestamp).toBeGreaterThanOrEqual(events[i - 1]!.timestamp);
    expect(events[1]!.timestamp).toBe(Math.floor(r.startAt));
    expect(events[5]!.timestamp).toBe(Math.floor(r.endAt));
    expect(parsedAll(r).map((l) => l.kind)).toEqual(["init_start", "start", "app_log", "app_log", "end", "report"]);
  });

  it("writes the Node invoke error line", () => {
    const r = record({ outcome: outcome({ status: "error", errorType: "TypeError", errorMessage: "Cannot read properties of undefined (reading 'items')", appLogLines: 0 }) });
    const line = lambdaLogEvents(r).find((e) => e.message.includes("Invoke Error"))!.message;
    expect(line).toMatch(new RegExp(`^2026-11-20T10:00:00\\.\\d{3}Z\\t${REQ}\\tERROR\\tInvoke Error \\t\\{"errorType":"TypeError"`));
    const err = parseLambdaLogMessage(line)[0]!;
    expect(err).toMatchObject({ kind: "error", source: "invoke_error", errorType: "TypeError", errorMessage: "Cannot read properties of undefined (reading 'items')", requestId: REQ });
  });

  it("writes the Python uncaught error with its traceback", () => {
    const r = record({ outcome: outcome({ status: "error", errorType: "ValueError", errorMessage: "invalid literal for int() with base 10: 'two'", appLogLines: 1 }) }, { runtime: "python3.12", name: "cart" });
    const lines = parsedAll(r);
    expect(lines.find((l) => l.kind === "app_log")).toMatchObject({ requestId: REQ, level: "INFO" });
    const err = lines.find((l) => l.kind === "error");
    expect(err).toMatchObject({ source: "python_uncaught", errorType: "ValueError", errorMessage: "invalid literal for int() with base 10: 'two'" });
    expect(lambdaLogEvents(r).find((e) => e.message.startsWith("[ERROR] "))!.message).toContain("\nTraceback (most recent call last):\n");
  });

  it("writes the timeout line and Java errors as JSON", () => {
    const t = record({ outcome: outcome({ status: "timeout", durationMs: 3000, billedMs: 3000, errorType: "Sandbox.Timedout", appLogLines: 0 }) });
    expect(lambdaLogEvents(t).map((e) => e.message)).toContain(`${new Date(Math.floor(t.endAt)).toISOString()} ${REQ} Task timed out after 3.00 seconds`);
    expect(parsedAll(t).find((l) => l.kind === "timeout")).toMatchObject({ requestId: REQ, timeoutSeconds: 3 });
    const j = record({ outcome: outcome({ status: "error", errorType: "java.lang.IllegalStateException", errorMessage: "Catalog index not loaded", appLogLines: 0 }) }, { runtime: "java21", name: "catalog" });
    expect(parsedAll(j).find((l) => l.kind === "error")).toMatchObject({ errorType: "java.lang.IllegalStateException", errorMessage: "Catalog index not loaded" });
  });

  it("writes the runtime exit of an out-of-memory kill", () => {
    const r = record({ outcome: outcome({ status: "oom", maxMemoryUsedMb: 512, errorType: "Runtime.OutOfMemory", appLogLines: 0 }) }, { runtime: "dotnet8" });
    expect(parsedAll(r).find((l) => l.kind === "error")).toMatchObject({ source: "runtime_exit", oom: true, errorType: "Runtime.OutOfMemory", requestId: REQ });
  });
});

describe("Lambda JSON logs (LogFormat=JSON)", () => {
  it("replaces text lines with platform events", () => {
    const r = record(
      { outcome: outcome({ initDurationMs: 100.5, billedMs: 113, appLogLines: 1 }), trace: { traceId: TRACE, sampled: true, segmentId: "0123456789abcdef", functionSegmentId: "x" } },
      { logFormat: "JSON", name: "inventory" },
    );
    const events = lambdaLogEvents(r).map((e) => JSON.parse(e.message) as { type?: string; level?: string; record?: Record<string, unknown> });
    expect(events.map((e) => e.type ?? e.level)).toEqual(["platform.initStart", "platform.start", "INFO", "platform.runtimeDone", "platform.report"]);
    expect(events[4]!.record).toMatchObject({
      requestId: REQ,
      status: "success",
      metrics: { durationMs: 12.34, billedDurationMs: 113, memorySizeMB: 512, maxMemoryUsedMB: 80, initDurationMs: 100.5 },
      tracing: { type: "X-Amzn-Trace-Id", value: `Root=${TRACE};Parent=0123456789abcdef;Sampled=1` },
    });
    const report = parsedAll(r).find((l) => l.kind === "report");
    expect(report).toMatchObject({ format: "json", billedDurationMs: 113, initDurationMs: 100.5, xrayTraceId: TRACE, xraySampled: true });
  });

  it("reports timeouts and errors in the platform status", () => {
    const r = record({ outcome: outcome({ status: "timeout", durationMs: 3000, billedMs: 3000, errorType: "Sandbox.Timedout", appLogLines: 0 }) }, { logFormat: "JSON" });
    const report = lambdaLogEvents(r).map((e) => JSON.parse(e.message)).find((e) => e.type === "platform.report");
    expect(report.record.status).toBe("timeout");
  });
});

describe("X-Ray segments", () => {
  it("writes the AWS::Lambda and AWS::Lambda::Function segments with Initialization, Invocation and Overhead", () => {
    const r = record({
      outcome: outcome({
        initDurationMs: 250.12,
        billedMs: 263,
        status: "error",
        errorType: "ConditionalCheckFailedException",
        errorMessage: "The conditional request failed",
        downstream: [{ spec: { name: "DynamoDB", namespace: "aws", operation: "PutItem", resource: "orders", share: 0.5, probability: 1 }, offsetMs: 1, durationMs: 5, failed: true }],
      }),
      alias: "live",
      version: "7",
      trace: { traceId: TRACE, sampled: true, parentId: "aaaaaaaaaaaaaaaa", segmentId: "0123456789abcdef", functionSegmentId: "fedcba9876543210" },
    });
    const [service, fn] = lambdaSegmentDocuments(r, createRandom(1)).map((d) => JSON.parse(d)) as [Record<string, any>, Record<string, any>];
    expect(service).toMatchObject({ id: "0123456789abcdef", trace_id: TRACE, parent_id: "aaaaaaaaaaaaaaaa", origin: "AWS::Lambda", resource_arn: "arn:aws:lambda:us-east-1:123456789012:function:checkout:live", aws: { request_id: REQ } });
    expect(fn).toMatchObject({ id: "fedcba9876543210", parent_id: "0123456789abcdef", origin: "AWS::Lambda::Function", fault: true, resource_arn: "arn:aws:lambda:us-east-1:123456789012:function:checkout:7" });
    expect(fn.subsegments.map((s: { name: string }) => s.name)).toEqual(["Initialization", "Invocation", "Overhead"]);
    const ddb = fn.subsegments[1].subsegments[0];
    expect(ddb).toMatchObject({ name: "DynamoDB", namespace: "aws", error: true, aws: { operation: "PutItem", table_name: "orders", region: "us-east-1" }, http: { response: { status: 400 } } });
    expect(service.start_time).toBe(T0 / 1000);
    expect(fn.end_time).toBeGreaterThan(r.endAt / 1000);
  });

  it("writes nothing for unsampled invocations", () => {
    expect(lambdaSegmentDocuments(record({ trace: { traceId: TRACE, sampled: false, segmentId: "0123456789abcdef", functionSegmentId: "x" } }), createRandom(1))).toEqual([]);
  });
});

describe("API Gateway", () => {
  const req: ApiRequestRecord = {
    apiName: "shop-api",
    apiId: "a1b2c3d4e5",
    apiType: "REST",
    stage: "prod",
    region: "us-east-1",
    accountId: "123456789012",
    requestId: "11111111-2222-4333-8444-555555555555",
    extendedRequestId: "Ez1o3jaPIAMEY-Q=",
    ip: "203.0.113.9",
    userAgent: "okhttp/4.12.0",
    method: "POST",
    resourcePath: "/checkout",
    path: "/checkout",
    receivedAt: T0,
    completedAt: T0 + 212.7,
    status: 502,
    responseLength: 36,
    integration: { requestId: REQ, status: "200", latencyMs: 205.2, functionName: "checkout", startedAt: T0 + 3, endedAt: T0 + 208, subsegmentId: "bbbbbbbbbbbbbbbb", throttled: false },
    canary: true,
    errorMessage: "Internal server error",
    trace: { traceId: TRACE, segmentId: "cccccccccccccccc", sampled: true },
  };

  it("renders the REST access log line with the integration request id", () => {
    expect(JSON.parse(accessLogLine(req))).toEqual({
      requestId: req.requestId,
      extendedRequestId: "Ez1o3jaPIAMEY-Q=",
      ip: "203.0.113.9",
      requestTime: "20/Nov/2026:10:00:00 +0000",
      requestTimeEpoch: String(T0),
      httpMethod: "POST",
      resourcePath: "/checkout",
      path: "/prod/checkout",
      status: "502",
      protocol: "HTTP/1.1",
      responseLength: "36",
      responseLatency: "213",
      integrationRequestId: REQ,
      integrationStatus: "200",
      integrationLatency: "205",
      authorizerRequestId: "-",
      authorizerStatus: "-",
      authorizerLatency: "-",
      xrayTraceId: TRACE,
      isCanaryRequest: "true",
      stage: "prod",
      errorMessage: "Internal server error",
    });
    expect(clfTime(Date.parse("2026-01-02T03:04:05Z"))).toBe("02/Jan/2026:03:04:05 +0000");
  });

  it("renders HTTP API lines with the route key", () => {
    const line = JSON.parse(accessLogLine({ ...req, apiType: "HTTP", stage: "$default", method: "GET", resourcePath: "/search", path: "/search", status: 504, trace: undefined }));
    expect(line).toMatchObject({ routeKey: "GET /search", status: "504", stage: "$default" });
  });

  it("writes the stage segment as the trace root with the Lambda subsegment as parent of the function", () => {
    const seg = JSON.parse(apiGatewaySegmentDocument(req)!) as Record<string, any>;
    expect(seg).toMatchObject({ id: "cccccccccccccccc", trace_id: TRACE, name: "shop-api/prod", origin: "AWS::ApiGateway::Stage", fault: true, http: { response: { status: 502 } } });
    expect(seg.parent_id).toBeUndefined();
    expect(seg.subsegments[0]).toMatchObject({ id: "bbbbbbbbbbbbbbbb", name: "Lambda", namespace: "aws", aws: { operation: "Invoke", function_name: "checkout" } });
  });
});

describe("failure messages", () => {
  it("sends the original event to a DLQ with RequestID, ErrorCode and ErrorMessage", () => {
    const m = deadLetterMessage(REQ, { Records: [{ eventSource: "aws:s3" }] }, "cannot identify image file");
    expect(JSON.parse(m.body)).toEqual({ Records: [{ eventSource: "aws:s3" }] });
    expect(m.attributes).toEqual({
      RequestID: { DataType: "String", StringValue: REQ },
      ErrorCode: { DataType: "Number", StringValue: "200" },
      ErrorMessage: { DataType: "String", StringValue: "cannot identify image file" },
    });
  });

  it("writes the documented on-failure destination record", () => {
    const body = JSON.parse(
      onFailureRecord({
        requestId: REQ,
        functionArn: "arn:aws:lambda:us-east-1:123456789012:function:notifier:$LATEST",
        attempts: 3,
        payload: { Records: [] },
        executedVersion: "$LATEST",
        response: { errorType: "MessageRejected", errorMessage: "Email address is not verified.", trace: [] },
        at: T0,
      }),
    );
    expect(body).toEqual({
      version: "1.0",
      timestamp: "2026-11-20T10:00:00.000Z",
      requestContext: { requestId: REQ, functionArn: "arn:aws:lambda:us-east-1:123456789012:function:notifier:$LATEST", condition: "RetriesExhausted", approximateInvokeCount: 3 },
      requestPayload: { Records: [] },
      responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
      responsePayload: { errorType: "MessageRejected", errorMessage: "Email address is not verified.", trace: [] },
    });
  });

  it("names runtime versions like Lambda does", () => {
    expect(runtimeVersion("nodejs20.x")).toMatch(/^nodejs:20\.v\d+$/);
    expect(runtimeVersion("python3.12")).toMatch(/^python:3\.12\.v\d+$/);
    expect(runtimeVersion("java21")).toMatch(/^java:21\.v\d+$/);
    expect(runtimeVersion("provided.al2023")).toMatch(/^provided:al2023\.v\d+$/);
  });
});

describe("seconds (X-Ray timestamps)", () => {
  it("prints the same text as formatting Math.round(ms) / 1000", () => {
    const cases = [0, 1, 9, 10, 99, 100, 101, 110, 999, 1000, 1001, 1010, 1100, 1_764_000_000_000, 1_764_000_000_007, 1_764_000_000_070, 1_764_000_000_700, 1_764_000_000_123.5, 1_764_000_000_999.4, -1500, Number.MAX_SAFE_INTEGER + 10];
    for (let i = 0; i < 20_000; i++) cases.push(1_764_000_000_000 + i * 7.37 + (i % 13) * 0.31);
    for (const ms of cases) expect(seconds(ms)).toBe(String(Math.round(ms) / 1000));
  });
});
