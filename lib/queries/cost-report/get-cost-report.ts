/** The cost report for a period, read from the store and built by lib/reports (one model for every format). */
import type { Db } from "../../db.ts";
import { buildCostReport, historyStart, monthSlices, type BuildOptions } from "../../reports/build.ts";
import type { CostReport, UsageSlice } from "../../reports/model.ts";
import type { ReportPeriod } from "../../reports/periods.ts";
import { readFunctionUsage } from "./read-function-usage.ts";
import { readHourlyUsage } from "./read-hourly-usage.ts";
import { readMonitoringUsage } from "./read-monitoring-usage.ts";
import { readReportInventory } from "./read-report-inventory.ts";
import { readStageUsage } from "./read-stage-usage.ts";

/** Usage of a span, per UTC month, with each month's earlier usage (the tier position). */
async function readSlices(db: Db, start: Date, end: Date): Promise<UsageSlice[]> {
  return Promise.all(
    monthSlices(start, end).map(async (s) => {
      const before = s.start.getTime() > s.monthStart.getTime() ? { from: s.monthStart, to: s.start } : null;
      const [functions, stages, beforeFunctions, beforeStages] = await Promise.all([
        readFunctionUsage(db, { from: s.start, to: s.end }),
        readStageUsage(db, { from: s.start, to: s.end }),
        before ? readFunctionUsage(db, { ...before, qualifier: "$ALL" }) : [],
        before ? readStageUsage(db, before) : [],
      ]);
      return { month: s.month, start: s.start, end: s.end, functions, stages, before: { functions: beforeFunctions, stages: beforeStages } };
    }),
  );
}

/** Reads everything a report needs for `period` and builds it. */
export async function getCostReport(db: Db, period: ReportPeriod, options: BuildOptions & { generatedAt?: Date } = {}): Promise<CostReport> {
  const [inventory, current, previous, hourly, monitoring] = await Promise.all([
    readReportInventory(db),
    readSlices(db, period.start, period.end),
    readSlices(db, period.previous.start, period.previous.end),
    readHourlyUsage(db, { from: historyStart(period), to: period.end }),
    readMonitoringUsage(db, { from: period.start, to: period.end }),
  ]);
  return buildCostReport({ period, generatedAt: options.generatedAt ?? new Date(), ...inventory, current, previous, hourly, monitoring }, options);
}
