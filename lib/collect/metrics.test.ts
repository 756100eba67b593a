import { describe, expect, it } from "vitest";
import { deriveLambdaMinutes, deriveStageMinutes, feedsRollups, type MetricPoint } from "./metrics.ts";
import { canonicalDimensions, planMetricQueries } from "./metric-plan.ts";

const T = Date.parse("2026-11-02T10:00:00Z");
const p = (metricName: string, dimensions: string, value: number, namespace = "AWS/Lambda", stat = "Sum", timestamp = T): MetricPoint => ({ namespace, metricName, dimensions, stat, period: 60, timestamp, value });

describe("deriveLambdaMinutes", () => {
  it("turns Throttles by FunctionName/Resource into per-qualifier throttles and alias counts", () => {
    const rows = deriveLambdaMinutes(
      [
        p("Throttles", "FunctionName=checkout", 5),
        p("Throttles", "FunctionName=checkout,Resource=checkout:live", 3),
        p("Invocations", "FunctionName=checkout,Resource=checkout:live", 90),
        p("Errors", "FunctionName=checkout,Resource=checkout:live", 2),
        // ExecutedVersion series and function totals are not rollup figures (logs are exact).
        p("Invocations", "ExecutedVersion=8,FunctionName=checkout,Resource=checkout:live", 9),
        p("Invocations", "FunctionName=checkout", 100),
        p("Duration", "FunctionName=checkout,Resource=checkout:live", 120, "AWS/Lambda", "p99"),
      ],
      (fn) => new Set(fn === "checkout" ? ["live"] : []),
    ).get("checkout")!;
    const by = Object.fromEntries(rows.map((r) => [r.qualifier, r]));
    expect(by.$ALL).toMatchObject({ alias: false, values: { throttles: 5 } });
    expect(by.live).toMatchObject({ alias: true, values: { invocations: 90, errors: 2, throttles: 3 } });
    expect(by.$LATEST).toMatchObject({ alias: false, values: { throttles: 2 } });
    expect(rows).toHaveLength(3);
  });

  it("keeps minutes apart", () => {
    const rows = deriveLambdaMinutes([p("Throttles", "FunctionName=f", 1), p("Throttles", "FunctionName=f", 2, "AWS/Lambda", "Sum", T + 60_000)], () => new Set()).get("f")!;
    expect(rows.filter((r) => r.qualifier === "$ALL").map((r) => [r.bucketStart - T, r.values.throttles])).toEqual([
      [0, 1],
      [60_000, 2],
    ]);
  });
});

describe("deriveStageMinutes", () => {
  it("reads REST (ApiName+Stage) and HTTP (ApiId+Stage) names into the right stage", () => {
    const stages = new Map([
      ["a1/prod", { id: 1, countsFromMetrics: false, type: "REST" as const, apiName: "shop-api", apiId: "a1", stage: "prod" }],
      ["h1/$default", { id: 2, countsFromMetrics: true, type: "HTTP" as const, apiName: "shop-http", apiId: "h1", stage: "$default" }],
    ]);
    const out = deriveStageMinutes(
      [
        p("CacheHitCount", "ApiName=shop-api,Stage=prod", 7, "AWS/ApiGateway"),
        p("4XXError", "ApiName=shop-api,Stage=prod", 2, "AWS/ApiGateway"),
        p("Count", "ApiId=h1,Stage=$default", 10, "AWS/ApiGateway"),
        p("5xx", "ApiId=h1,Stage=$default", 1, "AWS/ApiGateway"),
        // An HTTP name on a REST stage's dimensions matches nothing.
        p("Count", "ApiName=h1,Stage=$default", 99, "AWS/ApiGateway"),
      ],
      stages,
    );
    expect(out.get(1)).toEqual([{ bucketStart: T, cacheHits: 7, status4xx: 2 }]);
    expect(out.get(2)).toEqual([{ bucketStart: T, requests: 10, status5xx: 1 }]);
  });
});

describe("feedsRollups", () => {
  const d = (text: string) => text.split(",").map((kv) => ({ Name: kv.split("=")[0]!, Value: kv.split("=")[1]! }));
  it.each([
    ["AWS/Lambda", "Throttles", "FunctionName=f", "Sum", true],
    ["AWS/Lambda", "Throttles", "FunctionName=f,Resource=f:3", "Sum", true],
    ["AWS/Lambda", "Invocations", "FunctionName=f,Resource=f:live", "Sum", true],
    ["AWS/Lambda", "Errors", "FunctionName=f,Resource=f:live", "Sum", true],
    ["AWS/Lambda", "Invocations", "FunctionName=f", "Sum", false],
    ["AWS/Lambda", "Duration", "FunctionName=f", "Sum", false],
    ["AWS/Lambda", "Invocations", "ExecutedVersion=8,FunctionName=f,Resource=f:live", "Sum", false],
    ["AWS/Lambda", "Duration", "FunctionName=f,Resource=f:live", "p99", false],
    ["AWS/Lambda", "ConcurrentExecutions", "FunctionName=f", "Maximum", false],
    ["AWS/ApiGateway", "Count", "ApiName=a,Stage=prod", "Sum", true],
    ["AWS/ApiGateway", "Latency", "ApiName=a,Stage=prod", "p99", false],
    ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName=q", "Maximum", false],
  ])("%s %s %s %s -> %s", (namespace, metricName, dims, stat, want) => {
    expect(feedsRollups({ namespace, metricName, dimensions: d(dims), stat })).toBe(want);
  });

  it("keeps every point the derivations read (same rows from kept points as from all)", () => {
    const f = { name: "checkout", aliases: [{ name: "live", functionVersion: "7", routing: { "8": 0.1 }, provisioned: true }], provisioned: true, dlq: true, destinations: true, asyncConfigured: true, streamSource: true };
    const queries = planMetricQueries({
      functions: [f],
      active: new Set(["checkout"]),
      throttledResources: new Map([["checkout", ["3"]]]),
      stages: [{ apiName: "shop-api", apiId: "a1", type: "REST", stage: "prod", cacheEnabled: true }],
      activeStages: null,
      queues: ["dlq"],
      topics: [],
      rules: [],
      percentiles: true,
    });
    const points = queries.map((q, i) => p(q.metricName, canonicalDimensions(q.dimensions), i + 1, q.namespace, q.stat));
    const kept = points.filter((_, i) => feedsRollups(queries[i]!));
    expect(kept.length).toBeLessThan(points.length);
    const aliases = () => new Set(["live"]);
    expect(deriveLambdaMinutes(kept, aliases)).toEqual(deriveLambdaMinutes(points, aliases));
    const stages = new Map([["a1/prod", { id: 1, countsFromMetrics: true, type: "REST" as const, apiName: "shop-api", apiId: "a1", stage: "prod" }]]);
    expect(deriveStageMinutes(kept, stages)).toEqual(deriveStageMinutes(points, stages));
  });
});
