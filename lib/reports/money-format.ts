/** Money text for reports: exact µ$ as a fixed 6-decimal USD string (data), or rounded for display. */
import { formatUsd } from "../cost/index.ts";

/** "12.345678": exact micro-dollars as USD with six decimals (CSV/JSON data, no rounding). */
export function usdExact(micro: bigint): string {
  const neg = micro < 0n;
  const digits = (neg ? -micro : micro).toString().padStart(7, "0");
  return `${neg ? "-" : ""}${digits.slice(0, -6)}.${digits.slice(-6)}`;
}

/** Parses usdExact text back to micro-dollars (exact). */
export function parseUsdExact(text: string): bigint {
  const m = /^(-)?(\d+)(?:\.(\d{1,6}))?$/.exec(text.trim());
  if (!m) throw new RangeError(`"${text}" is not a USD amount with at most 6 decimals`);
  const micro = BigInt(m[2]) * 1_000_000n + BigInt((m[3] ?? "").padEnd(6, "0"));
  return m[1] ? -micro : micro;
}

/** Display amount: cents, or more decimals for amounts under a dollar so they do not show as $0.00. */
export function usdDisplay(micro: bigint): string {
  const abs = micro < 0n ? -micro : micro;
  if (abs === 0n) return "$0.00";
  if (abs < 10_000n) return formatUsd(micro, { decimals: 6 });
  if (abs < 1_000_000n) return formatUsd(micro, { decimals: 4 });
  return formatUsd(micro);
}

/** "+$1.23" / "-$0.50" / "$0.00" */
export function usdChange(micro: bigint): string {
  return micro > 0n ? `+${usdDisplay(micro)}` : usdDisplay(micro);
}

/** "+12.5%" / "-3.0%" / "new" */
export function pctChange(pct: number | null, previousMicro: bigint, currentMicro: bigint): string {
  if (pct === null) return currentMicro === 0n && previousMicro === 0n ? "0%" : "new";
  return `${pct > 0 ? "+" : ""}${pct.toFixed(1)}%`;
}
