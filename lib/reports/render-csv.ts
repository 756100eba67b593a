/** The report as CSV: one row per function / alias / stage, a header, and a totals row (functions + stages). */
import { Rational } from "../cost/index.ts";
import { toCsv } from "./csv.ts";
import type { CostReport, CostReportRow } from "./model.ts";
import { usdExact } from "./money-format.ts";

/** Column names, in order (stable: consumers select by name). */
export const CSV_COLUMNS = [
  "kind",
  "key",
  "name",
  "qualifier",
  "source",
  "region",
  "architecture",
  "memory_mb",
  "api_type",
  "requests",
  "gb_seconds",
  "compute_usd",
  "requests_usd",
  "total_usd",
  "cost_per_1k_requests_usd",
  "previous_total_usd",
  "change_usd",
  "change_pct",
  "estimated",
] as const;

function rowFields(r: CostReportRow): string[] {
  return [
    r.kind,
    r.key,
    r.name,
    r.qualifier ?? "",
    r.source,
    r.region,
    r.architecture ?? "",
    r.memoryMb === null ? "" : String(r.memoryMb),
    r.apiType ?? "",
    String(r.requests),
    r.gbSeconds,
    usdExact(r.computeMicroUsd),
    usdExact(r.requestsMicroUsd),
    usdExact(r.totalMicroUsd),
    r.costPer1kRequestsMicroUsd === null ? "" : usdExact(r.costPer1kRequestsMicroUsd),
    usdExact(r.previousTotalMicroUsd),
    usdExact(r.changeMicroUsd),
    r.changePct === null ? "" : r.changePct.toFixed(1),
    r.estimated ? "true" : "false",
  ];
}

/**
 * CSV with exact amounts (USD to the micro-dollar, so summing the rows gives the totals row exactly).
 * Alias rows are part of their function; the totals row sums function and stage rows.
 */
export function renderCsv(report: CostReport): string {
  const t = report.totals.current;
  const p = report.totals.previous;
  const requests = t.invocations + t.apiRequests;
  const totals = [
    "total",
    "total",
    "Total (functions and stages)",
    "",
    "",
    "",
    "",
    "",
    "",
    String(requests),
    t.gbSeconds,
    usdExact(t.computeMicroUsd),
    usdExact(t.lambdaRequestsMicroUsd + t.apiGatewayMicroUsd),
    usdExact(t.totalMicroUsd),
    requests > 0 ? usdExact(Rational.from(t.totalMicroUsd * 1000n, BigInt(requests)).roundHalfUp()) : "",
    usdExact(p.totalMicroUsd),
    usdExact(report.totals.changeMicroUsd),
    report.totals.changePct === null ? "" : report.totals.changePct.toFixed(1),
    "false",
  ];
  return toCsv([[...CSV_COLUMNS], ...report.rows.map(rowFields), totals]);
}
