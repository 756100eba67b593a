import { getDb } from "@/lib/db";
import { handle, ok } from "@/lib/api/errors";
import { listFailureQueues } from "@/lib/queries/queues/list-failure-queues";

export const dynamic = "force-dynamic";

/** DLQs and failure destinations with their last measured depth. */
export async function GET() {
  return handle(async () => ok({ queues: await listFailureQueues(getDb().db) }));
}
