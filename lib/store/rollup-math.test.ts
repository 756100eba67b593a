import { describe, expect, it } from "vitest";
import { count, quantile } from "../histogram/histogram.ts";
import {
  ALL_QUALIFIER,
  emptyRollup,
  errorTypeOf,
  errorsByTypeJson,
  hourOf,
  mergeRollup,
  minuteOf,
  minuteRanges,
  parseErrorsByType,
  readHist,
  histText,
  rollupMinutes,
  throttlesByQualifier,
  type RollupInvocation,
} from "./rollup-math.ts";

const T = Date.parse("2026-11-02T10:00:00.000Z");
const inv = (o: Partial<RollupInvocation>): RollupInvocation => ({
  version: "$LATEST",
  startedAt: T,
  durationMs: 10,
  billedMs: 10,
  memoryMb: 128,
  maxMemoryUsedMb: 60,
  initMs: null,
  coldStart: false,
  status: "ok",
  errorType: null,
  ...o,
});

describe("buckets", () => {
  it.each([
    [T + 59_999, T],
    [T + 60_000, T + 60_000],
    [T - 1, T - 60_000],
  ])("minuteOf(%i) = %i", (ms, want) => expect(minuteOf(ms)).toBe(want));
  it("hourOf", () => expect(hourOf(T + 3_599_999)).toBe(T));
  it.each([
    [[T, T + 60_000, T + 120_000], [[T, T + 180_000]]],
    [[T, T + 10 * 60_000], [[T, T + 60_000], [T + 10 * 60_000, T + 11 * 60_000]]],
    [[T + 60_000, T, T], [[T, T + 120_000]]],
    [[], []],
  ])("minuteRanges(%j)", (minutes, want) => expect(minuteRanges(minutes as number[])).toEqual(want));
});

describe("errorTypeOf", () => {
  it.each([
    ["ok", "TypeError", null],
    ["error", "TypeError", "TypeError"],
    ["error", null, "Error"],
    ["timeout", "Whatever", "Sandbox.Timedout"],
    ["oom", null, "Runtime.OutOfMemory"],
  ])("%s/%s -> %s", (status, type, want) => expect(errorTypeOf(status, type)).toBe(want));
});

describe("rollupMinutes", () => {
  it("counts per $ALL and executed version, by the minute of START, exactly", () => {
    const rows = [
      inv({ version: "7", durationMs: 100.25, billedMs: 101, memoryMb: 1024, coldStart: true, initMs: 250.5 }),
      inv({ version: "8", durationMs: 50.5, billedMs: 51, memoryMb: 1024, status: "error", errorType: "TypeError" }),
      inv({ version: "7", startedAt: T + 59_999, status: "timeout", durationMs: 3000, billedMs: 3000, memoryMb: 1024 }),
      inv({ version: "7", startedAt: T + 60_000, status: "oom", memoryMb: 1024 }),
    ];
    const b = rollupMinutes(rows);
    const all = b.get(`${ALL_QUALIFIER}\u0000${T}`)!.values;
    expect(all.invocations).toBe(3);
    expect(all.errors).toBe(2);
    expect(all.timeouts).toBe(1);
    expect(all.coldStarts).toBe(1);
    expect(all.billedMs).toBe(3152n);
    expect(all.mbMs).toBe(3152n * 1024n);
    expect(all.durationHundredths).toBe(10025 + 5050 + 300000);
    expect(all.initHundredths).toBe(25050);
    expect(all.errorsByType).toEqual({ TypeError: 1, "Sandbox.Timedout": 1 });
    expect(count(all.hist)).toBe(3);
    expect(b.get(`7\u0000${T}`)!.values.invocations).toBe(2);
    expect(b.get(`8\u0000${T}`)!.values.errors).toBe(1);
    const next = b.get(`${ALL_QUALIFIER}\u0000${T + 60_000}`)!.values;
    expect([next.invocations, next.oomKills, next.errorsByType]).toEqual([1, 1, { "Runtime.OutOfMemory": 1 }]);
  });

  it("merges minutes into hours without losing exactness or the histogram", () => {
    const a = rollupMinutes([inv({ durationMs: 1 }), inv({ durationMs: 2 })]).get(`$ALL\u0000${T}`)!.values;
    const b = rollupMinutes([inv({ durationMs: 1000, status: "error", errorType: "X", maxMemoryUsedMb: 99 })]).get(`$ALL\u0000${T}`)!.values;
    const m = mergeRollup(mergeRollup(emptyRollup(), a), b);
    expect([m.invocations, m.errors, m.maxMemoryUsedMb, m.errorsByType]).toEqual([3, 1, 99, { X: 1 }]);
    expect(quantile(m.hist, 1)).toBe(1000);
    expect(count(readHist(histText(m.hist)))).toBe(3);
    expect(histText(emptyRollup().hist)).toBe("");
  });
});

describe("errorsByType text", () => {
  it("is key-sorted and drops zeros, so re-runs write identical text", () => {
    expect(errorsByTypeJson({ b: 1, a: 2, z: 0 })).toBe('{"a":2,"b":1}');
  });
  it.each([
    ['{"a":1}', { a: 1 }],
    ["", {}],
    ["not json", {}],
    ['{"a":"x","b":2}', { b: 2 }],
  ])("parses %j", (text, want) => expect(parseErrorsByType(text)).toEqual(want));
});

describe("throttlesByQualifier", () => {
  it.each([
    [5, {}, { $ALL: 5, $LATEST: 5 }],
    [5, { live: 5 }, { $ALL: 5, live: 5 }],
    [5, { live: 3 }, { $ALL: 5, live: 3, $LATEST: 2 }],
    [4, { live: 1, "7": 1 }, { $ALL: 4, live: 1, "7": 1, $LATEST: 2 }],
    [3, { $LATEST: 1 }, { $ALL: 3, $LATEST: 3 }],
    [0, {}, { $ALL: 0 }],
  ])("total %i, by resource %j", (total, byResource, want) => expect(throttlesByQualifier(total, byResource)).toEqual(want));
});
