/**
 * A collected fleet for the collection and memory benchmarks: a sandbox shop (controllable
 * clock) backfilled over [first − 30 min, first + cycles × 5 min), a SQLite store, and the
 * first collection (up to `first`) done in a child process whose peak RSS is read.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { parseEnv } from "../lib/env.ts";
import { openStore, type Store } from "../lib/store/sql.ts";
import { openSources, runCollection, settingsFromEnv } from "../lib/worker/collect.ts";
import type { CycleResult } from "../lib/worker/cycle.ts";
import type { SourceContext } from "../lib/worker/sources.ts";
import { createScratchDb, type ScratchDb } from "./scratch.ts";
import { startBenchShop, type BenchShop } from "./sim.ts";

export const POLL_MS = 5 * 60_000;
const WARM_WINDOW_MS = 30 * 60_000;

export interface WarmupReport {
  ms: number;
  vmHwmKb: number | null;
  maxRssKb: number;
  results: unknown;
  inChild: boolean;
}

export interface Fleet {
  functions: number;
  sim: BenchShop;
  db: ScratchDb;
  store: Store;
  sources: SourceContext[];
  /** Sandbox clock (ms); the collectors' `now` follows it. */
  clock: { now: number };
  since: number;
  first: number;
  end: number;
  cycles: number;
  warmup: WarmupReport;
  /** One cycle at `now` (the sandbox clock is set to it). */
  collect(now: number): Promise<CycleResult[]>;
  close(): Promise<void>;
}

/** The worker runtime settings the README recommends for large fleets (glibc arenas, V8 old-space cap). */
export const TUNED_RUNTIME = { env: { MALLOC_ARENA_MAX: "2" }, nodeArgs: ["--max-old-space-size=256"] };

/** One first collection in a child process (its peak RSS is the worker's), optionally with runtime settings. */
export function runChild(args: string[], runtime: { env?: Record<string, string>; nodeArgs?: string[] } = {}): Promise<WarmupReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(runtime.nodeArgs ?? []), "--import", "tsx", path.join(import.meta.dirname, "collect-child.ts"), ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...runtime.env },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`collect child exited ${code}: ${err.slice(-2000)}`));
      try {
        resolve({ ...(JSON.parse(out.trim().split("\n").pop()!) as Omit<WarmupReport, "inChild">), inChild: true });
      } catch (e) {
        reject(new Error(`collect child printed no report (${(e as Error).message}): ${out.slice(-500)} ${err.slice(-1000)}`));
      }
    });
  });
}

/** Builds, backfills and first-collects a fleet of `functions` functions. */
export async function prepareFleet(o: { functions: number; cycles: number; rate?: number; child: boolean; log: (l: string) => void }): Promise<Fleet> {
  const end = Math.floor(Date.now() / 60_000) * 60_000;
  const first = end - o.cycles * POLL_MS;
  const since = first - WARM_WINDOW_MS;
  const clock = { now: end };
  const sim = await startBenchShop({ functions: o.functions, hours: (end - since) / 3_600_000, end, rate: o.rate, clock: () => clock.now, log: o.log });
  const db = await createScratchDb("sqlite");
  const store = openStore(db.url);
  const env = parseEnv({ FAASIGHT_QUOTA_SCALE: "200" });
  const settings = settingsFromEnv(env);
  clock.now = first;
  let warmup: WarmupReport;
  let sources: SourceContext[];
  if (o.child) {
    warmup = await runChild([db.url, sim.sandbox.url, String(since), String(first)]);
    sources = await openSources(db.db, env, settings, { sources: [{ name: "bench", region: "us-east-1", endpoint: sim.sandbox.url, enabled: true }], staticCredentials: true });
  } else {
    sources = await openSources(db.db, env, settings, { sources: [{ name: "bench", region: "us-east-1", endpoint: sim.sandbox.url, enabled: true }], staticCredentials: true });
    const t0 = Date.now();
    const results = await runCollection({ db: db.db, store, sources, settings, since, now: first, freshInventory: true });
    warmup = { ms: Date.now() - t0, vmHwmKb: null, maxRssKb: process.resourceUsage().maxRSS, results: results.map((r) => r.calls), inChild: false };
  }
  o.log(`  first collection of ${o.functions} functions${o.child ? " (child process)" : ""} in ${(warmup.ms / 1000).toFixed(1)} s`);
  return {
    functions: o.functions,
    sim,
    db,
    store,
    sources,
    clock,
    since,
    first,
    end,
    cycles: o.cycles,
    warmup,
    collect(now: number) {
      clock.now = now;
      return runCollection({ db: db.db, store, sources, settings, since, now });
    },
    async close() {
      for (const s of sources) s.clients.destroy();
      await store.close();
      await db.drop();
      await sim.close();
    },
  };
}

let shared: { key: string; fleet: Promise<Fleet> } | null = null;

/** The 1,000-function fleet, prepared once per bench run and shared by the collection and memory benchmarks. */
export function sharedFleet(o: { quick: boolean; smoke?: boolean; log: (l: string) => void }): Promise<Fleet> {
  const key = o.smoke ? "smoke" : o.quick ? "quick" : "full";
  // Smoke: the same paths with 60 functions (CI checks the harness, not the figures).
  if (!shared || shared.key !== key) shared = { key, fleet: prepareFleet({ functions: o.smoke ? 60 : 1000, cycles: o.smoke ? 2 : o.quick ? 3 : 6, rate: 0.1, child: true, log: o.log }) };
  return shared.fleet;
}

/** Closes the shared fleet (end of the run). */
export async function closeSharedFleet(): Promise<void> {
  if (!shared) return;
  const f = shared.fleet;
  shared = null;
  await (await f.catch(() => null))?.close();
}
