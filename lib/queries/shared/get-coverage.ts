import type { Db } from "../../db.ts";
import type { Coverage } from "../../charts/prepare-time-series.ts";

/**
 * The span the store holds function data for: a missing count inside it is a real zero,
 * outside it a gap. Earliest rollup bucket to the end of the latest one.
 */
export async function getCoverage(db: Db): Promise<Coverage> {
  const [minMinute, maxMinute, minHour, maxHour] = await Promise.all([
    db.minuteRollup.findFirst({ orderBy: { bucketStart: "asc" }, select: { bucketStart: true } }),
    db.minuteRollup.findFirst({ orderBy: { bucketStart: "desc" }, select: { bucketStart: true } }),
    db.hourRollup.findFirst({ orderBy: { bucketStart: "asc" }, select: { bucketStart: true } }),
    db.hourRollup.findFirst({ orderBy: { bucketStart: "desc" }, select: { bucketStart: true } }),
  ]);
  const starts = [minMinute?.bucketStart, minHour?.bucketStart].filter((d): d is Date => !!d).map((d) => d.getTime());
  const ends = [maxMinute ? maxMinute.bucketStart.getTime() + 60_000 : null, maxHour ? maxHour.bucketStart.getTime() + 3_600_000 : null].filter((v): v is number => v !== null);
  // The hour row's end overstates coverage when its hour is still open; prefer the minute edge.
  const to = maxMinute ? maxMinute.bucketStart.getTime() + 60_000 : ends.length ? Math.max(...ends) : null;
  return { from: starts.length ? Math.min(...starts) : null, to };
}
