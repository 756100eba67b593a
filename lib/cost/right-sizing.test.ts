import { describe, expect, it } from "vitest";
import { getRegionPrices } from "./prices.ts";
import { arm64MigrationSaving, maxMemoryQuantile, provisionedConcurrencyUtilisation, recommendMemory, scaleDuration } from "./right-sizing.ts";

const usEast1 = getRegionPrices("us-east-1");
const ramp = (n: number, top: number) => Array.from({ length: n }, (_, i) => Math.round(((i + 1) * top) / n));

describe("maxMemoryQuantile", () => {
  it.each([
    [{ samplesMb: ramp(100, 100) }, 99],
    [{ samplesMb: [80, 81, 500] }, 500], // never understates: one big invocation in three is above p99
    [{ samplesMb: [] }, null],
    [{ histogram: [{ upToMb: 128, count: 990 }, { upToMb: 256, count: 9 }, { upToMb: 512, count: 1 }] }, 128],
    [{ histogram: [{ upToMb: 128, count: 989 }, { upToMb: 256, count: 10 }, { upToMb: 512, count: 1 }] }, 256],
    [{ histogram: [{ upToMb: 64, count: 0 }] }, null],
  ])("%j -> %s", (input, expected) => {
    expect(maxMemoryQuantile(input)).toBe(expected);
  });
});

describe("recommendMemory", () => {
  const base = { arch: "x86_64" as const, invocationsPerMonth: 1_000_000, avgBilledMs: 100 };

  it("shrinks an over-provisioned function and prices the saving with the stated duration model", () => {
    const r = recommendMemory(usEast1, { ...base, currentMemoryMb: 1024, maxMemoryUsedMb: ramp(100, 200) });
    expect(r).toMatchObject({ action: "decrease", p99MaxMemoryUsedMb: 198, requiredMemoryMb: 238, recommendedMemoryMb: 256 });
    // Half the time is CPU-bound and scales with 1024/256: 100 x (0.5 + 0.5 x 4) = 250 ms.
    expect(r.estimatedAvgBilledMs).toBe(250);
    // Now 1M x 100 ms x 1 GB = 100,000 GB-s = $1.66667; then 1M x 250 ms x 0.25 GB = 62,500 GB-s = $1.04166875.
    expect(r.currentMonthlyMicroUsd).toBe(1_666_670n);
    expect(r.recommendedMonthlyMicroUsd).toBe(1_041_669n);
    expect(r.monthlySavingMicroUsd).toBe(625_001n);
    expect(r.assumptions.join(" ")).toMatch(/1.2x the p99 of Max Memory Used/);
    expect(r.assumptions.join(" ")).toMatch(/50% of billed time is CPU-bound/);
  });

  it("makes the CPU-bound share configurable: fully I/O-bound code keeps its duration", () => {
    const r = recommendMemory(usEast1, { ...base, currentMemoryMb: 1024, maxMemoryUsedMb: ramp(100, 200), cpuBoundShare: 0 });
    expect(r.estimatedAvgBilledMs).toBe(100);
    expect(r.monthlySavingMicroUsd).toBe(1_666_670n - 416_668n);
  });

  it("never recommends below 128 MB", () => {
    const r = recommendMemory(usEast1, { ...base, currentMemoryMb: 512, maxMemoryUsedMb: [40, 45, 50] });
    expect(r).toMatchObject({ recommendedMemoryMb: 128, requiredMemoryMb: 128, action: "decrease" });
  });

  it("recommends more memory when p99 x headroom does not fit (a negative saving)", () => {
    const r = recommendMemory(usEast1, { ...base, currentMemoryMb: 256, maxMemoryUsedMb: [240] });
    expect(r).toMatchObject({ action: "increase", requiredMemoryMb: 288, recommendedMemoryMb: 320 });
    expect(r.monthlySavingMicroUsd < 0n).toBe(true);
  });

  it("keeps a size that already fits, and says when there is no data", () => {
    expect(recommendMemory(usEast1, { ...base, currentMemoryMb: 256, maxMemoryUsedMb: [200] })).toMatchObject({ action: "keep", monthlySavingMicroUsd: 0n });
    expect(recommendMemory(usEast1, { ...base, currentMemoryMb: 256 })).toMatchObject({ action: "insufficient-data", recommendedMemoryMb: 256 });
  });

  it("snaps to allowed sizes when given", () => {
    const r = recommendMemory(usEast1, { ...base, currentMemoryMb: 3008, maxMemoryUsedMb: [900], allowedSizesMb: [128, 512, 1024, 1536, 2048, 3008] });
    expect(r.recommendedMemoryMb).toBe(1536);
  });

  it("checks its parameters", () => {
    expect(() => recommendMemory(usEast1, { ...base, currentMemoryMb: 256, headroom: 0.9 })).toThrow(/headroom must be at least 1/);
    expect(() => recommendMemory(usEast1, { ...base, currentMemoryMb: 256, cpuBoundShare: 2 })).toThrow(/cpuBoundShare must be between 0 and 1/);
    expect(() => recommendMemory(usEast1, { ...base, currentMemoryMb: 64 })).toThrow(/currentMemoryMb must be at least 128/);
  });

  it("scales duration only for the CPU-bound share", () => {
    expect(scaleDuration(200, 512, 1024, 1).toString()).toBe("100");
    expect(scaleDuration(200, 512, 1024, 0.25).toString()).toBe("175");
  });
});

describe("arm64MigrationSaving", () => {
  it("is the price ratio at the same duration, and says so", () => {
    const r = arm64MigrationSaving(usEast1, { gbSeconds: 1_000_000 });
    expect(r).toMatchObject({ x86MicroUsd: 16_666_700n, arm64MicroUsd: 13_333_400n, savingMicroUsd: 3_333_300n, savingPct: 20 });
    expect(r.assumption).toMatch(/same billed duration/);
  });

  it("applies each architecture's own tiers", () => {
    // 7 billion GB-s: x86 crosses its 6B tier, arm64 stays in tier 1.
    const r = arm64MigrationSaving(usEast1, { gbSeconds: 7_000_000_000 });
    expect(r.x86MicroUsd).toBe(100_000_200_000n + 15_000_000_000n);
    expect(r.arm64MicroUsd).toBe(93_333_800_000n);
  });
});

describe("provisionedConcurrencyUtilisation", () => {
  it("prices idle capacity, spillover and the break-even utilisation", () => {
    const r = provisionedConcurrencyUtilisation(usEast1, {
      arch: "x86_64",
      memoryMb: 1024,
      concurrency: 10,
      configuredSeconds: 3600,
      provisionedBilledMs: 7_200_000,
      spilloverBilledMs: 800_000,
      spilloverInvocations: 4000,
    });
    expect(r.allocatedGbSeconds).toBe(36_000);
    expect(r.usedGbSeconds).toBe(7_200);
    expect(r.utilisation).toBe(0.2);
    // $0.0000041667 / ($0.0000166667 - $0.0000097222)
    expect(r.breakEvenUtilisation).toBeCloseTo(0.6, 4);
    expect(r.allocationMicroUsd).toBe(150_001n); // 36,000 x $0.0000041667 = $0.1500012
    expect(r.idleMicroUsd).toBe(120_001n); // 80% of it
    expect(r.spilloverMicroUsd).toBe(13_333n); // 800 GB-s on demand
    expect(r.spilloverShare).toBe(0.1);
    expect(r.verdict).toMatch(/Utilisation 20.0% is below the 60.0% break-even/);
  });

  it("says when provisioned concurrency pays for itself", () => {
    const r = provisionedConcurrencyUtilisation(usEast1, { arch: "x86_64", memoryMb: 1024, concurrency: 1, configuredSeconds: 3600, provisionedBilledMs: 3_000_000 });
    expect(r.verdict).toMatch(/above the 60.0% break-even/);
  });
});
