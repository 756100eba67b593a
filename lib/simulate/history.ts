/**
 * Fast history for scale tests: N functions x D days written straight into the store as the
 * collectors would have left it — hour rollups for the whole window, minute rollups for the
 * last day (the minute retention a dashboard reads at the edges), raw Invocation rows for the
 * most recent hours (their minute rollups derived from them exactly), fleet hours, API stage
 * rollups and the inventory. Traffic follows a seeded model per function (a heavy-tailed
 * rate with a daily cycle), not the event-level simulator: minutes of data, not hours.
 */
import crypto from "node:crypto";
import { addValue, createHistogram } from "../histogram/histogram.ts";
import { ALL_QUALIFIER, emptyRollup, errorsByTypeJson, histText, mergeRollup, rollupMinutes, type RollupInvocation, type RollupValues } from "../store/rollup-math.ts";
import { dayOf, recomputeFleetHours, recomputeFleetMinutes } from "../store/rollups.ts";
import { all, insertRows, type Store } from "../store/sql.ts";
import { buildShop, type FunctionSpec } from "./shop.ts";
import { lognormal, poisson, rngFor, uniform, type Rng } from "./rng.ts";

const MINUTE = 60_000;
const HOUR = 3_600_000;

export interface HistoryOptions {
  functions: number;
  days: number;
  /** Window end (rounded down to the minute; the last hour and day rows are partial, as a live store's are). */
  end: number;
  seed?: number;
  /** Hours at the end of the window with minute rollups (default 3: views of 24 h and more read minute rows only at their edges). */
  minuteHours?: number;
  /** Days at the end of the window with per-version and per-alias hour rows besides $ALL (default 7). */
  qualifierDays?: number;
  /** Hours at the end of the window with raw Invocation rows (default 1). */
  rawHours?: number;
  /** Traffic multiplier (default 1). */
  rate?: number;
  accountId?: string;
  region?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface HistorySummary {
  sourceId: number;
  functions: number;
  hourRows: number;
  minuteRows: number;
  rawInvocations: number;
  stageRows: number;
  fleetHours: number;
  /** Invocations the history represents over the whole window. */
  invocations: number;
  start: number;
  end: number;
}

/** A function's traffic model (pure, seeded by name). */
export interface TrafficModel {
  /** Mean invocations per minute at the daily average. */
  perMinute: number;
  errorRate: number;
  medianMs: number;
  sigma: number;
  initMedianMs: number;
  memoryMb: number;
  version: string;
  alias: string | null;
}

/**
 * The seeded traffic model of one function: 60% busy (0.05–30 invocations per minute,
 * log-uniform), 40% rarely invoked (a few a day: cron jobs, admin tools, leftovers).
 */
export function trafficModel(spec: FunctionSpec, seed: number): TrafficModel {
  const rng = rngFor(seed, "history", spec.name);
  const alias = spec.aliases[0] ?? null;
  const busy = rng() < 0.6;
  return {
    perMinute: busy ? Math.exp(uniform(rng, Math.log(0.05), Math.log(30))) : Math.exp(uniform(rng, Math.log(0.0002), Math.log(0.01))),
    errorRate: Math.exp(uniform(rng, Math.log(0.0005), Math.log(0.05))),
    medianMs: Math.exp(uniform(rng, Math.log(8), Math.log(900))),
    sigma: uniform(rng, 0.3, 0.9),
    initMedianMs: uniform(rng, 150, 900),
    memoryMb: spec.memoryMb,
    version: alias ? alias.version : spec.publishedVersions > 0 ? String(spec.publishedVersions) : "$LATEST",
    alias: alias?.name ?? null,
  };
}

/** Daily cycle: busier in the (UTC) afternoon, quieter at night; mean 1. */
export function dailyFactor(t: number): number {
  const hourOfDay = (t % (24 * HOUR)) / HOUR;
  return 1 + 0.6 * Math.sin(((hourOfDay - 9) / 24) * 2 * Math.PI);
}

/**
 * The rollup values of `n` invocations drawn from a model without generating each one: a
 * few representative durations weighted to sum to `n` (histograms stay realistic, cost is O(1)).
 */
export function syntheticRollup(m: TrafficModel, n: number, rng: Rng): RollupValues {
  const v = emptyRollup();
  if (n <= 0) return v;
  const k = Math.min(n, 12);
  let left = n;
  for (let i = 0; i < k; i++) {
    const c = i === k - 1 ? left : Math.floor(n / k);
    left -= c;
    const d = Math.round(lognormal(rng, m.medianMs, m.sigma) * 100) / 100;
    const billed = Math.max(1, Math.ceil(d));
    v.invocations += c;
    v.billedMs += BigInt(billed * c);
    v.mbMs += BigInt(billed * c) * BigInt(m.memoryMb);
    v.durationHundredths += Math.round(d * 100) * c;
    addValue(v.hist, d, c);
  }
  const cold = Math.min(n, poisson(rng, n * Math.min(0.5, 0.05 / Math.max(0.01, m.perMinute))));
  for (let i = 0; i < cold; i++) {
    const init = Math.round(lognormal(rng, m.initMedianMs, 0.25) * 100) / 100;
    v.coldStarts++;
    v.initHundredths += Math.round(init * 100);
    addValue(v.initHist, init);
  }
  const errors = Math.min(n, poisson(rng, n * m.errorRate));
  const timeouts = Math.min(errors, poisson(rng, errors * 0.1));
  v.errors = errors;
  v.timeouts = timeouts;
  if (errors - timeouts > 0) v.errorsByType.Error = errors - timeouts;
  if (timeouts > 0) v.errorsByType["Sandbox.Timedout"] = timeouts;
  v.maxMemoryUsedMb = Math.min(m.memoryMb, Math.round(m.memoryMb * uniform(rng, 0.2, 0.6)));
  return v;
}

/** Raw invocations of one minute, as the log collector would have assembled them. */
export function rawInvocations(m: TrafficModel, minute: number, n: number, rng: Rng): Array<RollupInvocation & { requestId: string; endedAt: number }> {
  const out: Array<RollupInvocation & { requestId: string; endedAt: number }> = [];
  for (let i = 0; i < n; i++) {
    const startedAt = minute + Math.floor(rng() * MINUTE);
    const durationMs = Math.round(lognormal(rng, m.medianMs, m.sigma) * 100) / 100;
    const cold = rng() < Math.min(0.5, 0.05 / Math.max(0.01, m.perMinute));
    const initMs = cold ? Math.round(lognormal(rng, m.initMedianMs, 0.25) * 100) / 100 : null;
    const r = rng();
    const status = r < m.errorRate * 0.1 ? "timeout" : r < m.errorRate ? "error" : "ok";
    out.push({
      requestId: crypto.randomUUID(),
      version: m.version,
      startedAt,
      endedAt: startedAt + Math.ceil(durationMs),
      durationMs,
      billedMs: Math.max(1, Math.ceil(durationMs + (initMs ?? 0))),
      memoryMb: m.memoryMb,
      maxMemoryUsedMb: Math.round(m.memoryMb * 0.4),
      initMs,
      coldStart: cold,
      status,
      errorType: status === "error" ? "Error" : status === "timeout" ? "Sandbox.Timedout" : null,
    });
  }
  return out;
}

const ROLLUP_COLUMNS = ["functionId", "qualifier", "bucketStart", "invocations", "errors", "timeouts", "oomKills", "coldStarts", "billedMs", "mbMs", "durationSumMs", "initSumMs", "maxMemoryUsedMb", "errorsByType", "hist", "initHist"];
const ALIAS_COLUMNS = ["functionId", "qualifier", "bucketStart", "invocations", "errors"];
const INVOCATION_COLUMNS = ["functionId", "requestId", "attempt", "version", "alias", "logStream", "startedAt", "endedAt", "durationMs", "billedMs", "memoryMb", "maxMemoryUsedMb", "initMs", "coldStart", "status", "errorType"];
const STAGE_COLUMNS = ["stageId", "variant", "bucketStart", "requests", "status4xx", "status5xx", "byStatus", "latencySumMs", "integrationLatencySumMs", "hist"];

/** One row per qualifier, sharing the serialised columns. */
function rollupRows(functionId: number, qualifiers: string[], bucketStart: number, v: RollupValues): unknown[][] {
  const at = new Date(bucketStart);
  const tail = [v.invocations, v.errors, v.timeouts, v.oomKills, v.coldStarts, v.billedMs, v.mbMs, v.durationHundredths / 100, v.initHundredths / 100, v.maxMemoryUsedMb, errorsByTypeJson(v.errorsByType), histText(v.hist), histText(v.initHist)];
  return qualifiers.map((q) => [functionId, q, at, ...tail]);
}

/** Writes the inventory (source, functions, versions, aliases, APIs and stages); returns ids. */
async function writeInventory(store: Store, o: Required<Pick<HistoryOptions, "accountId" | "region">>, specs: FunctionSpec[], apis: ReturnType<typeof buildShop>["apis"], now: Date): Promise<{ sourceId: number; fnIds: number[]; stageIds: number[] }> {
  const d = store.dialect;
  return store.transaction(function* () {
    const [src] = yield* insertRows<{ id: unknown }>(d, "Source", ["name", "accountId", "region", "enabled", "createdAt", "updatedAt"], [[`history-${o.accountId}`, o.accountId, o.region, true, now, now]], { conflict: ["accountId", "region"], update: ["name"], returning: ["id"] });
    const sourceId = src ? Number(src.id) : Number((yield* all<{ id: unknown }>(`SELECT "id" FROM "Source" WHERE "accountId" = ? AND "region" = ?`, [o.accountId, o.region]))[0]!.id);
    const fnRows = specs.map((f) => [sourceId, f.name, `arn:aws:lambda:${o.region}:${o.accountId}:function:${f.name}`, f.runtime, f.handler, f.architecture, f.memoryMb, f.timeoutS, `/aws/lambda/${f.name}`, f.logFormat, f.tracing, now, now]);
    const fns = yield* insertRows<{ id: unknown; name: string }>(d, "LambdaFunction", ["sourceId", "name", "arn", "runtime", "handler", "architecture", "memoryMb", "timeoutSec", "logGroup", "logFormat", "tracingMode", "firstSeenAt", "updatedAt"], fnRows, { conflict: ["sourceId", "name"], update: ["memoryMb"], returning: ["id", "name"] });
    const idOf = new Map(fns.map((r) => [String(r.name), Number(r.id)]));
    const versions: unknown[][] = [];
    const aliases: unknown[][] = [];
    for (const f of specs) {
      const id = idOf.get(f.name)!;
      for (let v = 1; v <= f.publishedVersions; v++) versions.push([id, String(v), f.runtime, f.architecture, f.memoryMb]);
      for (const a of f.aliases) aliases.push([id, a.name, a.version, JSON.stringify(a.additional ? { [a.additional.version]: a.additional.weight } : {})]);
    }
    yield* insertRows(d, "FunctionVersion", ["functionId", "version", "runtime", "architecture", "memoryMb"], versions, { conflict: ["functionId", "version"] });
    yield* insertRows(d, "FunctionAlias", ["functionId", "name", "functionVersion", "routingJson"], aliases, { conflict: ["functionId", "name"] });
    const stageIds: number[] = [];
    for (const api of apis) {
      const apiId = crypto.createHash("sha1").update(api.name).digest("hex").slice(0, 10);
      const [a] = yield* insertRows<{ id: unknown }>(d, "Api", ["sourceId", "apiId", "name", "type", "updatedAt"], [[sourceId, apiId, api.name, api.type, now]], { conflict: ["sourceId", "apiId"], update: ["name"], returning: ["id"] });
      const stages = yield* insertRows<{ id: unknown }>(d, "ApiStage", ["apiDbId", "stageName", "cacheEnabled", "tracingEnabled", "updatedAt"], api.stages.map((s) => [Number(a!.id), s.name, s.cacheEnabled, s.tracing, now]), { conflict: ["apiDbId", "stageName"], update: ["cacheEnabled"], returning: ["id"] });
      stageIds.push(...stages.map((s) => Number(s.id)));
    }
    return { sourceId, fnIds: specs.map((f) => idOf.get(f.name)!), stageIds };
  });
}

/** Writes the history through the store's batch writers (idempotent: a re-run rewrites the same rows). */
export async function writeHistory(store: Store, options: HistoryOptions): Promise<HistorySummary> {
  const seed = options.seed ?? 7;
  const rate = options.rate ?? 1;
  const end = Math.floor(options.end / MINUTE) * MINUTE;
  const start = Math.floor((end - options.days * 24 * HOUR) / HOUR) * HOUR;
  const minuteFrom = Math.floor((end - (options.minuteHours ?? 3) * HOUR) / HOUR) * HOUR;
  const qualifiersFrom = Math.floor((end - (options.qualifierDays ?? 7) * 24 * HOUR) / HOUR) * HOUR;
  const rawFrom = end - (options.rawHours ?? 1) * HOUR;
  const o = { accountId: options.accountId ?? "123456789012", region: options.region ?? "us-east-1" };
  const shop = buildShop({ functions: options.functions });
  const inv = await writeInventory(store, o, shop.functions, shop.apis, new Date(end));
  const d = store.dialect;
  const summary: HistorySummary = { sourceId: inv.sourceId, functions: shop.functions.length, hourRows: 0, minuteRows: 0, rawInvocations: 0, stageRows: 0, fleetHours: 0, invocations: 0, start, end };
  let hourBatch: unknown[][] = [];
  let minuteBatch: unknown[][] = [];
  let aliasMinuteBatch: unknown[][] = [];
  let aliasHourBatch: unknown[][] = [];
  let rawBatch: unknown[][] = [];
  let dayBatch: unknown[][] = [];
  let aliasDayBatch: unknown[][] = [];
  const flush = async (force: boolean) => {
    if (!force && hourBatch.length + minuteBatch.length + rawBatch.length < 20_000) return;
    const [h, m, ah, am, r, dd, ad] = [hourBatch, minuteBatch, aliasHourBatch, aliasMinuteBatch, rawBatch, dayBatch, aliasDayBatch];
    hourBatch = [];
    minuteBatch = [];
    aliasHourBatch = [];
    aliasMinuteBatch = [];
    rawBatch = [];
    dayBatch = [];
    aliasDayBatch = [];
    await store.transaction(function* () {
      yield* insertRows(d, "DayRollup", ROLLUP_COLUMNS, dd, { conflict: ["functionId", "qualifier", "bucketStart"] });
      yield* insertRows(d, "DayRollup", ALIAS_COLUMNS, ad, { conflict: ["functionId", "qualifier", "bucketStart"] });
      yield* insertRows(d, "HourRollup", ROLLUP_COLUMNS, h, { conflict: ["functionId", "qualifier", "bucketStart"] });
      yield* insertRows(d, "MinuteRollup", ROLLUP_COLUMNS, m, { conflict: ["functionId", "qualifier", "bucketStart"] });
      yield* insertRows(d, "HourRollup", ALIAS_COLUMNS, ah, { conflict: ["functionId", "qualifier", "bucketStart"] });
      yield* insertRows(d, "MinuteRollup", ALIAS_COLUMNS, am, { conflict: ["functionId", "qualifier", "bucketStart"] });
      yield* insertRows(d, "Invocation", INVOCATION_COLUMNS, r, { conflict: ["functionId", "requestId", "endedAt"] });
    });
  };

  // Time-major, as a live store is written (every cycle adds the latest buckets of every
  // active function), so rows of one hour or day sit together on disk as they would.
  const fns = shop.functions.map((spec, i) => {
    const fnId = inv.fnIds[i]!;
    const m = trafficModel(spec, seed);
    m.perMinute *= rate;
    const rng = rngFor(seed, "history-buckets", spec.name);
    const qualifiers = m.version === ALL_QUALIFIER ? [ALL_QUALIFIER] : [ALL_QUALIFIER, m.version];
    // Rows written per bucket: $ALL always; the version and the alias (metric-derived counts) in the recent days.
    const addRollup = (batch: unknown[][], aliasBatch: unknown[][], t: number, v: RollupValues): number => {
      const all = t < qualifiersFrom;
      for (const r of rollupRows(fnId, all ? [ALL_QUALIFIER] : qualifiers, t, v)) batch.push(r);
      if (m.alias && !all) aliasBatch.push([fnId, m.alias, new Date(t), v.invocations, v.errors]);
      return all ? 1 : qualifiers.length + (m.alias ? 1 : 0);
    };
    // The day's hours merged, as recomputeDays would: $ALL from every hour, version and alias from the hours that have those rows.
    let day: RollupValues | null = null;
    let recentDay: RollupValues | null = null;
    const addHour = (t: number, v: RollupValues): number => {
      day = mergeRollup(day ?? emptyRollup(), v);
      if (t >= qualifiersFrom) recentDay = mergeRollup(recentDay ?? emptyRollup(), v);
      return addRollup(hourBatch, aliasHourBatch, t, v);
    };
    const closeDay = (start: number) => {
      if (day) dayBatch.push(...rollupRows(fnId, [ALL_QUALIFIER], start, day));
      if (recentDay) {
        const v: RollupValues = recentDay;
        dayBatch.push(...rollupRows(fnId, qualifiers.filter((q) => q !== ALL_QUALIFIER), start, v));
        if (m.alias) aliasDayBatch.push([fnId, m.alias, new Date(start), v.invocations, v.errors]);
      }
      day = null;
      recentDay = null;
    };
    return { fnId, m, rng, addRollup, addHour, closeDay };
  });
  const hours = Math.ceil((end - start) / HOUR);
  for (let h = start; h < end; h += HOUR) {
    for (const { fnId, m, rng, addRollup, addHour } of fns) {
      if (h < minuteFrom) {
        const n = poisson(rng, m.perMinute * 60 * dailyFactor(h + HOUR / 2));
        if (n === 0) continue;
        const v = syntheticRollup(m, n, rng);
        summary.hourRows += addHour(h, v);
        summary.invocations += n;
        continue;
      }
      // Recent hours: minute rows (from raw invocations in the raw window), hour rows merged from them.
      const hourTotal = emptyRollup();
      for (let t = h; t < Math.min(h + HOUR, end); t += MINUTE) {
        const n = poisson(rng, m.perMinute * dailyFactor(t));
        if (n === 0) continue;
        let v: RollupValues;
        if (t >= rawFrom) {
          const raws = rawInvocations(m, t, n, rng);
          for (const r of raws) rawBatch.push([fnId, r.requestId, 1, r.version, m.alias, `${new Date(t).toISOString().slice(0, 10).replaceAll("-", "/")}/[${r.version}]${r.requestId.replaceAll("-", "")}`, new Date(r.startedAt), new Date(r.endedAt), r.durationMs, r.billedMs, r.memoryMb, r.maxMemoryUsedMb, r.initMs, r.coldStart, r.status, r.errorType]);
          summary.rawInvocations += raws.length;
          v = rollupMinutes(raws).get(`${ALL_QUALIFIER}\u0000${t}`)?.values ?? emptyRollup();
        } else v = syntheticRollup(m, n, rng);
        summary.minuteRows += addRollup(minuteBatch, aliasMinuteBatch, t, v);
        summary.invocations += v.invocations;
        mergeRollup(hourTotal, v);
      }
      if (hourTotal.invocations > 0) summary.hourRows += addHour(h, hourTotal);
    }
    // A day's rows are written when its last hour (or the window) ends.
    if (dayOf(h + HOUR) !== dayOf(h) || h + HOUR >= end) for (const f of fns) f.closeDay(dayOf(h));
    await flush(false);
    options.onProgress?.((h - start) / HOUR + 1, hours);
  }
  await flush(true);

  // API stages: one $ALL row per hour (minutes for the recent hours), from a per-stage request rate.
  const stageHours: unknown[][] = [];
  const stageMinutes: unknown[][] = [];
  for (const stageId of inv.stageIds) {
    const rng = rngFor(seed, "history-stage", stageId);
    const perMinute = Math.exp(uniform(rng, Math.log(1), Math.log(60))) * rate;
    const row = (t: number, n: number) => {
      const h = createHistogram();
      const lat = lognormal(rng, 60, 0.5);
      addValue(h, lat, n);
      const s4 = Math.min(n, poisson(rng, n * 0.02));
      const s5 = Math.min(n - s4, poisson(rng, n * 0.003));
      return [stageId, ALL_QUALIFIER, new Date(t), n, s4, s5, JSON.stringify({ ...(s4 ? { 403: s4 } : {}), ...(s5 ? { 502: s5 } : {}) }), lat * n, lat * 0.8 * n, histText(h)];
    };
    for (let h = start; h < end; h += HOUR) {
      const n = poisson(rng, perMinute * 60 * dailyFactor(h));
      if (n > 0) stageHours.push(row(h, n));
      if (h >= minuteFrom) {
        for (let t = h; t < Math.min(h + HOUR, end); t += MINUTE) {
          const k = poisson(rng, perMinute * dailyFactor(t));
          if (k > 0) stageMinutes.push(row(t, k));
        }
      }
    }
  }
  await store.transaction(function* () {
    yield* insertRows(d, "StageHourRollup", STAGE_COLUMNS, stageHours, { conflict: ["stageId", "variant", "bucketStart"] });
    yield* insertRows(d, "StageMinuteRollup", STAGE_COLUMNS, stageMinutes, { conflict: ["stageId", "variant", "bucketStart"] });
  });
  summary.stageRows = stageHours.length + stageMinutes.length;
  summary.fleetHours = await store.transaction(() => recomputeFleetHours(d, inv.sourceId, start, end));
  await store.transaction(() => recomputeFleetMinutes(d, inv.sourceId, minuteFrom, end));
  return summary;
}
