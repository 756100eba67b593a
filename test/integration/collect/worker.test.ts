/**
 * `faasight worker` as a process: cycles collect into the store, the alert rules are
 * evaluated after each cycle (a rule on the shop's errors fires), and SIGTERM stops it cleanly.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createSqliteDatabase, type TestDatabase } from "../helpers/databases.ts";
import { simulateShop, type SimulatedShop } from "../helpers/shop.ts";
import { createRule } from "../../../lib/alerts/manage.ts";

const ROOT = path.resolve(import.meta.dirname, "../../..");
let sim: SimulatedShop;
let h: TestDatabase;
let dir: string;

beforeAll(async () => {
  sim = await simulateShop({ hours: 0.5, seed: 5 });
  h = await createSqliteDatabase();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "faasight-worker-"));
  fs.writeFileSync(path.join(dir, "sources.json"), JSON.stringify([{ name: "sandbox", region: "us-east-1", endpoint: sim.sandbox.url, quotaScale: 100 }]));
}, 300_000);

afterAll(async () => {
  await h?.drop();
  await sim?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

it("collects every interval, evaluates alert rules after each cycle, and stops on SIGTERM", async () => {
  // Any function with an error in the last hour (which functions err in a half hour of traffic depends on the time of day).
  const rule = await createRule(h.db, { principal: null }, { name: "any function error", kind: "error_rate", scope: {}, threshold: 0, windowMinutes: 60 });
  const child = spawn(process.execPath, [path.join(ROOT, "bin/faasight.js"), "worker", "--interval", "10s", "--since", "1h"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: h.url, FAASIGHT_SOURCES_FILE: path.join(dir, "sources.json"), NODE_NO_WARNINGS: "1" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const seen = (text: string, count = 1) =>
    new Promise<void>((resolve, reject) => {
      const check = () => stderr.split(text).length - 1 >= count && resolve();
      child.stderr!.on("data", (d) => {
        stderr += d;
        check();
      });
      void exited.then(() => reject(new Error(`worker exited before "${text}" x${count}:\n${stderr}`)));
    });
  try {
    await seen("cycle: ", 2);
    expect(await h.db.invocation.count()).toBeGreaterThan(0);
    const events = await h.db.alertEvent.findMany({ where: { ruleId: rule.id } });
    const firing = events.filter((e) => e.state === "firing").map((e) => e.scopeKey);
    expect(firing.length).toBeGreaterThan(0);
    // Each firing scope is a function whose collected rows hold errors.
    const erring = await h.db.minuteRollup.groupBy({ by: ["functionId"], where: { qualifier: "$ALL", errors: { gt: 0 } }, _sum: { errors: true } });
    const names = (await h.db.lambdaFunction.findMany({ where: { id: { in: erring.map((g) => g.functionId) } }, select: { name: true } })).map((f) => f.name);
    for (const key of firing) expect(names.some((n) => key.endsWith(`:${n}`))).toBe(true);
  } finally {
    child.kill("SIGTERM");
  }
  expect(await exited, stderr).toBe(0);
  expect(stderr).toContain("worker: stopped");
}, 300_000);
