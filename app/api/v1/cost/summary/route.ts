import { getDb } from "@/lib/db";
import { handle, ok } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { emptyFilters } from "@/lib/api/query";
import { parseRequestQuery } from "@/lib/api/route";
import { getCostSummary } from "@/lib/queries/cost/get-cost-summary";

export const dynamic = "force-dynamic";

/** Billed GB-seconds and spend per function and alias, trend and month projection (default 7d). */
export async function GET(req: Request) {
  const q = parseRequestQuery(req, emptyFilters, "7d");
  if (!q.ok) return q.response;
  const auth = await authorize(req, "dashboard:read");
  if (!auth.ok) return auth.response;
  return handle(async () => ok(await getCostSummary(getDb().db, q.value.range, q.now)));
}
