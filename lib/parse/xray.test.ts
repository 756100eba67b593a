import { describe, expect, it } from "vitest";
import fixture from "./fixtures/xray-apigw-lambda-cold.json";
import { summarizeTrace, type TraceSummary } from "./xray.ts";

function summary(traceId: string, docs: string[]): TraceSummary {
  const s = summarizeTrace(traceId, docs);
  if (s.kind !== "trace") throw new Error(`expected a trace, got ${s.reason}`);
  return s;
}

describe("summarizeTrace on a real API Gateway -> Lambda cold start trace", () => {
  const s = summary(fixture.traceId, fixture.documents);

  it("identifies the entry function and its invocation", () => {
    expect(s).toMatchObject({
      kind: "trace",
      traceId: "1-643aca1d-02e095f7341508e00b9b6d2b",
      startTime: 1681574429579,
      endTime: 1681574431028.152,
      durationMs: 1449.152,
      rootName: "dev-todo-list-app/dev",
      functionName: "todo-list-app-dev-postTask",
      functionArn: "arn:aws:lambda:us-east-1:263792328682:function:todo-list-app-dev-postTask",
      requestId: "372607be-98bc-4960-bcb8-352704034263",
      coldStart: true,
      initMs: 851.506,
      invocationMs: 196.879,
      overheadMs: 0.543,
      fault: false,
      error: false,
      throttle: false,
      httpStatus: 201,
      malformed: 0,
    });
    expect(s.version).toBeUndefined();
    expect(s.exceptions).toEqual([]);
  });

  it("orders segments depth-first with siblings by start time", () => {
    expect(s.segments.map((x) => [x.name, x.depth])).toEqual([
      ["dev-todo-list-app/dev", 0],
      ["Lambda", 1],
      ["todo-list-app-dev-postTask", 2],
      ["todo-list-app-dev-postTask", 3],
      ["Initialization", 4],
      ["Invocation", 4],
      ["DynamoDB", 5],
      ["DynamoDB", 6],
      ["Lambda", 5],
      ["todo-list-app-dev-sendNotification", 6],
      ["todo-list-app-dev-sendNotification", 7],
      ["Invocation", 8],
      ["Overhead", 8],
      ["Overhead", 4],
    ]);
    expect(s.segments[0]).toEqual({
      id: "66083ccfc311f302",
      name: "dev-todo-list-app/dev",
      origin: "AWS::ApiGateway::Stage",
      startMs: 0,
      durationMs: 1444,
      depth: 0,
      fault: false,
      error: false,
      throttle: false,
      httpStatus: 201,
    });
    expect(s.segments[7]).toMatchObject({ id: "3dd87a2724860b51", parentId: "b65ecbebf0c80be7", inferred: true, origin: "AWS::DynamoDB::Table" });
    expect(s.segments[4]).toMatchObject({ name: "Initialization", startMs: 391.087, durationMs: 851.506 });
  });

  it("lists downstream calls by start time", () => {
    expect(s.downstreamCalls).toEqual([
      {
        id: "4c17ecc1b6cd296a",
        name: "Lambda",
        namespace: "aws",
        operation: "Invoke",
        resource: "todo-list-app-dev-postTask",
        url: "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn:aws:lambda:us-east-1:263792328682:function:todo-list-app-dev-postTask/invocations",
        method: "POST",
        startMs: 2,
        durationMs: 1442,
        httpStatus: 201,
        fault: false,
        error: false,
        throttle: false,
      },
      {
        id: "b65ecbebf0c80be7",
        name: "DynamoDB",
        namespace: "aws",
        operation: "PutItem",
        resource: "todo-list-tasks",
        startMs: 1263,
        durationMs: 82,
        httpStatus: 200,
        fault: false,
        error: false,
        throttle: false,
      },
      {
        id: "72196dbd1971fbad",
        name: "Lambda",
        namespace: "aws",
        operation: "Invoke",
        resource: "todo-list-app-dev-sendNotification",
        startMs: 1351,
        durationMs: 85,
        httpStatus: 200,
        fault: false,
        error: false,
        throttle: false,
      },
    ]);
  });

  it("is independent of document order", () => {
    const reversed = summary(fixture.traceId, [...fixture.documents].reverse());
    expect(reversed).toEqual(s);
  });
});

const TRACE = "1-5e1b4151-5ac6c58f5b1a4b3c8e7f6a1b";
const lambdaSeg = {
  id: "1a2b3c4d5e6f7081",
  name: "orders",
  start_time: 1700000000.0,
  end_time: 1700000000.25,
  trace_id: TRACE,
  origin: "AWS::Lambda",
  resource_arn: "arn:aws:lambda:eu-west-1:123456789012:function:orders:live",
  http: { response: { status: 200 } },
  aws: { request_id: "c0ffee00-1111-2222-3333-444455556666" },
};
const functionSeg = {
  id: "2b3c4d5e6f708192",
  name: "orders",
  start_time: 1700000000.01,
  end_time: 1700000000.24,
  trace_id: TRACE,
  parent_id: "1a2b3c4d5e6f7081",
  origin: "AWS::Lambda::Function",
  fault: true,
  cause: {
    working_directory: "/var/task",
    exceptions: [{ id: "e1", type: "PaymentGatewayError", message: "upstream 503", remote: true }],
  },
  subsegments: [
    { id: "3c4d5e6f70819203", name: "Restore", start_time: 1700000000.01, end_time: 1700000000.05 },
    {
      id: "4d5e6f7081920314",
      name: "Invocation",
      start_time: 1700000000.05,
      end_time: 1700000000.23,
      subsegments: [
        {
          id: "5e6f708192031425",
          name: "payments.example.com",
          namespace: "remote",
          start_time: 1700000000.06,
          end_time: 1700000000.2,
          fault: true,
          http: { request: { url: "https://payments.example.com/charge", method: "POST" }, response: { status: 503 } },
        },
        {
          id: "6f70819203142536",
          name: "SQS",
          namespace: "aws",
          start_time: 1700000000.205,
          throttle: true,
          error: true,
          aws: { operation: "SendMessage", queue_url: "https://sqs.eu-west-1.amazonaws.com/123456789012/retry" },
          http: { response: { status: 400 } },
        },
      ],
    },
  ],
};

describe("summarizeTrace on synthetic SnapStart/fault documents", () => {
  it("reads alias qualifier, restore, flags, exceptions and in-progress calls", () => {
    const s = summary(TRACE, [JSON.stringify(lambdaSeg), JSON.stringify(functionSeg)]);
    expect(s).toMatchObject({
      functionName: "orders",
      functionArn: "arn:aws:lambda:eu-west-1:123456789012:function:orders:live",
      version: "live",
      requestId: "c0ffee00-1111-2222-3333-444455556666",
      coldStart: true,
      restoreMs: 40,
      fault: true,
      error: true,
      throttle: true,
      httpStatus: 200,
      durationMs: 250,
    });
    expect(s.initMs).toBeUndefined();
    expect(s.invocationMs).toBe(180);
    expect(s.overheadMs).toBeUndefined();
    expect(s.exceptions).toEqual([
      { segmentId: "2b3c4d5e6f708192", type: "PaymentGatewayError", message: "upstream 503", remote: true },
    ]);
    expect(s.downstreamCalls.map((c) => [c.name, c.namespace, c.httpStatus, c.fault, c.throttle, c.resource])).toEqual([
      ["payments.example.com", "remote", 503, true, false, undefined],
      ["SQS", "aws", 400, false, true, "https://sqs.eu-west-1.amazonaws.com/123456789012/retry"],
    ]);
    expect(s.segments.find((x) => x.name === "SQS")).toMatchObject({ inProgress: true, durationMs: 0, startMs: 205 });
  });

  it("is a warm start without Initialization or Restore", () => {
    const warm = { ...functionSeg, subsegments: [functionSeg.subsegments[1]] };
    const s = summary(TRACE, [JSON.stringify(lambdaSeg), JSON.stringify(warm)]);
    expect(s.coldStart).toBe(false);
    expect(s.restoreMs).toBeUndefined();
  });

  it("skips and counts malformed and foreign documents", () => {
    const foreign = { ...lambdaSeg, id: "ffffffffffffffff", trace_id: "1-00000000-000000000000000000000000" };
    const s = summary(TRACE, [
      "not json",
      "{}",
      '{"id":"x","start_time":"soon"}',
      "[1,2]",
      JSON.stringify(foreign),
      JSON.stringify(lambdaSeg),
      42 as unknown as string,
    ]);
    expect(s.malformed).toBe(6);
    expect(s.segments.map((x) => x.id)).toEqual(["1a2b3c4d5e6f7081"]);
  });

  it("returns unparsed with the malformed count when nothing is usable", () => {
    expect(summarizeTrace(TRACE, ["", "null"])).toEqual({ kind: "unparsed", reason: "no valid segment documents", malformed: 2 });
    expect(summarizeTrace(TRACE, [])).toEqual({ kind: "unparsed", reason: "no valid segment documents", malformed: 0 });
  });

  it("survives parent cycles and duplicate ids", () => {
    const a = { id: "a", name: "a", start_time: 1, end_time: 2, parent_id: "b" };
    const b = { id: "b", name: "b", start_time: 1.5, end_time: 2, parent_id: "a" };
    const s = summary("", [JSON.stringify(a), JSON.stringify(b), JSON.stringify(a)]);
    expect(s.segments.map((x) => [x.id, x.depth])).toEqual([
      ["a", 0],
      ["b", 1],
    ]);
  });

  it("handles very deep nesting without recursion", () => {
    // Built as text: JSON.stringify itself would overflow the stack at this depth.
    const depth = 20_000;
    let doc = "";
    for (let i = depth - 1; i >= 0; i--) doc += `{"id":"n${i}","name":"n","start_time":10,"end_time":11,"subsegments":[`;
    doc += '{"id":"leaf","name":"leaf","start_time":10,"end_time":11}' + "]}".repeat(depth);
    const s = summary("", [doc]);
    expect(s.segments).toHaveLength(20_001);
    expect(s.segments.at(-1)).toMatchObject({ id: "leaf", depth: 20_000 });
  });
});
