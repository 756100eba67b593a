import { describe, expect, it } from "vitest";
import { lambdaComputeCost, lambdaRequestCost, MB_MS_PER_GB_SECOND } from "../../cost/lambda.ts";
import { getRegionPrices } from "../../cost/prices.ts";
import { Rational } from "../../cost/rational.ts";
import { estimateSpendMicros, spendMicrosOf } from "./cost.ts";

const engine = (region: string, arch: "x86_64" | "arm64", mbMs: bigint, requests: bigint) => {
  const p = getRegionPrices(region);
  return lambdaComputeCost(p, { arch, mbMs }).microUsd + lambdaRequestCost(p, { requests }).microUsd;
};

describe("spendMicrosOf: the engine's first-tier charge, computed directly", () => {
  const tierBound = (region: string, arch: "x86_64" | "arm64") => {
    const upTo = getRegionPrices(region).lambda.duration[arch][0]!.upTo!;
    const b = Rational.parse(upTo).mul(MB_MS_PER_GB_SECOND);
    return b.num / b.den;
  };
  const cases: Array<[string, "x86_64" | "arm64", bigint, bigint]> = [
    ["us-east-1", "x86_64", 0n, 0n],
    ["us-east-1", "x86_64", 1n, 1n],
    ["us-east-1", "arm64", 1_024_000n, 1_000_000n],
    ["us-east-1", "x86_64", 128n * 1n, 1n],
    // Exactly at, one above and far beyond the first tier's bound (the engine's slices take over).
    ["us-east-1", "x86_64", tierBound("us-east-1", "x86_64"), 10n],
    ["us-east-1", "x86_64", tierBound("us-east-1", "x86_64") + 1n, 10n],
    ["us-east-1", "arm64", tierBound("us-east-1", "arm64") * 3n, 10n],
  ];
  it.each(cases)("%s %s %s MB-ms, %s requests", (region, arch, mbMs, requests) => {
    expect(spendMicrosOf(getRegionPrices(region), arch, mbMs, requests)).toBe(engine(region, arch, mbMs, requests));
  });

  it("agrees with the engine on 5,000 random amounts (rounding half up at every size)", () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 5000; i++) {
      const arch = rnd() < 0.5 ? "arm64" : "x86_64";
      const mbMs = BigInt(Math.floor(rnd() * 10 ** Math.floor(rnd() * 15)));
      const requests = BigInt(Math.floor(rnd() * 10 ** Math.floor(rnd() * 9)));
      expect(spendMicrosOf(getRegionPrices("us-east-1"), arch, mbMs, requests)).toBe(engine("us-east-1", arch, mbMs, requests));
    }
  });

  it("estimateSpendMicros sums per function and is null for an unpriced region", () => {
    const items = [
      { region: "us-east-1", architecture: "arm64", mbMs: 123_456_789n, requests: 1234 },
      { region: "us-east-1", architecture: "x86_64", mbMs: 987_654_321n, requests: 99 },
    ];
    expect(estimateSpendMicros(items)).toBe(Number(engine("us-east-1", "arm64", 123_456_789n, 1234n) + engine("us-east-1", "x86_64", 987_654_321n, 99n)));
    expect(estimateSpendMicros([{ region: "mars-north-1", architecture: "arm64", mbMs: 1n, requests: 1 }])).toBeNull();
  });
});
