import { getDb } from "@/lib/db";
import { handle, ok } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { parseId, readJsonBody, replayErrorResponse, toReplayInput } from "@/lib/replay/http";
import { planReplay, type ReplayInput } from "@/lib/replay/index";

export const dynamic = "force-dynamic";

/** Dry run: exactly what a replay would send (function, qualifier, invocation type, payload, size check) or why it is refused. Sends nothing. */
export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const id = parseId((await ctx.params).id, "the failed event id");
  if (!id.ok) return id.response;
  const auth = await authorize(req, "failures:replay");
  if (!auth.ok) return auth.response;
  const body = await readJsonBody(req);
  if (!body.ok) return body.response;
  const input = toReplayInput(id.value, body.value);
  if (!input.ok) return input.response;
  return handle(async () => {
    try {
      return ok(await planReplay(getDb().db, auth.principal, { ...input.value, dryRun: true } as ReplayInput));
    } catch (err) {
      return replayErrorResponse(err);
    }
  });
}
