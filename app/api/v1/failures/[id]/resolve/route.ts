import { getDb } from "@/lib/db";
import { handle, ok } from "@/lib/api/errors";
import { replayErrorResponse } from "@/lib/replay/http";
import { resolveInDoubt, type ResolveInDoubtInput } from "@/lib/replay/index";
import { objectWithEventId, readEventRequest } from "../event-request";

export const dynamic = "force-dynamic";

/** Settles a replay cut off mid-call: `{ resolution: "ran" | "did_not_run", reason }` (what the operator found out). */
export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const r = await readEventRequest(req, ctx, objectWithEventId);
  if (!r.ok) return r.response;
  return handle(async () => {
    try {
      return ok(await resolveInDoubt(getDb().db, r.principal, r.input as ResolveInDoubtInput));
    } catch (err) {
      return replayErrorResponse(err);
    }
  });
}
