import { describe, expect, it } from "vitest";
import { compareCanary, formatP, normalCdf, twoProportionZTest } from "../../lib/queries/functions/canary-verdict.ts";

describe("statistics", () => {
  it.each([
    [0, 0.5],
    [1.959964, 0.975],
    [-1.959964, 0.025],
    [3.290527, 0.9995],
  ])("normalCdf(%d) ≈ %d", (z, p) => expect(normalCdf(z)).toBeCloseTo(p, 5));

  it("two-proportion z-test matches a worked example", () => {
    // 61/1000 vs 10/1000: pooled p = 0.0355, se = 0.008276, z = 6.16.
    const t = twoProportionZTest(10, 1000, 61, 1000)!;
    expect(t.z).toBeCloseTo(6.162, 2);
    expect(t.pValue).toBeLessThan(1e-6);
    expect(twoProportionZTest(0, 100, 0, 100)).toEqual({ z: 0, pValue: 1 });
    expect(twoProportionZTest(1, 0, 1, 10)).toBeNull();
  });

  it.each([
    [0.0004, "p<0.001"],
    [0.0042, "p=0.004"],
    [0.2, "p=0.200"],
  ])("formatP(%d) = %s", (p, s) => expect(formatP(p)).toBe(s));
});

describe("compareCanary", () => {
  const v = (version: string, invocations: number, errors: number, p99Ms: number | null, coldStarts = 0) => ({ version, invocations, errors, coldStarts, p99Ms });

  it("says the canary is worse with the figures", () => {
    const r = compareCanary(v("7", 9000, 90, 400, 270), v("8", 1000, 61, 410, 30));
    expect(r.outcome).toBe("worse");
    expect(r.headline).toBe("v8 is worse than v7: error rate 6.1% vs 1.0% (p<0.001)");
  });

  it("lists every worse metric", () => {
    const r = compareCanary(v("7", 9000, 90, 400), v("8", 1000, 61, 700));
    expect(r.headline).toBe("v8 is worse than v7: error rate 6.1% vs 1.0% (p<0.001); p99 700 ms vs 400 ms (beyond the 20% margin)");
  });

  it("finds no difference within noise", () => {
    const r = compareCanary(v("7", 9000, 90, 400), v("8", 1000, 12, 420));
    expect(r.outcome).toBe("same");
    expect(r.headline).toMatch(/^No significant difference between v8 and v7/);
  });

  it("refuses a verdict on too little traffic", () => {
    const r = compareCanary(v("7", 900, 9, 400), v("8", 40, 10, 900));
    expect(r.outcome).toBe("insufficient");
    expect(r.headline).toBe("Not enough traffic to compare v8 with v7 yet: v8 has 40 invocations (need 100 each). Widen the time range.");
  });

  it("reports a better canary", () => {
    const r = compareCanary(v("7", 9000, 540, 400), v("8", 1000, 10, 400));
    expect(r.outcome).toBe("better");
    expect(r.headline).toMatch(/^v8 is better than v7: error rate 1.0% vs 6.0%/);
  });

  it("p99 needs 500 samples per version", () => {
    const r = compareCanary(v("7", 400, 4, 100), v("8", 400, 4, 900));
    expect(r.checks.find((c) => c.metric === "p99")?.outcome).toBe("insufficient");
    expect(r.outcome).toBe("same");
  });
});
