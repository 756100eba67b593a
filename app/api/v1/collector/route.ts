import { getDb } from "@/lib/db";
import { handle, ok } from "@/lib/api/errors";
import { getCollectorStatus } from "@/lib/queries/collector/get-collector-status";
import { authorize } from "@/lib/api/guard";

export const dynamic = "force-dynamic";

/** The latest run of each collector: lag, API calls, throttles, malformed lines. */
export async function GET(req: Request) {
  const auth = await authorize(req, "dashboard:read");
  if (!auth.ok) return auth.response;
  return handle(async () => ok({ collectors: await getCollectorStatus(getDb().db, new Date()) }));
}
