import { getDb } from "@/lib/db";
import { handle, invalidQuery, notFound, ok } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { getBulkJob } from "@/lib/replay/jobs";

export const dynamic = "force-dynamic";

/** A bulk replay job's progress: status, total, done, counts per outcome, per-event outcomes. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const id = (await ctx.params).id;
  if (!/^[0-9a-f-]{36}$/.test(id)) return invalidQuery(`the job id must be a UUID, got "${id}"`);
  const auth = await authorize(req, "failures:read");
  if (!auth.ok) return auth.response;
  return handle(async () => {
    const job = await getBulkJob(getDb().db, id);
    return job ? ok(job) : notFound(`replay job ${id}`);
  });
}
