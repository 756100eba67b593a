import { getDb } from "@/lib/db";
import { handle, ok } from "@/lib/api/errors";
import { listFailureQueues } from "@/lib/queries/queues/list-failure-queues";
import { authorize } from "@/lib/api/guard";

export const dynamic = "force-dynamic";

/** DLQs and failure destinations with their last measured depth. */
export async function GET(req: Request) {
  const auth = await authorize(req, "failures:read");
  if (!auth.ok) return auth.response;
  return handle(async () => ok({ queues: await listFailureQueues(getDb().db) }));
}
