import { getDb } from "@/lib/db";
import { handle, notFound, ok } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { parseId, readJsonBody } from "@/lib/replay/http";
import { alertsErrorResponse } from "@/lib/alerts/http";
import { deleteRule, getRule, listEvents, updateRule } from "@/lib/alerts/manage";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** One rule with its recent history (events, newest first). */
export async function GET(req: Request, ctx: Ctx) {
  const id = parseId((await ctx.params).id, "the rule id");
  if (!id.ok) return id.response;
  const auth = await authorize(req, "alerts:read");
  if (!auth.ok) return auth.response;
  return handle(async () => {
    const { db } = getDb();
    const rule = await getRule(db, id.value);
    if (!rule) return notFound(`alert rule ${id.value}`);
    return ok({ ...rule, history: await listEvents(db, { ruleId: id.value, limit: 50 }) });
  });
}

/** Edits a rule (any subset of the create fields except kind); `{ enabled: false }` disables it. */
export async function PATCH(req: Request, ctx: Ctx) {
  const id = parseId((await ctx.params).id, "the rule id");
  if (!id.ok) return id.response;
  const auth = await authorize(req, "alerts:manage");
  if (!auth.ok) return auth.response;
  const body = await readJsonBody(req);
  if (!body.ok) return body.response;
  return handle(async () => {
    try {
      return ok(await updateRule(getDb().db, { principal: auth.principal }, id.value, body.value));
    } catch (err) {
      return alertsErrorResponse(err);
    }
  });
}

/** Deletes a rule and its history. */
export async function DELETE(req: Request, ctx: Ctx) {
  const id = parseId((await ctx.params).id, "the rule id");
  if (!id.ok) return id.response;
  const auth = await authorize(req, "alerts:manage");
  if (!auth.ok) return auth.response;
  return handle(async () => {
    try {
      await deleteRule(getDb().db, { principal: auth.principal }, id.value);
      return new Response(null, { status: 204 });
    } catch (err) {
      return alertsErrorResponse(err);
    }
  });
}
