/** The dashboard's queries against a seeded SQLite store: figures agree with the seed exactly. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDb, type DbHandle } from "../../lib/db.ts";
import { migrateDatabase } from "../../lib/store/migrate.ts";
import { seedDashboard, type SeedSummary } from "../fixtures/seed-dashboard.ts";
import { parseTimeRange, type TimeRange } from "../../lib/time-range.ts";
import { listFunctionStats } from "../../lib/queries/functions/list-function-stats.ts";
import { getFunctionView } from "../../lib/queries/functions/get-function-view.ts";
import { getStageView } from "../../lib/queries/stages/get-stage-view.ts";
import { getInvocation } from "../../lib/queries/invocations/get-invocation.ts";
import { getOverview } from "../../lib/queries/overview/get-overview.ts";
import { listFailedEvents } from "../../lib/queries/failures/list-failed-events.ts";
import { readFunctionRollups, totalsOf } from "../../lib/queries/shared/rollups.ts";

let handle: DbHandle;
let seed: SeedSummary;
let dir: string;
const NOW = new Date("2026-03-10T12:34:00Z");

function range(params: Record<string, string>): TimeRange {
  const r = parseTimeRange(params, NOW);
  if (!r.ok) throw new Error(r.problem.message);
  return r.value;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "faasight-dash-"));
  const url = `file:${path.join(dir, "t.db")}`;
  await migrateDatabase(url);
  handle = openDb(url);
  seed = await seedDashboard(handle.db, { now: NOW, days: 0.5, seed: 11 });
}, 120_000);

afterAll(async () => {
  await handle?.db.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("dashboard queries on a seeded store", () => {
  it("function totals over the whole seeded span equal the seed", async () => {
    const s = await listFunctionStats(handle.db, range({ from: seed.from.toISOString(), to: seed.now.toISOString() }));
    for (const f of s.functions) {
      expect(f.stats.invocations).toBe(seed.invocations[f.name] ?? 0);
      expect(f.stats.errors).toBe(seed.errors[f.name] ?? 0);
    }
    expect(s.fleet.invocations).toBe(Object.values(seed.invocations).reduce((a, b) => a + b, 0));
  });

  it("a window that ends now reads the live hour row and gives the same figures", async () => {
    const r = range({ range: "1h" });
    const exact = totalsOf(await readFunctionRollups(handle.db, { from: r.from, to: r.to, qualifiers: ["$ALL"], withHist: true, coarsest: "minute" }));
    const live = totalsOf(await readFunctionRollups(handle.db, { from: r.from, to: r.to, qualifiers: ["$ALL"], withHist: true, coarsest: "day", openEnd: true }));
    expect(live.invocations).toBeGreaterThan(0);
    expect(live.invocations).toBe(exact.invocations);
    expect(live.mbMs).toBe(exact.mbMs);
    expect(live.hist?.count).toBe(exact.hist?.count);
  });

  it.each([
    ["minute rows only", "2026-03-10T03:17Z", "2026-03-10T05:41Z"],
    ["hours inside, minute edges", "2026-03-10T01:13Z", "2026-03-10T11:47Z"],
  ])("reads a window exactly (%s)", async (_n, from, to) => {
    const r = range({ from, to });
    const split = totalsOf(await readFunctionRollups(handle.db, { from: r.from, to: r.to, qualifiers: ["$ALL"], useHours: true }));
    const minutes = await handle.db.minuteRollup.aggregate({ where: { qualifier: "$ALL", bucketStart: { gte: r.from, lt: r.to } }, _sum: { invocations: true, errors: true, mbMs: true } });
    expect(split.invocations).toBe(minutes._sum.invocations);
    expect(split.errors).toBe(minutes._sum.errors);
    expect(split.mbMs).toBe(minutes._sum.mbMs);
  });

  it("gives the canary verdict for checkout's alias", async () => {
    const v = await getFunctionView(handle.db, "checkout", range({ range: "24h" }), { status: "all", limit: 25 }, "sqlite", NOW);
    expect(v).not.toBeNull();
    expect(v!.canaries).toHaveLength(1);
    expect(v!.canaries[0]!.verdict.outcome).toBe("worse");
    expect(v!.canaries[0]!.verdict.headline).toMatch(/^v8 is worse than v7: error rate \d+(\.\d)?% vs \d+(\.\d)?% \(p[<=]0\.\d+\)/);
    expect(v!.insights.map((i) => i.id)).not.toContain("runtime-deprecated");
  });

  it("the function page gives the same figures reading live rows for a window that ends now", async () => {
    for (const preset of ["1h", "24h"]) {
      const exact = await getFunctionView(handle.db, "checkout", range({ range: preset }), { status: "all", limit: 5 });
      const live = await getFunctionView(handle.db, "checkout", range({ range: preset }), { status: "all", limit: 5 }, "sqlite", NOW);
      expect(live!.stats.invocations).toBeGreaterThan(0);
      // Sums of float durations may differ in the last bit (another summation order).
      const r = (v: unknown) => JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === "number" ? Number(x.toPrecision(12)) : x)));
      expect(r(live!.stats)).toEqual(r(exact!.stats));
      expect(r(live!.qualifiers)).toEqual(r(exact!.qualifiers));
      expect(r(live!.series.traffic.rows)).toEqual(r(exact!.series.traffic.rows));
      expect(r(live!.series.latency.rows)).toEqual(r(exact!.series.latency.rows));
    }
  });

  it("flags the deprecated runtime and the over-provisioned function", async () => {
    const auth = await getFunctionView(handle.db, "auth-legacy", range({ range: "24h" }), { status: "all", limit: 5 });
    expect(auth!.insights.map((i) => i.id)).toEqual(["runtime-deprecated", "tracing-off"]);
    const resize = await getFunctionView(handle.db, "image-resize", range({ range: "24h" }), { status: "all", limit: 5 });
    expect(resize!.insights.map((i) => i.id)).toContain("memory-over-provisioned");
  });

  it("filters recent invocations and attaches their log lines", async () => {
    const v = await getFunctionView(handle.db, "checkout", range({ range: "1h" }), { status: "errors", limit: 10 });
    expect(v!.invocations.length).toBeGreaterThan(0);
    for (const i of v!.invocations) {
      expect(["error", "timeout"]).toContain(i.status);
      expect(i.logLines.some((l) => l.message.startsWith(`REPORT RequestId: ${i.requestId}`))).toBe(true);
    }
    const detail = await getInvocation(handle.db, v!.invocations[0]!.requestId);
    expect(detail!.logLines.length).toBeGreaterThanOrEqual(4);
    expect(detail!.apiRequests[0]?.status).toBeGreaterThanOrEqual(502);
  });

  it("shows the stage's 5xx with causes and the invocations behind them", async () => {
    const v = await getStageView(handle.db, "shop-api", "prod", range({ range: "6h" }), { status: "5xx", variant: "all", limit: 50 });
    const codes = v!.statuses.map((s) => s.status);
    expect(codes).toEqual(expect.arrayContaining([403, 429, 502]));
    expect(v!.statuses.find((s) => s.status === 502)!.cause).toBe("Backend (Lambda) error or malformed response");
    expect(v!.stats.status5xx).toBe(v!.statuses.filter((s) => s.status >= 500).reduce((a, s) => a + s.count, 0));
    const linked = v!.requests.filter((r) => r.invocation);
    expect(linked.length).toBeGreaterThan(0);
    expect(linked.every((r) => r.invocation!.functionName === "checkout" && r.invocation!.status !== "ok")).toBe(true);
    expect(v!.variants.map((x) => x.variant)).toEqual(["base", "canary"]);
  });

  it("builds the overview with offenders and spend", async () => {
    const o = await getOverview(handle.db, range({ range: "6h" }), NOW);
    expect(o.offenders.errors[0]!.name).toBe("checkout");
    expect(o.fleet.spendMicros).toBeGreaterThan(0);
    expect(o.series.rows.length).toBe(72);
    // The fleet chart (from fleet minute rows) adds up to the fleet total of the same window.
    expect(o.series.rows.reduce((a, r) => a + (r.invocations ?? 0), 0)).toBe(o.fleet.invocations);
    expect(o.functions.map((f) => f.stats.invocations)).toEqual([...o.functions.map((f) => f.stats.invocations)].sort((a, b) => b - a));
    expect(o.fleet.functions).toBe(o.functions.length);
    expect(o.queues.map((q) => q.name)).toEqual(["orders-dlq", "image-resize-dlq", "notifier-failures"]);
    expect(o.collectors).toHaveLength(3);
  });

  it("groups failed events by function and error", async () => {
    const f = await listFailedEvents(handle.db, range({ range: "7d" }), { limit: 100 });
    expect(f.groups.find((g) => g.functionName === "order-worker")?.count).toBe(3);
    expect(f.events.every((e) => typeof e.payload === "string")).toBe(true);
  });
});
