/**
 * Figure 2, ingest: Lambda log lines parsed per second on one core (lib/parse), and log
 * events stored per second end to end (parse, assemble invocations, rollups, error groups,
 * cursor: lib/store/log-ingest.ts) into SQLite and PostgreSQL, beside a raw insert of the
 * same rows with no parsing. The events are the simulator's own (default shop, seeded).
 */
import { buildShop } from "../lib/simulate/shop.ts";
import { Simulation, type SimulationOutput } from "../lib/simulate/engine.ts";
import { TruthRecorder } from "../lib/simulate/truth.ts";
import { MetricAggregator } from "../lib/simulate/metrics.ts";
import { parseLambdaLogMessage } from "../lib/parse/lambda-log.ts";
import { ingestLambdaLogEvents, type FunctionRef } from "../lib/store/log-ingest.ts";
import { assembleStream, byStream, parseLogEvent, type RawLogEvent } from "../lib/store/invocation-assembly.ts";
import fs from "node:fs";
import { openStore, insertRows, all, type Store } from "../lib/store/sql.ts";
import { createScratchDb, type Engine } from "./scratch.ts";
import { figure, type Figure } from "./stats.ts";

/** Events per FilterLogEvents page the collector ingests in one call (AWS pages hold up to 10,000 or 1 MB). */
const PAGE = 5_000;

/** Simulates the default shop until at least `n` Lambda log events exist; returns them per function, in time order. */
export function simulatedLogEvents(n: number, seed = 11): Map<string, RawLogEvent[]> {
  const shop = buildShop();
  const out = new Map<string, RawLogEvent[]>();
  let count = 0;
  let seq = 0;
  const output: SimulationOutput = {
    log(group, stream, events) {
      if (!group.startsWith("/aws/lambda/")) return;
      const fn = group.slice("/aws/lambda/".length);
      const list = out.get(fn) ?? [];
      out.set(fn, list);
      for (const e of events) list.push({ eventId: String(++seq).padStart(56, "0"), logStream: stream, timestamp: e.timestamp, message: e.message });
      count += events.length;
    },
    traces() {},
    message() {},
  };
  const start = Date.UTC(2026, 0, 5, 9);
  const truth = new TruthRecorder({ seed, region: "us-east-1", accountId: "123456789012", start, end: start }, { minutes: false });
  const sim = new Simulation({ shop, seed, region: "us-east-1", accountId: "123456789012", start, rate: 4, output, truth, metrics: new MetricAggregator() });
  for (let t = start + 10 * 60_000; count < n; t += 10 * 60_000) sim.advanceTo(t);
  for (const list of out.values()) list.sort((a, b) => a.timestamp - b.timestamp || (a.eventId < b.eventId ? -1 : 1));
  // As the SDK hands them over: decoded from a JSON response (flat strings, not the simulator's concatenations).
  return new Map([...out].map(([fn, list]) => [fn, JSON.parse(JSON.stringify(list)) as RawLogEvent[]]));
}

// A straightforward parser to compare with: one regex per line kind tried in turn, JSON.parse for structured lines.
const NAIVE = [
  /^START RequestId: (\S+) Version: (\S+)/,
  /^END RequestId: (\S+)/,
  /^REPORT RequestId: (\S+)\tDuration: ([\d.]+) ms\tBilled Duration: (\d+) ms\tMemory Size: (\d+) MB\tMax Memory Used: (\d+) MB(?:\tInit Duration: ([\d.]+) ms)?/,
  /Task timed out after ([\d.]+) seconds/,
  /^(\S+)\t(\S+)\t(ERROR|WARN|INFO|DEBUG)\t(.*)$/s,
];
function naiveParse(message: string): unknown {
  for (const line of message.split("\n")) {
    if (line.startsWith("{")) {
      try {
        return JSON.parse(line);
      } catch {
        return null;
      }
    }
    for (const re of NAIVE) {
      const m = re.exec(line);
      if (m) return m;
    }
  }
  return null;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * Lines per second of `fn` over `messages`, repeated for at least `minMs` of CPU: per CPU
 * second of this (single-threaded) process = on one core, robust on a shared machine; and per wall second.
 */
function rate(messages: string[], fn: (m: string) => unknown, minMs: number): { cpu: number; wall: number } {
  let lines = 0;
  let sink = 0;
  const t0 = performance.now();
  const c0 = cpuMs();
  do {
    for (const m of messages) if (fn(m)) sink++;
    lines += messages.length;
  } while (cpuMs() - c0 < minMs);
  if (sink < 0) throw new Error("unreachable");
  return { cpu: lines / ((cpuMs() - c0) / 1000), wall: lines / ((performance.now() - t0) / 1000) };
}

/**
 * CPU ms used so far by the PostgreSQL backends serving this store's database (from /proc, when the
 * server runs on this machine; null otherwise). Backends that start later count from 0.
 */
async function pgBackendCpuMs(store: Store): Promise<Map<number, number> | null> {
  if (store.dialect !== "pg") return null;
  const rows = await store.read(() => all<{ pid: unknown }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`));
  const out = new Map<number, number>();
  const tick = 1000 / 100; // USER_HZ
  for (const { pid } of rows) {
    try {
      const f = fs.readFileSync(`/proc/${Number(pid)}/stat`, "utf8").split(") ")[1]!.split(" ");
      out.set(Number(pid), (Number(f[11]) + Number(f[12])) * tick);
    } catch {
      return null;
    }
  }
  return out;
}

const cpuDelta = (a: Map<number, number> | null, b: Map<number, number> | null): number | null => {
  if (!a || !b) return null;
  let ms = 0;
  for (const [pid, v] of b) ms += v - (a.get(pid) ?? 0);
  return ms;
};

async function storeRates(
  engine: Engine,
  events: Map<string, RawLogEvent[]>,
): Promise<{ e2e: number; raw: number; e2eCpu: number; rawCpu: number; e2eDbCpu: number | null; rawDbCpu: number | null; invocations: number }> {
  const total = [...events.values()].reduce((a, l) => a + l.length, 0);
  const setup = async () => {
    const db = await createScratchDb(engine);
    const store = openStore(db.url);
    const now = new Date();
    const src = await db.db.source.create({ data: { name: "bench", accountId: "123456789012", region: "us-east-1" } });
    const fns = new Map<string, FunctionRef>();
    for (const name of events.keys()) {
      const f = await db.db.lambdaFunction.create({ data: { sourceId: src.id, name, arn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`, memoryMb: 512, timeoutSec: 30, logGroup: `/aws/lambda/${name}`, runtime: "nodejs22.x", updatedAt: now } });
      fns.set(name, { id: f.id, sourceId: src.id, name, runtime: "nodejs22.x" });
    }
    return { db, store, fns };
  };
  // Raw insert: the same LogEvent rows (request ids included, as ingest derives them per page, computed
  // before the clock starts: their random keys cost index writes too), same page batches, no parsing or derivation.
  const requestIdOf = new Map<string, string | null>();
  for (const list of events.values()) {
    for (let i = 0; i < list.length; i += PAGE) {
      const parsed = list.slice(i, i + PAGE).map(parseLogEvent);
      const ids = new Map<string, string>();
      for (const evs of byStream(parsed).values()) for (const [k, v] of assembleStream(evs, "nodejs22.x").requestIdOf) ids.set(k, v);
      for (const e of parsed) requestIdOf.set(e.eventId, e.requestId ?? ids.get(e.eventId) ?? null);
    }
  }
  let raw: number;
  let rawCpu: number;
  let rawDbCpu: number | null;
  {
    const { db, store, fns } = await setup();
    const p0 = await pgBackendCpuMs(store);
    const t0 = performance.now();
    const c0 = cpuMs();
    for (const [name, list] of events) {
      const id = fns.get(name)!.id;
      for (let i = 0; i < list.length; i += PAGE) {
        const rows = list.slice(i, i + PAGE).map((e) => [id, e.eventId, e.logStream, new Date(e.timestamp), requestIdOf.get(e.eventId) ?? null, e.message]);
        await store.transaction(() => insertRows(store.dialect, "LogEvent", ["functionId", "eventId", "logStream", "timestamp", "requestId", "message"], rows, { conflict: ["functionId", "eventId"] }));
      }
    }
    raw = total / ((performance.now() - t0) / 1000);
    rawCpu = total / ((cpuMs() - c0) / 1000);
    const dbMs = cpuDelta(p0, await pgBackendCpuMs(store));
    rawDbCpu = dbMs === null ? null : total / (dbMs / 1000);
    await store.close();
    await db.drop();
  }
  const { db, store, fns } = await setup();
  try {
    const p0 = await pgBackendCpuMs(store);
    const t0 = performance.now();
    const c0 = cpuMs();
    for (const [name, list] of events) {
      const fn = fns.get(name)!;
      for (let i = 0; i < list.length; i += PAGE) await ingestLambdaLogEvents(store, fn, list.slice(i, i + PAGE));
    }
    const e2e = total / ((performance.now() - t0) / 1000);
    const e2eCpu = total / ((cpuMs() - c0) / 1000);
    const dbMs = cpuDelta(p0, await pgBackendCpuMs(store));
    const [row] = await store.read(() => all<{ n: unknown }>(`SELECT COUNT(*) AS n FROM "Invocation"`));
    return { e2e, raw, e2eCpu, rawCpu, e2eDbCpu: dbMs === null ? null : total / (dbMs / 1000), rawDbCpu, invocations: Number(row?.n ?? 0) };
  } finally {
    await store.close();
    await db.drop();
  }
}

/** Runs figure 2. */
export async function benchIngest(o: { quick: boolean; smoke?: boolean; log: (l: string) => void }): Promise<{ figures: Figure[]; details: unknown }> {
  const n = o.smoke ? 8_000 : o.quick ? 60_000 : 250_000;
  const t0 = Date.now();
  const events = simulatedLogEvents(n);
  const total = [...events.values()].reduce((a, l) => a + l.length, 0);
  o.log(`  simulated ${total} log events of ${events.size} functions in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const messages = [...events.values()].flat().map((e) => e.message);
  const sample = messages.slice(0, 100_000);
  rate(sample.slice(0, 20_000), (m) => parseLambdaLogMessage(m).length, 300);
  const parse = rate(sample, (m) => parseLambdaLogMessage(m).length, o.smoke ? 200 : o.quick ? 1000 : 3000);
  const naive = rate(sample, naiveParse, o.smoke ? 200 : o.quick ? 1000 : 3000);
  o.log(`  parse: ${Math.round(parse.cpu)} lines per CPU-second, ${Math.round(parse.wall)} per wall second (naive regex parser ${Math.round(naive.cpu)} per CPU-second)`);
  const figures: Figure[] = [
    figure({
      name: "ingest.parse.linesPerSecond",
      value: parse.cpu,
      unit: "lines/s",
      baseline: naive.cpu,
      baselineName: "naive parser: one regex per line kind tried in turn, JSON.parse for structured lines",
      higherIsBetter: true,
      goal: { min: 500_000, text: "≥ 500k lines/s on one core" },
      notes: `parseLambdaLogMessage over ${sample.length} simulated lines (text and JSON formats, START/END/REPORT/app/error lines), main thread; per CPU-second of the process (= one core; ${Math.round(parse.wall)} lines per wall second on this shared machine)`,
    }),
  ];
  const details: Record<string, unknown> = { events: total, functions: events.size, parse, naive };
  for (const engine of ["sqlite", "pg"] as const) {
    const r = await storeRates(engine, events);
    o.log(`  ${engine}: ${Math.round(r.e2e)} events/s end to end, raw insert ${Math.round(r.raw)} rows/s`);
    details[engine] = r;
    figures.push(
      figure({
        name: `ingest.${engine}.eventsPerSecond`,
        value: r.e2e,
        unit: "events/s",
        baseline: r.raw,
        baselineName: "raw multi-row INSERT of the same LogEvent rows (request ids computed beforehand), same batches, no parsing",
        higherIsBetter: true,
        goal: engine === "sqlite" ? { min: 50_000, text: "≥ 50k events/s into SQLite" } : { min: 100_000, text: "≥ 100k events/s into PostgreSQL" },
        notes: `wall clock; ingestLambdaLogEvents (parse, assemble ${r.invocations} invocations, minute/hour rollups, error groups) in pages of ${PAGE} events per function, ${total} events, one process; per CPU-second of the Node process: ${Math.round(r.e2eCpu)} e2e, ${Math.round(r.rawCpu)} raw${
          engine === "pg" ? (r.e2eDbCpu !== null && r.rawDbCpu !== null ? `; per CPU-second of the PostgreSQL backends: ${Math.round(r.e2eDbCpu)} e2e, ${Math.round(r.rawDbCpu)} raw` : " (PostgreSQL's own CPU not measured)") : ""
        }`,
      }),
    );
  }
  return { figures, details };
}
