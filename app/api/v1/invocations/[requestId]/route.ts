import { getDb } from "@/lib/db";
import { handle, notFound, ok } from "@/lib/api/errors";
import { segment } from "@/lib/api/route";
import { getInvocation } from "@/lib/queries/invocations/get-invocation";
import { authorize } from "@/lib/api/guard";

export const dynamic = "force-dynamic";

/** One request id: every attempt, log lines, traces, the gateway request and failed events. */
export async function GET(req: Request, ctx: { params: Promise<{ requestId: string }> }) {
  const auth = await authorize(req, "dashboard:read");
  if (!auth.ok) return auth.response;
  const requestId = segment((await ctx.params).requestId);
  return handle(async () => {
    const inv = await getInvocation(getDb().db, requestId);
    return inv ? ok(inv) : notFound(`invocation "${requestId}"`);
  });
}
