import { describe, expect, it } from "vitest";
import { estimateMonthlyCost, type EstimateInput } from "./estimate.ts";
import { CostInputError } from "./input.ts";

const pick = (r: ReturnType<typeof estimateMonthlyCost>) => [r.requestsUsd, r.computeUsd, r.ephemeralUsd, r.provisionedUsd, r.totalUsd];

describe("estimateMonthlyCost", () => {
  it.each<[string, EstimateInput, number[]]>([
    // AWS Lambda Pricing, Example 1: Mobile application backend — "$2.33 + $0.40 = $2.73 per month"
    ["Lambda pricing Example 1", { region: "us-east-1", arch: "x86_64", memoryMb: 1536, requests: 3_000_000, avgBilledMs: 120, freeTier: true }, [0.4, 2.33, 0, 0, 2.73]],
    // Example 2: Enriching streaming telemetry — "$1.49 + $248.00 = $249.49" (no free tier applied on the page)
    ["Lambda pricing Example 2", { region: "us-east-1", arch: "x86_64", memoryMb: 1024, requests: 7_440_000, avgBilledMs: 2000 }, [1.49, 248, 0, 0, 249.49]],
    // Example 3: ML on customer support tickets — "$105.33 + $1 + $0.08 = $106.41 per month"
    ["Lambda pricing Example 3", { region: "us-east-1", arch: "x86_64", memoryMb: 4096, requests: 6_000_000, avgBilledMs: 280, ephemeralMb: 2048, freeTier: true }, [1, 105.33, 0.08, 0, 106.41]],
    // Provisioned Concurrency Example 2: Cyber Monday — all 2M requests in the 24 provisioned hours: "$10.08 + $21.78 + $0.40 = $32.26"
    [
      "Provisioned Concurrency Example 2",
      { region: "us-east-1", arch: "x86_64", memoryMb: 4096, requests: 2_000_000, avgBilledMs: 280, provisionedConcurrency: 7, provisionedHours: 24, provisionedRequestShare: 1 },
      [0.4, 0, 0, 31.86, 32.26],
    ],
    // The issue's own command line: 360,000 GB-s x $0.0000133334 = $4.800024; 3M x $0.20/M = $0.60
    ["issue example", { region: "us-east-1", arch: "arm64", memoryMb: 1024, requests: 3_000_000, avgBilledMs: 120 }, [0.6, 4.8, 0, 0, 5.4]],
    // + 10,240 MB /tmp: 9,728 MB x 360,000,000 ms / 1,024,000 = 3,420,000 GB-s x $0.0000000309 = $0.105678
    ["issue example + ephemeral", { region: "us-east-1", arch: "arm64", memoryMb: 1024, requests: 3_000_000, avgBilledMs: 120, ephemeralMb: 10240 }, [0.6, 4.8, 0.11, 0, 5.51]],
    // + PC 10 all month: 26,280,000 GB-s x $0.0000033334 = $87.601752; all 360,000 GB-s on PC x $0.0000077778 = $2.800008; free tier: 2M requests billed
    [
      "issue example + provisioned + free tier",
      { region: "us-east-1", arch: "arm64", memoryMb: 1024, requests: 3_000_000, avgBilledMs: 120, ephemeralMb: 10240, provisionedConcurrency: 10, provisionedHours: 730, freeTier: true },
      [0.4, 0, 0.11, 90.4, 90.91],
    ],
  ])("%s", (_name, input, expected) => {
    expect(pick(estimateMonthlyCost(input))).toEqual(expected);
  });

  it("keeps the unrounded figures and the price table it used", () => {
    const r = estimateMonthlyCost({ region: "us-east-1", arch: "arm64", memoryMb: 1024, requests: 3_000_000, avgBilledMs: 120, ephemeralMb: 10240 });
    expect(r.microUsd).toEqual({ requests: "600000", compute: "4800024", ephemeral: "105678", provisioned: "0", total: "5505702" });
    expect(r.priceTable).toEqual({ region: "us-east-1", version: "2026-11-27" });
  });

  it("explains each line, tiers included", () => {
    const r = estimateMonthlyCost({ region: "us-east-1", arch: "x86_64", memoryMb: 10240, requests: 100_000_000, avgBilledMs: 7000, freeTier: true });
    // 7,000,000,000 GB-s: the first 400,000 are free, then 6B billable GB-s in tier 1 and the rest in tier 2.
    expect(r.breakdown.map((b) => [b.item, b.quantity, b.unitPriceUsd])).toEqual([
      ["Lambda requests (free tier)", 1_000_000, "0"],
      ["Lambda requests", 99_000_000, "0.0000002"],
      ["Lambda duration (x86_64) (free tier)", 400_000, "0"],
      ["Lambda duration (x86_64)", 6_000_000_000, "0.0000166667"],
      ["Lambda duration (x86_64)", 999_600_000, "0.000015"],
    ]);
    expect(r.breakdown[3].note).toMatch(/^tier 1 \(up to 6,000,000,000 GB-s per month\), \$0.0000166667 per GB-s; 100,000,000 requests x 7000 ms x 10240 MB \/ 1024$/);
    expect(r.breakdown[4].note).toMatch(/^tier 2/);
    expect(r.computeUsd).toBe(100_000.2 + 14_994);
  });

  it("spills execution beyond the provisioned capacity to on-demand and says so", () => {
    // 1 environment for 1 hour = 3,600 s of capacity; 100,000 x 100 ms = 10,000 s arrive in that hour.
    const r = estimateMonthlyCost({
      region: "us-east-1",
      arch: "x86_64",
      memoryMb: 1024,
      requests: 100_000,
      avgBilledMs: 100,
      provisionedConcurrency: 1,
      provisionedHours: 1,
      provisionedRequestShare: 1,
    });
    const pcLine = r.breakdown.find((b) => b.item === "Provisioned concurrency duration (x86_64)")!;
    expect(pcLine.quantity).toBe(3600);
    expect(pcLine.note).toMatch(/6400 s of execution exceed 1 concurrent environments and run on demand/);
    expect(r.breakdown.find((b) => b.item === "Lambda duration (x86_64)")!.quantity).toBe(6400);
  });

  it.each<[unknown, RegExp]>([
    [{ region: "us-east-1", arch: "arm64", memoryMb: 100, requests: 1, avgBilledMs: 1 }, /memoryMb: must be at least 128/],
    [{ region: "us-east-1", arch: "sparc", memoryMb: 128, requests: 1, avgBilledMs: 1 }, /arch: must be x86_64 or arm64/],
    [{ region: "us-east-1", arch: "arm64", memoryMb: 128, requests: 1.5, avgBilledMs: 1 }, /requests: must be a whole number/],
    [{ region: "us-east-1", arch: "arm64", memoryMb: 128, requests: 1, avgBilledMs: -1 }, /avgBilledMs: must not be negative/],
    [{ region: "us-east-1", arch: "arm64", memoryMb: 128, requests: 1, avgBilledMs: 1, ephemeralMb: 20000 }, /ephemeralMb: must be at most 10240/],
    [{ region: "us-east-1", arch: "arm64", memoryMb: 128, requests: 1, avgBilledMs: 1, provisionedConcurrency: 2 }, /provisionedHours: provisionedConcurrency and provisionedHours go together/],
    [{ region: "us-east-1", arch: "arm64", memoryMb: 128, requests: 1, avgBilledMs: 1, provisionedRequestShare: 0.5 }, /provisionedRequestShare: only applies with provisionedConcurrency/],
    [{ region: "us-east-1", arch: "arm64", memoryMb: 128, requests: 1, avgBilledMs: 1, extra: 1 }, /Unrecognized key/],
    [{ region: "us east", arch: "arm64", memoryMb: 128, requests: 1, avgBilledMs: 1 }, /region: must be an AWS region/],
  ])("rejects %j naming the field", (input, message) => {
    expect(() => estimateMonthlyCost(input as EstimateInput)).toThrow(CostInputError);
    expect(() => estimateMonthlyCost(input as EstimateInput)).toThrow(message);
  });
});
