import type { Db } from "../../db.ts";
import type { TimeRange } from "../../time-range.ts";
import { bucketOf, DAY, HOUR, levelFor, MINUTE, readFunctionRollups, totalsBy, type Totals } from "../shared/rollups.ts";

const SPARK_STEPS = [MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR, 6 * HOUR, DAY];
const SPARK_POINTS = 32;

/** A sparkline's bucket width: at most about 32 points over the window (pure). */
export function sparkStepFor(windowMs: number): number {
  return SPARK_STEPS.find((s) => windowMs / s <= SPARK_POINTS) ?? DAY;
}

/** The window of a sparkline: the range re-bucketed at sparkStepFor (pure). */
export function sparkRange(range: TimeRange): TimeRange {
  const stepMs = sparkStepFor(range.to.getTime() - range.from.getTime());
  return { ...range, stepMs };
}

/** Invocation and error counts per sparkline bucket for the given functions ($ALL, no histograms). */
export async function getSparklines(db: Db, range: TimeRange, functionIds: number[], now: Date): Promise<Map<number, Map<number, Totals>>> {
  const out = new Map<number, Map<number, Totals>>();
  if (functionIds.length === 0) return out;
  const rows = await readFunctionRollups(db, {
    from: range.from,
    to: range.to,
    functionIds,
    qualifiers: ["$ALL"],
    coarsest: levelFor(range.stepMs),
    openEnd: range.to.getTime() >= now.getTime(),
  });
  const byFn = new Map<number, typeof rows>();
  for (const r of rows) {
    const g = byFn.get(r.functionId);
    if (g) g.push(r);
    else byFn.set(r.functionId, [r]);
  }
  for (const [id, fnRows] of byFn) out.set(id, totalsBy(fnRows, (r) => bucketOf(r.bucketStart, range.stepMs)));
  return out;
}
