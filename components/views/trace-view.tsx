import Link from "next/link";
import { getDb } from "@/lib/db";
import { getTrace } from "@/lib/queries/traces/get-trace";
import { prepareWaterfall } from "@/lib/charts/prepare-waterfall";
import { formatMs, formatTime } from "@/lib/charts/format";
import { PageHeader } from "../shell/page-header";
import { EmptyState, NotInStore } from "../ui/notices";
import { StatusBadge } from "../ui/status-badge";

/** A trace waterfall: segments and subsegments with timings and fault/error/throttle marks. */
export async function TraceView({ traceId }: { traceId: string }) {
  const { db } = getDb();
  const t = await getTrace(db, traceId);
  if (!t) return <NotInStore what={`Trace ${traceId}`} backHref="/functions" backLabel="All functions" hint="Only traces sampled by X-Ray and collected by the traces collector are stored." />;
  const wf = prepareWaterfall(t.segmentsJson, t.durationMs);
  const marks = [t.fault && "fault", t.error && "error", t.throttle && "throttle"].filter(Boolean) as string[];
  return (
    <>
      <PageHeader
        title={<span className="mono">{t.traceId}</span>}
        crumbs={t.functionName ? [{ href: `/functions/${encodeURIComponent(t.functionName)}`, label: t.functionName }] : [{ href: "/functions", label: "Functions" }]}
        subtitle={
          <>
            {t.rootName ?? t.functionName ?? "trace"} · {formatMs(t.durationMs)} · {formatTime(t.startedAt)}
            {t.httpStatus ? ` · HTTP ${t.httpStatus}` : ""}
            {t.coldStart ? ` · cold start (init ${formatMs(t.initMs)})` : ""}
          </>
        }
      />
      <section className="card" aria-labelledby="wf-h">
        <h2 id="wf-h">
          <span>
            Waterfall
            {marks.length > 0 && (
              <span className="h-badges">
                {marks.map((m) => (
                  <span key={m} className={m === "throttle" ? "badge warn" : "badge bad"}>
                    {m}
                  </span>
                ))}
              </span>
            )}
          </span>
        </h2>
        {wf.rows.length === 0 ? (
          <EmptyState title="No segments to draw">{wf.problem}</EmptyState>
        ) : (
          <>
            <div className="wf" role="table" aria-label={`Trace waterfall, ${wf.rows.length} segments over ${formatMs(wf.totalMs)}`} data-testid="waterfall">
              <div className="wf-row" role="row">
                <div className="wf-name small muted" role="columnheader">
                  Segment
                </div>
                <div className="wf-axis" role="columnheader">
                  <span>0</span>
                  <span>{formatMs(wf.totalMs / 2)}</span>
                  <span>{formatMs(wf.totalMs)}</span>
                </div>
              </div>
              {wf.rows.map((r) => {
                const cls = r.fault ? "fault" : r.error ? "error" : r.throttle ? "throttle" : /^init/i.test(r.name) ? "init" : "";
                const flags = [r.fault && "fault", r.error && "error", r.throttle && "throttled", r.httpStatus && `HTTP ${r.httpStatus}`].filter(Boolean).join(", ");
                return (
                  <div className="wf-row" role="row" key={r.id}>
                    <div className="wf-name" role="cell" style={{ paddingLeft: 8 + r.depth * 14 }} title={r.kind ? `${r.name} (${r.kind})` : r.name}>
                      {r.name}
                      {flags && <span className="visually-hidden"> — {flags}</span>}
                    </div>
                    <div className="wf-track" role="cell" aria-label={`${r.name}: starts at ${formatMs(r.startMs)}, takes ${formatMs(r.durationMs)}${flags ? `, ${flags}` : ""}`}>
                      <div className={`wf-bar ${cls}`} style={{ left: `${r.offsetPct}%`, width: `${r.widthPct}%` }} />
                      <span
                        className={r.widthPct > 40 ? "wf-label inside" : "wf-label"}
                        style={r.widthPct > 40 ? { left: `${r.offsetPct}%` } : r.offsetPct + r.widthPct > 75 ? { right: `calc(${100 - r.offsetPct}% + 6px)` } : { left: `calc(${r.offsetPct + r.widthPct}% + 6px)` }}
                      >
                        {formatMs(r.durationMs)}
                        {flags ? ` · ${flags}` : ""}
                      </span>
                    </div>
                  </div>
                );
              })}
            </div>
            <ul className="legend" style={{ marginTop: 10 }}>
              <li><i style={{ background: "var(--c1)" }} />ok</li>
              <li><i style={{ background: "var(--c5)" }} />initialization</li>
              <li><i style={{ background: "var(--warn)" }} />error (4xx)</li>
              <li><i style={{ background: "var(--bad)" }} />fault (5xx)</li>
              <li><i style={{ background: "var(--c4)" }} />throttled</li>
            </ul>
          </>
        )}
      </section>
      <section className="card section" aria-labelledby="ti-h">
        <h2 id="ti-h">Invocations in this trace</h2>
        {t.invocations.length === 0 ? (
          <p className="muted">No collected invocation carries this trace id yet.</p>
        ) : (
          <ul style={{ margin: 0, paddingLeft: 18 }}>
            {t.invocations.map((i) => (
              <li key={`${i.requestId}-${i.attempt}`}>
                <Link href={`/invocations/${encodeURIComponent(i.requestId)}`} className="mono" data-testid="trace-invocation-link">
                  {i.requestId}
                </Link>{" "}
                {i.functionName} · attempt {i.attempt} · <StatusBadge status={i.status} /> — logs and attempts
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
