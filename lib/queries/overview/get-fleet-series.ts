import type { Db } from "../../db.ts";
import type { TimeRange } from "../../time-range.ts";
import { bucketOf, HOUR, totalsBy, type RollupRow, type Totals } from "../shared/rollups.ts";

/**
 * Fleet totals per chart bucket (all sources) from the fleet rollups: minute rows for steps
 * under an hour, hour rows otherwise. Counts and the duration histogram (for the p99 line).
 */
export async function getFleetSeries(db: Db, range: TimeRange): Promise<Map<number, Totals>> {
  const where = { bucketStart: { gte: range.from, lt: range.to } };
  const select = { bucketStart: true, invocations: true, errors: true, timeouts: true, throttles: true, coldStarts: true, billedMs: true, mbMs: true, hist: true } as const;
  const rows = range.stepMs < HOUR ? await db.fleetMinuteRollup.findMany({ where, select }) : await db.fleetHourRollup.findMany({ where, select });
  // Fleet rows carry a subset of a function row's columns; the rest count as zero.
  const asRollups: RollupRow[] = rows.map((r) => ({ functionId: 0, qualifier: "$ALL", oomKills: 0, durationSumMs: 0, initSumMs: 0, maxMemoryUsedMb: null, malformedLines: 0, errorsByType: "{}", initHist: "", ...r }));
  return totalsBy(asRollups, (r) => bucketOf(r.bucketStart, range.stepMs));
}
