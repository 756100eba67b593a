import { getDb } from "@/lib/db";
import { handle, ok } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { parseId } from "@/lib/replay/http";
import { alertsErrorResponse } from "@/lib/alerts/http";
import { testChannel } from "@/lib/alerts/manage";

export const dynamic = "force-dynamic";

/** "Send test": one test notification to the channel; answers the delivery outcome (ok, status, attempts, error). */
export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const id = parseId((await ctx.params).id, "the channel id");
  if (!id.ok) return id.response;
  const auth = await authorize(req, "channels:manage");
  if (!auth.ok) return auth.response;
  return handle(async () => {
    try {
      return ok(await testChannel(getDb().db, { principal: auth.principal }, id.value));
    } catch (err) {
      return alertsErrorResponse(err);
    }
  });
}
