import { getDb } from "@/lib/db";
import { handle } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { emptyFilters } from "@/lib/api/query";
import { parseRequestQuery } from "@/lib/api/route";
import { getCostPage } from "@/lib/queries/cost/get-cost-page";
import { costJson } from "@/lib/queries/cost/cost-json";

export const dynamic = "force-dynamic";

/** Month-end projection with its range, daily spend and anomalies (days far above their trailing median), default 7d. */
export async function GET(req: Request) {
  const q = parseRequestQuery(req, emptyFilters, "7d");
  if (!q.ok) return q.response;
  const auth = await authorize(req, "dashboard:read");
  if (!auth.ok) return auth.response;
  return handle(async () => {
    const page = await getCostPage(getDb().db, q.value.range, q.now);
    const r = page.report;
    return costJson({ range: page.range, period: r.period, projection: r.projection, daily: r.daily, anomalies: r.anomalies, note: r.notes.daily });
  });
}
