/**
 * Chart preparation: turns bucketed query results into rows of number | null. Each series
 * declares its gap policy — a missing count inside the collected span is a real zero, a
 * missing rate or percentile is a gap — so no chart ever invents a point.
 */

export type GapPolicy = "zero" | "gap";
export type Unit = "count" | "ms" | "percent" | "gbs" | "usd" | "mb";

export interface SeriesSpec<B> {
  key: string;
  label: string;
  unit: Unit;
  policy: GapPolicy;
  /** The value of a bucket that has data (null when undefined for it, e.g. p99 of 0 calls). */
  value: (bucket: B) => number | null;
}

export interface SeriesMeta {
  key: string;
  label: string;
  unit: Unit;
  policy: GapPolicy;
}

export type ChartRow = { t: number } & Record<string, number | null>;

export interface PreparedSeries {
  rows: ChartRow[];
  series: SeriesMeta[];
  stepMs: number;
  /** True when at least one value is non-null and non-zero. */
  hasData: boolean;
}

export interface Coverage {
  /** First instant the store has data for (ms), or null when it has none. */
  from: number | null;
  /** Instant up to which data is collected (ms, exclusive). */
  to: number | null;
}

/** Prepares rows for the given bucket starts. */
export function prepareTimeSeries<B>(input: { starts: number[]; stepMs: number; buckets: Map<number, B>; series: SeriesSpec<B>[]; coverage: Coverage }): PreparedSeries {
  const { starts, stepMs, buckets, series, coverage } = input;
  let hasData = false;
  const rows = starts.map((t) => {
    const row: ChartRow = { t };
    const bucket = buckets.get(t);
    const covered = coverage.from !== null && coverage.to !== null && t + stepMs > coverage.from && t < coverage.to;
    for (const s of series) {
      let v: number | null;
      if (bucket !== undefined) v = s.value(bucket);
      else v = s.policy === "zero" && covered ? 0 : null;
      if (v !== null && !Number.isFinite(v)) v = null;
      if (v !== null && v !== 0) hasData = true;
      row[s.key] = v;
    }
    return row;
  });
  return { rows, series: series.map(({ key, label, unit, policy }) => ({ key, label, unit, policy })), stepMs, hasData };
}

/** Groups items into buckets by a time key. */
export function groupByBucket<T>(items: T[], bucketOf: (item: T) => number): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const it of items) {
    const k = bucketOf(it);
    const g = out.get(k);
    if (g) g.push(it);
    else out.set(k, [it]);
  }
  return out;
}
