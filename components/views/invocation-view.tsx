import Link from "next/link";
import { getDb } from "@/lib/db";
import { getInvocation } from "@/lib/queries/invocations/get-invocation";
import { formatCount, formatMs, formatTime, formatVersion } from "@/lib/charts/format";
import { PageHeader } from "../shell/page-header";
import { EmptyState, NotInStore } from "../ui/notices";
import { StatusBadge } from "../ui/status-badge";
import { LogLines } from "../ui/log-lines";

/** One request: every attempt, its log lines, traces, the gateway request and DLQ events. */
export async function InvocationView({ requestId }: { requestId: string }) {
  const { db } = getDb();
  const inv = await getInvocation(db, requestId);
  if (!inv) return <NotInStore what={`Invocation ${requestId}`} backHref="/functions" backLabel="All functions" hint="Raw invocations are kept for a bounded recent window; older ones exist only in the rollups." />;
  const last = inv.attempts[inv.attempts.length - 1]!;
  return (
    <>
      <PageHeader
        title={<span className="mono">{inv.requestId}</span>}
        crumbs={[
          { href: "/functions", label: "Functions" },
          { href: `/functions/${encodeURIComponent(inv.functionName)}`, label: inv.functionName },
        ]}
        subtitle={
          <>
            {inv.attempts.length} attempt{inv.attempts.length === 1 ? "" : "s"} · last <StatusBadge status={last.status} /> · {formatVersion(last.version)}
            {last.alias ? ` via ${last.alias}` : ""}
          </>
        }
      />
      <section className="card" aria-labelledby="att-h">
        <h2 id="att-h">Attempts</h2>
        <div className="table-wrap">
          <table className="table" data-testid="attempts">
            <thead>
              <tr>
                <th scope="col" className="r">Attempt</th>
                <th scope="col">Started (UTC)</th>
                <th scope="col">Status</th>
                <th scope="col">Error</th>
                <th scope="col" className="r">Duration</th>
                <th scope="col" className="r">Billed</th>
                <th scope="col" className="r">Memory used</th>
                <th scope="col" className="r">Init</th>
                <th scope="col">Trace</th>
              </tr>
            </thead>
            <tbody>
              {inv.attempts.map((a) => (
                <tr key={a.id}>
                  <td className="r">{a.attempt}</td>
                  <td className="nowrap">{formatTime(a.startedAt)}</td>
                  <td>
                    <StatusBadge status={a.status} /> {a.coldStart && <span className="badge">cold</span>}
                  </td>
                  <td className="wrap-anywhere">{a.errorType ? `${a.errorType}${a.errorMessage ? `: ${a.errorMessage}` : ""}` : "—"}</td>
                  <td className="r" data-testid="attempt-duration" data-ms={a.durationMs}>
                    {formatMs(a.durationMs)}
                  </td>
                  <td className="r nowrap">{formatCount(a.billedMs)} ms</td>
                  <td className="r nowrap">
                    {a.maxMemoryUsedMb ?? "—"} / {a.memoryMb} MB
                  </td>
                  <td className="r">{formatMs(a.initMs)}</td>
                  <td className="nowrap">
                    {a.traceId ? (
                      <Link href={`/traces/${encodeURIComponent(a.traceId)}`} data-testid="trace-link">
                        View trace
                      </Link>
                    ) : (
                      <span className="muted">not traced</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section className="card section" aria-labelledby="log-h">
        <h2 id="log-h">Log lines</h2>
        {inv.logLines.length === 0 ? (
          <EmptyState title="No log lines stored for this request">The logs collector may not have reached them yet, or they are older than the raw-log retention.</EmptyState>
        ) : (
          <LogLines lines={inv.logLines} testId="invocation-logs" />
        )}
      </section>
      <section className="grid grid-2 section">
        <div className="card">
          <h2>API Gateway request</h2>
          {inv.apiRequests.length === 0 ? (
            <p className="muted">Not invoked through a collected API stage.</p>
          ) : (
            <ul style={{ margin: 0, paddingLeft: 18 }}>
              {inv.apiRequests.map((r) => (
                <li key={r.requestId}>
                  <Link href={`/apis/${encodeURIComponent(r.api)}/${encodeURIComponent(r.stage)}`}>
                    {r.api}/{r.stage}
                  </Link>{" "}
                  {r.method} {r.route} → <span className={r.status >= 500 ? "badge bad" : r.status >= 400 ? "badge warn" : "badge good"}>{r.status}</span> <span className="muted small">{formatMs(r.latencyMs)}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div className="card">
          <h2>Failed events</h2>
          {inv.failedEvents.length === 0 ? (
            <p className="muted">No DLQ or destination message for this request.</p>
          ) : (
            <ul style={{ margin: 0, paddingLeft: 18 }}>
              {inv.failedEvents.map((f) => (
                <li key={f.id}>
                  <Link href={`/failures?queue=${encodeURIComponent(f.queue)}&range=30d`}>{f.queue}</Link> ({f.sourceKind}) · {f.errorCode ?? "error"} after {f.attempts ?? "?"} attempts
                </li>
              ))}
            </ul>
          )}
        </div>
      </section>
      <p className="footer-note">
        Function timeout {inv.timeoutSec} s · memory {inv.functionMemoryMb} MB.
      </p>
    </>
  );
}
