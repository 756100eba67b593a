import { z } from "zod";
import type { Db } from "../../db.ts";
import type { TimeRange } from "../../time-range.ts";
import { limitParam } from "../../api/query.ts";

/** Filters of a stage's request list: a status code or class. */
export const stageRequestFiltersSchema = z.object({
  status: z
    .string()
    .regex(/^(4xx|5xx|[1-5]\d\d)$/, { error: () => "must be 4xx, 5xx or a status code such as 502" })
    .default("5xx"),
  variant: z.enum(["all", "base", "canary"], { error: () => "must be one of all, base, canary" }).default("all"),
  limit: limitParam(200, 25),
});
export type StageRequestFilters = z.infer<typeof stageRequestFiltersSchema>;

export interface StageRequestRow {
  requestId: string;
  at: string;
  method: string | null;
  route: string | null;
  status: number;
  latencyMs: number | null;
  integrationLatencyMs: number | null;
  integrationStatus: number | null;
  canary: boolean;
  xrayTraceId: string | null;
  /** The Lambda invocation behind it, when correlated. */
  invocation: { requestId: string; functionName: string; status: string; attempt: number; errorType: string | null; durationMs: number } | null;
}

/** Gateway requests of a stage by status, newest first, each with the invocation behind it. */
export async function listStageRequests(db: Db, stageId: number, range: TimeRange, f: StageRequestFilters): Promise<StageRequestRow[]> {
  const statusWhere = f.status === "5xx" ? { gte: 500, lt: 600 } : f.status === "4xx" ? { gte: 400, lt: 500 } : Number(f.status);
  const rows = await db.apiRequest.findMany({
    where: { stageId, at: { gte: range.from, lt: range.to }, status: statusWhere, ...(f.variant === "all" ? {} : { canary: f.variant === "canary" }) },
    orderBy: [{ at: "desc" }, { id: "desc" }],
    take: f.limit,
  });
  const ids = [...new Set(rows.map((r) => r.integrationRequestId).filter((v): v is string => !!v))];
  const apiIds = rows.map((r) => r.requestId);
  const invs = await db.invocation.findMany({
    where: { OR: [...(ids.length ? [{ requestId: { in: ids } }] : []), { apiRequestId: { in: apiIds } }] },
    include: { function: { select: { name: true } } },
    orderBy: { attempt: "desc" },
  });
  const byReq = new Map<string, (typeof invs)[number]>();
  const byApi = new Map<string, (typeof invs)[number]>();
  for (const i of invs) {
    if (!byReq.has(i.requestId)) byReq.set(i.requestId, i);
    if (i.apiRequestId && !byApi.has(i.apiRequestId)) byApi.set(i.apiRequestId, i);
  }
  return rows.map((r) => {
    const inv = (r.integrationRequestId ? byReq.get(r.integrationRequestId) : undefined) ?? byApi.get(r.requestId);
    return {
      requestId: r.requestId,
      at: r.at.toISOString(),
      method: r.method,
      route: r.route,
      status: r.status,
      latencyMs: r.latencyMs,
      integrationLatencyMs: r.integrationLatencyMs,
      integrationStatus: r.integrationStatus,
      canary: r.canary,
      xrayTraceId: r.xrayTraceId,
      invocation: inv ? { requestId: inv.requestId, functionName: inv.function.name, status: inv.status, attempt: inv.attempt, errorType: inv.errorType, durationMs: inv.durationMs } : null,
    };
  });
}
