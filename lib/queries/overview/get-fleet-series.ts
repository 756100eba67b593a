import type { Db } from "../../db.ts";
import type { TimeRange } from "../../time-range.ts";
import { mergeCached } from "../shared/histogram.ts";
import { bucketOf, emptyTotals, HOUR, type Totals } from "../shared/rollups.ts";

/**
 * Fleet totals per chart bucket (all sources) from the fleet rollups: minute rows for steps
 * under an hour, hour rows otherwise. Counts and the duration histogram (for the p99 line).
 */
export async function getFleetSeries(db: Db, range: TimeRange): Promise<Map<number, Totals>> {
  const where = { bucketStart: { gte: range.from, lt: range.to } };
  const select = { bucketStart: true, invocations: true, errors: true, timeouts: true, throttles: true, coldStarts: true, billedMs: true, mbMs: true, hist: true } as const;
  const rows = range.stepMs < HOUR ? await db.fleetMinuteRollup.findMany({ where, select }) : await db.fleetHourRollup.findMany({ where, select });
  const hists = new Map<number, string[]>();
  const out = new Map<number, Totals>();
  for (const r of rows) {
    const b = bucketOf(r.bucketStart, range.stepMs);
    let t = out.get(b);
    if (!t) out.set(b, (t = emptyTotals()));
    t.invocations += r.invocations;
    t.errors += r.errors;
    t.timeouts += r.timeouts;
    t.throttles += r.throttles;
    t.coldStarts += r.coldStarts;
    t.billedMs += BigInt(r.billedMs);
    t.mbMs += BigInt(r.mbMs);
    if (r.hist) {
      const g = hists.get(b);
      if (g) g.push(r.hist);
      else hists.set(b, [r.hist]);
    }
  }
  for (const [b, texts] of hists) out.get(b)!.hist = mergeCached(texts);
  return out;
}
