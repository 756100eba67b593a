import type { Db } from "../../db.ts";
import type { TimeRange } from "../../time-range.ts";
import { addTotals, derive, emptyTotals, sumFunctionRollups, totalsBy, type DerivedStats } from "../shared/rollups.ts";

export interface FunctionStatsRow {
  id: number;
  name: string;
  runtime: string | null;
  architecture: string;
  memoryMb: number;
  region: string;
  stats: DerivedStats;
  mbMs: bigint;
}

export interface FleetStats {
  functions: FunctionStatsRow[];
  fleet: DerivedStats;
  fleetMbMs: bigint;
}

/**
 * Every function's figures for a window (the $ALL qualifier), plus the fleet total. Reads
 * the coarsest rows that cover the window exactly (day rows for whole days); pass `now` so a
 * window that ends now reads the live hour/day row instead of its minutes. Without
 * initPercentiles the init-duration percentiles are null (the overview does not show them).
 */
export async function listFunctionStats(db: Db, range: TimeRange, now?: Date, o: { initPercentiles?: boolean } = {}): Promise<FleetStats> {
  const [functions, rows] = await Promise.all([
    db.lambdaFunction.findMany({
      where: { deletedAt: null },
      select: { id: true, name: true, runtime: true, architecture: true, memoryMb: true, source: { select: { region: true } } },
      orderBy: { name: "asc" },
    }),
    sumFunctionRollups(db, {
      by: "function",
      from: range.from,
      to: range.to,
      qualifiers: ["$ALL"],
      withHist: o.initPercentiles === false ? "duration" : true,
      errorsByType: true,
      coarsest: "day",
      openEnd: now !== undefined && range.to.getTime() >= now.getTime(),
    }),
  ]);
  const byFn = totalsBy(rows, (r) => r.functionId);
  const fleetT = emptyTotals();
  for (const t of byFn.values()) addTotals(fleetT, t);
  const out: FunctionStatsRow[] = functions.map((f) => {
    const t = byFn.get(f.id) ?? emptyTotals();
    return { id: f.id, name: f.name, runtime: f.runtime, architecture: f.architecture, memoryMb: f.memoryMb, region: f.source.region, stats: derive(t), mbMs: t.mbMs };
  });
  return { functions: out, fleet: derive(fleetT), fleetMbMs: fleetT.mbMs };
}
