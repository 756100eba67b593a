/**
 * Storage per function per day at the default settings (issue 8: retention and rollups keep
 * the database bounded). The default shop's simulator runs for a window at its own rate; the
 * real collectors store it into a scratch SQLite and PostgreSQL database at the default cycle
 * interval; then the default retention is applied at each age where a tier expires (raw rows,
 * metric points, collector runs, minute rollups, hour rollups), the database is compacted and
 * measured per table. Steady state per function = Σ over age bands of (bytes still held at that
 * age per function-day × the band's days) + what retention never deletes (inventory etc.).
 * Baseline: the raw rows (log events, invocations, traces, gateway requests) of every event kept.
 */
import pg from "pg";
import Database from "better-sqlite3";
import { parseEnv } from "../lib/env.ts";
import { openStore, type Store } from "../lib/store/sql.ts";
import { applyRetention, type RetentionSettings } from "../lib/store/retention.ts";
import { openSources, runCollection, settingsFromEnv } from "../lib/worker/collect.ts";
import { ARCHETYPE_NAMES } from "../lib/simulate/shop.ts";
import { createScratchDb, type Engine, type ScratchDb } from "./scratch.ts";
import { startBenchShop } from "./sim.ts";
import { figure, round, type Figure } from "./stats.ts";

const DAY = 86_400_000;
/** Age (days) after which retention deletes collector runs (lib/store/retention.ts, not configurable). */
const COLLECTOR_RUN_DAYS = 30;
/** Tables whose rows exist once per event (the baseline keeps them for every event). */
const RAW_TABLES = ["LogEvent", "Invocation", "Trace", "ApiRequest"];

/** Bytes per table, indexes included. */
export type TableBytes = Record<string, number>;

/** Bytes per table of a SQLite file (dbstat: b-tree pages in use, free pages excluded), indexes counted with their table. */
function sqliteTableBytes(file: string): { tables: TableBytes; fileBytes: number } {
  const db = new Database(file, { readonly: true });
  try {
    const owner = new Map((db.prepare(`SELECT name, tbl_name FROM sqlite_schema`).all() as Array<{ name: string; tbl_name: string }>).map((r) => [r.name, r.tbl_name]));
    const tables: TableBytes = {};
    for (const r of db.prepare(`SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name`).all() as Array<{ name: string; bytes: number }>) {
      const t = owner.get(r.name) ?? r.name;
      tables[t] = (tables[t] ?? 0) + Number(r.bytes);
    }
    const pages = Number(db.pragma("page_count", { simple: true }));
    const size = Number(db.pragma("page_size", { simple: true }));
    return { tables, fileBytes: pages * size };
  } finally {
    db.close();
  }
}

/** Bytes per table of a PostgreSQL database (pg_total_relation_size: heap, indexes, TOAST), after VACUUM FULL when `compact`. */
async function pgTableBytes(url: string, compact: boolean): Promise<{ tables: TableBytes; fileBytes: number }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    if (compact) await c.query(`VACUUM FULL`);
    const r = await c.query<{ name: string; bytes: string }>(`SELECT c.relname AS name, pg_total_relation_size(c.oid) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'`);
    const db = await c.query<{ bytes: string }>(`SELECT pg_database_size(current_database()) AS bytes`);
    return { tables: Object.fromEntries(r.rows.map((row) => [row.name, Number(row.bytes)])), fileBytes: Number(db.rows[0]!.bytes) };
  } finally {
    await c.end();
  }
}

function measure(db: ScratchDb, compact: boolean): Promise<{ tables: TableBytes; fileBytes: number }> {
  if (db.provider === "sqlite") return Promise.resolve(sqliteTableBytes(new URL(db.url).pathname));
  return pgTableBytes(db.url, compact);
}

/** `a − b` per table (tables of `a`), never below 0. */
export function subtractBytes(a: TableBytes, b: TableBytes): TableBytes {
  return Object.fromEntries(Object.entries(a).map(([t, v]) => [t, Math.max(0, v - (b[t] ?? 0))]));
}

/** `t` with some tables' bytes multiplied by a factor each. */
export function scaleTables(t: TableBytes, factors: Record<string, number>): TableBytes {
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v * (factors[k] ?? 1)]));
}

/** Tables with buckets longer than an hour (the window holds whole hours, so finer buckets scale with its length). */
const COARSE_BUCKET_MS: Record<string, number> = { DayRollup: DAY };

/**
 * Factors that turn what a window of [start, end) stored into "window length's worth": a table
 * of coarse buckets holds whole buckets (one day row for a 4-hour window), per-cycle rows scale to the default interval.
 */
export function windowFactors(start: number, end: number, cycleMs: number, defaultCycleMs: number): Record<string, number> {
  const out: Record<string, number> = { CollectorRun: cycleMs / defaultCycleMs };
  for (const [table, period] of Object.entries(COARSE_BUCKET_MS)) {
    const buckets = Math.floor((end - 1) / period) - Math.floor(start / period) + 1;
    out[table] = (end - start) / (buckets * period);
  }
  return out;
}

export function sumBytes(t: TableBytes): number {
  return Object.values(t).reduce((a, b) => a + b, 0);
}

/** The distinct ages (days) at which default retention deletes a tier, ascending. */
export function retentionAges(s: RetentionSettings): number[] {
  const raw = Math.max(1, s.rawDays);
  const ages = [raw, Math.max(1, s.metricDays), COLLECTOR_RUN_DAYS, Math.max(raw, s.minuteDays), Math.max(raw, s.minuteDays, s.hourDays)];
  return [...new Set(ages)].sort((a, b) => a - b);
}

/**
 * Steady-state bytes of the data a window left (pure): `held[k]` is what is still stored after
 * the k-th expiry age (held[0] = everything, before any expiry), `permanent` what is never deleted;
 * a day of data occupies held[k] − permanent during the band [ages[k−1], ages[k]).
 */
export function steadyStateBytes(held: number[], permanent: number, ages: number[], windowDays: number): { perDay: number[]; total: number } {
  const perDay = held.slice(0, ages.length).map((h) => Math.max(0, h - permanent) / windowDays);
  let total = 0;
  let from = 0;
  ages.forEach((age, k) => {
    total += perDay[k]! * (age - from);
    from = age;
  });
  return { perDay, total };
}

interface EngineResult {
  engine: Engine;
  empty: TableBytes;
  /** Per table after collection (before retention), as written and compacted. */
  written: { tables: TableBytes; fileBytes: number };
  compacted: { tables: TableBytes; fileBytes: number };
  /** Per expiry age: per-table bytes left after retention at that age (compacted). */
  stages: Array<{ ageDays: number; deletedRows: Record<string, number>; tables: TableBytes; fileBytes: number }>;
}

/** Runs the storage benchmark. */
export async function benchStorage(o: { quick: boolean; smoke?: boolean; log: (l: string) => void }): Promise<{ figures: Figure[]; details: unknown }> {
  // Default settings, except the API quotas (scaled as in the other benchmarks: they pace calls, they change no stored row).
  const env = parseEnv({ FAASIGHT_QUOTA_SCALE: "200" });
  const settings = settingsFromEnv(env);
  const retention = settings.retention;
  const defaultCycleMs = env.FAASIGHT_COLLECT_INTERVAL_SECONDS * 1000;
  // Longer cycles than the default 60 s keep the run short: every stored row but the per-cycle CollectorRun rows is the same at any interval (idempotent writes), and those are scaled to the default interval.
  const cycleMs = (o.smoke ? 30 : o.quick ? 15 : 10) * 60_000;
  const hours = o.quick ? 1 : 4;
  const functions = ARCHETYPE_NAMES.length;
  // Hour-aligned, so the window holds whole hour buckets.
  const end = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  const start = end - hours * 3_600_000;
  const clock = { now: end };
  const sim = await startBenchShop({ functions, hours, end, seed: 8, clock: () => clock.now, log: o.log });
  const engines: Engine[] = ["sqlite", "pg"];
  const dbs: ScratchDb[] = [];
  const stores: Store[] = [];
  try {
    for (const e of engines) {
      const db = await createScratchDb(e);
      dbs.push(db);
      stores.push(openStore(db.url));
    }
    const empty = await Promise.all(dbs.map((db) => measure(db, false)));
    const sources = await Promise.all(dbs.map((db) => openSources(db.db, env, settings, { sources: [{ name: "bench", region: "us-east-1", endpoint: sim.sandbox.url, enabled: true }], staticCredentials: true })));
    // The worker's cycles at the default interval; each store's cycle sees the sandbox after the previous store's DLQ reads are visible again.
    const t0 = Date.now();
    let cycles = 0;
    for (let t = start + cycleMs; t <= end; t += cycleMs) {
      for (let i = 0; i < dbs.length; i++) {
        clock.now = t + i * (settings.dlqVisibilitySeconds + 1) * 1000;
        await runCollection({ db: dbs[i]!.db, store: stores[i]!, sources: sources[i]!, settings, since: start, now: t, freshInventory: t === start + cycleMs });
      }
      cycles++;
    }
    for (const list of sources) for (const s of list) s.clients.destroy();
    o.log(`  ${cycles} cycles of ${functions} functions over ${hours} h into ${engines.join(" and ")} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const invocations = sim.run!.truth.totalInvocations();
    // Retention ages count from after the last write (collector runs carry the wall clock).
    const measuredAt = Math.max(end, Date.now());

    const results: EngineResult[] = [];
    for (let i = 0; i < dbs.length; i++) {
      const db = dbs[i]!;
      const written = await measure(db, false);
      const compacted = await measure(db, true);
      const stages: EngineResult["stages"] = [];
      for (const age of retentionAges(retention)) {
        const r = await applyRetention(stores[i]!, retention, measuredAt + age * DAY + 60_000);
        const m = await measure(db, true);
        stages.push({ ageDays: age, deletedRows: Object.fromEntries(Object.entries(r.deleted).filter(([, n]) => n > 0)), ...m });
      }
      results.push({ engine: db.provider, empty: empty[i]!.tables, written, compacted, stages });
    }
    return report(results, { functions, hours, cycles, cycleMs, defaultCycleMs, factors: windowFactors(start, end, cycleMs, defaultCycleMs), retention, invocations });
  } finally {
    for (const s of stores) await s.close();
    for (const db of dbs) await db.drop();
    await sim.close();
  }
}

function report(results: EngineResult[], o: { functions: number; hours: number; cycles: number; cycleMs: number; defaultCycleMs: number; factors: Record<string, number>; retention: RetentionSettings; invocations: number }): { figures: Figure[]; details: unknown } {
  const windowDays = o.hours / 24;
  const ages = retentionAges(o.retention);
  const horizon = ages[ages.length - 1]!;
  const figures: Figure[] = [];
  const details: Record<string, unknown> = { functions: o.functions, windowHours: o.hours, cycles: o.cycles, cycleSeconds: o.cycleMs / 1000, defaultCycleSeconds: o.defaultCycleMs / 1000, tableFactors: o.factors, retention: o.retention, expiryAgesDays: ages, invocations: o.invocations };
  for (const r of results) {
    // What the window added per table, as a window length's worth at the default interval.
    const added = (t: TableBytes) => scaleTables(subtractBytes(t, r.empty), o.factors);
    const data = added(r.compacted.tables);
    const permanent = sumBytes(added(r.stages[r.stages.length - 1]!.tables));
    const held = [sumBytes(data), ...r.stages.map((s) => sumBytes(added(s.tables)))];
    const steady = steadyStateBytes(held, permanent, ages, windowDays);
    const perFunction = (steady.total + permanent) / o.functions;
    const raw = RAW_TABLES.reduce((a, t) => a + (data[t] ?? 0), 0) / windowDays / o.functions;
    // Per table: bytes per function-day as written and the age at which retention removes it.
    const tables = Object.fromEntries(
      Object.entries(data)
        .filter(([, v]) => v > 0)
        .sort((a, b) => b[1] - a[1])
        .map(([t, v]) => {
          const gone = r.stages.find((s) => (added(s.tables)[t] ?? 0) === 0);
          const asWrittenBytes = Math.max(0, (r.written.tables[t] ?? 0) - (r.empty[t] ?? 0));
          if (!gone) return [t, { bytesPerFunction: round(v / o.functions), keptDays: null, asWrittenBytes }];
          return [t, { bytesPerFunctionDay: round(v / windowDays / o.functions), keptDays: gone.ageDays, asWrittenBytes }];
        }),
    );
    details[r.engine] = {
      tables,
      bytesPerFunctionDayByAge: Object.fromEntries(ages.map((a, k) => [`until ${a} d`, round(steady.perDay[k]! / o.functions)])),
      permanentBytesPerFunction: round(permanent / o.functions),
      rawBytesPerInvocation: o.invocations > 0 ? round((raw * windowDays * o.functions) / o.invocations) : null,
      databaseBytes: { empty: sumBytes(r.empty), written: r.written.fileBytes, compacted: r.compacted.fileBytes },
      stages: r.stages.map((s) => ({ ageDays: s.ageDays, deletedRows: s.deletedRows, dataBytes: sumBytes(added(s.tables)) })),
    };
    const notes = `default shop (${o.functions} functions, ${o.invocations} invocations in ${o.hours} h = ${Math.round(o.invocations / windowDays / o.functions)} per function-day) collected by the real collectors every ${o.cycleMs / 1000} s (collector-run rows scaled to the default ${o.defaultCycleMs / 1000} s interval, day rollups to the window's share of their day); default retention (raw ${o.retention.rawDays} d, metric points ${o.retention.metricDays} d, minute rollups ${o.retention.minuteDays} d, hour rollups ${o.retention.hourDays} d) applied at each expiry age, ${r.engine === "pg" ? "VACUUM FULL, pg_total_relation_size" : "dbstat pages in use"} per table, migrated empty database subtracted; per-source rows (collector runs, cursors, API stages) divided among the functions`;
    figures.push(
      figure({
        name: `storage.${r.engine}.bytesPerFunctionDay`,
        value: perFunction / horizon,
        unit: "bytes/function-day",
        baseline: raw,
        baselineName: "raw rows (log events, invocations, traces, gateway requests) kept for every event",
        notes: `steady-state database size per function divided by the ${horizon} days of history it holds; ${notes}`,
      }),
      figure({
        name: `storage.${r.engine}.steadyStateBytesPerFunction`,
        value: perFunction,
        unit: "bytes/function",
        baseline: raw * horizon,
        baselineName: `raw rows of every event kept for the same ${horizon} days`,
        notes: `bounded: ${round(steady.total / o.functions / 1e6, 3)} MB of expiring data per function (${ages.map((a, k) => `${round(steady.perDay[k]! / o.functions / 1000, 3)} kB/day until ${a} d`).join(", ")}) + ${round(permanent / o.functions / 1000, 3)} kB never expiring (inventory, error groups, failed events); ${notes}`,
      }),
    );
  }
  return { figures, details };
}
