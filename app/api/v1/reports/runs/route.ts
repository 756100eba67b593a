import { z } from "zod";
import { getDb } from "@/lib/db";
import { handle, ok } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { limitParam } from "@/lib/api/query";
import { parseRequestFilters } from "@/lib/api/route";
import { listReportRuns } from "@/lib/reports/runs";

export const dynamic = "force-dynamic";

const query = z.object({ limit: limitParam(500, 50), schedule: z.coerce.number({ error: () => "must be a schedule id" }).int().positive({ error: () => "must be a schedule id" }).optional() }).strict();

/** Report run history, newest first (?schedule=<id>&limit=1..500). */
export async function GET(req: Request) {
  const q = parseRequestFilters(req, query);
  if (!q.ok) return q.response;
  const auth = await authorize(req, "reports:read");
  if (!auth.ok) return auth.response;
  return handle(async () => ok({ runs: await listReportRuns(getDb().db, { scheduleId: q.value.schedule, limit: q.value.limit }) }));
}
