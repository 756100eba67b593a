import { z } from "zod";
import { getDb } from "@/lib/db";
import { handle, ok } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { parseRequestFilters } from "@/lib/api/route";
import { limitParam } from "@/lib/api/query";
import { listAlerts } from "@/lib/queries/alerts/list-alerts";

export const dynamic = "force-dynamic";

const schema = z.object({ state: z.enum(["open", "all"], { error: () => "must be open or all" }).default("all"), limit: limitParam(500, 100) });

/** Alert rules and events. */
export async function GET(req: Request) {
  const q = parseRequestFilters(req, schema);
  if (!q.ok) return q.response;
  const auth = await authorize(req, "alerts:read");
  if (!auth.ok) return auth.response;
  return handle(async () => ok(await listAlerts(getDb().db, { openOnly: q.value.state === "open", limit: q.value.limit })));
}
