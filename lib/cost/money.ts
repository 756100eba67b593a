/**
 * Money is integer micro-dollars (bigint). Exact rational amounts are rounded to µ$
 * once per charge; cents appear only at the output (formatUsd, usdNumber).
 *
 * Why bigint and not number: a month of µ$ fits a double ($9B = 2^53 µ$), but the
 * exact intermediate products (GB-s numerators x price numerators) do not, and a
 * bigint cannot be mixed with floats by accident.
 */
import { Rational, type Quantity } from "./rational.ts";

export const MICRO_PER_USD = 1_000_000n;

/** Exact USD amount -> integer micro-dollars (halves away from zero). */
export function toMicroUsd(usd: Quantity): bigint {
  return Rational.of(usd).mul(MICRO_PER_USD).roundHalfUp();
}

/** Micro-dollars as an exact USD rational. */
export function microToUsd(micro: bigint): Rational {
  return Rational.from(micro, MICRO_PER_USD);
}

/** Sum of micro-dollar amounts. */
export function sumMicro(amounts: Iterable<bigint>): bigint {
  let total = 0n;
  for (const a of amounts) total += a;
  return total;
}

/** Micro-dollars rounded to `decimals` places as a JSON-friendly number (cents by default). */
export function usdNumber(micro: bigint, decimals = 2): number {
  const scaled = microToUsd(micro).mul(10n ** BigInt(decimals)).roundHalfUp();
  if (scaled > BigInt(Number.MAX_SAFE_INTEGER) || scaled < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`${micro} µ$ is too large to show as a number`);
  }
  return Number(scaled) / 10 ** decimals;
}

/** "$1,234.57" (or more decimals for tiny amounts): rounding happens here, for display only. */
export function formatUsd(micro: bigint, options: { decimals?: number } = {}): string {
  const decimals = options.decimals ?? 2;
  const scaled = microToUsd(micro).mul(10n ** BigInt(decimals)).roundHalfUp();
  const neg = scaled < 0n;
  const digits = (neg ? -scaled : scaled).toString().padStart(decimals + 1, "0");
  const int = digits.slice(0, digits.length - decimals).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const frac = decimals > 0 ? `.${digits.slice(digits.length - decimals)}` : "";
  return `${neg ? "-" : ""}$${int}${frac}`;
}
