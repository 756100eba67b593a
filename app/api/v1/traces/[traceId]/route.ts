import { getDb } from "@/lib/db";
import { handle, notFound, ok } from "@/lib/api/errors";
import { segment } from "@/lib/api/route";
import { getTrace } from "@/lib/queries/traces/get-trace";
import { prepareWaterfall } from "@/lib/charts/prepare-waterfall";

export const dynamic = "force-dynamic";

/** A trace with its waterfall rows and the invocations that carry it. */
export async function GET(_req: Request, ctx: { params: Promise<{ traceId: string }> }) {
  const traceId = segment((await ctx.params).traceId);
  return handle(async () => {
    const t = await getTrace(getDb().db, traceId);
    if (!t) return notFound(`trace "${traceId}"`);
    const { segmentsJson, ...rest } = t;
    return ok({ ...rest, waterfall: prepareWaterfall(segmentsJson, t.durationMs) });
  });
}
