/** API Gateway requests per stage over a window, for cost reports. */
import type { Db } from "../../db.ts";
import type { StageUsage } from "../../reports/model.ts";
import { splitRollupWindow } from "./window.ts";

/** Requests per stage (all variants) in [from, to): hour rows for whole hours, minute rows at the edges. */
export async function readStageUsage(db: Db, window: { from: Date; to: Date }): Promise<StageUsage[]> {
  const parts = splitRollupWindow(window.from, window.to);
  const where = (range: { from: Date; to: Date }) => ({ variant: "$ALL", bucketStart: { gte: range.from, lt: range.to } });
  const results = await Promise.all([
    ...(parts.hours ? [db.stageHourRollup.groupBy({ by: ["stageId"], where: where(parts.hours), _sum: { requests: true } })] : []),
    ...parts.minutes.map((m) => db.stageMinuteRollup.groupBy({ by: ["stageId"], where: where(m), _sum: { requests: true } })),
  ]);
  const out = new Map<number, number>();
  for (const groups of results) for (const g of groups) out.set(g.stageId, (out.get(g.stageId) ?? 0) + Number(g._sum.requests ?? 0));
  return [...out].sort(([a], [b]) => a - b).map(([stageId, requests]) => ({ stageId, requests }));
}
