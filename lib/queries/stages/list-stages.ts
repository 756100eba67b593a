import type { Db } from "../../db.ts";
import type { TimeRange } from "../../time-range.ts";

export interface StageListRow {
  api: string;
  apiType: string;
  stage: string;
  cacheEnabled: boolean;
  canaryPercent: number | null;
  requests: number;
  status4xx: number;
  status5xx: number;
}

/** Every API stage with its request and error counts in the window (variant $ALL). */
export async function listStages(db: Db, range: TimeRange): Promise<StageListRow[]> {
  const stages = await db.apiStage.findMany({ where: { deletedAt: null, api: { deletedAt: null } }, include: { api: true }, orderBy: [{ api: { name: "asc" } }, { stageName: "asc" }] });
  const hourFrom = new Date(Math.ceil(range.from.getTime() / 3_600_000) * 3_600_000);
  const hourTo = new Date(Math.floor(range.to.getTime() / 3_600_000) * 3_600_000);
  const long = range.to.getTime() - range.from.getTime() > 12 * 3_600_000 && hourTo > hourFrom;
  const sums = long
    ? await Promise.all([
        db.stageHourRollup.groupBy({ by: ["stageId"], where: { variant: "$ALL", bucketStart: { gte: hourFrom, lt: hourTo } }, _sum: { requests: true, status4xx: true, status5xx: true } }),
        db.stageMinuteRollup.groupBy({ by: ["stageId"], where: { variant: "$ALL", OR: [{ bucketStart: { gte: range.from, lt: hourFrom } }, { bucketStart: { gte: hourTo, lt: range.to } }] }, _sum: { requests: true, status4xx: true, status5xx: true } }),
      ])
    : [await db.stageMinuteRollup.groupBy({ by: ["stageId"], where: { variant: "$ALL", bucketStart: { gte: range.from, lt: range.to } }, _sum: { requests: true, status4xx: true, status5xx: true } })];
  const totals = new Map<number, { requests: number; status4xx: number; status5xx: number }>();
  for (const part of sums)
    for (const g of part) {
      const t = totals.get(g.stageId) ?? { requests: 0, status4xx: 0, status5xx: 0 };
      t.requests += g._sum.requests ?? 0;
      t.status4xx += g._sum.status4xx ?? 0;
      t.status5xx += g._sum.status5xx ?? 0;
      totals.set(g.stageId, t);
    }
  return stages.map((s) => ({
    api: s.api.name,
    apiType: s.api.type,
    stage: s.stageName,
    cacheEnabled: s.cacheEnabled,
    canaryPercent: s.canaryPercent,
    ...(totals.get(s.id) ?? { requests: 0, status4xx: 0, status5xx: 0 }),
  }));
}
