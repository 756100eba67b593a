import { describe, expect, it } from "vitest";
import { figure, meets, parseBenchArgs, percentile, round } from "../../bench/stats.ts";

describe("percentile", () => {
  it.each([
    [[5], 0.5, 5],
    [[1, 2, 3, 4], 0, 1],
    [[1, 2, 3, 4], 1, 4],
    [[1, 2, 3, 4], 0.5, 2.5],
    [[4, 3, 2, 1], 0.5, 2.5],
    [[10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.95, 95.5],
    [[0, 100], 0.25, 25],
  ])("%j at q=%d is %d", (xs, q, want) => {
    expect(percentile(xs, q)).toBeCloseTo(want, 10);
  });
  it("is NaN for no samples and rejects quantiles outside [0, 1]", () => {
    expect(percentile([], 0.5)).toBeNaN();
    expect(() => percentile([1], 1.5)).toThrow(RangeError);
  });
  it("does not reorder its input", () => {
    const xs = [3, 1, 2];
    percentile(xs, 0.5);
    expect(xs).toEqual([3, 1, 2]);
  });
});

describe("meets", () => {
  it.each([
    [10, { max: 10, text: "" }, true],
    [10.1, { max: 10, text: "" }, false],
    [5, { min: 5, text: "" }, true],
    [4.9, { min: 5, text: "" }, false],
    [0, { max: 0, text: "" }, true],
    [Number.NaN, { max: 1, text: "" }, null],
    [1, null, null],
  ] as const)("%d against %j is %s", (v, goal, want) => {
    expect(meets(v, goal)).toBe(want);
  });
});

describe("figure", () => {
  it("reads the ratio as 'times better than the baseline' for costs and for rates", () => {
    expect(figure({ name: "cost", value: 2, unit: "calls", baseline: 10, goal: { max: 3, text: "" } })).toMatchObject({ ratio: 5, met: true });
    expect(figure({ name: "rate", value: 200, unit: "/s", baseline: 400, higherIsBetter: true, goal: { min: 300, text: "" } })).toMatchObject({ ratio: 0.5, met: false });
  });
  it("leaves the ratio out without a baseline or when it is not finite", () => {
    expect(figure({ name: "x", value: 1, unit: "s" })).not.toHaveProperty("ratio");
    expect(figure({ name: "x", value: 0, unit: "s", baseline: 5 })).not.toHaveProperty("ratio");
    expect(figure({ name: "x", value: 0, unit: "s" }).met).toBeNull();
  });
});

describe("round", () => {
  it.each([
    [123456, 4, 123500],
    [0.000123456, 3, 0.000123],
    [0, 4, 0],
  ])("%d to %d digits is %d", (v, d, want) => expect(round(v, d)).toBe(want));
});

describe("parseBenchArgs", () => {
  const known = ["collection", "ingest"];
  it.each([
    [[], { quick: false, smoke: false, only: null, out: null }],
    [["--quick"], { quick: true, smoke: false, only: null, out: null }],
    [["--smoke"], { quick: true, smoke: true, only: null, out: null }],
    [["--only", "ingest"], { quick: false, smoke: false, only: ["ingest"], out: null }],
    [["--only=collection,ingest", "--out", "x.json"], { quick: false, smoke: false, only: ["collection", "ingest"], out: "x.json" }],
  ])("%j", (argv, want) => expect(parseBenchArgs(argv, known)).toEqual(want));
  it.each([[["--only", "nope"]], [["--only"]], [["--fast"]], [["--out"]]])("rejects %j", (argv) => {
    expect(() => parseBenchArgs(argv, known)).toThrow();
  });
});
