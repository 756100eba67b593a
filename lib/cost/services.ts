/**
 * The other serverless charges Faasight shows: API Gateway (REST tiers, HTTP tiers with
 * 512 KB metering, cache), SNS publishes and deliveries, SQS requests (64 KB chunks),
 * CloudWatch Logs ingestion, X-Ray traces, and the CloudWatch API calls Faasight itself makes.
 */
import { combineCharges, describeSlice, tieredLines, type Charge } from "./charge.ts";
import { CostInputError, integerInput, nonNegativeInput } from "./input.ts";
import { toMicroUsd } from "./money.ts";
import type { Rate, RegionPrices } from "./price-schema.ts";
import { requirePrice } from "./prices.ts";
import { Rational, type Quantity } from "./rational.ts";
import { priceFlat, priceTiered, type TieredCharge } from "./tiers.ts";

function tieredCharge(charge: TieredCharge, item: string, unit: string, tierCount: number): Charge {
  return { exactUsd: charge.exactUsd, microUsd: charge.microUsd, lines: tieredLines(charge, item, unit, describeSlice(unit, tierCount)) };
}

/** Billing units for a payload metered in `chunkKb` increments (a 65 KB SQS message is 2 requests). */
export function meteredUnits(payloadKb: Quantity | undefined, chunkKb: number, name = "payloadKb"): bigint {
  if (payloadKb === undefined) return 1n;
  const kb = nonNegativeInput(payloadKb, name);
  const units = kb.div(chunkKb).ceil();
  return units < 1n ? 1n : units;
}

export interface ApiGatewayInput {
  type: "REST" | "HTTP";
  requests: Quantity;
  /** Size of each request for HTTP APIs (metered in 512 KB increments); ignored for REST. */
  payloadKb?: Quantity;
  /** Requests of this API type the account-region already made this month. */
  tierOffsetRequests?: Quantity;
  /** Apply the 12-month new-account free tier (1M calls). */
  freeTier?: boolean;
}

/** API Gateway request charges, tiered on the account-region's monthly total. */
export function apiGatewayCost(prices: RegionPrices, input: ApiGatewayInput): Charge & { meteredRequests: bigint } {
  const api = requirePrice(prices.apiGateway, prices, "API Gateway");
  const requests = integerInput(input.requests, "requests");
  const offset = integerInput(input.tierOffsetRequests ?? 0, "tierOffsetRequests");
  if (input.type === "REST") {
    const rest = requirePrice(api.rest, prices, "API Gateway REST requests");
    const free = input.freeTier ? Rational.parse(requirePrice(api.freeTier, prices, "API Gateway free tier").restRequests) : Rational.ZERO;
    const charge = priceTiered(rest.requests, requests, { offset, free });
    return { ...tieredCharge(charge, "API Gateway REST requests", "requests", rest.requests.length), meteredRequests: requests };
  }
  if (input.type !== "HTTP") throw new CostInputError(`type must be REST or HTTP (got ${String(input.type)})`);
  const http = requirePrice(api.http, prices, "API Gateway HTTP requests");
  const metered = requests * meteredUnits(input.payloadKb, http.meteringIncrementKb);
  const free = input.freeTier ? Rational.parse(requirePrice(api.freeTier, prices, "API Gateway free tier").httpRequests) : Rational.ZERO;
  const charge = priceTiered(http.requests, metered, { offset, free });
  const result = tieredCharge(charge, "API Gateway HTTP requests", "requests", http.requests.length);
  if (metered !== requests) {
    for (const line of result.lines) line.note += ` (${requests} requests metered as ${metered} in ${http.meteringIncrementKb} KB increments)`;
  }
  return { ...result, meteredRequests: metered };
}

/** REST API cache: hourly, by provisioned cache size (no free tier). */
export function apiGatewayCacheCost(prices: RegionPrices, input: { sizeGb: Quantity; hours: Quantity }): Charge {
  const rest = requirePrice(prices.apiGateway?.rest, prices, "API Gateway REST");
  const cache = requirePrice(rest.cache, prices, "API Gateway cache");
  const size = nonNegativeInput(input.sizeGb, "sizeGb");
  const entry = cache.find((c) => Rational.parse(c.sizeGb).eq(size));
  if (!entry) throw new CostInputError(`sizeGb must be one of the cache sizes ${cache.map((c) => c.sizeGb).join(", ")} (got ${size})`);
  const hours = nonNegativeInput(input.hours, "hours");
  const exactUsd = hours.mul(Rational.parse(entry.usdPerHour));
  const microUsd = toMicroUsd(exactUsd);
  return { exactUsd, microUsd, lines: [{ item: `API Gateway cache (${entry.sizeGb} GB)`, quantity: hours, unit: "hours", unitPriceUsd: entry.usdPerHour, microUsd, note: `$${entry.usdPerHour} per hour` }] };
}

export type SnsDeliveryKind = "http" | "email" | "sqs" | "lambda" | "mobilePush";

export interface SnsInput {
  publishes: Quantity;
  /** Size of each published message; every started 64 KB chunk is billed as one request. */
  payloadKb?: Quantity;
  /** Notifications delivered, by subscriber protocol. */
  deliveries?: Partial<Record<SnsDeliveryKind, Quantity>>;
  freeTier?: boolean;
}

/** SNS standard-topic publishes and deliveries. */
export function snsCost(prices: RegionPrices, input: SnsInput): Charge {
  const sns = requirePrice(prices.sns, prices, "SNS");
  const publishes = integerInput(input.publishes, "publishes");
  const requests = publishes * meteredUnits(input.payloadKb, sns.publishChunkKb);
  const free = input.freeTier ? requirePrice(sns.freeTier, prices, "SNS free tier") : undefined;
  const publish = priceFlat(sns.publishes, requests, { free: free?.publishes ?? 0 });
  const charges: Charge[] = [tieredCharge(publish, "SNS publish requests", "requests", 1)];
  if (requests !== publishes) charges[0].lines.forEach((l) => (l.note += ` (${publishes} publishes metered as ${requests} in ${sns.publishChunkKb} KB chunks)`));
  for (const [kind, count] of Object.entries(input.deliveries ?? {}) as [SnsDeliveryKind, Quantity][]) {
    const rate: Rate = requirePrice(sns.deliveries[kind], prices, `SNS ${kind} deliveries`);
    const freeDeliveries = kind === "http" || kind === "email" || kind === "mobilePush" ? (free?.deliveries[kind] ?? 0) : 0;
    const delivered = priceFlat(rate, integerInput(count, `deliveries.${kind}`), { free: freeDeliveries });
    const charge = tieredCharge(delivered, `SNS ${kind} deliveries`, "notifications", 1);
    if (Rational.parse(rate.usd).isZero()) charge.lines.forEach((l) => (l.note = `no charge for deliveries to ${kind === "sqs" ? "SQS" : "Lambda"}`));
    charges.push(charge);
  }
  return combineCharges(...charges);
}

export interface SqsInput {
  requests: Quantity;
  queueType?: "standard" | "fifo";
  /** Size of each request's payload; every started 64 KB chunk is billed as one request. */
  payloadKb?: Quantity;
  /** Requests of this queue type the account-region already made this month. */
  tierOffsetRequests?: Quantity;
  /** First 1M requests per month free (shared by standard and FIFO). */
  freeTier?: boolean;
}

/** SQS API requests, tiered, 64 KB chunks. */
export function sqsCost(prices: RegionPrices, input: SqsInput): Charge & { billedRequests: bigint } {
  const sqs = requirePrice(prices.sqs, prices, "SQS");
  const queueType = input.queueType ?? "standard";
  if (queueType !== "standard" && queueType !== "fifo") throw new CostInputError(`queueType must be standard or fifo (got ${String(queueType)})`);
  const requests = integerInput(input.requests, "requests");
  const billed = requests * meteredUnits(input.payloadKb, sqs.chunkKb);
  const free = input.freeTier ? requirePrice(sqs.freeTier, prices, "SQS free tier").requests : 0;
  const tiers = sqs[queueType];
  const charge = priceTiered(tiers, billed, { offset: integerInput(input.tierOffsetRequests ?? 0, "tierOffsetRequests"), free });
  const result = tieredCharge(charge, `SQS ${queueType === "fifo" ? "FIFO" : "standard"} requests`, "requests", tiers.length);
  if (billed !== requests) result.lines.forEach((l) => (l.note += ` (${requests} requests billed as ${billed} in ${sqs.chunkKb} KB chunks)`));
  return { ...result, billedRequests: billed };
}

export interface LogsIngestionInput {
  bytes: Quantity;
  /** "lambda": Lambda function logs (vended-log tiers since May 2025); "standard": other custom logs. */
  kind?: "lambda" | "standard";
  /** Bytes of the same kind already ingested in the account-region this month (tier position). */
  tierOffsetBytes?: Quantity;
}

/** CloudWatch Logs ingestion (standard log class). */
export function logsIngestionCost(prices: RegionPrices, input: LogsIngestionInput): Charge & { gb: Rational } {
  const logs = requirePrice(prices.logs, prices, "CloudWatch Logs");
  const bytesPerGb = Rational.parse(logs.bytesPerGb);
  const gb = Rational.from(integerInput(input.bytes, "bytes")).div(bytesPerGb);
  const offsetGb = Rational.from(integerInput(input.tierOffsetBytes ?? 0, "tierOffsetBytes")).div(bytesPerGb);
  const kind = input.kind ?? "lambda";
  if (kind === "lambda") {
    const tiers = requirePrice(logs.lambdaIngestion, prices, "Lambda log ingestion (vended-log tiers)");
    const charge = priceTiered(tiers, gb, { offset: offsetGb });
    return { ...tieredCharge(charge, "CloudWatch Logs ingestion (Lambda)", "GB", tiers.length), gb };
  }
  if (kind !== "standard") throw new CostInputError(`kind must be lambda or standard (got ${String(kind)})`);
  const charge = priceFlat(logs.standardIngestion, gb);
  return { ...tieredCharge(charge, "CloudWatch Logs ingestion (standard)", "GB", 1), gb };
}

/** X-Ray traces recorded and retrieved/scanned. */
export function xrayCost(prices: RegionPrices, input: { recorded: Quantity; retrieved?: Quantity; freeTier?: boolean }): Charge {
  const xray = requirePrice(prices.xray, prices, "X-Ray");
  const free = input.freeTier ? requirePrice(xray.freeTier, prices, "X-Ray free tier") : undefined;
  const recorded = priceFlat(xray.recorded, integerInput(input.recorded, "recorded"), { free: free?.recorded ?? 0 });
  const retrieved = priceFlat(xray.retrieved, integerInput(input.retrieved ?? 0, "retrieved"), { free: free?.retrieved ?? 0 });
  return combineCharges(tieredCharge(recorded, "X-Ray traces recorded", "traces", 1), tieredCharge(retrieved, "X-Ray traces retrieved or scanned", "traces", 1));
}

/** CloudWatch API calls (Faasight's own collection cost): GetMetricData per metric requested, other calls per request. */
export function cloudwatchApiCost(prices: RegionPrices, input: { getMetricDataMetrics: Quantity; otherRequests?: Quantity; freeTier?: boolean }): Charge {
  const cw = requirePrice(prices.cloudwatch, prices, "CloudWatch API");
  const metrics = integerInput(input.getMetricDataMetrics, "getMetricDataMetrics");
  const other = integerInput(input.otherRequests ?? 0, "otherRequests");
  const charges: Charge[] = [];
  if (metrics > 0n) {
    const rate = requirePrice(cw.getMetricData, prices, "CloudWatch GetMetricData");
    const charge = tieredCharge(priceFlat(rate, metrics), "CloudWatch GetMetricData", "metrics", 1);
    charge.lines.forEach((l) => (l.note += " (the free tier does not cover GetMetricData)"));
    charges.push(charge);
  }
  if (other > 0n) {
    const rate = requirePrice(cw.otherRequests, prices, "CloudWatch API requests");
    const free = input.freeTier ? requirePrice(cw.freeTier, prices, "CloudWatch free tier").otherRequests : 0;
    charges.push(tieredCharge(priceFlat(rate, other, { free }), "CloudWatch API requests", "requests", 1));
  }
  return combineCharges(...charges);
}
