import { getDb } from "@/lib/db";
import { handle, ok } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { parseRequestQuery } from "@/lib/api/route";
import { failureFiltersSchema, listFailedEvents } from "@/lib/queries/failures/list-failed-events";

export const dynamic = "force-dynamic";

/** DLQ and destination events in the window (default 7d), grouped by function and error. */
export async function GET(req: Request) {
  const q = parseRequestQuery(req, failureFiltersSchema, "7d");
  if (!q.ok) return q.response;
  const auth = await authorize(req, "failures:read");
  if (!auth.ok) return auth.response;
  return handle(async () => ok(await listFailedEvents(getDb().db, q.value.range, q.value.filters)));
}
