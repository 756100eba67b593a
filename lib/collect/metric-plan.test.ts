import { describe, expect, it } from "vitest";
import { batchQueries, canonicalDimensions, isPercentileStat, planMetricQueries, planMetricWindow, type PlanFunction, type PlanInput } from "./metric-plan.ts";

const fn = (name: string, o: Partial<PlanFunction> = {}): PlanFunction => ({ name, aliases: [], provisioned: false, dlq: false, destinations: false, asyncConfigured: false, streamSource: false, ...o });
const input = (o: Partial<PlanInput>): PlanInput => ({ functions: [], active: new Set(), throttledResources: new Map(), stages: [], activeStages: null, queues: [], topics: [], rules: [], percentiles: true, ...o });

describe("planMetricQueries", () => {
  it("asks nothing for idle functions", () => {
    expect(planMetricQueries(input({ functions: [fn("idle")] }))).toEqual([]);
  });

  it("asks a plain active function for four series (no Errors: the logs give them)", () => {
    const q = planMetricQueries(input({ functions: [fn("cart")], active: new Set(["cart"]) }));
    expect(q.map((x) => `${x.metricName}/${x.stat}/${canonicalDimensions(x.dimensions)}`)).toEqual([
      "Invocations/Sum/FunctionName=cart",
      "Throttles/Sum/FunctionName=cart",
      "ConcurrentExecutions/Maximum/FunctionName=cart",
      "Duration/Sum/FunctionName=cart",
    ]);
  });

  it("asks Throttles only of functions ListMetrics lists as throttled, when that list is known", () => {
    const names = (throttledFunctions: Set<string> | null) =>
      planMetricQueries(input({ functions: [fn("cart"), fn("search")], active: new Set(["cart", "search"]), throttledFunctions }))
        .filter((x) => x.metricName === "Throttles")
        .map((x) => canonicalDimensions(x.dimensions));
    expect(names(new Set(["search"]))).toEqual(["FunctionName=search"]);
    expect(names(new Set())).toEqual([]);
    expect(names(null)).toEqual(["FunctionName=cart", "FunctionName=search"]);
  });

  it("adds alias (Resource), canary (ExecutedVersion), async, DLQ and provisioned series by configuration", () => {
    const f = fn("checkout", { aliases: [{ name: "live", functionVersion: "7", routing: { "8": 0.1 }, provisioned: true }], provisioned: true, dlq: true, destinations: true, asyncConfigured: true, streamSource: true });
    const q = planMetricQueries(input({ functions: [f], active: new Set(["checkout"]), throttledResources: new Map([["checkout", ["live", "3"]]]) }));
    const names = q.map((x) => `${x.metricName}/${x.stat}/${canonicalDimensions(x.dimensions)}`);
    expect(names).toContain("DeadLetterErrors/Sum/FunctionName=checkout");
    expect(names).toContain("DestinationDeliveryFailures/Sum/FunctionName=checkout");
    expect(names).toContain("AsyncEventsDropped/Sum/FunctionName=checkout");
    expect(names).toContain("IteratorAge/Maximum/FunctionName=checkout");
    expect(names).toContain("ProvisionedConcurrencySpilloverInvocations/Sum/FunctionName=checkout");
    expect(names).toContain("Invocations/Sum/FunctionName=checkout,Resource=checkout:live");
    expect(names).toContain("Duration/p99/FunctionName=checkout,Resource=checkout:live");
    expect(names).not.toContain("Duration/p50/FunctionName=checkout,Resource=checkout:live");
    expect(names).toContain("Errors/Sum/FunctionName=checkout,Resource=checkout:live");
    expect(names).not.toContain("Errors/Sum/FunctionName=checkout");
    expect(names).toContain("ProvisionedConcurrencyUtilization/Maximum/FunctionName=checkout,Resource=checkout:live");
    expect(names).toContain("Invocations/Sum/ExecutedVersion=8,FunctionName=checkout,Resource=checkout:live");
    expect(names).toContain("Errors/Sum/ExecutedVersion=7,FunctionName=checkout,Resource=checkout:live");
    // Throttles of a version-qualified resource; the alias's are already asked.
    expect(names).toContain("Throttles/Sum/FunctionName=checkout,Resource=checkout:3");
    expect(names.filter((n) => n === "Throttles/Sum/FunctionName=checkout,Resource=checkout:live")).toHaveLength(1);
  });

  it("names REST stage metrics by ApiName+Stage and HTTP ones by ApiId+Stage", () => {
    const q = planMetricQueries(
      input({
        stages: [
          { apiName: "shop-api", apiId: "a1", type: "REST", stage: "prod", cacheEnabled: true },
          { apiName: "shop-http", apiId: "h1", type: "HTTP", stage: "$default", cacheEnabled: false },
        ],
      }),
    );
    const names = q.map((x) => `${x.metricName}/${canonicalDimensions(x.dimensions)}`);
    expect(names).toContain("4XXError/ApiName=shop-api,Stage=prod");
    expect(names).toContain("CacheHitCount/ApiName=shop-api,Stage=prod");
    expect(names).toContain("4xx/ApiId=h1,Stage=$default");
    expect(names).toContain("5xx/ApiId=h1,Stage=$default");
    expect(names.some((n) => n.startsWith("4XXError/ApiId") || n.startsWith("4xx/ApiName") || n.startsWith("CacheHitCount/ApiId"))).toBe(false);
  });

  it("drops percentile statistics when the endpoint rejects them", () => {
    const f = fn("checkout", { aliases: [{ name: "live", functionVersion: "7", routing: {}, provisioned: false }] });
    const q = planMetricQueries(input({ functions: [f], active: new Set(["checkout"]), percentiles: false }));
    expect(q.some((x) => isPercentileStat(x.stat))).toBe(false);
  });

  it("covers DLQ depth/age, SNS and EventBridge failures", () => {
    const q = planMetricQueries(input({ queues: ["dlq"], topics: ["t"], rules: ["r"] }));
    expect(q.map((x) => `${x.namespace}/${x.metricName}`)).toEqual(["AWS/SQS/ApproximateNumberOfMessagesVisible", "AWS/SQS/ApproximateAgeOfOldestMessage", "AWS/SNS/NumberOfNotificationsFailed", "AWS/Events/FailedInvocations"]);
  });
});

describe("batchQueries", () => {
  it.each([
    [0, 0, []],
    [500, 0, [500]],
    [501, 0, [500, 1]],
    [1200, 3, [500, 500, 200, 3]],
  ])("%i plain + %i percentile queries -> calls of %j", (plain, pct, want) => {
    const qs = [...Array.from({ length: plain }, () => ({ namespace: "n", metricName: "m", dimensions: [], stat: "Sum" })), ...Array.from({ length: pct }, () => ({ namespace: "n", metricName: "m", dimensions: [], stat: "p99" }))];
    const b = batchQueries(qs);
    expect(b.map((x) => x.length)).toEqual(want);
    for (const call of b) expect(new Set(call.map((x) => isPercentileStat(x.stat))).size).toBe(1);
  });
});

describe("planMetricWindow", () => {
  const now = Date.parse("2026-11-02T10:07:30Z");
  it.each([
    ["first run", undefined, Date.parse("2026-11-02T08:07:30Z"), ["08:07", "10:08"]],
    ["re-reads the overlap", Date.parse("2026-11-02T10:06:00Z"), 0, ["09:51", "10:08"]],
    ["cursor in the future still re-reads the overlap", Date.parse("2026-11-02T11:00:00Z"), 0, ["09:52", "10:08"]],
  ])("%s", (_n, cursor, initial, [s, e]) => {
    const w = planMetricWindow(cursor, now, initial, 15 * 60_000);
    expect([new Date(w.start).toISOString().slice(11, 16), new Date(w.end).toISOString().slice(11, 16)]).toEqual([s, e]);
  });
});

describe("canonicalDimensions", () => {
  it("sorts by name", () => expect(canonicalDimensions([{ Name: "Stage", Value: "prod" }, { Name: "ApiName", Value: "a" }])).toBe("ApiName=a,Stage=prod"));
});
