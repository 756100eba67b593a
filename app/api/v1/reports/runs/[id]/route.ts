import { getDb } from "@/lib/db";
import { handle, notFound, ok } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { parseId } from "@/lib/reports/api";
import { getReportRun } from "@/lib/reports/runs";

export const dynamic = "force-dynamic";

/** One report run: status, period, stored formats (download each at ./download?format=…) and deliveries. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const id = parseId((await ctx.params).id);
  if (id === null) return notFound("report run");
  const auth = await authorize(req, "reports:read");
  if (!auth.ok) return auth.response;
  return handle(async () => {
    const run = await getReportRun(getDb().db, id);
    return run ? ok(run) : notFound(`report run ${id}`);
  });
}
