import { describe, expect, it } from "vitest";
import { detectSpendAnomalies, projectMonthEnd, type DailySpend } from "./projection.ts";

const USD = 1_000_000n;

/** Daily spend from `start` (YYYY-MM-DD), one value per day in dollars (null = no data that day). */
function days(start: string, dollars: readonly (number | null)[]): DailySpend[] {
  const t0 = Date.parse(`${start}T00:00:00Z`);
  return dollars.flatMap((d, i) => (d === null ? [] : [{ date: new Date(t0 + i * 86_400_000).toISOString().slice(0, 10), microUsd: BigInt(Math.round(d * 100)) * 10_000n }]));
}

describe("projectMonthEnd", () => {
  it("projects a steady month exactly", () => {
    const p = projectMonthEnd(days("2026-11-01", Array(20).fill(10)), { asOf: "2026-11-20" });
    expect(p).toMatchObject({ month: "2026-11", daysInMonth: 30, daysElapsed: 20, daysRemaining: 10, monthToDateMicroUsd: 200n * USD, windowDaysWithData: 14 });
    expect([p.lowMicroUsd, p.projectedMicroUsd, p.highMicroUsd]).toEqual([300n * USD, 300n * USD, 300n * USD]);
  });

  it("gives a p10-p90 range around the mean", () => {
    // Last 10 days: 1..10 dollars. Mean 5.5, p10 1.9, p90 9.1 (linear interpolation).
    const spend = days("2026-02-01", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const p = projectMonthEnd(spend, { asOf: "2026-02-10", windowDays: 10 });
    expect(p.daysInMonth).toBe(28);
    expect(p.monthToDateMicroUsd).toBe(55n * USD);
    expect(p.projectedMicroUsd).toBe(55n * USD + 18n * 5_500_000n);
    expect(p.lowMicroUsd).toBe(55n * USD + 18n * 1_900_000n);
    expect(p.highMicroUsd).toBe(55n * USD + 18n * 9_100_000n);
    expect(p.method).toMatch(/plus 18 remaining days at the mean daily spend of the last 10 days \(10 with data\)/);
  });

  it("handles a partial month with history from the previous month, and leap years", () => {
    const spend = days("2028-02-16", [...Array(14).fill(20), 50]); // Feb 16-29 at $20, Mar 1 at $50
    const p = projectMonthEnd(spend, { asOf: "2028-03-01" });
    expect(p).toMatchObject({ daysInMonth: 31, daysElapsed: 1, daysRemaining: 30, monthToDateMicroUsd: 50n * USD });
    // Window Feb 17 - Mar 1: thirteen $20 days and one $50 day, mean $22.142857...
    expect(p.projectedMicroUsd).toBe(50n * USD + 664_285_714n);
  });

  it("leaves missing days out of the rate instead of counting them as zero", () => {
    const p = projectMonthEnd(days("2026-11-01", [10, null, 10, null, 10]), { asOf: "2026-11-05", windowDays: 5 });
    expect(p.windowDaysWithData).toBe(3);
    expect(p.projectedMicroUsd).toBe(30n * USD + 25n * 10n * USD);
  });

  it("returns the month's spend when the month is complete or there is no history", () => {
    expect(projectMonthEnd(days("2026-11-30", [7]), { asOf: "2026-11-30" })).toMatchObject({ projectedMicroUsd: 7n * USD, daysRemaining: 0 });
    expect(projectMonthEnd([], { asOf: "2026-11-10" })).toMatchObject({ projectedMicroUsd: 0n, lowMicroUsd: 0n, highMicroUsd: 0n, windowDaysWithData: 0 });
  });

  it("rejects bad dates and duplicates", () => {
    expect(() => projectMonthEnd([], { asOf: "2026-02-30" })).toThrow(/not a calendar date/);
    expect(() => projectMonthEnd([], { asOf: "11/20/2026" })).toThrow(/YYYY-MM-DD/);
    expect(() => projectMonthEnd([...days("2026-11-01", [1]), ...days("2026-11-01", [2])], { asOf: "2026-11-02" })).toThrow(/appears twice/);
  });
});

describe("detectSpendAnomalies", () => {
  it("flags a day far above its trailing median and says why", () => {
    const spend = days("2026-11-01", [10, 11, 9, 10, 12, 10, 9, 11, 10, 10, 11, 9, 10, 10, 48]);
    const flagged = detectSpendAnomalies(spend);
    expect(flagged).toHaveLength(1);
    expect(flagged[0]).toMatchObject({ date: "2026-11-15", microUsd: 48n * USD, medianMicroUsd: 10n * USD, madMicroUsd: 500_000n });
    // threshold = $10 + max(3 x 1.4826 x $0.50, $1) = $12.2239
    expect(flagged[0].thresholdMicroUsd).toBe(12_223_900n);
    expect(flagged[0].reason).toBe(
      "$48.00 on 2026-11-15 is above the trailing 14-day median of $10.00 (4.8x); threshold $12.22 = median + 3 x 1.4826 x MAD ($0.50).",
    );
  });

  it("uses the absolute floor when spend is flat", () => {
    const flat = days("2026-11-01", [...Array(14).fill(10), 10.9, 11.1]);
    const flagged = detectSpendAnomalies(flat);
    expect(flagged.map((f) => f.date)).toEqual(["2026-11-16"]);
    expect(flagged[0].reason).toMatch(/threshold \$11.00 = median \+ the \$1.00 minimum/);
  });

  it("needs enough history, and is not fooled by one old spike in the window", () => {
    expect(detectSpendAnomalies(days("2026-11-01", [1, 1, 1, 100]))).toEqual([]);
    const spend = days("2026-11-01", [10, 10, 10, 10, 200, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 30]);
    // Nov 5 has only 4 days of history (not judged); Nov 16's window still holds the $200 day, yet its median is $10.
    expect(detectSpendAnomalies(spend).map((f) => f.date)).toEqual(["2026-11-16"]);
    expect(detectSpendAnomalies(spend, { minHistoryDays: 4 }).map((f) => f.date)).toEqual(["2026-11-05", "2026-11-16"]);
  });
});
