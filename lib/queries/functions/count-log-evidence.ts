import type { Db } from "../../db.ts";
import type { TimeRange } from "../../time-range.ts";
import { STANDARD_PERIODS } from "../shared/metric-periods.ts";

/**
 * Evidence for the "invocations but no logs" insight: whether any log event is stored for
 * the window (an existence check, not a count) and the invocations CloudWatch counted.
 */
export async function countLogEvidence(db: Db, fn: { id: number; name: string; sourceId: number }, range: TimeRange): Promise<{ logEvents: number; metricInvocations: number | null }> {
  const [anyLog, metric] = await Promise.all([
    db.logEvent.findFirst({ where: { functionId: fn.id, timestamp: { gte: range.from, lt: range.to } }, select: { id: true } }),
    db.metricPoint.aggregate({
      where: { sourceId: fn.sourceId, namespace: "AWS/Lambda", metricName: "Invocations", dimensions: `FunctionName=${fn.name}`, stat: "Sum", period: { in: STANDARD_PERIODS }, timestamp: { gte: range.from, lt: range.to } },
      _sum: { value: true },
      _count: true,
    }),
  ]);
  return { logEvents: anyLog ? 1 : 0, metricInvocations: metric._count > 0 ? (metric._sum.value ?? 0) : null };
}
