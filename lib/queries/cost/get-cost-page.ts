/**
 * Everything the Cost page and /api/v1/cost show for a window: the cost report of that window
 * (tiers attributed, per function / alias / stage, change vs the previous window, right-sizing,
 * arm64, anomalies, projection, Faasight's own monitoring cost), the exact-vs-metrics
 * reconciliation per function, provisioned concurrency idle cost and spillover, and the trend.
 */
import type { Db } from "../../db.ts";
import { getRegionPrices, PriceNotAvailableError, provisionedConcurrencyUtilisation, Rational, reconcileInvocationCost, type Architecture } from "../../cost/index.ts";
import type { Reconciliation } from "../../cost/reconcile.ts";
import type { CostReport } from "../../reports/model.ts";
import type { TimeRange } from "../../time-range.ts";
import type { PreparedSeries } from "../../charts/prepare-time-series.ts";
import { getCostReport } from "../cost-report/get-cost-report.ts";
import { getSpendSeries, type SpendGroup } from "./get-spend-series.ts";
import { costPeriodOfRange, estimateProvisionedUsage, metricLookup, type MetricSum } from "./cost-page-model.ts";
import { readFunctionRollups, totalsBy } from "../shared/rollups.ts";

export interface ReconciliationRow {
  function: string;
  source: string;
  architecture: Architecture;
  memoryMb: number;
  /** Where the estimate's Duration sum came from. */
  durationSource: "metric" | "report-lines";
  /** Where its invocation count came from. */
  invocationSource: "metric" | "report-lines";
  result: Reconciliation;
}

export interface ProvisionedRow {
  function: string;
  qualifier: string;
  architecture: Architecture;
  memoryMb: number;
  concurrency: number;
  configuredSeconds: number;
  provisionedInvocations: number;
  spilloverInvocations: number;
  peakUtilisation: number | null;
  utilisation: number;
  breakEvenUtilisation: number | null;
  allocationMicroUsd: bigint;
  idleMicroUsd: bigint;
  spilloverMicroUsd: bigint;
  verdict: string;
  assumptions: string[];
}

export interface CostPage {
  range: { preset: string; from: string; to: string; stepMs: number };
  report: CostReport;
  reconciliation: { rows: ReconciliationRow[]; exactMicroUsd: bigint; estimateMicroUsd: bigint; method: string };
  provisioned: ProvisionedRow[];
  /** Spend per bucket, stacked by the chosen grouping. */
  series: PreparedSeries;
  seriesBy: SpendGroup;
}

const archOf = (a: string): Architecture => (a === "arm64" ? "arm64" : "x86_64");

async function readMetricSums(db: Db, from: Date, to: Date): Promise<MetricSum[]> {
  const groups = await db.metricPoint.groupBy({
    by: ["sourceId", "metricName", "dimensions", "stat"],
    where: {
      namespace: "AWS/Lambda",
      metricName: { in: ["Invocations", "Duration", "ProvisionedConcurrencySpilloverInvocations", "ProvisionedConcurrencyUtilization"] },
      stat: { in: ["Sum", "Maximum"] },
      timestamp: { gte: from, lt: to },
    },
    _sum: { value: true },
    _max: { value: true },
  });
  return groups.map((g) => ({ sourceId: g.sourceId, metricName: g.metricName, dimensions: g.dimensions, stat: g.stat, sum: g._sum.value ?? 0, max: g._max.value ?? null }));
}

/** The Cost page for a window (default 7d); `now` anchors the comparison and projection. */
export async function getCostPage(db: Db, range: TimeRange, now: Date, options: { seriesBy?: SpendGroup } = {}): Promise<CostPage> {
  const period = costPeriodOfRange(range, now);
  const [report, series, fns, rollups, metrics, pcs] = await Promise.all([
    getCostReport(db, period, { generatedAt: now }),
    getSpendSeries(db, range, options.seriesBy ?? "function", now),
    db.lambdaFunction.findMany({ where: { deletedAt: null }, select: { id: true, sourceId: true, name: true, architecture: true, memoryMb: true, firstSeenAt: true, source: { select: { name: true, region: true } } }, orderBy: { name: "asc" } }),
    readFunctionRollups(db, { from: period.start, to: period.end, qualifiers: ["$ALL"], coarsest: "day", openEnd: period.end.getTime() >= now.getTime() }),
    readMetricSums(db, period.start, period.end),
    db.provisionedConcurrencyConfig.findMany({ where: { deletedAt: null, allocated: { gt: 0 } }, select: { functionId: true, qualifier: true, allocated: true } }),
  ]);
  const metric = metricLookup(metrics);
  const totals = totalsBy(rollups, (r) => r.functionId);
  const pricesOf = (region: string) => {
    try {
      return getRegionPrices(region);
    } catch (err) {
      if (err instanceof PriceNotAvailableError) return null;
      throw err;
    }
  };

  const rows: ReconciliationRow[] = [];
  for (const f of fns) {
    const t = totals.get(f.id);
    const metricInvocations = metric(f.sourceId, "Invocations", "Sum", f.name);
    const metricDuration = metric(f.sourceId, "Duration", "Sum", f.name);
    if (!t && !metricInvocations) continue;
    const prices = pricesOf(f.source.region);
    if (!prices) continue;
    const invocations = t?.invocations ?? 0;
    const result = reconcileInvocationCost(prices, {
      arch: archOf(f.architecture),
      memoryMb: f.memoryMb,
      fromRows: { invocations, billedMs: t?.billedMs ?? 0n, mbMs: t?.mbMs ?? 0n },
      fromMetrics: {
        invocations: Math.round(metricInvocations?.sum ?? invocations),
        durationSumMs: Rational.of(Math.max(0, metricDuration?.sum ?? t?.durationSumMs ?? 0)).toDecimal(3),
        coldStarts: t?.coldStarts ?? 0,
        avgInitMs: t && t.coldStarts > 0 ? Rational.of(t.initSumMs).div(t.coldStarts).toDecimal(3) : 0,
      },
    });
    rows.push({
      function: f.name,
      source: f.source.name,
      architecture: archOf(f.architecture),
      memoryMb: f.memoryMb,
      durationSource: metricDuration ? "metric" : "report-lines",
      invocationSource: metricInvocations ? "metric" : "report-lines",
      result,
    });
  }
  rows.sort((a, b) => (a.result.exact.microUsd === b.result.exact.microUsd ? a.function.localeCompare(b.function) : a.result.exact.microUsd > b.result.exact.microUsd ? -1 : 1));

  // PC is billed while configured; the store keeps no history of the config, so count from the later of
  // the window's start and the first evidence of the function (first seen, first rollup).
  const fnById = new Map(fns.map((f) => [f.id, f]));
  const pcFunctionIds = [...new Set(pcs.map((pc) => pc.functionId))];
  const firstRollups =
    pcFunctionIds.length === 0 ? [] : await db.hourRollup.groupBy({ by: ["functionId"], where: { functionId: { in: pcFunctionIds } }, _min: { bucketStart: true } });
  const firstEvidence = new Map(firstRollups.map((g) => [g.functionId, g._min.bucketStart?.getTime() ?? Infinity]));
  const provisioned: ProvisionedRow[] = [];
  for (const pc of pcs) {
    const f = fnById.get(pc.functionId);
    if (!f) continue;
    const prices = pricesOf(f.source.region);
    if (!prices?.lambda.provisionedConcurrency[archOf(f.architecture)]) continue;
    const t = totals.get(f.id);
    const since = Math.max(period.start.getTime(), Math.min(f.firstSeenAt.getTime(), firstEvidence.get(f.id) ?? Infinity));
    const configuredSeconds = Math.max(0, Math.round((period.end.getTime() - since) / 1000));
    const usage = estimateProvisionedUsage({
      aliasInvocations: metric(f.sourceId, "Invocations", "Sum", f.name, pc.qualifier)?.sum ?? 0,
      spilloverInvocations: metric(f.sourceId, "ProvisionedConcurrencySpilloverInvocations", "Sum", f.name)?.sum ?? 0,
      avgBilledMs: t && t.invocations > 0 ? Rational.from(t.billedMs, BigInt(t.invocations)) : null,
    });
    const u = provisionedConcurrencyUtilisation(prices, {
      arch: archOf(f.architecture),
      memoryMb: f.memoryMb,
      concurrency: pc.allocated,
      configuredSeconds,
      provisionedBilledMs: usage.provisionedBilledMs,
      spilloverBilledMs: usage.spilloverBilledMs,
      spilloverInvocations: usage.spilloverInvocations,
    });
    provisioned.push({
      function: f.name,
      qualifier: pc.qualifier,
      architecture: archOf(f.architecture),
      memoryMb: f.memoryMb,
      concurrency: pc.allocated,
      configuredSeconds,
      provisionedInvocations: usage.provisionedInvocations,
      spilloverInvocations: usage.spilloverInvocations,
      peakUtilisation: metric(f.sourceId, "ProvisionedConcurrencyUtilization", "Maximum", f.name, pc.qualifier)?.max ?? null,
      utilisation: u.utilisation,
      breakEvenUtilisation: u.breakEvenUtilisation,
      allocationMicroUsd: u.allocationMicroUsd,
      idleMicroUsd: u.idleMicroUsd,
      spilloverMicroUsd: u.spilloverMicroUsd,
      verdict: u.verdict,
      assumptions: [usage.assumption, ...u.assumptions],
    });
  }

  return {
    range: { preset: range.preset, from: range.from.toISOString(), to: range.to.toISOString(), stepMs: range.stepMs },
    report,
    reconciliation: {
      rows,
      exactMicroUsd: rows.reduce((s, r) => s + r.result.exact.microUsd, 0n),
      estimateMicroUsd: rows.reduce((s, r) => s + r.result.estimate.microUsd, 0n),
      method:
        "Exact: Billed Duration x memory summed over the collected REPORT lines (Billed Duration includes the INIT phase of on-demand functions since 1 Aug 2025) plus requests. " +
        "Estimate: what a metrics-only view can compute: CloudWatch Invocations and Duration sum (Duration excludes INIT and is not rounded; where Faasight does not collect the Duration sum it uses the REPORT lines' Duration), plus a 0.5 ms rounding allowance per invocation and cold starts x average Init Duration. " +
        "Both at the first volume tier, free tier not applied, so they compare like for like.",
    },
    provisioned,
    series,
    seriesBy: options.seriesBy ?? "function",
  };
}
