/** Faasight's own AWS API calls per source in a window (CollectorRun.callsJson), for its monitoring cost. */
import { z } from "zod";
import type { Db } from "../../db.ts";
import type { ApiCallCount, MonitoringUsage } from "../../reports/model.ts";

const count = z.number().int().nonnegative().catch(0);
/** Stored JSON {"<service>:<Operation>": {calls, throttled, failed[, metrics]}}; a malformed entry counts as nothing. */
const callsSchema = z.record(
  z.string(),
  z.object({ calls: count, throttled: count.default(0), failed: count.default(0), metrics: z.number().int().nonnegative().optional().catch(undefined) }).catch({ calls: 0, throttled: 0, failed: 0 }),
);

function parseCalls(text: string): Record<string, ApiCallCount> {
  try {
    const parsed = callsSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** API calls, metrics runs, metric series and traces per source for runs started in [from, to). */
export async function readMonitoringUsage(db: Db, window: { from: Date; to: Date }): Promise<MonitoringUsage[]> {
  const [runs, series, traces] = await Promise.all([
    db.collectorRun.findMany({ where: { startedAt: { gte: window.from, lt: window.to } }, select: { sourceId: true, collector: true, callsJson: true } }),
    db.metricPoint.groupBy({ by: ["sourceId", "namespace", "metricName", "dimensions", "stat"], where: { timestamp: { gte: window.from, lt: window.to } } }),
    db.trace.groupBy({ by: ["sourceId"], where: { startedAt: { gte: window.from, lt: window.to } }, _count: { _all: true } }),
  ]);
  const out = new Map<number, MonitoringUsage>();
  const of = (sourceId: number) => {
    let m = out.get(sourceId);
    if (!m) out.set(sourceId, (m = { sourceId, calls: {}, metricsRuns: 0, metricSeries: 0, tracesRetrieved: 0 }));
    return m;
  };
  for (const r of runs) {
    const calls = parseCalls(r.callsJson);
    const m = of(r.sourceId);
    for (const [api, c] of Object.entries(calls)) {
      const t = (m.calls[api] ??= { calls: 0, throttled: 0, failed: 0 });
      t.calls += c.calls;
      t.throttled += c.throttled;
      t.failed += c.failed;
      if (c.metrics !== undefined) t.metrics = (t.metrics ?? 0) + c.metrics;
    }
    if ((calls["monitoring:GetMetricData"]?.calls ?? 0) > 0) m.metricsRuns += 1;
  }
  for (const s of series) if (out.has(s.sourceId)) of(s.sourceId).metricSeries += 1;
  for (const t of traces) if (out.has(t.sourceId)) of(t.sourceId).tracesRetrieved = t._count._all;
  return [...out.values()].sort((a, b) => a.sourceId - b.sourceId);
}
