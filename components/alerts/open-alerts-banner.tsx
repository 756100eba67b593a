import Link from "next/link";
import type { AlertEventRow } from "@/lib/queries/alerts/list-alerts";
import { StatusBadge } from "../ui/status-badge";

/** The open alerts of the function or stage a page shows (nothing when none). */
export function OpenAlertsBanner({ alerts }: { alerts: AlertEventRow[] }) {
  if (alerts.length === 0) return null;
  const firing = alerts.filter((a) => a.state === "firing").length;
  return (
    <section className={`notice ${firing > 0 ? "bad" : "warn"}`} role="status" aria-label="Open alerts" data-testid="open-alerts-banner" style={{ marginBottom: 16 }}>
      <strong>
        {firing > 0 ? `${firing} alert${firing === 1 ? "" : "s"} firing` : `${alerts.length} alert${alerts.length === 1 ? "" : "s"} pending`}
      </strong>{" "}
      <Link href="/alerts">Alerts →</Link>
      <ul style={{ margin: "6px 0 0", paddingLeft: 18 }}>
        {alerts.slice(0, 5).map((a) => (
          <li key={a.id}>
            <StatusBadge status={a.state} /> {a.rule} <span className="muted small">({a.scopeKey}{a.value !== null ? ` · value ${Number(a.value.toPrecision(4))}, threshold ${a.threshold}` : ""})</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
