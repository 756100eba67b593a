/** One entry point for every format. */
import type { CostReport, ReportFormat } from "./model.ts";
import { renderCsv } from "./render-csv.ts";
import { renderHtml } from "./render-html.ts";
import { renderJson } from "./render-json.ts";

/** Renders the report in a format; `reportUrl` is linked from the HTML. */
export function renderReport(report: CostReport, format: ReportFormat, options: { reportUrl?: string } = {}): string {
  switch (format) {
    case "csv":
      return renderCsv(report);
    case "json":
      return renderJson(report);
    case "html":
      return renderHtml(report, options);
  }
}
