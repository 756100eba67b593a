import { getDb } from "@/lib/db";
import { handle, ok } from "@/lib/api/errors";
import { emptyFilters } from "@/lib/api/query";
import { parseRequestQuery } from "@/lib/api/route";
import { listStages } from "@/lib/queries/stages/list-stages";
import { authorize } from "@/lib/api/guard";

export const dynamic = "force-dynamic";

/** Every API stage with requests, 4xx and 5xx in the window. */
export async function GET(req: Request) {
  const auth = await authorize(req, "dashboard:read");
  if (!auth.ok) return auth.response;
  const q = parseRequestQuery(req, emptyFilters);
  if (!q.ok) return q.response;
  return handle(async () => ok({ stages: await listStages(getDb().db, q.value.range) }));
}
