/**
 * Several workers on PostgreSQL: three `faasight worker` processes share three sources (three
 * accounts reached by AssumeRole over one simulated shop) through source leases. Each source
 * is collected by one worker at a time and at most once per interval; every source's store
 * equals the ground truth with no duplicates; SIGKILL of a lease holder hands its source to
 * another worker by the lease's expiry.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPgDatabase, type TestDatabase } from "../helpers/databases.ts";
import { simulateShop, type SimulatedShop } from "../helpers/shop.ts";
import { openSources, settingsFromEnv } from "../../../lib/worker/collect.ts";
import { parseEnv } from "../../../lib/env.ts";
import { getSummary } from "../../../lib/queries/summary/get-summary.ts";
import type { SourceConfig } from "../../../lib/worker/sources.ts";

const INTERVAL_MS = 10_000;
const LEASE_S = 10;
const ACCOUNTS = ["111111111111", "222222222222", "333333333333"];
const ROOT = path.resolve(import.meta.dirname, "../../..");

interface Line {
  at: number;
  worker: number;
  kind: "claimed" | "collected";
  source: string;
}
interface Worker {
  n: number;
  proc: ChildProcess;
  exited: Promise<number | null>;
}

let sim: SimulatedShop;
let h: TestDatabase;
let dir: string;
const sourceIds = new Map<string, number>();
const lines: Line[] = [];
const workers: Worker[] = [];

function startWorker(n: number, sourcesFile: string): Worker {
  const proc = spawn(process.execPath, [path.join(ROOT, "bin/faasight.js"), "worker", "--interval", `${INTERVAL_MS / 1000}s`, "--since", "3h"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: h.url, FAASIGHT_SOURCES_FILE: sourcesFile, FAASIGHT_QUOTA_SCALE: "200", FAASIGHT_LEASE_SECONDS: String(LEASE_S), NODE_ENV: "test" },
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
      if (m) lines.push({ at: Date.parse(m[1]!), worker: n, kind: m[3] as Line["kind"], source: m[2]! });
    }
  });
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  return { n, proc, exited };
}

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  while (!(await ok())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return Date.now();
}

/** Differences between one source's rows and the truth (log-derived figures, stages, raw log lines). */
async function compareSource(sourceId: number): Promise<string[]> {
  const out: string[] = [];
  const s = await getSummary(h.db, { from: new Date(sim.start - 3_600_000), to: new Date(sim.end + 3_600_000), sourceId });
  for (const t of sim.truth.functions.filter((f) => f.qualifier === "$ALL")) {
    const f = s.functions.find((x) => x.name === t.name && x.qualifier === "$ALL");
    const got = f ? { invocations: f.invocations, errors: f.errors, timeouts: f.timeouts, coldStarts: f.coldStarts, billedMs: f.billedMs } : null;
    const want = { invocations: t.invocations, errors: t.errors, timeouts: t.timeouts, coldStarts: t.coldStarts, billedMs: t.billedMs };
    if (t.invocations > 0 && JSON.stringify(got) !== JSON.stringify(want)) out.push(`${sourceId} ${t.name}: store ${JSON.stringify(got)} truth ${JSON.stringify(want)}`);
    const lines = await h.db.logEvent.count({ where: { function: { sourceId, name: t.name } } });
    if (lines !== t.logLines) out.push(`${sourceId} ${t.name}: ${lines} log events, truth ${t.logLines}`);
  }
  for (const t of sim.truth.stages) {
    const x = s.stages.find((y) => y.api === t.api && y.stage === t.stage);
    if (!x || x.requests !== t.requests || x.status5xx !== t.status5xx) out.push(`${sourceId} stage ${t.api}/${t.stage}: store ${x?.requests}/${x?.status5xx} truth ${t.requests}/${t.status5xx}`);
  }
  return out;
}

beforeAll(async () => {
  sim = await simulateShop({ hours: 1, seed: 5, functions: 6 });
  h = await createPgDatabase();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "faasight-workers-"));
  const sources: SourceConfig[] = ACCOUNTS.map((a, i) => ({ name: `acct-${i + 1}`, region: "us-east-1", endpoint: sim.sandbox.url, roleArn: `arn:aws:iam::${a}:role/faasight`, enabled: true }));
  const file = path.join(dir, "sources.json");
  fs.writeFileSync(file, JSON.stringify(sources));
  // Source rows first (the workers' start-up upserts then only update them).
  const env = parseEnv({ FAASIGHT_QUOTA_SCALE: "200" });
  for (const ctx of await openSources(h.db, env, settingsFromEnv(env), { sources, staticCredentials: true })) {
    sourceIds.set(ctx.config.name, ctx.id);
    ctx.clients.destroy();
  }
  for (let n = 1; n <= 3; n++) workers.push(startWorker(n, file));
}, 600_000);

afterAll(async () => {
  for (const w of workers) if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill("SIGKILL");
  await Promise.all(workers.map((w) => w.exited));
  await h?.drop();
  await sim?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("three workers on PostgreSQL", () => {
  it("share the sources, take over a killed worker's lease by its expiry, and collect each source once per interval", async () => {
    const names = [...sourceIds.keys()];
    await until("every source's first collection", () => names.every((s) => lines.some((l) => l.source === s && l.kind === "collected")), 300_000);
    for (const id of sourceIds.values()) expect(await compareSource(id)).toEqual([]);

    // Kill (SIGKILL: no clean-up) the worker that claimed a source most recently.
    const victimLine = [...lines].reverse().find((l) => l.kind === "claimed")!;
    const victim = workers.find((w) => w.n === victimLine.worker)!;
    const sourceId = sourceIds.get(victimLine.source)!;
    victim.proc.kill("SIGKILL");
    await victim.exited;
    const killedAt = Date.now();
    const lease = await h.db.source.findUniqueOrThrow({ where: { id: sourceId } });
    expect(lease.leaseOwner).toMatch(new RegExp(`:${victim.proc.pid}:`));
    const expiresAt = lease.leaseExpiresAt!.getTime();
    expect(expiresAt - killedAt).toBeLessThanOrEqual(Math.max(INTERVAL_MS, LEASE_S * 1000) + 1_000);
    const takenAt = await until(
      "another worker to take the killed worker's source",
      () => lines.some((l) => l.source === victimLine.source && l.kind === "claimed" && l.worker !== victim.n && l.at >= killedAt),
      120_000,
    );
    const taken = lines.find((l) => l.source === victimLine.source && l.kind === "claimed" && l.worker !== victim.n && l.at >= killedAt)!;
    // Within one expiry: claimed once the lease lapsed (a worker wakes at the earliest expiry), with scheduling slack.
    expect(taken.at).toBeGreaterThanOrEqual(expiresAt - 50);
    expect(taken.at - expiresAt).toBeLessThan(8_000);
    expect(takenAt - killedAt).toBeLessThan(Math.max(INTERVAL_MS, LEASE_S * 1000) + 8_000);
    console.info(`lease takeover: ${victimLine.source} claimed by worker ${taken.worker} ${taken.at - killedAt} ms after the kill, ${taken.at - expiresAt} ms after the lease expiry`);
    await until("the taken-over source's collection", () => lines.some((l) => l.source === victimLine.source && l.kind === "collected" && l.worker === taken.worker && l.at >= taken.at), 120_000);

    // Stop the others cleanly.
    for (const w of workers) if (w !== victim) w.proc.kill("SIGTERM");
    expect(await Promise.all(workers.filter((w) => w !== victim).map((w) => w.exited))).toEqual([0, 0]);

    // One worker at a time per source, and at most once per interval.
    for (const s of names) {
      const mine = lines.filter((l) => l.source === s);
      const claims = mine.filter((l) => l.kind === "claimed");
      expect(claims.length).toBeGreaterThan(0);
      for (let i = 0; i < claims.length; i++) {
        const c = claims[i]!;
        const end = mine.find((l) => l.kind === "collected" && l.worker === c.worker && l.at >= c.at)?.at ?? (c.worker === victim.n ? killedAt : Infinity);
        const next = claims[i + 1];
        if (!next) continue;
        expect(next.at).toBeGreaterThanOrEqual(end);
        expect(next.at - c.at).toBeGreaterThanOrEqual(INTERVAL_MS - 1_500);
      }
    }
    const perWorker = [1, 2, 3].map((n) => lines.filter((l) => l.kind === "collected" && l.worker === n).length);
    console.info(`collections per worker: ${perWorker.join(", ")}`);
    expect(perWorker.filter((x) => x > 0).length).toBeGreaterThan(1);
    for (const id of sourceIds.values()) expect(await compareSource(id)).toEqual([]);
  }, 900_000);
});
