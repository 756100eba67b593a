import { describe, expect, it } from "vitest";
import { parseBackfillSummary } from "../../bench/backfill.ts";

describe("parseBackfillSummary", () => {
  it("reads the counts of faasight simulate's summary line", () => {
    const stderr =
      "provisioned 12 functions, 2 APIs, 4 queues on http://127.0.0.1:4566 (900 ms)\n" +
      "backfilled 2026-11-20T17:41:00.000Z .. 2026-11-27T17:41:00.000Z: 202372 invocations, 1035969 log events (3607 calls), 756891 metric datums (760 calls), 468966 segments (938 calls), 324 messages in 163.7 s\n";
    expect(parseBackfillSummary(stderr)).toEqual({ invocations: 202372, logEvents: 1035969, datums: 756891, segments: 468966, calls: 3607 + 760 + 938 });
  });
  it("is null without a summary line (a failed or live-only run)", () => {
    expect(parseBackfillSummary("provisioned 12 functions\n")).toBeNull();
    expect(parseBackfillSummary("")).toBeNull();
  });
});
