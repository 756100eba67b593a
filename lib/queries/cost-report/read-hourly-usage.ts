/** Hourly $ALL figures per function and stage, for a report's daily series and memory samples. */
import type { Db } from "../../db.ts";
import type { HourlyFunctionUsage, HourlyStageUsage } from "../../reports/model.ts";

/** Hour rows in [from, to) (hours that start inside the window). */
export async function readHourlyUsage(db: Db, window: { from: Date; to: Date }): Promise<{ functions: HourlyFunctionUsage[]; stages: HourlyStageUsage[] }> {
  const where = { bucketStart: { gte: window.from, lt: window.to } };
  const [functions, stages] = await Promise.all([
    db.hourRollup.findMany({
      where: { ...where, qualifier: "$ALL" },
      select: { functionId: true, bucketStart: true, invocations: true, billedMs: true, mbMs: true, maxMemoryUsedMb: true },
      orderBy: [{ bucketStart: "asc" }, { functionId: "asc" }],
    }),
    db.stageHourRollup.findMany({
      where: { ...where, variant: "$ALL" },
      select: { stageId: true, bucketStart: true, requests: true },
      orderBy: [{ bucketStart: "asc" }, { stageId: "asc" }],
    }),
  ]);
  return {
    functions: functions.map((r) => ({ ...r, billedMs: BigInt(r.billedMs), mbMs: BigInt(r.mbMs) })),
    stages,
  };
}
