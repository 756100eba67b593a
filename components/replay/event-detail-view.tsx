import Link from "next/link";
import { getDb } from "@/lib/db";
import { currentCan } from "@/lib/auth/current";
import { getFailedEventDetail } from "@/lib/queries/failures/get-failed-event";
import { describeErrorCode } from "@/lib/queries/failures/list-failed-events";
import { formatCount, formatTime } from "@/lib/charts/format";
import { PageHeader } from "../shell/page-header";
import { EmptyState, NotInStore } from "../ui/notices";
import { StatusBadge } from "../ui/status-badge";
import { ReplayPanel } from "./replay-panel";

function prettyPayload(p: string): string {
  try {
    return JSON.stringify(JSON.parse(p), null, 2);
  } catch {
    return p;
  }
}

const ACTION_LABEL: Record<string, string> = {
  "failures.replay": "re-invoke",
  "failures.redrive": "redrive",
  "failures.discard": "discard",
  "failures.replay_plan": "dry run",
  "failures.resolve_in_doubt": "resolve in doubt",
  "failures.redrive_queue": "redrive queue",
};

/** One failed event: what failed, its payload and attributes, the replay controls (operators) and its replay and audit history. */
export async function EventDetailView({ id }: { id: number }) {
  const { db } = getDb();
  const [ev, canReplay] = await Promise.all([getFailedEventDetail(db, id), currentCan("failures:replay")]);
  if (!ev) return <NotInStore what={`Failed event ${id}`} backHref="/failures" backLabel="Back to failures" />;
  return (
    <>
      <PageHeader
        title={`Failed event ${ev.id}`}
        crumbs={[{ href: "/failures", label: "Failures" }]}
        subtitle={
          <>
            {ev.functionName ?? "unknown function"}
            {ev.qualifier ? `:${ev.qualifier}` : ""} · {ev.queue.name} · {ev.sourceKind.replace("_", " ")} · <StatusBadge status={ev.status} />
          </>
        }
      />
      <section className="grid grid-2">
        <div className="card">
          <h2>What failed</h2>
          <dl className="facts">
            <dt>Error</dt>
            <dd data-testid="event-error">
              <strong>{describeErrorCode(ev.errorCode) ?? ev.condition ?? "—"}</strong>
              {ev.errorMessage && <div className="sub wrap-anywhere">{ev.errorMessage}</div>}
            </dd>
            <dt>Request</dt>
            <dd className="mono">{ev.requestId ? <Link href={`/invocations/${encodeURIComponent(ev.requestId)}`}>{ev.requestId}</Link> : "—"}</dd>
            <dt>Sent</dt>
            <dd>{formatTime(ev.sentAt ?? ev.firstSeenAt)}</dd>
            <dt>Attempts</dt>
            <dd>{ev.attempts ?? "—"}</dd>
            <dt>Queue</dt>
            <dd>
              <Link href={`/failures?queue=${encodeURIComponent(ev.queue.name)}`}>{ev.queue.name}</Link> <span className="muted small">{ev.queue.role}</span>
            </dd>
            <dt>Message id</dt>
            <dd className="mono wrap-anywhere" data-testid="event-message-id">
              {ev.messageId}
            </dd>
            <dt>Status</dt>
            <dd data-testid="event-status">{ev.status}</dd>
          </dl>
          <h3>Attributes</h3>
          <dl className="facts small">
            {Object.entries(ev.attributes).map(([k, v]) => (
              <div key={k} style={{ display: "contents" }}>
                <dt>{k}</dt>
                <dd className="wrap-anywhere">{v}</dd>
              </div>
            ))}
          </dl>
        </div>
        <div className="card">
          <h2>Payload ({formatCount(Buffer.byteLength(ev.payload, "utf8"))} bytes)</h2>
          <pre className="payload" data-testid="event-payload">
            {prettyPayload(ev.payload)}
          </pre>
        </div>
      </section>
      {canReplay && (
        <section className="card section" aria-labelledby="replay-h">
          <h2 id="replay-h">Replay</h2>
          <ReplayPanel eventId={ev.id} status={ev.status} sourceKind={ev.sourceKind} originalQualifier={ev.qualifier} qualifiers={ev.qualifiers.map((q) => ({ value: q.value, label: q.label }))} inDoubt={ev.status === "replaying" && !!ev.replays[0]?.inDoubt} />
        </section>
      )}
      <section className="card section" aria-labelledby="hist-h">
        <h2 id="hist-h">Replay history</h2>
        {ev.replays.length === 0 ? (
          <EmptyState title="Not replayed yet" />
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="replay-history">
              <thead>
                <tr>
                  <th scope="col">Attempt</th>
                  <th scope="col">When (UTC)</th>
                  <th scope="col">Who</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                  <th scope="col">Status</th>
                  <th scope="col">New request / message</th>
                  <th scope="col">Error</th>
                </tr>
              </thead>
              <tbody>
                {ev.replays.map((a) => (
                  <tr key={a.id}>
                    <td>{a.id}</td>
                    <td className="nowrap">{formatTime(a.createdAt)}</td>
                    <td>{a.actor}</td>
                    <td>{a.action}</td>
                    <td className="mono small wrap-anywhere">
                      {a.target ?? "—"} {a.method && <span className="muted">{a.method}</span>}
                    </td>
                    <td>
                      <StatusBadge status={a.inDoubt ? "in doubt" : a.status} />
                    </td>
                    <td className="mono small">
                      {a.resultRequestId ? a.action === "reinvoke" ? <Link href={`/invocations/${encodeURIComponent(a.resultRequestId)}`}>{a.resultRequestId}</Link> : a.resultRequestId : "—"}
                    </td>
                    <td className="small wrap-anywhere" style={{ maxWidth: 360 }}>
                      {a.error ?? ""}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <h3>Audit log</h3>
        {ev.audit.length === 0 ? (
          <p className="small muted">No action recorded on this event.</p>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="event-audit">
              <thead>
                <tr>
                  <th scope="col">When (UTC)</th>
                  <th scope="col">Who</th>
                  <th scope="col">Action</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {ev.audit.map((r) => (
                  <tr key={r.id} data-testid="audit-row" data-action={r.action} data-outcome={r.outcome}>
                    <td className="nowrap">{formatTime(r.at)}</td>
                    <td>{r.actor}</td>
                    <td>{ACTION_LABEL[r.action] ?? r.action}</td>
                    <td>
                      <StatusBadge status={r.outcome} />
                    </td>
                    <td className="small wrap-anywhere" style={{ maxWidth: 420 }}>
                      {[r.details.result, r.details.qualifier && `qualifier ${String(r.details.qualifier)}`, r.details.requestId && `request ${String(r.details.requestId)}`, r.details.reason && `reason: ${String(r.details.reason)}`, r.details.error]
                        .filter(Boolean)
                        .map(String)
                        .join(" · ")}
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
