import { describe, expect, it } from "vitest";
import { prepareTimeSeries } from "../../lib/charts/prepare-time-series.ts";

type B = { n: number; p99: number | null };
const series = [
  { key: "n", label: "Invocations", unit: "count" as const, policy: "zero" as const, value: (b: B) => b.n },
  { key: "p99", label: "p99", unit: "ms" as const, policy: "gap" as const, value: (b: B) => b.p99 },
];

describe("prepareTimeSeries", () => {
  it.each([
    ["a bucket with data keeps its values", 1, { n: 5, p99: 120 }, { from: 0, to: 10 }, { n: 5, p99: 120 }],
    ["a missing count inside coverage is zero, a missing percentile a gap", 2, undefined, { from: 0, to: 10 }, { n: 0, p99: null }],
    ["before the store has data, both are gaps", 2, undefined, { from: 5, to: 10 }, { n: null, p99: null }],
    ["after the last collected minute, both are gaps", 9, undefined, { from: 0, to: 9 }, { n: null, p99: null }],
    ["an empty store has only gaps", 3, undefined, { from: null, to: null }, { n: null, p99: null }],
    ["a non-finite value becomes a gap", 4, { n: Number.NaN, p99: Number.POSITIVE_INFINITY }, { from: 0, to: 10 }, { n: null, p99: null }],
  ])("%s", (_name, t, bucket, coverage, expected) => {
    const buckets = new Map<number, B>(bucket ? [[t, bucket as B]] : []);
    const r = prepareTimeSeries({ starts: [t], stepMs: 1, buckets, series, coverage: coverage as { from: number | null; to: number | null } });
    expect(r.rows[0]).toEqual({ t, ...expected });
  });

  it("reports hasData and the series metadata", () => {
    const r = prepareTimeSeries({ starts: [0, 1], stepMs: 1, buckets: new Map([[1, { n: 0, p99: null }]]), series, coverage: { from: 0, to: 2 } });
    expect(r.hasData).toBe(false);
    expect(r.series.map((s) => [s.key, s.policy])).toEqual([["n", "zero"], ["p99", "gap"]]);
  });
});
