import { describe, expect, it } from "vitest";
import { alertMessageSchema, buildAlertMessage, deepLink, messageAttributesOf, subjectOf, toSubject, type BuildMessageInput } from "./payload.ts";

const now = new Date("2026-11-02T10:20:30.000Z");
const base = "https://faasight.example.com";
const input = (p: Partial<BuildMessageInput> = {}): BuildMessageInput => ({
  state: "firing",
  reminder: false,
  severity: "critical",
  rule: { id: 7, name: "checkout canary", kind: "canary_regression" },
  scopeKey: "alias:checkout:live",
  target: { type: "alias", source: "sandbox", function: "checkout", alias: "live" },
  value: 5.14,
  threshold: 2.33,
  windowMinutes: 10,
  windowFrom: new Date("2026-11-02T10:11:00.000Z"),
  windowTo: new Date("2026-11-02T10:21:00.000Z"),
  summary: "checkout:live canary regressed: v8 error rate 8.0% vs v7 1.0% (z=5.14)",
  details: { baseVersion: "7", canaryVersion: "8" },
  event: { id: 42, startedAt: new Date("2026-11-02T10:19:00.000Z"), firedAt: now, resolvedAt: null },
  now,
  baseUrl: base,
  ...p,
});

describe("deep links", () => {
  const from = new Date("2026-11-02T09:00:00.000Z");
  const to = new Date("2026-11-02T10:22:00.000Z");
  it.each<[string, Parameters<typeof deepLink>[1], string]>([
    ["function", { type: "function", source: "s", function: "checkout", qualifier: "$ALL" }, "/functions/checkout?from=2026-11-02T09%3A00Z&to=2026-11-02T10%3A22Z"],
    ["function qualifier", { type: "function", source: "s", function: "checkout", qualifier: "8" }, "/functions/checkout?qualifier=8&from=2026-11-02T09%3A00Z&to=2026-11-02T10%3A22Z"],
    ["alias", { type: "alias", source: "s", function: "checkout", alias: "live" }, "/functions/checkout?qualifier=live&from=2026-11-02T09%3A00Z&to=2026-11-02T10%3A22Z"],
    ["stage", { type: "stage", source: "s", api: "shop api", stage: "prod" }, "/apis/shop%20api/prod?from=2026-11-02T09%3A00Z&to=2026-11-02T10%3A22Z"],
    ["queue", { type: "queue", source: "s", queue: "orders-dlq" }, "/failures?queue=orders-dlq&from=2026-11-02T09%3A00Z&to=2026-11-02T10%3A22Z"],
    ["cost", { type: "cost", function: null }, "/cost?from=2026-11-02T09%3A00Z&to=2026-11-02T10%3A22Z"],
  ])("%s", (_n, target, path) => {
    expect(deepLink(base, target, from, to)).toBe(`${base}${path}`);
    expect(new URL(deepLink(base, target, from, to)).searchParams.get("to")).toBe("2026-11-02T10:22Z");
  });
});

describe("subjects", () => {
  it.each<[string, string]>([
    ["plain", "plain"],
    ["über — “quoted” … ≤ 5%", 'uber - "quoted" ... <= 5%'],
    ["line\nbreak\ttab", "line break tab"],
    ["emoji 🚨 alert", "emoji ? alert"],
    [" leading space", "leading space"],
  ])("%j -> %j", (text, expected) => expect(toSubject(text)).toBe(expected));

  it("is at most 100 ASCII characters", () => {
    const s = toSubject("x".repeat(300));
    expect(s).toHaveLength(100);
    expect(s.endsWith("...")).toBe(true);
    const m = buildAlertMessage(input({ summary: "ä".repeat(500) }));
    expect(subjectOf(m).length).toBeLessThanOrEqual(100);
    expect(subjectOf(m)).toMatch(/^\[FIRING\] checkout canary: a+\.\.\.$/);
  });

  it("says what happened", () => {
    expect(subjectOf(buildAlertMessage(input()))).toBe("[FIRING] checkout canary: checkout:live canary regressed: v8 error rate 8.0% vs v7 1.0% (z=5.14)");
    expect(subjectOf(buildAlertMessage(input({ state: "resolved" })))).toMatch(/^\[RESOLVED\] /);
    expect(subjectOf(buildAlertMessage(input({ reminder: true })))).toMatch(/^\[FIRING, reminder\] /);
  });
});

describe("buildAlertMessage", () => {
  it("carries rule, state, value, threshold, window, scope and links; validates", () => {
    const m = buildAlertMessage(input());
    expect(alertMessageSchema.parse(m)).toEqual(m);
    expect(m).toMatchObject({
      version: 1,
      type: "alert",
      state: "firing",
      severity: "critical",
      rule: { id: 7, name: "checkout canary", kind: "canary_regression" },
      scope: { key: "alias:checkout:live", target: { type: "alias", function: "checkout", alias: "live" } },
      value: 5.14,
      threshold: 2.33,
      unit: "z",
      window: { minutes: 10, from: "2026-11-02T10:11:00.000Z", to: "2026-11-02T10:21:00.000Z" },
      event: { id: 42, startedAt: "2026-11-02T10:19:00.000Z", firedAt: now.toISOString(), resolvedAt: null },
      links: { alerts: `${base}/alerts` },
    });
    // 60 minutes of context (3 x window < 60) before now, up to the next whole minute.
    expect(m.links.faasight).toBe(`${base}/functions/checkout?qualifier=live&from=2026-11-02T09%3A22Z&to=2026-11-02T10%3A22Z`);
    expect(messageAttributesOf(m)).toEqual({
      severity: { DataType: "String", StringValue: "critical" },
      rule: { DataType: "String", StringValue: "checkout canary" },
      state: { DataType: "String", StringValue: "firing" },
      kind: { DataType: "String", StringValue: "canary_regression" },
      scope: { DataType: "String", StringValue: "alias:checkout:live" },
    });
  });

  it("drops oversized details instead of exceeding the SNS limit", () => {
    const m = buildAlertMessage(input({ details: { blob: "x".repeat(200_000) } }));
    expect(m.details).toEqual({ truncated: true });
    expect(JSON.stringify(m).length).toBeLessThan(10_000);
  });
});
