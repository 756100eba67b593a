import { getDb } from "@/lib/db";
import { handle, notFound, ok } from "@/lib/api/errors";
import { parseRequestQuery, segment } from "@/lib/api/route";
import { invocationFiltersSchema, listInvocations } from "@/lib/queries/functions/list-invocations";
import { listLogLines } from "@/lib/queries/functions/list-log-lines";
import { findFunctionByName } from "@/lib/queries/shared/find-function";
import { authorize } from "@/lib/api/guard";

export const dynamic = "force-dynamic";

/** Recent invocations of a function (filter: status, version, limit), each with its log lines. */
export async function GET(req: Request, ctx: { params: Promise<{ name: string }> }) {
  const auth = await authorize(req, "dashboard:read");
  if (!auth.ok) return auth.response;
  const name = segment((await ctx.params).name);
  const q = parseRequestQuery(req, invocationFiltersSchema);
  if (!q.ok) return q.response;
  return handle(async () => {
    const { db } = getDb();
    const fn = await findFunctionByName(db, name);
    if (!fn) return notFound(`function "${name}"`);
    const rows = await listInvocations(db, fn.id, q.value.range, q.value.filters);
    const logs = await listLogLines(db, fn.id, [...new Set(rows.map((r) => r.requestId))]);
    return ok({ function: name, invocations: rows.map((r) => ({ ...r, logLines: logs.get(r.requestId) ?? [] })) });
  });
}
