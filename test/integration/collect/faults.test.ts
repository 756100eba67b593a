/**
 * Collection under the sandbox's faults, on SQLite and PostgreSQL: log events and metric
 * points that arrive late are picked up by the next cycle; with 30% of calls throttled the
 * store still equals the ground truth and the stored counters match the sandbox's; a log
 * group full of malformed lines does not stop the cycle and its lines are counted exactly.
 */
import fc from "fast-check";
import { CreateLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPgDatabase, createSqliteDatabase, type TestDatabase } from "../helpers/databases.ts";
import { simulateShop, type SimulatedShop } from "../helpers/shop.ts";
import { compareWithTruth } from "../helpers/truth-compare.ts";
import { openCollector, problems, type Collector } from "../helpers/collect.ts";
import { addCounts, type CallCounts } from "../../../lib/aws/quota.ts";
import { isMalformedLine } from "../../../lib/store/invocation-assembly.ts";
import { parseLambdaLogLine } from "../../../lib/parse/lambda-log.ts";
import type { GroundTruth } from "../../../lib/simulate/truth.ts";

// Held-back data becomes visible when the sandbox's clock passes put time + LATE_MS; the test moves that clock.
const LATE_MS = 10 * 60_000;
let clockJump = 0;
const WINDOW = { FAASIGHT_LOGS_LOOKBACK_MINUTES: "60", FAASIGHT_METRICS_OVERLAP_MINUTES: "60" };

let sim: SimulatedShop;
const dbs: Array<{ name: string; create: () => Promise<TestDatabase> }> = [
  { name: "sqlite", create: createSqliteDatabase },
  { name: "postgresql", create: createPgDatabase },
];
const opened: Array<{ h: TestDatabase; c: Collector }> = [];

async function open(create: () => Promise<TestDatabase>) {
  const h = await create();
  const c = await openCollector(h, sim.sandbox.url, WINDOW);
  opened.push({ h, c });
  return { h, c };
}

beforeAll(async () => {
  // The last 40 minutes, with 15% of log events and metric points held back.
  sim = await simulateShop({
    hours: 40 / 60,
    seed: 31,
    sandbox: { now: () => Date.now() + clockJump, faults: { "logs:PutLogEvents": { lateRate: 0.15, lateMs: LATE_MS }, "monitoring:PutMetricData": { lateRate: 0.15, lateMs: LATE_MS } } },
  });
  sim.sandbox.setFaults({});
}, 300_000);

afterAll(async () => {
  for (const o of opened) {
    await o.c.close();
    await o.h.drop();
  }
  await sim?.close();
});

describe("late data", () => {
  it("is missing from the first cycle and picked up by the next", async () => {
    const stores = await Promise.all(dbs.map((d) => open(d.create)));
    for (const s of stores) expect(problems(await s.c.collect({ since: sim.start - 60_000 }))).toEqual([]);
    // Held-back events and points were not visible yet: the store is short of the truth.
    for (const s of stores) expect((await compareWithTruth(s.h.db, sim.truth)).length).toBeGreaterThan(0);
    clockJump = LATE_MS + 60_000;
    for (const s of stores) {
      const next = await s.c.collect({ since: sim.start - 60_000 });
      expect(problems(next)).toEqual([]);
      expect(await compareWithTruth(s.h.db, sim.truth)).toEqual([]);
    }
  }, 600_000);
});

describe("throttling", () => {
  it.each(dbs)("on $name: equals the ground truth with 30% of calls throttled, and stores the throttle counts", async ({ create }) => {
    const { h, c } = await open(create);
    sim.sandbox.resetStats();
    sim.sandbox.setFaults({ "*": { throttleRate: 0.3 } });
    try {
      const results = await c.collect({ since: sim.start - 60_000 });
      expect(problems(results)).toEqual([]);
    } finally {
      sim.sandbox.setFaults({});
    }
    expect(await compareWithTruth(h.db, sim.truth)).toEqual([]);
    // What the collector stored (CollectorRun.callsJson) is exactly what the sandbox saw.
    const stored: CallCounts = {};
    for (const r of await h.db.collectorRun.findMany()) addCounts(stored, JSON.parse(r.callsJson) as CallCounts);
    const seen = sim.sandbox.stats();
    const throttled = Object.values(stored).reduce((a, v) => a + v.throttled, 0);
    const calls = Object.values(stored).reduce((a, v) => a + v.calls, 0);
    // About 30% of the calls were throttled (and retried): well above zero, whatever the call count.
    expect(throttled).toBeGreaterThan(20);
    expect(throttled / calls).toBeGreaterThan(0.15);
    for (const [api, v] of Object.entries(stored)) {
      expect({ api, calls: v.calls, throttled: v.throttled }).toEqual({ api, calls: seen[api]?.calls, throttled: seen[api]?.throttled });
    }
  }, 600_000);
});

describe("malformed lines", () => {
  it.each(dbs)("on $name: a log group full of them is counted exactly and does not stop the cycle", async ({ create }) => {
    const { lines, malformed } = fuzzLines();
    const group = "/aws/lambda/search";
    const stream = `2026/11/27/[$LATEST]${"f".repeat(32)}`;
    await putLines(group, stream, lines);
    const { h, c } = await open(create);
    const results = await c.collect({ since: sim.start - 60_000 });
    expect(problems(results)).toEqual([]);
    expect(results[0]!.collectors.logs!.malformed).toBe(malformed);
    const fn = await h.db.lambdaFunction.findFirstOrThrow({ where: { name: "search" } });
    const sums = await h.db.minuteRollup.aggregate({ where: { functionId: fn.id, qualifier: "$ALL" }, _sum: { malformedLines: true } });
    expect(sums._sum.malformedLines).toBe(malformed);
    const run = await h.db.collectorRun.findFirstOrThrow({ where: { collector: "logs" } });
    expect(run.malformed).toBe(malformed);
    // Every other figure is untouched; the search group simply holds the extra lines.
    const truth = structuredClone(sim.truth) as GroundTruth;
    truth.functions.find((f) => f.name === "search" && f.qualifier === "$ALL")!.logLines += lines.length;
    expect(await compareWithTruth(h.db, truth)).toEqual([]);
  }, 600_000);
});

let fuzzed: { lines: string[]; malformed: number } | undefined;

/** Seeded broken platform lines (all malformed) mixed with free-form output (not malformed). */
function fuzzLines(): { lines: string[]; malformed: number } {
  if (fuzzed) return fuzzed;
  const id = fc.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const junk = fc.string({ minLength: 1, maxLength: 12 }).map((s) => s.replace(/[\s\d.]/g, "x") || "x");
  const broken = fc.oneof(
    fc.tuple(id, junk).map(([r, j]) => `REPORT RequestId: ${r}\tDuration: ${j} ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 1 MB`),
    fc.tuple(id, fc.integer({ min: 1, max: 40 })).map(([r, n]) => `{"time":"2026-11-27T00:00:00Z","type":"platform.report","record":{"requestId":"${r}","metrics":{"durationMs":1`.slice(0, 40 + n)),
    fc.constant('{"time":"2026-11-27T00:00:00Z","type":"platform.start","record":{}}'),
    fc.tuple(id, junk).map(([r, j]) => `START RequestId: ${r} Version: 1 ${j}`),
    fc.tuple(id, junk).map(([r, j]) => `END RequestId: ${r} ${j}`),
    fc.integer({ min: 2, max: 60 }).map((n) => `{"level":"INFO","message":"${"m".repeat(n)}`),
  );
  const free = fc.oneof(fc.constantFrom("hello from print()", "Traceback? no", "<<<binary junk>>>", "🙂 unicode line"), fc.string({ minLength: 1, maxLength: 30 }).map((s) => `note: ${s}`));
  const lines = fc.sample(fc.oneof({ arbitrary: broken, weight: 6 }, { arbitrary: free, weight: 1 }), { seed: 77, numRuns: 3000 }).map((l) => l.replace(/\s+$/, "") || "x");
  const malformed = lines.filter((l) => isMalformedLine(parseLambdaLogLine(l))).length;
  expect(malformed).toBeGreaterThan(2000);
  fuzzed = { lines, malformed };
  return fuzzed;
}

let put = false;
async function putLines(group: string, stream: string, lines: string[]): Promise<void> {
  if (put) return;
  put = true;
  await sim.clients.logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
  const t0 = sim.start + 5 * 60_000;
  for (let i = 0; i < lines.length; i += 1000) {
    const logEvents = lines.slice(i, i + 1000).map((message, j) => ({ timestamp: t0 + (i + j) * 100, message }));
    await sim.clients.logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents }));
  }
}
