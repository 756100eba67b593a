import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { attributeTieredCost, TIER_ATTRIBUTION_EXPLANATION } from "./attribution.ts";
import { lambdaComputeCost } from "./lambda.ts";
import { getRegionPrices } from "./prices.ts";
import { Rational } from "./rational.ts";

const obj = (m: Map<string, bigint>) => Object.fromEntries(m);

describe("attributeTieredCost", () => {
  it.each([
    [10n, { a: 1, b: 1, c: 1 }, { a: 4n, b: 3n, c: 3n }], // equal remainders: earlier key first
    [100n, { a: 2, b: 1 }, { a: 67n, b: 33n }], // 66.67 / 33.33
    [7n, { small: 1, big: 6 }, { small: 1n, big: 6n }],
    [5n, { a: 1, b: 0, c: 1 }, { a: 3n, b: 0n, c: 2n }],
    [0n, { a: 0, b: 0 }, { a: 0n, b: 0n }],
    [-10n, { a: 1, b: 2 }, { a: -3n, b: -7n }], // credits split the same way
  ])("splits %d µ$ by %j", (total, usage, expected) => {
    expect(obj(attributeTieredCost(total, usage))).toEqual(expected);
  });

  it("splits an account's tiered month back to functions, adding up exactly", () => {
    const prices = getRegionPrices("us-east-1");
    const usage = { resize: 5_000_000_000n, api: 3_999_999_999n, cron: 1n };
    const total = lambdaComputeCost(prices, { arch: "x86_64", gbSeconds: 9_000_000_000 }).microUsd;
    expect(total).toBe(145_000_200_000n);
    const parts = attributeTieredCost(total, usage);
    expect([...parts.values()].reduce((a, b) => a + b, 0n)).toBe(total);
    // Each function pays the account's blended rate ($145,000.20 / 9B GB-s), not tier 1.
    expect(parts.get("resize")).toBe(80_555_666_667n);
    expect(parts.get("cron")).toBe(16n);
  });

  it("always sums to the total and stays within 1 µ$ of each exact share", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.array(fc.bigInt({ min: 0n, max: 10n ** 12n }), { minLength: 1, maxLength: 20 }), (total, usages) => {
        fc.pre(usages.some((u) => u > 0n));
        const usage = Object.fromEntries(usages.map((u, i) => [`f${i}`, u]));
        const parts = attributeTieredCost(total, usage);
        const sum = [...parts.values()].reduce((a, b) => a + b, 0n);
        const totalUsage = usages.reduce((a, b) => a + b, 0n);
        expect(sum).toBe(total);
        usages.forEach((u, i) => {
          const exact = Rational.from(total * u, totalUsage);
          const diff = Rational.of(parts.get(`f${i}`)!).sub(exact);
          expect(diff.isNegative() ? diff.neg().lt(1) : diff.lt(1)).toBe(true);
        });
      }),
      { seed: 6, numRuns: 300 },
    );
  });

  it("refuses to attribute a charge to no usage, or negative usage", () => {
    expect(() => attributeTieredCost(5n, { a: 0 })).toThrow(/zero usage/);
    expect(() => attributeTieredCost(5n, { a: -1 })).toThrow(/must not be negative/);
  });

  it("explains itself in one paragraph for the UI", () => {
    expect(TIER_ATTRIBUTION_EXPLANATION).toMatch(/account-region's monthly total once/);
    expect(TIER_ATTRIBUTION_EXPLANATION).toMatch(/add up exactly/);
    expect(TIER_ATTRIBUTION_EXPLANATION).not.toMatch(/\n/);
  });
});
