import { getDb } from "@/lib/db";
import { handle, invalidQuery, ok } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { listEvents, listEventsInputSchema } from "@/lib/alerts/manage";
import { zodMessage } from "@/lib/alerts/rules";

export const dynamic = "force-dynamic";

/** Alert history: ?state=open|pending|firing|resolved|all&ruleId=&scope=&limit=&before= */
export async function GET(req: Request) {
  const q = listEventsInputSchema.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!q.success) return invalidQuery(zodMessage(q.error));
  const auth = await authorize(req, "alerts:read");
  if (!auth.ok) return auth.response;
  return handle(async () => ok({ events: await listEvents(getDb().db, q.data) }));
}
