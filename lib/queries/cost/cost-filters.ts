/** Query parameters of the Cost page and /api/v1/cost besides the time range (zod: a bad value is a 400 naming it). */
import { z } from "zod";
import { enumParam } from "../../time-range.ts";
import { REPORT_FORMATS } from "../../reports/model.ts";
import { REPORT_PERIOD_PRESETS } from "../../reports/periods.ts";
import { COST_SORTS } from "./sort-cost-rows.ts";
import { SPEND_GROUPS } from "./get-spend-series.ts";

export const costPageFilters = z.object({ sort: enumParam(COST_SORTS).default("spend"), by: enumParam(SPEND_GROUPS).default("function") });

/** /api/v1/cost/report: a report period (preset, or custom with from/to dates), its time zone and format. */
export const costReportQuery = z
  .object({
    period: enumParam([...REPORT_PERIOD_PRESETS, "custom"] as const).default("last-7d"),
    from: z.string().max(40).optional(),
    to: z.string().max(40).optional(),
    timezone: z.string().max(64).default("UTC"),
    format: enumParam(REPORT_FORMATS).default("json"),
  })
  .strict();
