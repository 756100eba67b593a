import { getDb } from "@/lib/db";
import { handle, ok } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { readJsonBody, replayErrorResponse } from "@/lib/replay/http";
import { bulkReplay, openSourceClients } from "@/lib/replay/index";
import { parseBulkRequest, startBulkJob } from "@/lib/replay/jobs";

export const dynamic = "force-dynamic";

/**
 * Bulk replay of the failed events a filter selects (functionName or queueId, errorType,
 * since/until as ISO date-times, status, limit; action, qualifier, invocationType) at
 * `ratePerSecond`. With dryRun: the plans, at once. Otherwise: 202 with a job to poll at
 * /api/v1/replay/jobs/<id>.
 */
export async function POST(req: Request) {
  const auth = await authorize(req, "failures:replay");
  if (!auth.ok) return auth.response;
  const body = await readJsonBody(req);
  if (!body.ok) return body.response;
  return handle(async () => {
    const { db } = getDb();
    try {
      const { filter, ratePerSecond } = parseBulkRequest(body.value);
      if (filter.dryRun) {
        const aws = await openSourceClients(db);
        try {
          return ok(await bulkReplay(db, aws.clients, auth.principal, filter, { ratePerSecond }));
        } finally {
          aws.destroy();
        }
      }
      const { job } = await startBulkJob(db, () => openSourceClients(db), auth.principal, body.value);
      return Response.json(job, { status: 202, headers: { "cache-control": "no-store", location: `/api/v1/replay/jobs/${job.id}` } });
    } catch (err) {
      return replayErrorResponse(err);
    }
  });
}
