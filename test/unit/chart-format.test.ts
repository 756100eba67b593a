import { describe, expect, it } from "vitest";
import { formatBytes, formatCount, formatGbSeconds, formatMb, formatMs, formatPercent, formatTick, formatUsd, formatValue } from "../../lib/charts/format.ts";

describe("format", () => {
  it.each([
    [formatCount(1234567), "1,234,567"],
    [formatCount(12_345_678, true), "12.3M"],
    [formatCount(9_999, true), "9,999"],
    [formatCount(150_000, true), "150k"],
    [formatCount(null), "—"],
    [formatPercent(0.0612), "6.1%"],
    [formatPercent(0.00042), "0.04%"],
    [formatPercent(0.00001), "<0.01%"],
    [formatPercent(0), "0%"],
    [formatPercent(0.256), "26%"],
    [formatPercent(null), "—"],
    [formatMs(0.84), "0.8 ms"],
    [formatMs(123.4), "123 ms"],
    [formatMs(2345), "2.35 s"],
    [formatMs(29_000), "29 s"],
    [formatMs(125_000), "2.1 min"],
    [formatMb(400), "400 MB"],
    [formatMb(3008), "3,008 MB"],
    [formatBytes(52_428_800), "50 MB"],
    [formatGbSeconds(0), "0 GB-s"],
    [formatGbSeconds(0.1234), "0.123 GB-s"],
    [formatGbSeconds(12.345), "12.35 GB-s"],
    [formatGbSeconds(1234.56), "1,235 GB-s"],
    [formatUsd(0), "$0.00"],
    [formatUsd(1234), "$0.0012"],
    [formatUsd(1_234_567_890), "$1,234.57"],
    [formatUsd(null), "—"],
    [formatValue(null, "ms"), "no data"],
    [formatValue(0.5, "percent"), "50%"],
    [formatTick(Date.UTC(2026, 0, 31, 14, 5), 60_000), "14:05"],
    [formatTick(Date.UTC(2026, 0, 31, 14), 3_600_000), "01-31 14:00"],
  ])("%s = %s", (actual, expected) => expect(actual).toBe(expected));
});
