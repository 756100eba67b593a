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
  const rule = await createRule(h.db, { principal: null }, { name: "any checkout error", kind: "error_rate", scope: { functions: ["checkout"] }, threshold: 0, windowMinutes: 60 });
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
    expect(events.map((e) => [e.scopeKey, e.state])).toContainEqual([expect.stringContaining("checkout"), "firing"]);
  } finally {
    child.kill("SIGTERM");
  }
  expect(await exited, stderr).toBe(0);
  expect(stderr).toContain("worker: stopped");
}, 300_000);
