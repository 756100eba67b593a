import Link from "next/link";
import { getDb } from "@/lib/db";
import { parsePageQuery } from "@/lib/api/page-query";
import { describeRange, mergeParams, type SearchParamsInput } from "@/lib/time-range";
import { describeErrorCode, failureFiltersSchema, listFailedEvents } from "@/lib/queries/failures/list-failed-events";
import { listFailureQueues } from "@/lib/queries/queues/list-failure-queues";
import { formatCount, formatTime } from "@/lib/charts/format";
import { PageHeader } from "../shell/page-header";
import { TimeRangePicker } from "../shell/time-range-picker";
import { AutoRefresh } from "../shell/auto-refresh";
import { EmptyState, QueryProblem } from "../ui/notices";
import { StatusBadge } from "../ui/status-badge";
import { currentCan } from "@/lib/auth/current";
import { BulkReplayForm } from "../replay/bulk-replay-form";

function prettyPayload(p: string): string {
  try {
    return JSON.stringify(JSON.parse(p), null, 2);
  } catch {
    return p;
  }
}

/** DLQ and on-failure destination events, grouped by function and error, with payloads. */
export async function FailuresView({ params }: { params: SearchParamsInput }) {
  const parsed = parsePageQuery(failureFiltersSchema, params, "7d");
  if (!parsed.ok)
    return (
      <>
        <PageHeader title="Failures" />
        <QueryProblem message={parsed.message} resetHref="/failures" />
      </>
    );
  const { range, filters } = parsed.query;
  const { db } = getDb();
  const [data, queues, canReplay] = await Promise.all([listFailedEvents(db, range, filters), listFailureQueues(db), currentCan("failures:replay")]);
  const replayableFunctions = [...new Set(data.groups.map((g) => g.functionName).filter((f): f is string => !!f))].sort();
  const filterHref = (u: Record<string, string | undefined>) => `/failures${mergeParams(params, u)}`;
  const active = [filters.queue && `queue ${filters.queue}`, filters.function && `function ${filters.function}`, filters.errorCode && `error ${filters.errorCode}`].filter(Boolean);
  return (
    <>
      <PageHeader title="Failures" subtitle={`${describeRange(range)} · ${formatCount(data.total)} failed events${active.length ? ` · ${active.join(", ")}` : ""}`}>
        <TimeRangePicker path="/failures" params={params} range={range} />
        <AutoRefresh />
      </PageHeader>
      <section className="grid grid-2" aria-label="Queues and groups">
        <div className="card">
          <h2>Queues</h2>
          {queues.length === 0 ? (
            <EmptyState title="No DLQ or failure destination configured">Configure a dead-letter queue or an on-failure destination on async functions.</EmptyState>
          ) : (
            <div className="table-wrap">
              <table className="table" data-testid="queues-table">
                <thead>
                  <tr>
                    <th scope="col">Queue</th>
                    <th scope="col">Role</th>
                    <th scope="col" className="r">Visible</th>
                    <th scope="col" className="r">In flight</th>
                    <th scope="col">Measured</th>
                  </tr>
                </thead>
                <tbody>
                  {queues.map((q) => (
                    <tr key={q.name}>
                      <td>
                        <Link href={filterHref({ queue: filters.queue === q.name ? undefined : q.name })} aria-current={filters.queue === q.name ? "true" : undefined}>
                          {q.name}
                        </Link>
                      </td>
                      <td>{q.role}</td>
                      <td className="r">{q.depth > 0 ? <span className="badge bad">{formatCount(q.depth)}</span> : "0"}</td>
                      <td className="r">{formatCount(q.depthInFlight)}</td>
                      <td className="small nowrap">{formatTime(q.depthAt, false)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
        <div className="card">
          <h2>By function and error</h2>
          {data.groups.length === 0 ? (
            <EmptyState title="No failed events in this window" />
          ) : (
            <div className="table-wrap">
              <table className="table" data-testid="failure-groups">
                <thead>
                  <tr>
                    <th scope="col">Function</th>
                    <th scope="col">Error</th>
                    <th scope="col" className="r">Events</th>
                    <th scope="col">Queues</th>
                  </tr>
                </thead>
                <tbody>
                  {data.groups.map((g) => (
                    <tr key={`${g.functionName}-${g.errorCode}`}>
                      <td>{g.functionName ? <Link href={filterHref({ function: g.functionName })}>{g.functionName}</Link> : "—"}</td>
                      <td>{g.errorCode ? <Link href={filterHref({ errorCode: g.errorCode })}>{describeErrorCode(g.errorCode)}</Link> : <span className="muted">no error attributes</span>}</td>
                      <td className="r">{formatCount(g.count)}</td>
                      <td className="small">{g.queues.join(", ")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      </section>
      {canReplay && replayableFunctions.length > 0 && (
        <section className="card section" aria-labelledby="bulk-h">
          <h2 id="bulk-h">Bulk replay</h2>
          <BulkReplayForm functions={replayableFunctions} />
        </section>
      )}
      <section className="card section" aria-labelledby="ev-h">
        <h2 id="ev-h">
          Events {active.length > 0 && <Link href="/failures" className="small">clear filters</Link>}
        </h2>
        {data.events.length === 0 ? (
          <EmptyState title="No failed events match">Widen the time range or clear the filters.</EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="failed-events">
              <thead>
                <tr>
                  <th scope="col">Sent (UTC)</th>
                  <th scope="col">Function</th>
                  <th scope="col">Error</th>
                  <th scope="col" className="r">Attempts</th>
                  <th scope="col">Queue</th>
                  <th scope="col">Payload and attributes</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {data.events.map((e) => (
                  <tr key={e.id} data-testid="failed-event-row">
                    <td className="nowrap">{formatTime(e.sentAt ?? e.firstSeenAt)}</td>
                    <td>
                      {e.functionName ?? "—"}
                      {e.qualifier ? <span className="sub"> :{e.qualifier}</span> : null}
                      {e.requestId && (
                        <div className="sub">
                          <Link href={`/invocations/${encodeURIComponent(e.requestId)}`} className="mono">
                            {e.requestId.slice(0, 13)}…
                          </Link>
                        </div>
                      )}
                    </td>
                    <td className="wrap-anywhere" style={{ minWidth: 220, maxWidth: 340 }}>
                      <strong>{describeErrorCode(e.errorCode) ?? e.condition ?? (e.sourceKind === "esm_dlq" ? "Redriven after maxReceiveCount" : "—")}</strong>
                      {e.errorMessage && <div className="sub">{e.errorMessage}</div>}
                    </td>
                    <td className="r">{e.attempts ?? "—"}</td>
                    <td className="nowrap">
                      {e.queue} <StatusBadge status={e.status} />
                      <div className="sub">{e.sourceKind.replace("_", " ")}</div>
                    </td>
                    <td style={{ minWidth: 220, maxWidth: 360 }}>
                      <details>
                        <summary className="small">Payload ({formatCount(e.payload.length)} bytes)</summary>
                        <pre className="payload">{prettyPayload(e.payload)}</pre>
                      </details>
                      <details>
                        <summary className="small">Attributes ({Object.keys(e.attributes).length})</summary>
                        <dl className="facts small" style={{ marginTop: 6 }}>
                          {Object.entries(e.attributes).map(([k, v]) => (
                            <div key={k} style={{ display: "contents" }}>
                              <dt>{k}</dt>
                              <dd className="wrap-anywhere">{v}</dd>
                            </div>
                          ))}
                          <dt>MessageId</dt>
                          <dd className="mono wrap-anywhere">{e.messageId}</dd>
                          <dt>Receive count</dt>
                          <dd>{e.receiveCount}</dd>
                        </dl>
                      </details>
                    </td>
                    <td>
                      <Link href={`/failures/${e.id}`} className="btn small" data-testid="event-open">
                        {canReplay && (e.status === "new" || e.status === "failed_again") ? "Replay…" : "Details"}
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {data.total > data.events.length && (
          <p className="small muted">
            Showing the newest {data.events.length} of {formatCount(data.total)}. <Link href={filterHref({ limit: "500" })}>Show up to 500</Link> or narrow by queue, function or error above.
          </p>
        )}
      </section>
    </>
  );
}
