import type { Db } from "../../db.ts";

export interface QueueRow {
  name: string;
  role: string;
  depth: number;
  depthInFlight: number;
  oldestAgeSec: number | null;
  depthAt: string | null;
}

/** DLQs and on-failure destination queues with their last measured depth. */
export async function listFailureQueues(db: Db): Promise<QueueRow[]> {
  const qs = await db.queue.findMany({ where: { deletedAt: null, role: { in: ["dlq", "destination"] } }, orderBy: [{ depth: "desc" }, { name: "asc" }] });
  return qs.map((q) => ({ name: q.name, role: q.role, depth: q.depth, depthInFlight: q.depthInFlight, oldestAgeSec: q.oldestAgeSec, depthAt: q.depthAt?.toISOString() ?? null }));
}
