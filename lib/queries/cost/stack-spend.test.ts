import { describe, expect, it } from "vitest";
import { addSpend, stackTopSpend, type SpendBuckets } from "./stack-spend.ts";

function buckets(entries: Array<[number, string, bigint]>): SpendBuckets {
  const b: SpendBuckets = new Map();
  for (const [t, g, v] of entries) addSpend(b, t, g, v);
  return b;
}

describe("stackTopSpend", () => {
  const b = buckets([
    [0, "image-resize", 80_000n],
    [0, "checkout", 20_000n],
    [0, "cart", 1_000n],
    [3_600_000, "image-resize", 70_000n],
    [3_600_000, "search", 30_000n],
    [3_600_000, "cart", 2_500n],
    [3_600_000, "cart", 500n],
  ]);
  it.each([
    // top, keys, values of the first bucket, values of the second
    [5, ["image-resize", "search", "checkout", "cart"], [0.08, 0, 0.02, 0.001], [0.07, 0.03, 0, 0.003]],
    [2, ["image-resize", "search", "other"], [0.08, 0, 0.021], [0.07, 0.03, 0.003]],
    [0, ["other"], [0.101], [0.103]],
  ] as const)("top %i", (top, keys, first, second) => {
    const specs = stackTopSpend(b, top);
    expect(specs.map((s) => s.key)).toEqual(keys);
    expect(specs.map((s) => s.value(b.get(0)!))).toEqual(first);
    expect(specs.map((s) => s.value(b.get(3_600_000)!))).toEqual(second);
  });

  it("keeps a fixed order (services) and leaves out groups without spend", () => {
    const s = stackTopSpend(buckets([[0, "API Gateway", 5n], [0, "Lambda duration", 9n]]), 5, ["Lambda duration", "Lambda requests", "API Gateway"]);
    expect(s.map((x) => x.key)).toEqual(["Lambda duration", "API Gateway"]);
  });

  it("has no series without data", () => {
    expect(stackTopSpend(new Map())).toEqual([]);
  });

  it("labels other with the number of groups in it", () => {
    expect(stackTopSpend(b, 1).at(-1)?.label).toBe("other (3)");
  });
});
