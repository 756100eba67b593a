/**
 * The report as HTML for email clients: one document, inline styles, tables, no scripts,
 * no external images or stylesheets (clients strip or block them).
 */
import type { CostReport, CostReportRow } from "./model.ts";
import { pctChange, usdChange, usdDisplay } from "./money-format.ts";

const FONT = "font-family:Arial,Helvetica,sans-serif;";
const CELL = "padding:6px 8px;border-bottom:1px solid #e5e7eb;font-size:13px;vertical-align:top;";
const NUM = `${CELL}text-align:right;white-space:nowrap;`;
const TH = "padding:6px 8px;border-bottom:2px solid #d1d5db;font-size:12px;color:#374151;text-align:left;background:#f9fafb;";
const THN = `${TH}text-align:right;`;
const H2 = `${FONT}font-size:16px;color:#111827;margin:24px 0 8px 0;`;
const P = `${FONT}font-size:13px;color:#374151;margin:4px 0;line-height:1.45;`;
const TABLE = `${FONT}border-collapse:collapse;width:100%;max-width:960px;`;

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

const e = escapeHtml;

function changeColor(micro: bigint): string {
  return micro > 0n ? "color:#b91c1c;" : micro < 0n ? "color:#047857;" : "color:#374151;";
}

function table(head: Array<[string, boolean]>, body: string[]): string {
  const th = head.map(([label, num]) => `<th style="${num ? THN : TH}">${e(label)}</th>`).join("");
  const rows = body.length > 0 ? body.join("") : `<tr><td style="${CELL}" colspan="${head.length}">None.</td></tr>`;
  return `<table role="presentation" cellpadding="0" cellspacing="0" style="${TABLE}"><thead><tr>${th}</tr></thead><tbody>${rows}</tbody></table>`;
}

const td = (text: string, style = CELL) => `<td style="${style}">${text}</td>`;
const num = (text: string, extra = "") => td(text, NUM + extra);

function gbsDisplay(gbSeconds: string): string {
  const n = Number(gbSeconds);
  return n.toLocaleString("en-US", { maximumFractionDigits: n < 10 ? 3 : 1 });
}

function rowHtml(r: CostReportRow): string {
  const name =
    r.kind === "alias"
      ? `<span style="color:#6b7280;">&#8627; alias</span> ${e(r.qualifier ?? "")}`
      : r.kind === "stage"
        ? `${e(r.name)} <span style="color:#6b7280;">/ ${e(r.qualifier ?? "")} (${e(r.apiType ?? "")} stage)</span>`
        : `<strong>${e(r.name)}</strong>${r.live ? "" : ' <span style="color:#6b7280;">(deleted)</span>'}`;
  const config = r.kind === "stage" ? "" : `${e(r.architecture ?? "")}, ${r.memoryMb ?? "?"} MB`;
  const est = r.estimated ? ' <span style="color:#6b7280;" title="estimated">~</span>' : "";
  return `<tr>${td(name + est)}${td(e(r.source), CELL + "color:#6b7280;")}${td(config, CELL + "white-space:nowrap;")}${num(r.requests.toLocaleString("en-US"))}${num(r.kind === "stage" ? "" : gbsDisplay(r.gbSeconds))}${num(r.kind === "stage" ? "" : usdDisplay(r.computeMicroUsd))}${num(usdDisplay(r.requestsMicroUsd))}${num(`<strong>${usdDisplay(r.totalMicroUsd)}</strong>`)}${num(r.costPer1kRequestsMicroUsd === null ? "" : usdDisplay(r.costPer1kRequestsMicroUsd))}${num(`${usdChange(r.changeMicroUsd)} (${pctChange(r.changePct, r.previousTotalMicroUsd, r.totalMicroUsd)})`, changeColor(r.changeMicroUsd))}</tr>`;
}

/** Renders the report as a standalone HTML email body; `reportUrl` adds a link to the stored report. */
export function renderHtml(report: CostReport, options: { reportUrl?: string } = {}): string {
  const t = report.totals;
  const cur = t.current;
  const prev = t.previous;
  const parts: string[] = [];
  parts.push(`<h1 style="${FONT}font-size:20px;color:#111827;margin:0 0 4px 0;">${e(report.title)}</h1>`);
  parts.push(`<p style="${P}">${e(report.period.label)} (${e(report.period.timezone)}), compared with ${e(report.previousPeriod.label)}. Generated ${e(report.generatedAt)}.</p>`);
  if (options.reportUrl) parts.push(`<p style="${P}"><a href="${e(options.reportUrl)}" style="color:#1d4ed8;">Open this report in Faasight</a></p>`);

  parts.push(`<h2 style="${H2}">Totals</h2>`);
  const line = (label: string, c: bigint, p: bigint, strong = false) =>
    `<tr>${td(strong ? `<strong>${e(label)}</strong>` : e(label))}${num(strong ? `<strong>${usdDisplay(c)}</strong>` : usdDisplay(c))}${num(usdDisplay(p))}${num(`${usdChange(c - p)}`, changeColor(c - p))}</tr>`;
  parts.push(
    table(
      [["", false], ["This period", true], ["Previous period", true], ["Change", true]],
      [
        line("Total", cur.totalMicroUsd, prev.totalMicroUsd, true),
        line("Lambda compute", cur.computeMicroUsd, prev.computeMicroUsd),
        line("Lambda requests", cur.lambdaRequestsMicroUsd, prev.lambdaRequestsMicroUsd),
        line("API Gateway requests", cur.apiGatewayMicroUsd, prev.apiGatewayMicroUsd),
        `<tr>${td("Invocations")}${num(cur.invocations.toLocaleString("en-US"))}${num(prev.invocations.toLocaleString("en-US"))}${num("")}</tr>`,
        `<tr>${td("GB-seconds")}${num(gbsDisplay(cur.gbSeconds))}${num(gbsDisplay(prev.gbSeconds))}${num("")}</tr>`,
        `<tr>${td("API requests")}${num(cur.apiRequests.toLocaleString("en-US"))}${num(prev.apiRequests.toLocaleString("en-US"))}${num("")}</tr>`,
      ],
    ),
  );
  parts.push(`<p style="${P}">Change: <strong style="${changeColor(t.changeMicroUsd)}">${usdChange(t.changeMicroUsd)} (${pctChange(t.changePct, prev.totalMicroUsd, cur.totalMicroUsd)})</strong></p>`);

  parts.push(`<h2 style="${H2}">Top movers</h2>`);
  parts.push(
    table(
      [["", false], ["This period", true], ["Previous", true], ["Change", true]],
      report.topMovers.map((m) => `<tr>${td(e(m.label))}${num(usdDisplay(m.totalMicroUsd))}${num(usdDisplay(m.previousTotalMicroUsd))}${num(`${usdChange(m.changeMicroUsd)} (${pctChange(m.changePct, m.previousTotalMicroUsd, m.totalMicroUsd)})`, changeColor(m.changeMicroUsd))}</tr>`),
    ),
  );

  parts.push(`<h2 style="${H2}">By function, alias and stage</h2>`);
  parts.push(
    table(
      [["Name", false], ["Source", false], ["Config", false], ["Requests", true], ["GB-s", true], ["Compute", true], ["Requests $", true], ["Total", true], ["Per 1,000", true], ["Change", true]],
      report.rows.map(rowHtml),
    ),
  );
  parts.push(`<p style="${P}color:#6b7280;">${e(report.notes.aliases)}</p>`);

  const s = report.savings;
  parts.push(`<h2 style="${H2}">Savings: memory right-sizing (${usdDisplay(s.rightSizingMonthlyMicroUsd)} per month)</h2>`);
  parts.push(
    table(
      [["Function", false], ["Memory", true], ["p99 used", true], ["Avg billed", true], ["Now / month", true], ["After / month", true], ["Saving / month", true]],
      s.rightSizing.map((r) =>
        r.action === "insufficient-data"
          ? `<tr>${td(e(r.function))}${num(`${r.currentMemoryMb} MB`)}${td("No Max Memory Used data (needs REPORT log lines).", CELL + "color:#6b7280;")}${num("")}${num(usdDisplay(r.currentMonthlyMicroUsd))}${num("")}${num("")}</tr>`
          : `<tr>${td(e(r.function))}${num(`${r.currentMemoryMb} &#8594; ${r.recommendedMemoryMb} MB`)}${num(r.p99MaxMemoryUsedMb === null ? "" : `${r.p99MaxMemoryUsedMb} MB`)}${num(`${r.currentAvgBilledMs} &#8594; ${r.estimatedAvgBilledMs} ms`)}${num(usdDisplay(r.currentMonthlyMicroUsd))}${num(usdDisplay(r.recommendedMonthlyMicroUsd))}${num(`<strong>${usdDisplay(r.monthlySavingMicroUsd)}</strong>`, changeColor(-r.monthlySavingMicroUsd))}</tr>`,
      ),
    ),
  );
  parts.push(`<ul style="${P}padding-left:18px;">${s.rightSizingAssumptions.map((a) => `<li>${e(a)}</li>`).join("")}</ul>`);
  parts.push(`<h2 style="${H2}">Savings: arm64 migration (${usdDisplay(s.arm64MonthlyMicroUsd)} per month)</h2>`);
  parts.push(
    table(
      [["x86_64 function", false], ["GB-s / month", true], ["x86_64 / month", true], ["arm64 / month", true], ["Saving / month", true]],
      s.arm64.map((a) => `<tr>${td(e(a.function))}${num(gbsDisplay(a.monthlyGbSeconds))}${num(usdDisplay(a.x86MonthlyMicroUsd))}${num(usdDisplay(a.arm64MonthlyMicroUsd))}${num(`<strong>${usdDisplay(a.monthlySavingMicroUsd)}</strong> (${a.savingPct}%)`)}</tr>`),
    ),
  );
  if (s.arm64Assumption) parts.push(`<p style="${P}color:#6b7280;">${e(s.arm64Assumption)}</p>`);

  parts.push(`<h2 style="${H2}">Daily spend and anomalies</h2>`);
  const anomalous = new Set(report.anomalies.map((a) => a.date));
  parts.push(
    table(
      [["Day", false], ["Spend", true]],
      report.daily.map((d) => `<tr>${td(e(d.date) + (anomalous.has(d.date) ? ' <strong style="color:#b91c1c;">anomaly</strong>' : ""))}${num(usdDisplay(d.microUsd))}</tr>`),
    ),
  );
  parts.push(report.anomalies.length === 0 ? `<p style="${P}">No day's spend was far above its trailing median.</p>` : `<ul style="${P}padding-left:18px;">${report.anomalies.map((a) => `<li>${e(a.reason)}</li>`).join("")}</ul>`);
  parts.push(`<p style="${P}color:#6b7280;">${e(report.notes.daily)}</p>`);

  parts.push(`<h2 style="${H2}">Month-end projection</h2>`);
  const pr = report.projection;
  parts.push(
    pr
      ? `<p style="${P}">${e(pr.month)}: <strong>${usdDisplay(pr.projectedMicroUsd)}</strong> (range ${usdDisplay(pr.lowMicroUsd)} to ${usdDisplay(pr.highMicroUsd)}); ${usdDisplay(pr.monthToDateMicroUsd)} spent through ${e(pr.asOf)}.</p><p style="${P}color:#6b7280;">${e(pr.method)}</p>`
      : `<p style="${P}">Not enough complete days for a projection.</p>`,
  );

  parts.push(`<h2 style="${H2}">Faasight's own monitoring cost (${usdDisplay(report.monitoring.totalMicroUsd)})</h2>`);
  parts.push(
    table(
      [["Item", false], ["Source", false], ["Calls", true], ["Billed", true], ["Cost", true], ["Note", false]],
      report.monitoring.lines.map((l) => `<tr>${td(e(l.item))}${td(e(l.source))}${num(l.calls.toLocaleString("en-US"))}${num(`${Number(l.quantity).toLocaleString("en-US")} ${e(l.unit)}`)}${num(usdDisplay(l.microUsd))}${td(e(l.note), CELL + "color:#6b7280;")}</tr>`),
    ),
  );
  parts.push(`<p style="${P}color:#6b7280;">${e(report.monitoring.method)}</p>`);

  parts.push(`<h2 style="${H2}">How this was computed</h2>`);
  parts.push(`<p style="${P}">${e(report.notes.pricing)}</p>`);
  parts.push(`<p style="${P}">${e(report.notes.tierAttribution)}</p>`);
  parts.push(`<p style="${P}">Price tables: ${report.notes.priceTables.map((p) => `${e(p.region)} (${e(p.version)})`).join(", ") || "none used"}.</p>`);
  if (report.notes.unpricedRegions.length > 0) parts.push(`<p style="${P}color:#b91c1c;">Not priced (no price table): ${e(report.notes.unpricedRegions.join(", "))}. Their usage is shown at $0.</p>`);

  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${e(report.title)}</title></head>
<body style="margin:0;padding:16px;background:#ffffff;${FONT}color:#111827;">
${parts.join("\n")}
<p style="${P}color:#9ca3af;margin-top:24px;">Sent by Faasight. Amounts are exact to the micro-dollar and rounded here for display.</p>
</body></html>
`;
}
