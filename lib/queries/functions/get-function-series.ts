import type { Db } from "../../db.ts";
import type { TimeRange } from "../../time-range.ts";
import { bucketOf, readFunctionRollups, totalsBy, type Totals } from "../shared/rollups.ts";

/** A function's totals per chart bucket for one qualifier ($ALL, a version or an alias). */
export async function getFunctionSeries(db: Db, functionId: number, qualifier: string, range: TimeRange): Promise<Map<number, Totals>> {
  const rows = await readFunctionRollups(db, { from: range.from, to: range.to, functionIds: [functionId], qualifiers: [qualifier], withHist: true });
  return totalsBy(rows, (r) => bucketOf(r.bucketStart, range.stepMs));
}
