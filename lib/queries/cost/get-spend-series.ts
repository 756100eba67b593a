/**
 * Spend over time, stacked by function, API stage or service: each bucket priced with the cost
 * engine at the region's first volume tier (a trend, not a bill: tiers apply to the month).
 */
import type { Db } from "../../db.ts";
import { apiGatewayCost, getRegionPrices, lambdaComputeCost, lambdaRequestCost, PriceNotAvailableError, type RegionPrices } from "../../cost/index.ts";
import { prepareTimeSeries, type PreparedSeries } from "../../charts/prepare-time-series.ts";
import { bucketStarts, type TimeRange } from "../../time-range.ts";
import { getCoverage } from "../shared/get-coverage.ts";
import { DAY, levelFor, readFunctionRollups, splitWindow } from "../shared/rollups.ts";
import { addSpend, stackTopSpend, type SpendBuckets } from "./stack-spend.ts";

export const SPEND_GROUPS = ["function", "stage", "service"] as const;
export type SpendGroup = (typeof SPEND_GROUPS)[number];

// Three groups and "other": the chart palette has four distinct colours.
const TOP_GROUPS = 3;
const SERVICES = ["Lambda duration", "Lambda requests", "API Gateway"];

/** The stacked spend series of a window, grouped by function (top three + other), API stage or service. */
/** The buckets of a spend trend (pure): daily for windows over 8 days, the chart step otherwise. */
export function costTrendRange(range: TimeRange): TimeRange {
  return range.to.getTime() - range.from.getTime() > 8 * DAY ? { ...range, stepMs: DAY } : range;
}

export async function getSpendSeries(db: Db, range: TimeRange, by: SpendGroup, now?: Date): Promise<PreparedSeries> {
  const useHours = range.to.getTime() - range.from.getTime() > 12 * 3_600_000;
  const { minutes, hours } = splitWindow(range.from.getTime(), range.to.getTime(), useHours);
  // Windows over 8 days chart spend per day; function spend comes from the coarsest rows that fit in one bucket.
  range = costTrendRange(range);
  const stageSelect = { stageId: true, bucketStart: true, requests: true } as const;
  const [fns, stages, rollups, stageRows, coverage] = await Promise.all([
    db.lambdaFunction.findMany({ select: { id: true, name: true, architecture: true, source: { select: { region: true } } } }),
    db.apiStage.findMany({ select: { id: true, stageName: true, api: { select: { name: true, type: true, source: { select: { region: true } } } } } }),
    by === "stage" ? Promise.resolve([]) : readFunctionRollups(db, { from: range.from, to: range.to, qualifiers: ["$ALL"], coarsest: levelFor(range.stepMs), openEnd: now !== undefined && range.to.getTime() >= now.getTime() }),
    by === "function"
      ? Promise.resolve([])
      : Promise.all([
          ...minutes.map(([a, b]) => db.stageMinuteRollup.findMany({ where: { variant: "$ALL", bucketStart: { gte: new Date(a), lt: new Date(b) } }, select: stageSelect })),
          ...(hours ? [db.stageHourRollup.findMany({ where: { variant: "$ALL", bucketStart: { gte: new Date(hours[0]), lt: new Date(hours[1]) } }, select: stageSelect })] : []),
        ]).then((parts) => parts.flat()),
    getCoverage(db),
  ]);
  const priceCache = new Map<string, RegionPrices | null>();
  const pricesOf = (region: string) => {
    if (!priceCache.has(region)) {
      try {
        priceCache.set(region, getRegionPrices(region));
      } catch (err) {
        if (!(err instanceof PriceNotAvailableError)) throw err;
        priceCache.set(region, null);
      }
    }
    return priceCache.get(region) ?? null;
  };
  const bucketOf = (d: Date) => Math.floor(d.getTime() / range.stepMs) * range.stepMs;
  const buckets: SpendBuckets = new Map();
  const fnById = new Map(fns.map((f) => [f.id, f]));
  for (const r of rollups) {
    const f = fnById.get(r.functionId);
    const prices = f && pricesOf(f.source.region);
    if (!f || !prices) continue;
    const compute = lambdaComputeCost(prices, { arch: f.architecture === "arm64" ? "arm64" : "x86_64", mbMs: BigInt(r.mbMs) }).microUsd;
    const requests = lambdaRequestCost(prices, { requests: r.invocations }).microUsd;
    const t = bucketOf(r.bucketStart);
    if (by === "function") addSpend(buckets, t, f.name, compute + requests);
    else {
      addSpend(buckets, t, SERVICES[0], compute);
      addSpend(buckets, t, SERVICES[1], requests);
    }
  }
  const stageById = new Map(stages.map((s) => [s.id, s]));
  for (const r of stageRows) {
    const s = stageById.get(r.stageId);
    const prices = s && pricesOf(s.api.source.region);
    if (!s || !prices?.apiGateway) continue;
    const micro = apiGatewayCost(prices, { type: s.api.type === "HTTP" ? "HTTP" : "REST", requests: r.requests }).microUsd;
    addSpend(buckets, bucketOf(r.bucketStart), by === "stage" ? `${s.api.name} / ${s.stageName}` : SERVICES[2], micro);
  }
  return prepareTimeSeries({ starts: bucketStarts(range), stepMs: range.stepMs, buckets, coverage, series: stackTopSpend(buckets, TOP_GROUPS, by === "service" ? SERVICES : undefined) });
}
