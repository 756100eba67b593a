import { getDb } from "@/lib/db";
import { handle, ok } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { listReportSchedules } from "@/lib/reports/schedules";
import { listReportRuns } from "@/lib/reports/runs";

export const dynamic = "force-dynamic";

/** Report schedules and recent runs (one entry per fire, with its stored formats and deliveries). */
export async function GET(req: Request) {
  const auth = await authorize(req, "reports:read");
  if (!auth.ok) return auth.response;
  return handle(async () => {
    const { db } = getDb();
    const [schedules, runs] = await Promise.all([listReportSchedules(db), listReportRuns(db, { limit: 50 })]);
    return ok({ schedules, runs });
  });
}
