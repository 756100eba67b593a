/** A stored run's period as the local dates its schedule meant ("2026-11-20 to 2026-11-26"). */
import { canonicalTimeZone, formatLocalDate, zonedDate } from "./time-zone.ts";

/** First and last local date of [start, end) in `timeZone` (UTC when unknown). */
export function localPeriodLabel(startIso: string, endIso: string, timeZone: string | null | undefined): string {
  const tz = (timeZone && canonicalTimeZone(timeZone)) || "UTC";
  const start = Date.parse(startIso);
  const end = Date.parse(endIso);
  const first = formatLocalDate(zonedDate(start, tz));
  const last = formatLocalDate(zonedDate(Math.max(start, end - 1), tz));
  return `${first === last ? first : `${first} to ${last}`}${tz === "UTC" ? " (UTC)" : ` (${tz})`}`;
}
