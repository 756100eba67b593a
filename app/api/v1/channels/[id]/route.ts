import { getDb } from "@/lib/db";
import { handle, notFound, ok } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { parseId, readJsonBody } from "@/lib/replay/http";
import { alertsErrorResponse } from "@/lib/alerts/http";
import { deleteChannel, getChannel, updateChannel } from "@/lib/alerts/manage";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** One channel (never with its secret). */
export async function GET(req: Request, ctx: Ctx) {
  const id = parseId((await ctx.params).id, "the channel id");
  if (!id.ok) return id.response;
  const auth = await authorize(req, "alerts:read");
  if (!auth.ok) return auth.response;
  return handle(async () => {
    const ch = await getChannel(getDb().db, id.value);
    return ch ? ok(ch) : notFound(`alert channel ${id.value}`);
  });
}

/** Edits a channel: name, target, enabled (true re-enables and clears failures), secret or rotateSecret (a generated secret is returned once). */
export async function PATCH(req: Request, ctx: Ctx) {
  const id = parseId((await ctx.params).id, "the channel id");
  if (!id.ok) return id.response;
  const auth = await authorize(req, "channels:manage");
  if (!auth.ok) return auth.response;
  const body = await readJsonBody(req);
  if (!body.ok) return body.response;
  return handle(async () => {
    try {
      return ok(await updateChannel(getDb().db, { principal: auth.principal }, id.value, body.value));
    } catch (err) {
      return alertsErrorResponse(err);
    }
  });
}

/** Deletes a channel and its rule routes. */
export async function DELETE(req: Request, ctx: Ctx) {
  const id = parseId((await ctx.params).id, "the channel id");
  if (!id.ok) return id.response;
  const auth = await authorize(req, "channels:manage");
  if (!auth.ok) return auth.response;
  return handle(async () => {
    try {
      await deleteChannel(getDb().db, { principal: auth.principal }, id.value);
      return new Response(null, { status: 204 });
    } catch (err) {
      return alertsErrorResponse(err);
    }
  });
}
