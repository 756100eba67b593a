/**
 * Calendar arithmetic in an IANA time zone with the platform's Intl data (no tz library):
 * local dates, local midnight as an instant (DST gaps and overlaps handled), day steps.
 */

/** A local calendar date. */
export interface LocalDate {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
}

export interface LocalDateTime extends LocalDate {
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday ... 6 = Saturday */
  weekday: number;
}

/** The time zone is not an IANA zone the platform knows. */
export class TimeZoneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TimeZoneError";
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        weekday: "short",
      });
    } catch {
      throw new TimeZoneError(`"${timeZone}" is not an IANA time zone (such as UTC, Europe/Berlin or America/New_York)`);
    }
    formatters.set(timeZone, f);
  }
  return f;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** The canonical IANA name of a zone ("utc" -> "UTC"), or null when it is not one. Offsets such as "+02:00" are refused. */
export function canonicalTimeZone(timeZone: string): string | null {
  if (typeof timeZone !== "string" || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(timeZone)) return null;
  try {
    return formatter(timeZone).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** True for an IANA time zone name the platform knows. */
export function isValidTimeZone(timeZone: string): boolean {
  return canonicalTimeZone(timeZone) !== null;
}

/** The wall-clock fields of an instant in a zone. */
export function zonedDateTime(instantMs: number, timeZone: string): LocalDateTime {
  const parts = formatter(timeZone).formatToParts(new Date(instantMs));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return {
    year: Number(get("year")),
    month: Number(get("month")),
    day: Number(get("day")),
    hour: Number(get("hour")),
    minute: Number(get("minute")),
    second: Number(get("second")),
    weekday: WEEKDAYS[get("weekday")] ?? 0,
  };
}

/** UTC offset of the zone at an instant, in ms (Berlin in summer: +7,200,000). */
export function zoneOffsetMs(instantMs: number, timeZone: string): number {
  const floored = Math.floor(instantMs / 1000) * 1000;
  const p = zonedDateTime(floored, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - floored;
}

/**
 * The instant a wall-clock time happens in a zone. A time that occurs twice (clocks going back)
 * gives the earlier instant; a time that does not exist (clocks going forward) gives the instant
 * the clocks jump, shifted by how far into the gap it was (so a day starting in a gap starts at the jump).
 */
export function zonedTimeToInstant(local: LocalDate & { hour?: number; minute?: number }, timeZone: string): number {
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour ?? 0, local.minute ?? 0);
  const DAY = 86_400_000;
  // Offsets a day either side: at most one transition lies between them in any real zone.
  const before = zoneOffsetMs(wall - DAY, timeZone);
  const after = zoneOffsetMs(wall + DAY, timeZone);
  const candidates = [...new Set([wall - before, wall - after])].filter((t) => wall - zoneOffsetMs(t, timeZone) === t).sort((a, b) => a - b);
  return candidates[0] ?? wall - before;
}

/** Local calendar date of an instant. */
export function zonedDate(instantMs: number, timeZone: string): LocalDate {
  const p = zonedDateTime(instantMs, timeZone);
  return { year: p.year, month: p.month, day: p.day };
}

/** The calendar date `days` after (or before) a date. */
export function addDays(date: LocalDate, days: number): LocalDate {
  const t = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** The first day of the month `months` after (or before) a date's month. */
export function addMonths(date: LocalDate, months: number): LocalDate {
  const t = new Date(Date.UTC(date.year, date.month - 1 + months, 1));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: 1 };
}

/** Days in a date's month. */
export function daysInMonth(date: Pick<LocalDate, "year" | "month">): number {
  return new Date(Date.UTC(date.year, date.month, 0)).getUTCDate();
}

/** Whole calendar days from a to b. */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  return Math.round((Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / 86_400_000);
}

/** Local midnight (start of the day) of a date in a zone, as an instant. */
export function startOfLocalDay(date: LocalDate, timeZone: string): number {
  return zonedTimeToInstant(date, timeZone);
}

/** "2026-03-09" */
export function formatLocalDate(date: LocalDate): string {
  return `${String(date.year).padStart(4, "0")}-${String(date.month).padStart(2, "0")}-${String(date.day).padStart(2, "0")}`;
}

/** Parses "YYYY-MM-DD" into a real calendar date, or null. */
export function parseLocalDate(text: string): LocalDate | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  if (date.month < 1 || date.month > 12 || date.day < 1 || date.day > daysInMonth(date)) return null;
  return date;
}
