import { describe, expect, it } from "vitest";
import { levelFor, planWindow, type RollupLevel } from "./rollups.ts";
import { sparkStepFor } from "../overview/get-sparklines.ts";

const t = (s: string) => Date.parse(s);
const show = (spans: ReturnType<typeof planWindow>) => spans.map((s) => `${s.level} ${new Date(s.from).toISOString().slice(5, 16)}..${new Date(s.to).toISOString().slice(5, 16)}`);

describe("planWindow: the fewest rows that cover a window exactly", () => {
  it.each<[string, string, string, RollupLevel, boolean, string[]]>([
    ["minutes only inside one hour", "2026-03-10T03:17Z", "2026-03-10T03:41Z", "day", false, ["minute 03-10T03:17..03-10T03:41"]],
    ["hours inside, minute edges", "2026-03-10T01:13Z", "2026-03-10T11:47Z", "hour", false, ["minute 03-10T01:13..03-10T02:00", "hour 03-10T02:00..03-10T11:00", "minute 03-10T11:00..03-10T11:47"]],
    ["minute level never reads hours", "2026-03-10T01:13Z", "2026-03-10T11:47Z", "minute", false, ["minute 03-10T01:13..03-10T11:47"]],
    [
      "days inside, hour and minute edges",
      "2026-03-01T06:30Z",
      "2026-03-10T13:05Z",
      "day",
      false,
      ["minute 03-01T06:30..03-01T07:00", "hour 03-01T07:00..03-02T00:00", "day 03-02T00:00..03-10T00:00", "hour 03-10T00:00..03-10T13:00", "minute 03-10T13:00..03-10T13:05"],
    ],
    ["open end: the live day row covers today", "2026-03-01T06:00Z", "2026-03-10T13:05Z", "day", true, ["hour 03-01T06:00..03-02T00:00", "day 03-02T00:00..03-11T00:00"]],
    ["open end at hour level: the live hour row", "2026-03-10T12:04Z", "2026-03-10T13:05Z", "day", true, ["minute 03-10T12:04..03-10T13:00", "hour 03-10T13:00..03-10T14:00"]],
    ["open end inside one unaligned minute span", "2026-03-10T13:01Z", "2026-03-10T13:05Z", "hour", true, ["minute 03-10T13:01..03-10T13:05"]],
    ["aligned whole day", "2026-03-09T00:00Z", "2026-03-10T00:00Z", "day", false, ["day 03-09T00:00..03-10T00:00"]],
    ["empty window", "2026-03-10T00:00Z", "2026-03-10T00:00Z", "day", true, []],
  ])("%s", (_name, from, to, coarsest, open, expected) => {
    const spans = planWindow(t(from), t(to), coarsest, open);
    expect(show(spans)).toEqual(expected);
    // Contiguous, no overlap, starts at from; ends at to (or later only when open).
    for (let i = 1; i < spans.length; i++) expect(spans[i]!.from).toBe(spans[i - 1]!.to);
    if (spans.length) {
      expect(spans[0]!.from).toBe(t(from));
      if (open) expect(spans.at(-1)!.to).toBeGreaterThanOrEqual(t(to));
      else expect(spans.at(-1)!.to).toBe(t(to));
    }
  });
});

describe("sparkline buckets", () => {
  it.each([
    [15 * 60_000, 60_000, "minute"],
    [3_600_000, 5 * 60_000, "minute"],
    [6 * 3_600_000, 15 * 60_000, "minute"],
    [86_400_000, 3_600_000, "hour"],
    [7 * 86_400_000, 6 * 3_600_000, "hour"],
    [30 * 86_400_000, 86_400_000, "day"],
    [90 * 86_400_000, 86_400_000, "day"],
  ])("window %d ms -> step %d ms from %s rows", (window, step, level) => {
    expect(sparkStepFor(window)).toBe(step);
    expect(levelFor(step)).toBe(level);
  });
});
