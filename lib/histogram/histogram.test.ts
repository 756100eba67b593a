import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  HISTOGRAM_RELATIVE_ACCURACY,
  addValue,
  cloneHistogram,
  count,
  createHistogram,
  deserializeHistogram,
  deserializeHistogramOrEmpty,
  histogramFromValues,
  max,
  mergeHistograms,
  mergeInto,
  mergeSerializedInto,
  min,
  quantile,
  serializeHistogram,
  sum,
  type DurationHistogram,
} from "./histogram.ts";

/** mulberry32: small seeded generator so every run sees the same data. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(rand: () => number): number {
  const u = 1 - rand();
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

const N = 20_000;
const distributions: Array<{ name: string; make: (rand: () => number) => number }> = [
  // Warm Lambda durations: median ~40 ms, long right tail.
  { name: "lognormal", make: (r) => Math.exp(Math.log(40) + 0.8 * normal(r)) },
  { name: "uniform", make: (r) => 1 + r() * 2999 },
  // Warm invocations around 15 ms, cold starts around 900 ms.
  {
    name: "bimodal",
    make: (r) => (r() < 0.1 ? Math.exp(Math.log(900) + 0.2 * normal(r)) : Math.exp(Math.log(15) + 0.3 * normal(r))),
  },
  { name: "sub-millisecond with zeros", make: (r) => (r() < 0.05 ? 0 : r() * 0.9) },
];

/** The exact value DDSketch guarantees to approximate: rank floor(q * (n - 1)) of the sorted data. */
function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))];
}

function expectWithinAccuracy(estimate: number | null, exact: number) {
  expect(estimate).not.toBeNull();
  const err = Math.abs(estimate! - exact);
  expect(err).toBeLessThanOrEqual(HISTOGRAM_RELATIVE_ACCURACY * Math.abs(exact) + 1e-9);
}

function sameContent(a: DurationHistogram, b: DurationHistogram) {
  expect(a.count).toBe(b.count);
  expect(a.zeroCount).toBe(b.zeroCount);
  expect(a.min).toBe(b.min);
  expect(a.max).toBe(b.max);
  expect(new Map([...a.buckets].sort((x, y) => x[0] - y[0]))).toEqual(new Map([...b.buckets].sort((x, y) => x[0] - y[0])));
  expect(a.sum).toBeCloseTo(b.sum, 6);
}

describe("quantile accuracy on seeded data", () => {
  for (const [i, dist] of distributions.entries()) {
    it(`${dist.name}: p50/p90/p99 and every percentile within 2%`, () => {
      const rand = seeded(1000 + i);
      const values = Array.from({ length: N }, () => dist.make(rand));
      const sorted = [...values].sort((a, b) => a - b);
      const h = histogramFromValues(values);
      expect(count(h)).toBe(N);
      expect(min(h)).toBe(sorted[0]);
      expect(max(h)).toBe(sorted[N - 1]);
      expect(sum(h)).toBeCloseTo(values.reduce((a, b) => a + b, 0), 6);
      for (const q of [0.5, 0.9, 0.99]) expectWithinAccuracy(quantile(h, q), exactQuantile(sorted, q));
      for (let p = 0; p <= 100; p++) expectWithinAccuracy(quantile(h, p / 100), exactQuantile(sorted, p / 100));
      expect(quantile(h, 0)).toBe(sorted[0]);
      expect(quantile(h, 1)).toBe(sorted[N - 1]);
    });
  }

  it("holds for arbitrary inputs (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e7, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (values, q) => {
          const sorted = [...values].sort((a, b) => a - b);
          const estimate = quantile(histogramFromValues(values), q)!;
          const exact = exactQuantile(sorted, q);
          // Values at or below 1e-9 share the zero bucket and report 0.
          const tolerance = HISTOGRAM_RELATIVE_ACCURACY * exact + 1e-9;
          return Math.abs(estimate - exact) <= tolerance;
        },
      ),
      { seed: 20240501, numRuns: 2000 },
    );
  });
});

describe("edge cases", () => {
  it("an empty histogram has no quantiles and null min/max", () => {
    const h = createHistogram();
    expect(quantile(h, 0.5)).toBeNull();
    expect(min(h)).toBeNull();
    expect(max(h)).toBeNull();
    expect(count(h)).toBe(0);
    expect(sum(h)).toBe(0);
  });

  it("ignores non-finite values and bad counts, clamps negatives to zero", () => {
    const h = createHistogram();
    addValue(h, Number.NaN);
    addValue(h, Number.POSITIVE_INFINITY);
    addValue(h, 5, 0);
    addValue(h, 5, -2);
    addValue(h, 5, 1.5);
    expect(count(h)).toBe(0);
    addValue(h, -3);
    addValue(h, 0, 2);
    addValue(h, 10, 3);
    expect(count(h)).toBe(6);
    expect(h.zeroCount).toBe(3);
    expect(min(h)).toBe(0);
    expect(sum(h)).toBe(30);
    expect(quantile(h, 0)).toBe(0);
    expect(quantile(h, 0.4)).toBe(0);
    expect(quantile(h, 0.5)).toBe(0);
    expectWithinAccuracy(quantile(h, 0.6), 10);
    expect(quantile(h, Number.NaN)).toBeNull();
    expect(quantile(h, 7)).toBe(quantile(h, 1));
    expect(quantile(h, -1)).toBe(0);
  });

  it("a single value comes back exactly (clamped to min/max)", () => {
    const h = addValue(createHistogram(), 123.456, 1000);
    for (const q of [0, 0.25, 0.5, 0.99, 1]) expect(quantile(h, q)).toBe(123.456);
  });
});

describe("merging", () => {
  const rand = seeded(42);
  const parts = [0, 1, 2].map((p) =>
    Array.from({ length: 3000 }, () => (p === 2 && rand() < 0.2 ? 0 : Math.exp(Math.log(50 * (p + 1)) + normal(rand)))),
  );
  const [a, b, c] = parts.map((p) => histogramFromValues(p));

  it("equals the histogram of all values", () => {
    sameContent(mergeHistograms(mergeHistograms(a, b), c), histogramFromValues(parts.flat()));
  });

  it("is associative and commutative", () => {
    const left = mergeHistograms(mergeHistograms(a, b), c);
    const right = mergeHistograms(a, mergeHistograms(b, c));
    const swapped = mergeHistograms(c, mergeHistograms(b, a));
    sameContent(left, right);
    sameContent(left, swapped);
    expect(serializeHistogram(mergeHistograms(a, b)).replace(/"s":[^,]+,/, "")).toBe(
      serializeHistogram(mergeHistograms(b, a)).replace(/"s":[^,]+,/, ""),
    );
  });

  it("mergeHistograms is pure and mergeInto mutates only the target", () => {
    const before = [a, b].map(serializeHistogram);
    mergeHistograms(a, b);
    expect([a, b].map(serializeHistogram)).toEqual(before);
    const target = cloneHistogram(a);
    const returned = mergeInto(target, b);
    expect(returned).toBe(target);
    expect(serializeHistogram(b)).toBe(before[1]);
    expect(count(target)).toBe(count(a) + count(b));
  });

  it("merging with an empty histogram changes nothing", () => {
    expect(serializeHistogram(mergeHistograms(a, createHistogram()))).toBe(serializeHistogram(a));
    expect(serializeHistogram(mergeHistograms(createHistogram(), a))).toBe(serializeHistogram(a));
  });
});

describe("serialization", () => {
  it("has an exact, compact format", () => {
    // 1 -> bucket 0; 100 and 101 share bucket 116 (gamma^115 = 99.5 < v <= gamma^116 = 103.6).
    const h = histogramFromValues([0, 1, 1, 100, 101]);
    expect(serializeHistogram(h)).toBe('{"v":1,"n":5,"s":203,"lo":0,"hi":101,"z":1,"b":[0,2,116,2]}');
    expect(serializeHistogram(createHistogram())).toBe('{"v":1,"n":0,"s":0,"z":0,"b":[]}');
  });

  it("round-trips and is stable regardless of insertion order", () => {
    const rand = seeded(7);
    const values = Array.from({ length: 5000 }, () => Math.exp(Math.log(30) + normal(rand)));
    const h = histogramFromValues(values);
    const text = serializeHistogram(h);
    const back = deserializeHistogram(text);
    expect(back.kind).toBe("histogram");
    if (back.kind !== "histogram") return;
    expect(serializeHistogram(back.histogram)).toBe(text);
    sameContent(back.histogram, h);
    for (const q of [0.5, 0.9, 0.99]) expect(quantile(back.histogram, q)).toBe(quantile(h, q));
    const reversed = histogramFromValues([...values].reverse());
    expect(serializeHistogram(reversed).replace(/"s":[^,]+,/, "")).toBe(text.replace(/"s":[^,]+,/, ""));
    // A few hundred buckets at most for five orders of magnitude: fine for a text column.
    expect(text.length).toBeLessThan(2000);
  });

  it.each([
    ["", "invalid JSON"],
    ["null", "not an object"],
    ["[]", "not an object"],
    ['{"v":2,"n":0,"s":0,"z":0,"b":[]}', "unsupported histogram version 2"],
    ['{"v":1,"n":-1,"s":0,"z":0,"b":[]}', "invalid count"],
    ['{"v":1,"n":1.5,"s":0,"z":0,"b":[]}', "invalid count"],
    ['{"v":1,"n":0,"s":-1,"z":0,"b":[]}', "invalid sum"],
    ['{"v":1,"n":1,"s":1,"z":0,"b":[3]}', "invalid buckets"],
    ['{"v":1,"n":1,"s":1,"z":0,"b":[3,0]}', "invalid buckets"],
    ['{"v":1,"n":2,"s":1,"z":0,"b":[3,1,0,1]}', "invalid buckets"],
    ['{"v":1,"n":1,"s":1,"z":0,"b":[1e9,1]}', "bucket index out of range"],
    ['{"v":1,"n":3,"s":1,"z":0,"b":[3,1]}', "count does not match buckets"],
    ['{"v":1,"n":1,"s":1,"z":0,"b":[3,1]}', "invalid min/max"],
    ['{"v":1,"n":1,"s":1,"lo":5,"hi":4,"z":0,"b":[3,1]}', "invalid min/max"],
  ])("rejects %j (%s)", (text, reason) => {
    expect(deserializeHistogram(text)).toEqual({ kind: "unparsed", reason });
  });

  it("falls back to empty for garbage when asked", () => {
    expect(count(deserializeHistogramOrEmpty("garbage"))).toBe(0);
    expect(count(deserializeHistogramOrEmpty(null))).toBe(0);
    expect(count(deserializeHistogramOrEmpty('{"v":1,"n":1,"s":2,"lo":2,"hi":2,"z":0,"b":[18,1]}'))).toBe(1);
  });

  it("never throws on random text (property)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify({ v: 1, ...(typeof v === "object" && v !== null && !Array.isArray(v) ? v : { b: v }) }))), (text) => {
        const r = deserializeHistogram(text);
        return r.kind === "histogram" || (r.kind === "unparsed" && typeof r.reason === "string");
      }),
      { seed: 7, numRuns: 3000 },
    );
  });
});

describe("mergeSerializedInto (the fast path of percentiles over many rows)", () => {
  const snapshot = (h: DurationHistogram) => serializeHistogram(h);

  it("adds exactly what deserialize + mergeInto adds", () => {
    const rand = seeded(11);
    for (let k = 0; k < 200; k++) {
      const base = histogramFromValues(Array.from({ length: Math.floor(rand() * 50) }, () => (rand() < 0.05 ? 0 : Math.exp(Math.log(40) + 2 * normal(rand)))));
      const add = histogramFromValues(Array.from({ length: Math.floor(rand() * 80) }, () => (rand() < 0.05 ? 0 : Math.exp(Math.log(200) + normal(rand)))));
      const text = serializeHistogram(add);
      const expected = mergeInto(cloneHistogram(base), add);
      const got = cloneHistogram(base);
      expect(mergeSerializedInto(got, text)).toBe(true);
      expect(snapshot(got)).toBe(snapshot(expected));
      sameContent(got, expected);
    }
  });

  it("accepts what the full parser accepts, in other spellings too", () => {
    const h = createHistogram();
    expect(mergeSerializedInto(h, '{ "v": 1, "n": 1, "s": 2, "lo": 2, "hi": 2, "z": 0, "b": [18, 1] }')).toBe(true);
    expect(count(h)).toBe(1);
  });

  it("rejects exactly what the full parser rejects and leaves the target unchanged (property)", () => {
    const valid = serializeHistogram(histogramFromValues([0, 1, 5, 5, 120, 3000]));
    const mutations = fc.oneof(
      fc.string(),
      fc.nat(valid.length).map((n) => valid.slice(0, n)),
      fc.tuple(fc.nat(valid.length - 1), fc.string({ minLength: 1, maxLength: 3 })).map(([i, ins]) => valid.slice(0, i) + ins + valid.slice(i + 1)),
      fc.jsonValue().map((v) => JSON.stringify({ v: 1, ...(typeof v === "object" && v !== null && !Array.isArray(v) ? v : { b: v }) })),
    );
    fc.assert(
      fc.property(mutations, (text) => {
        const target = histogramFromValues([7, 8, 9]);
        const before = snapshot(target);
        const ok = mergeSerializedInto(target, text);
        const full = deserializeHistogram(text);
        if (full.kind !== "histogram") return ok === false && snapshot(target) === before;
        return ok && snapshot(target) === snapshot(mergeInto(histogramFromValues([7, 8, 9]), full.histogram));
      }),
      { seed: 13, numRuns: 5000 },
    );
  });
});
