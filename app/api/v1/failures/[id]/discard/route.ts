import { getDb } from "@/lib/db";
import { handle } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { invalidBody } from "@/lib/api/errors";
import { parseId, readJsonBody, replayErrorResponse, replayResultResponse } from "@/lib/replay/http";
import { discardEvent, openSourceClients, type DiscardInput } from "@/lib/replay/index";

export const dynamic = "force-dynamic";

/** Discards a failed event with a reason: `{ reason, deleteMessage? }` (the message is deleted from its queue unless deleteMessage is false). */
export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const id = parseId((await ctx.params).id, "the failed event id");
  if (!id.ok) return id.response;
  const auth = await authorize(req, "failures:replay");
  if (!auth.ok) return auth.response;
  const body = await readJsonBody(req);
  if (!body.ok) return body.response;
  if (!body.value || typeof body.value !== "object" || Array.isArray(body.value)) return invalidBody("the request body must be a JSON object");
  return handle(async () => {
    const { db } = getDb();
    const aws = await openSourceClients(db);
    try {
      return replayResultResponse(await discardEvent(db, aws.clients, auth.principal, { ...(body.value as object), eventId: id.value } as DiscardInput));
    } catch (err) {
      return replayErrorResponse(err);
    } finally {
      aws.destroy();
    }
  });
}
