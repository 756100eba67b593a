/**
 * The simulated shop for collector tests: a sandbox started in-process, the shop provisioned
 * through real SDK clients, and a seeded backfill with its ground truth.
 */
import { startSandbox, type Sandbox, type SandboxOptions } from "../../../lib/sandbox/server.ts";
import { createAwsClients, sandboxTarget, type AwsClients } from "../../../lib/aws/clients.ts";
import { buildShop, type Shop } from "../../../lib/simulate/shop.ts";
import { provisionShop } from "../../../lib/simulate/provision.ts";
import { backfill, createRun, type SimulationRun } from "../../../lib/simulate/backfill.ts";
import type { GroundTruth } from "../../../lib/simulate/truth.ts";

export interface SimulatedShop {
  sandbox: Sandbox;
  clients: AwsClients;
  shop: Shop;
  run: SimulationRun;
  truth: GroundTruth;
  start: number;
  end: number;
  close(): Promise<void>;
}

/** Starts a sandbox and backfills `hours` of the shop ending at `end` (a whole minute). */
export async function simulateShop(o: { hours: number; end?: number; seed?: number; functions?: number; rate?: number; sandbox?: SandboxOptions }): Promise<SimulatedShop> {
  const sandbox = await startSandbox({ port: 0, ...o.sandbox });
  const clients = createAwsClients({ ...sandboxTarget(sandbox.url), maxAttempts: 5 });
  const shop = buildShop({ functions: o.functions ?? 12 });
  const end = o.end ?? Math.floor(Date.now() / 60_000) * 60_000;
  const start = end - o.hours * 3_600_000;
  const provisioned = await provisionShop(clients, shop);
  const run = createRun({ clients, shop, seed: o.seed ?? 7, rate: o.rate, start, provisioned });
  await backfill(run, end);
  if (run.writer.errors.size > 0) throw new Error(`simulator writes failed: ${[...run.writer.errors].join("; ")}`);
  const truth = run.truth.toJSON(new Date(end));
  return {
    sandbox,
    clients,
    shop,
    run,
    truth,
    start,
    end,
    async close() {
      clients.destroy();
      await sandbox.close();
    },
  };
}
