import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/lib/db";
import { formatTime } from "@/lib/charts/format";
import { getReportRun, getReportRunContent } from "@/lib/reports/runs";
import { parseCsv } from "@/lib/reports/csv";
import { parseUsdExact, usdDisplay } from "@/lib/reports/money-format";
import { localPeriodLabel } from "@/lib/reports/period-label";
import { PageHeader } from "../shell/page-header";
import { EmptyState } from "../ui/notices";
import { StatusBadge } from "../ui/status-badge";

/** Columns of the stored CSV shown on the page (the download has them all). */
const SHOWN = ["kind", "name", "qualifier", "requests", "gb_seconds", "total_usd", "previous_total_usd", "change_usd", "change_pct"] as const;
const MONEY = new Set(["total_usd", "previous_total_usd", "change_usd"]);
const NUMERIC = new Set(["requests", "gb_seconds", "total_usd", "previous_total_usd", "change_usd", "change_pct"]);

function cell(column: string, value: string): string {
  if (value === "") return "—";
  if (MONEY.has(column)) return usdDisplay(parseUsdExact(value));
  if (column === "gb_seconds") return Number(value).toLocaleString("en-US", { maximumFractionDigits: 1 });
  if (column === "requests") return Number(value).toLocaleString("en-US");
  if (column === "change_pct") return `${value}%`;
  return value;
}

/** One stored report run: its period, status, deliveries, downloads, and the report itself (table from the CSV, the HTML as sent). */
export async function ReportRunView({ id }: { id: number }) {
  const { db } = getDb();
  const run = await getReportRun(db, id);
  if (!run) notFound();
  const has = (f: string) => run.formats.find((x) => x.format === f);
  const [csv, schedule] = await Promise.all([
    has("csv") ? getReportRunContent(db, has("csv")!.runId, "csv") : null,
    run.scheduleId === null ? null : db.reportSchedule.findUnique({ where: { id: run.scheduleId }, select: { timezone: true } }),
  ]);
  const html = has("html");
  let table: { header: string[]; rows: string[][] } | null = null;
  if (csv) {
    const [header, ...rows] = parseCsv(csv.content);
    table = { header, rows };
  }
  const col = (name: string) => table?.header.indexOf(name) ?? -1;
  const periodLabel = localPeriodLabel(run.periodStart, run.periodEnd, schedule?.timezone);
  return (
    <>
      <PageHeader title={`Report run #${run.id}`} subtitle={`${run.scheduleName ?? "deleted schedule"} · ${periodLabel} · created ${formatTime(run.createdAt, false)}`}>
        <Link href="/reports" className="btn">
          All reports
        </Link>
      </PageHeader>
      <section className="card" aria-label="Run">
        <p style={{ margin: 0 }}>
          Status <StatusBadge status={run.status} />
          {run.fireTime && <span className="muted"> · fire time {formatTime(run.fireTime, false)}</span>}
          <span className="muted" data-testid="run-period">
            {" "}
            · period {periodLabel}: {formatTime(run.periodStart, false)} to {formatTime(run.periodEnd, false)} (end exclusive)
          </span>
        </p>
        {run.error && (
          <p className="small" style={{ color: "var(--bad)", overflowWrap: "anywhere" }}>
            {run.error}
          </p>
        )}
        <p data-testid="run-downloads" style={{ margin: "10px 0 0" }}>
          Download:{" "}
          {run.formats.map((f, i) => (
            <span key={f.format}>
              {i > 0 && " · "}
              <a href={`/api/v1/reports/runs/${f.runId}/download?format=${f.format}`} download data-testid={`download-${f.format}`}>
                {f.format.toUpperCase()}
              </a>
            </span>
          ))}
        </p>
        <p className="small muted" style={{ margin: "6px 0 0" }}>
          Deliveries: {run.deliveries.length === 0 ? "none configured (stored only)" : run.deliveries.map((d) => `${d.type} ${d.target}: ${d.ok ? "delivered" : `failed (${d.error ?? "error"})`}`).join("; ")}
        </p>
      </section>
      {table ? (
        <section className="card section" aria-labelledby="run-table-h">
          <h2 id="run-table-h">
            Costs <span className="small muted">from the stored CSV; amounts rounded for display (the download has them to the micro-dollar)</span>
          </h2>
          <div className="table-wrap">
            <table className="table" data-testid="run-csv">
              <thead>
                <tr>
                  {SHOWN.map((c) => (
                    <th key={c} scope="col" className={NUMERIC.has(c) ? "r" : undefined}>
                      {c.replace(/_/g, " ")}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {table.rows.map((row) => {
                  const key = row[col("key")] ?? row.join(",");
                  return (
                    <tr key={key} data-testid={`run-row-${key}`}>
                      {SHOWN.map((c) => {
                        const v = row[col(c)] ?? "";
                        return (
                          <td key={c} className={NUMERIC.has(c) ? "r nowrap" : undefined} data-column={c} data-exact={v}>
                            {row[col("kind")] === "total" && c === "name" ? <strong>{v}</strong> : cell(c, v)}
                          </td>
                        );
                      })}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
      {html ? (
        <section className="card section" aria-labelledby="run-html-h">
          <h2 id="run-html-h">The report as sent</h2>
          <iframe title="Report (HTML)" src={`/api/v1/reports/runs/${html.runId}/download?format=html&inline=1`} sandbox="" style={{ width: "100%", height: 900, border: "1px solid var(--border)", borderRadius: 8, background: "#fff" }} data-testid="run-html" />
        </section>
      ) : null}
      {!table && !html && (
        <section className="card section">
          <EmptyState title={run.status === "running" ? "The report is being built" : "No readable content stored"}>
            {run.formats.some((f) => f.format === "json") ? "Download the JSON above." : "This run stored no content."}
          </EmptyState>
        </section>
      )}
    </>
  );
}
