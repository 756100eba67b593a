/**
 * Figure 1, collection cost: AWS API calls and CloudWatch metrics requested per
 * function-hour at 5-minute polling, measured with the real collectors against the
 * in-process sandbox (its per-API call counters) and the cycle results; beside a naive
 * collector that asks one GetMetricStatistics per metric per function per period, whose
 * call count is computed from the same inventory.
 */
import { planMetricQueries, canonicalDimensions, type PlanFunction, type PlanStage } from "../lib/collect/metric-plan.ts";
import type { CycleResult } from "../lib/worker/cycle.ts";
import type { Db } from "../lib/db.ts";
import { prepareFleet, sharedFleet, POLL_MS, type Fleet } from "./fleet.ts";
import { figure, round, type Figure } from "./stats.ts";

const GOAL_CALLS = { max: 0.2, text: "≤ 0.2 GetMetricData calls per function-hour at 5-minute polling" };
const GOAL_METRICS = { max: 84, text: "≤ 84 metrics requested per function-hour at 5-minute polling" };
const GOAL_IDLE = { max: 0, text: "idle functions cost nothing (0 metrics requested for them)" };

export interface CollectionMeasure {
  functions: number;
  cycles: number;
  functionHours: number;
  serverCalls: Record<string, number>;
  totalCalls: number;
  getMetricDataCalls: number;
  metricsRequested: number;
  activeFunctions: number;
  naiveCallsPerCycle: number;
  /** Queries per cycle of no function (DLQ depth, SNS/EventBridge failures). */
  accountLevelPerCycle: number;
  cycleMs: number[];
}

/**
 * What a naive collector asks per cycle: every (metric, dimensions) of every function, active
 * or not, in its own call; and the queries of a cycle that belong to no function (queues, topics, rules).
 */
async function naiveCallsPerCycle(db: Db, sourceId: number): Promise<{ naive: number; accountLevel: number }> {
  const functions = await db.lambdaFunction.findMany({
    where: { sourceId, deletedAt: null },
    include: { aliases: { where: { deletedAt: null } }, provisioned: { where: { deletedAt: null } }, mappings: { where: { deletedAt: null } } },
  });
  const stages = await db.apiStage.findMany({ where: { deletedAt: null, api: { sourceId, deletedAt: null } }, include: { api: true } });
  const queues = await db.queue.findMany({ where: { sourceId, deletedAt: null, role: { in: ["dlq", "destination"] } } });
  const topics = await db.topic.findMany({ where: { sourceId, deletedAt: null } });
  const rules = await db.eventRule.findMany({ where: { sourceId, deletedAt: null } });
  const planFunctions: PlanFunction[] = functions.map((f) => ({
    name: f.name,
    aliases: f.aliases.map((a) => ({ name: a.name, functionVersion: a.functionVersion, routing: JSON.parse(a.routingJson) as Record<string, number>, provisioned: f.provisioned.some((p) => p.qualifier === a.name) })),
    provisioned: f.provisioned.length > 0,
    dlq: !!f.dlqTargetArn,
    destinations: !!(f.onFailureDestination || f.onSuccessDestination),
    asyncConfigured: f.maxRetryAttempts != null || f.maxEventAgeSec != null || !!f.dlqTargetArn || !!f.onFailureDestination,
    streamSource: f.mappings.some((m) => /:(kinesis|dynamodb):/.test(m.eventSourceArn)),
  }));
  const planStages: PlanStage[] = stages.map((s) => ({ apiName: s.api.name, apiId: s.api.apiId, type: s.api.type === "HTTP" ? "HTTP" : "REST", stage: s.stageName, cacheEnabled: s.cacheEnabled }));
  const queries = planMetricQueries({
    functions: planFunctions,
    active: new Set(planFunctions.map((f) => f.name)),
    throttledResources: new Map(),
    stages: planStages,
    activeStages: null,
    queues: queues.map((q) => q.name),
    topics: topics.map((t) => t.name),
    rules: rules.map((r) => r.name),
    percentiles: true,
  });
  const accountLevel = planMetricQueries({ functions: [], active: new Set(), throttledResources: new Map(), stages: [], activeStages: null, queues: queues.map((q) => q.name), topics: topics.map((t) => t.name), rules: rules.map((r) => r.name), percentiles: true }).length;
  // GetMetricStatistics takes several statistics of one metric: one call per (namespace, metric, dimensions).
  return { naive: new Set(queries.map((q) => `${q.namespace}|${q.metricName}|${canonicalDimensions(q.dimensions)}`)).size, accountLevel };
}

/** Counts calls over `cycles` 5-minute cycles starting after `from` (the previous cycle ran at `from`). */
async function measureCycles(fleet: Fleet, from: number, cycles: number): Promise<CollectionMeasure> {
  fleet.sim.sandbox.resetStats();
  const results: CycleResult[] = [];
  const cycleMs: number[] = [];
  for (let i = 1; i <= cycles; i++) {
    const t = Date.now();
    results.push(...(await fleet.collect(from + i * POLL_MS)));
    cycleMs.push(Date.now() - t);
  }
  const serverCalls: Record<string, number> = {};
  for (const [k, v] of Object.entries(fleet.sim.sandbox.stats()).sort(([a], [b]) => a.localeCompare(b))) serverCalls[k] = v.calls;
  const totalCalls = Object.values(serverCalls).reduce((a, b) => a + b, 0);
  const metricsRequested = results.reduce((a, r) => a + (r.collectors.metrics?.metricsRequested ?? 0), 0);
  const activeRows = await fleet.db.db.invocation.groupBy({ by: ["functionId"], where: { startedAt: { gte: new Date(from), lt: new Date(from + cycles * POLL_MS) } } });
  const naive = await naiveCallsPerCycle(fleet.db.db, fleet.sources[0]!.id);
  return {
    functions: fleet.functions,
    cycles,
    functionHours: (fleet.functions * cycles * POLL_MS) / 3_600_000,
    serverCalls,
    totalCalls,
    getMetricDataCalls: serverCalls["monitoring:GetMetricData"] ?? 0,
    metricsRequested,
    activeFunctions: activeRows.length,
    naiveCallsPerCycle: naive.naive,
    accountLevelPerCycle: naive.accountLevel,
    cycleMs,
  };
}

/** Active traffic (the backfilled window), then the same fleet idle: 4 h after its traffic stopped. */
async function measureFleet(fleet: Fleet, idleCycles: number, log: (l: string) => void): Promise<{ active: CollectionMeasure; idle: CollectionMeasure }> {
  const active = await measureCycles(fleet, fleet.first, fleet.cycles);
  log(`  ${fleet.functions} functions: ${fleet.cycles} active cycles, ${active.getMetricDataCalls} GetMetricData calls, ${active.metricsRequested} metrics requested`);
  const idleFrom = fleet.end + 4 * 3_600_000;
  await fleet.collect(idleFrom); // catches up the 4 silent hours (not counted)
  const idle = await measureCycles(fleet, idleFrom, idleCycles);
  log(`  ${fleet.functions} functions idle: ${idle.getMetricDataCalls} GetMetricData calls, ${idle.metricsRequested} metrics requested`);
  return { active, idle };
}

function figuresOf(label: string, m: CollectionMeasure): Figure[] {
  const fh = m.functionHours;
  const naivePerFh = (m.naiveCallsPerCycle * m.cycles) / fh;
  const detail = `${m.functions} functions (${m.activeFunctions} active in the window), ${m.cycles} cycles at 5-minute polling = ${round(fh)} function-hours; server-side calls: ${JSON.stringify(m.serverCalls)}; cycle time p50 ${Math.round(m.cycleMs.sort((a, b) => a - b)[m.cycleMs.length >> 1] ?? 0)} ms`;
  return [
    figure({
      name: `collection.${label}.getMetricDataCallsPerFunctionHour`,
      value: m.getMetricDataCalls / fh,
      unit: "calls/function-hour",
      baseline: naivePerFh,
      baselineName: "naive: one GetMetricStatistics per metric per function per 5-minute period",
      goal: GOAL_CALLS,
      notes: detail,
    }),
    figure({
      name: `collection.${label}.metricsRequestedPerFunctionHour`,
      value: m.metricsRequested / fh,
      unit: "metrics/function-hour",
      baseline: naivePerFh,
      baselineName: "naive: every metric of every function (idle or not) every period",
      goal: GOAL_METRICS,
      notes: `metrics requested = GetMetricData queries (CycleResult.collectors.metrics.metricsRequested), summed over ${m.cycles} cycles`,
    }),
    figure({
      name: `collection.${label}.apiCallsPerFunctionHour`,
      value: m.totalCalls / fh,
      unit: "calls/function-hour",
      baseline: naivePerFh,
      baselineName: "naive GetMetricStatistics calls alone (no logs, inventory or traces)",
      goal: null,
      notes: "every AWS API call the cycles made (inventory, ListMetrics, FilterLogEvents, GetMetricData, X-Ray, SQS), counted by the sandbox",
    }),
  ];
}

function idleFigure(label: string, idle: CollectionMeasure): Figure {
  const functionMetrics = Math.max(0, idle.metricsRequested - idle.accountLevelPerCycle * idle.cycles);
  return figure({
    name: `collection.${label}.idle.functionMetricsRequestedPerFunctionHour`,
    value: functionMetrics / idle.functionHours,
    unit: "metrics/function-hour",
    baseline: (idle.naiveCallsPerCycle * idle.cycles) / idle.functionHours,
    baselineName: "naive: asks every metric of every function anyway",
    goal: GOAL_IDLE,
    notes: `the same ${idle.functions} functions 4 h after their traffic stopped (ListMetrics RecentlyActive and the previous cycle see nothing), ${idle.cycles} cycles; ${idle.metricsRequested} metrics requested in all, of which ${idle.accountLevelPerCycle} per cycle belong to no function (DLQ depth/age, SNS and EventBridge failures) and are left out; server-side calls: ${JSON.stringify(idle.serverCalls)}`,
  });
}

/** Runs figure 1: the default shop and 1,000 functions, each active then idle. */
export async function benchCollection(o: { quick: boolean; smoke?: boolean; log: (l: string) => void }): Promise<{ figures: Figure[]; details: unknown }> {
  const idleCycles = o.smoke ? 1 : o.quick ? 2 : 3;
  const small = await prepareFleet({ functions: 12, cycles: o.smoke ? 2 : o.quick ? 3 : 6, child: false, log: o.log });
  let smallM;
  try {
    smallM = await measureFleet(small, idleCycles, o.log);
  } finally {
    await small.close();
  }
  const big = await sharedFleet(o);
  const bigM = await measureFleet(big, idleCycles, o.log);
  const figures = [...figuresOf("defaultShop", smallM.active), idleFigure("defaultShop", smallM.idle), ...figuresOf("fleet1000", bigM.active), idleFigure("fleet1000", bigM.idle)];
  return { figures, details: { defaultShop: smallM, fleet1000: bigM } };
}
