/**
 * After a 1-day backfill of the simulated shop and one collection, the store equals the
 * simulator's ground truth exactly, on SQLite and PostgreSQL; collecting the same window
 * again changes no row.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASES, type TestDatabase } from "../helpers/databases.ts";
import { simulateShop, type SimulatedShop } from "../helpers/shop.ts";
import { compareWithTruth } from "../helpers/truth-compare.ts";
import { openCollector, problems, snapshot, type Collector } from "../helpers/collect.ts";
import { getSummary } from "../../../lib/queries/summary/get-summary.ts";
import { summaryJson } from "../../../lib/cli/summary.ts";

let sim: SimulatedShop;

beforeAll(async () => {
  sim = await simulateShop({ hours: 24, seed: 11 });
}, 600_000);

afterAll(async () => {
  await sim?.close();
});

describe.each(DATABASES)("a 1-day backfill collected into $name", ({ create }) => {
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

  it("equals the ground truth after one collection", async () => {
    const results = await c.collect({ since: sim.start - 60_000 });
    expect(problems(results)).toEqual([]);
    expect(await compareWithTruth(h.db, sim.truth)).toEqual([]);
    const r = results[0]!;
    expect(r.collectors.logs!.malformed).toBe(0);
    expect(r.collectors.logs!.written).toBe(sim.truth.functions.filter((f) => f.qualifier === "$ALL").reduce((a, f) => a + f.logLines, 0) + sim.truth.stages.reduce((a, s) => a + s.requests, 0));
  }, 600_000);

  it("answers `summary --json` in the documented shape", async () => {
    const s = summaryJson(await getSummary(h.db, { from: new Date(sim.start - 3_600_000), to: new Date(sim.end + 3_600_000) })) as {
      functions: Array<Record<string, unknown>>;
      stages: Array<Record<string, unknown>>;
      dlqs: Array<Record<string, unknown>>;
    };
    expect(Object.keys(s)).toEqual(["functions", "stages", "dlqs"]);
    expect(Object.keys(s.functions[0]!).slice(0, 11)).toEqual(["name", "qualifier", "invocations", "errors", "throttles", "timeouts", "coldStarts", "billedMs", "gbSeconds", "p50Ms", "p99Ms"]);
    expect(Object.keys(s.stages[0]!).slice(0, 5)).toEqual(["api", "stage", "requests", "status4xx", "status5xx"]);
    expect(Object.keys(s.dlqs[0]!).slice(0, 2)).toEqual(["queue", "depth"]);
    const live = s.functions.find((f) => f.name === "checkout" && f.qualifier === "live")!;
    const truth = sim.truth.functions.find((f) => f.name === "checkout" && f.qualifier === "live")!;
    // Alias rows: what the Resource metrics say, and nothing invented.
    expect(live).toMatchObject({ invocations: truth.invocations, errors: truth.errors, throttles: truth.throttles, billedMs: null, coldStarts: null, p99Ms: null });
  });

  it("changes no row when the same window is collected again", async () => {
    const before = await snapshot(c.store);
    const results = await c.collect({ since: sim.start - 60_000, rescan: true });
    expect(problems(results)).toEqual([]);
    const r = results[0]!;
    expect(r.collectors.logs!.written).toBe(0);
    expect(r.collectors.logs!.skipped).toBeGreaterThan(0);
    expect(r.collectors.traces!.written).toBe(0);
    expect(r.collectors.failures!.written).toBe(0);
    expect(await snapshot(c.store)).toEqual(before);
  }, 600_000);
});
