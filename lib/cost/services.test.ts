import { describe, expect, it } from "vitest";
import { formatUsd } from "./money.ts";
import { getRegionPrices } from "./prices.ts";
import { apiGatewayCacheCost, apiGatewayCost, cloudwatchApiCost, logsIngestionCost, meteredUnits, snsCost, sqsCost, xrayCost } from "./services.ts";

const usEast1 = getRegionPrices("us-east-1");
const cents = (micro: bigint) => formatUsd(micro);

/**
 * "Amazon API Gateway pricing", https://aws.amazon.com/api-gateway/pricing/ (stored copy
 * dated 2025-11-02, read 2026-11-27), section "Pricing Examples". Quoted as stated.
 */
describe("Amazon API Gateway pricing page examples", () => {
  it("HTTP APIs, Pricing Example 1: 10,000 page loads/minute, 12 KB requests: 432 million requests = $418.8", () => {
    // "10,000 page loads/minute * 60 minutes/hour * 24 hours/day * 30 days/month / 1,000,000 = 432 million requests per month."
    // "300 million * $1.00/million = $300"; "132 million * $0.90/million = $118.8"; "Total = $418.8 ($0.97 per million)"
    const c = apiGatewayCost(usEast1, { type: "HTTP", requests: 10_000 * 60 * 24 * 30, payloadKb: 12 });
    expect(c.meteredRequests).toBe(432_000_000n);
    expect(c.lines.map((l) => [l.quantity.toString(), formatUsd(l.microUsd)])).toEqual([
      ["300000000", "$300.00"],
      ["132000000", "$118.80"],
    ]);
    expect(cents(c.microUsd)).toBe("$418.80");
  });

  it("HTTP APIs, Pricing Example 2: 25 uploads/minute of 4.5 MB, metered in 512 KB: 9,720,000 requests = $9.72", () => {
    // "25 call/minute * 60 minutes/hour * 24 hours/day * 30 days/month * 4.5 MB/512 KB/request = 9,720,000 requests per month * $1/million = $9.72"
    const c = apiGatewayCost(usEast1, { type: "HTTP", requests: 25 * 60 * 24 * 30, payloadKb: 4.5 * 1024 });
    expect(c.meteredRequests).toBe(9_720_000n);
    expect(cents(c.microUsd)).toBe("$9.72");
  });

  it("REST APIs, Edge Optimized and Regional: five million API calls = $17.50", () => {
    // "Amazon API Gateway API call charges = 5 million * $3.50/million = $17.50"
    expect(cents(apiGatewayCost(usEast1, { type: "REST", requests: 5_000_000 }).microUsd)).toBe("$17.50");
  });

  it("REST APIs, Edge Optimized and Regional: 15 billion API calls = $1,165.50 + $1,867.60 + $33,320.00 = $36,353.10", () => {
    // "333 million * $3.50/million = $1,165.50"; "667 million * $2.80/million = $1,867.60"; "14 billion * $2.38/million = $33,320.00"
    // "Total Amazon API call charges = $1,165.50 + $1,867.60 + $33,320.00 = $36,353.10"
    const c = apiGatewayCost(usEast1, { type: "REST", requests: 15_000_000_000 });
    expect(c.lines.map((l) => [l.quantity.toString(), formatUsd(l.microUsd)])).toEqual([
      ["333000000", "$1,165.50"],
      ["667000000", "$1,867.60"],
      ["14000000000", "$33,320.00"],
    ]);
    expect(cents(c.microUsd)).toBe("$36,353.10");
  });

  it("Private APIs: five million API calls = $17.50", () => {
    // "Amazon API Gateway API call charges = 5 million * $3.50/million = $17.50"
    expect(cents(apiGatewayCost(usEast1, { type: "REST", requests: 5_000_000 }).microUsd)).toBe("$17.50");
  });

  it("Pricing Example with Caching Required: a 1.6 GB cache at $0.038/hr, $0.038 * 24 = $0.912/day", () => {
    const c = apiGatewayCacheCost(usEast1, { sizeGb: 1.6, hours: 24 });
    expect(formatUsd(c.microUsd, { decimals: 3 })).toBe("$0.912");
    expect(cents(c.microUsd)).toBe("$0.91");
    expect(() => apiGatewayCacheCost(usEast1, { sizeGb: 2, hours: 1 })).toThrow(/sizeGb must be one of the cache sizes 0.5, 1.6/);
  });

  it("uses the REST tier beyond 20 billion and the 12-month free tier when asked", () => {
    const c = apiGatewayCost(usEast1, { type: "REST", requests: 1_000_000, tierOffsetRequests: 20_000_000_000 });
    expect(cents(c.microUsd)).toBe("$1.51");
    expect(apiGatewayCost(usEast1, { type: "HTTP", requests: 1_000_000, freeTier: true }).microUsd).toBe(0n);
    expect(cents(apiGatewayCost(usEast1, { type: "HTTP", requests: 2_000_000, freeTier: true }).microUsd)).toBe("$1.00");
  });
});

/** "AWS X-Ray pricing", https://aws.amazon.com/xray/pricing/ (read 2026-11-27), Example 1 - X-Ray tracing. */
describe("AWS X-Ray pricing page example", () => {
  it("2,000 requests/hour sampled at 10%: 48,800 billable traces x $0.000005 = $0.24; 775,000 retrieved/scanned are free", () => {
    // "2,000 requests per hour x 24 hours x 31 days x 10% = 148,800 traces"; "148,800 traces - 100,000 free tier traces = 48,800 traces"
    // "48,800 traces * $0.000005 = $0.24"; "155,000 traces + 620,000 traces = 775,000 traces"; "775,000 - 1,000,000 free = 0 traces"
    const c = xrayCost(usEast1, { recorded: (2000 * 24 * 31) / 10, retrieved: 155_000 + 620_000, freeTier: true });
    expect(c.microUsd).toBe(244_000n);
    expect(cents(c.microUsd)).toBe("$0.24");
    expect(c.lines.find((l) => l.item === "X-Ray traces retrieved or scanned (free tier)")?.quantity.toString()).toBe("775000");
  });
});

describe("SNS", () => {
  it.each([
    // [input, expected µ$]
    [{ publishes: 3_000_000 }, 1_500_000n], // $0.50 per million
    [{ publishes: 3_000_000, freeTier: true }, 1_000_000n], // first million free
    [{ publishes: 1_000_000, payloadKb: 65 }, 1_000_000n], // 65 KB = two 64 KB chunks
    [{ publishes: 1_000_000, payloadKb: 64 }, 500_000n],
    [{ publishes: 0, deliveries: { http: 2_000_000, email: 200_000, sqs: 5_000_000, lambda: 5_000_000 } }, 1_200_000n + 4_000_000n],
    [{ publishes: 0, deliveries: { http: 2_000_000, email: 200_000, mobilePush: 1_000_000 }, freeTier: true }, 1_140_000n + 3_980_000n],
  ] as const)("%j costs %d µ$", (input, micro) => {
    expect(snsCost(usEast1, input).microUsd).toBe(micro);
  });

  it("says why SQS and Lambda deliveries cost nothing", () => {
    const c = snsCost(usEast1, { publishes: 10, deliveries: { sqs: 10, lambda: 10 } });
    expect(c.lines.map((l) => l.note)).toContain("no charge for deliveries to SQS");
    expect(c.lines.map((l) => l.note)).toContain("no charge for deliveries to Lambda");
  });

  it("fails clearly for a delivery type the region has no price for", () => {
    expect(() => snsCost(getRegionPrices("eu-west-1"), { publishes: 1, deliveries: { email: 1 } })).toThrow(/eu-west-1 price table .* no price for SNS email deliveries/);
  });
});

describe("SQS", () => {
  it.each([
    [{ requests: 10_000_000 }, 4_000_000n],
    [{ requests: 10_000_000, freeTier: true }, 3_600_000n],
    [{ requests: 10_000_000, queueType: "fifo" as const }, 5_000_000n],
    [{ requests: 1_000_000, payloadKb: 256 }, 1_600_000n], // 256 KB = four 64 KB chunks
    [{ requests: 1_000_000, payloadKb: 0.5 }, 400_000n],
    [{ requests: 2_000_000, tierOffsetRequests: 99_999_000_000 }, 400_000n + 300_000n], // crosses 100 billion
  ])("%j costs %d µ$", (input, micro) => {
    expect(sqsCost(usEast1, input).microUsd).toBe(micro);
  });

  it("explains chunk metering", () => {
    expect(sqsCost(usEast1, { requests: 3, payloadKb: 100 }).lines[0].note).toContain("3 requests billed as 6 in 64 KB chunks");
    expect(meteredUnits(undefined, 64)).toBe(1n);
    expect(meteredUnits(0, 64)).toBe(1n);
  });
});

describe("CloudWatch Logs ingestion", () => {
  const GB = 1_073_741_824n;

  it("prices Lambda logs on the vended-log tiers in force since 1 May 2025", () => {
    expect(logsIngestionCost(usEast1, { bytes: 10n * GB }).microUsd).toBe(5_000_000n);
    // 60 TB in one month: 10 TB at $0.50, 20 TB at $0.25, 20 TB at $0.10, 10 TB at $0.05 (1 TB = 1,024 GB)
    const c = logsIngestionCost(usEast1, { bytes: 60n * 1024n * GB });
    expect(c.lines.map((l) => [l.quantity.toString(), l.unitPriceUsd])).toEqual([
      ["10240", "0.5"],
      ["20480", "0.25"],
      ["20480", "0.1"],
      ["10240", "0.05"],
    ]);
    expect(cents(c.microUsd)).toBe("$12,800.00");
  });

  it("uses the month-to-date position for the tier and the flat rate for other custom logs", () => {
    expect(logsIngestionCost(usEast1, { bytes: GB, tierOffsetBytes: 60n * 1024n * GB }).microUsd).toBe(50_000n);
    expect(logsIngestionCost(usEast1, { bytes: GB / 2n, kind: "standard" }).microUsd).toBe(250_000n);
    expect(logsIngestionCost(getRegionPrices("eu-west-1"), { bytes: GB, kind: "standard" }).microUsd).toBe(570_000n);
    expect(() => logsIngestionCost(getRegionPrices("eu-west-1"), { bytes: GB })).toThrow(/no price for Lambda log ingestion/);
  });
});

describe("CloudWatch API (Faasight's own monitoring cost)", () => {
  it.each([
    [{ getMetricDataMetrics: 172_800 }, 1_728_000n], // 20 metrics every 5 minutes for 30 days at $0.01 per 1,000 metrics
    [{ getMetricDataMetrics: 172_800, freeTier: true }, 1_728_000n], // the free tier does not cover GetMetricData
    [{ getMetricDataMetrics: 0, otherRequests: 1_500_000, freeTier: true }, 5_000_000n],
    [{ getMetricDataMetrics: 1, otherRequests: 1 }, 20n],
  ])("%j costs %d µ$", (input, micro) => {
    expect(cloudwatchApiCost(usEast1, input).microUsd).toBe(micro);
  });
});
