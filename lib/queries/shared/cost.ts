/**
 * Lambda spend for dashboard figures, through the cost engine (lib/cost): on-demand duration
 * from exact MB-ms plus requests, at the region's first tier, without the free tier.
 */
import { lambdaComputeCost, lambdaRequestCost } from "../../cost/lambda.ts";
import { getRegionPrices } from "../../cost/prices.ts";

export interface SpendInput {
  region: string;
  architecture: string;
  mbMs: bigint;
  requests: number;
}

/** Micro-dollars of Lambda duration + requests for some functions, or null when a region is unpriced. */
export function estimateSpendMicros(items: SpendInput[]): number | null {
  let total = 0n;
  for (const it of items) {
    let prices;
    try {
      prices = getRegionPrices(it.region);
    } catch {
      return null;
    }
    const arch = it.architecture === "arm64" ? "arm64" : "x86_64";
    total += lambdaComputeCost(prices, { arch, mbMs: it.mbMs }).microUsd;
    total += lambdaRequestCost(prices, { requests: BigInt(Math.max(0, Math.round(it.requests))) }).microUsd;
  }
  return Number(total);
}

/** How the dashboard's spend figures are computed (shown beside them). */
export const SPEND_NOTE =
  "Lambda duration (exact billed ms × memory, INIT included where billed) plus requests, at the region's price table, first volume tier, free tier not applied.";
