/**
 * A large source's log groups leased in shards (FAASIGHT_LOG_GROUPS_PER_LEASE): two `faasight
 * worker` processes on PostgreSQL share one source's log groups; each shard is polled by one
 * worker at a time, at most once per interval, and the store equals the ground truth.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPgDatabase, type TestDatabase } from "../helpers/databases.ts";
import { simulateShop, type SimulatedShop } from "../helpers/shop.ts";
import { compareWithTruth } from "../helpers/truth-compare.ts";
import { openSources, settingsFromEnv } from "../../../lib/worker/collect.ts";
import { parseEnv } from "../../../lib/env.ts";
import { logShardCount } from "../../../lib/worker/leases.ts";
import type { SourceConfig } from "../../../lib/worker/sources.ts";

const INTERVAL_MS = 10_000;
const PER_LEASE = 4;
const ROOT = path.resolve(import.meta.dirname, "../../..");

interface Line {
  at: number;
  worker: number;
  kind: "claimed" | "collected";
  unit: string;
}

let sim: SimulatedShop;
let h: TestDatabase;
let dir: string;
const lines: Line[] = [];
const procs: Array<{ proc: ChildProcess; exited: Promise<number | null> }> = [];

function startWorker(n: number, sourcesFile: string) {
  const proc = spawn(process.execPath, [path.join(ROOT, "bin/faasight.js"), "worker", "--interval", `${INTERVAL_MS / 1000}s`, "--since", "3h"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: h.url, FAASIGHT_SOURCES_FILE: sourcesFile, FAASIGHT_QUOTA_SCALE: "200", FAASIGHT_LEASE_SECONDS: "10", FAASIGHT_LOG_GROUPS_PER_LEASE: String(PER_LEASE), NODE_ENV: "test" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let buf = "";
  proc.stderr!.on("data", (c: Buffer) => {
    buf += c.toString();
    let i: number;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const m = /^(\S+) lease: (\S+) (claimed|collected) by /.exec(line);
      if (m) lines.push({ at: Date.parse(m[1]!), worker: n, kind: m[3] as Line["kind"], unit: m[2]! });
    }
  });
  procs.push({ proc, exited: new Promise((resolve) => proc.on("exit", (code) => resolve(code))) });
}

async function until(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  sim = await simulateShop({ hours: 1, seed: 9, functions: 12 });
  h = await createPgDatabase();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "faasight-shards-"));
  const sources: SourceConfig[] = [{ name: "big", region: "us-east-1", endpoint: sim.sandbox.url, enabled: true }];
  const file = path.join(dir, "sources.json");
  fs.writeFileSync(file, JSON.stringify(sources));
  const env = parseEnv({ FAASIGHT_QUOTA_SCALE: "200" });
  for (const ctx of await openSources(h.db, env, settingsFromEnv(env), { sources, staticCredentials: true })) ctx.clients.destroy();
  startWorker(1, file);
  startWorker(2, file);
}, 600_000);

afterAll(async () => {
  for (const p of procs) if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill("SIGKILL");
  await Promise.all(procs.map((p) => p.exited));
  await h?.drop();
  await sim?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("log-group shard leases on PostgreSQL", () => {
  it("split a large source's log groups between two workers, each shard polled once per interval, and the store equals the ground truth", async () => {
    const groups = sim.shop.functions.length + sim.shop.apis.reduce((a, x) => a + x.stages.length, 0);
    const n = logShardCount(groups, PER_LEASE);
    expect(n).toBeGreaterThan(1);
    const shardUnits = Array.from({ length: n }, (_, i) => `big#logs:${i}/${n}`);
    // The first cycle polls every group under the source lease (no inventory yet); then the shards,
    // twice (the first round may go to whichever worker is awake; later rounds are contended).
    await until("two collections of every shard", () => shardUnits.every((u) => lines.filter((l) => l.unit === u && l.kind === "collected").length >= 2), 300_000);
    for (const p of procs) p.proc.kill("SIGTERM");
    expect(await Promise.all(procs.map((p) => p.exited))).toEqual([0, 0]);

    for (const u of ["big", ...shardUnits]) {
      const mine = lines.filter((l) => l.unit === u);
      const claims = mine.filter((l) => l.kind === "claimed");
      for (let i = 0; i + 1 < claims.length; i++) {
        const c = claims[i]!;
        const end = mine.find((l) => l.kind === "collected" && l.worker === c.worker && l.at >= c.at)!.at;
        expect(claims[i + 1]!.at).toBeGreaterThanOrEqual(end);
        expect(claims[i + 1]!.at - c.at).toBeGreaterThanOrEqual(INTERVAL_MS - 1_500);
      }
    }
    const byWorker = [1, 2].map((w) => lines.filter((l) => l.kind === "collected" && l.worker === w && l.unit.includes("#")).length);
    console.info(`${groups} log groups in ${n} shards; shard collections per worker: ${byWorker.join(", ")}`);
    expect(byWorker.every((x) => x > 0)).toBe(true);
    expect(await compareWithTruth(h.db, sim.truth)).toEqual([]);
  }, 600_000);
});
