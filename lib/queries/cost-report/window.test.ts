import { describe, expect, it } from "vitest";
import { splitRollupWindow } from "./window.ts";

const d = (s: string) => new Date(s);
const iso = (p: ReturnType<typeof splitRollupWindow>) => ({
  hours: p.hours && [p.hours.from.toISOString(), p.hours.to.toISOString()],
  minutes: p.minutes.map((m) => [m.from.toISOString(), m.to.toISOString()]),
});

describe("splitRollupWindow", () => {
  it("uses hour rows only for an hour-aligned window", () => {
    expect(iso(splitRollupWindow(d("2026-03-03T00:00:00Z"), d("2026-03-10T00:00:00Z")))).toEqual({ hours: ["2026-03-03T00:00:00.000Z", "2026-03-10T00:00:00.000Z"], minutes: [] });
  });

  it("reads the partial hours of a half-hour zone's midnight from minute rows", () => {
    // Asia/Kolkata midnight is 18:30 UTC.
    expect(iso(splitRollupWindow(d("2026-03-02T18:30:00Z"), d("2026-03-09T18:30:00Z")))).toEqual({
      hours: ["2026-03-02T19:00:00.000Z", "2026-03-09T18:00:00.000Z"],
      minutes: [
        ["2026-03-02T18:30:00.000Z", "2026-03-02T19:00:00.000Z"],
        ["2026-03-09T18:00:00.000Z", "2026-03-09T18:30:00.000Z"],
      ],
    });
  });

  it("uses minute rows for a window inside one hour, nothing for an empty one", () => {
    expect(iso(splitRollupWindow(d("2026-03-10T08:10:00Z"), d("2026-03-10T08:40:00Z")))).toEqual({ hours: null, minutes: [["2026-03-10T08:10:00.000Z", "2026-03-10T08:40:00.000Z"]] });
    expect(iso(splitRollupWindow(d("2026-03-10T08:10:00Z"), d("2026-03-10T08:10:00Z")))).toEqual({ hours: null, minutes: [] });
  });
});
