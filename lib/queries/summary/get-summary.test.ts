import { describe, expect, it } from "vitest";
import { histogramFromValues } from "../../histogram/histogram.ts";
import { compareRows, gbSecondsFromMbMs, nearestRankQuantile, qualifierKind } from "./get-summary.ts";

describe("summary figures", () => {
  it.each([
    ["$ALL", "all"],
    ["$LATEST", "version"],
    ["12", "version"],
    ["live", "alias"],
  ])("qualifierKind(%s) = %s", (q, k) => expect(qualifierKind(q)).toBe(k));

  it.each([
    [0n, 0],
    [1_024_000n, 1],
    [121n * 1024n, 0.121],
    [9_007_199_254_740_993n, 8_796_093_022.208001],
  ])("gbSecondsFromMbMs(%s) = %s", (mbMs, want) => expect(gbSecondsFromMbMs(mbMs)).toBe(want));

  it.each([
    [[5], 0.99, 5],
    [[1, 100], 0.99, 100],
    [[1, 100], 0.5, 1],
    [[1, 2, 3, 4], 0.5, 2],
    [Array.from({ length: 100 }, (_, i) => i + 1), 0.99, 99],
    [Array.from({ length: 200 }, (_, i) => i + 1), 0.99, 198],
  ])("nearest-rank percentile of %j at %s ≈ %s (within 2%%)", (values, q, want) => {
    const v = nearestRankQuantile(histogramFromValues(values), q)!;
    expect(Math.abs(v - want) / want).toBeLessThanOrEqual(0.02);
  });
  it("is null without values", () => expect(nearestRankQuantile(null, 0.5)).toBeNull());

  it("sorts rows by name, then $ALL, $LATEST, versions numerically, aliases", () => {
    const rows = ["live", "10", "$LATEST", "2", "$ALL"].map((qualifier) => ({ name: "f", qualifier }));
    expect(rows.sort(compareRows).map((r) => r.qualifier)).toEqual(["$ALL", "$LATEST", "2", "10", "live"]);
  });
});
