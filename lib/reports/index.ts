/** Scheduled cost reports: periods, the report model and its formats, schedules, runs, delivery. */
export { REPORT_PERIOD_PRESETS, ReportPeriodError, resolveReportPeriod, parseReportPeriodSpec, localDatesOf, type ReportPeriod, type ReportPeriodPreset, type ReportPeriodSpec, type PeriodSpan } from "./periods.ts";
export { isValidTimeZone, canonicalTimeZone, TimeZoneError } from "./time-zone.ts";
export { REPORT_FORMATS, REPORT_CONTENT_TYPES, type ReportFormat, type CostReport, type CostReportRow, type CostTotals, type CostReportInput } from "./model.ts";
export { buildCostReport, historyStart, monthSlices, type BuildOptions } from "./build.ts";
export { renderReport } from "./render.ts";
export { renderCsv, CSV_COLUMNS } from "./render-csv.ts";
export { renderHtml, escapeHtml } from "./render-html.ts";
export { renderJson, reportJsonReplacer } from "./render-json.ts";
export { parseCsv, toCsv, CsvParseError } from "./csv.ts";
export { usdExact, parseUsdExact, usdDisplay } from "./money-format.ts";
export {
  channelSchema,
  reportScheduleInputSchema,
  reportSchedulePatchSchema,
  parseReportScheduleInput,
  parseReportSchedulePatch,
  cronProblem,
  nextFireTime,
  latestFireTime,
  listReportSchedules,
  getReportSchedule,
  createReportSchedule,
  updateReportSchedule,
  deleteReportSchedule,
  ReportScheduleValidationError,
  ReportScheduleNotFoundError,
  ReportScheduleConflictError,
  type ReportChannel,
  type ReportScheduleInput,
  type ReportSchedulePatch,
  type ReportScheduleView,
} from "./schedules.ts";
export { syncReportSchedulesFromConfig, loadReportsConfig, parseReportsConfig, reportsConfigFile, ReportsConfigError } from "./config.ts";
export { runDueReports, runReportScheduleNow, reportsPublicUrl, reportRunUrl, STALE_CLAIM_MS, type RunDueOptions, type DueReportResult } from "./run-due.ts";
export { reportClientsFromEnv, reportSummaryText, snsSubject, reportWebhookPayload, reportWebhookPayloadSchema, type ReportClients, type DeliveryOutcome, type ReportWebhookPayload } from "./deliver.ts";
export { listReportRuns, getReportRun, getReportRunContent, baseRunKey, type ReportRunView, type ReportRunContent } from "./runs.ts";
