import type { Db } from "../../db.ts";

export interface TraceDetail {
  traceId: string;
  startedAt: string;
  durationMs: number;
  rootName: string | null;
  functionName: string | null;
  requestId: string | null;
  coldStart: boolean;
  initMs: number | null;
  fault: boolean;
  error: boolean;
  throttle: boolean;
  httpStatus: number | null;
  /** Raw stored segments (prepared by lib/charts/prepare-waterfall). */
  segmentsJson: string;
  /** Invocations that carry this trace id. */
  invocations: Array<{ requestId: string; functionName: string; attempt: number; status: string }>;
}

/** A trace by id with the invocations it belongs to. */
export async function getTrace(db: Db, traceId: string): Promise<TraceDetail | null> {
  const t = await db.trace.findFirst({ where: { traceId } });
  if (!t) return null;
  const invs = await db.invocation.findMany({
    where: { traceId },
    include: { function: { select: { name: true } } },
    orderBy: { attempt: "asc" },
    take: 10,
  });
  let invocations = invs.map((i) => ({ requestId: i.requestId, functionName: i.function.name, attempt: i.attempt, status: i.status }));
  if (invocations.length === 0 && t.requestId) {
    const byReq = await db.invocation.findMany({ where: { requestId: t.requestId }, include: { function: { select: { name: true } } }, take: 10 });
    invocations = byReq.map((i) => ({ requestId: i.requestId, functionName: i.function.name, attempt: i.attempt, status: i.status }));
  }
  return {
    traceId: t.traceId,
    startedAt: t.startedAt.toISOString(),
    durationMs: t.durationMs,
    rootName: t.rootName,
    functionName: t.functionName,
    requestId: t.requestId,
    coldStart: t.coldStart,
    initMs: t.initMs,
    fault: t.fault,
    error: t.error,
    throttle: t.throttle,
    httpStatus: t.httpStatus,
    segmentsJson: t.segmentsJson,
    invocations,
  };
}
