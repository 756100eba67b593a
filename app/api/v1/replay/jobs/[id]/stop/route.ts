import { getDb } from "@/lib/db";
import { handle, invalidQuery, ok } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { replayErrorResponse } from "@/lib/replay/http";
import { stopBulkJob } from "@/lib/replay/jobs";

export const dynamic = "force-dynamic";

/** Stops a running bulk replay after its current event (held messages are released). */
export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const id = (await ctx.params).id;
  if (!/^[0-9a-f-]{36}$/.test(id)) return invalidQuery(`the job id must be a UUID, got "${id}"`);
  const auth = await authorize(req, "failures:replay");
  if (!auth.ok) return auth.response;
  return handle(async () => {
    try {
      return ok(await stopBulkJob(getDb().db, auth.principal, id));
    } catch (err) {
      return replayErrorResponse(err);
    }
  });
}
