import type { Db } from "../../db.ts";
import { splitWindow } from "../shared/rollups.ts";

export interface StageRollupRow {
  variant: string;
  bucketStart: Date;
  requests: number;
  status4xx: number;
  status5xx: number;
  byStatus: string;
  latencySumMs: number;
  integrationLatencySumMs: number;
  cacheHits: number;
  cacheMisses: number;
  hist: string;
}

/** Stage rollups of a window: whole hours from the hour table, edges from the minute table. */
export async function readStageRollups(db: Db, stageId: number, from: Date, to: Date): Promise<StageRollupRow[]> {
  const { minutes, hours } = splitWindow(from.getTime(), to.getTime(), to.getTime() - from.getTime() > 12 * 3_600_000);
  const select = { variant: true, bucketStart: true, requests: true, status4xx: true, status5xx: true, byStatus: true, latencySumMs: true, integrationLatencySumMs: true, cacheHits: true, cacheMisses: true, hist: true } as const;
  const parts = await Promise.all([
    ...minutes.map(([a, b]) => db.stageMinuteRollup.findMany({ where: { stageId, bucketStart: { gte: new Date(a), lt: new Date(b) } }, select })),
    ...(hours ? [db.stageHourRollup.findMany({ where: { stageId, bucketStart: { gte: new Date(hours[0]), lt: new Date(hours[1]) } }, select })] : []),
  ]);
  return parts.flat();
}
