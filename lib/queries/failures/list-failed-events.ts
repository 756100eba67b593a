import { z } from "zod";
import type { Db } from "../../db.ts";
import type { TimeRange } from "../../time-range.ts";
import { limitParam, nameParam } from "../../api/query.ts";
import { readJson } from "../shared/json.ts";

/** Filters of the failures list. */
export const failureFiltersSchema = z.object({
  queue: nameParam.optional(),
  function: nameParam.optional(),
  errorCode: z.string().max(200, { error: () => "must be at most 200 characters" }).optional(),
  limit: limitParam(500, 25),
});
export type FailureFilters = z.infer<typeof failureFiltersSchema>;

export interface FailedEventRow {
  id: number;
  queue: string;
  messageId: string;
  sourceKind: string;
  functionName: string | null;
  qualifier: string | null;
  requestId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  condition: string | null;
  attempts: number | null;
  payload: string;
  attributes: Record<string, string>;
  receiveCount: number;
  sentAt: string | null;
  firstSeenAt: string;
  status: string;
}

export interface FailureGroup {
  functionName: string | null;
  errorCode: string | null;
  count: number;
  lastSentAt: string | null;
  queues: string[];
}

const attributesSchema = z.record(z.string(), z.unknown()).transform((o) => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) {
    if (typeof v === "string" || typeof v === "number") out[k] = String(v);
    else if (v && typeof v === "object" && "StringValue" in v) out[k] = String((v as { StringValue: unknown }).StringValue);
    else if (v && typeof v === "object" && "stringValue" in v) out[k] = String((v as { stringValue: unknown }).stringValue);
    else out[k] = JSON.stringify(v);
  }
  return out;
});

/** DLQ and destination events sent in the window (or first seen in it when sent is unknown). */
export async function listFailedEvents(db: Db, range: TimeRange, f: FailureFilters): Promise<{ events: FailedEventRow[]; groups: FailureGroup[]; total: number }> {
  const where = {
    OR: [{ sentAt: { gte: range.from, lt: range.to } }, { sentAt: null, firstSeenAt: { gte: range.from, lt: range.to } }],
    ...(f.queue ? { queue: { name: f.queue } } : {}),
    ...(f.function ? { functionName: f.function } : {}),
    ...(f.errorCode ? { errorCode: f.errorCode } : {}),
  };
  const [rows, total, grouped] = await Promise.all([
    db.failedEvent.findMany({ where, include: { queue: { select: { name: true } } }, orderBy: [{ sentAt: "desc" }, { id: "desc" }], take: f.limit }),
    db.failedEvent.count({ where }),
    db.failedEvent.groupBy({ by: ["functionName", "errorCode", "queueId"], where, _count: { _all: true }, _max: { sentAt: true } }),
  ]);
  const queues = await db.queue.findMany({ where: { id: { in: [...new Set(grouped.map((g) => g.queueId))] } }, select: { id: true, name: true } });
  const qName = new Map(queues.map((q) => [q.id, q.name]));
  const groups = new Map<string, FailureGroup>();
  for (const g of grouped) {
    const k = `${g.functionName ?? ""}\u0000${g.errorCode ?? ""}`;
    const cur = groups.get(k) ?? { functionName: g.functionName, errorCode: g.errorCode, count: 0, lastSentAt: null, queues: [] };
    cur.count += g._count._all;
    const last = g._max.sentAt?.toISOString() ?? null;
    if (last && (!cur.lastSentAt || last > cur.lastSentAt)) cur.lastSentAt = last;
    const qn = qName.get(g.queueId);
    if (qn && !cur.queues.includes(qn)) cur.queues.push(qn);
    groups.set(k, cur);
  }
  return {
    total,
    groups: [...groups.values()].sort((a, b) => b.count - a.count),
    events: rows.map((r) => ({
      id: r.id,
      queue: r.queue.name,
      messageId: r.messageId,
      sourceKind: r.sourceKind,
      functionName: r.functionName,
      qualifier: r.qualifier,
      requestId: r.requestId,
      errorCode: r.errorCode,
      errorMessage: r.errorMessage,
      condition: r.condition,
      attempts: r.attempts,
      payload: r.payload,
      attributes: readJson(r.attributesJson, attributesSchema, {}),
      receiveCount: r.receiveCount,
      sentAt: r.sentAt?.toISOString() ?? null,
      firstSeenAt: r.firstSeenAt.toISOString(),
      status: r.status,
    })),
  };
}

/** A DLQ ErrorCode as people read it: async DLQs carry the Invoke HTTP status (200 = the function failed). */
export function describeErrorCode(code: string | null): string | null {
  if (code === null) return null;
  if (code === "200") return "Function error (ErrorCode 200)";
  if (/^\d{3}$/.test(code)) return `Invoke failed (ErrorCode ${code})`;
  return code;
}
