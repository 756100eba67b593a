/**
 * The shape of a region's price table (lib/cost/prices/<region>.json and user overrides).
 * Every price is an exact decimal string with the unit count it refers to ("per"), as
 * AWS states it: { "usd": "0.20", "per": "1000000" } is $0.20 per million requests.
 */
import { z } from "zod";

const decimal = z.string().regex(/^\d+(\.\d+)?$/, 'must be a non-negative decimal string such as "3.50" (no exponent, no thousands separators)');
const positiveDecimal = decimal.refine((v) => /[1-9]/.test(v), "must be greater than zero");

/** A flat price: `usd` for every `per` units. */
export const rateSchema = z.strictObject({ usd: decimal, per: positiveDecimal });

/** One volume tier: applies to cumulative monthly usage below `upTo` (null = no upper bound). */
export const tierSchema = z.strictObject({ upTo: positiveDecimal.nullable(), usd: decimal, per: positiveDecimal });

export const tiersSchema = z
  .array(tierSchema)
  .min(1)
  .superRefine((tiers, ctx) => {
    let previous = 0;
    tiers.forEach((t, i) => {
      const last = i === tiers.length - 1;
      if (last && t.upTo !== null) ctx.addIssue({ code: "custom", path: [i, "upTo"], message: "the last tier must have upTo: null (no upper bound)" });
      if (!last && t.upTo === null) ctx.addIssue({ code: "custom", path: [i, "upTo"], message: "only the last tier may have upTo: null" });
      if (t.upTo !== null) {
        if (Number(t.upTo) <= previous) ctx.addIssue({ code: "custom", path: [i, "upTo"], message: "tier bounds must increase" });
        previous = Number(t.upTo);
      }
    });
  });

const sourceSchema = z.strictObject({
  what: z.string().min(1),
  url: z.string().min(1),
  /** When the page (or the stored copy of it) was read, and its own date where known. */
  date: z.string().min(4),
  note: z.string().optional(),
});

const provisionedSchema = z.strictObject({
  /** Per GB-second of configured concurrency x memory, while configured. */
  allocation: rateSchema,
  /** Per GB-second of execution on provisioned environments (lower than on-demand). */
  duration: rateSchema,
});

export const lambdaPricesSchema = z.strictObject({
  requests: rateSchema,
  /** On-demand duration per GB-second, tiered on the account-region's monthly total per architecture. */
  duration: z.strictObject({ x86_64: tiersSchema, arm64: tiersSchema }),
  /** Per GB-second of ephemeral storage configured above the free 512 MB. */
  ephemeralStorage: rateSchema,
  provisionedConcurrency: z.strictObject({ x86_64: provisionedSchema.optional(), arm64: provisionedSchema.optional() }),
  /** Monthly free tier, shared by both architectures. */
  freeTier: z.strictObject({ requests: decimal, gbSeconds: decimal }),
});

export const apiGatewayPricesSchema = z.strictObject({
  rest: z
    .strictObject({
      requests: tiersSchema,
      cache: z.array(z.strictObject({ sizeGb: positiveDecimal, usdPerHour: decimal })).optional(),
    })
    .optional(),
  http: z.strictObject({ requests: tiersSchema, meteringIncrementKb: z.number().int().positive() }).optional(),
  /** 12-month free tier for new accounts. */
  freeTier: z.strictObject({ restRequests: decimal, httpRequests: decimal }).optional(),
});

const snsDeliveries = z.strictObject({
  http: rateSchema.optional(),
  email: rateSchema.optional(),
  sqs: rateSchema.optional(),
  lambda: rateSchema.optional(),
  mobilePush: rateSchema.optional(),
});

export const snsPricesSchema = z.strictObject({
  publishes: rateSchema,
  /** Each started chunk of this many KB of a published payload is billed as one request. */
  publishChunkKb: z.number().int().positive(),
  deliveries: snsDeliveries,
  freeTier: z
    .strictObject({
      publishes: decimal,
      deliveries: z.strictObject({ http: decimal.optional(), email: decimal.optional(), mobilePush: decimal.optional() }),
    })
    .optional(),
});

export const sqsPricesSchema = z.strictObject({
  standard: tiersSchema,
  fifo: tiersSchema,
  /** Each started chunk of this many KB of a payload is billed as one request. */
  chunkKb: z.number().int().positive(),
  freeTier: z.strictObject({ requests: decimal }).optional(),
});

export const logsPricesSchema = z.strictObject({
  /** Bytes in the GB that ingestion is priced by. */
  bytesPerGb: positiveDecimal,
  /** Standard log class, custom logs, per GB ingested. */
  standardIngestion: rateSchema,
  /** Lambda function logs (vended-log tiers since 1 May 2025), per GB, tiered monthly per account-region. */
  lambdaIngestion: tiersSchema.optional(),
});

export const xrayPricesSchema = z.strictObject({
  recorded: rateSchema,
  /** Traces retrieved or scanned. */
  retrieved: rateSchema,
  freeTier: z.strictObject({ recorded: decimal, retrieved: decimal }).optional(),
});

export const cloudwatchPricesSchema = z.strictObject({
  /** Per metric requested through GetMetricData. */
  getMetricData: rateSchema.optional(),
  /** ListMetrics, GetMetricStatistics, PutMetricData and other API requests. */
  otherRequests: rateSchema.optional(),
  /** Free API requests per month (does not cover GetMetricData). */
  freeTier: z.strictObject({ otherRequests: decimal }).optional(),
});

export const regionPricesSchema = z.strictObject({
  schemaVersion: z.literal(1),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region such as us-east-1"),
  /** Date the table was last checked against its sources (YYYY-MM-DD). */
  version: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD"),
  currency: z.literal("USD"),
  source: z.array(sourceSchema).min(1),
  lambda: lambdaPricesSchema,
  apiGateway: apiGatewayPricesSchema.optional(),
  sns: snsPricesSchema.optional(),
  sqs: sqsPricesSchema.optional(),
  logs: logsPricesSchema.optional(),
  xray: xrayPricesSchema.optional(),
  cloudwatch: cloudwatchPricesSchema.optional(),
});

export type Rate = z.infer<typeof rateSchema>;
export type Tier = z.infer<typeof tierSchema>;
export type RegionPrices = z.infer<typeof regionPricesSchema>;
export type Architecture = "x86_64" | "arm64";
export const ARCHITECTURES = ["x86_64", "arm64"] as const;
