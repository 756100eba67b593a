/**
 * The merge of stored duration histograms (lib/histogram): percentiles over any window and
 * grouping come from merging buckets, never from raw rows.
 */
import { createHistogram, deserializeHistogram, mergeInto, mergeSerializedInto, quantile, quantiles, type DurationHistogram } from "../../histogram/histogram.ts";

export type Histogram = DurationHistogram;

const parsed = new Map<string, Histogram | null>();
const PARSED_MAX = 20_000;

/** Deserialises once per distinct text (rows are merged several ways per request); never mutate the result. */
export function parseCached(text: string): Histogram | null {
  const hit = parsed.get(text);
  if (hit !== undefined) return hit;
  const r = deserializeHistogram(text);
  const h = r.kind === "histogram" ? r.histogram : null;
  if (parsed.size >= PARSED_MAX) parsed.clear();
  parsed.set(text, h);
  return h;
}

/** Merges serialised histograms (malformed ones skipped); a fresh histogram, or null when none was valid. */
export function mergeCached(texts: Iterable<string>): Histogram | null {
  const merged = createHistogram();
  let any = false;
  for (const t of texts) if (t && mergeSerializedInto(merged, t)) any = true;
  return any ? merged : null;
}

/** Merges b into a (either may be null). */
export function mergeHist(a: Histogram | null, b: Histogram | null): Histogram | null {
  if (!a) return b;
  if (!b) return a;
  mergeInto(a, b);
  return a;
}

/** Several quantiles (0..1) in ms at once, null for an empty histogram. */
export function quantilesOf(h: Histogram | null, qs: number[]): Array<number | null> {
  if (!h) return qs.map(() => null);
  return quantiles(h, qs).map((v) => (v === null || Number.isNaN(v) ? null : v));
}

/** The q-quantile (0..1) in ms, or null for an empty histogram. */
export function quantileOf(h: Histogram | null, q: number): number | null {
  if (!h) return null;
  const v = quantile(h, q);
  return v === null || Number.isNaN(v) ? null : v;
}
