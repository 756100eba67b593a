import { describe, expect, it } from "vitest";
import type { InvocationTarget, LogEventInput, MetricDatumInput, SandboxInternals } from "../sandbox/core.ts";
import { parseLambdaLogMessage } from "../parse/lambda-log.ts";
import { PROFILE_ENV } from "./profile.ts";
import { createSimulatedRunner } from "./runner.ts";

function fakeInternals() {
  const logs: { group: string; stream: string; events: LogEventInput[] }[] = [];
  const metrics: { ns: string; data: MetricDatumInput[] }[] = [];
  const segments: string[] = [];
  const internals: SandboxInternals = {
    putLogEvents: (group, stream, events) => void logs.push({ group, stream, events }),
    putMetricData: (ns, data) => void metrics.push({ ns, data }),
    putTraceSegments: (docs) => void segments.push(...docs),
    sendSqsMessage: () => "id",
    publishSns: () => "id",
    invokeLambda: async () => ({ statusCode: 200, requestId: "x", executedVersion: "$LATEST", payload: "" }),
  };
  return { internals, logs, metrics, segments };
}

const target = (over: Partial<InvocationTarget> = {}): InvocationTarget => ({
  functionName: "orders",
  functionArn: "arn:aws:lambda:us-east-1:123456789012:function:orders",
  version: "$LATEST",
  runtime: "nodejs20.x",
  architecture: "arm64",
  memorySizeMb: 256,
  timeoutSeconds: 6,
  logGroup: "/aws/lambda/orders",
  logFormat: "Text",
  tracingMode: "Active",
  environment: {},
  provisionedConcurrency: 0,
  ...over,
});

describe("simulatedInvocationRunner", () => {
  it("writes START/END/REPORT, cold first and warm on the same stream afterwards", async () => {
    const run = createSimulatedRunner();
    const f = fakeInternals();
    const t0 = Date.parse("2026-11-20T10:00:00Z");
    const a = await run(target(), "{}", { requestId: "11111111-1111-4111-8111-111111111111", invocationType: "RequestResponse", attempt: 1, at: t0 }, f.internals);
    const b = await run(target(), "{}", { requestId: "22222222-2222-4222-8222-222222222222", invocationType: "RequestResponse", attempt: 1, at: t0 + 10_000 }, f.internals);
    expect(a.statusCode).toBe(200);
    expect(b.requestId).toBe("22222222-2222-4222-8222-222222222222");
    expect(f.logs).toHaveLength(2);
    expect(f.logs[0]!.group).toBe("/aws/lambda/orders");
    expect(f.logs[1]!.stream).toBe(f.logs[0]!.stream);
    const reports = f.logs.map((l) => l.events.flatMap((e) => parseLambdaLogMessage(e.message)).find((p) => p.kind === "report"));
    expect(reports[0]).toMatchObject({ kind: "report", requestId: "11111111-1111-4111-8111-111111111111", memorySizeMb: 256 });
    expect(reports[0]!.kind === "report" && reports[0]!.initDurationMs).toBeGreaterThan(0);
    expect(reports[1]!.kind === "report" && reports[1]!.initDurationMs).toBeUndefined();
    expect(f.metrics.every((m) => m.ns === "AWS/Lambda")).toBe(true);
    expect(f.metrics.flatMap((m) => m.data).filter((d) => d.MetricName === "Invocations")).toHaveLength(2);
    expect(a.logTail).toContain("REPORT RequestId: 11111111-1111-4111-8111-111111111111");
    // Active tracing: the first invocation of a second is always sampled.
    expect(f.segments.length).toBeGreaterThanOrEqual(2);
  });

  it("reports function errors as Unhandled with the runtime's error payload, using the function's profile", async () => {
    const run = createSimulatedRunner();
    const f = fakeInternals();
    const profile = { durationMs: 10, initMs: 50, memoryUsedMb: [40, 50], errorRate: 1, errors: [{ type: "TypeError", message: "boom" }] };
    const r = await run(target({ environment: { [PROFILE_ENV]: JSON.stringify(profile) }, qualifier: "live", version: "3" }), "{}", { requestId: "33333333-3333-4333-8333-333333333333", invocationType: "Event", attempt: 2, at: 0 }, f.internals);
    expect(r.functionError).toBe("Unhandled");
    expect(r.statusCode).toBe(202);
    expect(JSON.parse(r.payload)).toMatchObject({ errorType: "TypeError", errorMessage: "boom" });
    expect(f.logs[0]!.stream).toMatch(/^1970\/01\/01\/\[3\][0-9a-f]{32}$/);
    const dims = f.metrics.flatMap((m) => m.data).filter((d) => d.MetricName === "Errors").map((d) => d.Dimensions?.map((x) => `${x.Name}=${x.Value}`).join(","));
    expect(dims.sort()).toEqual(["FunctionName=orders", "FunctionName=orders,Resource=orders:live", "FunctionName=orders,Resource=orders:live,ExecutedVersion=3"]);
  });

  it("serves provisioned concurrency without cold starts", async () => {
    const run = createSimulatedRunner();
    const f = fakeInternals();
    await run(target({ provisionedConcurrency: 2, qualifier: "prod", version: "2" }), "{}", { requestId: "44444444-4444-4444-8444-444444444444", invocationType: "RequestResponse", attempt: 1, at: 1000 }, f.internals);
    expect(f.logs[0]!.events.some((e) => e.message.startsWith("INIT_START"))).toBe(false);
    expect(f.logs[0]!.events.find((e) => e.message.startsWith("REPORT"))!.message).not.toContain("Init Duration");
  });
});
