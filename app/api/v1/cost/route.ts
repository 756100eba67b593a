import { getDb } from "@/lib/db";
import { handle } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { parseRequestQuery } from "@/lib/api/route";
import { getCostPage } from "@/lib/queries/cost/get-cost-page";
import { costJson } from "@/lib/queries/cost/cost-json";
import { sortCostRows } from "@/lib/queries/cost/sort-cost-rows";
import { costPageFilters } from "@/lib/queries/cost/cost-filters";

export const dynamic = "force-dynamic";

/** The Cost page as JSON: the window's cost report (rows sorted by `sort`), reconciliation, provisioned concurrency, trend (default 7d). */
export async function GET(req: Request) {
  const q = parseRequestQuery(req, costPageFilters, "7d");
  if (!q.ok) return q.response;
  const auth = await authorize(req, "dashboard:read");
  if (!auth.ok) return auth.response;
  return handle(async () => {
    const page = await getCostPage(getDb().db, q.value.range, q.now, { seriesBy: q.value.filters.by });
    return costJson({ ...page, report: { ...page.report, rows: sortCostRows(page.report.rows, q.value.filters.sort) } });
  });
}
