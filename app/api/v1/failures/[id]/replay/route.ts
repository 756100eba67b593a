import { getDb } from "@/lib/db";
import { handle } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { parseId, readJsonBody, replayErrorResponse, replayResultResponse, toReplayInput } from "@/lib/replay/http";
import { openSourceClients, replayEvent, type ReplayInput } from "@/lib/replay/index";

export const dynamic = "force-dynamic";

/**
 * Replays one failed event: `{ action: "invoke", invocationType: "Event" | "RequestResponse",
 * qualifier? }` re-invokes its function, `{ action: "redrive", destinationQueueArn? }` sends
 * it back to its source queue. The idempotency key (derived, or the caller's) is stored
 * before the AWS call: a repeated request answers "duplicate" and sends nothing.
 */
export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const id = parseId((await ctx.params).id, "the failed event id");
  if (!id.ok) return id.response;
  const auth = await authorize(req, "failures:replay");
  if (!auth.ok) return auth.response;
  const body = await readJsonBody(req);
  if (!body.ok) return body.response;
  const input = toReplayInput(id.value, body.value);
  if (!input.ok) return input.response;
  return handle(async () => {
    const { db } = getDb();
    const aws = await openSourceClients(db);
    try {
      return replayResultResponse(await replayEvent(db, aws.clients, auth.principal, input.value as ReplayInput));
    } catch (err) {
      return replayErrorResponse(err);
    } finally {
      aws.destroy();
    }
  });
}
