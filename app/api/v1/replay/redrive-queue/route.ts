import { getDb } from "@/lib/db";
import { handle, invalidBody, ok } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { readJsonBody, replayErrorResponse } from "@/lib/replay/http";
import { openSourceClients, redriveQueue, type RedriveQueueInput } from "@/lib/replay/index";

export const dynamic = "force-dynamic";

/**
 * Redrives a whole SQS dead-letter queue to its source queue(s): `{ queueId, destinationQueueArn?,
 * maxPerSecond?, waitSeconds?, dryRun? }` (StartMessageMoveTask where supported, else send-then-delete).
 */
export async function POST(req: Request) {
  const auth = await authorize(req, "failures:replay");
  if (!auth.ok) return auth.response;
  const body = await readJsonBody(req);
  if (!body.ok) return body.response;
  if (!body.value || typeof body.value !== "object" || Array.isArray(body.value)) return invalidBody("the request body must be a JSON object");
  return handle(async () => {
    const { db } = getDb();
    const aws = await openSourceClients(db);
    try {
      const r = await redriveQueue(db, aws.clients, auth.principal, body.value as RedriveQueueInput);
      return r.outcome === "refused" ? Response.json({ error: { code: "conflict", message: r.error ?? "refused" }, result: r }, { status: 409, headers: { "cache-control": "no-store" } }) : ok(r);
    } catch (err) {
      return replayErrorResponse(err);
    } finally {
      aws.destroy();
    }
  });
}
