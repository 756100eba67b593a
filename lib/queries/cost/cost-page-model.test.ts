import { describe, expect, it } from "vitest";
import { Rational } from "../../cost/rational.ts";
import { getRegionPrices } from "../../cost/prices.ts";
import { arm64MigrationSaving, provisionedConcurrencyUtilisation, recommendMemory } from "../../cost/right-sizing.ts";
import { costPeriodOfRange, estimateProvisionedUsage, metricLookup } from "./cost-page-model.ts";
import { costPageFilters, costReportQuery } from "./cost-filters.ts";
import { parseQuery } from "../../api/query.ts";
import { parseFilters } from "../../api/query.ts";

const usEast1 = getRegionPrices("us-east-1", { env: {} });

describe("costPeriodOfRange", () => {
  const now = new Date("2026-11-27T10:31:45Z");
  it.each([
    // [from, to, start, end, previous start]
    ["2026-11-20T10:31:00Z", "2026-11-27T10:31:00Z", "2026-11-20T10:31:00.000Z", "2026-11-27T10:31:00.000Z", "2026-11-13T10:31:00.000Z"],
    ["2026-11-26T10:31:20Z", "2026-11-27T10:31:59Z", "2026-11-26T10:31:00.000Z", "2026-11-27T10:31:00.000Z", "2026-11-25T10:31:00.000Z"],
    ["2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z", "2026-11-01T00:00:00.000Z", "2026-11-02T00:00:00.000Z", "2026-10-31T00:00:00.000Z"],
  ])("%s .. %s", (from, to, start, end, prevStart) => {
    const p = costPeriodOfRange({ from: new Date(from), to: new Date(to) }, now);
    expect(p.start.toISOString()).toBe(start);
    expect(p.end.toISOString()).toBe(end);
    expect(p.previous.start.toISOString()).toBe(prevStart);
    expect(p.previous.end.toISOString()).toBe(start);
    expect(p.timezone).toBe("UTC");
  });
});

describe("metricLookup", () => {
  const find = metricLookup([
    { sourceId: 1, metricName: "Invocations", dimensions: "FunctionName=catalog", stat: "Sum", sum: 1200, max: 30 },
    { sourceId: 1, metricName: "Invocations", dimensions: "FunctionName=catalog,Resource=catalog:prod", stat: "Sum", sum: 1100, max: 28 },
    { sourceId: 2, metricName: "Invocations", dimensions: "FunctionName=catalog", stat: "Sum", sum: 7, max: 1 },
  ]);
  it.each([
    [1, "catalog", undefined, 1200],
    [1, "catalog", "prod", 1100],
    [2, "catalog", undefined, 7],
    [2, "catalog", "prod", undefined],
    [1, "checkout", undefined, undefined],
  ])("source %i %s:%s -> %s", (source, fn, alias, sum) => {
    expect(find(source, "Invocations", "Sum", fn, alias)?.sum).toBe(sum);
  });
});

describe("estimateProvisionedUsage", () => {
  it.each([
    // alias invocations, spillover, avg billed ms, provisioned, spill, provisioned ms, spill ms
    [1000, 40, "35.5", 960, 40, 34_080n, 1_420n],
    [10, 25, "100", 0, 10, 0n, 1_000n], // spillover never exceeds the alias's invocations
    [0, 0, "12", 0, 0, 0n, 0n],
    [500, 0, null, 500, 0, 0n, 0n], // no REPORT lines: no execution time to price
  ] as const)("%i invocations, %i spillover at %s ms", (inv, spill, avg, p, s, pms, sms) => {
    const u = estimateProvisionedUsage({ aliasInvocations: inv, spilloverInvocations: spill, avgBilledMs: avg === null ? null : Rational.parse(avg) });
    expect([u.provisionedInvocations, u.spilloverInvocations, u.provisionedBilledMs, u.spilloverBilledMs]).toEqual([p, s, pms, sms]);
  });

  it("feeds the idle cost: 2 x 512 MB arm64 for a day, 960 invocations of 35.5 ms", () => {
    const usage = estimateProvisionedUsage({ aliasInvocations: 1000, spilloverInvocations: 40, avgBilledMs: Rational.parse("35.5") });
    const u = provisionedConcurrencyUtilisation(usEast1, { arch: "arm64", memoryMb: 512, concurrency: 2, configuredSeconds: 86_400, provisionedBilledMs: usage.provisionedBilledMs, spilloverBilledMs: usage.spilloverBilledMs });
    // 2 x 0.5 GB x 86,400 s = 86,400 GB-s allocated at $0.0000033334 = $0.28800576; 17.04 GB-s used.
    expect(u.allocatedGbSeconds).toBe(86_400);
    expect(u.allocationMicroUsd).toBe(288_006n);
    expect(u.usedGbSeconds).toBeCloseTo(17.04, 10);
    expect(u.idleMicroUsd).toBe(287_949n);
    // Spillover 1,420 ms x 512 MB = 0.71 GB-s at the tier-1 on-demand arm64 rate = 9.4667 µ$.
    expect(u.spilloverMicroUsd).toBe(9n);
  });
});

describe("the default shop's image-resize (3008 MB x86, 300-400 MB used, ~1.8 s)", () => {
  const hourlyMax = [312, 355, 398, 401, 377, 366, 389, 402, 344, 391];
  it("is recommended 512 MB with a positive saving and its assumptions", () => {
    const rec = recommendMemory(usEast1, { arch: "x86_64", currentMemoryMb: 3008, invocationsPerMonth: 32_850, avgBilledMs: "1850", maxMemoryUsedMb: hourlyMax });
    expect(rec.action).toBe("decrease");
    expect(rec.p99MaxMemoryUsedMb).toBe(402);
    expect(rec.requiredMemoryMb).toBe(483);
    expect(rec.recommendedMemoryMb).toBe(512);
    expect(rec.monthlySavingMicroUsd > 0n).toBe(true);
    expect(rec.currentMonthlyMicroUsd - rec.recommendedMonthlyMicroUsd).toBe(rec.monthlySavingMicroUsd);
    expect(rec.assumptions.join(" ")).toMatch(/p99 of Max Memory Used/);
  });

  it("saves 20% of duration on arm64 at tier 1", () => {
    // 32,850 x 1,850 ms x 3,008 MB / 1,024,000 = 178,519.21875 GB-s at $0.0000166667 vs $0.0000133334
    const s = arm64MigrationSaving(usEast1, { mbMs: 32_850n * 1850n * 3008n });
    expect(s.x86MicroUsd).toBe(2_975_326n);
    expect(s.arm64MicroUsd).toBe(2_380_268n);
    expect(s.savingMicroUsd).toBe(595_058n);
    expect(s.savingPct).toBe(20);
  });
});

describe("cost query parameters", () => {
  const now = new Date("2026-11-27T10:31:00Z");
  it.each([
    [{ sort: "cost" }, "sort: must be one of spend, change, name"],
    [{ range: "2w" }, 'range: "2w" is not a range; use one of 15m, 1h, 6h, 24h, 7d, 30d or from/to'],
  ])("%j -> 400 %s", (params, message) => {
    const r = parseQuery(costPageFilters, params, now);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(`${r.problem.param}: ${r.problem.message}`).toBe(message);
  });
  it.each([
    [{ format: "pdf" }, "format: must be one of html, csv, json"],
    [{ period: "yesterday" }, "period: must be one of last-7d, last-30d, previous-week, previous-month, month-to-date, custom"],
  ])("report %j -> 400 %s", (params, message) => {
    const r = parseFilters(costReportQuery, params);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(`${r.problem.param}: ${r.problem.message}`).toBe(message);
  });
  it("defaults", () => {
    const r = parseFilters(costReportQuery, {});
    expect(r.ok && r.value).toEqual({ period: "last-7d", timezone: "UTC", format: "json" });
  });
});
