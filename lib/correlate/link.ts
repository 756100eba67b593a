/**
 * Correlation pass, idempotent: invocation <-> API request (access log integration
 * request id, or X-Ray trace id for gateway errors without one), failed event <->
 * invocation (request id) with its attempt count, invocation alias from its trace.
 */
import type { DbProvider } from "../db-url.ts";
import { all, chunks, inList, run, toNum, type Sql, type Store } from "../store/sql.ts";

export interface LinkResult {
  invocationsToRequests: number;
  gatewayErrorsByTrace: number;
  failedEvents: number;
}

/** Links rows of one source seen since `since`; each statement only touches rows whose link changes. */
export async function linkCorrelations(store: Store, sourceId: number, since: Date): Promise<LinkResult> {
  return store.transaction(() => linkBody(store.dialect, sourceId, since));
}

function* linkBody(_dialect: DbProvider, sourceId: number, since: Date): Sql<LinkResult> {
  const out: LinkResult = { invocationsToRequests: 0, gatewayErrorsByTrace: 0, failedEvents: 0 };
  // Lambda proxy integrations log the invocation's request id as the integration request id.
  out.invocationsToRequests = yield* run(
    `UPDATE "Invocation" SET "apiRequestId" = (
        SELECT a."requestId" FROM "ApiRequest" a WHERE a."integrationRequestId" = "Invocation"."requestId" ORDER BY a."at", a."requestId" LIMIT 1)
      WHERE "apiRequestId" IS NULL AND "startedAt" >= ?
        AND "functionId" IN (SELECT "id" FROM "LambdaFunction" WHERE "sourceId" = ?)
        AND EXISTS (SELECT 1 FROM "ApiRequest" a WHERE a."integrationRequestId" = "Invocation"."requestId")`,
    [since, sourceId],
  );
  // A gateway 5xx without an integration request id (e.g. a 504) still shares the X-Ray trace id.
  const orphans = yield* all<{ requestId: string; xrayTraceId: string }>(
    `SELECT a."requestId", a."xrayTraceId" FROM "ApiRequest" a JOIN "ApiStage" s ON s."id" = a."stageId" JOIN "Api" p ON p."id" = s."apiDbId"
      WHERE p."sourceId" = ? AND a."at" >= ? AND a."status" >= 500 AND a."integrationRequestId" IS NULL AND a."xrayTraceId" IS NOT NULL`,
    [sourceId, since],
  );
  for (const o of orphans) {
    out.gatewayErrorsByTrace += yield* run(
      `UPDATE "Invocation" SET "apiRequestId" = ? WHERE "traceId" = ? AND "apiRequestId" IS NULL AND "functionId" IN (SELECT "id" FROM "LambdaFunction" WHERE "sourceId" = ?)`,
      [o.requestId, o.xrayTraceId, sourceId],
    );
  }
  // Failed events: the last attempt's invocation, and how many attempts ran.
  // Messages an event source mapping gave up on: attempts = the source queue's maxReceiveCount.
  const esm = yield* all<Record<string, unknown>>(
    `SELECT fe."id", fe."attempts", src."maxReceiveCount" FROM "FailedEvent" fe JOIN "Queue" q ON q."id" = fe."queueId"
       JOIN "Queue" src ON src."sourceId" = q."sourceId" AND src."redriveTargetArn" = q."arn"
      WHERE q."sourceId" = ? AND fe."sourceKind" = 'esm_dlq' AND fe."lastSeenAt" >= ? AND src."maxReceiveCount" IS NOT NULL`,
    [sourceId, since],
  );
  for (const e of esm) {
    if (e.attempts != null && toNum(e.attempts) === toNum(e.maxReceiveCount)) continue;
    out.failedEvents += yield* run(`UPDATE "FailedEvent" SET "attempts" = ? WHERE "id" = ?`, [toNum(e.maxReceiveCount), toNum(e.id)]);
  }
  const events = yield* all<Record<string, unknown>>(
    `SELECT fe."id", fe."functionId", fe."functionName", fe."requestId", fe."invocationId", fe."attempts", fe."sourceKind"
       FROM "FailedEvent" fe JOIN "Queue" q ON q."id" = fe."queueId"
      WHERE q."sourceId" = ? AND fe."requestId" IS NOT NULL AND fe."lastSeenAt" >= ?`,
    [sourceId, since],
  );
  const fnIds = new Map((yield* all<{ id: unknown; name: string }>(`SELECT "id", "name" FROM "LambdaFunction" WHERE "sourceId" = ?`, [sourceId])).map((r) => [String(r.name), toNum(r.id)]));
  const requestIds = [...new Set(events.map((e) => String(e.requestId)))];
  const invs = new Map<string, Array<{ id: number; functionId: number; endedAt: unknown }>>();
  const allFnIds = [...fnIds.values()];
  for (const part of chunks(requestIds, 500)) {
    if (allFnIds.length === 0) break;
    // Both columns of the (functionId, requestId, endedAt) key, so the lookup uses the index.
    const rows = yield* all<Record<string, unknown>>(
      `SELECT "id", "functionId", "requestId", "endedAt" FROM "Invocation" WHERE ${inList(`"functionId"`, allFnIds)} AND ${inList(`"requestId"`, part)} ORDER BY "endedAt"`,
      [...allFnIds, ...part],
    );
    for (const r of rows) {
      const k = String(r.requestId);
      const l = invs.get(k) ?? [];
      l.push({ id: toNum(r.id), functionId: toNum(r.functionId), endedAt: r.endedAt });
      invs.set(k, l);
    }
  }
  for (const e of events) {
    const fnId = e.functionId != null ? toNum(e.functionId) : e.functionName ? fnIds.get(String(e.functionName)) : undefined;
    const candidates = (invs.get(String(e.requestId)) ?? []).filter((i) => fnId === undefined || i.functionId === fnId);
    if (candidates.length === 0) continue;
    const last = candidates[candidates.length - 1]!;
    // Destination records carry Lambda's own count; DLQ messages get the attempts seen in logs.
    const attempts = e.sourceKind === "destination" && e.attempts != null ? toNum(e.attempts) : candidates.length;
    const functionId = fnId ?? last.functionId;
    if (e.invocationId != null && toNum(e.invocationId) === last.id && e.attempts != null && toNum(e.attempts) === attempts && e.functionId != null && toNum(e.functionId) === functionId) continue;
    out.failedEvents += yield* run(`UPDATE "FailedEvent" SET "invocationId" = ?, "attempts" = ?, "functionId" = ? WHERE "id" = ?`, [last.id, attempts, functionId, toNum(e.id)]);
  }
  return out;
}

/** Sets the alias of invocations whose trace was recorded through an alias (X-Ray resource_arn). */
export function* linkTraceAliases(pairs: Array<{ requestId: string; traceId: string; alias: string }>): Sql<number> {
  let n = 0;
  for (const p of pairs) n += yield* run(`UPDATE "Invocation" SET "alias" = ? WHERE "requestId" = ? AND "traceId" = ? AND ("alias" IS NULL OR "alias" <> ?)`, [p.alias, p.requestId, p.traceId, p.alias]);
  return n;
}
