import { getDb } from "@/lib/db";
import { handle, notFound, ok } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { parseId } from "@/lib/replay/http";
import { getFailedEventDetail } from "@/lib/queries/failures/get-failed-event";

export const dynamic = "force-dynamic";

/** One failed event: payload, attributes, the function's versions/aliases, replay attempts and audit rows. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const id = parseId((await ctx.params).id, "the failed event id");
  if (!id.ok) return id.response;
  const auth = await authorize(req, "failures:read");
  if (!auth.ok) return auth.response;
  return handle(async () => {
    const ev = await getFailedEventDetail(getDb().db, id.value);
    return ev ? ok(ev) : notFound(`failed event ${id.value}`);
  });
}
