/** Shared helpers of the simulator integration tests: read back what an endpoint holds, through the SDK only. */
import { paginateFilterLogEvents } from "@aws-sdk/client-cloudwatch-logs";
import { paginateGetMetricData, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import type { AwsClients } from "../../../lib/aws/clients.ts";
import { parseLambdaLogMessage, type ReportLine } from "../../../lib/parse/lambda-log.ts";

/** All REPORT lines of a function's log group in [start, end), with the log stream each is in. */
export async function reportLines(clients: AwsClients, fn: string, json: boolean, start: number, end: number): Promise<(ReportLine & { stream: string })[]> {
  const out: (ReportLine & { stream: string })[] = [];
  const pages = paginateFilterLogEvents(
    { client: clients.logs },
    { logGroupName: `/aws/lambda/${fn}`, startTime: start, endTime: end, filterPattern: json ? '{ $.type = "platform.report" }' : '"REPORT RequestId"' },
  );
  for await (const page of pages) {
    for (const e of page.events ?? []) for (const line of parseLambdaLogMessage(e.message ?? "")) if (line.kind === "report") out.push({ ...line, stream: e.logStreamName ?? "" });
  }
  return out;
}

export interface SumQuery {
  id: string;
  namespace: string;
  metric: string;
  dims: Record<string, string>;
}

/** Sum statistic of each query over [start, end), summed over hourly datapoints. */
export async function metricSums(clients: AwsClients, queries: SumQuery[], start: number, end: number): Promise<Record<string, number>> {
  const sums: Record<string, number> = {};
  for (let i = 0; i < queries.length; i += 500) {
    const chunk = queries.slice(i, i + 500);
    const MetricDataQueries: MetricDataQuery[] = chunk.map((q) => ({
      Id: q.id,
      MetricStat: { Metric: { Namespace: q.namespace, MetricName: q.metric, Dimensions: Object.entries(q.dims).map(([Name, Value]) => ({ Name, Value })) }, Period: 3600, Stat: "Sum" },
    }));
    for await (const page of paginateGetMetricData({ client: clients.cloudwatch }, { MetricDataQueries, StartTime: new Date(start), EndTime: new Date(end) })) {
      for (const r of page.MetricDataResults ?? []) sums[r.Id!] = (sums[r.Id!] ?? 0) + (r.Values ?? []).reduce((a, b) => a + b, 0);
    }
  }
  for (const q of queries) sums[q.id] ??= 0;
  return sums;
}

/** A CloudWatch query id from arbitrary text. */
export const queryId = (text: string) => "q" + text.replace(/[^A-Za-z0-9]/g, "_");

/** Each query's Sum per minute over [start, end): id -> minute (ISO) -> value (zero minutes absent). */
export async function metricSeries(clients: AwsClients, queries: SumQuery[], start: number, end: number): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  for (const q of queries) out[q.id] = {};
  for (let i = 0; i < queries.length; i += 50) {
    const MetricDataQueries: MetricDataQuery[] = queries.slice(i, i + 50).map((q) => ({
      Id: q.id,
      MetricStat: { Metric: { Namespace: q.namespace, MetricName: q.metric, Dimensions: Object.entries(q.dims).map(([Name, Value]) => ({ Name, Value })) }, Period: 60, Stat: "Sum" },
    }));
    for await (const page of paginateGetMetricData({ client: clients.cloudwatch }, { MetricDataQueries, StartTime: new Date(start), EndTime: new Date(end) })) {
      for (const r of page.MetricDataResults ?? []) {
        const series = out[r.Id!]!;
        (r.Timestamps ?? []).forEach((t, k) => {
          if (r.Values![k]) series[t.toISOString()] = (series[t.toISOString()] ?? 0) + r.Values![k]!;
        });
      }
    }
  }
  return out;
}
