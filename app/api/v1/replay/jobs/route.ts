import { getDb } from "@/lib/db";
import { handle, ok } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { listBulkJobs } from "@/lib/replay/jobs";

export const dynamic = "force-dynamic";

/** The most recent bulk replay jobs, newest first. */
export async function GET(req: Request) {
  const auth = await authorize(req, "failures:read");
  if (!auth.ok) return auth.response;
  return handle(async () => ok({ jobs: await listBulkJobs(getDb().db) }));
}
