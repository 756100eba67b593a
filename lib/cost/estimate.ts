/**
 * The what-if calculator: one function's month from its configuration and expected traffic,
 * tiers applied, every line shown. Amounts stay exact until the output rounds them to cents.
 */
import { z } from "zod";
import type { Charge, ChargeLine } from "./charge.ts";
import { CostInputError } from "./input.ts";
import { ephemeralStorageCost, lambdaComputeCost, lambdaRequestCost, MB_MS_PER_GB_SECOND, provisionedConcurrencyCost, FREE_EPHEMERAL_MB } from "./lambda.ts";
import { toMicroUsd, usdNumber } from "./money.ts";
import type { RegionPrices } from "./price-schema.ts";
import { getRegionPrices } from "./prices.ts";
import { Rational } from "./rational.ts";

/** AWS's month for hourly charges (8,760 h / 12). */
export const HOURS_PER_MONTH = 730;

export const estimateInputSchema = z
  .strictObject({
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region such as us-east-1"),
    arch: z.enum(["x86_64", "arm64"], "must be x86_64 or arm64"),
    memoryMb: z.number().int("must be a whole number of MB").min(128, "must be at least 128").max(10240, "must be at most 10240"),
    requests: z.number().int("must be a whole number").min(0, "must not be negative").max(Number.MAX_SAFE_INTEGER),
    avgBilledMs: z.number().min(0, "must not be negative").max(900_000, "must be at most 900000 (the 15-minute timeout)"),
    ephemeralMb: z.number().int("must be a whole number of MB").min(512, "must be at least 512").max(10240, "must be at most 10240").optional(),
    provisionedConcurrency: z.number().int("must be a whole number").min(1, "must be at least 1").optional(),
    provisionedHours: z.number().gt(0, "must be greater than 0").max(744, "must be at most 744 (a 31-day month)").optional(),
    /** Share of the month's requests that arrive while provisioned concurrency is configured (default: hours / 730). */
    provisionedRequestShare: z.number().min(0, "must be between 0 and 1").max(1, "must be between 0 and 1").optional(),
    freeTier: z.boolean().optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.provisionedConcurrency === undefined) !== (v.provisionedHours === undefined)) {
      const missing = v.provisionedConcurrency === undefined ? "provisionedConcurrency" : "provisionedHours";
      ctx.addIssue({ code: "custom", path: [missing], message: "provisionedConcurrency and provisionedHours go together" });
    }
    if (v.provisionedRequestShare !== undefined && v.provisionedConcurrency === undefined) {
      ctx.addIssue({ code: "custom", path: ["provisionedRequestShare"], message: "only applies with provisionedConcurrency" });
    }
  });

export type EstimateInput = z.input<typeof estimateInputSchema>;

export interface BreakdownItem {
  item: string;
  quantity: number;
  unit: string;
  unitPriceUsd: string;
  usd: number;
  note: string;
}

export interface EstimateResult {
  requestsUsd: number;
  computeUsd: number;
  ephemeralUsd: number;
  provisionedUsd: number;
  totalUsd: number;
  breakdown: BreakdownItem[];
  /** Exact micro-dollar amounts behind the rounded figures (strings: JSON has no bigint). */
  microUsd: { requests: string; compute: string; ephemeral: string; provisioned: string; total: string };
  priceTable: { region: string; version: string };
}

/** Parses and checks what-if input; throws CostInputError naming each bad field. */
export function parseEstimateInput(input: unknown): z.output<typeof estimateInputSchema> {
  const result = estimateInputSchema.safeParse(input);
  if (!result.success) {
    throw new CostInputError(result.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; "));
  }
  return result.data;
}

function item(line: ChargeLine): BreakdownItem {
  return { item: line.item, quantity: Number(line.quantity.toDecimal(6)), unit: line.unit, unitPriceUsd: line.unitPriceUsd, usd: usdNumber(line.microUsd), note: line.note };
}

const ZERO_CHARGE: Charge = { exactUsd: Rational.ZERO, microUsd: 0n, lines: [] };

/** One month of one function: requests, on-demand duration (tiers, optional free tier), ephemeral storage, provisioned concurrency. */
export function estimateMonthlyCost(input: EstimateInput, prices?: RegionPrices): EstimateResult {
  const v = parseEstimateInput(input);
  const table = prices ?? getRegionPrices(v.region);
  if (table.region !== v.region) throw new CostInputError(`price table is for ${table.region}, not ${v.region}`);
  const freeTier = v.freeTier ?? false;
  const memoryMb = BigInt(v.memoryMb);
  const totalExecMs = Rational.of(v.requests).mul(v.avgBilledMs);

  let pcServedMs = Rational.ZERO;
  let provisioned: Charge = ZERO_CHARGE;
  let pcNote = "";
  if (v.provisionedConcurrency !== undefined && v.provisionedHours !== undefined) {
    const hours = Rational.of(v.provisionedHours);
    const share = v.provisionedRequestShare !== undefined ? Rational.of(v.provisionedRequestShare) : hours.min(HOURS_PER_MONTH).div(HOURS_PER_MONTH);
    const windowMs = totalExecMs.mul(share);
    const capacityMs = hours.mul(3_600_000n * BigInt(v.provisionedConcurrency));
    pcServedMs = windowMs.min(capacityMs);
    const spillMs = windowMs.sub(pcServedMs);
    const seconds = hours.mul(3600).ceil();
    provisioned = provisionedConcurrencyCost(table, {
      arch: v.arch,
      memoryMb,
      concurrency: v.provisionedConcurrency,
      seconds,
      invokedGbSeconds: pcServedMs.mul(memoryMb).div(MB_MS_PER_GB_SECOND),
    });
    const sharePct = share.mul(100).toDecimal(2);
    pcNote =
      v.provisionedRequestShare !== undefined
        ? `${sharePct}% of requests arrive while provisioned concurrency is configured (as given)`
        : `assumes requests arrive evenly over a ${HOURS_PER_MONTH}-hour month, so ${sharePct}% fall in the ${hours} configured hours`;
    if (!spillMs.isZero()) pcNote += `; ${spillMs.div(1000).toDecimal(3)} s of execution exceed ${v.provisionedConcurrency} concurrent environments and run on demand`;
    provisioned.lines[1].note += `; ${pcNote}`;
  }

  const onDemandGbSeconds = totalExecMs.sub(pcServedMs).mul(memoryMb).div(MB_MS_PER_GB_SECOND);
  const compute = lambdaComputeCost(table, { arch: v.arch, gbSeconds: onDemandGbSeconds, freeTier });
  compute.lines.forEach((l) => {
    l.note += `; ${v.requests.toLocaleString("en-US")} requests x ${v.avgBilledMs} ms x ${v.memoryMb} MB / 1024${pcServedMs.isZero() ? "" : ", less execution on provisioned concurrency"}`;
  });
  const requests = lambdaRequestCost(table, { requests: v.requests, freeTier });
  const ephemeral = v.ephemeralMb !== undefined && v.ephemeralMb > FREE_EPHEMERAL_MB ? ephemeralStorageCost(table, { ephemeralMb: v.ephemeralMb, billedMsSum: totalExecMs }) : ZERO_CHARGE;
  if (freeTier && v.provisionedConcurrency !== undefined) {
    requests.lines[requests.lines.length - 1].note += "; the free tier is applied to requests and on-demand duration only, as in AWS's provisioned concurrency example";
  }

  const totalExact = requests.exactUsd.add(compute.exactUsd).add(ephemeral.exactUsd).add(provisioned.exactUsd);
  const total = toMicroUsd(totalExact);
  return {
    requestsUsd: usdNumber(requests.microUsd),
    computeUsd: usdNumber(compute.microUsd),
    ephemeralUsd: usdNumber(ephemeral.microUsd),
    provisionedUsd: usdNumber(provisioned.microUsd),
    totalUsd: usdNumber(total),
    breakdown: [...requests.lines, ...compute.lines, ...ephemeral.lines, ...provisioned.lines].map(item),
    microUsd: {
      requests: requests.microUsd.toString(),
      compute: compute.microUsd.toString(),
      ephemeral: ephemeral.microUsd.toString(),
      provisioned: provisioned.microUsd.toString(),
      total: total.toString(),
    },
    priceTable: { region: table.region, version: table.version },
  };
}
