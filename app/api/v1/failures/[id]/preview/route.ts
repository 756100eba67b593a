import { getDb } from "@/lib/db";
import { handle, ok } from "@/lib/api/errors";
import { replayErrorResponse, toReplayInput } from "@/lib/replay/http";
import { planReplay, type ReplayInput } from "@/lib/replay/index";
import { readEventRequest } from "../event-request";

export const dynamic = "force-dynamic";

/** Dry run: exactly what a replay would send (function, qualifier, invocation type, payload, size check) or why it is refused. Sends nothing. */
export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const r = await readEventRequest(req, ctx, toReplayInput);
  if (!r.ok) return r.response;
  return handle(async () => {
    try {
      return ok(await planReplay(getDb().db, r.principal, { ...r.input, dryRun: true } as ReplayInput));
    } catch (err) {
      return replayErrorResponse(err);
    }
  });
}
