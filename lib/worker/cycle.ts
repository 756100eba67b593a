/**
 * One collection cycle of one source: inventory -> logs -> metrics -> traces -> failures,
 * then correlation and fleet rollups. Each collector run is recorded (CollectorRun) with
 * rows written/skipped/failed/malformed and its API calls and throttles per API.
 */
import type { Db } from "../db.ts";
import { addCounts, callScope, type CallCounts } from "../aws/quota.ts";
import { collectInventory, type FunctionInfo } from "../collect/inventory.ts";
import { collectLogs, type LogGroupTask } from "../collect/logs.ts";
import { collectMetrics, listActiveSeries, listThrottled } from "../collect/metrics.ts";
import { stageKey, type PlanFunction, type PlanStage } from "../collect/metric-plan.ts";
import { collectTraces } from "../collect/traces.ts";
import { collectFailures, type FailureQueue } from "../collect/failures.ts";
import { linkCorrelations } from "../correlate/link.ts";
import { positionMs, readCursors, saveCursor } from "../store/cursors.ts";
import { writeInventory } from "../store/inventory.ts";
import { flushDirtyHours, recomputeFleetHours } from "../store/rollups.ts";
import { all, toNum, type Store } from "../store/sql.ts";
import type { SourceContext } from "./sources.ts";
import { PUSH_COLLECTOR } from "../ingest/firehose-ingest.ts";

export type CollectorName = "inventory" | "logs" | "metrics" | "traces" | "failures";
export const COLLECTORS: CollectorName[] = ["inventory", "logs", "metrics", "traces", "failures"];

export interface CycleOptions {
  store: Store;
  db: Db;
  now?: number;
  /** Window start for keys without a cursor. */
  initialStart: number;
  /** Ignore cursors and re-read [initialStart, now] (re-collecting a window is a no-op). */
  rescan?: boolean;
  lookbackMs: number;
  overlapMs: number;
  capture: "every-cycle" | "on-demand";
  dlqVisibilitySeconds: number;
  inventoryDetailMs: number;
  /** Minimum time between inventory reads (0 = every cycle). */
  inventoryIntervalMs?: number;
  traceDetailRate: number;
  /** FAASIGHT_LOGS_MODE: with "push", log groups a Firehose delivery reached are not polled. */
  logsMode?: "poll" | "push" | "both";
  purgedBefore?: number;
  only?: CollectorName[];
  /** Only these log groups (a worker holding some of a large source's log-group leases). */
  logGroupFilter?: (group: string) => boolean;
  signal?: AbortSignal;
  onProgress?: (p: ProgressEvent) => void;
  log?: (line: string) => void;
}

export interface ProgressEvent {
  source: string;
  collector: CollectorName | "correlate";
  done: number;
  total: number;
  detail?: string;
}

export interface CollectorSummary {
  status: "ok" | "partial" | "failed" | "skipped";
  written: number;
  skipped: number;
  failed: number;
  malformed: number;
  calls: CallCounts;
  error?: string;
  ms: number;
  /** Metrics collector: CloudWatch metrics requested (GetMetricData queries, what AWS bills). */
  metricsRequested?: number;
}

export interface CycleResult {
  source: string;
  collectors: Partial<Record<CollectorName, CollectorSummary>>;
  calls: CallCounts;
  aborted: boolean;
}

// ListMetrics RecentlyActive covers PT3H; half an hour of margin for series that are slow to appear.
const THROTTLE_LIST_TRUST_MS = 150 * 60_000;

// Endpoints that rejected percentile statistics (moto): ask them without percentiles afterwards.
const noPercentiles = new Set<string>();
const endpointKey = (ctx: SourceContext) => ctx.config.endpoint ?? `aws:${ctx.config.region}`;

async function recordRun<T extends Omit<CollectorSummary, "calls" | "ms">>(db: Db, ctx: SourceContext, collector: CollectorName, fn: () => Promise<T>): Promise<CollectorSummary> {
  const startedAt = new Date();
  const run = await db.collectorRun.create({ data: { sourceId: ctx.id, collector, startedAt, status: "running" } });
  const calls: CallCounts = {};
  let out: CollectorSummary;
  try {
    const r = await callScope.run(calls, fn);
    out = { ...r, calls, ms: Date.now() - startedAt.getTime() };
  } catch (err) {
    out = { status: "failed", written: 0, skipped: 0, failed: 1, malformed: 0, calls, error: `${(err as Error).name}: ${(err as Error).message}`, ms: Date.now() - startedAt.getTime() };
  }
  await db.collectorRun.update({
    where: { id: run.id },
    data: {
      finishedAt: new Date(),
      status: out.status === "skipped" ? "ok" : out.status,
      written: out.written,
      skipped: out.skipped,
      failed: out.failed,
      malformed: out.malformed,
      callsJson: JSON.stringify(calls),
      error: out.error?.slice(0, 2000) ?? null,
    },
  });
  return out;
}

const statusOf = (failed: number, written: number): "ok" | "partial" | "failed" => (failed === 0 ? "ok" : written > 0 ? "partial" : "failed");

/** Runs one cycle for a source. */
export async function runCycle(ctx: SourceContext, opts: CycleOptions): Promise<CycleResult> {
  const now = opts.now ?? Date.now();
  const { db, store } = opts;
  const name = ctx.config.name;
  const want = (c: CollectorName) => !opts.only || opts.only.includes(c);
  const result: CycleResult = { source: name, collectors: {}, calls: {}, aborted: false };
  const progress = (collector: ProgressEvent["collector"], done: number, total: number, detail?: string) => opts.onProgress?.({ source: name, collector, done, total, detail });
  const aborted = () => !!opts.signal?.aborted;

  const inventoryCursors = await readCursors(store, ctx.id, "inventory");
  const lastInventory = positionMs(inventoryCursors.get("last"));
  const inventoryDue = !opts.inventoryIntervalMs || lastInventory === undefined || now - lastInventory >= opts.inventoryIntervalMs;
  if (want("inventory") && inventoryDue && !aborted()) {
    progress("inventory", 0, 1);
    const detailCursors = inventoryCursors;
    result.collectors.inventory = await recordRun(db, ctx, "inventory", async () => {
      const known = new Map((await db.lambdaFunction.findMany({ where: { sourceId: ctx.id }, select: { name: true, lastModified: true, deletedAt: true } })).map((f) => [f.name, f]));
      const wantDetail = (f: FunctionInfo) => {
        const k = known.get(f.name);
        const at = positionMs(detailCursors.get(`detail:${f.name}`));
        if (!k || k.deletedAt || at === undefined) return true;
        if (f.lastModified && k.lastModified?.getTime() !== new Date(f.lastModified).getTime()) return true;
        return now - at >= opts.inventoryDetailMs;
      };
      const snap = await collectInventory(ctx.clients, { wantDetail, signal: opts.signal });
      const w = await writeInventory(db, ctx.id, snap, new Date(now));
      for (const f of snap.functions) if (f.detail) await saveCursor(store, { sourceId: ctx.id, collector: "inventory", key: `detail:${f.name}`, position: String(now) });
      if (snap.functionsComplete) await saveCursor(store, { sourceId: ctx.id, collector: "inventory", key: "last", position: String(now) });
      if (snap.errors.length) opts.log?.(`${name} inventory: ${snap.errors.length} call(s) failed: ${snap.errors.slice(0, 3).join("; ")}`);
      return { status: snap.errors.length ? "partial" : "ok", written: w.written, skipped: 0, failed: snap.errors.length, malformed: 0, error: snap.errors.slice(0, 5).join("; ") || undefined };
    });
    progress("inventory", 1, 1);
  }

  const functions = await db.lambdaFunction.findMany({
    where: { sourceId: ctx.id, deletedAt: null },
    include: { aliases: { where: { deletedAt: null } }, provisioned: { where: { deletedAt: null } }, mappings: { where: { deletedAt: null } } },
    orderBy: { name: "asc" },
  });
  const stages = await db.apiStage.findMany({ where: { deletedAt: null, api: { sourceId: ctx.id, deletedAt: null } }, include: { api: true }, orderBy: { id: "asc" } });

  // Activity: which functions ran or were throttled recently (ListMetrics is cheap; idle groups are skipped).
  let activeFromMetrics: Set<string> | null = null;
  let throttled: Awaited<ReturnType<typeof listThrottled>> = { functions: new Set(), resources: new Map() };
  const needMetricsLists = (want("logs") || want("metrics")) && !aborted();
  let listCalls: CallCounts = {};
  if (needMetricsLists) {
    listCalls = {};
    await callScope.run(listCalls, async () => {
      try {
        throttled = await listThrottled(ctx.clients.cloudwatch, !opts.rescan);
        if (!opts.rescan) {
          const inv = await listActiveSeries(ctx.clients.cloudwatch, "AWS/Lambda", "Invocations", true);
          activeFromMetrics = new Set([...inv.map((d) => d.FunctionName).filter((x): x is string => !!x), ...throttled.functions]);
        }
      } catch (err) {
        opts.log?.(`${name}: ListMetrics failed (${(err as Error).message}); reading every log group`);
      }
    });
  }

  let logsActive = new Set<string>();
  if (want("logs") && !aborted()) {
    const cursors = opts.rescan ? new Map<string, string>() : await readCursors(store, ctx.id, "logs");
    // Push mode: groups Firehose deliveries reach are not polled (lib/ingest/firehose-ingest.ts PUSH_COLLECTOR).
    const pushed = opts.logsMode === "push" ? await readCursors(store, ctx.id, PUSH_COLLECTOR) : new Map<string, string>();
    const tasks: LogGroupTask[] = [
      ...functions.map((f) => ({ kind: "lambda" as const, group: f.logGroup, fn: { id: f.id, sourceId: ctx.id, name: f.name, runtime: f.runtime } })),
      ...stages.filter((s) => s.accessLogGroup).map((s) => ({ kind: "access" as const, group: s.accessLogGroup!, stage: { id: s.id, sourceId: ctx.id, canary: s.canaryPercent != null } })),
    ].filter((t) => !pushed.has(t.group) && (opts.logGroupFilter?.(t.group) ?? true));
    let done = 0;
    progress("logs", 0, tasks.length);
    result.collectors.logs = await recordRun(db, ctx, "logs", async () => {
      addCounts(callScope.getStore()!, listCalls);
      const r = await collectLogs(ctx.clients.logs, tasks, {
        store,
        sourceId: ctx.id,
        now,
        initialStart: opts.initialStart,
        lookbackMs: opts.lookbackMs,
        cursors,
        activeFunctions: opts.rescan ? null : activeFromMetrics,
        purgedBefore: opts.purgedBefore,
        signal: opts.signal,
        onPage: (group) => progress("logs", done, tasks.length, group),
      });
      done = r.groups.length;
      logsActive = r.activeFunctions;
      const errors = r.groups.filter((g) => g.error).map((g) => `${g.group}: ${g.error}`);
      return { status: statusOf(r.failed, r.written), written: r.written, skipped: r.skipped, failed: r.failed, malformed: r.malformed, error: errors.slice(0, 5).join("; ") || undefined };
    });
    progress("logs", tasks.length, tasks.length);
  }

  if (want("metrics") && !aborted()) {
    const cursor = opts.rescan ? undefined : positionMs((await readCursors(store, ctx.id, "metrics")).get("all"));
    const windowStart = Math.min(cursor === undefined ? opts.initialStart : cursor - opts.overlapMs, now - opts.overlapMs);
    const recentRows = await store.read(() =>
      all<{ name: string }>(
        `SELECT f."name" FROM "LambdaFunction" f WHERE f."sourceId" = ? AND f."deletedAt" IS NULL AND EXISTS (SELECT 1 FROM "Invocation" i WHERE i."functionId" = f."id" AND i."startedAt" >= ?)`,
        [ctx.id, new Date(windowStart)],
      ),
    );
    const active = new Set<string>([...recentRows.map((r) => String(r.name)), ...logsActive, ...throttled.functions]);
    const activeStageRows = await store.read(() =>
      all<{ id: unknown }>(`SELECT s."id" FROM "ApiStage" s JOIN "Api" a ON a."id" = s."apiDbId" WHERE a."sourceId" = ? AND EXISTS (SELECT 1 FROM "ApiRequest" r WHERE r."stageId" = s."id" AND r."at" >= ?)`, [ctx.id, new Date(windowStart)]),
    );
    const activeStageIds = new Set(activeStageRows.map((r) => toNum(r.id)));
    const planStages: PlanStage[] = stages.map((s) => ({ apiName: s.api.name, apiId: s.api.apiId, type: s.api.type === "HTTP" ? "HTTP" : "REST", stage: s.stageName, cacheEnabled: s.cacheEnabled }));
    const activeStages = new Set(stages.filter((s) => !s.accessLogGroup || activeStageIds.has(s.id)).map((s) => stageKey({ apiId: s.api.apiId, stage: s.stageName })));
    const queues = await db.queue.findMany({ where: { sourceId: ctx.id, deletedAt: null, role: { in: ["dlq", "destination"] } }, orderBy: { name: "asc" } });
    const topics = await db.topic.findMany({ where: { sourceId: ctx.id, deletedAt: null }, orderBy: { name: "asc" } });
    const rules = await db.eventRule.findMany({ where: { sourceId: ctx.id, deletedAt: null }, orderBy: { name: "asc" } });
    const planFunctions: PlanFunction[] = functions.map((f) => ({
      name: f.name,
      aliases: f.aliases.map((a) => ({ name: a.name, functionVersion: a.functionVersion, routing: safeRouting(a.routingJson), provisioned: f.provisioned.some((p) => p.qualifier === a.name) })),
      provisioned: f.provisioned.length > 0,
      dlq: !!f.dlqTargetArn,
      destinations: !!(f.onFailureDestination || f.onSuccessDestination),
      asyncConfigured: f.maxRetryAttempts != null || f.maxEventAgeSec != null || !!f.dlqTargetArn || !!f.onFailureDestination,
      streamSource: f.mappings.some((m) => /:(kinesis|dynamodb):/.test(m.eventSourceArn)),
    }));
    progress("metrics", 0, 1);
    result.collectors.metrics = await recordRun(db, ctx, "metrics", async () => {
      if (!want("logs")) addCounts(callScope.getStore()!, listCalls);
      const r = await collectMetrics(ctx.clients.cloudwatch, {
        store,
        sourceId: ctx.id,
        now,
        initialStart: opts.initialStart,
        overlapMs: opts.overlapMs,
        cursor,
        plan: {
          functions: planFunctions,
          active,
          throttledResources: throttled.resources,
          // ListMetrics RecentlyActive sees the last 3 hours: only a window inside them can trust it.
          throttledFunctions: activeFromMetrics && windowStart >= now - THROTTLE_LIST_TRUST_MS ? throttled.functions : null,
          stages: planStages,
          activeStages,
          queues: queues.map((q) => q.name),
          topics: topics.map((t) => t.name),
          rules: rules.map((r) => r.name),
          percentiles: !noPercentiles.has(endpointKey(ctx)),
        },
        functions: new Map(functions.map((f) => [f.name, { id: f.id, aliases: new Set(f.aliases.map((a) => a.name)) }])),
        stages: new Map(
          stages.map((s) => [
            stageKey({ apiId: s.api.apiId, stage: s.stageName }),
            { id: s.id, countsFromMetrics: !s.accessLogGroup, type: s.api.type === "HTTP" ? ("HTTP" as const) : ("REST" as const), apiName: s.api.name, apiId: s.api.apiId, stage: s.stageName },
          ]),
        ),
        signal: opts.signal,
      });
      if (r.percentilesRejected) noPercentiles.add(endpointKey(ctx));
      const failed = r.failed - (r.percentilesRejected ? 1 : 0);
      return { status: statusOf(failed, r.points), written: r.points, skipped: 0, failed, malformed: 0, error: r.errors.slice(0, 3).join("; ") || undefined, metricsRequested: r.queries };
    });
    progress("metrics", 1, 1);
  }

  if (want("traces") && !aborted()) {
    const cursor = opts.rescan ? undefined : positionMs((await readCursors(store, ctx.id, "traces")).get("all"));
    progress("traces", 0, 1);
    result.collectors.traces = await recordRun(db, ctx, "traces", async () => {
      const r = await collectTraces(ctx.clients.xray, { store, sourceId: ctx.id, now, initialStart: opts.initialStart, overlapMs: opts.lookbackMs, cursor, detailRate: opts.traceDetailRate, signal: opts.signal });
      return { status: statusOf(r.failed, r.written), written: r.written, skipped: r.skipped, failed: r.failed, malformed: r.malformed, error: r.errors.slice(0, 3).join("; ") || undefined };
    });
    progress("traces", 1, 1);
  }

  if (want("failures") && !aborted()) {
    const queues = await db.queue.findMany({ where: { sourceId: ctx.id, deletedAt: null, role: { in: ["dlq", "destination"] } }, orderBy: { name: "asc" } });
    const fnIds = new Map(functions.map((f) => [f.name, f.id]));
    const failureQueues: FailureQueue[] = queues.map((q) => {
      let feeds: string[] = [];
      try {
        feeds = (JSON.parse(q.feedsJson) as unknown[]).map(String);
      } catch {
        feeds = [];
      }
      const fnFeeds = feeds.filter((f) => fnIds.has(f));
      return { id: q.id, name: q.name, url: q.url, arn: q.arn, role: q.role as "dlq" | "destination", functionName: fnFeeds.length === 1 ? fnFeeds[0] : undefined, functionId: fnFeeds.length === 1 ? fnIds.get(fnFeeds[0]!) : undefined };
    });
    progress("failures", 0, failureQueues.length);
    result.collectors.failures = await recordRun(db, ctx, "failures", async () => {
      const r = await collectFailures(ctx.clients.sqs, failureQueues, { store, now, capture: opts.capture, visibilityTimeout: opts.dlqVisibilitySeconds, functionIds: fnIds, signal: opts.signal });
      const errors = r.queues.filter((q) => q.error).map((q) => `${q.queue}: ${q.error}`);
      return { status: statusOf(r.failed, r.written), written: r.written, skipped: 0, failed: r.failed, malformed: r.malformed, error: errors.slice(0, 3).join("; ") || undefined };
    });
    progress("failures", failureQueues.length, failureQueues.length);
  }

  // Hour rollups of everything this cycle touched (also those a crashed run left marked).
  const flushed = await flushDirtyHours(store, ctx.id);
  if (!aborted()) {
    progress("correlate", 0, 1);
    const since = new Date(Math.min(opts.initialStart, now - opts.lookbackMs) - 3_600_000);
    await linkCorrelations(store, ctx.id, since);
    const fleetFrom = Math.min(since.getTime(), flushed.earliest ?? Infinity);
    // Fleet minutes (and hours) of the flushed hours were recomputed by the flush itself.
    await store.transaction(() => recomputeFleetHours(store.dialect, ctx.id, fleetFrom, now + 3_600_000));
    progress("correlate", 1, 1);
  }
  result.aborted = aborted();
  for (const c of Object.values(result.collectors)) if (c) addCounts(result.calls, c.calls);
  return result;
}

function safeRouting(text: string): Record<string, number> {
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(o).filter(([, v]) => typeof v === "number")) as Record<string, number>;
  } catch {
    return {};
  }
}
