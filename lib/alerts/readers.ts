/**
 * Thin readers: the aggregates each rule kind is evaluated on, read from the store
 * (rollups, error groups, queues, failed events, metric points, collector runs).
 * No judgement here: that is lib/alerts/evaluators.ts.
 */
import type { Db } from "../db.ts";
import { createHistogram, deserializeHistogramOrEmpty, mergeInto } from "../histogram/histogram.ts";
import { getRegionPrices } from "../cost/prices.ts";
import { lambdaComputeCost, lambdaRequestCost } from "../cost/lambda.ts";
import type { DailySpend } from "../cost/projection.ts";
import type { RuleDefinitionOf, RuleKind, RuleSpec } from "./rules.ts";
import { COLLECTOR_NAMES } from "./rules.ts";
import { matchesAny, notExcluded, parseTags, selectFunctions } from "./scope.ts";
import type { CanaryWindow, CollectorWindow, CostWindow, FunctionTarget, FunctionWindow, MetricWindow, MonthWindow, NewErrorGroups, NoLogsWindow, QueueWindow, RuleInputs, StageWindow, VersionWindow } from "./evaluators.ts";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** The evaluated window [from, to): `minutes` long, ending at `now` rounded up to a whole minute. */
export function windowOf(now: Date, minutes: number): { from: Date; to: Date } {
  const to = Math.ceil(now.getTime() / MINUTE) * MINUTE;
  return { from: new Date(to - minutes * MINUTE), to: new Date(to) };
}

interface FunctionRef {
  id: number;
  name: string;
  source: string;
  sourceId: number;
  region: string;
  architecture: string;
  logGroup: string;
  tags: Record<string, string>;
  /** name, or source/name when another source has a function of the same name. */
  label: string;
  aliases: Array<{ name: string; functionVersion: string; routing: Record<string, number> }>;
}

function parseRouting(text: string): Record<string, number> {
  try {
    const v: unknown = JSON.parse(text || "{}");
    if (!v || typeof v !== "object" || Array.isArray(v)) return {};
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter((e): e is [string, number] => typeof e[1] === "number" && e[1] > 0));
  } catch {
    return {};
  }
}

/** Per-evaluation memo of what several rules read alike (the function inventory). */
export interface ReadCache {
  functions?: Promise<FunctionRef[]>;
}

const caches = new WeakMap<Db, ReadCache>();

function loadFunctions(db: Db): Promise<FunctionRef[]> {
  const cache = caches.get(db);
  if (cache) return (cache.functions ??= readFunctions(db));
  return readFunctions(db);
}

async function readFunctions(db: Db): Promise<FunctionRef[]> {
  const rows = await db.lambdaFunction.findMany({
    where: { deletedAt: null, source: { enabled: true } },
    select: {
      id: true,
      name: true,
      sourceId: true,
      architecture: true,
      logGroup: true,
      tagsJson: true,
      source: { select: { name: true, region: true } },
      aliases: { where: { deletedAt: null }, select: { name: true, functionVersion: true, routingJson: true }, orderBy: { name: "asc" } },
    },
    orderBy: [{ name: "asc" }, { sourceId: "asc" }],
  });
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.name, (counts.get(r.name) ?? 0) + 1);
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    source: r.source.name,
    sourceId: r.sourceId,
    region: r.source.region,
    architecture: r.architecture,
    logGroup: r.logGroup,
    tags: parseTags(r.tagsJson),
    label: (counts.get(r.name) ?? 0) > 1 ? `${r.source.name}/${r.name}` : r.name,
    aliases: r.aliases.map((a) => ({ name: a.name, functionVersion: a.functionVersion, routing: parseRouting(a.routingJson) })),
  }));
}

function functionTarget(f: FunctionRef, qualifier = "$ALL"): { key: string; target: FunctionTarget } {
  return { key: `function:${f.label}${qualifier === "$ALL" ? "" : `:${qualifier}`}`, target: { type: "function", source: f.source, function: f.name, qualifier } };
}

type Agg = { invocations: number; errors: number; timeouts: number; throttles: number; coldStarts: number; hist: ReturnType<typeof createHistogram>; initHist: ReturnType<typeof createHistogram> };
const emptyAgg = (): Agg => ({ invocations: 0, errors: 0, timeouts: 0, throttles: 0, coldStarts: 0, hist: createHistogram(), initHist: createHistogram() });

/** Sums minute rollups per function x qualifier over a window (histograms merged when asked). */
async function sumMinuteRollups(db: Db, functionIds: number[], qualifiers: string[], from: Date, to: Date, withHist: boolean): Promise<Map<string, Agg>> {
  const out = new Map<string, Agg>();
  if (functionIds.length === 0 || qualifiers.length === 0) return out;
  const rows = await db.minuteRollup.findMany({
    where: { functionId: { in: functionIds }, qualifier: { in: qualifiers }, bucketStart: { gte: from, lt: to } },
    select: { functionId: true, qualifier: true, invocations: true, errors: true, timeouts: true, throttles: true, coldStarts: true, hist: withHist, initHist: withHist },
  });
  for (const r of rows) {
    const k = `${r.functionId}\u0000${r.qualifier}`;
    let a = out.get(k);
    if (!a) out.set(k, (a = emptyAgg()));
    a.invocations += r.invocations;
    a.errors += r.errors;
    a.timeouts += r.timeouts;
    a.throttles += r.throttles;
    a.coldStarts += r.coldStarts;
    if (withHist) {
      if (r.hist) mergeInto(a.hist, deserializeHistogramOrEmpty(r.hist));
      if (r.initHist) mergeInto(a.initHist, deserializeHistogramOrEmpty(r.initHist));
    }
  }
  return out;
}

async function readFunctionWindows(db: Db, spec: RuleSpec & { definition: RuleDefinitionOf<"error_rate" | "p99_latency" | "throttles" | "timeouts" | "cold_start_rate" | "init_duration"> }, now: Date): Promise<FunctionWindow[]> {
  const scope = spec.definition.scope;
  const fns = selectFunctions(await loadFunctions(db), scope);
  const qualifiers = scope.qualifiers ?? ["$ALL"];
  const { from, to } = windowOf(now, spec.windowMinutes);
  const withHist = spec.kind === "p99_latency" || spec.kind === "init_duration";
  const sums = await sumMinuteRollups(
    db,
    fns.map((f) => f.id),
    qualifiers,
    from,
    to,
    withHist,
  );
  const out: FunctionWindow[] = [];
  for (const f of fns) for (const q of qualifiers) out.push({ ...functionTarget(f, q), ...(sums.get(`${f.id}\u0000${q}`) ?? emptyAgg()) });
  return out;
}

async function readNewErrorGroups(db: Db, spec: RuleSpec & { definition: RuleDefinitionOf<"new_error_group"> }, now: Date): Promise<NewErrorGroups[]> {
  const fns = selectFunctions(await loadFunctions(db), spec.definition.scope);
  const { from, to } = windowOf(now, spec.windowMinutes);
  const groups = fns.length
    ? await db.errorGroup.findMany({
        where: { functionId: { in: fns.map((f) => f.id) }, firstSeenAt: { gte: from, lt: to } },
        select: { functionId: true, errorType: true, messagePattern: true, sampleMessage: true, firstSeenAt: true, count: true },
        orderBy: [{ firstSeenAt: "asc" }, { id: "asc" }],
      })
    : [];
  return fns.map((f) => ({ ...functionTarget(f), groups: groups.filter((g) => g.functionId === f.id) }));
}

async function readCanaries(db: Db, spec: RuleSpec & { definition: RuleDefinitionOf<"canary_regression"> }, now: Date): Promise<CanaryWindow[]> {
  const scope = spec.definition.scope;
  const fns = selectFunctions(await loadFunctions(db), scope);
  const { from, to } = windowOf(now, spec.windowMinutes);
  const pairs: Array<{ f: FunctionRef; alias: string; base: string; canary: string; weight: number }> = [];
  for (const f of fns) {
    for (const a of f.aliases) {
      if (!matchesAny(a.name, scope.aliases)) continue;
      const extra = Object.entries(a.routing).find(([v]) => v !== a.functionVersion);
      if (!extra) continue;
      pairs.push({ f, alias: a.name, base: a.functionVersion, canary: extra[0], weight: extra[1] });
    }
  }
  if (pairs.length === 0) return [];
  const versions = [...new Set(pairs.flatMap((p) => [p.base, p.canary]))];
  const [sums, perAlias] = await Promise.all([sumMinuteRollups(db, [...new Set(pairs.map((p) => p.f.id))], versions, from, to, true), aliasVersionCounts(db, pairs, from, to)]);
  const version = (p: (typeof pairs)[number], v: string): VersionWindow => {
    const a = sums.get(`${p.f.id}\u0000${v}`) ?? emptyAgg();
    // Exact per-alias counts (Resource=fn:alias, ExecutedVersion=v metrics) when both versions have them;
    // otherwise the version's log-derived counts (which include calls through other qualifiers).
    const m = perAlias.get(`${p.f.sourceId}\u0000${aliasDims(p.f.name, p.alias, v)}`);
    const both = perAlias.has(`${p.f.sourceId}\u0000${aliasDims(p.f.name, p.alias, p.base)}`) && perAlias.has(`${p.f.sourceId}\u0000${aliasDims(p.f.name, p.alias, p.canary)}`);
    return both && m ? { version: v, invocations: Math.round(m.invocations), errors: Math.round(m.errors), hist: a.hist, countsFrom: "metrics" } : { version: v, invocations: a.invocations, errors: a.errors, hist: a.hist, countsFrom: "logs" };
  };
  return pairs.map((p) => ({
    key: `alias:${p.f.label}:${p.alias}`,
    target: { type: "alias", source: p.f.source, function: p.f.name, alias: p.alias },
    base: version(p, p.base),
    canary: version(p, p.canary),
    canaryWeight: p.weight,
  }));
}

/** Canonical dimensions of an alias's per-version metrics (names sorted, as MetricPoint stores them). */
function aliasDims(fn: string, alias: string, version: string): string {
  return `ExecutedVersion=${version},FunctionName=${fn},Resource=${fn}:${alias}`;
}

async function aliasVersionCounts(db: Db, pairs: Array<{ f: FunctionRef; alias: string; base: string; canary: string }>, from: Date, to: Date): Promise<Map<string, { invocations: number; errors: number }>> {
  const dims = [...new Set(pairs.flatMap((p) => [aliasDims(p.f.name, p.alias, p.base), aliasDims(p.f.name, p.alias, p.canary)]))];
  const rows = await db.metricPoint.findMany({
    where: { sourceId: { in: [...new Set(pairs.map((p) => p.f.sourceId))] }, namespace: "AWS/Lambda", metricName: { in: ["Invocations", "Errors"] }, stat: "Sum", dimensions: { in: dims }, timestamp: { gte: from, lt: to } },
    select: { sourceId: true, metricName: true, dimensions: true, value: true },
  });
  const out = new Map<string, { invocations: number; errors: number }>();
  // A series counts as present only when it has Invocations points.
  for (const r of rows) if (r.metricName === "Invocations") out.set(`${r.sourceId}\u0000${r.dimensions}`, { invocations: 0, errors: 0 });
  for (const r of rows) {
    const cur = out.get(`${r.sourceId}\u0000${r.dimensions}`);
    if (!cur) continue;
    if (r.metricName === "Invocations") cur.invocations += r.value;
    else cur.errors += r.value;
  }
  return out;
}

function parseCounts(text: string): Record<string, number> {
  try {
    const v: unknown = JSON.parse(text || "{}");
    if (!v || typeof v !== "object" || Array.isArray(v)) return {};
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter((e): e is [string, number] => typeof e[1] === "number" && Number.isFinite(e[1])));
  } catch {
    return {};
  }
}

async function readStages(db: Db, spec: RuleSpec & { definition: RuleDefinitionOf<"gateway_5xx_rate" | "gateway_4xx_rate"> }, now: Date): Promise<StageWindow[]> {
  const scope = spec.definition.scope;
  const stages = (
    await db.apiStage.findMany({
      where: { deletedAt: null, api: { deletedAt: null, source: { enabled: true } } },
      select: { id: true, stageName: true, api: { select: { name: true, apiId: true, source: { select: { name: true } } } } },
      orderBy: [{ apiDbId: "asc" }, { stageName: "asc" }],
    })
  ).filter((s) => {
    const names = [`${s.api.name}/${s.stageName}`, `${s.api.apiId}/${s.stageName}`];
    return matchesAny(s.api.source.name, scope.sources) && names.some((n) => matchesAny(n, scope.stages)) && names.every((n) => notExcluded(n, scope.exclude));
  });
  if (stages.length === 0) return [];
  const { from, to } = windowOf(now, spec.windowMinutes);
  const rows = await db.stageMinuteRollup.findMany({
    where: { stageId: { in: stages.map((s) => s.id) }, variant: "$ALL", bucketStart: { gte: from, lt: to } },
    select: { stageId: true, requests: true, status4xx: true, status5xx: true, byStatus: true },
  });
  const apiNames = new Map<string, number>();
  for (const s of stages) apiNames.set(s.api.name, (apiNames.get(s.api.name) ?? 0) + 1);
  return stages.map((s) => {
    const mine = rows.filter((r) => r.stageId === s.id);
    const byStatus: Record<string, number> = {};
    for (const r of mine) for (const [code, n] of Object.entries(parseCounts(r.byStatus))) byStatus[code] = (byStatus[code] ?? 0) + n;
    return {
      key: `stage:${s.api.name}/${s.stageName}`,
      target: { type: "stage", source: s.api.source.name, api: s.api.name, stage: s.stageName },
      requests: mine.reduce((a, r) => a + r.requests, 0),
      status4xx: mine.reduce((a, r) => a + r.status4xx, 0),
      status5xx: mine.reduce((a, r) => a + r.status5xx, 0),
      byStatus,
    };
  });
}

async function readQueues(db: Db, spec: RuleSpec & { definition: RuleDefinitionOf<"dlq_new_messages" | "dlq_depth"> }, now: Date): Promise<QueueWindow[]> {
  const scope = spec.definition.scope;
  const queues = (
    await db.queue.findMany({
      where: { deletedAt: null, role: { in: scope.roles ?? ["dlq", "destination"] }, source: { enabled: true } },
      select: { id: true, name: true, depth: true, depthAt: true, oldestAgeSec: true, source: { select: { name: true } } },
      orderBy: [{ name: "asc" }, { sourceId: "asc" }],
    })
  ).filter((q) => matchesAny(q.source.name, scope.sources) && matchesAny(q.name, scope.queues) && notExcluded(q.name, scope.exclude));
  if (queues.length === 0) return [];
  const counts = new Map<number, { n: number; byFunction: Record<string, number>; byErrorCode: Record<string, number> }>();
  if (spec.kind === "dlq_new_messages") {
    const { from, to } = windowOf(now, spec.windowMinutes);
    const groups = await db.failedEvent.groupBy({
      by: ["queueId", "functionName", "errorCode"],
      where: { queueId: { in: queues.map((q) => q.id) }, firstSeenAt: { gte: from, lt: to } },
      _count: { _all: true },
    });
    for (const g of groups) {
      const c = counts.get(g.queueId) ?? { n: 0, byFunction: {}, byErrorCode: {} };
      const n = g._count._all;
      c.n += n;
      const fn = g.functionName ?? "(unknown)";
      c.byFunction[fn] = (c.byFunction[fn] ?? 0) + n;
      if (g.errorCode) c.byErrorCode[g.errorCode] = (c.byErrorCode[g.errorCode] ?? 0) + n;
      counts.set(g.queueId, c);
    }
  }
  const nameCounts = new Map<string, number>();
  for (const q of queues) nameCounts.set(q.name, (nameCounts.get(q.name) ?? 0) + 1);
  return queues.map((q) => {
    const c = counts.get(q.id);
    return {
      key: `queue:${(nameCounts.get(q.name) ?? 0) > 1 ? `${q.source.name}/` : ""}${q.name}`,
      target: { type: "queue", source: q.source.name, queue: q.name },
      newMessages: c?.n ?? 0,
      byFunction: c?.byFunction ?? {},
      byErrorCode: c?.byErrorCode ?? {},
      depth: q.depth,
      depthAt: q.depthAt,
      oldestAgeSec: q.oldestAgeSec,
    };
  });
}

/** Sums (or takes the maximum of) AWS/Lambda points per function, by FunctionName only. */
async function metricByFunction(db: Db, fns: FunctionRef[], metricName: string, stat: string, from: Date, to: Date, reduce: "sum" | "max"): Promise<Map<number, { points: number; value: number }>> {
  const out = new Map<number, { points: number; value: number }>();
  if (fns.length === 0) return out;
  const rows = await db.metricPoint.findMany({
    where: { sourceId: { in: [...new Set(fns.map((f) => f.sourceId))] }, namespace: "AWS/Lambda", metricName, stat, dimensions: { in: [...new Set(fns.map((f) => `FunctionName=${f.name}`))] }, timestamp: { gte: from, lt: to } },
    select: { sourceId: true, dimensions: true, value: true },
  });
  const byKey = new Map(fns.map((f) => [`${f.sourceId}\u0000FunctionName=${f.name}`, f.id]));
  for (const r of rows) {
    const id = byKey.get(`${r.sourceId}\u0000${r.dimensions}`);
    if (id === undefined) continue;
    const cur = out.get(id) ?? { points: 0, value: 0 };
    cur.points++;
    cur.value = reduce === "sum" ? cur.value + r.value : Math.max(cur.value, r.value);
    out.set(id, cur);
  }
  return out;
}

async function readIteratorAge(db: Db, spec: RuleSpec & { definition: RuleDefinitionOf<"iterator_age"> }, now: Date): Promise<MetricWindow[]> {
  const fns = selectFunctions(await loadFunctions(db), spec.definition.scope);
  const { from, to } = windowOf(now, spec.windowMinutes);
  const m = await metricByFunction(db, fns, "IteratorAge", "Maximum", from, to, "max");
  return fns.map((f) => ({ ...functionTarget(f), points: m.get(f.id)?.points ?? 0, value: m.get(f.id)?.value ?? 0 }));
}

async function readDeliveryFailures(db: Db, spec: RuleSpec & { definition: RuleDefinitionOf<"destination_delivery_failures"> }, now: Date): Promise<MetricWindow[]> {
  const fns = selectFunctions(await loadFunctions(db), spec.definition.scope);
  const { from, to } = windowOf(now, spec.windowMinutes);
  const [dest, dlq] = await Promise.all([
    metricByFunction(db, fns, "DestinationDeliveryFailures", "Sum", from, to, "sum"),
    spec.definition.params.includeDeadLetterErrors ? metricByFunction(db, fns, "DeadLetterErrors", "Sum", from, to, "sum") : Promise.resolve(new Map<number, { points: number; value: number }>()),
  ]);
  return fns.map((f) => ({ ...functionTarget(f), points: (dest.get(f.id)?.points ?? 0) + (dlq.get(f.id)?.points ?? 0), value: Math.round(dest.get(f.id)?.value ?? 0), extra: Math.round(dlq.get(f.id)?.value ?? 0) }));
}

async function readNoLogs(db: Db, spec: RuleSpec & { definition: RuleDefinitionOf<"no_logs"> }, now: Date): Promise<NoLogsWindow[]> {
  const fns = selectFunctions(await loadFunctions(db), spec.definition.scope);
  // Logs arrive later than metrics: judge a window that ends lagMinutes ago.
  const { from, to } = windowOf(new Date(now.getTime() - spec.definition.params.lagMinutes * MINUTE), spec.windowMinutes);
  const [metric, logs] = await Promise.all([
    metricByFunction(db, fns, "Invocations", "Sum", from, to, "sum"),
    sumMinuteRollups(
      db,
      fns.map((f) => f.id),
      ["$ALL"],
      from,
      to,
      false,
    ),
  ]);
  return fns.map((f) => {
    const m = metric.get(f.id);
    return { ...functionTarget(f), metricInvocations: m && m.points > 0 ? Math.round(m.value) : null, logInvocations: logs.get(`${f.id}\u0000$ALL`)?.invocations ?? 0, logGroup: f.logGroup };
  });
}

// ---------------------------------------------------------------- cost

/** Micro-dollars of Lambda duration + requests (first tier, no free tier, as on the dashboard); null when unpriced. */
function spendMicros(region: string, architecture: string, mbMs: bigint, requests: number): bigint | null {
  let prices;
  try {
    prices = getRegionPrices(region);
  } catch {
    return null;
  }
  const arch = architecture === "arm64" ? "arm64" : "x86_64";
  return lambdaComputeCost(prices, { arch, mbMs }).microUsd + lambdaRequestCost(prices, { requests: BigInt(Math.max(0, requests)) }).microUsd;
}

interface HourUsage {
  functionId: number;
  bucketStart: Date;
  invocations: number;
  mbMs: bigint;
}

async function readHourUsage(db: Db, fns: FunctionRef[], from: Date, to: Date): Promise<HourUsage[]> {
  if (fns.length === 0) return [];
  const rows = await db.hourRollup.findMany({
    where: { functionId: { in: fns.map((f) => f.id) }, qualifier: "$ALL", bucketStart: { gte: from, lt: to } },
    select: { functionId: true, bucketStart: true, invocations: true, mbMs: true },
  });
  return rows.map((r) => ({ functionId: r.functionId, bucketStart: r.bucketStart, invocations: r.invocations, mbMs: BigInt(r.mbMs) }));
}

/** Spend per period index (pure): null when a function's region is unpriced. */
function spendBy(usage: HourUsage[], fnById: Map<number, FunctionRef>, periodOf: (t: number) => number | null): Map<number, bigint> | null {
  const out = new Map<number, bigint>();
  for (const u of usage) {
    const p = periodOf(u.bucketStart.getTime());
    if (p === null) continue;
    const f = fnById.get(u.functionId)!;
    const s = spendMicros(f.region, f.architecture, u.mbMs, u.invocations);
    if (s === null) return null;
    out.set(p, (out.get(p) ?? 0n) + s);
  }
  return out;
}

const dayString = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function costGroups(fns: FunctionRef[], aggregate: "total" | "each"): Array<{ key: string; fn: string | null; members: FunctionRef[] }> {
  if (aggregate === "total") return [{ key: "cost:total", fn: null, members: fns }];
  return fns.map((f) => ({ key: `cost:${f.label}`, fn: f.name, members: [f] }));
}

async function readCostAnomaly(db: Db, spec: RuleSpec & { definition: RuleDefinitionOf<"cost_anomaly"> }, now: Date): Promise<CostWindow[]> {
  const { scope, params } = spec.definition;
  const fns = selectFunctions(await loadFunctions(db), scope);
  // Rolling 24-hour periods ending at the end of the current hour; period 0 is the one judged.
  const end = Math.ceil((now.getTime() + 1) / HOUR) * HOUR;
  const periods = params.historyDays + 1;
  const start = end - periods * DAY;
  const usage = await readHourUsage(db, fns, new Date(start), new Date(end));
  const fnById = new Map(fns.map((f) => [f.id, f]));
  return costGroups(fns, scope.aggregate).map((g) => {
    const ids = new Set(g.members.map((m) => m.id));
    const mine = usage.filter((u) => ids.has(u.functionId));
    const target = { type: "cost" as const, function: g.fn };
    if (mine.length === 0) return { key: g.key, target, periods: [{ date: dayString(end - 1), microUsd: 0n }] };
    const spend = spendBy(mine, fnById, (t) => Math.floor((end - 1 - t) / DAY));
    if (!spend) return { key: g.key, target, periods: null };
    // History starts with the first period that has data (a new function has no zero-spend past).
    const oldest = Math.max(...spend.keys());
    const list: DailySpend[] = [];
    for (let k = oldest; k >= 0; k--) list.push({ date: dayString(end - 1 - k * DAY), microUsd: spend.get(k) ?? 0n });
    return { key: g.key, target, periods: list };
  });
}

async function readMonthSpend(db: Db, spec: RuleSpec & { definition: RuleDefinitionOf<"projected_overspend"> }, now: Date): Promise<MonthWindow[]> {
  const { scope, params } = spec.definition;
  const fns = selectFunctions(await loadFunctions(db), scope);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const asOf = today > monthStart ? dayString(today - DAY) : null;
  const from = Math.min(monthStart, today - params.windowDays * DAY);
  const usage = asOf ? await readHourUsage(db, fns, new Date(from), new Date(today)) : [];
  const fnById = new Map(fns.map((f) => [f.id, f]));
  return costGroups(fns, scope.aggregate).map((g) => {
    const ids = new Set(g.members.map((m) => m.id));
    const target = { type: "cost" as const, function: g.fn };
    const spend = spendBy(
      usage.filter((u) => ids.has(u.functionId)),
      fnById,
      (t) => Math.floor(t / DAY),
    );
    if (!spend) return { key: g.key, target, daily: null, asOf };
    return { key: g.key, target, daily: [...spend].sort((a, b) => a[0] - b[0]).map(([d, v]) => ({ date: dayString(d * DAY), microUsd: v })), asOf };
  });
}

// ---------------------------------------------------------------- collection health

async function readCollectors(db: Db, spec: RuleSpec & { definition: RuleDefinitionOf<"collector_failing_or_lagging"> }): Promise<CollectorWindow[]> {
  const { scope, params } = spec.definition;
  const sources = (await db.source.findMany({ where: { enabled: true }, select: { id: true, name: true, createdAt: true }, orderBy: { name: "asc" } })).filter((s) => matchesAny(s.name, scope.sources));
  const out: CollectorWindow[] = [];
  for (const s of sources) {
    const seen = scope.collectors ?? (await db.collectorRun.groupBy({ by: ["collector"], where: { sourceId: s.id } })).map((g) => g.collector).filter((c) => (COLLECTOR_NAMES as readonly string[]).includes(c));
    if (seen.length === 0) {
      out.push({ key: `collector:${s.name}`, target: { type: "collector", source: s.name, collector: null }, lastSuccessAt: null, since: s.createdAt, recent: [], lastError: null });
      continue;
    }
    for (const collector of [...seen].sort()) {
      const [ok, recent] = await Promise.all([
        db.collectorRun.findFirst({ where: { sourceId: s.id, collector, status: { in: ["ok", "partial"] }, finishedAt: { not: null } }, orderBy: { finishedAt: "desc" }, select: { finishedAt: true } }),
        db.collectorRun.findMany({ where: { sourceId: s.id, collector, finishedAt: { not: null } }, orderBy: { startedAt: "desc" }, take: params.consecutiveFailures, select: { status: true, error: true } }),
      ]);
      out.push({
        key: `collector:${s.name}/${collector}`,
        target: { type: "collector", source: s.name, collector },
        lastSuccessAt: ok?.finishedAt ?? null,
        since: s.createdAt,
        recent: recent.map((r) => r.status),
        lastError: recent.find((r) => r.error)?.error ?? null,
      });
    }
  }
  return out;
}

type Readers = { [K in RuleKind]: (db: Db, spec: RuleSpec & { definition: RuleDefinitionOf<K> }, now: Date) => Promise<RuleInputs[K]> };

const READERS: Readers = {
  error_rate: readFunctionWindows,
  p99_latency: readFunctionWindows,
  throttles: readFunctionWindows,
  timeouts: readFunctionWindows,
  new_error_group: readNewErrorGroups,
  cold_start_rate: readFunctionWindows,
  init_duration: readFunctionWindows,
  dlq_new_messages: readQueues,
  dlq_depth: readQueues,
  gateway_5xx_rate: readStages,
  gateway_4xx_rate: readStages,
  canary_regression: readCanaries,
  iterator_age: readIteratorAge,
  destination_delivery_failures: readDeliveryFailures,
  cost_anomaly: readCostAnomaly,
  projected_overspend: readMonthSpend,
  no_logs: readNoLogs,
  collector_failing_or_lagging: readCollectors,
};

/** Runs `fn` with reads shared between rules (the function inventory is loaded once). */
export async function withReadCache<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  caches.set(db, {});
  try {
    return await fn();
  } finally {
    caches.delete(db);
  }
}

/** Reads the aggregates a rule is evaluated on at `now`. */
export async function readRuleInputs<K extends RuleKind>(db: Db, spec: RuleSpec & { definition: RuleDefinitionOf<K> }, now: Date): Promise<RuleInputs[K]> {
  const read = READERS[spec.definition.kind as K] as (db: Db, spec: RuleSpec & { definition: RuleDefinitionOf<K> }, now: Date) => Promise<RuleInputs[K]>;
  return read(db, spec, now);
}
