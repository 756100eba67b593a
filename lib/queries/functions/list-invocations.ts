import { z } from "zod";
import type { Db } from "../../db.ts";
import type { TimeRange } from "../../time-range.ts";
import { enumParam } from "../../time-range.ts";
import { limitParam } from "../../api/query.ts";

export const INVOCATION_STATUS_FILTERS = ["all", "errors", "timeouts", "cold", "throttles"] as const;

/** Filters of the recent-invocations list (URL params). */
export const invocationFiltersSchema = z.object({
  status: enumParam(INVOCATION_STATUS_FILTERS).default("all"),
  version: z.string().max(64, { error: () => "must be at most 64 characters" }).regex(/^(\$LATEST|\d+)$/, { error: () => "must be a version number or $LATEST" }).optional(),
  limit: limitParam(200, 25),
});
export type InvocationFilters = z.infer<typeof invocationFiltersSchema>;

export interface InvocationRow {
  id: number;
  requestId: string;
  attempt: number;
  version: string;
  alias: string | null;
  startedAt: string;
  durationMs: number;
  billedMs: number;
  memoryMb: number;
  maxMemoryUsedMb: number | null;
  initMs: number | null;
  coldStart: boolean;
  status: string;
  errorType: string | null;
  errorMessage: string | null;
  traceId: string | null;
  apiRequestId: string | null;
}

function statusWhere(status: InvocationFilters["status"]) {
  switch (status) {
    case "errors":
      return { status: { in: ["error", "timeout", "oom"] } };
    case "timeouts":
      return { status: "timeout" };
    case "cold":
      return { coldStart: true };
    case "throttles":
      return { status: "throttle" };
    default:
      return {};
  }
}

/** The most recent invocations of a function in the window (raw rows are kept for a bounded period). */
export async function listInvocations(db: Db, functionId: number, range: TimeRange, filters: InvocationFilters): Promise<InvocationRow[]> {
  const rows = await db.invocation.findMany({
    where: { functionId, startedAt: { gte: range.from, lt: range.to }, ...statusWhere(filters.status), ...(filters.version ? { version: filters.version } : {}) },
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    take: filters.limit,
  });
  return rows.map(toInvocationRow);
}

export function toInvocationRow(r: {
  id: number;
  requestId: string;
  attempt: number;
  version: string;
  alias: string | null;
  startedAt: Date;
  durationMs: number;
  billedMs: number;
  memoryMb: number;
  maxMemoryUsedMb: number | null;
  initMs: number | null;
  coldStart: boolean;
  status: string;
  errorType: string | null;
  errorMessage: string | null;
  traceId: string | null;
  apiRequestId: string | null;
}): InvocationRow {
  return {
    id: r.id,
    requestId: r.requestId,
    attempt: r.attempt,
    version: r.version,
    alias: r.alias,
    startedAt: r.startedAt.toISOString(),
    durationMs: r.durationMs,
    billedMs: r.billedMs,
    memoryMb: r.memoryMb,
    maxMemoryUsedMb: r.maxMemoryUsedMb,
    initMs: r.initMs,
    coldStart: r.coldStart,
    status: r.status,
    errorType: r.errorType,
    errorMessage: r.errorMessage,
    traceId: r.traceId,
    apiRequestId: r.apiRequestId,
  };
}
