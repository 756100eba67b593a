/** Chart preparation for stacked spend: the top N groups by total and "other", in dollars per bucket. */
import type { SeriesSpec } from "../../charts/prepare-time-series.ts";

export type SpendBuckets = Map<number, Map<string, bigint>>;

/** Adds micro-dollars to a group of a bucket. */
export function addSpend(buckets: SpendBuckets, t: number, group: string, micro: bigint): void {
  let m = buckets.get(t);
  if (!m) buckets.set(t, (m = new Map()));
  m.set(group, (m.get(group) ?? 0n) + micro);
}

/** Series specs for the `top` groups by total spend (ties by name) and one "other" for the rest; a bucket without data is a gap only outside coverage. */
export function stackTopSpend(buckets: SpendBuckets, top = 5, order?: readonly string[]): SeriesSpec<Map<string, bigint>>[] {
  const totals = new Map<string, bigint>();
  for (const m of buckets.values()) for (const [g, v] of m) totals.set(g, (totals.get(g) ?? 0n) + v);
  const ranked = order ? order.filter((g) => totals.has(g)) : [...totals.keys()].sort((a, b) => (totals.get(a)! === totals.get(b)! ? a.localeCompare(b) : totals.get(a)! > totals.get(b)! ? -1 : 1));
  const shown = ranked.slice(0, top);
  const rest = new Set(ranked.slice(top));
  const dollars = (micro: bigint) => Number(micro) / 1e6;
  const specs: SeriesSpec<Map<string, bigint>>[] = shown.map((g) => ({ key: g, label: g, unit: "usd", policy: "zero", value: (m) => dollars(m.get(g) ?? 0n) }));
  if (rest.size > 0) {
    specs.push({
      key: "other",
      label: `other (${rest.size})`,
      unit: "usd",
      policy: "zero",
      value: (m) => dollars([...m].reduce((s, [g, v]) => (rest.has(g) ? s + v : s), 0n)),
    });
  }
  return specs;
}
