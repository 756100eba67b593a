/**
 * Report periods resolved in a time zone: complete local days (so a week across a DST change
 * is 167 or 169 hours), calendar weeks (Monday first) and months, month-to-date, custom ranges,
 * and the comparison period before each.
 */
import { addDays, addMonths, canonicalTimeZone, daysBetween, daysInMonth, formatLocalDate, parseLocalDate, startOfLocalDay, zonedDate, zonedDateTime, type LocalDate } from "./time-zone.ts";

export const REPORT_PERIOD_PRESETS = ["last-7d", "last-30d", "previous-week", "previous-month", "month-to-date"] as const;
export type ReportPeriodPreset = (typeof REPORT_PERIOD_PRESETS)[number];

/** A preset, or a custom range: "YYYY-MM-DD" local dates (`to` inclusive) or ISO instants with an offset (`to` exclusive). */
export type ReportPeriodSpec = { preset: ReportPeriodPreset } | { preset: "custom"; from: string; to: string };

/** A resolved [start, end) span. */
export interface PeriodSpan {
  start: Date;
  end: Date;
  /** First and last local date the span touches. */
  firstDate: string;
  lastDate: string;
  /** "2026-03-02 to 2026-03-08" */
  label: string;
}

export interface ReportPeriod extends PeriodSpan {
  preset: ReportPeriodPreset | "custom";
  timezone: string;
  /** "Last 7 days" */
  title: string;
  /** The comparison period ("vs previous"). */
  previous: PeriodSpan;
}

/** An invalid period or time zone; the message says which and why. */
export class ReportPeriodError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReportPeriodError";
  }
}

const TITLES: Record<ReportPeriodPreset | "custom", string> = {
  "last-7d": "Last 7 days",
  "last-30d": "Last 30 days",
  "previous-week": "Previous week",
  "previous-month": "Previous month",
  "month-to-date": "Month to date",
  custom: "Custom period",
};

/** Longest custom period (hour rollups are kept about 400 days). */
export const MAX_CUSTOM_DAYS = 400;

const MINUTE = 60_000;

function span(startMs: number, endMs: number, timeZone: string): PeriodSpan {
  const first = formatLocalDate(zonedDate(startMs, timeZone));
  const last = formatLocalDate(zonedDate(Math.max(startMs, endMs - 1), timeZone));
  const wholeDays = (ms: number) => {
    const t = zonedDateTime(ms, timeZone);
    return t.hour === 0 && t.minute === 0 && t.second === 0;
  };
  const label =
    wholeDays(startMs) && wholeDays(endMs)
      ? first === last
        ? first
        : `${first} to ${last}`
      : `${formatLocalDateTime(startMs, timeZone)} to ${formatLocalDateTime(endMs, timeZone)}`;
  return { start: new Date(startMs), end: new Date(endMs), firstDate: first, lastDate: last, label };
}

function formatLocalDateTime(ms: number, timeZone: string): string {
  const t = zonedDateTime(ms, timeZone);
  return `${formatLocalDate(t)} ${String(t.hour).padStart(2, "0")}:${String(t.minute).padStart(2, "0")}`;
}

const days = (start: LocalDate, count: number, tz: string) => span(startOfLocalDay(start, tz), startOfLocalDay(addDays(start, count), tz), tz);

function parseInstantOrDate(text: string, what: string): { date: LocalDate } | { instant: number } {
  const date = parseLocalDate(text);
  if (date) return { date };
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text.trim())) {
    const t = Date.parse(text);
    if (Number.isFinite(t)) return { instant: t };
  }
  throw new ReportPeriodError(`${what} must be a date YYYY-MM-DD or an ISO time with an offset such as 2026-03-01T00:00:00Z (got "${text}")`);
}

/** Resolves a period relative to `now` in a time zone (default UTC), with its comparison period. */
export function resolveReportPeriod(spec: ReportPeriodSpec, options: { now: Date | number; timezone?: string }): ReportPeriod {
  const timezone = canonicalTimeZone(options.timezone ?? "UTC");
  if (!timezone) throw new ReportPeriodError(`time zone "${options.timezone}" is not an IANA time zone (such as UTC or Europe/Berlin)`);
  const nowMs = typeof options.now === "number" ? options.now : options.now.getTime();
  if (!Number.isFinite(nowMs)) throw new ReportPeriodError("now must be a valid time");
  const today = zonedDate(nowMs, timezone);
  const preset = spec.preset;
  let current: PeriodSpan;
  let previous: PeriodSpan;
  switch (preset) {
    case "last-7d":
    case "last-30d": {
      const n = preset === "last-7d" ? 7 : 30;
      current = days(addDays(today, -n), n, timezone);
      previous = days(addDays(today, -2 * n), n, timezone);
      break;
    }
    case "previous-week": {
      const weekday = zonedDateTime(nowMs, timezone).weekday;
      const monday = addDays(today, -((weekday + 6) % 7));
      current = days(addDays(monday, -7), 7, timezone);
      previous = days(addDays(monday, -14), 7, timezone);
      break;
    }
    case "previous-month": {
      const thisMonth = addMonths(today, 0);
      const last = addMonths(today, -1);
      const before = addMonths(today, -2);
      current = span(startOfLocalDay(last, timezone), startOfLocalDay(thisMonth, timezone), timezone);
      previous = span(startOfLocalDay(before, timezone), startOfLocalDay(last, timezone), timezone);
      break;
    }
    case "month-to-date": {
      // Up to the current minute (rollups are per minute); compared with the same span of last month.
      const monthStart = addMonths(today, 0);
      const startMs = startOfLocalDay(monthStart, timezone);
      const endMs = Math.max(startMs, Math.floor(nowMs / MINUTE) * MINUTE);
      current = span(startMs, endMs, timezone);
      const prevMonth = addMonths(today, -1);
      const prevStart = startOfLocalDay(prevMonth, timezone);
      let prevEnd: number;
      if (today.day > daysInMonth(prevMonth)) prevEnd = startMs;
      else {
        const elapsed = endMs - startOfLocalDay(today, timezone);
        prevEnd = Math.min(startMs, startOfLocalDay({ ...prevMonth, day: today.day }, timezone) + elapsed);
      }
      previous = span(prevStart, Math.max(prevStart, prevEnd), timezone);
      break;
    }
    case "custom": {
      const from = parseInstantOrDate(spec.from, "from");
      const to = parseInstantOrDate(spec.to, "to");
      if ("date" in from && "date" in to) {
        const n = daysBetween(from.date, to.date) + 1;
        if (n < 1) throw new ReportPeriodError(`to (${spec.to}) must not be before from (${spec.from})`);
        if (n > MAX_CUSTOM_DAYS) throw new ReportPeriodError(`a custom period may span at most ${MAX_CUSTOM_DAYS} days (got ${n})`);
        current = days(from.date, n, timezone);
        previous = days(addDays(from.date, -n), n, timezone);
      } else {
        const startMs = "date" in from ? startOfLocalDay(from.date, timezone) : from.instant;
        const endMs = "date" in to ? startOfLocalDay(addDays(to.date, 1), timezone) : to.instant;
        if (endMs <= startMs) throw new ReportPeriodError(`to (${spec.to}) must be after from (${spec.from})`);
        if (endMs - startMs > MAX_CUSTOM_DAYS * 86_400_000) throw new ReportPeriodError(`a custom period may span at most ${MAX_CUSTOM_DAYS} days`);
        if (startMs % MINUTE !== 0 || endMs % MINUTE !== 0) throw new ReportPeriodError("custom times must be whole minutes (the store keeps per-minute figures)");
        current = span(startMs, endMs, timezone);
        previous = span(startMs - (endMs - startMs), startMs, timezone);
      }
      break;
    }
    default:
      throw new ReportPeriodError(`unknown period "${String(preset)}" (use ${REPORT_PERIOD_PRESETS.join(", ")} or custom)`);
  }
  return { ...current, preset, timezone, title: TITLES[preset], previous };
}

/** Parses a CLI/API period name (a preset, or "custom" with from/to). */
export function parseReportPeriodSpec(period: string, from?: string, to?: string): ReportPeriodSpec {
  if (period === "custom" || (from !== undefined && to !== undefined && period === "")) {
    if (from === undefined || to === undefined) throw new ReportPeriodError("a custom period needs both from and to");
    return { preset: "custom", from, to };
  }
  if (!(REPORT_PERIOD_PRESETS as readonly string[]).includes(period)) {
    throw new ReportPeriodError(`unknown period "${period}" (use ${REPORT_PERIOD_PRESETS.join(", ")} or custom with from/to)`);
  }
  if (from !== undefined || to !== undefined) throw new ReportPeriodError(`from/to only go with the custom period (got period "${period}")`);
  return { preset: period as ReportPeriodPreset };
}

/** Each local date a span touches, in order ("YYYY-MM-DD"). */
export function localDatesOf(spanStart: Date, spanEnd: Date, timeZone: string): string[] {
  const out: string[] = [];
  if (spanEnd.getTime() <= spanStart.getTime()) return out;
  let d = zonedDate(spanStart.getTime(), timeZone);
  const last = zonedDate(spanEnd.getTime() - 1, timeZone);
  while (daysBetween(d, last) >= 0) {
    out.push(formatLocalDate(d));
    d = addDays(d, 1);
  }
  return out;
}
