import type { Db } from "../../db.ts";
import type { DbProvider } from "../../db-url.ts";
import type { TimeRange } from "../../time-range.ts";
import { STANDARD_PERIODS } from "../shared/metric-periods.ts";

export interface MetricBucket {
  /** Bucket start, epoch ms. */
  t: number;
  /** The largest value CloudWatch reported in the bucket. */
  max: number;
}

/**
 * The per-bucket maximum of a function-level CloudWatch series (dimension FunctionName only),
 * aggregated in SQL: a week of one-minute points is 10,000 rows otherwise.
 */
export async function getFunctionMetricMax(db: Db, provider: DbProvider, fn: { name: string; sourceId: number }, range: TimeRange, metricName: string, stat: string): Promise<MetricBucket[]> {
  const stepSec = Math.round(range.stepMs / 1000);
  const periods = STANDARD_PERIODS.join(", ");
  // Naming every key column up to period lets both databases use the series' unique index.
  const rows =
    provider === "pg"
      ? await db.$queryRawUnsafe<Array<{ b: number | string | bigint; v: number }>>(
          `SELECT FLOOR(EXTRACT(EPOCH FROM "timestamp") / $1) * $1 AS b, MAX("value") AS v FROM "MetricPoint"
           WHERE "sourceId" = $2 AND "namespace" = 'AWS/Lambda' AND "metricName" = $3 AND "dimensions" = $4 AND "stat" = $5
             AND "period" IN (${periods}) AND "timestamp" >= $6 AND "timestamp" < $7 GROUP BY 1`,
          stepSec,
          fn.sourceId,
          metricName,
          `FunctionName=${fn.name}`,
          stat,
          range.from,
          range.to,
        )
      : await db.$queryRawUnsafe<Array<{ b: number | string | bigint; v: number }>>(
          `SELECT (CAST(strftime('%s', "timestamp") AS INTEGER) / CAST(? AS INTEGER)) * CAST(? AS INTEGER) AS b, MAX("value") AS v FROM "MetricPoint"
           WHERE "sourceId" = ? AND "namespace" = 'AWS/Lambda' AND "metricName" = ? AND "dimensions" = ? AND "stat" = ?
             AND "period" IN (${periods}) AND "timestamp" >= ? AND "timestamp" < ? GROUP BY b`,
          stepSec,
          stepSec,
          fn.sourceId,
          metricName,
          `FunctionName=${fn.name}`,
          stat,
          range.from,
          range.to,
        );
  return rows.map((r) => ({ t: Number(r.b) * 1000, max: Number(r.v) })).sort((a, b) => a.t - b.t);
}
