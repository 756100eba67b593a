import Link from "next/link";
import { getDb } from "@/lib/db";
import { currentCan } from "@/lib/auth/current";
import { listReportSchedules } from "@/lib/reports/schedules";
import { listReportRuns } from "@/lib/reports/runs";
import { formatTime } from "@/lib/charts/format";
import { localPeriodLabel } from "@/lib/reports/period-label";
import { PageHeader } from "../shell/page-header";
import { EmptyState } from "../ui/notices";
import { StatusBadge } from "../ui/status-badge";
import { ScheduleForm } from "../reports/schedule-form";
import { ScheduleActions } from "../reports/schedule-actions";

const channelLabel = (c: { type: "sns"; topicArn: string } | { type: "webhook"; url: string }) => (c.type === "sns" ? `SNS ${c.topicArn.split(":").slice(-1)[0]}` : `webhook ${new URL(c.url).host}`);

/** Scheduled cost reports: schedules (create / edit / run now for admins), run history with downloads. */
export async function ReportsView() {
  const { db } = getDb();
  const [schedules, runs, canManage] = await Promise.all([listReportSchedules(db), listReportRuns(db, { limit: 50 }), currentCan("reports:manage")]);
  const timezoneOf = new Map(schedules.map((s) => [s.id, s.timezone]));
  return (
    <>
      <PageHeader title="Reports" subtitle={`${schedules.length} schedules · ${runs.length} recent runs · cost reports as HTML, CSV and JSON, stored here and sent to SNS or webhooks`} />
      <section className="card" aria-labelledby="rs-h">
        <h2 id="rs-h">Schedules</h2>
        {schedules.length === 0 ? (
          <EmptyState title="No report schedule yet">
            {canManage ? "Create one below, list them in the file named by FAASIGHT_REPORTS_FILE, or print a report once with " : "An admin can create one; meanwhile print a report once with "}
            <code>faasight report --period last-7d --format csv</code>.
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="report-schedules">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">When</th>
                  <th scope="col">Period</th>
                  <th scope="col">Formats / delivery</th>
                  <th scope="col">Last run</th>
                  <th scope="col">Next run</th>
                  {canManage && <th scope="col">Actions</th>}
                </tr>
              </thead>
              <tbody>
                {schedules.map((s) => (
                  <tr key={s.id} data-testid={`schedule-row-${s.name}`}>
                    <td>
                      {s.name}
                      {!s.enabled && <div className="sub">disabled</div>}
                    </td>
                    <td className="nowrap">
                      <span className="mono">{s.cron}</span>
                      <div className="sub">{s.timezone}</div>
                    </td>
                    <td>{s.period}</td>
                    <td>
                      {s.formats.join(", ").toUpperCase()}
                      <div className="sub">{s.channels.length === 0 ? "stored only" : s.channels.map(channelLabel).join(", ")}</div>
                    </td>
                    <td className="nowrap">{formatTime(s.lastRunAt, false)}</td>
                    <td className="nowrap">{s.enabled ? formatTime(s.nextRunAt, false) : "—"}</td>
                    {canManage && (
                      <td style={{ minWidth: 240 }}>
                        <ScheduleActions schedule={s} />
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {canManage && (
        <section className="card section" aria-labelledby="new-h" data-testid="new-schedule">
          <h2 id="new-h">New schedule</h2>
          <ScheduleForm />
          <p className="small muted">Cron is evaluated in the schedule&apos;s time zone (croner); the worker runs due schedules each cycle, once per fire even with several workers. A period is whole local days, compared with the one before it.</p>
        </section>
      )}
      <section className="card section" aria-labelledby="rr-h">
        <h2 id="rr-h">Run history</h2>
        {runs.length === 0 ? (
          <EmptyState title="No report has run yet" />
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="report-runs">
              <thead>
                <tr>
                  <th scope="col">Run</th>
                  <th scope="col">Schedule</th>
                  <th scope="col">Period</th>
                  <th scope="col">Status</th>
                  <th scope="col">Delivery</th>
                  <th scope="col">Downloads</th>
                </tr>
              </thead>
              <tbody>
                {runs.map((r) => (
                  <tr key={r.id} data-testid={`run-row-${r.id}`}>
                    <td className="nowrap">
                      <Link href={`/reports/runs/${r.id}`}>#{r.id}</Link>
                      <div className="sub">{formatTime(r.createdAt, false)}</div>
                    </td>
                    <td>{r.scheduleName ?? "deleted schedule"}</td>
                    <td className="nowrap">{localPeriodLabel(r.periodStart, r.periodEnd, timezoneOf.get(r.scheduleId ?? -1))}</td>
                    <td>
                      <StatusBadge status={r.status} />
                      {r.error && <div className="sub" style={{ maxWidth: 280, overflowWrap: "anywhere" }}>{r.error}</div>}
                    </td>
                    <td className="small">{r.deliveries.length === 0 ? <span className="muted">stored only</span> : r.deliveries.map((d) => `${d.type} ${d.ok ? "ok" : "failed"}`).join(", ")}</td>
                    <td className="nowrap">
                      {r.formats.map((f, i) => (
                        <span key={f.format}>
                          {i > 0 && " · "}
                          <a href={`/api/v1/reports/runs/${f.runId}/download?format=${f.format}`} download>
                            {f.format.toUpperCase()}
                          </a>
                        </span>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
