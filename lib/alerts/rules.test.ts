import { describe, expect, it } from "vitest";
import { parseRuleRow, RULE_KINDS, RULE_KIND_INFO, RuleConfigError, ruleDefinitionSchema, scopeJsonOf, thresholdProblem } from "./rules.ts";
import { globToRegExp, matchesAny, matchesTags, parseTags, selectFunctions } from "./scope.ts";

const row = (kind: string, scopeJson: string, threshold = RULE_KIND_INFO.error_rate.defaultThreshold) => ({
  id: 1,
  name: "r",
  kind,
  scopeJson,
  threshold,
  windowMinutes: 5,
  pendingPeriods: 2,
  cooldownMinutes: 30,
  severity: "critical",
  enabled: true,
});

describe("rule definitions", () => {
  it("every kind validates with an empty scope and default params", () => {
    for (const kind of RULE_KINDS) {
      const d = ruleDefinitionSchema.parse({ kind });
      expect(d.kind).toBe(kind);
      expect(thresholdProblem(kind, RULE_KIND_INFO[kind].defaultThreshold)).toBeNull();
    }
  });

  it("fills parameter defaults", () => {
    expect(ruleDefinitionSchema.parse({ kind: "canary_regression" }).params).toEqual({ minSamples: 100, minErrorRateDelta: 0.005, latency: true, latencyRatio: 1.2, minLatencyDeltaMs: 20 });
    expect(ruleDefinitionSchema.parse({ kind: "cost_anomaly" }).scope).toEqual({ aggregate: "total" });
  });

  it.each<[string, unknown, RegExp]>([
    ["unknown kind", { kind: "cpu" }, /kind/],
    ["unknown scope field", { kind: "error_rate", scope: { functionz: ["x"] } }, /functionz/],
    ["bad qualifier", { kind: "error_rate", scope: { qualifiers: ["live alias"] } }, /qualifiers/],
    ["params of another kind", { kind: "error_rate", params: { minSamples: 3 } }, /minSamples/],
    ["negative min", { kind: "canary_regression", params: { minSamples: -1 } }, /minSamples/],
    ["bad queue role", { kind: "dlq_depth", scope: { roles: ["inbox"] } }, /roles/],
    ["bad collector", { kind: "collector_failing_or_lagging", scope: { collectors: ["cpu"] } }, /collectors/],
  ])("refuses %s", (_n, input, path) => {
    const r = ruleDefinitionSchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(path);
  });

  it.each<[string, number, string | null]>([
    ["error_rate", 0.05, null],
    ["error_rate", 5, "is a fraction between 0 and 1 (0.05 = 5%)"],
    ["p99_latency", -1, "must not be negative"],
    ["canary_regression", 0, "must be above 0"],
    ["throttles", Number.NaN, "must be a number"],
  ])("threshold of %s = %s", (kind, threshold, problem) => {
    expect(thresholdProblem(kind as (typeof RULE_KINDS)[number], threshold)).toBe(problem);
  });

  it("stores scope and params in scopeJson and reads them back", () => {
    const def = ruleDefinitionSchema.parse({ kind: "canary_regression", scope: { functions: ["checkout"], aliases: ["live"] }, params: { minSamples: 50 } });
    const json = scopeJsonOf(def);
    expect(JSON.parse(json)).toEqual({ functions: ["checkout"], aliases: ["live"], params: { ...def.params, minSamples: 50 } });
    const spec = parseRuleRow(row("canary_regression", json, 2.33));
    expect(spec.definition).toEqual(def);
    expect(spec).toMatchObject({ kind: "canary_regression", severity: "critical", pendingPeriods: 2 });
  });

  it("a damaged stored rule names the problem", () => {
    expect(() => parseRuleRow(row("error_rate", "{not json"))).toThrow(RuleConfigError);
    expect(() => parseRuleRow(row("error_rate", '{"tags":{"team":5}}'))).toThrow(/tags\.team/);
    expect(() => parseRuleRow(row("error_rate", "{}", 7))).toThrow(/threshold/);
  });
});

describe("scope matching", () => {
  it.each<[string, string, boolean]>([
    ["checkout", "checkout", true],
    ["checkout", "checkout-v2", false],
    ["checkout*", "checkout-v2", true],
    ["*-api", "orders-api", true],
    ["order?", "orders", true],
    ["order?", "order", false],
    ["a.b", "axb", false],
    ["shop-api/prod", "shop-api/prod", true],
    ["*/prod", "shop-api/prod", true],
    ["Checkout", "checkout", false],
  ])("%s ~ %s = %s", (glob, name, expected) => {
    expect(matchesAny(name, [glob])).toBe(expected);
    expect(globToRegExp(glob).test(name)).toBe(expected);
  });

  it("no patterns match everything", () => {
    expect(matchesAny("x", undefined)).toBe(true);
    expect(matchesAny("x", [])).toBe(true);
  });

  it("tags: every wanted tag, values may be globs", () => {
    expect(matchesTags({ team: "payments", env: "prod" }, { team: "payments" })).toBe(true);
    expect(matchesTags({ team: "payments" }, { team: "pay*", env: "prod" })).toBe(false);
    expect(matchesTags({}, undefined)).toBe(true);
    expect(parseTags('{"team":"payments","n":3}')).toEqual({ team: "payments" });
    expect(parseTags("not json")).toEqual({});
  });

  it("selects functions by source, name or glob, tags, minus exclusions", () => {
    const fns = [
      { name: "checkout", source: "prod", tags: { team: "payments" } },
      { name: "checkout-worker", source: "prod", tags: { team: "payments" } },
      { name: "search", source: "prod", tags: { team: "discovery" } },
      { name: "checkout", source: "staging", tags: { team: "payments" } },
    ];
    const names = (s: Parameters<typeof selectFunctions>[1]) => selectFunctions(fns, s).map((f) => `${f.source}/${f.name}`);
    expect(names({})).toHaveLength(4);
    expect(names({ functions: ["checkout*"], exclude: ["*-worker"], sources: ["prod"] })).toEqual(["prod/checkout"]);
    expect(names({ tags: { team: "payments" } })).toEqual(["prod/checkout", "prod/checkout-worker", "staging/checkout"]);
  });
});
