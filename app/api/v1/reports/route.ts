import { getDb } from "@/lib/db";
import { handle, ok } from "@/lib/api/errors";
import { listReports } from "@/lib/queries/reports/list-reports";

export const dynamic = "force-dynamic";

/** Report schedules and recent runs. */
export async function GET() {
  return handle(async () => ok(await listReports(getDb().db)));
}
