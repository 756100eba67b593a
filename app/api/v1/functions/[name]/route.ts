import { getDb } from "@/lib/db";
import { handle, notFound, ok } from "@/lib/api/errors";
import { parseRequestQuery, segment } from "@/lib/api/route";
import { functionPageFiltersSchema } from "@/lib/queries/functions/function-page-filters";
import { getFunctionView } from "@/lib/queries/functions/get-function-view";
import { authorize } from "@/lib/api/guard";

export const dynamic = "force-dynamic";

/** A function: configuration, insights, figures per qualifier, series, canary verdicts, error groups, recent invocations. */
export async function GET(req: Request, ctx: { params: Promise<{ name: string }> }) {
  const auth = await authorize(req, "dashboard:read");
  if (!auth.ok) return auth.response;
  const name = segment((await ctx.params).name);
  const q = parseRequestQuery(req, functionPageFiltersSchema);
  if (!q.ok) return q.response;
  return handle(async () => {
    const { db, provider } = getDb();
    const v = await getFunctionView(db, name, q.value.range, q.value.filters, provider, q.now);
    if (!v) return notFound(`function "${name}"`);
    return ok({ range: { preset: q.value.range.preset, from: q.value.range.from.toISOString(), to: q.value.range.to.toISOString() }, ...v });
  });
}
