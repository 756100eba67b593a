/**
 * Builds the cost report model from store figures (pure). Tiers apply to each account-region's
 * calendar-month total per architecture (API Gateway: per API type): each pool is priced once at
 * its month-to-date position and split back to functions/stages with attributeTieredCost, so rows
 * add up exactly to the totals.
 */
import {
  apiGatewayCost,
  arm64MigrationSaving,
  attributeTieredCost,
  cloudwatchApiCost,
  detectSpendAnomalies,
  gbSecondsFromMbMs,
  getRegionPrices,
  HOURS_PER_MONTH,
  lambdaComputeCost,
  lambdaRequestCost,
  MICRO_PER_USD,
  PriceNotAvailableError,
  projectMonthEnd,
  Rational,
  recommendMemory,
  sqsCost,
  TIER_ATTRIBUTION_EXPLANATION,
  xrayCost,
  type Architecture,
  type DailySpend,
  type RegionPrices,
} from "../cost/index.ts";
import type { ReportPeriod } from "./periods.ts";
import { addDays, addMonths, formatLocalDate, parseLocalDate, startOfLocalDay, zonedDate, type LocalDate } from "./time-zone.ts";
import type {
  AnomalyItem,
  Arm64Item,
  CostChange,
  CostReport,
  CostReportInput,
  CostReportRow,
  CostTotals,
  MonitoringLine,
  Mover,
  ProjectionView,
  ReportFunctionInfo,
  ReportSourceInfo,
  ReportStageInfo,
  RightSizingItem,
  UsageSlice,
} from "./model.ts";

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Trailing days behind anomaly detection and the projection's daily rate. */
export const TRAILING_DAYS = 14;
/** Most movers shown. */
export const TOP_MOVERS = 5;
/** GetMetricData takes at most this many metrics per call (bounds the estimate). */
const MAX_METRICS_PER_CALL = 500;

export interface BuildOptions {
  /** Price table per region (default: built-in tables + FAASIGHT_PRICES_FILE). */
  prices?: (region: string) => RegionPrices;
}

/** First instant the hourly series must cover: the trailing window before the period and the projected month's start. */
export function historyStart(period: ReportPeriod): Date {
  const asOf = projectionAsOf(period);
  const monthStart = asOf ? startOfLocalDay(addMonths(asOf, 0), period.timezone) : period.start.getTime();
  return new Date(Math.min(period.start.getTime() - TRAILING_DAYS * DAY, monthStart - TRAILING_DAYS * DAY));
}

/** Splits [start, end) at UTC month starts (volume tiers restart each calendar month). */
export function monthSlices(start: Date, end: Date): Array<{ month: string; start: Date; end: Date; monthStart: Date }> {
  const out: Array<{ month: string; start: Date; end: Date; monthStart: Date }> = [];
  let s = start.getTime();
  const e = end.getTime();
  while (s < e) {
    const d = new Date(s);
    const monthStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    const next = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    const sliceEnd = Math.min(e, next);
    out.push({ month: new Date(monthStart).toISOString().slice(0, 7), start: new Date(s), end: new Date(sliceEnd), monthStart: new Date(monthStart) });
    s = sliceEnd;
  }
  return out;
}

/** The last complete local day of the period (what the projection is "as of"), or null when the period has none. */
function projectionAsOf(period: ReportPeriod): LocalDate | null {
  const endMs = period.end.getTime();
  if (endMs <= period.start.getTime()) return null;
  // The day before the end's date: the period's last day when it ends at midnight, yesterday for month-to-date.
  const asOf = addDays(zonedDate(endMs, period.timezone), -1);
  return formatLocalDate(asOf) < period.firstDate ? null : asOf;
}

interface Acc {
  requests: number;
  billedMs: bigint;
  mbMs: bigint;
  compute: bigint;
  req: bigint;
  estimated: boolean;
}

const emptyAcc = (): Acc => ({ requests: 0, billedMs: 0n, mbMs: 0n, compute: 0n, req: 0n, estimated: false });

const archOf = (a: string): Architecture => (a === "arm64" ? "arm64" : "x86_64");

function pct(change: bigint, previous: bigint): number | null {
  if (previous === 0n) return null;
  return Number(Rational.from(change * 1000n, previous).roundHalfUp()) / 10;
}

function change(current: bigint, previous: bigint): CostChange {
  return { changeMicroUsd: current - previous, changePct: pct(current - previous, previous) };
}

const gbs = (mbMs: bigint) => gbSecondsFromMbMs(mbMs).toString();

/** `part` of a pool's exact micro-dollars, in proportion, rounded once. */
const share = (exact: Rational, part: bigint | number, whole: bigint | number): bigint =>
  BigInt(whole) === 0n ? 0n : exact.mul(BigInt(part)).div(BigInt(whole)).roundHalfUp();

/** attributeTieredCost over numeric ids (in id order, so ties break the same way every time). */
function attribute(total: bigint, usage: Map<number, bigint | number>): Map<number, bigint> {
  const ids = [...usage.keys()].sort((a, b) => a - b);
  const shares = attributeTieredCost(total, new Map(ids.map((id) => [String(id), usage.get(id)!])));
  return new Map(ids.map((id) => [id, shares.get(String(id)) ?? 0n]));
}

class PriceBook {
  private readonly cache = new Map<string, RegionPrices | null>();
  readonly unpriced = new Set<string>();
  readonly used = new Map<string, string>();
  constructor(private readonly lookup: (region: string) => RegionPrices) {}
  get(region: string): RegionPrices | null {
    if (!this.cache.has(region)) {
      let p: RegionPrices | null = null;
      try {
        p = this.lookup(region);
      } catch (err) {
        if (!(err instanceof PriceNotAvailableError)) throw err;
      }
      this.cache.set(region, p);
    }
    const p = this.cache.get(region) ?? null;
    if (p) this.used.set(region, p.version);
    else this.unpriced.add(region);
    return p;
  }
  /** Runs a pricing call; a missing price (e.g. no API Gateway table) leaves the amount at 0 and names the region. */
  try<T>(region: string, fn: (p: RegionPrices) => T): T | null {
    const p = this.get(region);
    if (!p) return null;
    try {
      return fn(p);
    } catch (err) {
      if (err instanceof PriceNotAvailableError) {
        this.unpriced.add(`${region} (${err.message.replace(/^The \S+ price table \(version [^)]*\) has no price for /, "").replace(/;.*$/, "")})`);
        return null;
      }
      throw err;
    }
  }
}

interface Priced {
  functions: Map<number, Acc>;
  aliases: Map<string, Acc>;
  stages: Map<number, Acc>;
}

function addTo<K>(map: Map<K, Acc>, key: K, f: (a: Acc) => void) {
  let a = map.get(key);
  if (!a) map.set(key, (a = emptyAcc()));
  f(a);
}

/** Prices the slices of one period. */
function pricePeriod(slices: UsageSlice[], fnById: Map<number, ReportFunctionInfo>, stageById: Map<number, ReportStageInfo>, sourceById: Map<number, ReportSourceInfo>, book: PriceBook): Priced {
  const out: Priced = { functions: new Map(), aliases: new Map(), stages: new Map() };
  for (const slice of slices) {
    // Lambda duration: pools per source x architecture, offset by the month's earlier usage.
    const pools = new Map<string, { sourceId: number; arch: Architecture; usage: Map<number, bigint>; offset: bigint }>();
    const poolOf = (fn: ReportFunctionInfo) => {
      const k = `${fn.sourceId}|${archOf(fn.architecture)}`;
      let p = pools.get(k);
      if (!p) pools.set(k, (p = { sourceId: fn.sourceId, arch: archOf(fn.architecture), usage: new Map(), offset: 0n }));
      return p;
    };
    const reqPools = new Map<number, Map<number, number>>();
    for (const u of slice.functions) {
      if (u.qualifier !== "$ALL") continue;
      const fn = fnById.get(u.functionId);
      if (!fn) continue;
      const p = poolOf(fn);
      p.usage.set(fn.id, (p.usage.get(fn.id) ?? 0n) + BigInt(u.mbMs));
      const r = reqPools.get(fn.sourceId) ?? new Map<number, number>();
      r.set(fn.id, (r.get(fn.id) ?? 0) + u.invocations);
      reqPools.set(fn.sourceId, r);
      addTo(out.functions, fn.id, (a) => {
        a.requests += u.invocations;
        a.billedMs += BigInt(u.billedMs);
        a.mbMs += BigInt(u.mbMs);
      });
    }
    for (const u of slice.before.functions) {
      if (u.qualifier !== "$ALL") continue;
      const fn = fnById.get(u.functionId);
      if (fn) poolOf(fn).offset += BigInt(u.mbMs);
    }
    const sliceCompute = new Map<number, bigint>();
    const poolRate = new Map<string, { exactMicro: Rational; mbMs: bigint }>();
    for (const [k, p] of pools) {
      const total = [...p.usage.values()].reduce((s, v) => s + v, 0n);
      if (total === 0n) continue;
      const region = sourceById.get(p.sourceId)?.region ?? "";
      const charge = book.try(region, (prices) => lambdaComputeCost(prices, { arch: p.arch, mbMs: total, tierOffsetGbSeconds: gbSecondsFromMbMs(p.offset) }));
      if (!charge) continue;
      poolRate.set(k, { exactMicro: charge.exactUsd.mul(MICRO_PER_USD), mbMs: total });
      for (const [id, micro] of attribute(charge.microUsd, p.usage)) {
        sliceCompute.set(id, micro);
        addTo(out.functions, id, (a) => (a.compute += micro));
      }
    }
    // Lambda requests: flat price, one charge per source, split by invocations.
    const sliceReq = new Map<number, bigint>();
    const reqRate = new Map<number, { exactMicro: Rational; requests: number }>();
    for (const [sourceId, usage] of reqPools) {
      const total = [...usage.values()].reduce((s, v) => s + v, 0);
      if (total === 0) continue;
      const charge = book.try(sourceById.get(sourceId)?.region ?? "", (prices) => lambdaRequestCost(prices, { requests: total }));
      if (!charge) continue;
      reqRate.set(sourceId, { exactMicro: charge.exactUsd.mul(MICRO_PER_USD), requests: total });
      for (const [id, micro] of attribute(charge.microUsd, usage)) {
        sliceReq.set(id, micro);
        addTo(out.functions, id, (a) => (a.req += micro));
      }
    }
    // Aliases: exact at the pool's average rate when billed duration is known, else the function's cost per invocation.
    const fnSlice = new Map<number, { invocations: number; mbMs: bigint }>();
    for (const u of slice.functions) if (u.qualifier === "$ALL") fnSlice.set(u.functionId, { invocations: u.invocations, mbMs: BigInt(u.mbMs) });
    for (const u of slice.functions) {
      const fn = fnById.get(u.functionId);
      if (!fn || u.qualifier === "$ALL" || !fn.aliases.includes(u.qualifier)) continue;
      const whole = fnSlice.get(fn.id);
      addTo(out.aliases, `${fn.id}\u0000${u.qualifier}`, (a) => {
        a.requests += u.invocations;
        a.billedMs += BigInt(u.billedMs);
        const rate = poolRate.get(`${fn.sourceId}|${archOf(fn.architecture)}`);
        const req = reqRate.get(fn.sourceId);
        if (BigInt(u.mbMs) > 0n) {
          a.mbMs += BigInt(u.mbMs);
          if (rate) a.compute += share(rate.exactMicro, u.mbMs, rate.mbMs);
        } else if (whole && whole.invocations > 0 && u.invocations > 0) {
          a.estimated = true;
          a.mbMs += Rational.from(whole.mbMs * BigInt(u.invocations), BigInt(whole.invocations)).roundHalfUp();
          a.compute += share(Rational.of(sliceCompute.get(fn.id) ?? 0n), u.invocations, whole.invocations);
        }
        if (req) a.req += share(req.exactMicro, u.invocations, req.requests);
      });
    }
    // API Gateway: pools per source x API type, tiered on the month's requests.
    const apiPools = new Map<string, { sourceId: number; type: "REST" | "HTTP"; usage: Map<number, number>; offset: number }>();
    const apiPoolOf = (st: ReportStageInfo) => {
      const k = `${st.sourceId}|${st.apiType}`;
      let p = apiPools.get(k);
      if (!p) apiPools.set(k, (p = { sourceId: st.sourceId, type: st.apiType, usage: new Map(), offset: 0 }));
      return p;
    };
    for (const u of slice.stages) {
      const st = stageById.get(u.stageId);
      if (!st) continue;
      const p = apiPoolOf(st);
      p.usage.set(st.id, (p.usage.get(st.id) ?? 0) + u.requests);
      addTo(out.stages, st.id, (a) => (a.requests += u.requests));
    }
    for (const u of slice.before.stages) {
      const st = stageById.get(u.stageId);
      if (st) apiPoolOf(st).offset += u.requests;
    }
    for (const p of apiPools.values()) {
      const total = [...p.usage.values()].reduce((s, v) => s + v, 0);
      if (total === 0) continue;
      const charge = book.try(sourceById.get(p.sourceId)?.region ?? "", (prices) => apiGatewayCost(prices, { type: p.type, requests: total, tierOffsetRequests: p.offset }));
      if (!charge) continue;
      for (const [id, micro] of attribute(charge.microUsd, p.usage)) addTo(out.stages, id, (a) => (a.req += micro));
    }
  }
  return out;
}

function emptyTotals(): CostTotals {
  return { invocations: 0, apiRequests: 0, mbMs: 0n, gbSeconds: "0", computeMicroUsd: 0n, lambdaRequestsMicroUsd: 0n, apiGatewayMicroUsd: 0n, totalMicroUsd: 0n };
}

function totalsOf(priced: Priced): CostTotals {
  const t = emptyTotals();
  for (const a of priced.functions.values()) {
    t.invocations += a.requests;
    t.mbMs += a.mbMs;
    t.computeMicroUsd += a.compute;
    t.lambdaRequestsMicroUsd += a.req;
  }
  for (const a of priced.stages.values()) {
    t.apiRequests += a.requests;
    t.apiGatewayMicroUsd += a.req;
  }
  t.gbSeconds = gbs(t.mbMs);
  t.totalMicroUsd = t.computeMicroUsd + t.lambdaRequestsMicroUsd + t.apiGatewayMicroUsd;
  return t;
}

const per1k = (total: bigint, requests: number): bigint | null => (requests > 0 ? Rational.from(total * 1000n, BigInt(requests)).roundHalfUp() : null);

const byTotalThenKey = (a: { totalMicroUsd: bigint; key: string }, b: { totalMicroUsd: bigint; key: string }) =>
  a.totalMicroUsd === b.totalMicroUsd ? a.key.localeCompare(b.key) : a.totalMicroUsd > b.totalMicroUsd ? -1 : 1;

/** Per-function daily spend over the hourly series (first volume tier: a trend, not a bill). */
function dailySeries(input: CostReportInput, fnById: Map<number, ReportFunctionInfo>, stageById: Map<number, ReportStageInfo>, sourceById: Map<number, ReportSourceInfo>, book: PriceBook): DailySpend[] {
  const tz = input.period.timezone;
  const dates = new Map<number, string>();
  const dateOf = (t: Date) => {
    const ms = t.getTime();
    let d = dates.get(ms);
    if (d === undefined) dates.set(ms, (d = formatLocalDate(zonedDate(ms, tz))));
    return d;
  };
  const end = input.period.end.getTime();
  type Day = { compute: Map<string, bigint>; requests: Map<number, number>; api: Map<string, number> };
  const days = new Map<string, Day>();
  const dayOf = (date: string) => {
    let d = days.get(date);
    if (!d) days.set(date, (d = { compute: new Map(), requests: new Map(), api: new Map() }));
    return d;
  };
  for (const h of input.hourly.functions) {
    if (h.bucketStart.getTime() >= end) continue;
    const fn = fnById.get(h.functionId);
    if (!fn) continue;
    const d = dayOf(dateOf(h.bucketStart));
    const k = `${fn.sourceId}|${archOf(fn.architecture)}`;
    d.compute.set(k, (d.compute.get(k) ?? 0n) + BigInt(h.mbMs));
    d.requests.set(fn.sourceId, (d.requests.get(fn.sourceId) ?? 0) + h.invocations);
  }
  for (const h of input.hourly.stages) {
    if (h.bucketStart.getTime() >= end) continue;
    const st = stageById.get(h.stageId);
    if (!st) continue;
    const d = dayOf(dateOf(h.bucketStart));
    const k = `${st.sourceId}|${st.apiType}`;
    d.api.set(k, (d.api.get(k) ?? 0) + h.requests);
  }
  if (days.size === 0) return [];
  const regionOf = (sourceId: string | number) => sourceById.get(Number(sourceId))?.region ?? "";
  const priceDay = (d: Day): bigint => {
    let total = 0n;
    for (const [k, mbMs] of d.compute) {
      const [sourceId, arch] = k.split("|");
      total += book.try(regionOf(sourceId), (p) => lambdaComputeCost(p, { arch: arch as Architecture, mbMs }).microUsd) ?? 0n;
    }
    for (const [sourceId, n] of d.requests) total += book.try(regionOf(sourceId), (p) => lambdaRequestCost(p, { requests: n }).microUsd) ?? 0n;
    for (const [k, n] of d.api) {
      const [sourceId, type] = k.split("|");
      total += book.try(regionOf(sourceId), (p) => apiGatewayCost(p, { type: type as "REST" | "HTTP", requests: n }).microUsd) ?? 0n;
    }
    return total;
  };
  // Every day from the first day with data to the period's last day: a day without rows spent nothing.
  const sorted = [...days.keys()].sort();
  const out: DailySpend[] = [];
  let d = parseLocalDate(sorted[0])!;
  const last = parseLocalDate(input.period.lastDate)!;
  while (formatLocalDate(d) <= formatLocalDate(last)) {
    const key = formatLocalDate(d);
    const day = days.get(key);
    out.push({ date: key, microUsd: day ? priceDay(day) : 0n });
    d = addDays(d, 1);
  }
  return out;
}

function monitoringCost(input: CostReportInput, sourceById: Map<number, ReportSourceInfo>, book: PriceBook): CostReport["monitoring"] {
  const lines: MonitoringLine[] = [];
  for (const m of [...input.monitoring].sort((a, b) => a.sourceId - b.sourceId)) {
    const src = sourceById.get(m.sourceId);
    if (!src) continue;
    const billed = (c: { calls: number; throttled: number; failed: number }) => Math.max(0, c.calls - c.throttled - c.failed);
    const groups = new Map<string, string[]>();
    for (const api of Object.keys(m.calls).sort()) {
      const service = api.split(":")[0];
      const group = api === "monitoring:GetMetricData" ? "gmd" : ["monitoring", "xray", "sqs", "logs"].includes(service) ? (service === "monitoring" ? "cw" : service) : "control";
      groups.set(group, [...(groups.get(group) ?? []), api]);
    }
    const sum = (apis: string[], f: (c: (typeof m.calls)[string]) => number) => apis.reduce((s, a) => s + f(m.calls[a]), 0);
    const push = (item: string, apis: string[], quantity: bigint | number, unit: string, microUsd: bigint | null, estimated: boolean, note: string) =>
      lines.push({ source: src.name, region: src.region, item, apis, calls: sum(apis, (c) => c.calls), quantity: String(quantity), unit, microUsd: microUsd ?? 0n, estimated, note: microUsd === null ? `${note} (no price in the ${src.region} table)` : note });
    const gmd = groups.get("gmd");
    if (gmd) {
      const calls = sum(gmd, billed);
      const recorded = sum(gmd, (c) => c.metrics ?? 0);
      const hasRecorded = gmd.some((a) => m.calls[a].metrics !== undefined);
      const estimate = Math.min(calls * MAX_METRICS_PER_CALL, Math.max(calls, m.metricSeries * m.metricsRuns));
      const metrics = hasRecorded ? recorded : estimate;
      const micro = book.try(src.region, (p) => cloudwatchApiCost(p, { getMetricDataMetrics: metrics }).microUsd);
      push(
        "CloudWatch GetMetricData",
        gmd,
        metrics,
        "metrics",
        micro,
        !hasRecorded,
        hasRecorded
          ? "metrics requested, as recorded by the collector; the free tier does not cover GetMetricData"
          : `estimated: ${m.metricSeries} metric series stored x ${m.metricsRuns} collection runs, bounded by ${calls} calls x 1..${MAX_METRICS_PER_CALL} metrics; the free tier does not cover GetMetricData`,
      );
    }
    const cw = groups.get("cw");
    if (cw) {
      const n = sum(cw, billed);
      push("CloudWatch API requests", cw, n, "requests", book.try(src.region, (p) => cloudwatchApiCost(p, { getMetricDataMetrics: 0, otherRequests: n }).microUsd), false, "ListMetrics and other CloudWatch API requests, priced without the account's monthly free allowance");
    }
    const xr = groups.get("xray");
    if (xr) {
      push("X-Ray traces retrieved", xr, m.tracesRetrieved, "traces", book.try(src.region, (p) => xrayCost(p, { recorded: 0, retrieved: m.tracesRetrieved }).microUsd), true, "estimated from the traces Faasight stored (each retrieved once); summaries scanned by GetTraceSummaries may add to this");
    }
    const sq = groups.get("sqs");
    if (sq) {
      const n = sum(sq, billed);
      push("SQS requests", sq, n, "requests", book.try(src.region, (p) => sqsCost(p, { requests: n }).microUsd), false, "DLQ and destination queue reads (ReceiveMessage, GetQueueAttributes, ...), standard queue price, 64 KB chunks not counted");
    }
    const lg = groups.get("logs");
    if (lg) push("CloudWatch Logs API requests", lg, sum(lg, billed), "requests", 0n, false, "log reads are not charged per request (ingestion is billed to the functions that write the logs)");
    const ctl = groups.get("control");
    if (ctl) push("Control-plane API requests", ctl, sum(ctl, billed), "requests", 0n, false, "Lambda, API Gateway, SNS, EventBridge and STS management reads are not charged per request");
  }
  return {
    totalMicroUsd: lines.reduce((s, l) => s + l.microUsd, 0n),
    lines,
    method:
      "Faasight's own AWS API calls in the period, as counted by its collectors (CollectorRun), priced with the region's table. " +
      "Throttled and failed calls are not billed. Not included in the totals above, which are the cost of the workload.",
  };
}

/** Builds the cost report model (pure: the same input gives the same report). */
export function buildCostReport(input: CostReportInput, options: BuildOptions = {}): CostReport {
  const book = new PriceBook(options.prices ?? ((region) => getRegionPrices(region)));
  const period = input.period;
  const sourceById = new Map(input.sources.map((s) => [s.id, s]));
  const fnById = new Map(input.functions.map((f) => [f.id, f]));
  const stageById = new Map(input.stages.map((s) => [s.id, s]));
  const current = pricePeriod(input.current, fnById, stageById, sourceById, book);
  const previous = pricePeriod(input.previous, fnById, stageById, sourceById, book);
  const multiSource = new Set(input.functions.map((f) => f.sourceId).concat(input.stages.map((s) => s.sourceId))).size > 1;

  const rows: CostReportRow[] = [];
  const base = (src: ReportSourceInfo | undefined) => ({ source: src?.name ?? "?", region: src?.region ?? "?" });
  const fnRows: CostReportRow[] = [];
  for (const id of new Set([...current.functions.keys(), ...previous.functions.keys()])) {
    const fn = fnById.get(id)!;
    const a = current.functions.get(id) ?? emptyAcc();
    const prev = previous.functions.get(id) ?? emptyAcc();
    const total = a.compute + a.req;
    const prevTotal = prev.compute + prev.req;
    if (a.requests === 0 && prev.requests === 0 && total === 0n && prevTotal === 0n) continue;
    const src = sourceById.get(fn.sourceId);
    fnRows.push({
      kind: "function",
      key: `fn:${src?.name ?? fn.sourceId}/${fn.name}`,
      name: fn.name,
      qualifier: null,
      ...base(src),
      architecture: archOf(fn.architecture),
      memoryMb: fn.memoryMb,
      apiType: null,
      requests: a.requests,
      mbMs: a.mbMs,
      gbSeconds: gbs(a.mbMs),
      computeMicroUsd: a.compute,
      requestsMicroUsd: a.req,
      totalMicroUsd: total,
      costPer1kRequestsMicroUsd: per1k(total, a.requests),
      previousTotalMicroUsd: prevTotal,
      ...change(total, prevTotal),
      estimated: false,
      live: !fn.deleted,
    });
  }
  fnRows.sort(byTotalThenKey);
  const aliasRowsOf = new Map<number, CostReportRow[]>();
  for (const key of new Set([...current.aliases.keys(), ...previous.aliases.keys()])) {
    const [id, alias] = key.split("\u0000");
    const fn = fnById.get(Number(id))!;
    const a = current.aliases.get(key) ?? emptyAcc();
    const prev = previous.aliases.get(key) ?? emptyAcc();
    const total = a.compute + a.req;
    const prevTotal = prev.compute + prev.req;
    if (a.requests === 0 && prev.requests === 0) continue;
    const src = sourceById.get(fn.sourceId);
    const list = aliasRowsOf.get(fn.id) ?? [];
    list.push({
      kind: "alias",
      key: `alias:${src?.name ?? fn.sourceId}/${fn.name}:${alias}`,
      name: fn.name,
      qualifier: alias,
      ...base(src),
      architecture: archOf(fn.architecture),
      memoryMb: fn.memoryMb,
      apiType: null,
      requests: a.requests,
      mbMs: a.mbMs,
      gbSeconds: gbs(a.mbMs),
      computeMicroUsd: a.compute,
      requestsMicroUsd: a.req,
      totalMicroUsd: total,
      costPer1kRequestsMicroUsd: per1k(total, a.requests),
      previousTotalMicroUsd: prevTotal,
      ...change(total, prevTotal),
      estimated: a.estimated || prev.estimated,
      live: !fn.deleted,
    });
    aliasRowsOf.set(fn.id, list);
  }
  const fnIdByKey = new Map(input.functions.map((f) => [`fn:${sourceById.get(f.sourceId)?.name ?? f.sourceId}/${f.name}`, f.id]));
  for (const r of fnRows) {
    rows.push(r);
    rows.push(...(aliasRowsOf.get(fnIdByKey.get(r.key) ?? -1) ?? []).sort(byTotalThenKey));
  }
  const stageRows: CostReportRow[] = [];
  for (const id of new Set([...current.stages.keys(), ...previous.stages.keys()])) {
    const st = stageById.get(id)!;
    const a = current.stages.get(id) ?? emptyAcc();
    const prev = previous.stages.get(id) ?? emptyAcc();
    if (a.requests === 0 && prev.requests === 0 && a.req === 0n && prev.req === 0n) continue;
    const src = sourceById.get(st.sourceId);
    stageRows.push({
      kind: "stage",
      key: `stage:${src?.name ?? st.sourceId}/${st.apiId}/${st.stageName}`,
      name: st.apiName,
      qualifier: st.stageName,
      ...base(src),
      architecture: null,
      memoryMb: null,
      apiType: st.apiType,
      requests: a.requests,
      mbMs: 0n,
      gbSeconds: "0",
      computeMicroUsd: 0n,
      requestsMicroUsd: a.req,
      totalMicroUsd: a.req,
      costPer1kRequestsMicroUsd: per1k(a.req, a.requests),
      previousTotalMicroUsd: prev.req,
      ...change(a.req, prev.req),
      estimated: false,
      live: !st.deleted,
    });
  }
  rows.push(...stageRows.sort(byTotalThenKey));

  const totalsCurrent = totalsOf(current);
  const totalsPrevious = totalsOf(previous);

  const movers: Mover[] = rows
    .filter((r) => r.kind !== "alias" && r.changeMicroUsd !== 0n)
    .map((r) => ({
      key: r.key,
      kind: r.kind,
      label: `${r.kind === "stage" ? `${r.name} / ${r.qualifier}` : r.name}${multiSource ? ` (${r.source})` : ""}`,
      totalMicroUsd: r.totalMicroUsd,
      previousTotalMicroUsd: r.previousTotalMicroUsd,
      changeMicroUsd: r.changeMicroUsd,
      changePct: r.changePct,
    }))
    .sort((a, b) => {
      const x = a.changeMicroUsd < 0n ? -a.changeMicroUsd : a.changeMicroUsd;
      const y = b.changeMicroUsd < 0n ? -b.changeMicroUsd : b.changeMicroUsd;
      return x === y ? a.key.localeCompare(b.key) : x > y ? -1 : 1;
    })
    .slice(0, TOP_MOVERS);

  // Savings, per month: the period's usage scaled to a 730-hour month.
  const periodMs = BigInt(Math.max(1, period.end.getTime() - period.start.getTime()));
  const monthFactor = Rational.from(BigInt(HOURS_PER_MONTH * HOUR), periodMs);
  const memorySamples = new Map<number, number[]>();
  for (const h of input.hourly.functions) {
    const t = h.bucketStart.getTime();
    if (t < period.start.getTime() || t >= period.end.getTime() || h.maxMemoryUsedMb == null) continue;
    memorySamples.set(h.functionId, [...(memorySamples.get(h.functionId) ?? []), h.maxMemoryUsedMb]);
  }
  const rightSizing: RightSizingItem[] = [];
  const arm64: Arm64Item[] = [];
  let rightSizingAssumptions: string[] = [];
  let arm64Assumption = "";
  for (const r of fnRows) {
    const id = fnIdByKey.get(r.key);
    const fn = id === undefined ? undefined : fnById.get(id);
    const a = id === undefined ? undefined : current.functions.get(id);
    if (!fn || fn.deleted || !a || a.requests === 0) continue;
    const arch = archOf(fn.architecture);
    const invocationsPerMonth = Rational.of(a.requests).mul(monthFactor).roundHalfUp();
    const rec = book.try(r.region, (prices) =>
      recommendMemory(prices, {
        arch,
        currentMemoryMb: fn.memoryMb,
        invocationsPerMonth,
        avgBilledMs: Rational.from(a.billedMs, BigInt(a.requests)),
        maxMemoryUsedMb: memorySamples.get(fn.id),
      }),
    );
    if (rec) {
      if (rightSizingAssumptions.length === 0) rightSizingAssumptions = [...rec.assumptions];
      if (rec.action !== "keep") {
        rightSizing.push({
          key: r.key,
          function: fn.name,
          source: r.source,
          region: r.region,
          architecture: arch,
          action: rec.action,
          currentMemoryMb: rec.currentMemoryMb,
          recommendedMemoryMb: rec.recommendedMemoryMb,
          p99MaxMemoryUsedMb: rec.p99MaxMemoryUsedMb,
          currentAvgBilledMs: Math.round(rec.currentAvgBilledMs * 1000) / 1000,
          estimatedAvgBilledMs: rec.estimatedAvgBilledMs,
          invocationsPerMonth: Number(invocationsPerMonth),
          currentMonthlyMicroUsd: rec.currentMonthlyMicroUsd,
          recommendedMonthlyMicroUsd: rec.recommendedMonthlyMicroUsd,
          monthlySavingMicroUsd: rec.monthlySavingMicroUsd,
        });
      }
    }
    if (arch === "x86_64" && a.mbMs > 0n) {
      const monthlyGbs = gbSecondsFromMbMs(a.mbMs).mul(monthFactor);
      const s = book.try(r.region, (prices) => arm64MigrationSaving(prices, { gbSeconds: monthlyGbs }));
      if (s && s.savingMicroUsd > 0n) {
        arm64Assumption = s.assumption;
        arm64.push({
          key: r.key,
          function: fn.name,
          source: r.source,
          region: r.region,
          monthlyGbSeconds: monthlyGbs.toDecimal(3),
          x86MonthlyMicroUsd: s.x86MicroUsd,
          arm64MonthlyMicroUsd: s.arm64MicroUsd,
          monthlySavingMicroUsd: s.savingMicroUsd,
          savingPct: s.savingPct,
        });
      }
    }
  }
  const bySaving = (a: { monthlySavingMicroUsd: bigint; key: string }, b: { monthlySavingMicroUsd: bigint; key: string }) =>
    a.monthlySavingMicroUsd === b.monthlySavingMicroUsd ? a.key.localeCompare(b.key) : a.monthlySavingMicroUsd > b.monthlySavingMicroUsd ? -1 : 1;
  rightSizing.sort((a, b) => (a.action === "insufficient-data") === (b.action === "insufficient-data") ? bySaving(a, b) : a.action === "insufficient-data" ? 1 : -1);
  arm64.sort(bySaving);
  rightSizingAssumptions.push(
    `Usage is this period's, scaled to a ${HOURS_PER_MONTH}-hour month. Max Memory Used is the hourly maximum from the store (its p99 over the period's hours), which can only overstate the per-invocation p99, so recommendations err on the large side.`,
  );

  // Daily series, anomalies, projection.
  const daily = dailySeries(input, fnById, stageById, sourceById, book);
  const asOf = projectionAsOf(period);
  const complete = asOf ? daily.filter((d) => d.date <= formatLocalDate(asOf)) : [];
  const anomalies: AnomalyItem[] = detectSpendAnomalies(complete, { windowDays: TRAILING_DAYS })
    .filter((x) => x.date >= period.firstDate && x.date <= period.lastDate)
    .map((x) => ({ date: x.date, microUsd: x.microUsd, medianMicroUsd: x.medianMicroUsd, thresholdMicroUsd: x.thresholdMicroUsd, reason: x.reason }));
  let projection: ProjectionView | null = null;
  if (asOf && complete.length > 0) {
    const p = projectMonthEnd(complete, { asOf: formatLocalDate(asOf), windowDays: TRAILING_DAYS });
    projection = {
      month: p.month,
      asOf: formatLocalDate(asOf),
      daysElapsed: p.daysElapsed,
      daysInMonth: p.daysInMonth,
      monthToDateMicroUsd: p.monthToDateMicroUsd,
      projectedMicroUsd: p.projectedMicroUsd,
      lowMicroUsd: p.lowMicroUsd,
      highMicroUsd: p.highMicroUsd,
      method: `${p.method} Days are ${period.timezone} calendar days.`,
    };
  }

  const monitoring = monitoringCost(input, sourceById, book);
  const totalRight = rightSizing.reduce((s, r) => s + (r.monthlySavingMicroUsd > 0n ? r.monthlySavingMicroUsd : 0n), 0n);
  const totalArm = arm64.reduce((s, r) => s + r.monthlySavingMicroUsd, 0n);

  return {
    schemaVersion: 1,
    title: `Cost report: ${period.title.toLowerCase()}`,
    generatedAt: input.generatedAt.toISOString(),
    currency: "USD",
    period: {
      preset: period.preset,
      title: period.title,
      timezone: period.timezone,
      start: period.start.toISOString(),
      end: period.end.toISOString(),
      label: period.label,
      firstDate: period.firstDate,
      lastDate: period.lastDate,
      hours: Math.round(((period.end.getTime() - period.start.getTime()) / HOUR) * 100) / 100,
    },
    previousPeriod: { start: period.previous.start.toISOString(), end: period.previous.end.toISOString(), label: period.previous.label },
    totals: { current: totalsCurrent, previous: totalsPrevious, ...change(totalsCurrent.totalMicroUsd, totalsPrevious.totalMicroUsd) },
    topMovers: movers,
    rows,
    savings: {
      rightSizing,
      rightSizingMonthlyMicroUsd: totalRight,
      rightSizingAssumptions,
      arm64,
      arm64MonthlyMicroUsd: totalArm,
      arm64Assumption,
    },
    daily: daily.filter((d) => d.date >= period.firstDate && d.date <= period.lastDate),
    anomalies,
    projection,
    monitoring,
    notes: {
      tierAttribution: TIER_ATTRIBUTION_EXPLANATION,
      pricing:
        "Lambda duration is billed ms x configured memory summed exactly per invocation (INIT included where AWS bills it), priced per architecture at the account-region's volume tier for the calendar month (UTC), plus requests; API Gateway requests per API type, tiered the same way. Free tiers are not applied. Provisioned concurrency and ephemeral storage are not included.",
      aliases:
        "Alias rows are part of their function's row, not added to the totals. Where the store has only the alias's invocation count (from CloudWatch metrics), its cost is estimated at the function's average cost per invocation and marked estimated.",
      daily: `Daily figures (trend, anomalies, projection) are ${period.timezone} calendar days, each priced at the first volume tier; hours are assigned to the day they start in.`,
      unpricedRegions: [...book.unpriced].sort(),
      priceTables: [...book.used].sort(([a], [b]) => a.localeCompare(b)).map(([region, version]) => ({ region, version })),
    },
  };
}
