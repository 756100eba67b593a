/** Statistics for "worse beyond noise" (pure): proportion z-tests and histogram tails. */
import { HISTOGRAM_RELATIVE_ACCURACY, type DurationHistogram } from "../histogram/histogram.ts";

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 erf; absolute error below 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/**
 * Pooled two-proportion z statistic of x2/n2 against x1/n1: positive when the second
 * proportion is higher. 0 when neither has events; null when a sample is empty.
 */
export function twoProportionZ(x1: number, n1: number, x2: number, n2: number): number | null {
  if (n1 <= 0 || n2 <= 0) return null;
  const p = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
  if (se === 0) return 0;
  return (x2 / n2 - x1 / n1) / se;
}

/** One-proportion z statistic of x/n against an expected proportion p0 (0 < p0 < 1). */
export function oneProportionZ(x: number, n: number, p0: number): number | null {
  if (n <= 0 || !(p0 > 0 && p0 < 1)) return null;
  return (x / n - p0) / Math.sqrt((p0 * (1 - p0)) / n);
}

const GAMMA = (1 + HISTOGRAM_RELATIVE_ACCURACY) / (1 - HISTOGRAM_RELATIVE_ACCURACY);

/**
 * How many recorded values are certainly above `x`: those in buckets whose lower bound is
 * at least x (a bucket i holds (gamma^(i-1), gamma^i]). Never overcounts.
 */
export function countAbove(h: DurationHistogram, x: number): number {
  if (h.count === 0 || h.max <= x) return 0;
  let n = 0;
  for (const [index, c] of h.buckets) if (Math.pow(GAMMA, index - 1) >= x) n += c;
  return n;
}
