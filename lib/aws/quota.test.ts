import { describe, expect, it } from "vitest";
import { AWS_DOCUMENTED_TPS, QUOTA_HEADROOM, QuotaGovernor, TokenBucket, addCounts, callScope, governClient, isThrottlingError, operationName, quotaKey } from "./quota.ts";

describe("quotaKey", () => {
  it.each([
    ["logs", "FilterLogEvents", "logs:FilterLogEvents"],
    ["monitoring", "GetMetricData", "monitoring:GetMetricData"],
    ["xray", "BatchGetTraces", "xray:BatchGetTraces"],
    ["lambda", "ListAliases", "lambda:control-plane"],
    ["lambda", "GetFunction", "lambda:GetFunction"],
    ["apigateway", "GetStages", "apigateway:management"],
    ["sqs", "ReceiveMessage", "sqs:default"],
    ["sns", "ListTopics", "sns:ListTopics"],
    ["iam", "ListRoles", "default"],
  ])("%s:%s draws from %s", (service, op, key) => expect(quotaKey(service, op)).toBe(key));

  it("allows at most 80% of AWS's documented rates", () => {
    const g = new QuotaGovernor();
    expect(g.rate("logs:FilterLogEvents")).toBe(4);
    expect(g.rate("monitoring:GetMetricData")).toBe(40);
    expect(g.rate("xray:BatchGetTraces")).toBe(4);
    for (const [k, v] of Object.entries(AWS_DOCUMENTED_TPS)) expect(g.rate(k)).toBeLessThanOrEqual(v * QUOTA_HEADROOM);
    expect(new QuotaGovernor(10).rate("logs:FilterLogEvents")).toBe(40);
  });
});

describe("TokenBucket", () => {
  it("spends its burst, then spaces reservations at the rate, and refills with time", () => {
    let now = 0;
    const b = new TokenBucket(4, 4, () => now);
    expect([b.reserve(), b.reserve(), b.reserve(), b.reserve()]).toEqual([0, 0, 0, 0]);
    expect([b.reserve(), b.reserve()]).toEqual([250, 500]);
    now = 2000;
    // 2 s at 4/s refill 8 tokens, 2 were owed, capped at the capacity of 4.
    expect([b.reserve(), b.reserve(), b.reserve(), b.reserve(), b.reserve()]).toEqual([0, 0, 0, 0, 250]);
  });

  it("never exceeds the rate over a long run", () => {
    const now = 0;
    const b = new TokenBucket(4, 4, () => now);
    let last = 0;
    for (let i = 0; i < 400; i++) last = b.reserve();
    // 400 calls: 4 at once, 396 more at 4/s.
    expect(last).toBe(99_000);
  });
});

describe("isThrottlingError", () => {
  it.each([
    [{ name: "ThrottlingException" }, true],
    [{ name: "Throttling" }, true],
    [{ name: "ThrottledException" }, true],
    [{ name: "TooManyRequestsException" }, true],
    [{ name: "RequestThrottled" }, true],
    [{ name: "X", $metadata: { httpStatusCode: 429 } }, true],
    [{ name: "X", $retryable: { throttling: true } }, true],
    [{ name: "ResourceNotFoundException" }, false],
    [{ name: "InternalFailure", $metadata: { httpStatusCode: 500 } }, false],
    [undefined, false],
  ])("%j -> %s", (err, want) => expect(isThrottlingError(err)).toBe(want));
});

describe("counting middleware", () => {
  it("counts every attempt per API, in the totals and in the current collector's scope", async () => {
    const stack: Array<(next: (a: unknown) => Promise<unknown>, ctx: { commandName?: string }) => (a: unknown) => Promise<unknown>> = [];
    const client = { constructor: { name: "CloudWatchLogsClient" }, middlewareStack: { add: (mw: never) => stack.push(mw) } };
    const g = new QuotaGovernor(1000);
    governClient(client, g);
    const ok = stack[0]!(async () => "out", { commandName: "FilterLogEventsCommand" });
    const throttled = stack[0]!(async () => Promise.reject(Object.assign(new Error("slow down"), { name: "ThrottlingException" })), { commandName: "FilterLogEventsCommand" });
    const scope = {};
    await callScope.run(scope, async () => {
      expect(await ok({})).toBe("out");
      await expect(throttled({})).rejects.toThrow("slow down");
    });
    expect(g.totals).toEqual({ "logs:FilterLogEvents": { calls: 2, throttled: 1, failed: 0 } });
    expect(scope).toEqual(g.totals);
    expect(addCounts({ a: { calls: 1, throttled: 0, failed: 1 } }, { a: { calls: 2, throttled: 1, failed: 0 }, b: { calls: 1, throttled: 0, failed: 0 } })).toEqual({
      a: { calls: 3, throttled: 1, failed: 1 },
      b: { calls: 1, throttled: 0, failed: 0 },
    });
    expect(operationName("GetMetricDataCommand")).toBe("GetMetricData");
  });
});
