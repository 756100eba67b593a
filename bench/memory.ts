/**
 * Figure 5, worker memory: peak RSS of a child process doing the first collection of a
 * 1,000-function account (inventory, 30 minutes of logs and metrics, traces, failures)
 * into SQLite, beside the same child's footprint after loading the code and opening the store
 * (a collection of the 12-function default shop: the fixed cost).
 */
import { prepareFleet, sharedFleet } from "./fleet.ts";
import { figure, round, type Figure } from "./stats.ts";

/** Runs figure 5. */
export async function benchMemory(o: { quick: boolean; log: (l: string) => void }): Promise<{ figures: Figure[]; details: unknown }> {
  const small = await prepareFleet({ functions: 12, cycles: 1, child: true, log: o.log });
  await small.close();
  const big = await sharedFleet(o);
  const mb = (kb: number | null) => (kb ?? 0) / 1024;
  const peak = mb(big.warmup.vmHwmKb ?? big.warmup.maxRssKb);
  const base = mb(small.warmup.vmHwmKb ?? small.warmup.maxRssKb);
  o.log(`  peak RSS: ${peak.toFixed(0)} MB for 1,000 functions, ${base.toFixed(0)} MB for the default shop`);
  return {
    figures: [
      figure({
        name: "memory.collect1000.peakRssMb",
        value: peak,
        unit: "MB",
        baseline: base,
        baselineName: "the same child collecting the 12-function default shop (fixed cost: Node, tsx, SDK clients, Prisma)",
        goal: { max: 300, text: "peak RSS < 300 MB while collecting 1,000 functions" },
        notes: `VmHWM of a child process (node --import tsx bench/collect-child.ts) running one runCollection over 1,000 functions (inventory + ${round((big.first - big.since) / 60_000)} min of logs/metrics at rate 0.1) in ${round(big.warmup.ms / 1000, 3)} s; ratio = baseline / value`,
      }),
    ],
    details: { fleet1000: big.warmup, defaultShop: small.warmup },
  };
}
