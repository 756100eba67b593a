import { getDb } from "@/lib/db";
import { listAlerts } from "@/lib/queries/alerts/list-alerts";
import { formatTime } from "@/lib/charts/format";
import { PageHeader } from "../shell/page-header";
import { EmptyState } from "../ui/notices";
import { StatusBadge } from "../ui/status-badge";

/** Alert rules and recent alert events (rules are managed in a later release). */
export async function AlertsView() {
  const { db } = getDb();
  const { rules, events } = await listAlerts(db, { limit: 100 });
  return (
    <>
      <PageHeader title="Alerts" subtitle={`${rules.length} rules · ${events.filter((e) => e.state !== "resolved").length} open`} />
      <section className="card" aria-labelledby="ae-h">
        <h2 id="ae-h">Events</h2>
        {events.length === 0 ? (
          <EmptyState title="No alert has fired">Alert rules notify SNS topics and webhooks when error rate, p99 or DLQ depth cross a threshold.</EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="alert-events">
              <thead>
                <tr>
                  <th scope="col">State</th>
                  <th scope="col">Rule</th>
                  <th scope="col">Scope</th>
                  <th scope="col" className="r">Value / threshold</th>
                  <th scope="col">Started</th>
                  <th scope="col">Resolved</th>
                </tr>
              </thead>
              <tbody>
                {events.map((e) => (
                  <tr key={e.id}>
                    <td>
                      <StatusBadge status={e.state} />
                    </td>
                    <td>
                      {e.rule} <span className="muted small">{e.kind}</span>
                    </td>
                    <td>{e.scopeKey}</td>
                    <td className="r">
                      {e.value ?? "—"} / {e.threshold}
                    </td>
                    <td className="nowrap">{formatTime(e.startedAt, false)}</td>
                    <td className="nowrap">{formatTime(e.resolvedAt, false)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="card section" aria-labelledby="ar-h">
        <h2 id="ar-h">Rules</h2>
        {rules.length === 0 ? (
          <EmptyState title="No alert rules yet">Rules and their SNS/webhook channels are configured in a later release; they will be listed here.</EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="alert-rules">
              <thead>
                <tr>
                  <th scope="col">Rule</th>
                  <th scope="col">Kind</th>
                  <th scope="col" className="r">Threshold</th>
                  <th scope="col" className="r">Window</th>
                  <th scope="col">Severity</th>
                  <th scope="col">Channels</th>
                  <th scope="col">Enabled</th>
                </tr>
              </thead>
              <tbody>
                {rules.map((r) => (
                  <tr key={r.name}>
                    <td>{r.name}</td>
                    <td>{r.kind}</td>
                    <td className="r">{r.threshold}</td>
                    <td className="r">{r.windowMinutes} min</td>
                    <td>{r.severity}</td>
                    <td>{r.channels.join(", ") || "—"}</td>
                    <td>{r.enabled ? "yes" : "no"}</td>
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
