import { getDb } from "@/lib/db";
import { handle, ok } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { readJsonBody } from "@/lib/replay/http";
import { alertsErrorResponse } from "@/lib/alerts/http";
import { createRule, listRules } from "@/lib/alerts/manage";

export const dynamic = "force-dynamic";

/** Every alert rule with its channels and open-event count. */
export async function GET(req: Request) {
  const auth = await authorize(req, "alerts:read");
  if (!auth.ok) return auth.response;
  return handle(async () => ok({ rules: await listRules(getDb().db) }));
}

/** Creates a rule: name, kind, scope, params, threshold, windowMinutes, pendingPeriods, cooldownMinutes, severity, enabled, channelIds. */
export async function POST(req: Request) {
  const auth = await authorize(req, "alerts:manage");
  if (!auth.ok) return auth.response;
  const body = await readJsonBody(req);
  if (!body.ok) return body.response;
  return handle(async () => {
    try {
      return Response.json(await createRule(getDb().db, { principal: auth.principal }, body.value), { status: 201, headers: { "cache-control": "no-store" } });
    } catch (err) {
      return alertsErrorResponse(err);
    }
  });
}
