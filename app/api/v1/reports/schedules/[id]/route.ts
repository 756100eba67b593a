import { getDb } from "@/lib/db";
import { handle, notFound, ok } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { parseId, readJsonBody, scheduleErrorResponse } from "@/lib/reports/api";
import { deleteReportSchedule, getReportSchedule, updateReportSchedule } from "@/lib/reports/schedules";
import { listReportRuns } from "@/lib/reports/runs";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

async function guarded(fn: () => Promise<Response>): Promise<Response> {
  return handle(async () => {
    try {
      return await fn();
    } catch (err) {
      const r = scheduleErrorResponse(err);
      if (r) return r;
      throw err;
    }
  });
}

/** A schedule and its recent runs. */
export async function GET(req: Request, ctx: Ctx) {
  const id = parseId((await ctx.params).id);
  if (id === null) return notFound("report schedule");
  const auth = await authorize(req, "reports:read");
  if (!auth.ok) return auth.response;
  return guarded(async () => {
    const { db } = getDb();
    return ok({ schedule: await getReportSchedule(db, id), runs: await listReportRuns(db, { scheduleId: id, limit: 50 }) });
  });
}

/** Changes any subset of a schedule's fields (reports:manage). */
export async function PATCH(req: Request, ctx: Ctx) {
  const id = parseId((await ctx.params).id);
  if (id === null) return notFound("report schedule");
  const auth = await authorize(req, "reports:manage");
  if (!auth.ok) return auth.response;
  const body = await readJsonBody(req);
  if (!body.ok) return body.response;
  return guarded(async () => ok(await updateReportSchedule(getDb().db, id, body.body)));
}

/** Deletes a schedule; its runs stay (reports:manage). */
export async function DELETE(req: Request, ctx: Ctx) {
  const id = parseId((await ctx.params).id);
  if (id === null) return notFound("report schedule");
  const auth = await authorize(req, "reports:manage");
  if (!auth.ok) return auth.response;
  return guarded(async () => ok(await deleteReportSchedule(getDb().db, id)));
}
