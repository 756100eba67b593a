import type { Db } from "../../db.ts";
import type { TimeRange } from "../../time-range.ts";

export interface MetricSample {
  metricName: string;
  dimensions: string;
  stat: string;
  timestamp: number;
  value: number;
}

/** CloudWatch points of a function (concurrency, provisioned-concurrency use) in a window. */
export async function getFunctionMetricSeries(db: Db, functionName: string, range: TimeRange, metricNames: string[]): Promise<MetricSample[]> {
  const rows = await db.metricPoint.findMany({
    where: {
      namespace: "AWS/Lambda",
      metricName: { in: metricNames },
      OR: [{ dimensions: `FunctionName=${functionName}` }, { dimensions: { startsWith: `FunctionName=${functionName},` } }],
      timestamp: { gte: range.from, lt: range.to },
    },
    select: { metricName: true, dimensions: true, stat: true, timestamp: true, value: true },
    orderBy: { timestamp: "asc" },
    take: 20_000,
  });
  return rows.map((r) => ({ ...r, timestamp: r.timestamp.getTime() }));
}
