/**
 * The canary comparison: is the new version of an alias worse than the stable one beyond
 * noise? Error and cold-start rates by a two-proportion z-test; p99 by a relative margin.
 */

export interface VersionSample {
  version: string;
  invocations: number;
  errors: number;
  coldStarts: number;
  p99Ms: number | null;
}

export type CheckMetric = "errorRate" | "p99" | "coldStartRate";

export interface CanaryCheck {
  metric: CheckMetric;
  label: string;
  base: number | null;
  canary: number | null;
  /** Two-sided p-value (rates only). */
  pValue: number | null;
  outcome: "worse" | "better" | "same" | "insufficient";
  detail: string;
}

export interface CanaryVerdict {
  baseVersion: string;
  canaryVersion: string;
  outcome: "worse" | "better" | "same" | "insufficient";
  headline: string;
  checks: CanaryCheck[];
}

/** Below this many invocations per version no verdict is given. */
export const MIN_SAMPLE = 100;
/** Significance level of the rate tests. */
export const ALPHA = 0.01;
/** p99 counts as worse when higher by this share and by at least P99_MIN_DELTA_MS. */
export const P99_MARGIN = 0.2;
export const P99_MIN_DELTA_MS = 5;
/** p99 needs more samples than a rate to mean anything. */
export const P99_MIN_SAMPLE = 500;

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/** Two-sided two-proportion z-test (pooled); null p when undefined (no events at all). */
export function twoProportionZTest(x1: number, n1: number, x2: number, n2: number): { z: number; pValue: number } | null {
  if (n1 <= 0 || n2 <= 0) return null;
  const p = (x1 + x2) / (n1 + n2);
  if (p === 0 || p === 1) return { z: 0, pValue: 1 };
  const se = Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
  const z = (x2 / n2 - x1 / n1) / se;
  return { z, pValue: Math.min(1, 2 * (1 - normalCdf(Math.abs(z)))) };
}

/** "p<0.001" or "p=0.004". */
export function formatP(p: number): string {
  if (p < 0.001) return "p<0.001";
  return `p=${p.toFixed(3)}`;
}

function pct(r: number): string {
  const v = r * 100;
  return v === 0 ? "0%" : v < 1 ? `${v.toFixed(2)}%` : `${v.toFixed(1)}%`;
}

function ms(v: number): string {
  return v < 1000 ? `${Math.round(v)} ms` : `${(v / 1000).toFixed(2)} s`;
}

function rateCheck(metric: "errorRate" | "coldStartRate", label: string, base: VersionSample, canary: VersionSample, pick: (s: VersionSample) => number): CanaryCheck {
  const rb = base.invocations > 0 ? pick(base) / base.invocations : null;
  const rc = canary.invocations > 0 ? pick(canary) / canary.invocations : null;
  if (base.invocations < MIN_SAMPLE || canary.invocations < MIN_SAMPLE || rb === null || rc === null) {
    return { metric, label, base: rb, canary: rc, pValue: null, outcome: "insufficient", detail: `needs at least ${MIN_SAMPLE} invocations of each version` };
  }
  const test = twoProportionZTest(pick(base), base.invocations, pick(canary), canary.invocations)!;
  const significant = test.pValue < ALPHA;
  const outcome = !significant ? "same" : rc > rb ? "worse" : "better";
  return { metric, label, base: rb, canary: rc, pValue: test.pValue, outcome, detail: `${label} ${pct(rc)} vs ${pct(rb)} (${formatP(test.pValue)})` };
}

function p99Check(base: VersionSample, canary: VersionSample): CanaryCheck {
  const b = base.p99Ms;
  const c = canary.p99Ms;
  if (b === null || c === null || base.invocations < P99_MIN_SAMPLE || canary.invocations < P99_MIN_SAMPLE) {
    return { metric: "p99", label: "p99", base: b, canary: c, pValue: null, outcome: "insufficient", detail: `needs at least ${P99_MIN_SAMPLE} invocations of each version` };
  }
  const delta = c - b;
  const outcome = Math.abs(delta) >= P99_MIN_DELTA_MS && Math.abs(delta) > P99_MARGIN * b ? (delta > 0 ? "worse" : "better") : "same";
  return { metric: "p99", label: "p99", base: b, canary: c, pValue: null, outcome, detail: `p99 ${ms(c)} vs ${ms(b)} (${outcome === "same" ? "within" : "beyond"} the ${Math.round(P99_MARGIN * 100)}% margin)` };
}

/** Compares a canary version against the base version of an alias. */
export function compareCanary(base: VersionSample, canary: VersionSample): CanaryVerdict {
  const checks = [
    rateCheck("errorRate", "error rate", base, canary, (s) => s.errors),
    p99Check(base, canary),
    rateCheck("coldStartRate", "cold-start rate", base, canary, (s) => s.coldStarts),
  ];
  const vb = `v${base.version}`;
  const vc = `v${canary.version}`;
  const worse = checks.filter((c) => c.outcome === "worse");
  const better = checks.filter((c) => c.outcome === "better");
  if (worse.length > 0) {
    return { baseVersion: base.version, canaryVersion: canary.version, outcome: "worse", headline: `${vc} is worse than ${vb}: ${worse.map((c) => c.detail).join("; ")}`, checks };
  }
  if (checks[0]!.outcome === "insufficient") {
    const short = [base, canary].filter((s) => s.invocations < MIN_SAMPLE).map((s) => `v${s.version} has ${s.invocations} invocation${s.invocations === 1 ? "" : "s"}`);
    return { baseVersion: base.version, canaryVersion: canary.version, outcome: "insufficient", headline: `Not enough traffic to compare ${vc} with ${vb} yet: ${short.join(", ")} (need ${MIN_SAMPLE} each). Widen the time range.`, checks };
  }
  if (better.length > 0) {
    return { baseVersion: base.version, canaryVersion: canary.version, outcome: "better", headline: `${vc} is better than ${vb}: ${better.map((c) => c.detail).join("; ")}`, checks };
  }
  return { baseVersion: base.version, canaryVersion: canary.version, outcome: "same", headline: `No significant difference between ${vc} and ${vb} (${checks[0]!.detail})`, checks };
}
