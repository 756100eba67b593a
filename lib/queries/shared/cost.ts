/**
 * Lambda spend for dashboard figures, through the cost engine (lib/cost): on-demand duration
 * from exact MB-ms plus requests, at the region's first tier, without the free tier.
 */
import { lambdaComputeCost, lambdaRequestCost, MB_MS_PER_GB_SECOND } from "../../cost/lambda.ts";
import { MICRO_PER_USD } from "../../cost/money.ts";
import type { Architecture, RegionPrices } from "../../cost/price-schema.ts";
import { getRegionPrices } from "../../cost/prices.ts";
import { Rational } from "../../cost/rational.ts";
import { unitPrice } from "../../cost/tiers.ts";

export interface SpendInput {
  region: string;
  architecture: string;
  mbMs: bigint;
  requests: number;
}

/** µ$ per MB-ms and per request as exact fractions, and the first tier's bound in MB-ms. */
interface FirstTier {
  duration: { num: bigint; den: bigint; maxMbMs: bigint | null };
  requests: { num: bigint; den: bigint };
}

const firstTiers = new WeakMap<RegionPrices, Map<Architecture, FirstTier>>();

function firstTierOf(prices: RegionPrices, arch: Architecture): FirstTier {
  let byArch = firstTiers.get(prices);
  if (!byArch) firstTiers.set(prices, (byArch = new Map()));
  let t = byArch.get(arch);
  if (!t) {
    const tier = prices.lambda.duration[arch][0]!;
    const d = unitPrice(tier).mul(MICRO_PER_USD).div(MB_MS_PER_GB_SECOND);
    const r = unitPrice(prices.lambda.requests).mul(MICRO_PER_USD);
    const bound = tier.upTo === null ? null : Rational.parse(tier.upTo).mul(MB_MS_PER_GB_SECOND);
    t = { duration: { num: d.num, den: d.den, maxMbMs: bound === null ? null : bound.num / bound.den }, requests: { num: r.num, den: r.den } };
    byArch.set(arch, t);
  }
  return t;
}

/** num/den rounded half up, as the engine rounds a charge (non-negative inputs). */
const roundHalfUp = (num: bigint, den: bigint) => (2n * num + den) / (2n * den);

/**
 * The engine's charge for one function at the first tier, in µ$ (pure). Fleet views price
 * a thousand functions per request: the engine's full charge (slices, lines) costs about
 * 60 µs each, this about 1; the result is the same integer (a unit test compares them).
 * Amounts beyond the first tier go through the engine.
 */
export function spendMicrosOf(prices: RegionPrices, arch: Architecture, mbMs: bigint, requests: bigint): bigint {
  const t = firstTierOf(prices, arch);
  if (mbMs < 0n || requests < 0n || (t.duration.maxMbMs !== null && mbMs > t.duration.maxMbMs)) {
    return lambdaComputeCost(prices, { arch, mbMs }).microUsd + lambdaRequestCost(prices, { requests }).microUsd;
  }
  return roundHalfUp(mbMs * t.duration.num, t.duration.den) + roundHalfUp(requests * t.requests.num, t.requests.den);
}

/** Micro-dollars of Lambda duration + requests for some functions, or null when a region is unpriced. */
export function estimateSpendMicros(items: SpendInput[]): number | null {
  let total = 0n;
  for (const it of items) {
    let prices;
    try {
      prices = getRegionPrices(it.region);
    } catch {
      return null;
    }
    const arch = it.architecture === "arm64" ? "arm64" : "x86_64";
    total += spendMicrosOf(prices, arch, it.mbMs, BigInt(Math.max(0, Math.round(it.requests))));
  }
  return Number(total);
}

/** How the dashboard's spend figures are computed (shown beside them). */
export const SPEND_NOTE =
  "Lambda duration (exact billed ms × memory, INIT included where billed) plus requests, at the region's price table, first volume tier, free tier not applied.";
