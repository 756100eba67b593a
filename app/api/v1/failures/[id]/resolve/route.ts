import { getDb } from "@/lib/db";
import { handle, ok } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { parseId, readJsonBody, replayErrorResponse } from "@/lib/replay/http";
import { resolveInDoubt, type ResolveInDoubtInput } from "@/lib/replay/index";
import { invalidBody } from "@/lib/api/errors";

export const dynamic = "force-dynamic";

/** Settles a replay cut off mid-call: `{ resolution: "ran" | "did_not_run", reason }` (what the operator found out). */
export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const id = parseId((await ctx.params).id, "the failed event id");
  if (!id.ok) return id.response;
  const auth = await authorize(req, "failures:replay");
  if (!auth.ok) return auth.response;
  const body = await readJsonBody(req);
  if (!body.ok) return body.response;
  if (!body.value || typeof body.value !== "object" || Array.isArray(body.value)) return invalidBody("the request body must be a JSON object");
  return handle(async () => {
    try {
      return ok(await resolveInDoubt(getDb().db, auth.principal, { ...(body.value as object), eventId: id.value } as ResolveInDoubtInput));
    } catch (err) {
      return replayErrorResponse(err);
    }
  });
}
