/**
 * Tiers and free tiers apply to the account-region's monthly total, not to a function.
 * The total is priced once and split back in proportion to usage, with largest-remainder
 * rounding so the parts add up to the total exactly, to the micro-dollar.
 */
import { CostInputError } from "./input.ts";
import { Rational, type Quantity } from "./rational.ts";

/** Shown in the UI next to per-function costs ("how this was computed"). */
export const TIER_ATTRIBUTION_EXPLANATION =
  "AWS applies Lambda's volume discounts and free tier to everything an account runs in a region in a month, separately for x86 and arm64: " +
  "the first 6 billion GB-seconds of x86 (7.5 billion of arm64) are charged at the full rate, the next 9 billion (11.25 billion) at 10% off and the rest at 20% off. " +
  "No single function earns a discount on its own, so Faasight prices the account-region's monthly total once, with the tiers and free tier applied, " +
  "and then splits that bill across functions in proportion to each one's GB-seconds (API Gateway, SQS and log tiers are split the same way by requests or bytes). " +
  "The shares are rounded to the micro-dollar with the largest-remainder method, so they always add up exactly to the account total; " +
  "a function's effective rate therefore also depends on how much everything else in the account ran that month.";

/**
 * Splits `totalMicroUsd` across keys in proportion to `usageByKey`. Floors each exact share,
 * then hands the leftover micro-dollars to the largest remainders (ties: larger usage, then key order).
 */
export function attributeTieredCost(totalMicroUsd: bigint, usageByKey: Record<string, Quantity> | Map<string, Quantity>): Map<string, bigint> {
  const entries = (usageByKey instanceof Map ? [...usageByKey.entries()] : Object.entries(usageByKey)).map(([key, q]) => {
    const usage = Rational.of(q);
    if (usage.isNegative()) throw new CostInputError(`usage for "${key}" must not be negative (got ${usage})`);
    return { key, usage };
  });
  const result = new Map<string, bigint>(entries.map((e) => [e.key, 0n]));
  const totalUsage = entries.reduce((sum, e) => sum.add(e.usage), Rational.ZERO);
  if (totalUsage.isZero()) {
    if (totalMicroUsd !== 0n) throw new CostInputError(`cannot attribute ${totalMicroUsd} µ$ when every key has zero usage`);
    return result;
  }
  const negative = totalMicroUsd < 0n;
  const total = negative ? -totalMicroUsd : totalMicroUsd;
  const shares = entries.map((e, index) => {
    const exact = e.usage.mul(total).div(totalUsage);
    const floor = exact.floor();
    return { ...e, index, floor, remainder: exact.sub(floor) };
  });
  let left = total - shares.reduce((sum, s) => sum + s.floor, 0n);
  const order = [...shares].sort((a, b) => b.remainder.cmp(a.remainder) || b.usage.cmp(a.usage) || a.index - b.index);
  for (const s of order) {
    if (left === 0n) break;
    s.floor += 1n;
    left -= 1n;
  }
  for (const s of shares) result.set(s.key, negative ? -s.floor : s.floor);
  return result;
}
