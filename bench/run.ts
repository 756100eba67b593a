/**
 * `npm run bench [-- --quick] [-- --only <name>]`: runs Faasight's benchmarks and prints
 * one JSON document on stdout (progress goes to stderr); also writes it to
 * bench/results/latest.json (or --out FILE). Every figure stands beside its baseline
 * measured in the same run, with the goal and whether it is met.
 */
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { parseBenchArgs, type Figure } from "./stats.ts";
import { machineInfo } from "./scratch.ts";
import { closeSharedFleet } from "./fleet.ts";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

type Bench = (o: { quick: boolean; smoke: boolean; log: (l: string) => void }) => Promise<{ figures: Figure[]; details?: unknown }>;

const BENCHES: Record<string, () => Promise<Bench>> = {
  collection: async () => (await import("./collection.ts")).benchCollection,
  ingest: async () => (await import("./ingest.ts")).benchIngest,
  dashboard: async () => (await import("./dashboard.ts")).benchDashboard,
  freshness: async () => (await import("./freshness.ts")).benchFreshness,
  memory: async () => (await import("./memory.ts")).benchMemory,
  storage: async () => (await import("./storage.ts")).benchStorage,
  backfill: async () => (await import("./backfill.ts")).benchBackfill,
};

function gitCommit(): string | null {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
}

async function main(): Promise<number> {
  const args = parseBenchArgs(process.argv.slice(2), Object.keys(BENCHES));
  const log = (l: string) => process.stderr.write(`${l}\n`);
  const started = Date.now();
  const machineStart = machineInfo();
  const names = args.only ?? Object.keys(BENCHES);
  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  const seconds: Record<string, number> = {};
  for (const name of names) {
    const t = Date.now();
    log(`bench ${name}${args.smoke ? " (smoke)" : args.quick ? " (quick)" : ""}…`);
    try {
      const bench = await BENCHES[name]!();
      const r = await bench({ quick: args.quick, smoke: args.smoke, log });
      figures.push(...r.figures);
      if (r.details !== undefined) details[name] = r.details;
    } catch (err) {
      errors[name] = (err as Error).stack ?? String(err);
      log(`bench ${name} failed: ${errors[name]}`);
    }
    seconds[name] = Math.round((Date.now() - t) / 100) / 10;
    log(`bench ${name}: ${seconds[name]} s`);
  }
  await closeSharedFleet();
  const machineEnd = machineInfo();
  const doc = {
    startedAt: new Date(started).toISOString(),
    quick: args.quick,
    smoke: args.smoke,
    only: args.only,
    commit: gitCommit(),
    machine: { ...machineStart, loadAvgStart: machineStart.loadAvg, loadAvgEnd: machineEnd.loadAvg, loadAvg: undefined },
    seconds: { ...seconds, total: Math.round((Date.now() - started) / 100) / 10 },
    figures,
    missed: figures.filter((f) => f.met === false).map((f) => f.name),
    errors,
    details,
  };
  const text = JSON.stringify(doc, (_k, v) => (typeof v === "bigint" ? Number(v) : v), 2);
  process.stdout.write(text + "\n");
  const out = args.out ?? path.join(import.meta.dirname, "results", args.smoke ? "smoke.json" : "latest.json");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, text + "\n");
  log(`wrote ${out}`);
  return Object.keys(errors).length ? 1 : 0;
}

process.exitCode = await main();
