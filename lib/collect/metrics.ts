/**
 * Metrics collector: GetMetricData (≤500 queries per call, paginated by the SDK) over the
 * window since the cursor minus an overlap, so revised points are re-read and overwrite
 * the stored ones; then the metric-only figures (throttles per qualifier, alias counts,
 * stage cache hits) go into the rollups, with the cursor, in one transaction.
 */
import { paginateGetMetricData, paginateListMetrics, type CloudWatchClient, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import type { DbProvider } from "../db-url.ts";
import { writeCursor } from "../store/cursors.ts";
import { minuteOf, throttlesByQualifier } from "../store/rollup-math.ts";
import { markDirtyFleetMinutes, markDirtyHours, writeMetricMinutes, writeStageMetricMinutes } from "../store/rollups.ts";
import { insertRows, type Sql, type Store } from "../store/sql.ts";
import { batchQueries, canonicalDimensions, isPercentileStat, planMetricQueries, planMetricWindow, type MetricQuery, type PlanInput } from "./metric-plan.ts";

export const METRICS_COLLECTOR = "metrics";
export const DEFAULT_OVERLAP_MS = 15 * 60_000;
const PERIOD = 60;

export interface MetricPoint {
  namespace: string;
  metricName: string;
  dimensions: string;
  stat: string;
  period: number;
  timestamp: number;
  value: number;
}

export interface MetricsCollectOptions {
  store: Store;
  sourceId: number;
  now: number;
  initialStart: number;
  overlapMs?: number;
  cursor?: number;
  plan: PlanInput;
  /** Function name -> store id, and which qualifiers are aliases. */
  functions: Map<string, { id: number; aliases: Set<string> }>;
  /** Stage key (apiId/stage) -> store id; `countsFromMetrics` when the stage has no access log. */
  stages: Map<string, { id: number; countsFromMetrics: boolean; type: "REST" | "HTTP"; apiName: string; apiId: string; stage: string }>;
  signal?: AbortSignal;
}

export interface MetricsResult {
  window: { start: number; end: number };
  queries: number;
  calls: number;
  points: number;
  failed: number;
  percentilesRejected: boolean;
  errors: string[];
}

/** Series of one metric with data in the last 3 hours (or the last two weeks when `recent` is false). */
export async function listActiveSeries(cloudwatch: CloudWatchClient, namespace: string, metricName: string, recent: boolean): Promise<Array<Record<string, string>>> {
  const out: Array<Record<string, string>> = [];
  const seen = new Set<string>();
  for await (const page of paginateListMetrics({ client: cloudwatch }, { Namespace: namespace, MetricName: metricName, ...(recent ? { RecentlyActive: "PT3H" as const } : {}) })) {
    for (const m of page.Metrics ?? []) {
      const dims: Record<string, string> = {};
      for (const d of m.Dimensions ?? []) if (d.Name && d.Value !== undefined) dims[d.Name] = d.Value;
      // Some emulators list a series more than once.
      const key = JSON.stringify(Object.entries(dims).sort());
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(dims);
    }
  }
  return out;
}

/** Functions throttled recently, and the Resource qualifiers their throttles were published under. */
export async function listThrottled(cloudwatch: CloudWatchClient, recent: boolean): Promise<{ functions: Set<string>; resources: Map<string, string[]> }> {
  const series = await listActiveSeries(cloudwatch, "AWS/Lambda", "Throttles", recent);
  const functions = new Set<string>();
  const resources = new Map<string, string[]>();
  for (const d of series) {
    const fn = d.FunctionName;
    if (!fn) continue;
    functions.add(fn);
    const r = d.Resource;
    if (r && r.startsWith(`${fn}:`) && d.ExecutedVersion === undefined) {
      const l = resources.get(fn) ?? [];
      l.push(r.slice(fn.length + 1));
      resources.set(fn, l);
    }
  }
  return { functions, resources };
}

function toQuery(q: MetricQuery, i: number): MetricDataQuery {
  return { Id: `m${i}`, MetricStat: { Metric: { Namespace: q.namespace, MetricName: q.metricName, Dimensions: q.dimensions }, Period: PERIOD, Stat: q.stat }, ReturnData: true };
}

const POINT_COLUMNS = ["sourceId", "namespace", "metricName", "dimensions", "stat", "period", "timestamp", "value"];

function* writePoints(dialect: DbProvider, sourceId: number, points: MetricPoint[]): Sql<void> {
  yield* insertRows(
    dialect,
    "MetricPoint",
    POINT_COLUMNS,
    points.map((p) => [sourceId, p.namespace, p.metricName, p.dimensions, p.stat, p.period, new Date(p.timestamp), p.value]),
    { conflict: ["sourceId", "namespace", "metricName", "dimensions", "stat", "period", "timestamp"], update: ["value"] },
  );
}

/**
 * Whether a query's points feed the metric-derived rollups (deriveLambdaMinutes,
 * deriveStageMinutes); the others are only stored, so they need not be kept in memory (pure).
 */
export function feedsRollups(q: MetricQuery): boolean {
  if (q.stat !== "Sum") return false;
  if (q.namespace === "AWS/ApiGateway") return true;
  if (q.namespace !== "AWS/Lambda" || q.dimensions.some((d) => d.Name === "ExecutedVersion")) return false;
  const resource = q.dimensions.some((d) => d.Name === "Resource");
  return q.metricName === "Throttles" || (resource && (q.metricName === "Invocations" || q.metricName === "Errors"));
}

/**
 * Runs the GetMetricData calls of a plan and stores every point, page by page; returns only
 * the points of queries `keep` accepts (a 1,000-function window is ~70k points otherwise).
 */
export async function fetchMetricPoints(
  cloudwatch: CloudWatchClient,
  store: Store,
  sourceId: number,
  queries: MetricQuery[],
  window: { start: number; end: number },
  result: MetricsResult,
  signal?: AbortSignal,
  keep: (q: MetricQuery) => boolean = () => true,
): Promise<MetricPoint[]> {
  const all: MetricPoint[] = [];
  for (const batch of batchQueries(queries)) {
    if (signal?.aborted) break;
    const percentile = batch.some((q) => isPercentileStat(q.stat));
    const dims = batch.map((q) => canonicalDimensions(q.dimensions));
    const kept = batch.map(keep);
    try {
      const pages = paginateGetMetricData(
        { client: cloudwatch },
        { MetricDataQueries: batch.map(toQuery), StartTime: new Date(window.start), EndTime: new Date(window.end), ScanBy: "TimestampAscending" },
      );
      for await (const page of pages) {
        result.calls++;
        const points: MetricPoint[] = [];
        for (const r of page.MetricDataResults ?? []) {
          const at = Number((r.Id ?? "m-1").slice(1));
          const q = batch[at];
          if (!q) continue;
          const ts = r.Timestamps ?? [];
          const vs = r.Values ?? [];
          for (let i = 0; i < ts.length && i < vs.length; i++) {
            const t = new Date(ts[i]!).getTime();
            if (t < window.start || t >= window.end || !Number.isFinite(vs[i]!)) continue;
            const point = { namespace: q.namespace, metricName: q.metricName, dimensions: dims[at]!, stat: q.stat, period: PERIOD, timestamp: t, value: vs[i]! };
            points.push(point);
            if (kept[at]) all.push(point);
          }
        }
        if (points.length) await store.transaction(() => writePoints(store.dialect, sourceId, points));
        result.points += points.length;
      }
    } catch (err) {
      const e = err as { name?: string; message?: string };
      result.failed++;
      if (percentile) result.percentilesRejected = true;
      result.errors.push(`GetMetricData${percentile ? " (percentiles)" : ""}: ${e.name ?? "Error"}: ${e.message ?? String(err)}`);
    }
  }
  return all;
}

interface FnMinute {
  total?: number;
  resources: Record<string, number>;
  aliasInv: Record<string, number>;
  aliasErr: Record<string, number>;
}

/** Turns the points of a window into metric-derived rollup rows (pure). */
export function deriveLambdaMinutes(points: MetricPoint[], aliasesOf: (fn: string) => Set<string>): Map<string, Array<{ qualifier: string; bucketStart: number; alias: boolean; values: { invocations?: number; errors?: number; throttles?: number } }>> {
  const perFn = new Map<string, Map<number, FnMinute>>();
  for (const p of points) {
    if (p.namespace !== "AWS/Lambda" || p.stat !== "Sum") continue;
    const dims = Object.fromEntries(p.dimensions.split(",").map((kv) => kv.split("=") as [string, string]));
    const fn = dims.FunctionName;
    if (!fn || dims.ExecutedVersion !== undefined) continue;
    let byMinute = perFn.get(fn);
    if (!byMinute) perFn.set(fn, (byMinute = new Map()));
    const m = minuteOf(p.timestamp);
    let e = byMinute.get(m);
    if (!e) byMinute.set(m, (e = { resources: {}, aliasInv: {}, aliasErr: {} }));
    const q = dims.Resource?.startsWith(`${fn}:`) ? dims.Resource.slice(fn.length + 1) : undefined;
    if (p.metricName === "Throttles") {
      if (q === undefined) e.total = (e.total ?? 0) + p.value;
      else e.resources[q] = (e.resources[q] ?? 0) + p.value;
    } else if (q !== undefined && aliasesOf(fn).has(q)) {
      if (p.metricName === "Invocations") e.aliasInv[q] = (e.aliasInv[q] ?? 0) + p.value;
      if (p.metricName === "Errors") e.aliasErr[q] = (e.aliasErr[q] ?? 0) + p.value;
    }
  }
  const out = new Map<string, Array<{ qualifier: string; bucketStart: number; alias: boolean; values: { invocations?: number; errors?: number; throttles?: number } }>>();
  for (const [fn, byMinute] of perFn) {
    const aliases = aliasesOf(fn);
    const rows: Array<{ qualifier: string; bucketStart: number; alias: boolean; values: { invocations?: number; errors?: number; throttles?: number } }> = [];
    for (const [m, e] of byMinute) {
      const throttles = e.total !== undefined ? throttlesByQualifier(e.total, e.resources) : { ...e.resources };
      const qualifiers = new Set([...Object.keys(throttles), ...Object.keys(e.aliasInv), ...Object.keys(e.aliasErr)]);
      for (const q of qualifiers) {
        const alias = aliases.has(q);
        rows.push({
          qualifier: q,
          bucketStart: m,
          alias,
          values: alias ? { invocations: Math.round(e.aliasInv[q] ?? 0), errors: Math.round(e.aliasErr[q] ?? 0), throttles: Math.round(throttles[q] ?? 0) } : { throttles: Math.round(throttles[q] ?? 0) },
        });
      }
    }
    out.set(fn, rows);
  }
  return out;
}

/** Stage figures from AWS/ApiGateway points: REST (ApiName+Stage) and HTTP (ApiId+Stage) names (pure). */
export function deriveStageMinutes(points: MetricPoint[], stages: MetricsCollectOptions["stages"]): Map<number, Array<{ bucketStart: number; cacheHits?: number; cacheMisses?: number; requests?: number; status4xx?: number; status5xx?: number }>> {
  const byDims = new Map<string, { id: number; type: "REST" | "HTTP" }>();
  for (const s of stages.values()) {
    const dims = s.type === "REST" ? `ApiName=${s.apiName},Stage=${s.stage}` : `ApiId=${s.apiId},Stage=${s.stage}`;
    byDims.set(dims, { id: s.id, type: s.type });
  }
  const acc = new Map<number, Map<number, Record<string, number>>>();
  for (const p of points) {
    if (p.namespace !== "AWS/ApiGateway" || p.stat !== "Sum") continue;
    const s = byDims.get(p.dimensions);
    if (!s) continue;
    const field =
      p.metricName === "Count" ? "requests" : p.metricName === "4XXError" || p.metricName === "4xx" ? "status4xx" : p.metricName === "5XXError" || p.metricName === "5xx" ? "status5xx" : p.metricName === "CacheHitCount" ? "cacheHits" : p.metricName === "CacheMissCount" ? "cacheMisses" : undefined;
    if (!field) continue;
    let byMinute = acc.get(s.id);
    if (!byMinute) acc.set(s.id, (byMinute = new Map()));
    const m = minuteOf(p.timestamp);
    const r = byMinute.get(m) ?? {};
    r[field] = (r[field] ?? 0) + Math.round(p.value);
    byMinute.set(m, r);
  }
  const out = new Map<number, Array<{ bucketStart: number; cacheHits?: number; cacheMisses?: number; requests?: number; status4xx?: number; status5xx?: number }>>();
  for (const [id, byMinute] of acc) out.set(id, [...byMinute].map(([bucketStart, r]) => ({ bucketStart, ...r })));
  return out;
}

/** One metrics cycle for a source. */
export async function collectMetrics(cloudwatch: CloudWatchClient, opts: MetricsCollectOptions): Promise<MetricsResult> {
  const window = planMetricWindow(opts.cursor, opts.now, opts.initialStart, opts.overlapMs ?? DEFAULT_OVERLAP_MS);
  const queries = planMetricQueries(opts.plan);
  const result: MetricsResult = { window, queries: queries.length, calls: 0, points: 0, failed: 0, percentilesRejected: false, errors: [] };
  const points = await fetchMetricPoints(cloudwatch, opts.store, opts.sourceId, queries, window, result, opts.signal, feedsRollups);
  if (opts.signal?.aborted) return result;
  const lambda = deriveLambdaMinutes(points, (fn) => opts.functions.get(fn)?.aliases ?? new Set());
  const stageRows = deriveStageMinutes(points, opts.stages);
  const countsFromMetrics = new Set([...opts.stages.values()].filter((s) => s.countsFromMetrics).map((s) => s.id));
  // A failed plain batch leaves the window incomplete: keep the cursor so the next cycle re-reads it.
  const plainFailed = result.failed > (result.percentilesRejected ? 1 : 0);
  await opts.store.transaction(() =>
    (function* (): Sql<void> {
      const d = opts.store.dialect;
      for (const [fn, rows] of lambda) {
        const ref = opts.functions.get(fn);
        if (!ref || rows.length === 0) continue;
        const hours = yield* writeMetricMinutes(d, ref.id, rows);
        yield* markDirtyHours(d, opts.sourceId, "fn", ref.id, hours);
        yield* markDirtyFleetMinutes(d, opts.sourceId, rows.map((r) => r.bucketStart));
      }
      for (const [stageId, rows] of stageRows) {
        const hours = yield* writeStageMetricMinutes(d, stageId, rows, countsFromMetrics.has(stageId));
        yield* markDirtyHours(d, opts.sourceId, "stage", stageId, hours);
      }
      if (!plainFailed) yield* writeCursor(d, { sourceId: opts.sourceId, collector: METRICS_COLLECTOR, key: "all", position: String(window.end) });
    })(),
  );
  return result;
}
