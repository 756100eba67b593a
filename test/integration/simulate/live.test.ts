/** Live mode writes each interval's telemetry as time passes and stops cleanly with everything written. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAwsClients, sandboxTarget, type AwsClients } from "../../../lib/aws/clients.ts";
import { startSandbox, type Sandbox } from "../../../lib/sandbox/server.ts";
import { createRun } from "../../../lib/simulate/backfill.ts";
import { runLive } from "../../../lib/simulate/live.ts";
import { provisionShop } from "../../../lib/simulate/provision.ts";
import { simulatedInvocationRunner } from "../../../lib/simulate/runner.ts";
import { buildShop } from "../../../lib/simulate/shop.ts";
import { reportLines } from "./helpers.ts";

let sandbox: Sandbox;
let clients: AwsClients;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, runInvocation: simulatedInvocationRunner });
  clients = createAwsClients(sandboxTarget(sandbox.url));
});

afterAll(async () => {
  clients?.destroy();
  await sandbox?.close();
});

describe("live mode", () => {
  it("follows the clock tick by tick, then flushes everything on abort", async () => {
    const shop = buildShop({ functions: 6 });
    const provisioned = await provisionShop(clients, shop);
    const start = Math.floor(Date.now() / 60_000) * 60_000 - 20 * 60_000;
    const run = createRun({ clients, shop, seed: 5, start, provisioned });
    // A fake clock: each tick is 2 simulated minutes.
    let now = start;
    const controller = new AbortController();
    const seen: number[] = [];
    await runLive(run, {
      signal: controller.signal,
      intervalMs: 1,
      now: () => (now += 120_000),
      onTick: (t) => {
        seen.push(t);
        if (seen.length === 6) controller.abort();
      },
    });
    await run.writer.close();
    expect(seen).toEqual([1, 2, 3, 4, 5, 6].map((i) => start + i * 120_000));
    expect(Object.fromEntries(run.writer.errors)).toEqual({});
    const truth = run.truth.toJSON(new Date());
    expect(truth.window).toEqual({ start: new Date(start).toISOString(), end: new Date(start + 6 * 120_000).toISOString() });
    let total = 0;
    for (const fn of shop.functions) {
      const expected = truth.functions.find((f) => f.name === fn.name && f.qualifier === "$ALL")?.invocations ?? 0;
      const reports = await reportLines(clients, fn.name, fn.logFormat === "JSON", start - 3600_000, start + 3 * 3600_000);
      expect(reports.length, fn.name).toBe(expected);
      total += expected;
    }
    expect(total).toBeGreaterThan(50);
  }, 120_000);
});
