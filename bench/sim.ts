/** A simulated shop in an in-process sandbox, for the benchmarks: provisioned through the real SDK, backfilled with a seeded run. */
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
  const provisioned = await provisionShop(clients, shop);
  o.log?.(`  provisioned ${o.functions} functions in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
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
