import { describe, expect, it } from "vitest";
import { count } from "../histogram/histogram.ts";
import { ALL_QUALIFIER, rollupMinutes } from "../store/rollup-math.ts";
import { dailyFactor, rawInvocations, syntheticRollup, trafficModel, type TrafficModel } from "./history.ts";
import { buildShop } from "./shop.ts";
import { rngFor } from "./rng.ts";

const model: TrafficModel = { perMinute: 2, errorRate: 0.05, medianMs: 120, sigma: 0.5, initMedianMs: 300, memoryMb: 512, version: "3", alias: "live" };

describe("syntheticRollup", () => {
  it.each([1, 7, 12, 13, 1000, 123_457])("holds exactly %d invocations with consistent sums", (n) => {
    const v = syntheticRollup(model, n, rngFor(1, "t", n));
    expect(v.invocations).toBe(n);
    expect(count(v.hist)).toBe(n);
    expect(v.mbMs).toBe(v.billedMs * 512n);
    expect(v.errors).toBeLessThanOrEqual(n);
    expect(v.timeouts).toBeLessThanOrEqual(v.errors);
    expect(Object.values(v.errorsByType).reduce((a, b) => a + b, 0)).toBe(v.errors);
    expect(count(v.initHist)).toBe(v.coldStarts);
    expect(v.billedMs).toBeGreaterThanOrEqual(BigInt(Math.floor(v.durationHundredths / 100)));
  });
  it("is empty for no invocations", () => {
    expect(syntheticRollup(model, 0, rngFor(1)).invocations).toBe(0);
  });
});

describe("rawInvocations", () => {
  it("starts every invocation inside its minute, so its minute rollup counts them all", () => {
    const minute = Date.UTC(2026, 0, 1, 12, 30);
    const raws = rawInvocations(model, minute, 50, rngFor(2));
    expect(raws).toHaveLength(50);
    for (const r of raws) {
      expect(r.startedAt).toBeGreaterThanOrEqual(minute);
      expect(r.startedAt).toBeLessThan(minute + 60_000);
      expect(r.endedAt).toBeGreaterThanOrEqual(r.startedAt);
    }
    const buckets = rollupMinutes(raws);
    expect(buckets.get(`${ALL_QUALIFIER}\u0000${minute}`)?.values.invocations).toBe(50);
    expect(buckets.get(`3\u0000${minute}`)?.values.invocations).toBe(50);
  });
});

describe("trafficModel", () => {
  it("is deterministic per function and seed, within the documented rates", () => {
    const shop = buildShop({ functions: 200 });
    const a = shop.functions.map((f) => trafficModel(f, 7));
    expect(shop.functions.map((f) => trafficModel(f, 7))).toEqual(a);
    for (const m of a) {
      expect(m.perMinute).toBeGreaterThanOrEqual(0.0002);
      expect(m.perMinute).toBeLessThanOrEqual(30);
    }
    const rare = a.filter((m) => m.perMinute < 0.01).length;
    expect(rare).toBeGreaterThan(40);
    expect(rare).toBeLessThan(120);
  });
});

describe("dailyFactor", () => {
  it("averages 1 over a day", () => {
    let s = 0;
    for (let h = 0; h < 24; h++) s += dailyFactor(h * 3_600_000);
    expect(s / 24).toBeCloseTo(1, 10);
  });
});
