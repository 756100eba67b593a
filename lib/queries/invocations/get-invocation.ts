import type { Db } from "../../db.ts";
import { toInvocationRow, type InvocationRow } from "../functions/list-invocations.ts";
import type { LogLine } from "../functions/list-log-lines.ts";

export interface InvocationDetail {
  requestId: string;
  functionName: string;
  functionMemoryMb: number;
  timeoutSec: number;
  /** Every attempt with this request id (async retries share it), in order. */
  attempts: InvocationRow[];
  logLines: LogLine[];
  /** Traces of the attempts that have one. */
  traces: Array<{ traceId: string; durationMs: number; fault: boolean; error: boolean; throttle: boolean }>;
  /** The API Gateway request that caused it, if any. */
  apiRequests: Array<{ api: string; stage: string; requestId: string; status: number; at: string; route: string | null; method: string | null; latencyMs: number | null }>;
  /** DLQ / destination events for this request id. */
  failedEvents: Array<{ id: number; queue: string; sourceKind: string; errorCode: string | null; errorMessage: string | null; attempts: number | null; sentAt: string | null }>;
}

/** One request: its attempts, log lines, traces, gateway request and failed events. */
export async function getInvocation(db: Db, requestId: string): Promise<InvocationDetail | null> {
  const rows = await db.invocation.findMany({
    where: { requestId },
    orderBy: [{ attempt: "asc" }, { endedAt: "asc" }],
    include: { function: { select: { name: true, memoryMb: true, timeoutSec: true } } },
  });
  if (rows.length === 0) return null;
  const fn = rows[0]!.function;
  const functionId = rows[0]!.functionId;
  const traceIds = [...new Set(rows.map((r) => r.traceId).filter((t): t is string => !!t))];
  const apiIds = [...new Set(rows.map((r) => r.apiRequestId).filter((t): t is string => !!t))];
  const [logs, traces, apiRequests, failed] = await Promise.all([
    db.logEvent.findMany({ where: { functionId, requestId }, orderBy: [{ timestamp: "asc" }, { id: "asc" }], take: 1000 }),
    traceIds.length ? db.trace.findMany({ where: { traceId: { in: traceIds } } }) : Promise.resolve([]),
    db.apiRequest.findMany({
      where: { OR: [{ integrationRequestId: requestId }, ...(apiIds.length ? [{ requestId: { in: apiIds } }] : [])] },
      include: { stage: { select: { stageName: true, api: { select: { name: true } } } } },
      take: 20,
    }),
    db.failedEvent.findMany({ where: { requestId }, include: { queue: { select: { name: true } } }, take: 20 }),
  ]);
  return {
    requestId,
    functionName: fn.name,
    functionMemoryMb: fn.memoryMb,
    timeoutSec: fn.timeoutSec,
    attempts: rows.map(toInvocationRow),
    logLines: logs.map((l) => ({ requestId: l.requestId, timestamp: l.timestamp.toISOString(), logStream: l.logStream, message: l.message })),
    traces: traces.map((t) => ({ traceId: t.traceId, durationMs: t.durationMs, fault: t.fault, error: t.error, throttle: t.throttle })),
    apiRequests: apiRequests.map((a) => ({ api: a.stage.api.name, stage: a.stage.stageName, requestId: a.requestId, status: a.status, at: a.at.toISOString(), route: a.route, method: a.method, latencyMs: a.latencyMs })),
    failedEvents: failed.map((f) => ({ id: f.id, queue: f.queue.name, sourceKind: f.sourceKind, errorCode: f.errorCode, errorMessage: f.errorMessage, attempts: f.attempts, sentAt: f.sentAt?.toISOString() ?? null })),
  };
}
