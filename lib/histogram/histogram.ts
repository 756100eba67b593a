// Mergeable log-scale duration histogram (DDSketch-style): any quantile of any merge of
// histograms is within 2% relative error, so rollups never need the raw values again.
import { unparsed, type Unparsed } from "../parse/unparsed.ts";

/** Relative accuracy of every quantile estimate. */
export const HISTOGRAM_RELATIVE_ACCURACY = 0.02;

const GAMMA = (1 + HISTOGRAM_RELATIVE_ACCURACY) / (1 - HISTOGRAM_RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** Values at or below this (and negatives, clamped to 0) land in the zero bucket. */
const MIN_INDEXABLE = 1e-9;
/** Far outside any real index (|log_gamma(Number.MAX_VALUE)| is about 17,750); guards deserialization. */
const MAX_ABS_INDEX = 100_000;
const FORMAT_VERSION = 1;

export interface DurationHistogram {
  /** Count of values <= 1e-9 (including negatives, clamped to 0). */
  zeroCount: number;
  /** Bucket index -> count; bucket i holds values in (gamma^(i-1), gamma^i]. */
  buckets: Map<number, number>;
  count: number;
  sum: number;
  /** Infinity when empty. */
  min: number;
  /** -Infinity when empty. */
  max: number;
}

export type HistogramResult = { kind: "histogram"; histogram: DurationHistogram } | Unparsed;

/** Returns a new empty histogram. */
export function createHistogram(): DurationHistogram {
  return { zeroCount: 0, buckets: new Map(), count: 0, sum: 0, min: Infinity, max: -Infinity };
}

/** Records `value` `count` times (mutates and returns h); non-finite values and non-positive-integer counts are ignored. */
export function addValue(h: DurationHistogram, value: number, count = 1): DurationHistogram {
  if (!Number.isFinite(value) || !Number.isInteger(count) || count <= 0) return h;
  const v = value < 0 ? 0 : value;
  if (v <= MIN_INDEXABLE) {
    h.zeroCount += count;
  } else {
    const index = bucketIndex(v);
    h.buckets.set(index, (h.buckets.get(index) ?? 0) + count);
  }
  h.count += count;
  h.sum += v * count;
  if (v < h.min) h.min = v;
  if (v > h.max) h.max = v;
  return h;
}

/** Builds a histogram from a list of values. */
export function histogramFromValues(values: Iterable<number>): DurationHistogram {
  const h = createHistogram();
  for (const v of values) addValue(h, v);
  return h;
}

/** Adds src into target (mutates and returns target). */
export function mergeInto(target: DurationHistogram, src: DurationHistogram): DurationHistogram {
  target.zeroCount += src.zeroCount;
  for (const [index, c] of src.buckets) target.buckets.set(index, (target.buckets.get(index) ?? 0) + c);
  target.count += src.count;
  target.sum += src.sum;
  if (src.min < target.min) target.min = src.min;
  if (src.max > target.max) target.max = src.max;
  return target;
}

/** Returns a new histogram holding a and b; neither input changes. */
export function mergeHistograms(a: DurationHistogram, b: DurationHistogram): DurationHistogram {
  return mergeInto(cloneHistogram(a), b);
}

/** Returns an independent copy of h. */
export function cloneHistogram(h: DurationHistogram): DurationHistogram {
  return { zeroCount: h.zeroCount, buckets: new Map(h.buckets), count: h.count, sum: h.sum, min: h.min, max: h.max };
}

/** q-quantile (0..1) within 2% of the value at rank floor(q*(count-1)), exact at 0 and 1; null when empty. */
export function quantile(h: DurationHistogram, q: number): number | null {
  return quantiles(h, [q])[0]!;
}

/** quantile() for several q at once (the buckets are sorted once); same results. */
export function quantiles(h: DurationHistogram, qs: number[]): Array<number | null> {
  if (h.count === 0) return qs.map(() => null);
  const indices = [...h.buckets.keys()].sort((x, y) => x - y);
  return qs.map((q) => {
    if (Number.isNaN(q)) return null;
    // The extremes are tracked exactly.
    const rank = Math.min(Math.max(q, 0), 1) * (h.count - 1);
    if (rank <= 0) return h.min;
    if (rank >= h.count - 1) return h.max;
    if (rank < h.zeroCount) return clamp(0, h);
    let seen = h.zeroCount;
    for (const index of indices) {
      seen += h.buckets.get(index)!;
      if (seen > rank) return clamp(bucketValue(index), h);
    }
    return h.max;
  });
}

/** Number of recorded values. */
export function count(h: DurationHistogram): number {
  return h.count;
}

/** Sum of recorded values (negatives counted as 0). */
export function sum(h: DurationHistogram): number {
  return h.sum;
}

/** Smallest recorded value (exact); null when empty. */
export function min(h: DurationHistogram): number | null {
  return h.count === 0 ? null : h.min;
}

/** Largest recorded value (exact); null when empty. */
export function max(h: DurationHistogram): number | null {
  return h.count === 0 ? null : h.max;
}

// Format: {"v":1,"n":count,"s":sum,"lo":min,"hi":max,"z":zeroCount,"b":[firstIndex,count,indexGap,count,...]}.
/** Compact, stable text for a DB column (same histogram, same string). */
export function serializeHistogram(h: DurationHistogram): string {
  const indices = [...h.buckets.keys()].filter((i) => h.buckets.get(i)! > 0).sort((x, y) => x - y);
  const b: number[] = [];
  let prev = 0;
  for (let k = 0; k < indices.length; k++) {
    const index = indices[k];
    b.push(k === 0 ? index : index - prev, h.buckets.get(index)!);
    prev = index;
  }
  const lohi = h.count > 0 ? `,"lo":${JSON.stringify(h.min)},"hi":${JSON.stringify(h.max)}` : "";
  return `{"v":${FORMAT_VERSION},"n":${h.count},"s":${JSON.stringify(h.sum)}${lohi},"z":${h.zeroCount},"b":${JSON.stringify(b)}}`;
}

/** Parses serializeHistogram output; never throws, returns unparsed for anything malformed. */
export function deserializeHistogram(text: string): HistogramResult {
  if (typeof text !== "string") return unparsed("not a string");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return unparsed("invalid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return unparsed("not an object");
  const o = value as Record<string, unknown>;
  if (o.v !== FORMAT_VERSION) return unparsed(`unsupported histogram version ${String(o.v)}`);
  const { n, s, z, b, lo, hi } = o;
  if (!isCount(n) || !isCount(z)) return unparsed("invalid count");
  if (typeof s !== "number" || !Number.isFinite(s) || s < 0) return unparsed("invalid sum");
  if (!Array.isArray(b) || b.length % 2 !== 0) return unparsed("invalid buckets");
  const h = createHistogram();
  h.zeroCount = z;
  let index = 0;
  let total = z;
  for (let k = 0; k < b.length; k += 2) {
    const step = b[k];
    const c = b[k + 1];
    if (!Number.isInteger(step) || (k > 0 && step <= 0) || !isCount(c) || c === 0) return unparsed("invalid buckets");
    index = k === 0 ? step : index + step;
    if (Math.abs(index) > MAX_ABS_INDEX) return unparsed("bucket index out of range");
    h.buckets.set(index, c);
    total += c;
  }
  if (total !== n) return unparsed("count does not match buckets");
  h.count = n;
  h.sum = s;
  if (n > 0) {
    if (typeof lo !== "number" || typeof hi !== "number" || !(lo >= 0) || !(hi >= lo) || !Number.isFinite(hi)) {
      return unparsed("invalid min/max");
    }
    h.min = lo;
    h.max = hi;
  }
  return { kind: "histogram", histogram: h };
}

/**
 * Adds the histogram serialised in `text` into `target` without building an intermediate
 * histogram (the hot path of every percentile over many rollup rows). Returns false and leaves
 * `target` unchanged when the text is not valid serializeHistogram output.
 */
export function mergeSerializedInto(target: DurationHistogram, text: string): boolean {
  if (scanSerialized(text, scan)) {
    applyScan(target, scan);
    return true;
  }
  // Anything the scanner does not recognise (whitespace, key order) goes through the full parser.
  const r = deserializeHistogram(text);
  if (r.kind !== "histogram") return false;
  mergeInto(target, r.histogram);
  return true;
}

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

interface Scan {
  n: number;
  s: number;
  lo: number;
  hi: number;
  z: number;
  b: number[];
}

const scan: Scan = { n: 0, s: 0, lo: Infinity, hi: -Infinity, z: 0, b: [] };

function applyScan(target: DurationHistogram, x: Scan): void {
  target.zeroCount += x.z;
  let index = 0;
  for (let k = 0; k < x.b.length; k += 2) {
    index = k === 0 ? x.b[0]! : index + x.b[k]!;
    const c = x.b[k + 1]!;
    target.buckets.set(index, (target.buckets.get(index) ?? 0) + c);
  }
  target.count += x.n;
  target.sum += x.s;
  if (x.n > 0) {
    if (x.lo < target.min) target.min = x.lo;
    if (x.hi > target.max) target.max = x.hi;
  }
}

/** Bucket pairs of the text being scanned (reused: scanning is synchronous). */
const scratch: number[] = [];
let pos = 0;

/** An integer token at pos (digits, optional '-', no leading zero); NaN for anything else. */
function scanInt(text: string): number {
  const start = pos;
  if (text.charCodeAt(pos) === 45) pos++;
  const first = pos;
  let v = 0;
  while (pos < text.length) {
    const c = text.charCodeAt(pos);
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
    pos++;
  }
  if (pos === first || (text.charCodeAt(first) === 48 && pos - first > 1) || pos - first > 15) return NaN;
  return text.charCodeAt(start) === 45 ? -v : v;
}

/** A JSON number token at pos; NaN when it is not one. */
function scanNumber(text: string): number {
  const start = pos;
  while (pos < text.length) {
    const c = text.charCodeAt(pos);
    if ((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 101 || c === 69) pos++;
    else break;
  }
  const token = text.slice(start, pos);
  return JSON_NUMBER.test(token) ? Number(token) : NaN;
}

function scanLiteral(text: string, l: string): boolean {
  if (!text.startsWith(l, pos)) return false;
  pos += l.length;
  return true;
}

/** Reads exactly the compact form serializeHistogram writes, with deserializeHistogram's checks; false otherwise. */
function scanSerialized(text: string, out: Scan): boolean {
  pos = 0;
  scratch.length = 0;
  if (typeof text !== "string" || !scanLiteral(text, `{"v":${FORMAT_VERSION},"n":`)) return false;
  const n = scanInt(text);
  if (!scanLiteral(text, `,"s":`)) return false;
  const sum = scanNumber(text);
  let lo = Infinity;
  let hi = -Infinity;
  if (scanLiteral(text, `,"lo":`)) {
    lo = scanNumber(text);
    if (!scanLiteral(text, `,"hi":`)) return false;
    hi = scanNumber(text);
  }
  if (!scanLiteral(text, `,"z":`)) return false;
  const z = scanInt(text);
  if (!scanLiteral(text, `,"b":[`)) return false;
  if (!scanLiteral(text, "]")) {
    for (;;) {
      scratch.push(scanInt(text));
      if (scanLiteral(text, "]")) break;
      if (!scanLiteral(text, ",")) return false;
    }
  }
  if (!scanLiteral(text, "}") || pos !== text.length) return false;
  if (!isCount(n) || !isCount(z) || !Number.isFinite(sum) || sum < 0 || scratch.length % 2 !== 0) return false;
  let index = 0;
  let total = z;
  for (let k = 0; k < scratch.length; k += 2) {
    const step = scratch[k]!;
    const c = scratch[k + 1]!;
    if (!Number.isInteger(step) || (k > 0 && step <= 0) || !isCount(c) || c === 0) return false;
    index = k === 0 ? step : index + step;
    if (Math.abs(index) > MAX_ABS_INDEX) return false;
    total += c;
  }
  if (total !== n) return false;
  if (n > 0 && (!(lo >= 0) || !(hi >= lo) || !Number.isFinite(hi))) return false;
  if (n === 0 && (lo !== Infinity || hi !== -Infinity)) return false;
  out.n = n;
  out.s = sum;
  out.lo = lo;
  out.hi = hi;
  out.z = z;
  out.b = scratch;
  return true;
}

/** deserializeHistogram, falling back to an empty histogram for missing or malformed text. */
export function deserializeHistogramOrEmpty(text: string | null | undefined): DurationHistogram {
  if (text === null || text === undefined) return createHistogram();
  const r = deserializeHistogram(text);
  return r.kind === "histogram" ? r.histogram : createHistogram();
}

function bucketIndex(v: number): number {
  return Math.ceil(Math.log(v) / LOG_GAMMA);
}

/** Midpoint (in relative terms) of bucket i: within the accuracy of every value in it. */
function bucketValue(index: number): number {
  return (2 * Math.pow(GAMMA, index)) / (GAMMA + 1);
}

function clamp(v: number, h: DurationHistogram): number {
  return v < h.min ? h.min : v > h.max ? h.max : v;
}

function isCount(x: unknown): x is number {
  return typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
}
