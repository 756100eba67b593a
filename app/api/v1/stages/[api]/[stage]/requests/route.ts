import { getDb } from "@/lib/db";
import { handle, notFound, ok } from "@/lib/api/errors";
import { parseRequestQuery, segment } from "@/lib/api/route";
import { listStageRequests, stageRequestFiltersSchema } from "@/lib/queries/stages/list-stage-requests";
import { getStage } from "@/lib/queries/stages/get-stage";
import { authorize } from "@/lib/api/guard";

export const dynamic = "force-dynamic";

/** Gateway requests of a stage by status (default 5xx), each with the Lambda invocation behind it. */
export async function GET(req: Request, ctx: { params: Promise<{ api: string; stage: string }> }) {
  const auth = await authorize(req, "dashboard:read");
  if (!auth.ok) return auth.response;
  const p = await ctx.params;
  const api = segment(p.api);
  const stageName = segment(p.stage);
  const q = parseRequestQuery(req, stageRequestFiltersSchema);
  if (!q.ok) return q.response;
  return handle(async () => {
    const { db } = getDb();
    const stage = await getStage(db, api, stageName);
    if (!stage) return notFound(`stage "${api}/${stageName}"`);
    return ok({ api: stage.api, stage: stage.stage, requests: await listStageRequests(db, stage.id, q.value.range, q.value.filters) });
  });
}
