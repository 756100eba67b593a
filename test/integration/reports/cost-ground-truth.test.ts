/**
 * After the simulator's backfill and one collection, the cost report prices every function at
 * the ground truth's billed ms x memory x price: each function's share is the floor or ceiling of
 * its exact micro-dollars, and each architecture's pool adds up to the exact total, rounded once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASES, type TestDatabase } from "../helpers/databases.ts";
import { simulateShop, type SimulatedShop } from "../helpers/shop.ts";
import { openCollector, problems, type Collector } from "../helpers/collect.ts";
import { getRegionPrices, MB_MS_PER_GB_SECOND, Rational, unitPrice } from "../../../lib/cost/index.ts";
import { getCostReport } from "../../../lib/queries/cost-report/get-cost-report.ts";
import { resolveReportPeriod } from "../../../lib/reports/periods.ts";

const HOUR = 3_600_000;
let sim: SimulatedShop;

beforeAll(async () => {
  sim = await simulateShop({ hours: 3, seed: 23 });
}, 600_000);

afterAll(async () => {
  await sim?.close();
});

describe.each(DATABASES)("cost of a backfill collected into $name", ({ create }) => {
  let h: TestDatabase;
  let c: Collector;
  beforeAll(async () => {
    h = await create();
    c = await openCollector(h, sim.sandbox.url);
  });
  afterAll(async () => {
    await c?.close();
    await h?.drop();
  });

  it("equals ground truth GB-seconds x price, to the micro-dollar", async () => {
    expect(problems(await c.collect({ since: sim.start - 60_000 }))).toEqual([]);
    const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, "Z");
    const period = resolveReportPeriod({ preset: "custom", from: iso(Math.floor(sim.start / HOUR) * HOUR), to: iso(Math.ceil(sim.end / HOUR) * HOUR + HOUR) }, { now: new Date(sim.end + 2 * HOUR) });
    const report = await getCostReport(h.db, period, { generatedAt: new Date(sim.end) });
    const prices = getRegionPrices("us-east-1", { env: {} });
    const pools = new Map<string, { exact: Rational; attributed: bigint }>();
    const truth = sim.truth.functions.filter((f) => f.qualifier === "$ALL" && f.invocations > 0);
    expect(truth.length).toBeGreaterThan(5);
    for (const t of truth) {
      const spec = sim.shop.functions.find((f) => f.name === t.name)!;
      const row = report.rows.find((r) => r.kind === "function" && r.name === t.name);
      expect(row, t.name).toBeDefined();
      const mbMs = BigInt(t.billedMs) * BigInt(spec.memoryMb);
      expect(row!.mbMs, `${t.name} MB-ms`).toBe(mbMs);
      expect(Number(row!.gbSeconds)).toBeCloseTo(t.gbSeconds, 6);
      expect(row!.requests, `${t.name} invocations`).toBe(t.invocations);
      // Small volumes: the first tier of the function's architecture.
      const exact = Rational.from(mbMs, MB_MS_PER_GB_SECOND).mul(unitPrice(prices.lambda.duration[spec.architecture][0]!)).mul(1_000_000);
      expect([exact.floor(), exact.floor() + (exact.isInteger() ? 0n : 1n)], `${t.name} compute ${exact.toDecimal(3)} µ$`).toContain(row!.computeMicroUsd);
      const pool = pools.get(spec.architecture) ?? { exact: Rational.ZERO, attributed: 0n };
      pools.set(spec.architecture, { exact: pool.exact.add(exact), attributed: pool.attributed + row!.computeMicroUsd });
    }
    for (const [arch, p] of pools) expect(p.attributed, `${arch} pool`).toBe(p.exact.roundHalfUp());
    const requests = truth.reduce((s, t) => s + t.invocations, 0);
    expect(report.totals.current.lambdaRequestsMicroUsd).toBe(Rational.of(requests).mul(unitPrice(prices.lambda.requests)).mul(1_000_000).roundHalfUp());
  }, 600_000);
});
