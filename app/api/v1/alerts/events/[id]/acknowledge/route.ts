import { getDb } from "@/lib/db";
import { handle, ok } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { parseId } from "@/lib/replay/http";
import { alertsErrorResponse } from "@/lib/alerts/http";
import { acknowledgeEvent } from "@/lib/alerts/manage";

export const dynamic = "force-dynamic";

/** Acknowledges an open (pending or firing) alert: no reminders until it resolves. */
export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const id = parseId((await ctx.params).id, "the alert event id");
  if (!id.ok) return id.response;
  const auth = await authorize(req, "alerts:acknowledge");
  if (!auth.ok) return auth.response;
  return handle(async () => {
    try {
      return ok(await acknowledgeEvent(getDb().db, { principal: auth.principal }, id.value));
    } catch (err) {
      return alertsErrorResponse(err);
    }
  });
}
