import { describe, expect, it } from "vitest";
import { addValue, createHistogram, histogramFromValues, type DurationHistogram } from "../histogram/histogram.ts";
import {
  evaluateCanaryRegression,
  evaluateCollectorHealth,
  evaluateColdStartRate,
  evaluateCostAnomaly,
  evaluateDestinationDeliveryFailures,
  evaluateDlqDepth,
  evaluateDlqNewMessages,
  evaluateErrorRate,
  evaluateGateway4xxRate,
  evaluateGateway5xxRate,
  evaluateInitDuration,
  evaluateIteratorAge,
  evaluateNewErrorGroups,
  evaluateNoLogs,
  evaluateP99Latency,
  evaluateProjectedOverspend,
  evaluateRule,
  evaluateThrottles,
  evaluateTimeouts,
  formatRatio,
  type CanaryWindow,
  type EvalContext,
  type FunctionWindow,
  type StageWindow,
} from "./evaluators.ts";
import { ruleDefinitionSchema, type RuleDefinitionOf, type RuleKind } from "./rules.ts";
import { twoProportionZ } from "./stats.ts";

const now = new Date("2026-11-18T10:00:00.000Z");
const ctx = <K extends RuleKind>(kind: K, threshold: number, params: Record<string, unknown> = {}, windowMinutes = 5): EvalContext<K> => ({
  threshold,
  windowMinutes,
  params: ruleDefinitionSchema.parse({ kind, params }).params as EvalContext<K>["params"],
  now,
});

const target = { type: "function" as const, source: "sandbox", function: "checkout", qualifier: "$ALL" };
function fnWindow(p: Partial<Omit<FunctionWindow, "hist" | "initHist">> & { durations?: number[]; inits?: number[] } = {}): FunctionWindow {
  const { durations = [], inits = [], ...rest } = p;
  return { key: "function:checkout", target, invocations: 0, errors: 0, timeouts: 0, throttles: 0, coldStarts: 0, hist: histogramFromValues(durations), initHist: histogramFromValues(inits), ...rest };
}
const pick = (r: { value: number | null; breached: boolean | null }) => [r.value, r.breached];

describe("function rollup rules", () => {
  it.each<[string, Partial<FunctionWindow>, number, Record<string, unknown>, [number | null, boolean | null]]>([
    ["above", { invocations: 200, errors: 16 }, 0.05, {}, [0.08, true]],
    ["equal is not above", { invocations: 200, errors: 10 }, 0.05, {}, [0.05, false]],
    ["below", { invocations: 1000, errors: 1 }, 0.05, {}, [0.001, false]],
    ["too few invocations", { invocations: 10, errors: 10 }, 0.05, {}, [1, null]],
    ["min invocations lowered", { invocations: 10, errors: 10 }, 0.05, { minInvocations: 5 }, [1, true]],
    ["no traffic", { invocations: 0 }, 0.05, {}, [null, null]],
  ])("error_rate: %s", (_n, w, threshold, params, expected) => {
    expect(pick(evaluateErrorRate([fnWindow(w)], ctx("error_rate", threshold, params))[0])).toEqual(expected);
  });

  it.each<[string, Partial<FunctionWindow>, number, [number | null, boolean | null]]>([
    ["cold starts above", { invocations: 100, coldStarts: 30 }, 0.2, [0.3, true]],
    ["cold starts below", { invocations: 100, coldStarts: 5 }, 0.2, [0.05, false]],
  ])("cold_start_rate: %s", (_n, w, threshold, expected) => {
    expect(pick(evaluateColdStartRate([fnWindow(w)], ctx("cold_start_rate", threshold))[0])).toEqual(expected);
  });

  // The p99 of 100 values is the one at rank floor(0.99 x 99) = 98 (0-based), within 2%.
  it.each<[string, number[], number, number, boolean | null]>([
    ["slow tail", [...Array(95).fill(100), 2000, 2100, 2200, 2300, 2400], 1000, 2300, true],
    ["fast", Array(100).fill(120), 1000, 120, false],
    ["too few", [5000, 5000], 1000, 5000, null],
  ])("p99_latency: %s", (_n, durations, threshold, p99, breached) => {
    const [r] = evaluateP99Latency([fnWindow({ invocations: durations.length, durations })], ctx("p99_latency", threshold));
    expect(r.breached).toBe(breached);
    expect(Math.abs(r.value! - p99) / p99).toBeLessThanOrEqual(0.02);
  });

  it("init_duration uses the init histogram and needs cold starts", () => {
    const [slow] = evaluateInitDuration([fnWindow({ coldStarts: 6, inits: [900, 950, 1000, 1200, 1500, 1600] })], ctx("init_duration", 1000));
    expect(slow.breached).toBe(true);
    expect(slow.value).toBeGreaterThan(1500 * 0.98);
    const [few] = evaluateInitDuration([fnWindow({ coldStarts: 2, inits: [3000, 3000] })], ctx("init_duration", 1000));
    expect(few.breached).toBeNull();
  });

  it.each<[string, "throttles" | "timeouts", number, number, boolean]>([
    ["throttles above 0", "throttles", 3, 0, true],
    ["no throttles", "throttles", 0, 0, false],
    ["timeouts at the threshold", "timeouts", 5, 5, false],
    ["timeouts above", "timeouts", 6, 5, true],
  ])("%s", (_n, kind, count, threshold, breached) => {
    const w = fnWindow({ invocations: 100, [kind]: count });
    const [r] = kind === "throttles" ? evaluateThrottles([w], ctx("throttles", threshold)) : evaluateTimeouts([w], ctx("timeouts", threshold));
    expect(pick(r)).toEqual([count, breached]);
  });

  it("new_error_group counts groups first seen in the window, messages redacted", () => {
    const groups = [{ errorType: "TypeError", messagePattern: "token Bearer abcdefghijklmnop is invalid", sampleMessage: null, firstSeenAt: now, count: 3 }];
    const [r] = evaluateNewErrorGroups([{ key: "function:checkout", target, groups }], ctx("new_error_group", 0));
    expect(pick(r)).toEqual([1, true]);
    expect(JSON.stringify(r.details)).not.toContain("abcdefghijklmnop");
    expect(pick(evaluateNewErrorGroups([{ key: "function:checkout", target, groups: [] }], ctx("new_error_group", 0))[0])).toEqual([0, false]);
  });
});

describe("canary_regression", () => {
  const hist = (ms: number, n: number, slowMs?: number, slow = 0): DurationHistogram => {
    const h = createHistogram();
    addValue(h, ms, n - slow);
    if (slow) addValue(h, slowMs!, slow);
    return h;
  };
  const canary = (base: [number, number], can: [number, number], baseHist?: DurationHistogram, canHist?: DurationHistogram): CanaryWindow => ({
    key: "alias:checkout:live",
    target: { type: "alias", source: "sandbox", function: "checkout", alias: "live" },
    base: { version: "7", invocations: base[0], errors: base[1], hist: baseHist ?? hist(100, base[0]) },
    canary: { version: "8", invocations: can[0], errors: can[1], hist: canHist ?? hist(100, can[0]) },
    canaryWeight: 0.1,
  });

  it("two-proportion z matches the textbook formula", () => {
    // 9/900 vs 8/100: pooled 17/1000, se = sqrt(0.017 * 0.983 * (1/900 + 1/100)).
    const expected = (0.08 - 0.01) / Math.sqrt(0.017 * 0.983 * (1 / 900 + 1 / 100));
    expect(twoProportionZ(9, 900, 8, 100)).toBeCloseTo(expected, 10);
    expect(expected).toBeCloseTo(5.1373, 3);
    expect(twoProportionZ(0, 10, 0, 10)).toBe(0);
    expect(twoProportionZ(1, 0, 1, 10)).toBeNull();
  });

  it.each<[string, [number, number], [number, number], Record<string, unknown>, boolean | null]>([
    ["8% vs 1% (live 90/10)", [900, 9], [100, 8], {}, true],
    ["same error rate", [900, 9], [100, 1], {}, false],
    ["better canary", [900, 45], [100, 1], {}, false],
    ["noise: 2 errors in 100 vs 1%", [900, 9], [100, 2], {}, false],
    ["too few canary samples", [900, 9], [50, 20], {}, null],
    ["min samples lowered", [900, 9], [50, 20], { minSamples: 50 }, true],
    ["significant but below the minimum delta", [100_000, 1000], [100_000, 1300], { minErrorRateDelta: 0.005 }, false],
  ])("%s", (_n, base, can, params, breached) => {
    const [r] = evaluateCanaryRegression([canary(base, can)], ctx("canary_regression", 2.33, params, 10));
    expect(r.breached).toBe(breached);
    if (breached !== null) expect(r.details.errorZ).toBeCloseTo(twoProportionZ(base[1], base[0], can[1], can[0])!, 3);
  });

  it("flags a p99 regression beyond noise, not a single slow request", () => {
    const baseHist = hist(100, 900, 150, 9);
    const slowCanary = hist(100, 100, 800, 10);
    const [slow] = evaluateCanaryRegression([canary([900, 9], [100, 1], baseHist, slowCanary)], ctx("canary_regression", 2.33, {}, 10));
    expect(slow.breached).toBe(true);
    expect(slow.details.latencyRegressed).toBe(true);
    expect(slow.details.errorRegressed).toBe(false);
    const [one] = evaluateCanaryRegression([canary([900, 9], [100, 1], baseHist, hist(100, 100, 800, 1))], ctx("canary_regression", 2.33, {}, 10));
    expect(one.breached).toBe(false);
  });
});

describe("gateway, queues, metrics, logs", () => {
  const stage = (requests: number, s4: number, s5: number, byStatus: Record<string, number> = {}): StageWindow => ({
    key: "stage:shop-api/prod",
    target: { type: "stage", source: "sandbox", api: "shop-api", stage: "prod" },
    requests,
    status4xx: s4,
    status5xx: s5,
    byStatus,
  });

  it.each<[string, StageWindow, number, [number | null, boolean | null]]>([
    ["5xx above", stage(1000, 0, 30, { "502": 25, "504": 5 }), 0.01, [0.03, true]],
    ["5xx below", stage(1000, 0, 5), 0.01, [0.005, false]],
    ["5xx too few requests", stage(10, 0, 5), 0.01, [0.5, null]],
  ])("gateway_5xx_rate: %s", (_n, w, threshold, expected) => {
    const [r] = evaluateGateway5xxRate([w], ctx("gateway_5xx_rate", threshold));
    expect(pick(r)).toEqual(expected);
  });

  it("names the dominant status and its likely cause", () => {
    const [r] = evaluateGateway5xxRate([stage(1000, 0, 30, { "502": 25, "504": 5, "403": 7 })], ctx("gateway_5xx_rate", 0.01));
    expect(r.summary).toContain("mostly 502 (the backend (Lambda) returned an error or a malformed response)");
    expect(r.details.byStatus).toEqual([
      { status: 502, count: 25, likelyCause: "the backend (Lambda) returned an error or a malformed response" },
      { status: 504, count: 5, likelyCause: "integration timeout (29 s)" },
    ]);
    const [r4] = evaluateGateway4xxRate([stage(1000, 200, 0, { "403": 150, "429": 50 })], ctx("gateway_4xx_rate", 0.1));
    expect(pick(r4)).toEqual([0.2, true]);
  });

  const queue = (p: { newMessages?: number; depth?: number; depthAt?: Date | null }) => ({
    key: "queue:orders-dlq",
    target: { type: "queue" as const, source: "sandbox", queue: "orders-dlq" },
    newMessages: p.newMessages ?? 0,
    byFunction: { checkout: p.newMessages ?? 0 },
    byErrorCode: {},
    depth: p.depth ?? 0,
    depthAt: p.depthAt === undefined ? now : p.depthAt,
    oldestAgeSec: null,
  });
  it.each<[string, ReturnType<typeof queue>, [number | null, boolean | null]]>([
    ["depth above", queue({ depth: 3 }), [3, true]],
    ["empty", queue({ depth: 0 }), [0, false]],
    ["stale reading", queue({ depth: 3, depthAt: new Date(now.getTime() - 2 * 3_600_000) }), [3, null]],
    ["never read", queue({ depth: 0, depthAt: null }), [null, null]],
  ])("dlq_depth: %s", (_n, w, expected) => expect(pick(evaluateDlqDepth([w], ctx("dlq_depth", 0))[0])).toEqual(expected));

  it("dlq_new_messages", () => {
    expect(pick(evaluateDlqNewMessages([queue({ newMessages: 2 })], ctx("dlq_new_messages", 0))[0])).toEqual([2, true]);
    expect(pick(evaluateDlqNewMessages([queue({ newMessages: 0 })], ctx("dlq_new_messages", 0))[0])).toEqual([0, false]);
  });

  it.each<[string, number, number, [number | null, boolean | null]]>([
    ["behind", 3, 120_000, [120_000, true]],
    ["caught up", 3, 500, [500, false]],
    ["no records", 0, 0, [null, false]],
  ])("iterator_age: %s", (_n, points, value, expected) => {
    expect(pick(evaluateIteratorAge([{ key: "function:checkout", target, points, value }], ctx("iterator_age", 60_000))[0])).toEqual(expected);
  });

  it("destination_delivery_failures adds dead-letter errors unless told not to", () => {
    const w = { key: "function:checkout", target, points: 2, value: 1, extra: 2 };
    expect(pick(evaluateDestinationDeliveryFailures([w], ctx("destination_delivery_failures", 0))[0])).toEqual([3, true]);
    expect(pick(evaluateDestinationDeliveryFailures([w], ctx("destination_delivery_failures", 1, { includeDeadLetterErrors: false }))[0])).toEqual([1, false]);
  });

  it.each<[string, number | null, number, [number | null, boolean | null]]>([
    ["metrics but no logs", 120, 0, [120, true]],
    ["both", 120, 118, [120, false]],
    ["no metric points", null, 0, [0, false]],
  ])("no_logs: %s", (_n, metricInvocations, logInvocations, expected) => {
    const [r] = evaluateNoLogs([{ key: "function:checkout", target, metricInvocations, logInvocations, logGroup: "/aws/lambda/checkout" }], ctx("no_logs", 0));
    expect(pick(r)).toEqual(expected);
    if (r.breached) expect(r.summary).toMatch(/execution role probably lacks/);
  });
});

describe("cost and collection", () => {
  const days = (values: number[]) => values.map((usd, i) => ({ date: new Date(Date.UTC(2026, 10, 1 + i)).toISOString().slice(0, 10), microUsd: BigInt(Math.round(usd * 1e6)) }));
  const cost = (periods: ReturnType<typeof days> | null) => ({ key: "cost:total", target: { type: "cost" as const, function: null }, periods });

  it.each<[string, number[], boolean | null]>([
    ["a spike", [10, 11, 9, 10, 12, 10, 11, 10, 45], true],
    ["a normal day", [10, 11, 9, 10, 12, 10, 11, 10, 11], false],
    ["too little history", [10, 11, 40], null],
  ])("cost_anomaly: %s", (_n, usd, breached) => {
    const [r] = evaluateCostAnomaly([cost(days(usd))], ctx("cost_anomaly", 3));
    expect(r.breached).toBe(breached);
    expect(r.value).toBe(usd.at(-1));
    if (breached !== null) expect(r.threshold).toBeGreaterThan(11);
  });

  it("cost_anomaly without prices is undecided", () => {
    expect(evaluateCostAnomaly([cost(null)], ctx("cost_anomaly", 3))[0].breached).toBeNull();
  });

  it("projected_overspend projects month-to-date plus the trailing rate", () => {
    // 17 days of $10 in November 2026 (30 days): $170 + 13 x $10 = $300.
    const daily = days(Array(17).fill(10));
    const [over] = evaluateProjectedOverspend([{ key: "cost:total", target: { type: "cost", function: null }, daily, asOf: "2026-11-17" }], ctx("projected_overspend", 250));
    expect(pick(over)).toEqual([300, true]);
    const [under] = evaluateProjectedOverspend([{ key: "cost:total", target: { type: "cost", function: null }, daily, asOf: "2026-11-17" }], ctx("projected_overspend", 300));
    expect(pick(under)).toEqual([300, false]);
    expect(evaluateProjectedOverspend([{ key: "cost:total", target: { type: "cost", function: null }, daily, asOf: null }], ctx("projected_overspend", 1))[0].breached).toBeNull();
  });

  const collector = (p: { lastSuccessMinAgo?: number | null; recent?: string[] }) => ({
    key: "collector:sandbox/logs",
    target: { type: "collector" as const, source: "sandbox", collector: "logs" },
    lastSuccessAt: p.lastSuccessMinAgo === null || p.lastSuccessMinAgo === undefined ? null : new Date(now.getTime() - p.lastSuccessMinAgo * 60_000),
    since: new Date(now.getTime() - 120 * 60_000),
    recent: p.recent ?? ["ok"],
    lastError: p.recent?.[0] === "failed" ? "AccessDeniedException: not authorized (AKIAABCDEFGHIJKLMNOP)" : null,
  });
  it.each<[string, ReturnType<typeof collector>, [number | null, boolean | null]]>([
    ["fresh", collector({ lastSuccessMinAgo: 2 }), [2, false]],
    ["lagging", collector({ lastSuccessMinAgo: 40 }), [40, true]],
    ["failing 3 times in a row", collector({ lastSuccessMinAgo: 3, recent: ["failed", "failed", "failed"] }), [3, true]],
    ["failed twice", collector({ lastSuccessMinAgo: 3, recent: ["failed", "failed", "ok"] }), [3, false]],
    ["never succeeded since the source appeared", collector({ lastSuccessMinAgo: null, recent: [] }), [120, true]],
  ])("collector_failing_or_lagging: %s", (_n, w, expected) => {
    const [r] = evaluateCollectorHealth([w], ctx("collector_failing_or_lagging", 15));
    expect(pick(r)).toEqual(expected);
    expect(JSON.stringify(r)).not.toContain("AKIAABCDEFGHIJKLMNOP");
  });
});

describe("evaluateRule", () => {
  it("dispatches on the kind with the rule's threshold and params", () => {
    const definition = ruleDefinitionSchema.parse({ kind: "error_rate", params: { minInvocations: 1 } }) as RuleDefinitionOf<"error_rate">;
    const [r] = evaluateRule({ threshold: 0.1, windowMinutes: 5, definition }, [fnWindow({ invocations: 4, errors: 1 })], now);
    expect(pick(r)).toEqual([0.25, true]);
    expect(r.summary).toBe(`checkout error rate ${formatRatio(0.25)} (1 of 4) > 10.0%`);
  });
});
