import { getDb } from "@/lib/db";
import { handle, notFound, ok } from "@/lib/api/errors";
import { segment } from "@/lib/api/route";
import { getTrace } from "@/lib/queries/traces/get-trace";
import { prepareWaterfall } from "@/lib/charts/prepare-waterfall";
import { authorize } from "@/lib/api/guard";

export const dynamic = "force-dynamic";

/** A trace with its waterfall rows and the invocations that carry it. */
export async function GET(req: Request, ctx: { params: Promise<{ traceId: string }> }) {
  const auth = await authorize(req, "dashboard:read");
  if (!auth.ok) return auth.response;
  const traceId = segment((await ctx.params).traceId);
  return handle(async () => {
    const t = await getTrace(getDb().db, traceId);
    if (!t) return notFound(`trace "${traceId}"`);
    const { segmentsJson, ...rest } = t;
    return ok({ ...rest, waterfall: prepareWaterfall(segmentsJson, t.durationMs) });
  });
}
