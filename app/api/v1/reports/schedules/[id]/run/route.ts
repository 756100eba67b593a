import { getDb } from "@/lib/db";
import { handle, notFound, ok } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { parseId, scheduleErrorResponse } from "@/lib/reports/api";
import { reportClientsFromEnv } from "@/lib/reports/deliver";
import { runReportScheduleNow } from "@/lib/reports/run-due";

export const dynamic = "force-dynamic";

/** Runs a schedule now: builds, stores and delivers its report; answers with the run (reports:manage). */
export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const id = parseId((await ctx.params).id);
  if (id === null) return notFound("report schedule");
  const auth = await authorize(req, "reports:manage");
  if (!auth.ok) return auth.response;
  return handle(async () => {
    const clients = reportClientsFromEnv();
    try {
      const result = await runReportScheduleNow(getDb().db, clients, id, { publicUrl: process.env.FAASIGHT_PUBLIC_URL?.trim() || new URL(req.url).origin });
      return ok(result);
    } catch (err) {
      const r = scheduleErrorResponse(err);
      if (r) return r;
      throw err;
    } finally {
      clients.destroy();
    }
  });
}
