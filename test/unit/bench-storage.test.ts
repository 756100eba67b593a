import { describe, expect, it } from "vitest";
import { retentionAges, steadyStateBytes, subtractBytes, sumBytes, windowFactors } from "../../bench/storage.ts";

const DAY = 86_400_000;
const HOUR = 3_600_000;

describe("retentionAges", () => {
  it.each([
    [{ rawDays: 7, metricDays: 15, minuteDays: 35, hourDays: 400 }, [7, 15, 30, 35, 400]],
    [{ rawDays: 1, metricDays: 1, minuteDays: 2, hourDays: 30 }, [1, 2, 30]],
    // Rollups never expire before the raw rows they are computed from (lib/store/retention.ts).
    [{ rawDays: 10, metricDays: 3, minuteDays: 5, hourDays: 8 }, [3, 10, 30]],
  ])("%j -> %j", (s, ages) => {
    expect(retentionAges(s)).toEqual(ages);
  });
});

describe("steadyStateBytes", () => {
  it("sums each band's bytes per day over its days, permanent bytes left out", () => {
    // A 1-day window: 100 bytes in all, 40 after the first expiry (7 d), 10 after the second (35 d), 10 never expire.
    const r = steadyStateBytes([100, 40, 10], 10, [7, 35], 1);
    expect(r.perDay).toEqual([90, 30]);
    expect(r.total).toBe(90 * 7 + 30 * 28);
  });

  it("scales a partial-day window to a day", () => {
    expect(steadyStateBytes([60, 0], 0, [2], 0.25)).toEqual({ perDay: [240], total: 480 });
  });
});

describe("windowFactors", () => {
  const noon = Date.UTC(2026, 0, 5, 12);
  const midnight = Date.UTC(2026, 0, 5);
  it.each([
    ["4 h inside one day, 10-minute cycles", noon - 4 * HOUR, noon, 600_000, { CollectorRun: 10, DayRollup: 4 / 24 }],
    ["4 h across midnight: two day rows", midnight - 2 * HOUR, midnight + 2 * HOUR, 60_000, { CollectorRun: 1, DayRollup: 4 / 48 }],
    ["a whole day", midnight, midnight + DAY, 60_000, { CollectorRun: 1, DayRollup: 1 }],
  ])("%s", (_name, start, end, cycleMs, expected) => {
    const f = windowFactors(start, end, cycleMs, 60_000);
    expect(f.CollectorRun).toBeCloseTo(expected.CollectorRun, 12);
    expect(f.DayRollup).toBeCloseTo(expected.DayRollup, 12);
  });
});

describe("subtractBytes / sumBytes", () => {
  it("subtracts the empty database per table, never below 0", () => {
    const d = subtractBytes({ A: 8192, B: 4096, C: 100 }, { A: 4096, B: 8192 });
    expect(d).toEqual({ A: 4096, B: 0, C: 100 });
    expect(sumBytes(d)).toBe(4196);
  });
});
