import { formatUsd } from "@/lib/cost/money";

/** Micro-dollars for display: 2 decimals, 4 under a cent, 6 under a hundredth of a cent (rounded here only). */
export function usd(micro: bigint | number | null | undefined): string {
  if (micro === null || micro === undefined) return "—";
  const m = typeof micro === "bigint" ? micro : BigInt(Math.round(micro));
  const abs = m < 0n ? -m : m;
  return formatUsd(m, { decimals: abs === 0n || abs >= 10_000n ? 2 : abs >= 100n ? 4 : 6 });
}

/** A change with its sign and percent ("+$1.20 (+12.5%)"). */
export function Change({ micro, pct }: { micro: bigint; pct: number | null }) {
  const sign = micro > 0n ? "+" : "";
  const color = micro > 0n ? "var(--bad)" : micro < 0n ? "var(--good)" : "var(--muted)";
  return (
    <span style={{ color }} className="nowrap">
      {sign}
      {usd(micro)}
      {pct !== null && <span className="small"> ({`${pct > 0 ? "+" : ""}${pct.toFixed(1)}%`})</span>}
      {pct === null && micro !== 0n && <span className="small muted"> (new)</span>}
    </span>
  );
}

/** Amount with the exact micro-dollars in its tooltip. */
export function Money({ micro, testId }: { micro: bigint; testId?: string }) {
  return (
    <span title={`${micro.toString()} µ$`} data-testid={testId} data-micros={micro.toString()}>
      {usd(micro)}
    </span>
  );
}
