import { getDb } from "@/lib/db";
import { handle, ok } from "@/lib/api/errors";
import { emptyFilters } from "@/lib/api/query";
import { parseRequestQuery } from "@/lib/api/route";
import { getOverview } from "@/lib/queries/overview/get-overview";
import { authorize } from "@/lib/api/guard";

export const dynamic = "force-dynamic";

/** Fleet health, per-function figures, offenders, alerts, DLQs and collector status. */
export async function GET(req: Request) {
  const auth = await authorize(req, "dashboard:read");
  if (!auth.ok) return auth.response;
  const q = parseRequestQuery(req, emptyFilters);
  if (!q.ok) return q.response;
  return handle(async () => ok(await getOverview(getDb().db, q.value.range, q.now)));
}
