/**
 * The cost report: one typed model that every format renders. Money is integer micro-dollars
 * (bigint) throughout; renderers round for display only. Inputs are what lib/queries/cost-report
 * reads from the store.
 */
import type { ReportPeriod } from "./periods.ts";

export const REPORT_FORMATS = ["html", "csv", "json"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Content types for downloads. */
export const REPORT_CONTENT_TYPES: Record<ReportFormat, string> = {
  html: "text/html; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  json: "application/json; charset=utf-8",
};

// ------------------------------------------------------------------ inputs (from the store)

export interface ReportSourceInfo {
  id: number;
  name: string;
  accountId: string;
  region: string;
}

export interface ReportFunctionInfo {
  id: number;
  sourceId: number;
  name: string;
  architecture: string;
  memoryMb: number;
  deleted: boolean;
  /** Live alias names. */
  aliases: string[];
}

export interface ReportStageInfo {
  id: number;
  sourceId: number;
  apiId: string;
  apiName: string;
  apiType: "REST" | "HTTP";
  stageName: string;
  deleted: boolean;
}

/** Sums over a span for one function x qualifier ($ALL, a version or an alias). */
export interface FunctionUsage {
  functionId: number;
  qualifier: string;
  invocations: number;
  billedMs: bigint;
  /** Billed ms x memory MB, exact. */
  mbMs: bigint;
}

export interface StageUsage {
  stageId: number;
  requests: number;
}

/** A period's usage within one UTC calendar month (tiers restart each month). */
export interface UsageSlice {
  /** "YYYY-MM" (UTC, as AWS bills). */
  month: string;
  start: Date;
  end: Date;
  functions: FunctionUsage[];
  stages: StageUsage[];
  /** $ALL usage of the same month before `start`: the account-region's tier position. */
  before: { functions: FunctionUsage[]; stages: StageUsage[] };
}

/** One hour of one function ($ALL). */
export interface HourlyFunctionUsage {
  functionId: number;
  bucketStart: Date;
  invocations: number;
  billedMs: bigint;
  mbMs: bigint;
  maxMemoryUsedMb: number | null;
}

export interface HourlyStageUsage {
  stageId: number;
  bucketStart: Date;
  requests: number;
}

export interface ApiCallCount {
  calls: number;
  throttled: number;
  failed: number;
  /** GetMetricData: metrics requested, when the collector recorded it. */
  metrics?: number;
}

/** Faasight's own AWS API calls of one source in the period (CollectorRun.callsJson). */
export interface MonitoringUsage {
  sourceId: number;
  calls: Record<string, ApiCallCount>;
  /** Metrics collector runs that called GetMetricData. */
  metricsRuns: number;
  /** Distinct metric series stored for the source in the period (estimates metrics per run). */
  metricSeries: number;
  /** Traces stored (each retrieved once with BatchGetTraces). */
  tracesRetrieved: number;
}

export interface CostReportInput {
  period: ReportPeriod;
  generatedAt: Date;
  sources: ReportSourceInfo[];
  functions: ReportFunctionInfo[];
  stages: ReportStageInfo[];
  current: UsageSlice[];
  previous: UsageSlice[];
  /** $ALL hours from historyStart(period) to the period's end: daily series, anomalies, projection, memory. */
  hourly: { functions: HourlyFunctionUsage[]; stages: HourlyStageUsage[] };
  monitoring: MonitoringUsage[];
}

// ------------------------------------------------------------------ the report

export interface CostTotals {
  /** Lambda invocations. */
  invocations: number;
  /** API Gateway requests. */
  apiRequests: number;
  mbMs: bigint;
  /** Exact decimal GB-seconds (mbMs / 1,024,000). */
  gbSeconds: string;
  computeMicroUsd: bigint;
  lambdaRequestsMicroUsd: bigint;
  apiGatewayMicroUsd: bigint;
  totalMicroUsd: bigint;
}

export interface CostChange {
  changeMicroUsd: bigint;
  /** Percent vs the previous period, one decimal; null when the previous period cost nothing. */
  changePct: number | null;
}

export type CostRowKind = "function" | "alias" | "stage";

/** One line of the per function / alias / stage table. Alias rows are part of their function's row. */
export interface CostReportRow extends CostChange {
  kind: CostRowKind;
  /** Stable key: fn:<source>/<function>, alias:<source>/<function>:<alias>, stage:<source>/<apiId>/<stage>. */
  key: string;
  /** Function name, or API name for stages. */
  name: string;
  /** Alias or stage name; null for function rows. */
  qualifier: string | null;
  source: string;
  region: string;
  architecture: string | null;
  memoryMb: number | null;
  apiType: "REST" | "HTTP" | null;
  /** Invocations (functions, aliases) or API requests (stages). */
  requests: number;
  mbMs: bigint;
  gbSeconds: string;
  computeMicroUsd: bigint;
  /** Lambda request charge, or API Gateway request charge for stages. */
  requestsMicroUsd: bigint;
  totalMicroUsd: bigint;
  /** Total per 1,000 requests (rounded to µ$); null without requests. */
  costPer1kRequestsMicroUsd: bigint | null;
  previousTotalMicroUsd: bigint;
  /** True when the figures are an estimate (alias rows without billed duration). */
  estimated: boolean;
  /** False when the function or stage no longer exists. */
  live: boolean;
}

export interface Mover extends CostChange {
  key: string;
  kind: CostRowKind;
  label: string;
  totalMicroUsd: bigint;
  previousTotalMicroUsd: bigint;
}

export interface RightSizingItem {
  key: string;
  function: string;
  source: string;
  region: string;
  architecture: string;
  action: "decrease" | "increase" | "insufficient-data";
  currentMemoryMb: number;
  recommendedMemoryMb: number;
  p99MaxMemoryUsedMb: number | null;
  currentAvgBilledMs: number;
  estimatedAvgBilledMs: number;
  invocationsPerMonth: number;
  currentMonthlyMicroUsd: bigint;
  recommendedMonthlyMicroUsd: bigint;
  monthlySavingMicroUsd: bigint;
}

export interface Arm64Item {
  key: string;
  function: string;
  source: string;
  region: string;
  monthlyGbSeconds: string;
  x86MonthlyMicroUsd: bigint;
  arm64MonthlyMicroUsd: bigint;
  monthlySavingMicroUsd: bigint;
  savingPct: number;
}

export interface AnomalyItem {
  date: string;
  microUsd: bigint;
  medianMicroUsd: bigint;
  thresholdMicroUsd: bigint;
  reason: string;
}

export interface ProjectionView {
  month: string;
  asOf: string;
  daysElapsed: number;
  daysInMonth: number;
  monthToDateMicroUsd: bigint;
  projectedMicroUsd: bigint;
  lowMicroUsd: bigint;
  highMicroUsd: bigint;
  method: string;
}

export interface MonitoringLine {
  source: string;
  region: string;
  item: string;
  /** AWS APIs behind the line ("monitoring:GetMetricData"). */
  apis: string[];
  calls: number;
  /** Billed quantity (metrics, requests, traces), exact decimal. */
  quantity: string;
  unit: string;
  microUsd: bigint;
  estimated: boolean;
  note: string;
}

export interface CostReport {
  schemaVersion: 1;
  title: string;
  generatedAt: string;
  currency: "USD";
  period: { preset: string; title: string; timezone: string; start: string; end: string; label: string; firstDate: string; lastDate: string; hours: number };
  previousPeriod: { start: string; end: string; label: string };
  totals: { current: CostTotals; previous: CostTotals } & CostChange;
  topMovers: Mover[];
  rows: CostReportRow[];
  savings: {
    rightSizing: RightSizingItem[];
    rightSizingMonthlyMicroUsd: bigint;
    rightSizingAssumptions: string[];
    arm64: Arm64Item[];
    arm64MonthlyMicroUsd: bigint;
    arm64Assumption: string;
  };
  daily: Array<{ date: string; microUsd: bigint }>;
  anomalies: AnomalyItem[];
  projection: ProjectionView | null;
  monitoring: { totalMicroUsd: bigint; lines: MonitoringLine[]; method: string };
  notes: {
    /** How tiers are attributed to functions (lib/cost TIER_ATTRIBUTION_EXPLANATION). */
    tierAttribution: string;
    pricing: string;
    aliases: string;
    daily: string;
    unpricedRegions: string[];
    priceTables: Array<{ region: string; version: string }>;
  };
}
