/**
 * Crash safety: `faasight collect` runs as a child process and is killed with SIGKILL at
 * seeded random moments (at least 20 times, mid-transaction included), then restarted; the
 * final store equals the ground truth, with no duplicate rows, on SQLite and PostgreSQL.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASES, createSqliteDatabase, type TestDatabase } from "../helpers/databases.ts";
import { simulateShop, type SimulatedShop } from "../helpers/shop.ts";
import { compareWithTruth } from "../helpers/truth-compare.ts";
import { createRandom } from "../../../lib/sandbox/random.ts";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const KILLS = 20;
const TARGETS = ["logs", "metrics", "traces", "failures"];

let sim: SimulatedShop;
let dir: string;

beforeAll(async () => {
  sim = await simulateShop({ hours: 2, seed: 23 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "faasight-crash-"));
  // A low quota scale keeps a run busy for seconds, so kills land in every phase.
  fs.writeFileSync(path.join(dir, "sources.json"), JSON.stringify([{ name: "sandbox", region: "us-east-1", endpoint: sim.sandbox.url, quotaScale: 10 }]));
}, 300_000);

afterAll(async () => {
  await sim?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

interface Run {
  child: ChildProcess;
  working: Promise<void>;
  waitFor(text: string): Promise<void>;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function collect(url: string): Run {
  const child = spawn(process.execPath, [path.join(ROOT, "bin/faasight.js"), "collect", "--since", "3h"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, FAASIGHT_SOURCES_FILE: path.join(dir, "sources.json"), NODE_NO_WARNINGS: "1" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  let markWorking: () => void = () => {};
  // The CLI logs "collect: <source> <collector>" as each collector starts (off a TTY).
  const working = new Promise<void>((resolve) => (markWorking = resolve));
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  child.stderr!.on("data", (d) => {
    stderr += d;
    if (stderr.includes("collect: ")) markWorking();
    for (const w of waiters) if (stderr.includes(w.text)) w.resolve();
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on("exit", (code, signal) => {
      markWorking();
      resolve({ code, signal, stderr });
    }),
  );
  const waitFor = (text: string) => new Promise<void>((resolve) => waiters.push({ text, resolve }));
  return { child, working, waitFor, done };
}

describe.each(DATABASES)("collect killed with SIGKILL on $name", ({ name, create }) => {
  let h: TestDatabase;
  beforeAll(async () => {
    h = await create();
  });
  afterAll(async () => {
    await h?.drop();
  });

  it(`survives ${KILLS} kills and ends equal to the ground truth, without duplicates`, async () => {
    const rand = createRandom(name === "sqlite" ? 4242 : 4343);
    let kills = 0;
    let completed = 0;
    // Kill at a random moment of the run's work; runs get shorter as the store fills, so
    // the window follows the length of the last run that finished.
    let workMs = 8000;
    for (let i = 0; kills < KILLS && i < KILLS * 6; i++) {
      const run = collect(h.url);
      const delay = Math.floor(rand() * workMs);
      let timer: NodeJS.Timeout | undefined;
      let workingAt = 0;
      // Every other run is killed just after a given collector starts, so kills land in each of them
      // whatever the machine's speed; the others at a random moment of the run's work.
      const target = i % 2 === 1 ? TARGETS[((i - 1) / 2) % TARGETS.length] : undefined;
      void run.working.then(() => {
        workingAt = Date.now();
        if (!target) timer = setTimeout(() => run.child.kill("SIGKILL"), delay);
      });
      if (target) void run.waitFor(`collect: sandbox ${target}`).then(() => (timer = setTimeout(() => run.child.kill("SIGKILL"), Math.floor(rand() * 200))));
      const r = await run.done;
      clearTimeout(timer);
      if (r.signal === "SIGKILL") kills++;
      else {
        expect(r.code, r.stderr).toBe(0);
        completed++;
        workMs = Math.max(1000, Math.round((Date.now() - workingAt) * 1.2));
      }
    }
    expect(kills).toBe(KILLS);
    // DLQ messages a killed run had just received stay hidden for the capture's visibility timeout (5 s).
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const last = await collect(h.url).done;
    expect(last.code, last.stderr).toBe(0);
    expect(await compareWithTruth(h.db, sim.truth)).toEqual([]);
    // No duplicates beyond what the natural keys already forbid: raw rows equal the truth's counts.
    const fns = await h.db.lambdaFunction.findMany({ select: { id: true, name: true } });
    for (const f of fns) {
      const t = sim.truth.functions.find((r) => r.name === f.name && r.qualifier === "$ALL");
      expect(await h.db.invocation.count({ where: { functionId: f.id } }), f.name).toBe(t?.invocations ?? 0);
    }
    expect(await h.db.apiRequest.count()).toBe(sim.truth.stages.reduce((a, s) => a + s.requests, 0));
    // Hour rollups left pending by a killed run were completed.
    expect(await h.db.collectorCursor.count({ where: { collector: "rollup-dirty" } })).toBe(0);
    // Kills landed inside several collectors (a killed run's CollectorRun stays "running").
    const killedIn = await h.db.collectorRun.groupBy({ by: ["collector"], where: { status: "running" }, _count: true });
    expect(killedIn.length).toBeGreaterThanOrEqual(3);
    void completed;
  }, 900_000);
});

describe("SIGTERM", () => {
  it("lets the current batch commit, then exits cleanly", async () => {
    const h = await createSqliteDatabase();
    try {
      const run = collect(h.url);
      await Promise.race([run.waitFor("collect: sandbox logs"), run.done]);
      run.child.kill("SIGTERM");
      const r = await run.done;
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain("finishing the current batch");
      // Every collector run that started was closed with its counts: nothing left "running".
      expect(await h.db.collectorRun.count({ where: { status: "running" } })).toBe(0);
      expect(await h.db.collectorRun.count({ where: { collector: "logs" } })).toBe(1);
      expect(await h.db.collectorRun.count({ where: { collector: "traces" } })).toBe(0);
    } finally {
      await h.drop();
    }
  }, 300_000);
});
