/** The cost engine: pure pricing, attribution, estimates, right-sizing, projections, reconciliation. */
export { Rational, type Quantity } from "./rational.ts";
export { MICRO_PER_USD, toMicroUsd, microToUsd, sumMicro, usdNumber, formatUsd } from "./money.ts";
export { type RegionPrices, type Architecture, ARCHITECTURES, regionPricesSchema } from "./price-schema.ts";
export {
  BUILTIN_PRICE_TABLES,
  PriceTableError,
  PriceNotAvailableError,
  parsePriceTable,
  mergePriceTables,
  loadPriceTables,
  getRegionPrices,
  resetPriceCache,
} from "./prices.ts";
export { CostInputError } from "./input.ts";
export { type Charge, type ChargeLine, combineCharges } from "./charge.ts";
export { priceTiered, priceFlat, unitPrice, type TieredCharge, type TierSlice } from "./tiers.ts";
export {
  MB_MS_PER_GB_SECOND,
  gbSecondsFromMbMs,
  lambdaComputeCost,
  lambdaRequestCost,
  ephemeralStorageCost,
  provisionedConcurrencyCost,
  sumInvocations,
  invocationRowsCost,
  type BilledInvocation,
} from "./lambda.ts";
export { apiGatewayCost, apiGatewayCacheCost, snsCost, sqsCost, logsIngestionCost, xrayCost, cloudwatchApiCost, meteredUnits } from "./services.ts";
export { attributeTieredCost, TIER_ATTRIBUTION_EXPLANATION } from "./attribution.ts";
export { estimateMonthlyCost, parseEstimateInput, estimateInputSchema, HOURS_PER_MONTH, type EstimateInput, type EstimateResult } from "./estimate.ts";
export { recommendMemory, arm64MigrationSaving, provisionedConcurrencyUtilisation, maxMemoryQuantile, scaleDuration } from "./right-sizing.ts";
export { projectMonthEnd, detectSpendAnomalies, type DailySpend } from "./projection.ts";
export { reconcileInvocationCost } from "./reconcile.ts";
