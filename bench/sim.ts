/** A simulated shop in an in-process sandbox, for the benchmarks: provisioned through the real SDK, backfilled with a seeded run. */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startSandbox, type Sandbox } from "../lib/sandbox/server.ts";
import { createAwsClients, sandboxTarget, type AwsClients } from "../lib/aws/clients.ts";
import { buildShop, type Shop } from "../lib/simulate/shop.ts";
import { provisionShop, type ProvisionResult } from "../lib/simulate/provision.ts";
import { backfill, createRun, type SimulationRun } from "../lib/simulate/backfill.ts";

export interface BenchShop {
  sandbox: Sandbox;
  clients: AwsClients;
  shop: Shop;
  provisioned: ProvisionResult;
  run: SimulationRun | null;
  start: number;
  end: number;
  close(): Promise<void>;
}

/**
 * Starts a sandbox with a shop of `functions` functions and backfills [end − hours, end)
 * (hours = 0: provisioned but idle). `rate` scales the shop's traffic.
 */
export async function startBenchShop(o: { functions: number; hours: number; end: number; seed?: number; rate?: number; clock?: () => number; log?: (line: string) => void }): Promise<BenchShop> {
  const sandbox = await startSandbox({ port: 0, now: o.clock });
  const clients = createAwsClients({ ...sandboxTarget(sandbox.url), maxAttempts: 5 });
  const shop = buildShop({ functions: o.functions });
  const t0 = Date.now();
  const { provisioned, cached } = await provisionCached(sandbox, clients, shop);
  o.log?.(`  provisioned ${o.functions} functions in ${((Date.now() - t0) / 1000).toFixed(1)} s${cached ? " (from the cached snapshot)" : ""}`);
  const start = o.end - o.hours * 3_600_000;
  let run: SimulationRun | null = null;
  if (o.hours > 0) {
    const t1 = Date.now();
    run = createRun({ clients, shop, seed: o.seed ?? 7, rate: o.rate, start, provisioned, truthMinutes: false });
    await backfill(run, o.end);
    if (run.writer.errors.size > 0) throw new Error(`simulator writes failed: ${[...run.writer.errors].slice(0, 3).join("; ")}`);
    o.log?.(`  backfilled ${o.hours} h of ${o.functions} functions in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  }
  return {
    sandbox,
    clients,
    shop,
    provisioned,
    run,
    start,
    end: o.end,
    async close() {
      clients.destroy();
      await sandbox.close();
    },
  };
}

const CACHE_DIR = path.join(os.tmpdir(), "faasight-bench-cache");

/** A key that changes with the shop and with the sandbox/provisioning code. */
function cacheKey(shop: Shop): string {
  const h = crypto.createHash("sha256").update(JSON.stringify(shop));
  const root = path.join(import.meta.dirname, "..", "lib");
  const files = [path.join(root, "simulate", "provision.ts"), ...fs.readdirSync(path.join(root, "sandbox"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts")).sort().map((f) => path.join(root, "sandbox", f))];
  for (const f of files) h.update(fs.readFileSync(f));
  return h.digest("hex").slice(0, 20);
}

/**
 * Provisions the shop through the SDK, or restores the sandbox state a previous bench run
 * saved after provisioning the same shop with the same code (1,000 functions take minutes).
 */
async function provisionCached(sandbox: Sandbox, clients: AwsClients, shop: Shop): Promise<{ provisioned: ProvisionResult; cached: boolean }> {
  if (shop.functions.length < 100) return { provisioned: await provisionShop(clients, shop), cached: false };
  const file = path.join(CACHE_DIR, `shop-${shop.functions.length}-${cacheKey(shop)}.json`);
  if (fs.existsSync(file)) {
    try {
      const saved = JSON.parse(fs.readFileSync(file, "utf8")) as { services: unknown[]; provisioned: ProvisionResult };
      sandbox.services.forEach((s, i) => {
        if (s.restore && saved.services[i] !== undefined && saved.services[i] !== null) s.restore(saved.services[i]);
      });
      return { provisioned: saved.provisioned, cached: true };
    } catch {
      // An unreadable cache is rebuilt below.
    }
  }
  const provisioned = await provisionShop(clients, shop);
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ services: sandbox.services.map((s) => (s.snapshot ? s.snapshot() : null)), provisioned }));
  fs.renameSync(tmp, file);
  return { provisioned, cached: false };
}
