import { describe, expect, it } from "vitest";
import { localDatesOf, parseReportPeriodSpec, ReportPeriodError, resolveReportPeriod, type ReportPeriodSpec } from "./periods.ts";
import { isValidTimeZone, zonedDateTime, zonedTimeToInstant } from "./time-zone.ts";

const iso = (d: Date) => d.toISOString();
const hours = (p: { start: Date; end: Date }) => (p.end.getTime() - p.start.getTime()) / 3_600_000;

describe("resolveReportPeriod", () => {
  const cases: Array<{ name: string; spec: ReportPeriodSpec; now: string; tz?: string; start: string; end: string; prevStart: string; prevEnd: string; label?: string }> = [
    {
      name: "last-7d in UTC: the 7 complete days before today",
      spec: { preset: "last-7d" },
      now: "2026-03-10T08:00:00Z",
      start: "2026-03-03T00:00:00.000Z",
      end: "2026-03-10T00:00:00.000Z",
      prevStart: "2026-02-24T00:00:00.000Z",
      prevEnd: "2026-03-03T00:00:00.000Z",
      label: "2026-03-03 to 2026-03-09",
    },
    {
      name: "last-7d in Berlin across the spring DST change is 167 hours",
      spec: { preset: "last-7d" },
      now: "2026-03-31T10:00:00Z",
      tz: "Europe/Berlin",
      start: "2026-03-23T23:00:00.000Z",
      end: "2026-03-30T22:00:00.000Z",
      prevStart: "2026-03-16T23:00:00.000Z",
      prevEnd: "2026-03-23T23:00:00.000Z",
      label: "2026-03-24 to 2026-03-30",
    },
    {
      name: "last-7d in New York across the autumn DST change is 169 hours",
      spec: { preset: "last-7d" },
      now: "2026-11-03T12:00:00Z",
      tz: "America/New_York",
      start: "2026-10-27T04:00:00.000Z",
      end: "2026-11-03T05:00:00.000Z",
      prevStart: "2026-10-20T04:00:00.000Z",
      prevEnd: "2026-10-27T04:00:00.000Z",
    },
    {
      name: "last-30d",
      spec: { preset: "last-30d" },
      now: "2026-03-10T08:00:00Z",
      start: "2026-02-08T00:00:00.000Z",
      end: "2026-03-10T00:00:00.000Z",
      prevStart: "2026-01-09T00:00:00.000Z",
      prevEnd: "2026-02-08T00:00:00.000Z",
    },
    {
      name: "previous-week from a Wednesday: Monday to Monday",
      spec: { preset: "previous-week" },
      now: "2026-03-11T12:00:00Z",
      start: "2026-03-02T00:00:00.000Z",
      end: "2026-03-09T00:00:00.000Z",
      prevStart: "2026-02-23T00:00:00.000Z",
      prevEnd: "2026-03-02T00:00:00.000Z",
      label: "2026-03-02 to 2026-03-08",
    },
    {
      name: "previous-week from a Sunday evening is still last week",
      spec: { preset: "previous-week" },
      now: "2026-03-15T23:59:00Z",
      start: "2026-03-02T00:00:00.000Z",
      end: "2026-03-09T00:00:00.000Z",
      prevStart: "2026-02-23T00:00:00.000Z",
      prevEnd: "2026-03-02T00:00:00.000Z",
    },
    {
      name: "previous-week at Monday 00:00 is the week that just ended",
      spec: { preset: "previous-week" },
      now: "2026-03-16T00:00:00Z",
      start: "2026-03-09T00:00:00.000Z",
      end: "2026-03-16T00:00:00.000Z",
      prevStart: "2026-03-02T00:00:00.000Z",
      prevEnd: "2026-03-09T00:00:00.000Z",
    },
    {
      name: "previous-month at a month boundary: already March in Berlin",
      spec: { preset: "previous-month" },
      now: "2026-02-28T23:30:00Z",
      tz: "Europe/Berlin",
      start: "2026-01-31T23:00:00.000Z",
      end: "2026-02-28T23:00:00.000Z",
      prevStart: "2025-12-31T23:00:00.000Z",
      prevEnd: "2026-01-31T23:00:00.000Z",
      label: "2026-02-01 to 2026-02-28",
    },
    {
      name: "previous-month at the same instant is January in UTC",
      spec: { preset: "previous-month" },
      now: "2026-02-28T23:30:00Z",
      start: "2026-01-01T00:00:00.000Z",
      end: "2026-02-01T00:00:00.000Z",
      prevStart: "2025-12-01T00:00:00.000Z",
      prevEnd: "2026-01-01T00:00:00.000Z",
    },
    {
      name: "previous-month across a year end",
      spec: { preset: "previous-month" },
      now: "2026-01-15T12:00:00Z",
      start: "2025-12-01T00:00:00.000Z",
      end: "2026-01-01T00:00:00.000Z",
      prevStart: "2025-11-01T00:00:00.000Z",
      prevEnd: "2025-12-01T00:00:00.000Z",
    },
    {
      name: "month-to-date up to the current minute vs the same span of last month",
      spec: { preset: "month-to-date" },
      now: "2026-03-10T08:15:42Z",
      start: "2026-03-01T00:00:00.000Z",
      end: "2026-03-10T08:15:00.000Z",
      prevStart: "2026-02-01T00:00:00.000Z",
      prevEnd: "2026-02-10T08:15:00.000Z",
      label: "2026-03-01 00:00 to 2026-03-10 08:15",
    },
    {
      name: "month-to-date on the 31st compares with all of a shorter month",
      spec: { preset: "month-to-date" },
      now: "2026-03-31T10:00:00Z",
      start: "2026-03-01T00:00:00.000Z",
      end: "2026-03-31T10:00:00.000Z",
      prevStart: "2026-02-01T00:00:00.000Z",
      prevEnd: "2026-03-01T00:00:00.000Z",
    },
    {
      name: "custom local dates: --to is inclusive, the previous period has as many days",
      spec: { preset: "custom", from: "2026-03-01", to: "2026-03-31" },
      now: "2026-04-10T00:00:00Z",
      tz: "America/New_York",
      start: "2026-03-01T05:00:00.000Z",
      end: "2026-04-01T04:00:00.000Z",
      prevStart: "2026-01-29T05:00:00.000Z",
      prevEnd: "2026-03-01T05:00:00.000Z",
      label: "2026-03-01 to 2026-03-31",
    },
    {
      name: "custom instants: the previous period is as long",
      spec: { preset: "custom", from: "2026-03-01T00:00:00Z", to: "2026-03-02T12:00:00Z" },
      now: "2026-04-10T00:00:00Z",
      start: "2026-03-01T00:00:00.000Z",
      end: "2026-03-02T12:00:00.000Z",
      prevStart: "2026-02-27T12:00:00.000Z",
      prevEnd: "2026-03-01T00:00:00.000Z",
    },
  ];
  it.each(cases)("$name", (c) => {
    const p = resolveReportPeriod(c.spec, { now: new Date(c.now), timezone: c.tz });
    expect([iso(p.start), iso(p.end), iso(p.previous.start), iso(p.previous.end)]).toEqual([c.start, c.end, c.prevStart, c.prevEnd]);
    if (c.label) expect(p.label).toBe(c.label);
    expect(p.timezone).toBe(c.tz ?? "UTC");
  });

  it("counts DST weeks by the clock: 167 and 169 hours", () => {
    expect(hours(resolveReportPeriod({ preset: "last-7d" }, { now: Date.parse("2026-03-31T10:00:00Z"), timezone: "Europe/Berlin" }))).toBe(167);
    expect(hours(resolveReportPeriod({ preset: "last-7d" }, { now: Date.parse("2026-11-03T12:00:00Z"), timezone: "America/New_York" }))).toBe(169);
  });

  it("rejects bad input with the reason", () => {
    const now = new Date("2026-03-10T00:00:00Z");
    expect(() => resolveReportPeriod({ preset: "last-7d" }, { now, timezone: "Mars/Olympus" })).toThrow(ReportPeriodError);
    expect(() => resolveReportPeriod({ preset: "last-7d" }, { now, timezone: "+02:00" })).toThrow(/IANA/);
    expect(() => resolveReportPeriod({ preset: "custom", from: "2026-03-10", to: "2026-03-01" }, { now })).toThrow(/must not be before/);
    expect(() => resolveReportPeriod({ preset: "custom", from: "2026-02-30", to: "2026-03-01" }, { now })).toThrow(/YYYY-MM-DD/);
    expect(() => resolveReportPeriod({ preset: "custom", from: "2026-03-01T00:00:30Z", to: "2026-03-02T00:00:00Z" }, { now })).toThrow(/whole minutes/);
    expect(() => resolveReportPeriod({ preset: "custom", from: "2024-01-01", to: "2026-01-01" }, { now })).toThrow(/at most 400 days/);
    expect(() => parseReportPeriodSpec("last-week")).toThrow(/unknown period/);
    expect(() => parseReportPeriodSpec("last-7d", "2026-03-01", "2026-03-02")).toThrow(/only go with the custom/);
    expect(parseReportPeriodSpec("custom", "2026-03-01", "2026-03-02")).toEqual({ preset: "custom", from: "2026-03-01", to: "2026-03-02" });
  });

  it("lists the local dates of a period", () => {
    const p = resolveReportPeriod({ preset: "last-7d" }, { now: Date.parse("2026-03-31T10:00:00Z"), timezone: "Europe/Berlin" });
    expect(localDatesOf(p.start, p.end, p.timezone)).toEqual(["2026-03-24", "2026-03-25", "2026-03-26", "2026-03-27", "2026-03-28", "2026-03-29", "2026-03-30"]);
  });
});

describe("time zones", () => {
  it("validates IANA names", () => {
    expect(isValidTimeZone("Europe/Berlin")).toBe(true);
    expect(isValidTimeZone("UTC")).toBe(true);
    expect(isValidTimeZone("Europe/Nowhere")).toBe(false);
    expect(isValidTimeZone("+02:00")).toBe(false);
    expect(isValidTimeZone("")).toBe(false);
  });

  it("picks the earlier instant of a repeated wall time and the jump for a skipped one", () => {
    // 2026-11-01 01:30 happens twice in New York (EDT, then EST).
    expect(new Date(zonedTimeToInstant({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, "America/New_York")).toISOString()).toBe("2026-11-01T05:30:00.000Z");
    // 2026-03-29 02:30 does not exist in Berlin: clocks jump from 02:00 CET to 03:00 CEST.
    const skipped = zonedTimeToInstant({ year: 2026, month: 3, day: 29, hour: 2, minute: 0 }, "Europe/Berlin");
    expect(new Date(skipped).toISOString()).toBe("2026-03-29T01:00:00.000Z");
    expect(zonedDateTime(skipped, "Europe/Berlin").hour).toBe(3);
  });

  it("starts a day at 01:00 where midnight is skipped (Havana)", () => {
    const start = zonedTimeToInstant({ year: 2026, month: 3, day: 8 }, "America/Havana");
    expect(new Date(start).toISOString()).toBe("2026-03-08T05:00:00.000Z");
    expect(zonedDateTime(start, "America/Havana")).toMatchObject({ day: 8, hour: 1, minute: 0 });
    const p = resolveReportPeriod({ preset: "custom", from: "2026-03-08", to: "2026-03-08" }, { now: 0, timezone: "America/Havana" });
    expect(hours(p)).toBe(23);
  });
});
