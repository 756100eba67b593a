import { getDb } from "@/lib/db";
import { handle, notFound, ok } from "@/lib/api/errors";
import { parseRequestQuery, segment } from "@/lib/api/route";
import { stageRequestFiltersSchema } from "@/lib/queries/stages/list-stage-requests";
import { getStageView } from "@/lib/queries/stages/get-stage-view";
import { authorize } from "@/lib/api/guard";

export const dynamic = "force-dynamic";

/** An API stage: status codes with likely causes, latency, cache, canary vs base, failing requests with their invocations. */
export async function GET(req: Request, ctx: { params: Promise<{ api: string; stage: string }> }) {
  const auth = await authorize(req, "dashboard:read");
  if (!auth.ok) return auth.response;
  const p = await ctx.params;
  const api = segment(p.api);
  const stage = segment(p.stage);
  const q = parseRequestQuery(req, stageRequestFiltersSchema);
  if (!q.ok) return q.response;
  return handle(async () => {
    const v = await getStageView(getDb().db, api, stage, q.value.range, q.value.filters);
    if (!v) return notFound(`stage "${api}/${stage}"`);
    return ok({ range: { preset: q.value.range.preset, from: q.value.range.from.toISOString(), to: q.value.range.to.toISOString() }, ...v });
  });
}
