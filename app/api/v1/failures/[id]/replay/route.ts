import { getDb } from "@/lib/db";
import { handle } from "@/lib/api/errors";
import { replayErrorResponse, replayResultResponse, toReplayInput } from "@/lib/replay/http";
import { openSourceClients, replayEvent, type ReplayInput } from "@/lib/replay/index";
import { readEventRequest } from "../event-request";

export const dynamic = "force-dynamic";

/**
 * Replays one failed event: `{ action: "invoke", invocationType: "Event" | "RequestResponse",
 * qualifier? }` re-invokes its function, `{ action: "redrive", destinationQueueArn? }` sends
 * it back to its source queue. The idempotency key (derived, or the caller's) is stored
 * before the AWS call: a repeated request answers "duplicate" and sends nothing.
 */
export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const r = await readEventRequest(req, ctx, toReplayInput);
  if (!r.ok) return r.response;
  return handle(async () => {
    const { db } = getDb();
    const aws = await openSourceClients(db);
    try {
      return replayResultResponse(await replayEvent(db, aws.clients, r.principal, r.input as ReplayInput));
    } catch (err) {
      return replayErrorResponse(err);
    } finally {
      aws.destroy();
    }
  });
}
