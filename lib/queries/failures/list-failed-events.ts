import { z } from "zod";
import type { Db } from "../../db.ts";
import type { TimeRange } from "../../time-range.ts";
import { limitParam, nameParam } from "../../api/query.ts";
import { failedEventFields, type FailedEventFields } from "./failed-event-row.ts";

/** Filters of the failures list. */
export const failureFiltersSchema = z.object({
  queue: nameParam.optional(),
  function: nameParam.optional(),
  errorCode: z.string().max(200, { error: () => "must be at most 200 characters" }).optional(),
  limit: limitParam(500, 25),
});
export type FailureFilters = z.infer<typeof failureFiltersSchema>;

/** A failed event in the failures list. */
export interface FailedEventRow extends FailedEventFields {
  queue: string;
}

export interface FailureGroup {
  functionName: string | null;
  errorCode: string | null;
  count: number;
  lastSentAt: string | null;
  queues: string[];
}

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
    events: rows.map((r) => ({ ...failedEventFields(r), queue: r.queue.name })),
  };
}

/** A DLQ ErrorCode as people read it: async DLQs carry the Invoke HTTP status (200 = the function failed). */
export function describeErrorCode(code: string | null): string | null {
  if (code === null) return null;
  if (code === "200") return "Function error (ErrorCode 200)";
  if (/^\d{3}$/.test(code)) return `Invoke failed (ErrorCode ${code})`;
  return code;
}
