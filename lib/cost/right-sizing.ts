/**
 * What to change to pay less, each with its assumptions stated: memory right-sizing,
 * arm64 migration, provisioned concurrency utilisation and spillover.
 */
import { CostInputError, integerInput, nonNegativeInput } from "./input.ts";
import { lambdaComputeCost, MB_MS_PER_GB_SECOND } from "./lambda.ts";
import { formatUsd, toMicroUsd } from "./money.ts";
import type { Architecture, RegionPrices } from "./price-schema.ts";
import { requirePrice } from "./prices.ts";
import { Rational, type Quantity } from "./rational.ts";
import { unitPrice } from "./tiers.ts";

export const MIN_MEMORY_MB = 128;
export const MAX_MEMORY_MB = 10240;

export interface MemoryHistogramBucket {
  /** Upper bound of the bucket (max memory used <= upToMb). */
  upToMb: number;
  count: number;
}

/** p-quantile (nearest rank, rounded up: never understates) of per-invocation max memory used. */
export function maxMemoryQuantile(input: { samplesMb?: readonly number[]; histogram?: readonly MemoryHistogramBucket[] }, q = 0.99): number | null {
  if (input.samplesMb && input.samplesMb.length > 0) {
    const sorted = [...input.samplesMb].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  }
  if (input.histogram && input.histogram.length > 0) {
    const buckets = [...input.histogram].filter((b) => b.count > 0).sort((a, b) => a.upToMb - b.upToMb);
    const total = buckets.reduce((s, b) => s + b.count, 0);
    if (total === 0) return null;
    const rank = Math.ceil(q * total);
    let seen = 0;
    for (const b of buckets) {
      seen += b.count;
      if (seen >= rank) return b.upToMb;
    }
    return buckets[buckets.length - 1].upToMb;
  }
  return null;
}

export interface RightSizingInput {
  arch: Architecture;
  currentMemoryMb: number;
  invocationsPerMonth: Quantity;
  /** Average billed duration at the current memory (includes INIT where billed). */
  avgBilledMs: Quantity;
  /** Per-invocation Max Memory Used, or a histogram of it. */
  maxMemoryUsedMb?: readonly number[];
  maxMemoryHistogram?: readonly MemoryHistogramBucket[];
  /** Memory kept above the p99 of max memory used (default 1.2 = 20% headroom). */
  headroom?: number;
  /**
   * Share of the billed duration that is CPU-bound and so scales with 1/memory (Lambda allocates
   * CPU in proportion to memory); the rest (I/O waits) is assumed not to change. Default 0.5.
   */
  cpuBoundShare?: number;
  /** Recommended sizes are rounded up to a multiple of this many MB (default 64). */
  snapMb?: number;
  /** Or: choose from these sizes only (the smallest one that fits). */
  allowedSizesMb?: readonly number[];
  /** GB-seconds of the architecture the account-region uses besides this function (tier position). */
  tierOffsetGbSeconds?: Quantity;
}

export interface RightSizingResult {
  action: "decrease" | "increase" | "keep" | "insufficient-data";
  currentMemoryMb: number;
  recommendedMemoryMb: number;
  p99MaxMemoryUsedMb: number | null;
  requiredMemoryMb: number | null;
  currentAvgBilledMs: number;
  estimatedAvgBilledMs: number;
  currentMonthlyMicroUsd: bigint;
  recommendedMonthlyMicroUsd: bigint;
  /** Positive = saving per month (duration charges only; requests do not change). */
  monthlySavingMicroUsd: bigint;
  assumptions: string[];
}

/** Estimated billed duration at another memory size under the CPU-bound-share model. */
export function scaleDuration(avgBilledMs: Quantity, fromMb: number, toMb: number, cpuBoundShare: number): Rational {
  const share = Rational.of(cpuBoundShare);
  return Rational.of(avgBilledMs).mul(Rational.ONE.sub(share).add(share.mul(fromMb).div(toMb)));
}

/** Recommends a memory size from max memory used, with the monthly saving and the assumptions behind it. */
export function recommendMemory(prices: RegionPrices, input: RightSizingInput): RightSizingResult {
  const headroom = input.headroom ?? 1.2;
  const cpuBoundShare = input.cpuBoundShare ?? 0.5;
  const snapMb = input.snapMb ?? 64;
  if (!(headroom >= 1)) throw new CostInputError(`headroom must be at least 1 (got ${headroom})`);
  if (!(cpuBoundShare >= 0 && cpuBoundShare <= 1)) throw new CostInputError(`cpuBoundShare must be between 0 and 1 (got ${cpuBoundShare})`);
  if (!Number.isInteger(snapMb) || snapMb < 1) throw new CostInputError(`snapMb must be a whole number of MB (got ${snapMb})`);
  const current = Number(integerInput(input.currentMemoryMb, "currentMemoryMb", BigInt(MIN_MEMORY_MB)));
  const invocations = integerInput(input.invocationsPerMonth, "invocationsPerMonth");
  const avgMs = nonNegativeInput(input.avgBilledMs, "avgBilledMs");

  const monthly = (memoryMb: number, ms: Rational): bigint =>
    lambdaComputeCost(prices, {
      arch: input.arch,
      gbSeconds: ms.mul(invocations).mul(memoryMb).div(MB_MS_PER_GB_SECOND),
      tierOffsetGbSeconds: input.tierOffsetGbSeconds,
    }).microUsd;
  const currentCost = monthly(current, avgMs);
  const assumptions = [
    `Keeps at least ${headroom}x the p99 of Max Memory Used, never below ${MIN_MEMORY_MB} MB.`,
    `Duration at the new size: ${Math.round(cpuBoundShare * 100)}% of billed time is CPU-bound and scales with 1/memory (Lambda gives CPU in proportion to memory); the rest does not change. Above 1,769 MB (one full vCPU) only multi-threaded code speeds up, so measure before trusting an estimate there.`,
    "Saving counts on-demand duration only: the request charge is the same at any size; tiers are applied at the account-region's month-to-date position, without the free tier.",
  ];
  const p99 = maxMemoryQuantile({ samplesMb: input.maxMemoryUsedMb, histogram: input.maxMemoryHistogram });
  const base = {
    currentMemoryMb: current,
    p99MaxMemoryUsedMb: p99,
    currentAvgBilledMs: avgMs.toNumber(),
    currentMonthlyMicroUsd: currentCost,
    assumptions,
  };
  if (p99 === null) {
    return { ...base, action: "insufficient-data", recommendedMemoryMb: current, requiredMemoryMb: null, estimatedAvgBilledMs: avgMs.toNumber(), recommendedMonthlyMicroUsd: currentCost, monthlySavingMicroUsd: 0n };
  }
  const required = Math.max(MIN_MEMORY_MB, Math.ceil(p99 * headroom));
  let recommended: number;
  if (input.allowedSizesMb && input.allowedSizesMb.length > 0) {
    const sizes = [...input.allowedSizesMb].filter((s) => s >= MIN_MEMORY_MB && s <= MAX_MEMORY_MB).sort((a, b) => a - b);
    recommended = sizes.find((s) => s >= required) ?? sizes[sizes.length - 1] ?? MAX_MEMORY_MB;
    assumptions.push(`Sizes considered: ${sizes.join(", ")} MB.`);
  } else {
    recommended = Math.min(MAX_MEMORY_MB, Math.max(MIN_MEMORY_MB, Math.ceil(required / snapMb) * snapMb));
    assumptions.push(`Sizes are rounded up to a multiple of ${snapMb} MB.`);
  }
  if (recommended === current) {
    return { ...base, action: "keep", recommendedMemoryMb: current, requiredMemoryMb: required, estimatedAvgBilledMs: avgMs.toNumber(), recommendedMonthlyMicroUsd: currentCost, monthlySavingMicroUsd: 0n };
  }
  const newMs = scaleDuration(avgMs, current, recommended, cpuBoundShare);
  const newCost = monthly(recommended, newMs);
  return {
    ...base,
    action: recommended < current ? "decrease" : "increase",
    recommendedMemoryMb: recommended,
    requiredMemoryMb: required,
    estimatedAvgBilledMs: Number(newMs.toDecimal(3)),
    recommendedMonthlyMicroUsd: newCost,
    monthlySavingMicroUsd: currentCost - newCost,
  };
}

/** What an x86 function's on-demand duration would cost on arm64, assuming the same billed duration. */
export function arm64MigrationSaving(
  prices: RegionPrices,
  input: { gbSeconds?: Quantity; mbMs?: Quantity; tierOffsetGbSecondsX86?: Quantity; tierOffsetGbSecondsArm64?: Quantity },
): { x86MicroUsd: bigint; arm64MicroUsd: bigint; savingMicroUsd: bigint; savingPct: number; assumption: string } {
  const x86 = lambdaComputeCost(prices, { arch: "x86_64", gbSeconds: input.gbSeconds, mbMs: input.mbMs, tierOffsetGbSeconds: input.tierOffsetGbSecondsX86 });
  const arm = lambdaComputeCost(prices, { arch: "arm64", gbSeconds: input.gbSeconds, mbMs: input.mbMs, tierOffsetGbSeconds: input.tierOffsetGbSecondsArm64 });
  const saving = x86.microUsd - arm.microUsd;
  return {
    x86MicroUsd: x86.microUsd,
    arm64MicroUsd: arm.microUsd,
    savingMicroUsd: saving,
    savingPct: x86.microUsd === 0n ? 0 : Number(Rational.from(saving * 10000n, x86.microUsd).roundHalfUp()) / 100,
    assumption:
      "Assumes the same billed duration on arm64 (Graviton2) as on x86: the saving is the price ratio only. Real workloads run faster or slower on arm64 and need arm64 builds of native dependencies; benchmark before migrating. Requests cost the same on both.",
  };
}

export interface ProvisionedUtilisationInput {
  arch: Architecture;
  memoryMb: number;
  concurrency: number;
  /** Seconds provisioned concurrency was configured in the period. */
  configuredSeconds: Quantity;
  /** Sum of billed ms of invocations served by provisioned environments. */
  provisionedBilledMs: Quantity;
  /** Sum of billed ms of invocations that spilled over to on-demand while configured. */
  spilloverBilledMs?: Quantity;
  spilloverInvocations?: Quantity;
}

/** Provisioned concurrency utilisation, the cost of idle capacity, spillover, and the break-even utilisation. */
export function provisionedConcurrencyUtilisation(prices: RegionPrices, input: ProvisionedUtilisationInput) {
  const pc = requirePrice(prices.lambda.provisionedConcurrency[input.arch], prices, `provisioned concurrency (${input.arch})`);
  const memoryMb = integerInput(input.memoryMb, "memoryMb", BigInt(MIN_MEMORY_MB));
  const concurrency = integerInput(input.concurrency, "concurrency", 1n);
  const seconds = nonNegativeInput(input.configuredSeconds, "configuredSeconds");
  const allocatedGbSeconds = seconds.mul(concurrency * memoryMb).div(1024);
  const usedGbSeconds = nonNegativeInput(input.provisionedBilledMs, "provisionedBilledMs").mul(memoryMb).div(MB_MS_PER_GB_SECOND);
  const spillGbSeconds = nonNegativeInput(input.spilloverBilledMs ?? 0, "spilloverBilledMs").mul(memoryMb).div(MB_MS_PER_GB_SECOND);
  const utilisation = allocatedGbSeconds.isZero() ? Rational.ZERO : usedGbSeconds.div(allocatedGbSeconds).min(1);
  const allocationPrice = unitPrice(pc.allocation);
  const durationPrice = unitPrice(pc.duration);
  const onDemandPrice = unitPrice(prices.lambda.duration[input.arch][0]);
  const allocationMicroUsd = toMicroUsd(allocatedGbSeconds.mul(allocationPrice));
  const idleMicroUsd = toMicroUsd(allocatedGbSeconds.mul(allocationPrice).mul(Rational.ONE.sub(utilisation)));
  const pcTotal = allocatedGbSeconds.mul(allocationPrice).add(usedGbSeconds.mul(durationPrice));
  const onDemandEquivalent = usedGbSeconds.mul(onDemandPrice);
  const spilloverMicroUsd = toMicroUsd(spillGbSeconds.mul(onDemandPrice));
  const totalExec = usedGbSeconds.add(spillGbSeconds);
  const spilloverShare = totalExec.isZero() ? 0 : spillGbSeconds.div(totalExec).toNumber();
  // PC beats on-demand when allocation + u x PC duration < u x on-demand, i.e. u > allocation / (on-demand - PC duration).
  const breakEven = onDemandPrice.gt(durationPrice) ? allocationPrice.div(onDemandPrice.sub(durationPrice)) : null;
  const u = utilisation.toNumber();
  const verdict =
    breakEven === null
      ? "Provisioned concurrency never beats on-demand at these prices."
      : utilisation.lt(breakEven)
        ? `Utilisation ${(u * 100).toFixed(1)}% is below the ${(breakEven.toNumber() * 100).toFixed(1)}% break-even: on demand would cost ${formatUsd(toMicroUsd(pcTotal.sub(onDemandEquivalent)))} less for this execution (cold starts aside).`
        : `Utilisation ${(u * 100).toFixed(1)}% is above the ${(breakEven.toNumber() * 100).toFixed(1)}% break-even: provisioned concurrency is also cheaper than on-demand.`;
  return {
    allocatedGbSeconds: allocatedGbSeconds.toNumber(),
    usedGbSeconds: usedGbSeconds.toNumber(),
    utilisation: u,
    breakEvenUtilisation: breakEven?.toNumber() ?? null,
    allocationMicroUsd,
    durationMicroUsd: toMicroUsd(usedGbSeconds.mul(durationPrice)),
    idleMicroUsd,
    onDemandEquivalentMicroUsd: toMicroUsd(onDemandEquivalent),
    spilloverGbSeconds: spillGbSeconds.toNumber(),
    spilloverInvocations: input.spilloverInvocations === undefined ? null : Number(integerInput(input.spilloverInvocations, "spilloverInvocations")),
    spilloverMicroUsd,
    spilloverShare,
    verdict,
    assumptions: [
      "Idle cost is the allocation charge times the unused share of configured GB-seconds.",
      `Spillover is priced at the tier-1 on-demand rate ($${prices.lambda.duration[input.arch][0].usd} per GB-s).`,
    ],
  };
}
