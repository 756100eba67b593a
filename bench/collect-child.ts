/**
 * Child process of the memory benchmark: one collection of a source into a store, then its
 * peak RSS (VmHWM and resourceUsage().maxRSS) and the cycle summary as JSON on stdout.
 * Usage: node --import tsx bench/collect-child.ts <databaseUrl> <endpoint> <sinceMs> <nowMs>
 */
import fs from "node:fs";
import { parseEnv } from "../lib/env.ts";
import { openDb } from "../lib/db.ts";
import { openStore } from "../lib/store/sql.ts";
import { openSources, runCollection, settingsFromEnv } from "../lib/worker/collect.ts";

const [url, endpoint, since, now] = process.argv.slice(2);
if (!url || !endpoint || !since || !now) throw new Error("usage: collect-child.ts <databaseUrl> <endpoint> <sinceMs> <nowMs>");
const handle = openDb(url);
const store = openStore(url);
const env = parseEnv({ FAASIGHT_QUOTA_SCALE: "200" });
const settings = settingsFromEnv(env);
const sources = await openSources(handle.db, env, settings, { sources: [{ name: "bench", region: "us-east-1", endpoint, enabled: true }], staticCredentials: true });
const t0 = Date.now();
const results = await runCollection({ db: handle.db, store, sources, settings, since: Number(since), now: Number(now), freshInventory: true });
const ms = Date.now() - t0;
const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync("/proc/self/status", "utf8"))?.[1];
const summary = results.map((r) => ({ source: r.source, calls: r.calls, collectors: Object.fromEntries(Object.entries(r.collectors).map(([k, c]) => [k, { status: c?.status, written: c?.written, ms: c?.ms, metricsRequested: c?.metricsRequested, error: c?.error }])) }));
for (const s of sources) s.clients.destroy();
await store.close();
await handle.db.$disconnect();
process.stdout.write(JSON.stringify({ ms, vmHwmKb: hwm ? Number(hwm) : null, maxRssKb: process.resourceUsage().maxRSS, results: summary }) + "\n");
