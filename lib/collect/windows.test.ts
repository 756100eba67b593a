import { describe, expect, it } from "vitest";
import { IDLE_REREAD_MS, planLogWindow, shouldSkipIdle } from "./logs.ts";
import { sliceWindow, summaryRow, traceStart, wantsDetail } from "./traces.ts";
import { functionNameFromUri, logGroupFromArn, nameFromArn } from "./inventory.ts";
import { needsCapture } from "./failures.ts";

const now = Date.parse("2026-11-02T10:00:00Z");
const M = 60_000;

describe("log windows", () => {
  it.each([
    ["first read starts at --since", undefined, { start: now - 120 * M, end: now }],
    ["later reads look back for late events", now - 1 * M, { start: now - 16 * M, end: now }],
  ])("%s", (_n, cursor, want) => expect(planLogWindow(cursor, now, now - 120 * M, 15 * M)).toEqual(want));

  it.each([
    [undefined, false, true, false],
    [now - M, true, true, false],
    [now - M, false, true, true],
    [now - M, false, false, false],
    [now - IDLE_REREAD_MS, false, true, false],
  ])("cursor %s active %s info %s -> skip %s", (cursor, active, info, want) => expect(shouldSkipIdle(cursor, now, active, info)).toBe(want));
});

describe("trace windows and detail selection", () => {
  it("slices windows to X-Ray's limits", () => {
    expect(sliceWindow(0, 13 * 3_600_000)).toEqual([
      [0, 6 * 3_600_000],
      [6 * 3_600_000, 12 * 3_600_000],
      [12 * 3_600_000, 13 * 3_600_000],
    ]);
  });
  it("fetches every failing trace and a stable sample of the rest", () => {
    expect(wantsDetail({ Id: "1-a", HasFault: true }, 0)).toBe(true);
    expect(wantsDetail({ Id: "1-a", HasThrottle: true }, 0)).toBe(true);
    expect(wantsDetail({ Id: "1-a" }, 0)).toBe(false);
    expect(wantsDetail({ Id: "1-a" }, 1)).toBe(true);
    const ids = Array.from({ length: 4000 }, (_, i) => `1-5e1b4151-${String(i).padStart(24, "0")}`);
    const picked = ids.filter((Id) => wantsDetail({ Id }, 0.05));
    expect(picked.length).toBeGreaterThan(120);
    expect(picked.length).toBeLessThan(280);
    expect(ids.filter((Id) => wantsDetail({ Id }, 0.05))).toEqual(picked);
  });
  it("dates a trace by its summary or its id", () => {
    expect(traceStart({ Id: "1-5e1b4151-0", StartTime: new Date(5000) })).toBe(5000);
    expect(traceStart({ Id: "1-5e1b4151-5ac6c58f5b1a4b3c8e7f6a1b" })).toBe(0x5e1b4151 * 1000);
    expect(summaryRow(1, { Id: "t", Duration: 0.1234, HasFault: true, Http: { HttpStatus: 502 }, EntryPoint: { Name: "shop-api/prod" } }).slice(1)).toEqual(["t", new Date(0), 123.4, "shop-api/prod", true, false, false, 502]);
  });
});

describe("inventory names", () => {
  it.each([
    ["arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/shop-api/prod/access", "/aws/apigateway/shop-api/prod/access"],
    ["arn:aws:logs:us-east-1:123456789012:log-group:access-logs:*", "access-logs"],
    [undefined, undefined],
  ])("logGroupFromArn(%s)", (arn, want) => expect(logGroupFromArn(arn)).toBe(want));
  it.each([
    ["arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:checkout:live/invocations", "checkout"],
    ["arn:aws:lambda:us-east-1:123456789012:function:cart", "cart"],
    ["https://example.com", undefined],
  ])("functionNameFromUri(%s)", (uri, want) => expect(functionNameFromUri(uri)?.name).toBe(want));
  it("nameFromArn", () => expect(nameFromArn("arn:aws:sns:us-east-1:1:order-events")).toBe("order-events"));
});

describe("DLQ capture", () => {
  it.each([
    [0, 0, false],
    [5, 5, false],
    [6, 5, true],
    [3, 5, true],
  ])("%i in the queue, %i stored -> capture %s", (total, stored, want) => expect(needsCapture(total, stored)).toBe(want));
});
