/**
 * Lambda charges: duration (GB-seconds, tiered per architecture on the account-region's
 * monthly total), requests, ephemeral storage above 512 MB, provisioned concurrency.
 * GB-seconds = billed ms / 1000 x memory MB / 1024, kept exact as mbMs / 1,024,000.
 */
import { describeSlice, tieredLines, type Charge } from "./charge.ts";
import { toMicroUsd } from "./money.ts";
import type { Architecture, RegionPrices } from "./price-schema.ts";
import { requirePrice } from "./prices.ts";
import { CostInputError, integerInput as integer, nonNegativeInput as nonNegative } from "./input.ts";
import { Rational, type Quantity } from "./rational.ts";
import { priceFlat, priceTiered, unitPrice, type TieredCharge } from "./tiers.ts";

/** MB x ms per GB-second. */
export const MB_MS_PER_GB_SECOND = 1_024_000n;
export const FREE_EPHEMERAL_MB = 512;
/** Provisioned concurrency is billed from enable to disable, rounded up to five minutes. */
export const PROVISIONED_BILLING_INCREMENT_SECONDS = 300n;

/** Exact GB-seconds for a sum of billed ms x memory MB. */
export function gbSecondsFromMbMs(mbMs: Quantity): Rational {
  return Rational.from(integer(mbMs, "mbMs"), MB_MS_PER_GB_SECOND);
}

export interface LambdaComputeInput {
  arch: Architecture;
  /** Sum over invocations of billed ms x memory MB (exact integer). */
  mbMs?: Quantity;
  /** Alternatively, GB-seconds directly. */
  gbSeconds?: Quantity;
  /** GB-seconds of this architecture the account-region already used this month before this amount. */
  tierOffsetGbSeconds?: Quantity;
  /** Apply the monthly free tier (400,000 GB-s, positioned at the start of the month). */
  freeTier?: boolean;
  /** Or: free GB-seconds to apply, when the allowance is shared with other usage. */
  freeGbSeconds?: Quantity;
}

export interface LambdaComputeCharge extends Charge {
  gbSeconds: Rational;
  tiered: TieredCharge;
}

/** On-demand duration charge, tiers applied at the account-region's month-to-date position. */
export function lambdaComputeCost(prices: RegionPrices, input: LambdaComputeInput): LambdaComputeCharge {
  if (input.mbMs !== undefined && input.gbSeconds !== undefined) throw new CostInputError("give mbMs or gbSeconds, not both");
  const gbSeconds = input.mbMs !== undefined ? gbSecondsFromMbMs(input.mbMs) : nonNegative(input.gbSeconds ?? 0, "gbSeconds");
  const tiers = prices.lambda.duration[input.arch];
  if (!tiers) throw new CostInputError(`arch must be x86_64 or arm64 (got ${String(input.arch)})`);
  const free = input.freeGbSeconds !== undefined ? nonNegative(input.freeGbSeconds, "freeGbSeconds") : input.freeTier ? Rational.parse(prices.lambda.freeTier.gbSeconds) : Rational.ZERO;
  const tiered = priceTiered(tiers, gbSeconds, { offset: nonNegative(input.tierOffsetGbSeconds ?? 0, "tierOffsetGbSeconds"), free });
  return {
    gbSeconds,
    tiered,
    exactUsd: tiered.exactUsd,
    microUsd: tiered.microUsd,
    lines: tieredLines(tiered, `Lambda duration (${input.arch})`, "GB-s", describeSlice("GB-s", tiers.length)),
  };
}

/** Request charge; the free tier (1M/month) when asked, after `offsetRequests` already used. */
export function lambdaRequestCost(prices: RegionPrices, input: { requests: Quantity; freeTier?: boolean; offsetRequests?: Quantity }): Charge {
  const requests = integer(input.requests, "requests");
  const free = input.freeTier ? Rational.parse(prices.lambda.freeTier.requests) : Rational.ZERO;
  const charge = priceFlat(prices.lambda.requests, requests, { free, offset: integer(input.offsetRequests ?? 0, "offsetRequests") });
  return { exactUsd: charge.exactUsd, microUsd: charge.microUsd, lines: tieredLines(charge, "Lambda requests", "requests", describeSlice("requests", 1)) };
}

/** Ephemeral storage above the free 512 MB, for the billed duration of the invocations. */
export function ephemeralStorageCost(prices: RegionPrices, input: { ephemeralMb: Quantity; billedMsSum: Quantity }): Charge & { gbSeconds: Rational } {
  const ephemeralMb = integer(input.ephemeralMb, "ephemeralMb", BigInt(FREE_EPHEMERAL_MB));
  if (ephemeralMb > 10240n) throw new CostInputError(`ephemeralMb must be at most 10240 (got ${ephemeralMb})`);
  const billedMs = nonNegative(input.billedMsSum, "billedMsSum");
  const extraMb = ephemeralMb - BigInt(FREE_EPHEMERAL_MB);
  const gbSeconds = billedMs.mul(extraMb).div(MB_MS_PER_GB_SECOND);
  const charge = priceFlat(prices.lambda.ephemeralStorage, gbSeconds);
  const note = `${extraMb} MB above the free ${FREE_EPHEMERAL_MB} MB, $${prices.lambda.ephemeralStorage.usd} per GB-s`;
  return {
    gbSeconds,
    exactUsd: charge.exactUsd,
    microUsd: charge.microUsd,
    lines: [{ item: "Ephemeral storage", quantity: gbSeconds, unit: "GB-s", unitPriceUsd: unitPrice(prices.lambda.ephemeralStorage).toString(), microUsd: charge.microUsd, note }],
  };
}

export interface ProvisionedConcurrencyInput {
  arch: Architecture;
  memoryMb: Quantity;
  concurrency: Quantity;
  /** Seconds the configuration was in place (rounded up to 5 minutes, as AWS bills it). */
  seconds: Quantity;
  /** Execution on the provisioned environments, as mbMs (exact) or GB-seconds. */
  invokedMbMs?: Quantity;
  invokedGbSeconds?: Quantity;
}

export interface ProvisionedConcurrencyCharge extends Charge {
  allocationGbSeconds: Rational;
  invokedGbSeconds: Rational;
  allocationMicroUsd: bigint;
  durationMicroUsd: bigint;
}

/** Provisioned concurrency: allocation for the configured period plus its lower duration price. */
export function provisionedConcurrencyCost(prices: RegionPrices, input: ProvisionedConcurrencyInput): ProvisionedConcurrencyCharge {
  const pc = requirePrice(prices.lambda.provisionedConcurrency[input.arch], prices, `provisioned concurrency (${input.arch})`);
  const memoryMb = integer(input.memoryMb, "memoryMb", 128n);
  const concurrency = integer(input.concurrency, "concurrency");
  const rawSeconds = integer(input.seconds, "seconds");
  const seconds = ((rawSeconds + PROVISIONED_BILLING_INCREMENT_SECONDS - 1n) / PROVISIONED_BILLING_INCREMENT_SECONDS) * PROVISIONED_BILLING_INCREMENT_SECONDS;
  if (input.invokedMbMs !== undefined && input.invokedGbSeconds !== undefined) throw new CostInputError("give invokedMbMs or invokedGbSeconds, not both");
  const invokedGbSeconds = input.invokedMbMs !== undefined ? gbSecondsFromMbMs(input.invokedMbMs) : nonNegative(input.invokedGbSeconds ?? 0, "invokedGbSeconds");
  const allocationGbSeconds = Rational.from(concurrency * memoryMb * seconds, 1024n);
  const allocation = allocationGbSeconds.mul(unitPrice(pc.allocation));
  const duration = invokedGbSeconds.mul(unitPrice(pc.duration));
  const exactUsd = allocation.add(duration);
  const allocationMicroUsd = toMicroUsd(allocation);
  const durationMicroUsd = toMicroUsd(duration);
  const rounded = seconds === rawSeconds ? "" : ` (${rawSeconds} s rounded up to ${seconds} s)`;
  return {
    allocationGbSeconds,
    invokedGbSeconds,
    allocationMicroUsd,
    durationMicroUsd,
    exactUsd,
    microUsd: toMicroUsd(exactUsd),
    lines: [
      {
        item: `Provisioned concurrency (${input.arch})`,
        quantity: allocationGbSeconds,
        unit: "GB-s",
        unitPriceUsd: unitPrice(pc.allocation).toString(),
        microUsd: allocationMicroUsd,
        note: `${concurrency} x ${memoryMb} MB for ${seconds.toLocaleString("en-US")} s${rounded}, $${pc.allocation.usd} per GB-s while configured`,
      },
      {
        item: `Provisioned concurrency duration (${input.arch})`,
        quantity: invokedGbSeconds,
        unit: "GB-s",
        unitPriceUsd: unitPrice(pc.duration).toString(),
        microUsd: durationMicroUsd,
        note: `execution on provisioned environments, $${pc.duration.usd} per GB-s (no volume tiers, no free tier)`,
      },
    ],
  };
}

/** One REPORT line's billing facts (Billed Duration already includes INIT for on-demand since 1 Aug 2025). */
export interface BilledInvocation {
  billedMs: number | bigint;
  memoryMb: number | bigint;
  ephemeralMb?: number | bigint;
}

export interface InvocationTotals {
  requests: bigint;
  mbMs: bigint;
  billedMs: bigint;
  /** Sum of billed ms x MB of ephemeral storage above 512 MB. */
  ephemeralExtraMbMs: bigint;
}

/** Sums invocation rows exactly (integers): pricing the sum equals summing exact per-invocation costs. */
export function sumInvocations(rows: Iterable<BilledInvocation>): InvocationTotals {
  let requests = 0n;
  let mbMs = 0n;
  let billedMs = 0n;
  let ephemeralExtraMbMs = 0n;
  for (const row of rows) {
    const ms = BigInt(row.billedMs);
    const mb = BigInt(row.memoryMb);
    if (ms < 0n || mb <= 0n) throw new CostInputError(`invalid invocation row: billedMs ${row.billedMs}, memoryMb ${row.memoryMb}`);
    requests += 1n;
    billedMs += ms;
    mbMs += ms * mb;
    const eph = row.ephemeralMb === undefined ? 0n : BigInt(row.ephemeralMb) - BigInt(FREE_EPHEMERAL_MB);
    if (eph > 0n) ephemeralExtraMbMs += ms * eph;
  }
  return { requests, mbMs, billedMs, ephemeralExtraMbMs };
}

/** Exact on-demand cost of a set of invocation rows of one architecture. */
export function invocationRowsCost(
  prices: RegionPrices,
  input: { arch: Architecture; rows: Iterable<BilledInvocation>; tierOffsetGbSeconds?: Quantity; freeTier?: boolean },
): { totals: InvocationTotals; compute: LambdaComputeCharge; requests: Charge; ephemeral: Charge; microUsd: bigint; exactUsd: Rational } {
  const totals = sumInvocations(input.rows);
  const compute = lambdaComputeCost(prices, { arch: input.arch, mbMs: totals.mbMs, tierOffsetGbSeconds: input.tierOffsetGbSeconds, freeTier: input.freeTier });
  const requests = lambdaRequestCost(prices, { requests: totals.requests, freeTier: input.freeTier });
  const ephemeralGbSeconds = Rational.from(totals.ephemeralExtraMbMs, MB_MS_PER_GB_SECOND);
  const eph = priceFlat(prices.lambda.ephemeralStorage, ephemeralGbSeconds);
  const ephemeral: Charge = {
    exactUsd: eph.exactUsd,
    microUsd: eph.microUsd,
    lines: [{ item: "Ephemeral storage", quantity: ephemeralGbSeconds, unit: "GB-s", unitPriceUsd: unitPrice(prices.lambda.ephemeralStorage).toString(), microUsd: eph.microUsd, note: "above the free 512 MB" }],
  };
  const exactUsd = compute.exactUsd.add(requests.exactUsd).add(ephemeral.exactUsd);
  return { totals, compute, requests, ephemeral, exactUsd, microUsd: toMicroUsd(exactUsd) };
}
