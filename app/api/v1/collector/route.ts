import { getDb } from "@/lib/db";
import { handle, ok } from "@/lib/api/errors";
import { getCollectorStatus } from "@/lib/queries/collector/get-collector-status";

export const dynamic = "force-dynamic";

/** The latest run of each collector: lag, API calls, throttles, malformed lines. */
export async function GET() {
  return handle(async () => ok({ collectors: await getCollectorStatus(getDb().db, new Date()) }));
}
