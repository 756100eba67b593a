/**
 * Figure 3, dashboard: p50/p95 of the overview, function and cost queries (the functions
 * behind the API routes, called in-process) over 1,000 functions x 30 days of history on
 * SQLite and PostgreSQL, beside the same answer computed from raw Invocation rows.
 * The raw baseline is measured over the raw rows the history keeps (the last hour, all
 * functions) and scaled linearly by window length (rows read grow with the window).
 */
import { writeHistory, type HistorySummary } from "../lib/simulate/history.ts";
import { getOverview } from "../lib/queries/overview/get-overview.ts";
import { getFunctionView } from "../lib/queries/functions/get-function-view.ts";
import { getCostSummary } from "../lib/queries/cost/get-cost-summary.ts";
import { invocationFiltersSchema } from "../lib/queries/functions/list-invocations.ts";
import { parseTimeRange, type TimeRange } from "../lib/time-range.ts";
import { openStore, all, toNum, toBool, type Store } from "../lib/store/sql.ts";
import { createScratchDb, type Engine } from "./scratch.ts";
import { figure, percentile, round, timeRunsWithin, type Figure } from "./stats.ts";

const HOUR = 3_600_000;
const FLEET_GOAL = { max: 300, text: "p95 ≤ 300 ms (fleet views)" };
const FUNCTION_GOAL = { max: 50, text: "p95 ≤ 50 ms (one function)" };

interface RawRow {
  functionId: number;
  durationMs: number;
  billedMs: number;
  memoryMb: number;
  status: string;
  coldStart: boolean;
  version: string;
}

function summarize(rows: RawRow[]) {
  const by = new Map<number, RawRow[]>();
  for (const r of rows) {
    const g = by.get(r.functionId);
    if (g) g.push(r);
    else by.set(r.functionId, [r]);
  }
  const stats = (g: RawRow[]) => {
    const d = g.map((r) => r.durationMs);
    return {
      invocations: g.length,
      errors: g.filter((r) => r.status !== "ok").length,
      coldStarts: g.filter((r) => r.coldStart).length,
      mbMs: g.reduce((a, r) => a + r.billedMs * r.memoryMb, 0),
      p50: percentile(d, 0.5),
      p95: percentile(d, 0.95),
      p99: percentile(d, 0.99),
    };
  };
  return { fleet: stats(rows), functions: [...by].map(([id, g]) => ({ id, ...stats(g) })) };
}

const RAW_SELECT = `SELECT "functionId", "durationMs", "billedMs", "memoryMb", "status", "coldStart", "version" FROM "Invocation"`;
const readRaw = (store: Store, where: string, params: unknown[]) =>
  store.read(() => all<Record<string, unknown>>(`${RAW_SELECT} WHERE ${where}`, params)).then((rows) =>
    rows.map((r) => ({ functionId: toNum(r.functionId), durationMs: Number(r.durationMs), billedMs: toNum(r.billedMs), memoryMb: toNum(r.memoryMb), status: String(r.status), coldStart: toBool(r.coldStart), version: String(r.version) })),
  );

/** The overview's figures (fleet and per-function counts, percentiles, GB-s) from raw rows. */
async function rawOverview(store: Store, from: Date, to: Date) {
  return summarize(await readRaw(store, `"startedAt" >= ? AND "startedAt" < ?`, [from, to]));
}

/** One function's figures per version from raw rows. */
async function rawFunction(store: Store, functionId: number, from: Date, to: Date) {
  const rows = await readRaw(store, `"functionId" = ? AND "startedAt" >= ? AND "startedAt" < ?`, [functionId, from, to]);
  const versions = new Map<string, RawRow[]>();
  for (const r of rows) versions.set(r.version, [...(versions.get(r.version) ?? []), r]);
  return { all: summarize(rows).fleet, versions: [...versions].map(([v, g]) => ({ v, ...summarize(g).fleet })) };
}

/** Billed MB-ms and requests per function and alias from raw rows (SQL aggregate). */
async function rawCost(store: Store, from: Date, to: Date) {
  return store.read(() =>
    all(`SELECT "functionId", "alias", COUNT(*) AS n, SUM("billedMs" * "memoryMb") AS mbms FROM "Invocation" WHERE "startedAt" >= ? AND "startedAt" < ? GROUP BY "functionId", "alias"`, [from, to]),
  );
}

interface Case {
  name: string;
  goal: typeof FLEET_GOAL;
  query: () => Promise<unknown>;
  raw: () => Promise<unknown>;
  /** Window hours / raw-window hours. */
  scale: number;
}

async function measureEngine(engine: Engine, o: { functions: number; days: number; runs: number; budgetMs: number; log: (l: string) => void }): Promise<{ figures: Figure[]; history: HistorySummary & { seconds: number } }> {
  const db = await createScratchDb(engine);
  const store = openStore(db.url);
  try {
    const t0 = Date.now();
    let lastLog = 0;
    const history = await writeHistory(store, {
      functions: o.functions,
      days: o.days,
      end: Date.now(),
      rawHours: 1,
      onProgress: (done, total) => {
        if (Date.now() - lastLog > 15_000) {
          lastLog = Date.now();
          o.log(`  ${engine} history: ${done}/${total} hours`);
        }
      },
    });
    if (engine === "pg") await store.read(() => all(`ANALYZE`));
    const seconds = (Date.now() - t0) / 1000;
    o.log(`  ${engine}: wrote ${o.functions} functions x ${o.days} days (${history.hourRows} hour, ${history.minuteRows} minute, ${history.rawInvocations} raw rows) in ${seconds.toFixed(1)} s`);
    const end = history.end;
    const now = new Date(end - 30_000);
    const range = (preset: string): TimeRange => {
      const r = parseTimeRange({ range: preset }, now);
      if (!r.ok) throw new Error(r.problem.message);
      return r.value;
    };
    // The busiest function (the heaviest function page).
    const top = await store.read(() => all<{ functionId: unknown; name: unknown }>(`SELECT i."functionId", f."name" FROM "Invocation" i JOIN "LambdaFunction" f ON f."id" = i."functionId" GROUP BY i."functionId", f."name" ORDER BY COUNT(*) DESC LIMIT 1`));
    const fnId = toNum(top[0]!.functionId);
    const fnName = String(top[0]!.name);
    const rawFrom = new Date(end - HOUR);
    const rawTo = new Date(end);
    const filters = invocationFiltersSchema.parse({});
    const cases: Case[] = [
      { name: "overview1h", goal: FLEET_GOAL, query: () => getOverview(db.db, range("1h"), now), raw: () => rawOverview(store, rawFrom, rawTo), scale: 1 },
      { name: "overview24h", goal: FLEET_GOAL, query: () => getOverview(db.db, range("24h"), now), raw: () => rawOverview(store, rawFrom, rawTo), scale: 24 },
      { name: "overview30d", goal: FLEET_GOAL, query: () => getOverview(db.db, range("30d"), now), raw: () => rawOverview(store, rawFrom, rawTo), scale: 24 * o.days },
      { name: "function24h", goal: FUNCTION_GOAL, query: () => getFunctionView(db.db, fnName, range("24h"), filters, db.provider, now), raw: () => rawFunction(store, fnId, rawFrom, rawTo), scale: 24 },
      { name: "cost30d", goal: FLEET_GOAL, query: () => getCostSummary(db.db, range("30d"), now), raw: () => rawCost(store, rawFrom, rawTo), scale: 24 * o.days },
    ];
    const figures: Figure[] = [];
    for (const c of cases) {
      const t = await timeRunsWithin(c.query, { maxRuns: o.runs, minRuns: 3, budgetMs: o.budgetMs });
      const r = await timeRunsWithin(c.raw, { maxRuns: 5, minRuns: 2, budgetMs: o.budgetMs / 2 });
      const p50 = percentile(t, 0.5);
      const p95 = percentile(t, 0.95);
      const rawP50 = percentile(r, 0.5) * c.scale;
      figures.push(
        figure({
          name: `dashboard.${engine}.${c.name}.p95`,
          value: p95,
          unit: "ms",
          baseline: rawP50,
          baselineName: c.scale === 1 ? "same figures from raw Invocation rows (p50)" : `same figures from raw Invocation rows: p50 over the last hour's ${history.rawInvocations} raw rows x ${c.scale} (window / 1 h)`,
          goal: c.goal,
          notes: `p50 ${round(p50, 3)} ms, p95 ${round(p95, 3)} ms over ${t.length} runs${c.name.startsWith("function") ? ` (function ${fnName}, the busiest)` : ""}; raw 1 h p50 ${round(percentile(r, 0.5), 3)} ms`,
        }),
      );
      o.log(`  ${engine} ${c.name}: p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms; raw ${rawP50.toFixed(0)} ms`);
    }
    return { figures, history: { ...history, seconds } };
  } finally {
    await store.close();
    await db.drop();
  }
}

/** Runs figure 3 on both engines. */
export async function benchDashboard(o: { quick: boolean; smoke?: boolean; log: (l: string) => void }): Promise<{ figures: Figure[]; details: unknown }> {
  const p = o.smoke ? { functions: 40, days: 2, runs: 2, budgetMs: 500, log: o.log } : { functions: 1000, days: o.quick ? 7 : 30, runs: o.quick ? 5 : 20, budgetMs: o.quick ? 5_000 : 15_000, log: o.log };
  const sqlite = await measureEngine("sqlite", p);
  const pg = await measureEngine("pg", p);
  return { figures: [...sqlite.figures, ...pg.figures], details: { shape: { functions: p.functions, days: p.days, maxRuns: p.runs, budgetMsPerCase: p.budgetMs }, sqlite: sqlite.history, pg: pg.history } };
}
