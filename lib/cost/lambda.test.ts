/**
 * AWS's own worked examples, reproduced to the cent. Numbers are quoted as the page states
 * them. Source: "AWS Lambda Pricing", https://aws.amazon.com/lambda/pricing/ (stored copy
 * read 2026-11-27; all examples there "are based on price in US East (N. Virginia)").
 */
import { describe, expect, it } from "vitest";
import { ephemeralStorageCost, gbSecondsFromMbMs, invocationRowsCost, lambdaComputeCost, lambdaRequestCost, provisionedConcurrencyCost, sumInvocations } from "./lambda.ts";
import { formatUsd, toMicroUsd } from "./money.ts";
import { getRegionPrices, mergePriceTables } from "./prices.ts";
import { Rational } from "./rational.ts";

const usEast1 = getRegionPrices("us-east-1");
const cents = (micro: bigint) => formatUsd(micro);

describe("AWS Lambda Pricing page examples (us-east-1)", () => {
  it("Example 1: Mobile application backend — 3M requests x 120 ms x 1536 MB, x86, free tier: $2.33 + $0.40 = $2.73", () => {
    // "Total compute (seconds) = 3 million * 120ms = 360,000 seconds"
    // "Total compute (GB-s) = 360,000 * 1536MB/1024 MB = 540,000 GB-s"
    // "540,000 GB-s – 400,000 free tier GB-s = 140,000 GB-s"
    // "Monthly compute charges = 140,000 * $0.0000166667 = $2.33"
    // "Monthly request charges = 2M * $0.2/M = $0.40"; "Total charges = ... $2.33 + $0.40 = $2.73 per month"
    const mbMs = 3_000_000n * 120n * 1536n;
    expect(gbSecondsFromMbMs(mbMs).toString()).toBe("540000");
    const compute = lambdaComputeCost(usEast1, { arch: "x86_64", mbMs, freeTier: true });
    expect(compute.tiered.billable.toString()).toBe("140000");
    expect(compute.microUsd).toBe(2_333_338n);
    expect(cents(compute.microUsd)).toBe("$2.33");
    const requests = lambdaRequestCost(usEast1, { requests: 3_000_000, freeTier: true });
    expect(cents(requests.microUsd)).toBe("$0.40");
    expect(cents(compute.microUsd + requests.microUsd)).toBe("$2.73");
  });

  it("Example 2: Enriching streaming telemetry — 7.44M requests x 2 s x 1024 MB, x86, no free tier: $1.49 + $248.00 = $249.49", () => {
    // "10,000 * 24 * 31 = 7,440,000 messages"; "7.44M * $0.20/million = $1.488 ~= $1.49"
    // "14.88M GB-s * $0.0000166667 = $248.00"; "$1.49 + $248.00 = $249.49"
    const requests = lambdaRequestCost(usEast1, { requests: 10_000 * 24 * 31 });
    expect(requests.microUsd).toBe(1_488_000n);
    expect(cents(requests.microUsd)).toBe("$1.49");
    const compute = lambdaComputeCost(usEast1, { arch: "x86_64", mbMs: 7_440_000n * 2000n * 1024n });
    expect(compute.gbSeconds.toString()).toBe("14880000");
    expect(cents(compute.microUsd)).toBe("$248.00");
    expect(cents(requests.microUsd + compute.microUsd)).toBe("$249.49");
  });

  it("Example 3: ML on customer support tickets — 6M x 280 ms x 4096 MB, 2048 MB ephemeral, free tier: $105.33 + $1 + $0.08 = $106.41", () => {
    // "6,720,000 GB-s – 400,000 free tier GB-s = 6,320,000 GB-s"; "6,320,000 * $0.0000166667 = $105.33"
    // "5 million * $0.2/million = $1"
    // "Total billable ephemeral storage = 2048 MB – 512 MB = 1536 MB"; "2,520,000 * $0.0000000309 = $0.08"
    // "$105.33 + $1 + $0.08 = $106.41 per month"
    const billedMsSum = 6_000_000n * 280n;
    const compute = lambdaComputeCost(usEast1, { arch: "x86_64", mbMs: billedMsSum * 4096n, freeTier: true });
    expect(compute.tiered.billable.toString()).toBe("6320000");
    expect(cents(compute.microUsd)).toBe("$105.33");
    const requests = lambdaRequestCost(usEast1, { requests: 6_000_000, freeTier: true });
    expect(cents(requests.microUsd)).toBe("$1.00");
    const eph = ephemeralStorageCost(usEast1, { ephemeralMb: 2048, billedMsSum });
    expect(eph.gbSeconds.toString()).toBe("2520000");
    expect(eph.microUsd).toBe(77_868n);
    expect(cents(eph.microUsd)).toBe("$0.08");
    expect(cents(compute.microUsd + requests.microUsd + eph.microUsd)).toBe("$106.41");
  });

  it("Provisioned Concurrency Example 1: Mobile application launch — PC 100 x 1536 MB for 8 h: $18 + $0.40 + $0.73 + $0.83 = $19.96", () => {
    // "8 hours * 3,600 seconds = 28,800 seconds"; "100 * 1536MB/1024MB = 150 GB"; "150 GB * 28,800 seconds = 4,320,000 GB-s"
    // "4.32M GB-s * $0.0000041667 = $18"
    // "3,000,000 requests – 1M free tier requests = 2,000,000"; "2 * $0.20 = $0.40"
    // "500,000 * 100ms = 50,000 seconds"; "75,000 GB-s * $0.0000097222 = $0.73"
    // "2.5M * 120ms = 300,000 seconds"; "450,000 GB-s – 400,000 free tier GB-s = 50,000 GB-s"; "50,000 * $0.0000166667 = $0.83"
    // "Total charges = $18 + $0.40 + $0.73 + $0.83 = $19.96"
    const pc = provisionedConcurrencyCost(usEast1, { arch: "x86_64", memoryMb: 1536, concurrency: 100, seconds: 8 * 3600, invokedMbMs: 500_000n * 100n * 1536n });
    expect(pc.allocationGbSeconds.toString()).toBe("4320000");
    expect(cents(pc.allocationMicroUsd)).toBe("$18.00");
    expect(pc.invokedGbSeconds.toString()).toBe("75000");
    expect(cents(pc.durationMicroUsd)).toBe("$0.73");
    const requests = lambdaRequestCost(usEast1, { requests: 3_000_000, freeTier: true });
    expect(cents(requests.microUsd)).toBe("$0.40");
    const onDemand = lambdaComputeCost(usEast1, { arch: "x86_64", mbMs: 2_500_000n * 120n * 1536n, freeTier: true });
    expect(onDemand.tiered.billable.toString()).toBe("50000");
    expect(cents(onDemand.microUsd)).toBe("$0.83");
    expect(cents(pc.microUsd + requests.microUsd + onDemand.microUsd)).toBe("$19.96");
  });

  it("Provisioned Concurrency Example 2: Cyber Monday — PC 7 x 4096 MB for 24 h, 2M x 280 ms: $10.08 + $21.78 + $0.40 = $32.26", () => {
    // "24 hours * 3,600 seconds = 86,400 seconds"; "7 * 4096 MB / 1024 MB = 28 GB"; "28 GB * 86,400 seconds = 2,419,200 GB-s"
    // "2,419,200 GB-s * $0.0000041667 = $10.08"; "2,240,000 GB-s * $0.0000097222 = $21.78"; "2M * $0.2/M = $0.40"
    // "= $10.08 + $21.78 + $0.40 = $32.26"
    const pc = provisionedConcurrencyCost(usEast1, { arch: "x86_64", memoryMb: 4096, concurrency: 7, seconds: 86_400, invokedMbMs: 2_000_000n * 280n * 4096n });
    expect(pc.allocationGbSeconds.toString()).toBe("2419200");
    expect(cents(pc.allocationMicroUsd)).toBe("$10.08");
    expect(pc.invokedGbSeconds.toString()).toBe("2240000");
    expect(cents(pc.durationMicroUsd)).toBe("$21.78");
    const requests = lambdaRequestCost(usEast1, { requests: 2_000_000 });
    expect(cents(pc.microUsd + requests.microUsd)).toBe("$32.26");
  });

  it("Durable functions example, Lambda part — arm64, 1,000,000 x 32 s x 1 GB, free tier: $421.34 compute + $0.20 requests", () => {
    // "The function is configured with 1GB of memory on an ARM-based processor."
    // "Billable compute 32,000,000 - 400,000 free tier = 31,600,000 GB-s"; "31,600,000 × $0.0000133334 = $421.34"
    // "2 invocations (initial + after wait) × 1,000,000 = 2,000,000 requests"; "1M × $0.20/M = $0.20"
    const compute = lambdaComputeCost(usEast1, { arch: "arm64", mbMs: 1_000_000n * 32_000n * 1024n, freeTier: true });
    expect(compute.tiered.billable.toString()).toBe("31600000");
    expect(cents(compute.microUsd)).toBe("$421.34");
    expect(cents(lambdaRequestCost(usEast1, { requests: 2_000_000, freeTier: true }).microUsd)).toBe("$0.20");
  });

  it("HTTP response streaming example, Lambda part — 3M x 500 ms x 1536 MB, x86, free tier: $30.83 + $0.40", () => {
    // "2,250,000 GB-s – 400,000 free tier GB-s = 1,850,000 GB-s"; "1,850,000 * $0.0000166667 = $30.83"; "2M * $0.2/M = $0.40"
    const compute = lambdaComputeCost(usEast1, { arch: "x86_64", mbMs: 3_000_000n * 500n * 1536n, freeTier: true });
    expect(cents(compute.microUsd)).toBe("$30.83");
    expect(cents(lambdaRequestCost(usEast1, { requests: 3_000_000, freeTier: true }).microUsd)).toBe("$0.40");
  });

  it("Provisioned Mode for ESM Example 2, Lambda part — 30M x 1 s x 1024 MB, no free tier: $500 + $6", () => {
    // "30,000,000 * $0.0000166667 = $500"; "30M requests * $0.20 = $6"
    expect(cents(lambdaComputeCost(usEast1, { arch: "x86_64", gbSeconds: 30_000_000 }).microUsd)).toBe("$500.00");
    expect(cents(lambdaRequestCost(usEast1, { requests: 30_000_000 }).microUsd)).toBe("$6.00");
  });
});

describe("tiers (AWS Compute Blog, 'Introducing tiered pricing for AWS Lambda', Aug 2022)", () => {
  // The blog's scenario: x86, 2048 MB, 60 s average, 75 million invocations a month = 9 billion GB-s.
  // Its table: first 6 billion GB-s at the full rate, 6-15 billion at 10% off. Totals below are computed from the table's rates.
  it("prices 9 billion x86 GB-s as 6B at $0.0000166667 + 3B at $0.000015 = $145,000.20", () => {
    const c = lambdaComputeCost(usEast1, { arch: "x86_64", mbMs: 75_000_000n * 60_000n * 2048n });
    expect(c.gbSeconds.toString()).toBe("9000000000");
    expect(c.tiered.slices.map((s) => [s.tier, s.quantity.toString(), s.usd])).toEqual([
      [1, "6000000000", "0.0000166667"],
      [2, "3000000000", "0.000015"],
    ]);
    expect(c.microUsd).toBe(145_000_200_000n);
  });

  it.each([
    // [arch, GB-s, month-to-date offset, expected µ$ — hand-computed from the table]
    ["x86_64", "1000000", "0", 16_666_700n],
    ["x86_64", "1000000", "5999500000", 8_333_350n + 7_500_000n], // 500,000 GB-s left in tier 1, 500,000 in tier 2
    ["x86_64", "1000000", "20000000000", 13_333_400n], // entirely in tier 3
    ["arm64", "2000000", "18749000000", 12_000_100n + 10_666_700n], // last million of tier 2, first of tier 3
    ["arm64", "1000000", "7000000000", 13_333_400n], // still inside the first 7.5 billion
    ["arm64", "3", "18749999999", 23n + 10n], // 1 GB-s at $0.0000120001 + 2 at $0.0000106667 = 33.3335 µ$, rounded once
  ] as const)("%s: %s GB-s after %s GB-s this month costs %d µ$", (arch, gbSeconds, offset, micro) => {
    expect(lambdaComputeCost(usEast1, { arch, gbSeconds, tierOffsetGbSeconds: offset }).microUsd).toBe(micro);
  });

  it("applies the free tier before the tiers, at the start of the month", () => {
    expect(lambdaComputeCost(usEast1, { arch: "x86_64", gbSeconds: 400_000, freeTier: true }).microUsd).toBe(0n);
    // 100,000 GB-s after 350,000 already used: 50,000 still free.
    const c = lambdaComputeCost(usEast1, { arch: "arm64", gbSeconds: 100_000, tierOffsetGbSeconds: 350_000, freeTier: true });
    expect(c.tiered.freeApplied.toString()).toBe("50000");
    expect(c.microUsd).toBe(toMicroUsd(Rational.parse("50000").mul("0.0000133334")));
  });

  it("rejects fractional mbMs and negative quantities", () => {
    expect(() => lambdaComputeCost(usEast1, { arch: "x86_64", mbMs: "1.5" })).toThrow(/mbMs must be a whole number/);
    expect(() => lambdaComputeCost(usEast1, { arch: "x86_64", gbSeconds: -1 })).toThrow(/gbSeconds must not be negative/);
    expect(() => lambdaRequestCost(usEast1, { requests: 1.5 })).toThrow(/requests must be a whole number/);
  });
});

describe("provisioned concurrency and invocation rows", () => {
  it("rounds the configured period up to five minutes", () => {
    const pc = provisionedConcurrencyCost(usEast1, { arch: "arm64", memoryMb: 1024, concurrency: 1, seconds: 301 });
    expect(pc.allocationGbSeconds.toString()).toBe("600");
    expect(pc.allocationMicroUsd).toBe(toMicroUsd(Rational.parse("600").mul("0.0000033334")));
    expect(pc.lines[0].note).toContain("301 s rounded up to 600 s");
  });

  it("fails clearly where a region's table has no arm64 provisioned price", () => {
    const tables = mergePriceTables(undefined);
    expect(() => provisionedConcurrencyCost(tables.get("eu-west-1")!, { arch: "arm64", memoryMb: 1024, concurrency: 1, seconds: 300 })).toThrow(
      /eu-west-1 price table .* has no price for provisioned concurrency \(arm64\)/,
    );
  });

  it("prices REPORT rows from exact integer sums (INIT is inside Billed Duration)", () => {
    const rows = [
      { billedMs: 13, memoryMb: 512 },
      { billedMs: 264, memoryMb: 512 }, // cold start: 250 ms INIT + 14 ms handler, billed together since 1 Aug 2025
      { billedMs: 1, memoryMb: 512, ephemeralMb: 1024 },
    ];
    expect(sumInvocations(rows)).toEqual({ requests: 3n, mbMs: 278n * 512n, billedMs: 278n, ephemeralExtraMbMs: 512n });
    const cost = invocationRowsCost(usEast1, { arch: "x86_64", rows });
    // 142,336 MB-ms = 0.139 GB-s x $0.0000166667 + 3 requests x $0.0000002 + 0.0005 GB-s x $0.0000000309, rounded once
    expect(cost.compute.gbSeconds.toString()).toBe("0.139");
    expect(cost.exactUsd.toString()).toBe("0.00000291668675");
    expect(cost.microUsd).toBe(3n);
  });
});
