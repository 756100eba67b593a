/**
 * Figure 5, worker memory: peak RSS of a child process doing the first collection of a
 * 1,000-function account (inventory, 30 minutes of logs and metrics, traces, failures)
 * into SQLite, beside the same child's footprint after loading the code and opening the store
 * (a collection of the 12-function default shop: the fixed cost).
 */
import { prepareFleet, runChild, sharedFleet, TUNED_RUNTIME } from "./fleet.ts";
import { createScratchDb } from "./scratch.ts";
import { figure, round, type Figure } from "./stats.ts";

/** Runs figure 5. */
export async function benchMemory(o: { quick: boolean; smoke?: boolean; log: (l: string) => void }): Promise<{ figures: Figure[]; details: unknown }> {
  const small = await prepareFleet({ functions: 12, cycles: 1, child: true, log: o.log });
  await small.close();
  const big = await sharedFleet(o);
  const mb = (kb: number | null) => (kb ?? 0) / 1024;
  const peak = mb(big.warmup.vmHwmKb ?? big.warmup.maxRssKb);
  const base = mb(small.warmup.vmHwmKb ?? small.warmup.maxRssKb);
  // The same first collection into a fresh store, with the runtime settings the README recommends for large fleets.
  const db = await createScratchDb("sqlite");
  let tuned;
  const clockWas = big.clock.now;
  big.clock.now = big.first;
  try {
    tuned = await runChild([db.url, big.sim.sandbox.url, String(big.since), String(big.first)], TUNED_RUNTIME);
  } finally {
    big.clock.now = clockWas;
    await db.drop();
  }
  const tunedPeak = mb(tuned.vmHwmKb ?? tuned.maxRssKb);
  o.log(`  peak RSS: ${peak.toFixed(0)} MB for 1,000 functions (${tunedPeak.toFixed(0)} MB with MALLOC_ARENA_MAX=2 --max-old-space-size=256), ${base.toFixed(0)} MB for the default shop`);
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
      figure({
        name: "memory.collect1000.tunedPeakRssMb",
        value: tunedPeak,
        unit: "MB",
        baseline: peak,
        baselineName: "the same collection with Node's default runtime settings",
        goal: { max: 300, text: "peak RSS < 300 MB while collecting 1,000 functions" },
        notes: `the same child and workload in a fresh store, started as the README recommends for large fleets: MALLOC_ARENA_MAX=${TUNED_RUNTIME.env.MALLOC_ARENA_MAX} ${TUNED_RUNTIME.nodeArgs.join(" ")}; ratio = baseline / value`,
      }),
    ],
    details: { fleet1000: big.warmup, fleet1000Tuned: tuned, defaultShop: small.warmup },
  };
}
