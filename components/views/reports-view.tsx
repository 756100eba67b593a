import { getDb } from "@/lib/db";
import { listReports } from "@/lib/queries/reports/list-reports";
import { formatTime } from "@/lib/charts/format";
import { PageHeader } from "../shell/page-header";
import { EmptyState } from "../ui/notices";
import { StatusBadge } from "../ui/status-badge";

/** Report schedules and runs (content and delivery arrive with scheduled cost reports). */
export async function ReportsView() {
  const { db } = getDb();
  const { schedules, runs } = await listReports(db);
  return (
    <>
      <PageHeader title="Reports" subtitle={`${schedules.length} schedules · ${runs.length} recent runs`} />
      <section className="card" aria-labelledby="rs-h">
        <h2 id="rs-h">Schedules</h2>
        {schedules.length === 0 ? (
          <EmptyState title="No report schedule yet">
            Scheduled cost reports (HTML, CSV, JSON to SNS and webhooks) are configured with <code>faasight report</code> in a later release.
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="report-schedules">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Cron</th>
                  <th scope="col">Period</th>
                  <th scope="col">Last run</th>
                  <th scope="col">Next run</th>
                </tr>
              </thead>
              <tbody>
                {schedules.map((s) => (
                  <tr key={s.name}>
                    <td>{s.name}</td>
                    <td className="mono">
                      {s.cron} <span className="muted">{s.timezone}</span>
                    </td>
                    <td>{s.period}</td>
                    <td>{formatTime(s.lastRunAt, false)}</td>
                    <td>{formatTime(s.nextRunAt, false)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="card section" aria-labelledby="rr-h">
        <h2 id="rr-h">Runs</h2>
        {runs.length === 0 ? (
          <EmptyState title="No report has run" />
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="report-runs">
              <thead>
                <tr>
                  <th scope="col">Created</th>
                  <th scope="col">Schedule</th>
                  <th scope="col">Period</th>
                  <th scope="col">Format</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {runs.map((r) => (
                  <tr key={r.id}>
                    <td>{formatTime(r.createdAt, false)}</td>
                    <td>{r.schedule ?? "on demand"}</td>
                    <td>
                      {r.periodStart.slice(0, 10)} – {r.periodEnd.slice(0, 10)}
                    </td>
                    <td>{r.format}</td>
                    <td>
                      <StatusBadge status={r.status} />
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
