import { describe, expect, it } from "vitest";
import { prepareWaterfall } from "../../lib/charts/prepare-waterfall.ts";

describe("prepareWaterfall", () => {
  it("orders children under parents with depth, offset and width", () => {
    const segs = [
      { id: "b", parentId: "a", name: "Invocation", startMs: 20, durationMs: 60, depth: 1, fault: true, error: false, throttle: false },
      { id: "a", name: "checkout", startMs: 0, durationMs: 100, depth: 0, fault: true, error: false, throttle: false, origin: "AWS::Lambda" },
      { id: "i", parentId: "a", name: "Initialization", startMs: 0, durationMs: 20, depth: 1, fault: false, error: false, throttle: false },
      { id: "c", parentId: "b", name: "DynamoDB", startMs: 30, durationMs: 10, depth: 2, fault: false, error: false, throttle: true, httpStatus: 400 },
    ];
    const w = prepareWaterfall(JSON.stringify(segs), 100);
    expect(w.problem).toBeNull();
    expect(w.rows.map((r) => [r.name, r.depth, r.offsetPct, r.widthPct])).toEqual([
      ["checkout", 0, 0, 100],
      ["Initialization", 1, 0, 20],
      ["Invocation", 1, 20, 60],
      ["DynamoDB", 2, 30, 10],
    ]);
    expect(w.rows[3]).toMatchObject({ throttle: true, httpStatus: 400 });
    expect(w.rows[0]!.kind).toBe("AWS::Lambda");
  });

  it("accepts nested subsegments with absolute X-Ray times", () => {
    const doc = [{ id: "r", name: "api", start_time: 1000.0, end_time: 1000.5, subsegments: [{ id: "s", name: "Lambda", start_time: 1000.1, end_time: 1000.3 }] }];
    const w = prepareWaterfall(JSON.stringify(doc), 500);
    expect(w.rows.map((r) => [r.name, r.depth, Math.round(r.startMs), Math.round(r.durationMs ?? -1)])).toEqual([
      ["api", 0, 0, 500],
      ["Lambda", 1, 100, 200],
    ]);
  });

  it.each([
    ["not json", /not valid JSON/],
    ["{\"a\":1}", /unexpected shape/],
    ["[]", /no segments/],
  ])("explains an unusable document %s", (raw, problem) => {
    const w = prepareWaterfall(raw, 10);
    expect(w.rows).toEqual([]);
    expect(w.problem).toMatch(problem);
  });

  it("gives a zero-length segment a hairline", () => {
    const w = prepareWaterfall(JSON.stringify([{ id: "a", name: "x", startMs: 5, durationMs: 0 }]), 10);
    expect(w.rows[0]!.widthPct).toBe(0.5);
  });
});
