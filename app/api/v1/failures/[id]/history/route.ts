import { getDb } from "@/lib/db";
import { handle, ok } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { parseId, replayErrorResponse } from "@/lib/replay/http";
import { getReplayHistory } from "@/lib/replay/index";

export const dynamic = "force-dynamic";

/** The event's replay attempts and audit rows, newest first. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const id = parseId((await ctx.params).id, "the failed event id");
  if (!id.ok) return id.response;
  const auth = await authorize(req, "failures:read");
  if (!auth.ok) return auth.response;
  return handle(async () => {
    try {
      return ok(await getReplayHistory(getDb().db, auth.principal, id.value));
    } catch (err) {
      return replayErrorResponse(err);
    }
  });
}
