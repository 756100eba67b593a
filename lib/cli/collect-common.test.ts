import { describe, expect, it } from "vitest";
import { formatCycleReport, table } from "./collect-common.ts";

describe("table", () => {
  it("aligns text left and numbers right", () => {
    expect(table(["name", "n"], [["a", 1], ["bbb", 100], ["c", null]])).toBe(["name    n", "a       1", "bbb   100", "c       -"].join("\n"));
  });
});

describe("formatCycleReport", () => {
  it("lists collectors and API calls with throttles", () => {
    const text = formatCycleReport(
      [{ source: "prod", aborted: false, calls: { "logs:FilterLogEvents": { calls: 5, throttled: 2, failed: 0 } }, collectors: { logs: { status: "ok", written: 10, skipped: 3, failed: 0, malformed: 1, ms: 1500, calls: { "logs:FilterLogEvents": { calls: 5, throttled: 2, failed: 0 } } } } }],
      2000,
    );
    expect(text).toContain("prod    logs       ok           10        3       0          1      5          2  1.5");
    expect(text).toContain("logs:FilterLogEvents      5          2       0");
    expect(text).toContain("done in 2.0 s");
  });
});
