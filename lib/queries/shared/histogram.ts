/**
 * The merge of stored duration histograms (lib/histogram): percentiles over any window and
 * grouping come from merging buckets, never from raw rows.
 */
import { cloneHistogram, deserializeHistogram, mergeInto, quantile, type DurationHistogram } from "../../histogram/histogram.ts";

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

/** Merges serialised histograms through the parse cache; the result is a fresh histogram. */
export function mergeCached(texts: Iterable<string>): Histogram | null {
  let merged: Histogram | null = null;
  for (const t of texts) {
    if (!t) continue;
    const h = parseCached(t);
    if (!h) continue;
    if (merged === null) merged = cloneHistogram(h);
    else mergeInto(merged, h);
  }
  return merged;
}

/** Merges b into a (either may be null). */
export function mergeHist(a: Histogram | null, b: Histogram | null): Histogram | null {
  if (!a) return b;
  if (!b) return a;
  mergeInto(a, b);
  return a;
}

/** The q-quantile (0..1) in ms, or null for an empty histogram. */
export function quantileOf(h: Histogram | null, q: number): number | null {
  if (!h) return null;
  const v = quantile(h, q);
  return v === null || Number.isNaN(v) ? null : v;
}
