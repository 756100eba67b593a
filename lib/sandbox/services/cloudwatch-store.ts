/**
 * Compact in-memory storage for the sandbox's CloudWatch metrics: one series per
 * namespace + metric name + exact dimension set, holding per-minute (or per-second for
 * high-resolution data) aggregates in parallel columns sorted by bucket time.
 * Distributions for percentiles are kept only where a bucket's values differ: a short
 * raw list while small (exact percentiles), a mergeable log-scale histogram beyond.
 */
import { addValue, createHistogram, deserializeHistogramOrEmpty, mergeInto, quantile, serializeHistogram, type DurationHistogram } from "../../histogram/histogram.ts";

type Histogram = DurationHistogram;

/** The histogram counts whole samples; CloudWatch Counts may be fractional. */
const wholeCount = (count: number) => Math.max(1, Math.round(count));

export interface Dimension {
  Name: string;
  Value: string;
}

/** A bucket's distribution: raw values, a histogram, or 0 when percentiles are unavailable (statistic sets, negatives). */
export type Dist = number[] | { h: Histogram } | 0;

/** Raw values kept per bucket before switching to a histogram. */
const RAW_LIMIT = 64;
/** Up to this many samples a period's percentile is computed exactly from raw values. */
const EXACT_LIMIT = 4096;

/** Identity of a series: namespace, name and the exact (sorted) dimension set. */
export function seriesId(namespace: string, name: string, dims: Dimension[]): string {
  // Called per ingested datum: a plain loop (no closure, no temporary array).
  let id = namespace + "\u0000" + name + "\u0000";
  for (let i = 0; i < dims.length; i++) id += (i === 0 ? "" : "\u0002") + dims[i]!.Name + "\u0001" + dims[i]!.Value;
  return id;
}

interface LookupNode<T> {
  next: Map<string, LookupNode<T>> | undefined;
  value: T | undefined;
}

/**
 * Exact (namespace, name, sorted dimensions) -> value lookups that walk the parts one by
 * one instead of building and hashing a series id string per datum.
 */
export class SeriesLookup<T> {
  private root: LookupNode<T> = { next: undefined, value: undefined };

  get(namespace: string, name: string, dims: Dimension[]): T | undefined {
    let node = this.root.next?.get(namespace)?.next?.get(name);
    for (let i = 0; node && i < dims.length; i++) node = node.next?.get(dims[i]!.Name)?.next?.get(dims[i]!.Value);
    return node?.value;
  }

  set(namespace: string, name: string, dims: Dimension[], value: T): void {
    let node = child(child(this.root, namespace), name);
    for (let i = 0; i < dims.length; i++) node = child(child(node, dims[i]!.Name), dims[i]!.Value);
    node.value = value;
  }

  clear(): void {
    this.root = { next: undefined, value: undefined };
  }
}

function child<T>(node: LookupNode<T>, key: string): LookupNode<T> {
  node.next ??= new Map();
  let c = node.next.get(key);
  if (!c) {
    c = { next: undefined, value: undefined };
    node.next.set(key, c);
  }
  return c;
}

/** Dimensions sorted by name, the canonical order used for identity and output (the input when already sorted). */
export function sortDimensions(dims: Dimension[] | undefined): Dimension[] {
  if (!dims || dims.length === 0) return [];
  let sorted = true;
  for (let i = 1; i < dims.length && sorted; i++) if (dims[i - 1]!.Name > dims[i]!.Name) sorted = false;
  return sorted ? dims : [...dims].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
}

/** Aggregates of one output period: column index range plus merged simple statistics. */
export interface PeriodSlice {
  /** Period start, epoch seconds. */
  ts: number;
  i0: number;
  i1: number;
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** One metric series with columnar per-bucket aggregates. */
export class MetricSeries {
  keys: number[] = [];
  cnt: number[] = [];
  sum: number[] = [];
  min: number[] = [];
  max: number[] = [];
  dist: (Dist | undefined)[] = [];

  constructor(
    readonly id: string,
    readonly namespace: string,
    readonly name: string,
    readonly dims: Dimension[],
    public unit: string,
    /** Ingestion time (ms) of the latest data point, for ListMetrics RecentlyActive. */
    public lastPut: number,
  ) {}

  /** Index of the bucket with this key, creating it (empty) when missing. */
  private slot(key: number): { i: number; fresh: boolean } {
    const n = this.keys.length;
    if (n === 0 || key > this.keys[n - 1]!) {
      this.push(n, key);
      return { i: n, fresh: true };
    }
    if (key === this.keys[n - 1]) return { i: n - 1, fresh: false };
    const i = lowerBound(this.keys, key);
    if (this.keys[i] === key) return { i, fresh: false };
    this.push(i, key);
    return { i, fresh: true };
  }

  private push(i: number, key: number): void {
    if (i === this.keys.length) {
      this.keys.push(key);
      this.cnt.push(0);
      this.sum.push(0);
      this.min.push(0);
      this.max.push(0);
      this.dist.push(undefined);
    } else {
      this.keys.splice(i, 0, key);
      this.cnt.splice(i, 0, 0);
      this.sum.splice(i, 0, 0);
      this.min.splice(i, 0, 0);
      this.max.splice(i, 0, 0);
      this.dist.splice(i, 0, undefined);
    }
  }

  /** Adds `count` samples of `value` to the bucket at `key` (epoch seconds). */
  addSample(key: number, value: number, count: number): void {
    const { i, fresh } = this.slot(key);
    if (fresh) {
      this.cnt[i] = count;
      this.sum[i] = value * count;
      this.min[i] = value;
      this.max[i] = value;
      this.dist[i] = value < 0 ? 0 : undefined;
      return;
    }
    const oldCount = this.cnt[i]!;
    const oldMin = this.min[i]!;
    const oldMax = this.max[i]!;
    this.cnt[i] = oldCount + count;
    this.sum[i] = this.sum[i]! + value * count;
    if (value < oldMin) this.min[i] = value;
    if (value > oldMax) this.max[i] = value;
    const d = this.dist[i];
    if (d === 0) return;
    if (value < 0) {
      this.dist[i] = 0;
      return;
    }
    if (d === undefined) {
      if (value === oldMin && value === oldMax) return;
      this.dist[i] = withSamples(withSamples(undefined, oldMin, oldCount), value, count);
      return;
    }
    this.dist[i] = withSamples(d, value, count);
  }

  /** Adds a statistic set; its distribution is unknown unless it holds one sample or equal values (as AWS). */
  addStatisticSet(key: number, n: number, sum: number, min: number, max: number): void {
    if (n === 1 || min === max) {
      const { i, fresh } = this.slot(key);
      if (fresh) {
        this.cnt[i] = n;
        this.sum[i] = sum;
        this.min[i] = min;
        this.max[i] = max;
        this.dist[i] = min < 0 ? 0 : undefined;
        return;
      }
      // Reuse the sample path for the distribution, then restore the exact sum.
      const before = this.sum[i]!;
      this.addSample(key, min, n);
      this.sum[i] = before + sum;
      return;
    }
    const { i, fresh } = this.slot(key);
    this.cnt[i] = fresh ? n : this.cnt[i]! + n;
    this.sum[i] = fresh ? sum : this.sum[i]! + sum;
    this.min[i] = fresh ? min : Math.min(this.min[i]!, min);
    this.max[i] = fresh ? max : Math.max(this.max[i]!, max);
    this.dist[i] = 0;
  }

  /** Groups buckets with keys in [from, to) into periods aligned to multiples of `period` seconds. */
  periods(from: number, to: number, period: number): PeriodSlice[] {
    const out: PeriodSlice[] = [];
    let i = lowerBound(this.keys, from);
    const n = this.keys.length;
    while (i < n && this.keys[i]! < to) {
      const ts = Math.floor(this.keys[i]! / period) * period;
      const slice: PeriodSlice = { ts, i0: i, i1: i, count: 0, sum: 0, min: Infinity, max: -Infinity };
      while (i < n && this.keys[i]! < to && this.keys[i]! < ts + period) {
        slice.count += this.cnt[i]!;
        slice.sum += this.sum[i]!;
        if (this.min[i]! < slice.min) slice.min = this.min[i]!;
        if (this.max[i]! > slice.max) slice.max = this.max[i]!;
        i++;
      }
      slice.i1 = i;
      out.push(slice);
    }
    return out;
  }

  /** The p-th percentile (0..100) of a period, or undefined when AWS would not have one. */
  percentile(slice: PeriodSlice, p: number): number | undefined {
    let exact = true;
    for (let i = slice.i0; i < slice.i1; i++) {
      const d = this.dist[i];
      if (d === 0) return undefined;
      if (d !== undefined && !Array.isArray(d)) exact = false;
      if (!Number.isInteger(this.cnt[i])) exact = false;
    }
    if (slice.count <= 0) return undefined;
    if (p <= 0) return slice.min;
    if (p >= 100) return slice.max;
    if (exact && slice.count <= EXACT_LIMIT) {
      const values: number[] = [];
      for (let i = slice.i0; i < slice.i1; i++) {
        const d = this.dist[i];
        if (Array.isArray(d)) values.push(...d);
        else for (let k = 0; k < this.cnt[i]!; k++) values.push(this.min[i]!);
      }
      values.sort((a, b) => a - b);
      return values[nearestRank(p, values.length)];
    }
    const h = createHistogram();
    for (let i = slice.i0; i < slice.i1; i++) {
      const d = this.dist[i];
      if (d === undefined) addValue(h, this.min[i]!, wholeCount(this.cnt[i]!));
      else if (Array.isArray(d)) for (const v of d) addValue(h, v);
      else if (d !== 0) mergeInto(h, d.h);
    }
    // lib/histogram ranks at floor(q * (n - 1)); ask for the nearest-rank position instead.
    const n = h.count;
    const q = quantile(h, n > 1 ? (nearestRank(p, n) + 1e-9) / (n - 1) : 0);
    return q === null ? undefined : Math.min(slice.max, Math.max(slice.min, q));
  }

  /** JSON form: delta-encoded keys, signed counts (negative = non-uniform bucket) and packed values. */
  toJSON(): SeriesSnapshot {
    const k: number[] = [];
    const c: number[] = [];
    const v: number[] = [];
    const d: [number, number[] | { h: string } | 0][] = [];
    let prev = 0;
    for (let i = 0; i < this.keys.length; i++) {
      k.push(this.keys[i]! - prev);
      prev = this.keys[i]!;
      if (this.min[i] === this.max[i]) {
        c.push(this.cnt[i]!);
        v.push(this.min[i]!, this.sum[i]!);
      } else {
        c.push(-this.cnt[i]!);
        v.push(this.sum[i]!, this.min[i]!, this.max[i]!);
      }
      const dist = this.dist[i];
      if (dist === 0) d.push([i, 0]);
      else if (Array.isArray(dist)) d.push([i, dist]);
      else if (dist) d.push([i, { h: serializeHistogram(dist.h) }]);
    }
    return { ns: this.namespace, n: this.name, dims: this.dims, u: this.unit, lp: this.lastPut, k, c, v, d };
  }

  static fromJSON(s: SeriesSnapshot): MetricSeries {
    const series = new MetricSeries(seriesId(s.ns, s.n, s.dims), s.ns, s.n, s.dims, s.u, s.lp);
    let key = 0;
    let p = 0;
    for (let i = 0; i < s.k.length; i++) {
      key += s.k[i]!;
      series.keys.push(key);
      const c = s.c[i]!;
      series.cnt.push(Math.abs(c));
      if (c >= 0) {
        series.min.push(s.v[p]!);
        series.max.push(s.v[p]!);
        series.sum.push(s.v[p + 1]!);
        p += 2;
      } else {
        series.sum.push(s.v[p]!);
        series.min.push(s.v[p + 1]!);
        series.max.push(s.v[p + 2]!);
        p += 3;
      }
      series.dist.push(undefined);
    }
    for (const [i, dist] of s.d) {
      series.dist[i] = dist === 0 ? 0 : Array.isArray(dist) ? dist : { h: deserializeHistogramOrEmpty(dist.h) };
    }
    return series;
  }
}

export interface SeriesSnapshot {
  ns: string;
  n: string;
  dims: Dimension[];
  u: string;
  lp: number;
  k: number[];
  c: number[];
  v: number[];
  d: [number, number[] | { h: string } | 0][];
}

/** Adds `count` samples of `value` to a (non-zero) distribution; undefined starts a new one. */
function withSamples(d: number[] | { h: Histogram } | undefined, value: number, count: number): number[] | { h: Histogram } {
  if (count <= 0) return d ?? [];
  if (d === undefined || Array.isArray(d)) {
    const raw = d ?? [];
    if (Number.isInteger(count) && raw.length + count <= RAW_LIMIT) {
      for (let k = 0; k < count; k++) raw.push(value);
      return raw;
    }
    const h = createHistogram();
    for (const v of raw) addValue(h, v);
    addValue(h, value, wholeCount(count));
    return { h };
  }
  addValue(d.h, value, wholeCount(count));
  return d;
}

/** Index of the p-th percentile (0..100) among n sorted samples: nearest rank, ceil(p/100 * n) - 1. */
export function nearestRank(p: number, n: number): number {
  return Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n - 1e-9) - 1));
}

/** First index i with arr[i] >= x (arr ascending). */
export function lowerBound(arr: number[], x: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
