/** The report model (pricing, attribution, aliases, savings, anomalies, monitoring) and its three formats. */
import { describe, expect, it } from "vitest";
import { buildCostReport, historyStart, monthSlices } from "./build.ts";
import { deliverToSns, deliverToWebhook, reportSummaryText, reportWebhookPayload, snsSubject } from "./deliver.ts";
import { parseCsv } from "./csv.ts";
import type { CostReportInput, FunctionUsage, HourlyFunctionUsage, UsageSlice } from "./model.ts";
import { parseUsdExact } from "./money-format.ts";
import { resolveReportPeriod } from "./periods.ts";
import { CSV_COLUMNS, renderCsv } from "./render-csv.ts";
import { renderHtml } from "./render-html.ts";
import { renderJson } from "./render-json.ts";

const MB_MS_PER_GBS = 1_024_000n;
const gbs = (n: number) => BigInt(n) * MB_MS_PER_GBS;
const now = new Date("2026-03-10T08:00:00Z");
const period = resolveReportPeriod({ preset: "last-7d" }, { now });

function fu(functionId: number, qualifier: string, invocations: number, mbMs: bigint): FunctionUsage {
  return { functionId, qualifier, invocations, billedMs: BigInt(invocations) * 100n, mbMs };
}

function slice(start: string, end: string, functions: FunctionUsage[], stages: UsageSlice["stages"], before: UsageSlice["before"] = { functions: [], stages: [] }): UsageSlice {
  return { month: start.slice(0, 7), start: new Date(start), end: new Date(end), functions, stages, before };
}

/** One account in us-east-1: api (x86, 1024 MB, alias live), img (arm64, 2048 MB), a REST stage with an awkward API name. */
function input(overrides: Partial<CostReportInput> = {}): CostReportInput {
  const hourly: HourlyFunctionUsage[] = [];
  // Daily history for anomalies/projection: 1,000 GB-s of api a day, 200,000 GB-s on 2026-03-05.
  for (let d = Date.parse("2026-02-15T00:00:00Z"); d < Date.parse("2026-03-10T00:00:00Z"); d += 86_400_000) {
    const spike = new Date(d).toISOString().startsWith("2026-03-05");
    hourly.push({ functionId: 1, bucketStart: new Date(d + 3_600_000), invocations: 1000, billedMs: 100_000n, mbMs: gbs(spike ? 200_000 : 1_000), maxMemoryUsedMb: 900 });
    hourly.push({ functionId: 2, bucketStart: new Date(d + 7_200_000), invocations: 100, billedMs: 10_000n, mbMs: gbs(10), maxMemoryUsedMb: 300 });
  }
  return {
    period,
    generatedAt: now,
    sources: [{ id: 1, name: "prod", accountId: "123456789012", region: "us-east-1" }],
    functions: [
      { id: 1, sourceId: 1, name: "api", architecture: "x86_64", memoryMb: 1024, deleted: false, aliases: ["live"] },
      { id: 2, sourceId: 1, name: "img", architecture: "arm64", memoryMb: 2048, deleted: false, aliases: [] },
    ],
    stages: [{ id: 10, sourceId: 1, apiId: "a1", apiName: 'Shop "API", v2', apiType: "REST", stageName: "prod", deleted: false }],
    current: [slice("2026-03-03T00:00:00Z", "2026-03-10T00:00:00Z", [fu(1, "$ALL", 1_000_000, gbs(10_000)), fu(1, "live", 600_000, 0n), fu(1, "7", 1_000_000, gbs(10_000)), fu(2, "$ALL", 500_000, gbs(5_000))], [{ stageId: 10, requests: 2_000_000 }])],
    previous: [
      slice("2026-02-24T00:00:00Z", "2026-03-01T00:00:00Z", [fu(1, "$ALL", 500_000, gbs(5_000))], [{ stageId: 10, requests: 1_000_000 }]),
      slice("2026-03-01T00:00:00Z", "2026-03-03T00:00:00Z", [fu(2, "$ALL", 500_000, gbs(5_000))], []),
    ],
    hourly: { functions: hourly, stages: [] },
    monitoring: [
      {
        sourceId: 1,
        calls: {
          "monitoring:GetMetricData": { calls: 10, throttled: 1, failed: 0 },
          "monitoring:ListMetrics": { calls: 20, throttled: 0, failed: 0 },
          "xray:BatchGetTraces": { calls: 5, throttled: 0, failed: 0 },
          "sqs:ReceiveMessage": { calls: 100, throttled: 0, failed: 0 },
          "logs:FilterLogEvents": { calls: 50, throttled: 0, failed: 0 },
          "lambda:ListFunctions": { calls: 3, throttled: 0, failed: 0 },
        },
        metricsRuns: 9,
        metricSeries: 40,
        tracesRetrieved: 1000,
      },
    ],
    ...overrides,
  };
}

describe("buildCostReport", () => {
  const report = buildCostReport(input());
  const row = (key: string) => report.rows.find((r) => r.key === key)!;

  it("prices each function at GB-s x its architecture's price, exactly in micro-dollars", () => {
    // 10,000 GB-s x $0.0000166667 = $0.166667; 5,000 GB-s x $0.0000133334 = $0.066667; requests $0.20 per million.
    expect(row("fn:prod/api")).toMatchObject({ computeMicroUsd: 166_667n, requestsMicroUsd: 200_000n, totalMicroUsd: 366_667n, gbSeconds: "10000", requests: 1_000_000 });
    expect(row("fn:prod/img")).toMatchObject({ computeMicroUsd: 66_667n, requestsMicroUsd: 100_000n, totalMicroUsd: 166_667n, architecture: "arm64" });
    // REST: $3.50 per million.
    expect(row("stage:prod/a1/prod")).toMatchObject({ requestsMicroUsd: 7_000_000n, totalMicroUsd: 7_000_000n, previousTotalMicroUsd: 3_500_000n, changePct: 100 });
    expect(report.totals.current).toMatchObject({ computeMicroUsd: 233_334n, lambdaRequestsMicroUsd: 300_000n, apiGatewayMicroUsd: 7_000_000n, totalMicroUsd: 7_533_334n, invocations: 1_500_000, apiRequests: 2_000_000, gbSeconds: "15000" });
    expect(report.totals.previous.totalMicroUsd).toBe(83_334n + 100_000n + 66_667n + 100_000n + 3_500_000n);
    expect(row("fn:prod/api").costPer1kRequestsMicroUsd).toBe(367n);
  });

  it("keeps alias rows beside their function, estimated from invocations when only metrics know them", () => {
    const keys = report.rows.map((r) => r.key);
    expect(keys).toEqual(["fn:prod/api", "alias:prod/api:live", "fn:prod/img", "stage:prod/a1/prod"]);
    expect(row("alias:prod/api:live")).toMatchObject({ kind: "alias", estimated: true, requests: 600_000, computeMicroUsd: 100_000n, requestsMicroUsd: 120_000n, totalMicroUsd: 220_000n, gbSeconds: "6000" });
    expect(report.rows.some((r) => r.qualifier === "7")).toBe(false);
  });

  it("prices an alias with billed duration at its pool's exact rate", () => {
    const cur = input().current[0];
    const r = buildCostReport(input({ current: [{ ...cur, functions: cur.functions.map((u) => (u.qualifier === "live" ? fu(1, "live", 600_000, gbs(6_000)) : u)) }] }));
    expect(r.rows.find((x) => x.kind === "alias")).toMatchObject({ estimated: false, computeMicroUsd: 100_000n, requestsMicroUsd: 120_000n, gbSeconds: "6000" });
  });

  it("ranks movers by the size of their change", () => {
    expect(report.topMovers.map((m) => [m.label, m.changeMicroUsd])).toEqual([
      ['Shop "API", v2 / prod', 3_500_000n],
      ["api", 366_667n - 183_334n],
    ]);
  });

  it("applies volume tiers at the month's position and attributes them back exactly", () => {
    // 5,999,990,000 GB-s used earlier this month: 10,000 GB-s left in tier 1, the rest at $0.000015.
    const tiered = buildCostReport(
      input({
        current: [slice("2026-03-03T00:00:00Z", "2026-03-10T00:00:00Z", [fu(1, "$ALL", 0, gbs(15_000)), fu(3, "$ALL", 0, gbs(5_000))], [], { functions: [fu(1, "$ALL", 0, gbs(5_999_990_000))], stages: [] })],
        previous: [],
        functions: [...input().functions, { id: 3, sourceId: 1, name: "batch", architecture: "x86_64", memoryMb: 512, deleted: true, aliases: [] }],
      }),
    );
    // 10,000 x 0.0000166667 + 10,000 x 0.000015 = $0.316667, split 3:1 with largest remainders.
    expect(tiered.totals.current.computeMicroUsd).toBe(316_667n);
    expect(tiered.rows.find((r) => r.key === "fn:prod/api")!.computeMicroUsd).toBe(237_500n);
    expect(tiered.rows.find((r) => r.key === "fn:prod/batch")).toMatchObject({ computeMicroUsd: 79_167n, live: false });
  });

  it("finds the spend anomaly and projects the month", () => {
    expect(report.anomalies.map((a) => a.date)).toEqual(["2026-03-05"]);
    expect(report.daily.map((d) => d.date)).toEqual(["2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06", "2026-03-07", "2026-03-08", "2026-03-09"]);
    // A normal day: 1,000 GB-s x86 (16,667 µ$) + 1,000 req (200 µ$) + 10 GB-s arm (133 µ$) + 100 req (20 µ$).
    expect(report.daily[0].microUsd).toBe(16_667n + 200n + 133n + 20n);
    expect(report.projection).toMatchObject({ month: "2026-03", asOf: "2026-03-09", daysElapsed: 9, daysInMonth: 31 });
    expect(report.projection!.projectedMicroUsd).toBeGreaterThan(report.projection!.monthToDateMicroUsd);
  });

  it("recommends memory and arm64 with monthly savings and their assumptions", () => {
    const img = report.savings.rightSizing.find((r) => r.function === "img")!;
    // p99 of 300 MB x 1.2 headroom = 360 -> 384 MB.
    expect(img).toMatchObject({ action: "decrease", currentMemoryMb: 2048, recommendedMemoryMb: 384, p99MaxMemoryUsedMb: 300 });
    expect(img.monthlySavingMicroUsd).toBeGreaterThan(0n);
    expect(report.savings.rightSizingAssumptions.join(" ")).toMatch(/headroom|p99/);
    expect(report.savings.arm64.map((a) => a.function)).toEqual(["api"]);
    // 10,000 GB-s a week -> x 730/168 a month.
    expect(report.savings.arm64[0].monthlyGbSeconds).toBe("43452.381");
    expect(report.savings.arm64Assumption).toMatch(/same billed duration/);
  });

  it("prices Faasight's own API calls", () => {
    const by = Object.fromEntries(report.monitoring.lines.map((l) => [l.item, l]));
    // min(9 calls x 500, max(9, 40 series x 9 runs)) = 360 metrics at $0.01 per 1,000.
    expect(by["CloudWatch GetMetricData"]).toMatchObject({ quantity: "360", microUsd: 3_600n, estimated: true });
    expect(by["CloudWatch API requests"]).toMatchObject({ quantity: "20", microUsd: 200n });
    expect(by["X-Ray traces retrieved"]).toMatchObject({ quantity: "1000", microUsd: 500n });
    expect(by["SQS requests"]).toMatchObject({ quantity: "100", microUsd: 40n });
    expect(by["CloudWatch Logs API requests"].microUsd).toBe(0n);
    expect(report.monitoring.totalMicroUsd).toBe(3_600n + 200n + 500n + 40n);
  });

  it("reports regions without a price table instead of failing", () => {
    const r = buildCostReport(input({ sources: [{ id: 1, name: "prod", accountId: "123456789012", region: "xx-nowhere-1" }], monitoring: [] }));
    expect(r.totals.current.totalMicroUsd).toBe(0n);
    expect(r.notes.unpricedRegions).toEqual(["xx-nowhere-1"]);
  });

  it("splits spans at UTC month starts and reaches back for the trailing window", () => {
    expect(monthSlices(new Date("2026-02-24T00:00:00Z"), new Date("2026-03-03T00:00:00Z")).map((s) => [s.month, s.start.toISOString(), s.end.toISOString()])).toEqual([
      ["2026-02", "2026-02-24T00:00:00.000Z", "2026-03-01T00:00:00.000Z"],
      ["2026-03", "2026-03-01T00:00:00.000Z", "2026-03-03T00:00:00.000Z"],
    ]);
    expect(historyStart(period).toISOString()).toBe("2026-02-15T00:00:00.000Z");
  });
});

describe("renderers", () => {
  const report = buildCostReport(input());

  it("CSV: header, one row per function/alias/stage, a totals row that the rows add up to", () => {
    const csv = renderCsv(report);
    expect(csv.endsWith("\r\n")).toBe(true);
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    const body = rows.slice(1, -1);
    const totals = rows[rows.length - 1];
    expect(body.length).toBe(report.rows.length);
    expect(totals[col("kind")]).toBe("total");
    const billed = body.filter((r) => r[col("kind")] !== "alias");
    for (const c of ["compute_usd", "requests_usd", "total_usd", "previous_total_usd", "change_usd"] as const) {
      expect(billed.reduce((s, r) => s + parseUsdExact(r[col(c)]), 0n)).toBe(parseUsdExact(totals[col(c)]));
    }
    expect(parseUsdExact(totals[col("total_usd")])).toBe(report.totals.current.totalMicroUsd);
    expect(totals[col("total_usd")]).toBe("7.533334");
    expect(totals[col("gb_seconds")]).toBe("15000");
    // RFC 4180: the API name with a comma and quotes survives the round trip.
    expect(csv).toContain('"Shop ""API"", v2"');
    expect(body.find((r) => r[col("kind")] === "stage")![col("name")]).toBe('Shop "API", v2');
  });

  it("HTML: a self-contained email body (inline styles, tables, no scripts or external assets), escaped", () => {
    const html = renderHtml(report, { reportUrl: "https://faasight.example.com/reports/runs/7?x=<1>" });
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(/<script|<link|<style|src=|url\(/i);
    expect(html).toContain("<table");
    expect(html).toContain('style="');
    expect(html).toContain("Shop &quot;API&quot;, v2");
    expect(html).not.toContain('Shop "API"');
    expect(html).toContain('href="https://faasight.example.com/reports/runs/7?x=&lt;1&gt;"');
    expect(html).toContain("$7.53");
    expect(html).toContain("2026-03-05 <strong");
  });

  it("JSON: stable names, micro-dollars as integers, exact quantities as strings", () => {
    const doc = JSON.parse(renderJson(report));
    expect(doc.schemaVersion).toBe(1);
    expect(doc.totals.current.totalMicroUsd).toBe(7_533_334);
    expect(doc.totals.current.mbMs).toBe("15360000000");
    expect(doc.daily[0].microUsd).toBe(17_020);
    expect(doc.monitoring.lines[0].microUsd).toBe(3_600);
    expect(doc.anomalies[0]).toMatchObject({ date: "2026-03-05", microUsd: expect.any(Number), medianMicroUsd: expect.any(Number) });
    expect(doc.rows[0]).toMatchObject({ kind: "function", key: "fn:prod/api", totalMicroUsd: 366_667, costPer1kRequestsMicroUsd: 367 });
    expect(Object.keys(doc)).toEqual(["schemaVersion", "title", "generatedAt", "currency", "period", "previousPeriod", "totals", "topMovers", "rows", "savings", "daily", "anomalies", "projection", "monitoring", "notes"]);
  });
});

describe("delivery texts", () => {
  const report = buildCostReport(input());
  const link = { url: "http://127.0.0.1:3000/reports/runs/42", runId: 42, scheduleId: 3, scheduleName: "weekly-finance", fireTime: "2026-03-10T08:00:00.000Z", formats: ["csv", "html"] };

  it("keeps the SNS subject under 100 ASCII characters", () => {
    expect(snsSubject(report, "weekly-finance")).toBe("Faasight cost report weekly-finance: 2026-03-03 to 2026-03-09 $7.53 (+95.7%)");
    const long = snsSubject(report, `Équipe ${"x".repeat(200)}`);
    expect(long.length).toBeLessThanOrEqual(99);
    expect(long).toMatch(/^[\x20-\x7e]+$/);
    expect(long.endsWith("$7.53 (+95.7%)")).toBe(true);
  });

  it("summarises totals, the top 3 movers and savings, with the link", () => {
    const text = reportSummaryText(report, link);
    expect(text).toContain("Total: $7.53 (+$3.68, +95.7% vs 2026-02-24 to 2026-03-02)");
    expect(text).toContain('1. Shop "API", v2 / prod: $7.00 (+$3.50, +100.0%)');
    expect(text).toContain("Memory right-sizing:");
    expect(text).toContain("arm64 migration:");
    expect(text.trimEnd().endsWith("Full report: http://127.0.0.1:3000/reports/runs/42")).toBe(true);
  });

  it("builds a validated webhook payload", () => {
    const p = reportWebhookPayload(report, link);
    expect(p).toMatchObject({ type: "faasight.cost_report", version: 1, schedule: { id: 3, name: "weekly-finance" }, run: { id: 42, url: link.url }, totals: { totalMicroUsd: 7_533_334, previousTotalMicroUsd: 3_850_001 } });
    expect(p.topMovers.length).toBe(2);
  });
});

describe("delivery failures are recorded, never thrown", () => {
  const report = buildCostReport(input());
  const link = { url: "http://127.0.0.1:3000/reports/runs/1", runId: 1, scheduleId: 1, scheduleName: "s", fireTime: "2026-03-10T08:00:00.000Z", formats: ["csv"] };
  const now = () => new Date("2026-03-10T08:00:01Z");

  it("records a webhook's HTTP error, a timeout, and a missing SNS client", async () => {
    const payload = reportWebhookPayload(report, link);
    const failing = (async () => new Response("nope", { status: 500 })) as typeof fetch;
    expect(await deliverToWebhook("https://user:pw@hooks.example.com/x?token=abc", payload, { fetch: failing, now })).toMatchObject({
      type: "webhook",
      ok: false,
      status: 500,
      error: "HTTP 500",
      target: "https://user:[REDACTED]@hooks.example.com/x?…",
    });
    const hanging = ((_url: string, init?: RequestInit) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal!.reason)))) as typeof fetch;
    expect(await deliverToWebhook("https://hooks.example.com/y", payload, { fetch: hanging, timeoutMs: 50, now })).toMatchObject({ ok: false, error: "timed out after 50 ms" });
    expect(await deliverToSns({}, "arn:aws:sns:us-east-1:123456789012:t", report, link, now)).toMatchObject({ type: "sns", ok: false, error: expect.stringMatching(/no SNS client/) });
  });
});
