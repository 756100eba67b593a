import { getDb } from "@/lib/db";
import { handle, invalidQuery } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { parseRequestFilters } from "@/lib/api/route";
import { getCostReport } from "@/lib/queries/cost-report/get-cost-report";
import { costReportQuery } from "@/lib/queries/cost/cost-filters";
import { parseReportPeriodSpec, ReportPeriodError, resolveReportPeriod, type ReportPeriod } from "@/lib/reports/periods";
import { renderReport } from "@/lib/reports/render";
import { REPORT_CONTENT_TYPES } from "@/lib/reports/model";

export const dynamic = "force-dynamic";

/** A cost report on demand (what `faasight report` prints): ?period=last-7d|…|custom&from&to&timezone&format=json|csv|html. */
export async function GET(req: Request) {
  const q = parseRequestFilters(req, costReportQuery);
  if (!q.ok) return q.response;
  let period: ReportPeriod;
  try {
    const { period: name, from, to, timezone } = q.value;
    period = resolveReportPeriod(parseReportPeriodSpec(name, from, to), { now: q.now, timezone });
  } catch (err) {
    if (err instanceof ReportPeriodError) return invalidQuery(`period: ${err.message}`);
    throw err;
  }
  const auth = await authorize(req, "reports:read");
  if (!auth.ok) return auth.response;
  return handle(async () => {
    const report = await getCostReport(getDb().db, period, { generatedAt: q.now });
    const body = renderReport(report, q.value.format, { reportUrl: new URL("/cost", req.url).toString() });
    return new Response(body, { headers: { "content-type": REPORT_CONTENT_TYPES[q.value.format], "cache-control": "no-store" } });
  });
}
