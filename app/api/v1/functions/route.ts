import { getDb } from "@/lib/db";
import { handle, ok } from "@/lib/api/errors";
import { emptyFilters } from "@/lib/api/query";
import { parseRequestQuery } from "@/lib/api/route";
import { listFunctionStats } from "@/lib/queries/functions/list-function-stats";
import { authorize } from "@/lib/api/guard";

export const dynamic = "force-dynamic";

/** Every function with its figures for the window. */
export async function GET(req: Request) {
  const auth = await authorize(req, "dashboard:read");
  if (!auth.ok) return auth.response;
  const q = parseRequestQuery(req, emptyFilters);
  if (!q.ok) return q.response;
  return handle(async () => {
    const s = await listFunctionStats(getDb().db, q.value.range, q.now);
    return ok({
      range: { preset: q.value.range.preset, from: q.value.range.from.toISOString(), to: q.value.range.to.toISOString() },
      fleet: s.fleet,
      functions: s.functions.map((f) => ({ name: f.name, runtime: f.runtime, architecture: f.architecture, memoryMb: f.memoryMb, region: f.region, ...f.stats })),
    });
  });
}
