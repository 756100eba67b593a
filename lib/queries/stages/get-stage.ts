import type { Db } from "../../db.ts";

export interface StageInfo {
  id: number;
  api: string;
  apiId: string;
  apiType: string;
  stage: string;
  cacheEnabled: boolean;
  cacheSize: string | null;
  canaryPercent: number | null;
  tracingEnabled: boolean;
  throttleRate: number | null;
  throttleBurst: number | null;
  routes: Array<{ routeKey: string; functionName: string | null }>;
}

/** A stage by API name (or API id) and stage name. */
export async function getStage(db: Db, api: string, stage: string): Promise<StageInfo | null> {
  const s = await db.apiStage.findFirst({
    where: { stageName: stage, deletedAt: null, api: { deletedAt: null, OR: [{ name: api }, { apiId: api }] } },
    include: { api: { include: { routes: { orderBy: { routeKey: "asc" } } } } },
  });
  if (!s) return null;
  return {
    id: s.id,
    api: s.api.name,
    apiId: s.api.apiId,
    apiType: s.api.type,
    stage: s.stageName,
    cacheEnabled: s.cacheEnabled,
    cacheSize: s.cacheSize,
    canaryPercent: s.canaryPercent,
    tracingEnabled: s.tracingEnabled,
    throttleRate: s.throttleRate,
    throttleBurst: s.throttleBurst,
    routes: s.api.routes.map((r) => ({ routeKey: r.routeKey, functionName: r.functionName })),
  };
}
