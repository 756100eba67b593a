import { describe, expect, it } from "vitest";
import { ReleaseGate } from "./backfill.ts";

describe("ReleaseGate", () => {
  it("passes the past through, holds the future and releases it in time order", () => {
    const out: string[] = [];
    const gate = new ReleaseGate({
      log: (_g, _s, events) => events.forEach((e) => out.push(`log@${e.timestamp}`)),
      traces: (docs, at) => out.push(`trace@${at}:${docs.length}`),
      message: (queue, _b, _a, at) => out.push(`${queue}@${at}`),
    });
    gate.now = 1000;
    gate.log("g", "s", [
      { timestamp: 900, message: "START" },
      { timestamp: 1500, message: "REPORT" },
    ]);
    gate.traces(["{}"], 1200);
    gate.message("dlq", "{}", undefined, 1100);
    expect(out).toEqual(["log@900"]);
    expect(gate.heldCount).toBe(3);
    gate.release(1200);
    expect(out).toEqual(["log@900", "dlq@1100", "trace@1200:1"]);
    gate.release();
    expect(out).toEqual(["log@900", "dlq@1100", "trace@1200:1", "log@1500"]);
    expect(gate.heldCount).toBe(0);
  });
});
