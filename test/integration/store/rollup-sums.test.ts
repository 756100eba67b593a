/**
 * Fleet views total rollups in the database (sumFunctionRollups) instead of reading every
 * row (readFunctionRollups): on both engines, the totals, percentiles and error types must be
 * the same for every grouping and window shape, and 64-bit sums must stay exact.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeHistory } from "../../../lib/simulate/history.ts";
import { openStore, run } from "../../../lib/store/sql.ts";
import { derive, readFunctionRollups, sumFunctionRollups, totalsBy, type RollupFilter, type RollupRow } from "../../../lib/queries/shared/rollups.ts";
import { DATABASES, type TestDatabase } from "../helpers/databases.ts";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

describe.each(DATABASES)("rollup sums on $name", ({ create }) => {
  let t: TestDatabase;
  let end: number;
  beforeAll(async () => {
    t = await create();
    const store = openStore(t.url);
    try {
      const h = await writeHistory(store, { functions: 6, days: 3, end: Date.UTC(2026, 10, 20, 15, 37, 0), minuteHours: 3, qualifierDays: 2, rawHours: 0 });
      end = h.end;
      // One function-day beyond 2^53 MB-ms: sums must not pass through a double.
      await store.transaction(function* () {
        yield* run(`UPDATE "DayRollup" SET "mbMs" = ? WHERE "id" = (SELECT MIN("id") FROM "DayRollup")`, [2n ** 53n + 1n]);
        return 0;
      });
    } finally {
      await store.close();
    }
  }, 120_000);
  afterAll(async () => t?.drop());

  const key = (by: "function" | "qualifier" | "bucket") => (r: RollupRow) => (by === "function" ? `${r.functionId}` : by === "qualifier" ? `${r.functionId}/${r.qualifier}` : `${r.functionId}/${r.bucketStart.getTime()}`);
  const shapes: Array<[string, (end: number) => Omit<RollupFilter, "withHist">]> = [
    ["last hour, open end", (e) => ({ from: new Date(e - HOUR), to: new Date(e), coarsest: "day", openEnd: true })],
    ["24 h, minute edges", (e) => ({ from: new Date(e - DAY - 7 * MINUTE), to: new Date(e - 2 * HOUR - 13 * MINUTE), coarsest: "day" })],
    ["whole history, day rows", (e) => ({ from: new Date(e - 4 * DAY), to: new Date(e), coarsest: "day", openEnd: true })],
    ["hour level only", (e) => ({ from: new Date(e - 2 * DAY), to: new Date(e), coarsest: "hour", openEnd: true })],
  ];

  for (const [name, shape] of shapes) {
    for (const by of ["function", "qualifier", "bucket"] as const) {
      it(`${name}, by ${by}: the same totals as summing every row`, async () => {
        const f = { ...shape(end), withHist: true as const, ...(by === "bucket" ? { qualifiers: ["$ALL"] } : {}) };
        const rows = await readFunctionRollups(t.db, f);
        const sums = await sumFunctionRollups(t.db, { ...f, by, errorsByType: true });
        expect(rows.length).toBeGreaterThan(0);
        if (by !== "bucket") expect(sums.filter((r) => r.invocations > 0).length).toBeLessThan(rows.length);
        const want = totalsBy(rows, key(by));
        const got = totalsBy(sums, key(by));
        expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
        for (const [k, w] of want) {
          const g = got.get(k)!;
          expect(g.mbMs, k).toBe(w.mbMs);
          expect(g.billedMs, k).toBe(w.billedMs);
          // Float sums may differ in the last bits with the order of addition; everything else is equal.
          const { avgDurationMs: ga, avgInitMs: gi, ...gRest } = derive(g);
          const { avgDurationMs: wa, avgInitMs: wi, ...wRest } = derive(w);
          expect(gRest, k).toEqual(wRest);
          expect(ga ?? 0, k).toBeCloseTo(wa ?? 0, 6);
          expect(gi ?? 0, k).toBeCloseTo(wi ?? 0, 6);
        }
      });
    }
  }

  it("keeps a sum beyond 2^53 exact", async () => {
    const sums = await sumFunctionRollups(t.db, { by: "function", from: new Date(end - 10 * DAY), to: new Date(end), coarsest: "day", openEnd: true, qualifiers: ["$ALL"] });
    const rows = await readFunctionRollups(t.db, { from: new Date(end - 10 * DAY), to: new Date(end), coarsest: "day", openEnd: true, qualifiers: ["$ALL"] });
    const big = rows.find((r) => r.mbMs === 2n ** 53n + 1n);
    expect(big).toBeDefined();
    const total = totalsBy(sums, (r) => r.functionId).get(big!.functionId)!.mbMs;
    expect(total).toBe(totalsBy(rows, (r) => r.functionId).get(big!.functionId)!.mbMs);
    expect(total > 2n ** 53n).toBe(true);
  });
});
