/**
 * Volume tiers and free allowances on a cumulative monthly counter. An amount is placed
 * at [offset, offset + quantity) of the account-region's month: the free allowance covers
 * the first `free` units, tiers apply to the billable units after it.
 */
import { toMicroUsd } from "./money.ts";
import type { Rate, Tier } from "./price-schema.ts";
import { Rational, type Quantity } from "./rational.ts";

/** USD per single unit of a rate. */
export function unitPrice(rate: Pick<Rate, "usd" | "per">): Rational {
  return Rational.parse(rate.usd).div(Rational.parse(rate.per));
}

export interface TierSlice {
  /** 1-based tier number. */
  tier: number;
  /** Billable units before this slice, within the month (tier coordinates). */
  from: Rational;
  quantity: Rational;
  /** The tier's price as stated ("0.0000166667" per "1"). */
  usd: string;
  per: string;
  usdPerUnit: Rational;
  exactUsd: Rational;
  microUsd: bigint;
  /** Upper bound of the tier in billable units; null = unbounded. */
  upTo: string | null;
}

export interface TieredCharge {
  quantity: Rational;
  freeApplied: Rational;
  billable: Rational;
  slices: TierSlice[];
  exactUsd: Rational;
  /** Rounded once from the exact sum of the slices. */
  microUsd: bigint;
}

function nonNegative(q: Quantity, name: string): Rational {
  const r = Rational.of(q);
  if (r.isNegative()) throw new RangeError(`${name} must not be negative (got ${r})`);
  return r;
}

/** Prices `quantity` units against `tiers`, after `offset` units already used this month and `free` free units. */
export function priceTiered(tiers: readonly Tier[], quantity: Quantity, options: { offset?: Quantity; free?: Quantity } = {}): TieredCharge {
  const q = nonNegative(quantity, "quantity");
  const offset = nonNegative(options.offset ?? 0, "offset");
  const free = nonNegative(options.free ?? 0, "free allowance");
  // Free units cover the first `free` units of the month; the rest moves to billable coordinates.
  const start = offset.sub(free).max(0);
  const end = offset.add(q).sub(free).max(0);
  const billable = end.sub(start);
  const freeApplied = q.sub(billable);
  const slices: TierSlice[] = [];
  let lower = Rational.ZERO;
  tiers.forEach((t, i) => {
    const upper = t.upTo === null ? null : Rational.parse(t.upTo);
    const from = start.max(lower);
    const to = upper === null ? end : end.min(upper);
    if (to.gt(from)) {
      const sliceQty = to.sub(from);
      const usdPerUnit = unitPrice(t);
      const exactUsd = sliceQty.mul(usdPerUnit);
      slices.push({ tier: i + 1, from, quantity: sliceQty, usd: t.usd, per: t.per, usdPerUnit, exactUsd, microUsd: toMicroUsd(exactUsd), upTo: t.upTo });
    }
    if (upper !== null) lower = upper;
  });
  const exactUsd = slices.reduce((sum, s) => sum.add(s.exactUsd), Rational.ZERO);
  return { quantity: q, freeApplied, billable, slices, exactUsd, microUsd: toMicroUsd(exactUsd) };
}

/** Prices `quantity` at a flat rate after a free allowance (same coordinates as priceTiered). */
export function priceFlat(rate: Rate, quantity: Quantity, options: { offset?: Quantity; free?: Quantity } = {}): TieredCharge {
  return priceTiered([{ upTo: null, usd: rate.usd, per: rate.per }], quantity, options);
}
