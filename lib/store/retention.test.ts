import { describe, expect, it } from "vitest";
import { DEFAULT_RETENTION, retentionCutoffs } from "./retention.ts";

const now = Date.parse("2026-11-30T00:00:00Z");
const day = (d: Date) => (now - d.getTime()) / 86_400_000;

describe("retentionCutoffs", () => {
  it("keeps raw rows 7 days, metric points 15, minute rollups 35, hours 400 by default", () => {
    const c = retentionCutoffs(DEFAULT_RETENTION, now);
    expect([day(c.raw), day(c.metric), day(c.minute), day(c.hour)]).toEqual([7, 15, 35, 400]);
  });
  it("never lets rollups expire before the raw rows they are computed from", () => {
    const c = retentionCutoffs({ rawDays: 30, metricDays: 1, minuteDays: 2, hourDays: 3 }, now);
    expect([day(c.raw), day(c.metric), day(c.minute), day(c.hour)]).toEqual([30, 1, 30, 30]);
  });
});
