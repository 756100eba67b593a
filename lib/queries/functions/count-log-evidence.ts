import type { Db } from "../../db.ts";
import type { TimeRange } from "../../time-range.ts";

/** Log events stored and CloudWatch-counted invocations in a window (for the "no logs" insight). */
export async function countLogEvidence(db: Db, fn: { id: number; name: string; sourceId?: number }, range: TimeRange): Promise<{ logEvents: number; metricInvocations: number | null }> {
  const [logEvents, metric] = await Promise.all([
    db.logEvent.count({ where: { functionId: fn.id, timestamp: { gte: range.from, lt: range.to } } }),
    db.metricPoint.aggregate({
      where: { namespace: "AWS/Lambda", metricName: "Invocations", dimensions: `FunctionName=${fn.name}`, stat: "Sum", timestamp: { gte: range.from, lt: range.to } },
      _sum: { value: true },
      _count: true,
    }),
  ]);
  return { logEvents, metricInvocations: metric._count > 0 ? (metric._sum.value ?? 0) : null };
}
