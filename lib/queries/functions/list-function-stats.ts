import type { Db } from "../../db.ts";
import type { TimeRange } from "../../time-range.ts";
import { bucketOf, derive, readFunctionRollups, totalsBy, totalsOf, type DerivedStats, type Totals } from "../shared/rollups.ts";

export interface FunctionStatsRow {
  id: number;
  name: string;
  runtime: string | null;
  architecture: string;
  memoryMb: number;
  region: string;
  stats: DerivedStats;
  /** Raw totals per chart bucket (counts only; for sparklines). */
  buckets: Map<number, Totals>;
  mbMs: bigint;
}

export interface FleetStats {
  functions: FunctionStatsRow[];
  fleet: DerivedStats;
  fleetBuckets: Map<number, Totals>;
  fleetMbMs: bigint;
}

/** Every function's figures for a window (the $ALL qualifier), plus the fleet total per bucket. */
export async function listFunctionStats(db: Db, range: TimeRange): Promise<FleetStats> {
  const [functions, rows] = await Promise.all([
    db.lambdaFunction.findMany({
      where: { deletedAt: null },
      select: { id: true, name: true, runtime: true, architecture: true, memoryMb: true, source: { select: { region: true } } },
      orderBy: { name: "asc" },
    }),
    readFunctionRollups(db, { from: range.from, to: range.to, qualifiers: ["$ALL"], withHist: true }),
  ]);
  const byFn = new Map<number, typeof rows>();
  for (const r of rows) {
    const g = byFn.get(r.functionId);
    if (g) g.push(r);
    else byFn.set(r.functionId, [r]);
  }
  const out: FunctionStatsRow[] = functions.map((f) => {
    const fnRows = byFn.get(f.id) ?? [];
    const t = totalsOf(fnRows);
    return { id: f.id, name: f.name, runtime: f.runtime, architecture: f.architecture, memoryMb: f.memoryMb, region: f.source.region, stats: derive(t), buckets: totalsBy(fnRows.map((r) => ({ ...r, hist: "", initHist: "" })), (r) => bucketOf(r.bucketStart, range.stepMs)), mbMs: t.mbMs };
  });
  const fleetT = totalsOf(rows);
  return {
    functions: out,
    fleet: derive(fleetT),
    fleetBuckets: totalsBy(rows, (r) => bucketOf(r.bucketStart, range.stepMs)),
    fleetMbMs: fleetT.mbMs,
  };
}
