/**
 * Month-end projection from a trailing window of daily spend (with a range), and spend
 * anomalies: a day far above its trailing median. Days are UTC calendar dates.
 */
import { CostInputError } from "./input.ts";
import { formatUsd } from "./money.ts";
import { Rational } from "./rational.ts";

export interface DailySpend {
  /** YYYY-MM-DD (UTC). */
  date: string;
  microUsd: bigint;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function dayNumber(date: string): number {
  const m = DATE.exec(date);
  if (!m) throw new CostInputError(`date must be YYYY-MM-DD (got "${date}")`);
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(t).toISOString().slice(0, 10) !== date) throw new CostInputError(`"${date}" is not a calendar date`);
  return t / 86_400_000;
}

function byDay(daily: readonly DailySpend[]): Map<number, bigint> {
  const map = new Map<number, bigint>();
  for (const d of daily) {
    const n = dayNumber(d.date);
    if (map.has(n)) throw new CostInputError(`date ${d.date} appears twice`);
    map.set(n, d.microUsd);
  }
  return map;
}

/** Quantile with linear interpolation between order statistics (exact). */
function quantile(sorted: readonly bigint[], q: number): Rational {
  const h = Rational.of(sorted.length - 1).mul(q);
  const lo = Number(h.floor());
  const hi = Math.min(sorted.length - 1, lo + 1);
  return Rational.of(sorted[lo]).add(Rational.of(sorted[hi] - sorted[lo]).mul(h.sub(lo)));
}

function median(values: readonly bigint[]): Rational {
  return quantile([...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), 0.5);
}

export interface ProjectionOptions {
  /** Last complete day (inclusive), YYYY-MM-DD; the month projected is this day's month. */
  asOf: string;
  /** Trailing days used for the daily rate (default 14; may reach into the previous month). */
  windowDays?: number;
  /** Quantiles of daily spend used for the range (default 0.1 and 0.9). */
  lowQuantile?: number;
  highQuantile?: number;
}

export interface Projection {
  month: string;
  daysInMonth: number;
  daysElapsed: number;
  daysRemaining: number;
  monthToDateMicroUsd: bigint;
  /** Month-to-date + remaining days x mean daily spend of the window. */
  projectedMicroUsd: bigint;
  lowMicroUsd: bigint;
  highMicroUsd: bigint;
  /** Days of the window that had data (missing days are left out, never counted as zero). */
  windowDaysWithData: number;
  method: string;
}

/** Projects the month's total from month-to-date spend plus the trailing window's daily rate. */
export function projectMonthEnd(daily: readonly DailySpend[], options: ProjectionOptions): Projection {
  const windowDays = options.windowDays ?? 14;
  const lowQ = options.lowQuantile ?? 0.1;
  const highQ = options.highQuantile ?? 0.9;
  if (!Number.isInteger(windowDays) || windowDays < 1) throw new CostInputError(`windowDays must be a whole number >= 1 (got ${windowDays})`);
  if (!(lowQ >= 0 && lowQ <= highQ && highQ <= 1)) throw new CostInputError("quantiles must satisfy 0 <= low <= high <= 1");
  const asOf = dayNumber(options.asOf);
  const [year, month, day] = options.asOf.split("-").map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const firstOfMonth = asOf - (day - 1);
  const days = byDay(daily);
  let mtd = 0n;
  for (let d = firstOfMonth; d <= asOf; d++) mtd += days.get(d) ?? 0n;
  const window: bigint[] = [];
  for (let d = asOf - windowDays + 1; d <= asOf; d++) {
    const v = days.get(d);
    if (v !== undefined) window.push(v);
  }
  const remaining = daysInMonth - day;
  const base = { month: options.asOf.slice(0, 7), daysInMonth, daysElapsed: day, daysRemaining: remaining, monthToDateMicroUsd: mtd, windowDaysWithData: window.length };
  if (window.length === 0 || remaining === 0) {
    return {
      ...base,
      projectedMicroUsd: mtd,
      lowMicroUsd: mtd,
      highMicroUsd: mtd,
      method: remaining === 0 ? "The month is complete: the projection is the month's spend." : "No spend recorded in the trailing window: the projection is month-to-date only.",
    };
  }
  const sorted = [...window].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mean = Rational.of(window.reduce((s, v) => s + v, 0n)).div(window.length);
  const project = (rate: Rational) => Rational.of(mtd).add(rate.mul(remaining)).roundHalfUp();
  return {
    ...base,
    projectedMicroUsd: project(mean),
    lowMicroUsd: project(quantile(sorted, lowQ)),
    highMicroUsd: project(quantile(sorted, highQ)),
    method:
      `Month-to-date (${day} of ${daysInMonth} days) plus ${remaining} remaining days at the mean daily spend of the last ${windowDays} days ` +
      `(${window.length} with data); the range uses the ${Math.round(lowQ * 100)}th and ${Math.round(highQ * 100)}th percentile days instead of the mean.`,
  };
}

export interface AnomalyOptions {
  /** Trailing days compared against (default 14). */
  windowDays?: number;
  /** Days of history needed before a day can be judged (default 7). */
  minHistoryDays?: number;
  /** Threshold = median + max(k x 1.4826 x MAD, floor); default k = 3. */
  k?: number;
  /** Smallest excess over the median that counts, in µ$ (default $1). */
  floorMicroUsd?: bigint;
}

export interface SpendAnomaly {
  date: string;
  microUsd: bigint;
  medianMicroUsd: bigint;
  madMicroUsd: bigint;
  thresholdMicroUsd: bigint;
  reason: string;
}

/** Days whose spend is far above their trailing median (robust to one-off spikes in the window). */
export function detectSpendAnomalies(daily: readonly DailySpend[], options: AnomalyOptions = {}): SpendAnomaly[] {
  const windowDays = options.windowDays ?? 14;
  const minHistory = options.minHistoryDays ?? 7;
  const k = Rational.of(options.k ?? 3);
  const floor = options.floorMicroUsd ?? 1_000_000n;
  const days = byDay(daily);
  const flagged: SpendAnomaly[] = [];
  const ordered = [...daily].sort((a, b) => dayNumber(a.date) - dayNumber(b.date));
  for (const d of ordered) {
    const n = dayNumber(d.date);
    const history: bigint[] = [];
    for (let p = n - windowDays; p < n; p++) {
      const v = days.get(p);
      if (v !== undefined) history.push(v);
    }
    if (history.length < minHistory) continue;
    const med = median(history);
    const mad = median(history.map((v) => {
      const diff = Rational.of(v).sub(med);
      return (diff.isNegative() ? diff.neg() : diff).roundHalfUp();
    }));
    const spread = k.mul("1.4826").mul(mad);
    const threshold = med.add(spread.max(floor));
    if (Rational.of(d.microUsd).gt(threshold)) {
      const medianMicro = med.roundHalfUp();
      const times = medianMicro > 0n ? ` (${Rational.from(d.microUsd, medianMicro).toDecimal(1)}x)` : "";
      const usedFloor = Rational.of(floor).gt(spread);
      flagged.push({
        date: d.date,
        microUsd: d.microUsd,
        medianMicroUsd: medianMicro,
        madMicroUsd: mad.roundHalfUp(),
        thresholdMicroUsd: threshold.roundHalfUp(),
        reason:
          `${formatUsd(d.microUsd)} on ${d.date} is above the trailing ${history.length}-day median of ${formatUsd(medianMicro)}${times}; ` +
          `threshold ${formatUsd(threshold.roundHalfUp())} = median + ${usedFloor ? `the ${formatUsd(floor)} minimum` : `${options.k ?? 3} x 1.4826 x MAD (${formatUsd(mad.roundHalfUp())})`}.`,
      });
    }
  }
  return flagged;
}
