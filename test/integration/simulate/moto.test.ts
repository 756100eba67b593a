/**
 * The simulator speaks AWS, not a private dialect: a short backfill into moto (an
 * independent emulator) and the REPORT lines read back match the ground truth.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAwsClients, sandboxTarget, type AwsClients } from "../../../lib/aws/clients.ts";
import { backfill, createRun } from "../../../lib/simulate/backfill.ts";
import { provisionShop } from "../../../lib/simulate/provision.ts";
import { buildShop } from "../../../lib/simulate/shop.ts";
import type { GroundTruth } from "../../../lib/simulate/truth.ts";
import { reportLines } from "./helpers.ts";

const motoAvailable = spawnSync("python3", ["-c", "import moto.server"], { stdio: "ignore" }).status === 0;
if (!motoAvailable) console.warn("moto smoke test skipped: python3 with moto is not installed (pip install 'moto[server]')");

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(url: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const res = await fetch(`${url}/moto-api/reset`, { method: "POST" });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`moto did not start at ${url}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(!motoAvailable)("2-hour backfill into moto", () => {
  let moto: ChildProcess;
  let clients: AwsClients;
  let truth: GroundTruth;
  let start: number;
  let end: number;
  const shop = buildShop();

  beforeAll(async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    moto = spawn("python3", ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
    await waitUntilUp(url, 30_000);
    await fetch(`${url}/moto-api/config`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ lambda: { use_docker: false } }) });
    clients = createAwsClients(sandboxTarget(url));
    end = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;
    start = end - 2 * 3600_000;
    const provisioned = await provisionShop(clients, shop);
    const run = createRun({ clients, shop, seed: 7, start, provisioned });
    await backfill(run, end);
    await run.writer.close();
    expect(Object.fromEntries(run.writer.errors)).toEqual({});
    truth = run.truth.toJSON(new Date());
  }, 180_000);

  afterAll(() => {
    clients?.destroy();
    moto?.kill("SIGTERM");
  });

  it("reads back one REPORT line per invocation for the text-format functions", async () => {
    let total = 0;
    for (const fn of shop.functions.filter((f) => f.logFormat === "Text")) {
      const expected = truth.functions.find((f) => f.name === fn.name && f.qualifier === "$ALL")?.invocations ?? 0;
      const reports = await reportLines(clients, fn.name, false, start - 3600_000, end + 3600_000);
      expect(reports.length, fn.name).toBe(expected);
      total += reports.length;
    }
    expect(total).toBeGreaterThan(500);
  }, 120_000);
});
