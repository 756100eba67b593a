import type { Db } from "../../db.ts";
import type { TimeRange } from "../../time-range.ts";
import { derive, readFunctionRollups, totalsBy, type DerivedStats } from "../shared/rollups.ts";

/**
 * A function's figures per qualifier over a window. Name the qualifiers ($ALL, versions,
 * aliases): the (functionId, qualifier, bucketStart) index then bounds the time range. With
 * `now`, a window that ends now reads the live hour/day row for its tail.
 */
export async function getQualifierStats(db: Db, functionId: number, range: TimeRange, qualifiers: string[], now?: Date): Promise<Map<string, DerivedStats>> {
  const rows = await readFunctionRollups(db, { from: range.from, to: range.to, functionIds: [functionId], qualifiers, withHist: true, coarsest: "day", openEnd: now !== undefined && range.to.getTime() >= now.getTime() });
  const out = new Map<string, DerivedStats>();
  for (const [q, t] of totalsBy(rows, (r) => r.qualifier)) out.set(q, derive(t));
  return out;
}
