import type { Db } from "../../db.ts";
import type { TimeRange } from "../../time-range.ts";
import { bucketOf, levelFor, readFunctionRollups, totalsBy, type Totals } from "../shared/rollups.ts";

/** A function's totals per chart bucket for one qualifier ($ALL, a version or an alias). */
export async function getFunctionSeries(db: Db, functionId: number, qualifier: string, range: TimeRange, now?: Date): Promise<Map<number, Totals>> {
  const rows = await readFunctionRollups(db, {
    from: range.from,
    to: range.to,
    functionIds: [functionId],
    qualifiers: [qualifier],
    withHist: true,
    coarsest: levelFor(range.stepMs),
    openEnd: now !== undefined && range.to.getTime() >= now.getTime(),
  });
  return totalsBy(rows, (r) => bucketOf(r.bucketStart, range.stepMs));
}
