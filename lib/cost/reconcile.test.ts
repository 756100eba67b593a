import { describe, expect, it } from "vitest";
import { getRegionPrices } from "./prices.ts";
import { reconcileInvocationCost } from "./reconcile.ts";

const usEast1 = getRegionPrices("us-east-1");

describe("reconcileInvocationCost", () => {
  it("agrees when the metrics model explains the billed duration exactly", () => {
    // 1,000 invocations: Duration sum 99,500 ms (+0.5 ms rounding each) and 10 cold starts of 250 ms INIT = 102,500 billed ms.
    const r = reconcileInvocationCost(usEast1, {
      arch: "arm64",
      memoryMb: 1024,
      fromRows: { invocations: 1000, billedMs: 102_500 },
      fromMetrics: { invocations: 1000, durationSumMs: 99_500, coldStarts: 10, avgInitMs: 250 },
    });
    expect(r.exact).toEqual({ invocations: 1000, billedMs: 102_500, gbSeconds: 102.5, microUsd: 1_567n }); // 102.5 x $0.0000133334 + 1,000 x $0.0000002
    expect(r.estimate).toMatchObject({ roundingAllowanceMs: 500, initEstimateMs: 2500, billedMs: 102_500, microUsd: 1_567n });
    expect(r.differenceMicroUsd).toBe(0n);
    expect(r.explanation.at(-1)).toBe("The two figures agree to the micro-dollar.");
  });

  it("explains an estimate that misses INIT and uncollected logs", () => {
    // Logs: 9,990 REPORT lines (10 not collected yet), 1,210,000 billed ms including 200 cold starts x 500 ms INIT.
    // Metrics: 10,000 invocations, Duration sum 1,105,000 ms, no cold-start information given.
    const r = reconcileInvocationCost(usEast1, {
      arch: "x86_64",
      memoryMb: 2048,
      fromRows: { invocations: 9990, billedMs: 1_210_000 },
      fromMetrics: { invocations: 10_000, durationSumMs: 1_105_000 },
    });
    // exact: 2,420 GB-s x $0.0000166667 + 9,990 x $0.0000002 = $0.04033341 + $0.001998
    expect(r.exact.microUsd).toBe(42_331n);
    // estimate: (1,105,000 + 5,000) ms x 2 GB = 2,220 GB-s = $0.03700007 + $0.002
    expect(r.estimate.microUsd).toBe(39_000n);
    expect(r.differenceMicroUsd).toBe(-3_331n);
    expect(r.differencePct).toBe(-7.87);
    expect(r.explanation).toHaveLength(5);
    expect(r.explanation[2]).toMatch(/^Metrics count 10 more invocations than the collected REPORT lines \(\$0.000002 in request charges alone\): log events that have not been collected yet/);
    expect(r.explanation[3]).toMatch(/Per invocation, logs show 121.12 billed ms and the metrics model 111 ms; the 10.12 ms under-estimate is not explained by rounding or INIT/);
    expect(r.explanation[4]).toBe("The metrics estimate is $0.0033 below the exact figure; the exact figure (from logs) is the one Faasight reports.");
  });

  it("uses the rows' own MB-ms when memory changed during the period", () => {
    const r = reconcileInvocationCost(usEast1, {
      arch: "x86_64",
      memoryMb: 1024,
      fromRows: { invocations: 2, billedMs: 2000, mbMs: 1000 * 512 + 1000 * 1024 },
      fromMetrics: { invocations: 2, durationSumMs: 1999 },
    });
    expect(r.exact.gbSeconds).toBe(1.5);
    expect(r.estimate.gbSeconds).toBe(2);
  });
});
