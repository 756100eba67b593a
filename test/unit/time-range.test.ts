import { describe, expect, it } from "vitest";
import { bucketStarts, describeRange, mergeParams, parseInstant, parseTimeRange, stepFor, timeRangeToParams } from "../../lib/time-range.ts";

const now = new Date("2026-01-31T14:05:30.123Z");

describe("parseTimeRange", () => {
  it.each([
    [{}, "24h", "2026-01-30T14:00:00.000Z", "2026-01-31T14:06:00.000Z", 3_600_000],
    [{ range: "15m" }, "15m", "2026-01-31T13:51:00.000Z", "2026-01-31T14:06:00.000Z", 60_000],
    [{ range: "1h" }, "1h", "2026-01-31T13:06:00.000Z", "2026-01-31T14:06:00.000Z", 60_000],
    [{ range: "6h" }, "6h", "2026-01-31T08:05:00.000Z", "2026-01-31T14:06:00.000Z", 300_000],
    [{ range: "7d" }, "7d", "2026-01-24T14:00:00.000Z", "2026-01-31T14:06:00.000Z", 3_600_000],
    [{ range: "30d" }, "30d", "2026-01-01T12:00:00.000Z", "2026-01-31T14:06:00.000Z", 21_600_000],
    [{ from: "2026-01-31T10:00Z", to: "2026-01-31T11:30Z" }, "custom", "2026-01-31T10:00:00.000Z", "2026-01-31T11:30:00.000Z", 60_000],
    [{ from: "2026-01-31T10:00:42", to: "2026-01-31T11:00:01" }, "custom", "2026-01-31T10:00:00.000Z", "2026-01-31T11:01:00.000Z", 60_000],
    [{ from: "2026-01-30", to: "2026-01-31" }, "custom", "2026-01-30T00:00:00.000Z", "2026-01-31T00:00:00.000Z", 3_600_000],
    [{ from: String(Date.UTC(2026, 0, 31, 12)), to: String(Date.UTC(2026, 0, 31, 13)) }, "custom", "2026-01-31T12:00:00.000Z", "2026-01-31T13:00:00.000Z", 60_000],
    [{ range: "custom", from: "2026-01-31T12:00+01:00", to: "2026-01-31T13:00+01:00" }, "custom", "2026-01-31T11:00:00.000Z", "2026-01-31T12:00:00.000Z", 60_000],
  ])("%j -> %s", (params, preset, from, to, step) => {
    const r = parseTimeRange(params, now);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.preset).toBe(preset);
    expect(r.value.from.toISOString()).toBe(from);
    expect(r.value.to.toISOString()).toBe(to);
    expect(r.value.stepMs).toBe(step);
  });

  it.each([
    [{ range: "2d" }, "range", /not a range; use one of 15m, 1h, 6h, 24h, 7d, 30d/],
    [{ from: "2026-01-31T10:00Z" }, "to", /required/],
    [{ to: "2026-01-31T10:00Z" }, "from", /required/],
    [{ from: "yesterday", to: "2026-01-31T10:00Z" }, "from", /not a date-time/],
    [{ from: "2026-01-31T10:00Z", to: "2026-13-45T10:00Z" }, "to", /not a date-time/],
    [{ from: "2026-01-31T10:00Z", to: "2026-01-31T09:00Z" }, "to", /after from/],
    [{ from: "2025-01-01", to: "2026-01-01" }, "from", /90 days/],
    [{ range: "1h", from: "2026-01-31T10:00Z", to: "2026-01-31T11:00Z" }, "range", /not both/],
  ])("rejects %j on %s", (params, param, message) => {
    const r = parseTimeRange(params, now);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problem.param).toBe(param);
    expect(r.problem.message).toMatch(message);
  });

  it("reads URLSearchParams and repeated params (first wins)", () => {
    const r = parseTimeRange(new URLSearchParams("range=1h&range=7d"), now);
    expect(r.ok && r.value.preset).toBe("1h");
    const r2 = parseTimeRange({ range: ["6h", "7d"] }, now);
    expect(r2.ok && r2.value.preset).toBe("6h");
  });
});

describe("helpers", () => {
  it.each([
    [15 * 60_000, 60_000],
    [2 * 3_600_000, 60_000],
    [6 * 3_600_000, 300_000],
    [24 * 3_600_000, 3_600_000],
    [30 * 86_400_000, 21_600_000],
  ])("stepFor(%d) = %d", (d, s) => expect(stepFor(d)).toBe(s));

  it("parseInstant rejects garbage", () => {
    expect(parseInstant("2026-01-31T10:00Z")?.toISOString()).toBe("2026-01-31T10:00:00.000Z");
    expect(parseInstant("soon")).toBeNull();
    expect(parseInstant("2026-02-30T99:00Z")).toBeNull();
  });

  it("mergeParams keeps filters, and range and from/to exclude each other", () => {
    expect(mergeParams({ range: "1h", status: "errors" }, { range: "7d" })).toBe("?range=7d&status=errors");
    expect(mergeParams({ range: "1h", status: "errors" }, { from: "a", to: "b" })).toBe("?status=errors&from=a&to=b");
    expect(mergeParams({ from: "a", to: "b", q: "x" }, { range: "1h" })).toBe("?q=x&range=1h");
    expect(mergeParams({ status: "errors" }, { status: undefined })).toBe("");
  });

  it("round-trips a range through params", () => {
    const r = parseTimeRange({ from: "2026-01-31T10:00Z", to: "2026-01-31T12:00Z" }, now);
    if (!r.ok) throw new Error("parse");
    const again = parseTimeRange(timeRangeToParams(r.value), now);
    expect(again.ok && again.value.from.getTime()).toBe(r.value.from.getTime());
    expect(describeRange(r.value)).toBe("2026-01-31 10:00 – 12:00 UTC");
    expect(timeRangeToParams({ preset: "7d", from: now, to: now })).toEqual({ range: "7d" });
  });

  it("bucketStarts covers the window in steps", () => {
    const b = bucketStarts({ from: new Date("2026-01-31T10:00Z"), to: new Date("2026-01-31T10:05Z"), stepMs: 60_000 });
    expect(b.map((t) => new Date(t).toISOString().slice(11, 16))).toEqual(["10:00", "10:01", "10:02", "10:03", "10:04"]);
  });
});
