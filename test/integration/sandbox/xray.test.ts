import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  BatchGetTracesCommand,
  GetServiceGraphCommand,
  GetTraceSummariesCommand,
  InvalidRequestException,
  PutTraceSegmentsCommand,
  XRayClient,
  paginateGetTraceSummaries,
  type TraceSummary,
} from "@aws-sdk/client-xray";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import { startSandbox, type Sandbox } from "../../../lib/sandbox/server.ts";
import { createRandom } from "../../../lib/sandbox/random.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const T0 = Date.UTC(2025, 5, 2, 12, 0, 0);
const T0s = T0 / 1000;
const FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:checkout";

let sandbox: Sandbox;
let xray: XRayClient;
const rand = createRandom(99);
const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join("");

interface TraceSpec {
  /** Start, epoch seconds. */
  at: number;
  /** Function duration, seconds. */
  duration: number;
  status?: number;
  fault?: boolean;
  error?: boolean;
  tenant?: string;
}

/** An API Gateway -> Lambda -> function trace with a DynamoDB call and an independently sent remote subsegment. */
function lambdaTrace(spec: TraceSpec): { traceId: string; docs: string[]; ids: Record<string, string> } {
  const traceId = `1-${Math.floor(spec.at).toString(16).padStart(8, "0")}-${hex(24)}`;
  const ids = { api: hex(16), apiCall: hex(16), lambda: hex(16), fn: hex(16), invocation: hex(16), ddb: hex(16), remote: hex(16) };
  const status = spec.status ?? (spec.fault ? 502 : spec.error ? 400 : 200);
  const t = spec.at;
  const d = spec.duration;
  const api = {
    id: ids.api,
    trace_id: traceId,
    name: "shop/prod",
    origin: "AWS::ApiGateway::Stage",
    resource_arn: "arn:aws:apigateway:us-east-1::/restapis/abc/stages/prod",
    start_time: t,
    end_time: t + d + 0.02,
    http: { request: { url: "https://abc.execute-api.us-east-1.amazonaws.com/prod/cart", method: "POST", user_agent: "curl/8", client_ip: "10.0.0.1" }, response: { status } },
    fault: spec.fault || undefined,
    error: spec.error || undefined,
    subsegments: [{ id: ids.apiCall, name: "Lambda", namespace: "aws", start_time: t + 0.005, end_time: t + d + 0.015, http: { response: { status: spec.fault ? 500 : 200 } } }],
  };
  const lambda = {
    id: ids.lambda,
    trace_id: traceId,
    parent_id: ids.apiCall,
    name: "checkout",
    origin: "AWS::Lambda",
    resource_arn: FUNCTION_ARN,
    start_time: t + 0.006,
    end_time: t + d + 0.014,
    aws: { account_id: "123456789012", request_id: hex(8) },
    fault: spec.fault || undefined,
  };
  const fn = {
    id: ids.fn,
    trace_id: traceId,
    parent_id: ids.lambda,
    name: "checkout",
    origin: "AWS::Lambda::Function",
    start_time: t + 0.01,
    end_time: t + d + 0.01,
    fault: spec.fault || undefined,
    annotations: spec.tenant ? { tenant: spec.tenant } : undefined,
    cause: spec.fault ? { exceptions: [{ type: "Error", message: "card declined" }] } : undefined,
    subsegments: [
      {
        id: ids.invocation,
        name: "Invocation",
        start_time: t + 0.01,
        end_time: t + d + 0.01,
        fault: spec.fault || undefined,
        subsegments: [{ id: ids.ddb, name: "DynamoDB", namespace: "aws", start_time: t + 0.02, end_time: t + 0.05, aws: { operation: "GetItem", table_name: "orders" } }],
      },
    ],
  };
  const remote = {
    type: "subsegment",
    id: ids.remote,
    trace_id: traceId,
    parent_id: ids.invocation,
    name: "payments.example.com",
    namespace: "remote",
    start_time: t + 0.06,
    end_time: t + 0.08,
    http: { request: { url: "https://payments.example.com/charge", method: "POST" }, response: { status: 200 } },
  };
  return { traceId, docs: [api, lambda, fn, remote].map((x) => JSON.stringify(x)), ids };
}

const traces: { traceId: string; spec: TraceSpec }[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, now: () => T0, seed: 3 });
  xray = new XRayClient({ endpoint: sandbox.url, region: "us-east-1", credentials, retryStrategy: new ConfiguredRetryStrategy(3, () => 5) });
  // 250 traces, one every 10 s in the hour before T0; every 10th faults, every 7th errors, every 5th is slow.
  const docs: string[] = [];
  for (let i = 0; i < 250; i++) {
    const spec: TraceSpec = { at: T0s - 3600 + i * 10 + 0.25, duration: i % 5 === 0 ? 2.5 : 0.1, fault: i % 10 === 3, error: i % 7 === 1 && i % 10 !== 3, tenant: i % 2 ? "acme" : "globex" };
    const tr = lambdaTrace(spec);
    traces.push({ traceId: tr.traceId, spec });
    docs.push(...tr.docs);
  }
  for (let i = 0; i < docs.length; i += 50) {
    const out = await xray.send(new PutTraceSegmentsCommand({ TraceSegmentDocuments: docs.slice(i, i + 50) }));
    expect(out.UnprocessedTraceSegments).toEqual([]);
  }
});

afterAll(async () => {
  xray.destroy();
  await sandbox.close();
});

beforeEach(() => sandbox.setFaults({}));

async function summaries(input: Partial<ConstructorParameters<typeof GetTraceSummariesCommand>[0]> = {}): Promise<TraceSummary[]> {
  const out: TraceSummary[] = [];
  for await (const page of paginateGetTraceSummaries({ client: xray }, { StartTime: new Date(T0 - 3_600_000), EndTime: new Date(T0), ...input })) out.push(...(page.TraceSummaries ?? []));
  return out;
}

describe("PutTraceSegments", () => {
  it("returns malformed documents as UnprocessedTraceSegments", async () => {
    const good = lambdaTrace({ at: T0s - 30, duration: 0.1 });
    const noEnd = JSON.stringify({ id: "0123456789abcdef", trace_id: good.traceId, name: "x", start_time: T0s - 30 });
    const badTrace = JSON.stringify({ id: "fedcba9876543210", trace_id: "2-bad", name: "x", start_time: T0s, end_time: T0s + 1 });
    const orphanSub = JSON.stringify({ type: "subsegment", id: "aaaaaaaaaaaaaaaa", trace_id: good.traceId, name: "s", start_time: T0s, end_time: T0s + 1 });
    const out = await xray.send(new PutTraceSegmentsCommand({ TraceSegmentDocuments: ["{not json", noEnd, badTrace, orphanSub] }));
    expect(out.UnprocessedTraceSegments!.map((u) => [u.Id, u.ErrorCode])).toEqual([
      [undefined, "JSONFormatError"],
      ["0123456789abcdef", "MissingParam"],
      ["fedcba9876543210", "InvalidTraceId"],
      ["aaaaaaaaaaaaaaaa", "MissingParam"],
    ]);
  });

  it("accepts in-progress segments and in-process writes (putTraceSegments internals)", async () => {
    const traceId = `1-${Math.floor(T0s - 3 * 3600).toString(16)}-${hex(24)}`;
    sandbox.context.internals.putTraceSegments([JSON.stringify({ id: hex(16), trace_id: traceId, name: "slow-job", origin: "AWS::Lambda::Function", start_time: T0s - 3 * 3600, in_progress: true })]);
    const window = { StartTime: new Date(T0 - 3 * 3_600_000 - 60_000), EndTime: new Date(T0 - 3 * 3_600_000 + 60_000) };
    const [s] = (await xray.send(new GetTraceSummariesCommand(window))).TraceSummaries!;
    expect(s).toMatchObject({ Id: traceId, IsPartial: true });
  });
});

describe("GetTraceSummaries", () => {
  it("pages 100 summaries at a time, newest first (paginateGetTraceSummaries)", async () => {
    const sizes: number[] = [];
    const all: TraceSummary[] = [];
    for await (const page of paginateGetTraceSummaries({ client: xray }, { StartTime: new Date(T0 - 3_600_000), EndTime: new Date(T0) })) {
      sizes.push(page.TraceSummaries!.length);
      all.push(...page.TraceSummaries!);
      expect(page.TracesProcessedCount).toBe(page.TraceSummaries!.length);
    }
    expect(sizes).toEqual([100, 100, 50]);
    expect(all.map((s) => s.Id)).toEqual([...traces].reverse().map((t) => t.traceId));
  });

  it("summarises a trace like X-Ray", async () => {
    const i = 13; // faults (i % 10 === 3)
    const s = (await summaries()).find((x) => x.Id === traces[i]!.traceId);
    expect(s).toMatchObject({
      Id: traces[i]!.traceId,
      HasFault: true,
      HasError: false,
      HasThrottle: false,
      IsPartial: false,
      Duration: 0.12,
      ResponseTime: 0.12,
      Http: { HttpURL: "https://abc.execute-api.us-east-1.amazonaws.com/prod/cart", HttpStatus: 502, HttpMethod: "POST", UserAgent: "curl/8", ClientIp: "10.0.0.1" },
      EntryPoint: { Name: "shop/prod", Names: ["shop/prod"], Type: "AWS::ApiGateway::Stage" },
      Annotations: { tenant: [{ AnnotationValue: { StringValue: "acme" }, ServiceIds: [{ Name: "checkout", Names: ["checkout"], Type: "AWS::Lambda::Function" }] }] },
    });
    expect(s!.StartTime!.getTime()).toBe((T0s - 3600 + i * 10 + 0.25) * 1000);
    expect(s!.ServiceIds!.map((x) => `${x.Name}|${x.Type}`).sort()).toEqual([
      "DynamoDB|AWS::DynamoDB::Table",
      "checkout|AWS::Lambda",
      "checkout|AWS::Lambda::Function",
      "payments.example.com|remote",
      "shop/prod|AWS::ApiGateway::Stage",
    ]);
    expect(s!.ResourceARNs!.map((r) => r.ARN).sort()).toEqual(["arn:aws:apigateway:us-east-1::/restapis/abc/stages/prod", FUNCTION_ARN]);
    expect(s!.FaultRootCauses![0]!.Services![0]).toMatchObject({ Name: "shop/prod" });
    const fnCause = s!.FaultRootCauses!.find((c) => c.Services![0]!.Type === "AWS::Lambda::Function")!;
    expect(fnCause.Services![0]!.EntityPath!.map((e) => e.Name)).toEqual(["checkout", "Invocation"]);
  });

  it("supports the common filter expressions", async () => {
    const count = async (FilterExpression: string) => (await summaries({ FilterExpression })).length;
    const n = (pred: (i: number) => boolean) => traces.filter((_, i) => pred(i)).length;
    expect(await count('service("checkout")')).toBe(250);
    expect(await count('service("payments")')).toBe(0);
    expect(await count("fault = true")).toBe(n((i) => i % 10 === 3));
    expect(await count("fault")).toBe(n((i) => i % 10 === 3));
    expect(await count("error")).toBe(n((i) => i % 7 === 1 && i % 10 !== 3));
    expect(await count("ok")).toBe(n((i) => i % 10 !== 3 && !(i % 7 === 1)));
    expect(await count("responsetime > 1")).toBe(n((i) => i % 5 === 0));
    expect(await count("duration >= 2.5 AND NOT fault")).toBe(n((i) => i % 5 === 0 && i % 10 !== 3));
    expect(await count("http.status = 502 OR http.status = 400")).toBe(n((i) => i % 10 === 3 || i % 7 === 1));
    expect(await count('annotation.tenant = "acme" && !fault')).toBe(n((i) => i % 2 === 1 && i % 10 !== 3));
    expect(await count('service(id(name: "checkout", type: "AWS::Lambda::Function")) { fault }')).toBe(n((i) => i % 10 === 3));
    expect(await count('edge("checkout", "DynamoDB")')).toBe(250);
    expect(await count('http.url CONTAINS "/cart"')).toBe(250);
    const unsupported = await xray.send(new GetTraceSummariesCommand({ StartTime: new Date(T0 - 60_000), EndTime: new Date(T0), FilterExpression: 'rootcause.fault.service { name = "x" }' })).catch((e: Error) => e);
    expect(unsupported).toBeInstanceOf(InvalidRequestException);
  });

  it("honours TimeRangeType, Sampling and the 24-hour limit", async () => {
    // Trace ids carry the start second; Event time is the end time of the latest segment.
    const t = traces[5]!; // slow: ends 2.51 s after it starts
    const start = new Date((t.spec.at - 0.25) * 1000);
    const end = new Date((t.spec.at + 1) * 1000);
    const byId = await xray.send(new GetTraceSummariesCommand({ StartTime: start, EndTime: end, TimeRangeType: "TraceId" }));
    expect(byId.TraceSummaries!.map((s) => s.Id)).toEqual([t.traceId]);
    const byEvent = await xray.send(new GetTraceSummariesCommand({ StartTime: start, EndTime: end, TimeRangeType: "Event" }));
    expect(byEvent.TraceSummaries).toEqual([]);
    const sampled = await summaries({ Sampling: true, SamplingStrategy: { Name: "FixedRate", Value: 0.5 } });
    expect(sampled.length).toBeGreaterThan(80);
    expect(sampled.length).toBeLessThan(170);
    const again = await summaries({ Sampling: true, SamplingStrategy: { Name: "FixedRate", Value: 0.5 } });
    expect(again.map((s) => s.Id)).toEqual(sampled.map((s) => s.Id));
    const tooLong = await xray.send(new GetTraceSummariesCommand({ StartTime: new Date(T0 - 25 * 3_600_000), EndTime: new Date(T0) })).catch((e: Error) => e);
    expect(tooLong).toBeInstanceOf(InvalidRequestException);
  });
});

describe("BatchGetTraces", () => {
  it("returns assembled segments with inferred segments, at most 5 ids", async () => {
    const tooMany = await xray.send(new BatchGetTracesCommand({ TraceIds: traces.slice(0, 6).map((t) => t.traceId) })).catch((e: Error) => e);
    expect(tooMany).toBeInstanceOf(InvalidRequestException);
    const unknown = "1-00000000-000000000000000000000000";
    const out = await xray.send(new BatchGetTracesCommand({ TraceIds: [traces[0]!.traceId, traces[1]!.traceId, unknown] }));
    expect(out.UnprocessedTraceIds).toEqual([unknown]);
    expect(out.Traces!.map((t) => t.Id)).toEqual([traces[0]!.traceId, traces[1]!.traceId]);
    const trace = out.Traces![1]!;
    expect(trace).toMatchObject({ Duration: 0.12, LimitExceeded: false });
    const docs = trace.Segments!.map((s) => JSON.parse(s.Document!) as Record<string, any>);
    expect(trace.Segments!.map((s) => s.Id)).toEqual(docs.map((d) => d.id));
    const fn = docs.find((d) => d.origin === "AWS::Lambda::Function")!;
    const invocation = fn.subsegments[0];
    // The independently sent subsegment is folded into its parent.
    expect(invocation.subsegments.map((s: { name: string }) => s.name)).toEqual(["DynamoDB", "payments.example.com"]);
    expect(docs.filter((d) => d.type === "subsegment")).toEqual([]);
    const inferred = docs.filter((d) => d.inferred);
    expect(inferred.map((d) => [d.name, d.origin, d.parent_id])).toEqual([
      ["DynamoDB", "AWS::DynamoDB::Table", fn.id],
      ["payments.example.com", "remote", fn.id],
    ]);
    // The API Gateway's Lambda call has a real downstream segment, so it is not inferred.
    expect(docs.filter((d) => d.name === "Lambda")).toEqual([]);
  });
});

describe("GetServiceGraph", () => {
  it("derives services, edges and statistics from the segments", async () => {
    const out = await xray.send(new GetServiceGraphCommand({ StartTime: new Date(T0 - 3_600_000), EndTime: new Date(T0) }));
    const services = out.Services!;
    const byKey = new Map(services.map((s) => [`${s.Name ?? ""}|${s.Type}`, s]));
    const nameOf = (ref: number | undefined) => {
      const s = services.find((x) => x.ReferenceId === ref)!;
      return `${s.Name ?? ""}|${s.Type}`;
    };
    expect([...byKey.keys()].sort()).toEqual([
      "DynamoDB|AWS::DynamoDB::Table",
      "checkout|AWS::Lambda",
      "checkout|AWS::Lambda::Function",
      "payments.example.com|remote",
      "shop/prod|AWS::ApiGateway::Stage",
      "|client",
    ]);
    const edgesOf = (key: string) => byKey.get(key)!.Edges!.map((e) => nameOf(e.ReferenceId)).sort();
    expect(edgesOf("|client")).toEqual(["shop/prod|AWS::ApiGateway::Stage"]);
    expect(edgesOf("shop/prod|AWS::ApiGateway::Stage")).toEqual(["checkout|AWS::Lambda"]);
    expect(edgesOf("checkout|AWS::Lambda")).toEqual(["checkout|AWS::Lambda::Function"]);
    expect(edgesOf("checkout|AWS::Lambda::Function")).toEqual(["DynamoDB|AWS::DynamoDB::Table", "payments.example.com|remote"]);
    const faults = traces.filter((_, i) => i % 10 === 3).length;
    const fn = byKey.get("checkout|AWS::Lambda::Function")!;
    expect(fn.Root).toBe(false);
    expect(fn.SummaryStatistics).toMatchObject({ TotalCount: 250, OkCount: 250 - faults, FaultStatistics: { TotalCount: faults } });
    const api = byKey.get("shop/prod|AWS::ApiGateway::Stage")!;
    const errors = traces.filter((_, i) => i % 7 === 1 && i % 10 !== 3).length;
    expect(api.Root).toBe(true);
    expect(api.SummaryStatistics).toMatchObject({ TotalCount: 250, ErrorStatistics: { TotalCount: errors, OtherCount: errors, ThrottleCount: 0 }, FaultStatistics: { TotalCount: faults } });
    expect(fn.ResponseTimeHistogram!.reduce((s, h) => s + h.Count!, 0)).toBe(250);
    expect(fn.ResponseTimeHistogram!.map((h) => h.Value)).toEqual([0.1, 2.5]);
    const ddbEdge = fn.Edges!.find((e) => nameOf(e.ReferenceId) === "DynamoDB|AWS::DynamoDB::Table")!;
    expect(ddbEdge.SummaryStatistics).toMatchObject({ TotalCount: 250, OkCount: 250 });
    expect(ddbEdge.SummaryStatistics!.TotalResponseTime).toBeCloseTo(250 * 0.03, 3);
  });
});

describe("throttling", () => {
  it("answers ThrottledException (429), which the SDK retries", async () => {
    sandbox.setFaults({ "xray:GetTraceSummaries": { throttleRate: 1 } });
    const once = new XRayClient({ endpoint: sandbox.url, region: "us-east-1", credentials, maxAttempts: 1 });
    const err = (await once.send(new GetTraceSummariesCommand({ StartTime: new Date(T0 - 60_000), EndTime: new Date(T0) })).catch((e) => e)) as {
      name: string;
      $metadata: { httpStatusCode: number };
    };
    once.destroy();
    expect(err.name).toBe("ThrottledException");
    expect(err.$metadata.httpStatusCode).toBe(429);
    sandbox.setFaults({ "xray:GetTraceSummaries": { throttleRate: 0.4 } });
    sandbox.resetStats();
    const retrying = new XRayClient({ endpoint: sandbox.url, region: "us-east-1", credentials, retryStrategy: new ConfiguredRetryStrategy(10, () => 5) });
    const all: TraceSummary[] = [];
    for await (const page of paginateGetTraceSummaries({ client: retrying }, { StartTime: new Date(T0 - 3_600_000), EndTime: new Date(T0) })) all.push(...page.TraceSummaries!);
    retrying.destroy();
    expect(all).toHaveLength(250);
    expect(sandbox.stats()["xray:GetTraceSummaries"]!.throttled).toBeGreaterThan(0);
  });
});

describe("snapshots", () => {
  it("restores traces from a snapshot file", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faasight-xray-"));
    const statePath = path.join(dir, "state.json");
    const first = await startSandbox({ port: 0, now: () => T0, statePath });
    const c1 = new XRayClient({ endpoint: first.url, region: "us-east-1", credentials });
    const tr = lambdaTrace({ at: T0s - 100, duration: 0.2, fault: true });
    await c1.send(new PutTraceSegmentsCommand({ TraceSegmentDocuments: tr.docs }));
    const before = await c1.send(new BatchGetTracesCommand({ TraceIds: [tr.traceId] }));
    c1.destroy();
    await first.close();
    const second = await startSandbox({ port: 0, now: () => T0, statePath });
    const c2 = new XRayClient({ endpoint: second.url, region: "us-east-1", credentials });
    const after = await c2.send(new BatchGetTracesCommand({ TraceIds: [tr.traceId] }));
    const summaries = await c2.send(new GetTraceSummariesCommand({ StartTime: new Date(T0 - 200_000), EndTime: new Date(T0), FilterExpression: "fault" }));
    c2.destroy();
    await second.close();
    fs.rmSync(dir, { recursive: true, force: true });
    expect(after.Traces).toEqual(before.Traces);
    expect(summaries.TraceSummaries!.map((s) => s.Id)).toEqual([tr.traceId]);
  });
});
