import { getDb } from "@/lib/db";
import { handle } from "@/lib/api/errors";
import { replayErrorResponse, replayResultResponse } from "@/lib/replay/http";
import { discardEvent, openSourceClients, type DiscardInput } from "@/lib/replay/index";
import { objectWithEventId, readEventRequest } from "../event-request";

export const dynamic = "force-dynamic";

/** Discards a failed event with a reason: `{ reason, deleteMessage? }` (the message is deleted from its queue unless deleteMessage is false). */
export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const r = await readEventRequest(req, ctx, objectWithEventId);
  if (!r.ok) return r.response;
  return handle(async () => {
    const { db } = getDb();
    const aws = await openSourceClients(db);
    try {
      return replayResultResponse(await discardEvent(db, aws.clients, r.principal, r.input as DiscardInput));
    } catch (err) {
      return replayErrorResponse(err);
    } finally {
      aws.destroy();
    }
  });
}
