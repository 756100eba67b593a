/** The result shape every cost function returns: an exact amount, µ$, and lines that show the working. */
import { toMicroUsd } from "./money.ts";
import { Rational } from "./rational.ts";
import type { TieredCharge } from "./tiers.ts";

export interface ChargeLine {
  item: string;
  quantity: Rational;
  unit: string;
  /** Exact USD per single unit ("0.0000002" for $0.20 per million). */
  unitPriceUsd: string;
  microUsd: bigint;
  note: string;
}

export interface Charge {
  exactUsd: Rational;
  /** Rounded once from exactUsd. */
  microUsd: bigint;
  lines: ChargeLine[];
}

const ordinal = (n: number) => `tier ${n}`;

/** Lines for a tiered/flat charge: one per tier slice, plus the free allowance when it applied. */
export function tieredLines(charge: TieredCharge, item: string, unit: string, describeTier: (slice: TieredCharge["slices"][number]) => string): ChargeLine[] {
  const lines: ChargeLine[] = [];
  if (!charge.freeApplied.isZero()) {
    lines.push({ item: `${item} (free tier)`, quantity: charge.freeApplied, unit, unitPriceUsd: "0", microUsd: 0n, note: "covered by the monthly free tier" });
  }
  for (const s of charge.slices) {
    lines.push({ item, quantity: s.quantity, unit, unitPriceUsd: s.usdPerUnit.toString(), microUsd: s.microUsd, note: describeTier(s) });
  }
  if (lines.length === 0) lines.push({ item, quantity: Rational.ZERO, unit, unitPriceUsd: charge.slices[0]?.usdPerUnit.toString() ?? "0", microUsd: 0n, note: "no usage" });
  return lines;
}

/** Describes a tier slice in words ("tier 2 (up to 15,000,000,000 GB-s per month), $0.000015 per GB-s"). */
export function describeSlice(unit: string, tierCount: number) {
  return (s: TieredCharge["slices"][number]): string => {
    const per = s.per === "1" ? unit : `${Number(s.per).toLocaleString("en-US")} ${unit}`;
    const price = `$${s.usd} per ${per}`;
    if (tierCount === 1) return price;
    const bound = s.upTo === null ? "above the previous tiers" : `up to ${Number(s.upTo).toLocaleString("en-US")} ${unit} per month`;
    return `${ordinal(s.tier)} (${bound}), ${price}`;
  };
}

/** Combines charges: exact amounts add, µ$ is rounded once from the exact sum. */
export function combineCharges(...charges: Charge[]): Charge {
  const exactUsd = charges.reduce((sum, c) => sum.add(c.exactUsd), Rational.ZERO);
  return { exactUsd, microUsd: toMicroUsd(exactUsd), lines: charges.flatMap((c) => c.lines) };
}
