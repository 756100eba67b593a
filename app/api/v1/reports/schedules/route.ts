import { getDb } from "@/lib/db";
import { handle, ok } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { readJsonBody, scheduleErrorResponse } from "@/lib/reports/api";
import { createReportSchedule, listReportSchedules } from "@/lib/reports/schedules";

export const dynamic = "force-dynamic";

/** Every report schedule. */
export async function GET(req: Request) {
  const auth = await authorize(req, "reports:read");
  if (!auth.ok) return auth.response;
  return handle(async () => ok({ schedules: await listReportSchedules(getDb().db) }));
}

/** Creates a schedule: { name, cron, timezone?, period?, formats?, channels?, enabled? } (reports:manage). */
export async function POST(req: Request) {
  const auth = await authorize(req, "reports:manage");
  if (!auth.ok) return auth.response;
  const body = await readJsonBody(req);
  if (!body.ok) return body.response;
  return handle(async () => {
    try {
      return Response.json(await createReportSchedule(getDb().db, body.body), { status: 201, headers: { "cache-control": "no-store" } });
    } catch (err) {
      const r = scheduleErrorResponse(err);
      if (r) return r;
      throw err;
    }
  });
}
