/**
 * Time ranges and filters <-> URL search params. Pure: every page and API route parses
 * `range` (a preset) or `from`/`to` (custom, UTC) with the same rules, so a link pasted in
 * an incident channel shows the same window to everyone.
 */
import { z } from "zod";

export const PRESETS = ["15m", "1h", "6h", "24h", "7d", "30d"] as const;
export type Preset = (typeof PRESETS)[number];
export const DEFAULT_PRESET: Preset = "24h";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The longest custom window accepted (rollups are kept this long at most). */
export const MAX_RANGE_MS = 90 * DAY;

export const PRESET_MS: Record<Preset, number> = {
  "15m": 15 * MINUTE,
  "1h": HOUR,
  "6h": 6 * HOUR,
  "24h": DAY,
  "7d": 7 * DAY,
  "30d": 30 * DAY,
};

export const PRESET_LABEL: Record<Preset, string> = {
  "15m": "Last 15 minutes",
  "1h": "Last hour",
  "6h": "Last 6 hours",
  "24h": "Last 24 hours",
  "7d": "Last 7 days",
  "30d": "Last 30 days",
};

export interface TimeRange {
  /** The preset, or "custom" when from/to were given. */
  preset: Preset | "custom";
  /** Inclusive start, minute-aligned. */
  from: Date;
  /** Exclusive end, minute-aligned. */
  to: Date;
  /** Chart bucket width in ms (1 min, 5 min, 1 h or 6 h). */
  stepMs: number;
}

export type SearchParamsInput = URLSearchParams | Record<string, string | string[] | undefined>;

/** A query-string problem: which parameter and why, ready for a 400 or a friendly page message. */
export interface QueryProblem {
  param: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: QueryProblem };

/** Reads one parameter as a string (the first value when repeated). */
export function getParam(params: SearchParamsInput, name: string): string | undefined {
  if (params instanceof URLSearchParams) return params.get(name) ?? undefined;
  const v = params[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Turns search params into a plain record of first values (for zod). */
export function paramsToRecord(params: SearchParamsInput): Record<string, string> {
  const out: Record<string, string> = {};
  if (params instanceof URLSearchParams) {
    for (const [k, v] of params) if (!(k in out)) out[k] = v;
    return out;
  }
  for (const [k, v] of Object.entries(params)) {
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined) out[k] = first;
  }
  return out;
}

const floorTo = (ms: number, step: number) => Math.floor(ms / step) * step;
const ceilTo = (ms: number, step: number) => Math.ceil(ms / step) * step;

/** Chart bucket width for a window: about 15-360 points, always dividing a UTC day. */
export function stepFor(durationMs: number): number {
  if (durationMs <= 2 * HOUR) return MINUTE;
  if (durationMs <= 12 * HOUR) return 5 * MINUTE;
  if (durationMs <= 8 * DAY) return HOUR;
  return 6 * HOUR;
}

const DATE_LIKE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Parses a custom bound: ISO 8601 (a bare date or date-time without zone is UTC) or epoch ms. */
export function parseInstant(raw: string): Date | null {
  const s = raw.trim();
  if (/^\d{10,14}$/.test(s)) {
    const d = new Date(Number(s));
    return Number.isNaN(d.getTime()) ? null : d;
  }
  if (!DATE_LIKE.test(s)) return null;
  const withZone = /T/.test(s) && !/(Z|[+-]\d{2}:?\d{2})$/.test(s) ? `${s}Z` : /T/.test(s) ? s : `${s}T00:00Z`;
  const d = new Date(withZone);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Parses range/from/to. Missing both gives the default preset ending at `now`. */
export function parseTimeRange(params: SearchParamsInput, now: Date, fallback: Preset = DEFAULT_PRESET): Parsed<TimeRange> {
  const rawRange = getParam(params, "range");
  const rawFrom = getParam(params, "from");
  const rawTo = getParam(params, "to");
  if (rawFrom !== undefined || rawTo !== undefined) {
    if (rawRange !== undefined && rawRange !== "custom")
      return { ok: false, problem: { param: "range", message: "give either a preset range or from/to, not both" } };
    if (rawFrom === undefined) return { ok: false, problem: { param: "from", message: "is required when to is given (ISO 8601 date-time, UTC)" } };
    if (rawTo === undefined) return { ok: false, problem: { param: "to", message: "is required when from is given (ISO 8601 date-time, UTC)" } };
    const from = parseInstant(rawFrom);
    if (!from) return { ok: false, problem: { param: "from", message: `"${clip(rawFrom)}" is not a date-time; use ISO 8601 such as 2026-01-31T14:00Z` } };
    const to = parseInstant(rawTo);
    if (!to) return { ok: false, problem: { param: "to", message: `"${clip(rawTo)}" is not a date-time; use ISO 8601 such as 2026-01-31T15:00Z` } };
    const fromMs = floorTo(from.getTime(), MINUTE);
    const toMs = ceilTo(to.getTime(), MINUTE);
    if (toMs <= fromMs) return { ok: false, problem: { param: "to", message: "must be after from" } };
    if (toMs - fromMs > MAX_RANGE_MS) return { ok: false, problem: { param: "from", message: "the window is longer than 90 days; choose a shorter one" } };
    return { ok: true, value: { preset: "custom", from: new Date(fromMs), to: new Date(toMs), stepMs: stepFor(toMs - fromMs) } };
  }
  const preset = rawRange === undefined || rawRange === "" ? fallback : rawRange;
  if (!(PRESETS as readonly string[]).includes(preset))
    return { ok: false, problem: { param: "range", message: `"${clip(preset)}" is not a range; use one of ${PRESETS.join(", ")} or from/to` } };
  const p = preset as Preset;
  // Ends after the current minute; starts on a bucket boundary so the first bucket is whole.
  const toMs = ceilTo(now.getTime() + 1, MINUTE);
  const stepMs = stepFor(PRESET_MS[p]);
  return { ok: true, value: { preset: p, from: new Date(floorTo(toMs - PRESET_MS[p], stepMs)), to: new Date(toMs), stepMs } };
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/** The URL params that reproduce a range (presets stay relative, custom stays absolute). */
export function timeRangeToParams(range: Pick<TimeRange, "preset" | "from" | "to">): Record<string, string> {
  if (range.preset === "custom") return { from: isoMinute(range.from), to: isoMinute(range.to) };
  return { range: range.preset };
}

/** 2026-01-31T14:05Z: minute precision, UTC. */
export function isoMinute(d: Date): string {
  return `${d.toISOString().slice(0, 16)}Z`;
}

/**
 * A query string from the current params with some set or removed (undefined/"" removes).
 * Setting range removes from/to and vice versa, so the two never conflict.
 */
export function mergeParams(current: SearchParamsInput, updates: Record<string, string | undefined | null>): string {
  const out = new URLSearchParams(paramsToRecord(current));
  if ("range" in updates) {
    out.delete("from");
    out.delete("to");
  }
  if ("from" in updates || "to" in updates) out.delete("range");
  for (const [k, v] of Object.entries(updates)) {
    if (v === undefined || v === null || v === "") out.delete(k);
    else out.set(k, v);
  }
  const s = out.toString();
  return s ? `?${s}` : "";
}

/** Human label for a range: "Last 24 hours" or "2026-01-31 14:00 – 15:00 UTC". */
export function describeRange(range: Pick<TimeRange, "preset" | "from" | "to">): string {
  if (range.preset !== "custom") return PRESET_LABEL[range.preset];
  const a = range.from.toISOString().replace("T", " ").slice(0, 16);
  const b = range.to.toISOString().replace("T", " ").slice(0, 16);
  return a.slice(0, 10) === b.slice(0, 10) ? `${a} – ${b.slice(11)} UTC` : `${a} – ${b} UTC`;
}

/** Chart bucket starts covering [from, to): floor(from) .. < to, in steps. */
export function bucketStarts(range: Pick<TimeRange, "from" | "to" | "stepMs">): number[] {
  const out: number[] = [];
  for (let t = floorTo(range.from.getTime(), range.stepMs); t < range.to.getTime(); t += range.stepMs) out.push(t);
  return out;
}

/** A zod enum helper for filter params: a bad value names the allowed ones. */
export function enumParam<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: () => `must be one of ${values.join(", ")}` });
}
