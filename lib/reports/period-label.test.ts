import { describe, expect, it } from "vitest";
import { localPeriodLabel } from "./period-label.ts";

describe("localPeriodLabel", () => {
  it.each([
    ["2026-11-19T23:00:00.000Z", "2026-11-26T23:00:00.000Z", "Europe/Berlin", "2026-11-20 to 2026-11-26 (Europe/Berlin)"],
    ["2026-11-20T00:00:00.000Z", "2026-11-27T00:00:00.000Z", "UTC", "2026-11-20 to 2026-11-26 (UTC)"],
    ["2026-03-01T23:00:00.000Z", "2026-03-08T23:00:00.000Z", null, "2026-03-01 to 2026-03-08 (UTC)"],
    ["2026-11-27T05:00:00.000Z", "2026-11-28T05:00:00.000Z", "America/New_York", "2026-11-27 (America/New_York)"],
    ["2026-11-20T00:00:00.000Z", "2026-11-27T00:00:00.000Z", "Mars/Olympus", "2026-11-20 to 2026-11-26 (UTC)"],
  ])("%s .. %s in %s", (start, end, tz, label) => {
    expect(localPeriodLabel(start, end, tz)).toBe(label);
  });
});
