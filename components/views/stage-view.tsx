import Link from "next/link";
import { getOpenAlertsFor } from "@/lib/queries/alerts/open-alerts-for";
import { OpenAlertsBanner } from "../alerts/open-alerts-banner";
import { getDb } from "@/lib/db";
import { parsePageQuery } from "@/lib/api/page-query";
import { describeRange, mergeParams, type SearchParamsInput } from "@/lib/time-range";
import { stageRequestFiltersSchema } from "@/lib/queries/stages/list-stage-requests";
import { getStageView } from "@/lib/queries/stages/get-stage-view";
import { formatCount, formatMs, formatPercent, formatTime } from "@/lib/charts/format";
import { PageHeader } from "../shell/page-header";
import { TimeRangePicker } from "../shell/time-range-picker";
import { AutoRefresh } from "../shell/auto-refresh";
import { Stat } from "../ui/stat";
import { EmptyState, NotInStore, QueryProblem } from "../ui/notices";
import { StatusBadge } from "../ui/status-badge";
import { ChartFigure } from "../charts/chart-figure";

/** An API stage: status codes with causes, latency vs integration latency, cache, canary, 5xx → invocations. */
export async function StageView({ api, stage, params }: { api: string; stage: string; params: SearchParamsInput }) {
  const base = `/apis/${encodeURIComponent(api)}/${encodeURIComponent(stage)}`;
  const parsed = parsePageQuery(stageRequestFiltersSchema, params);
  if (!parsed.ok)
    return (
      <>
        <PageHeader title={`${api} / ${stage}`} crumbs={[{ href: "/apis", label: "APIs" }]} />
        <QueryProblem message={parsed.message} resetHref={base} />
      </>
    );
  const { range, filters } = parsed.query;
  const { db } = getDb();
  const [v, alerts] = await Promise.all([getStageView(db, api, stage, range, filters), getOpenAlertsFor(db, { kind: "stage", api, stage })]);
  if (!v) return <NotInStore what={`Stage “${api}/${stage}”`} backHref="/apis" backLabel="All API stages" />;
  const s = v.stats;
  const statusHref = (st: string) => `${base}${mergeParams(params, { status: st === "5xx" ? undefined : st })}#requests`;
  return (
    <>
      <PageHeader
        title={`${v.stage.api} / ${v.stage.stage}`}
        crumbs={[{ href: "/apis", label: "APIs" }]}
        subtitle={
          <>
            {describeRange(range)} · {v.stage.apiType} API {v.stage.apiId}
            {v.stage.cacheEnabled ? ` · cache ${v.stage.cacheSize ?? "on"} GB` : " · no cache"}
            {v.stage.canaryPercent != null ? ` · canary ${v.stage.canaryPercent}%` : ""}
          </>
        }
      >
        <TimeRangePicker path={base} params={params} range={range} />
        <AutoRefresh />
      </PageHeader>
      <OpenAlertsBanner alerts={alerts} />
      <section className="stats" aria-label="Stage health">
        <Stat label="Requests" value={formatCount(s.requests)} testId="stage-requests" />
        <Stat label="4xx" value={formatCount(s.status4xx)} sub={formatPercent(s.errorRate4xx)} tone={s.status4xx > 0 ? "warn" : undefined} testId="stage-4xx" />
        <Stat label="5xx" value={formatCount(s.status5xx)} sub={formatPercent(s.errorRate5xx)} tone={s.status5xx > 0 ? "bad" : undefined} testId="stage-5xx" />
        <Stat label="Latency p99" value={formatMs(s.p99LatencyMs)} sub={`avg ${formatMs(s.avgLatencyMs)} · p50 ${formatMs(s.p50LatencyMs)}`} />
        <Stat label="Gateway overhead" value={formatMs(s.avgOverheadMs)} sub={`integration avg ${formatMs(s.avgIntegrationLatencyMs)}`} />
        <Stat label="Cache hit ratio" value={v.stage.cacheEnabled ? formatPercent(s.cacheHitRatio) : "off"} sub={v.stage.cacheEnabled ? `${formatCount(s.cacheHits)} hits / ${formatCount(s.cacheMisses)} misses` : "caching is not enabled"} testId="stage-cache" />
      </section>

      <section className="card section" aria-labelledby="st-h">
        <h2 id="st-h">Errors by status code</h2>
        {v.statuses.length === 0 ? (
          <EmptyState title="No 4xx or 5xx responses in this window" />
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="status-table">
              <thead>
                <tr>
                  <th scope="col">Status</th>
                  <th scope="col" className="r">Count</th>
                  <th scope="col" className="r">Share</th>
                  <th scope="col">Likely cause</th>
                  <th scope="col">What to check</th>
                </tr>
              </thead>
              <tbody>
                {v.statuses.map((r) => (
                  <tr key={r.status} data-testid={`status-${r.status}`}>
                    <td>
                      <Link href={statusHref(String(r.status))} className={r.status >= 500 ? "badge bad" : "badge warn"}>
                        {r.status}
                      </Link>
                    </td>
                    <td className="r" data-testid="status-count">{formatCount(r.count)}</td>
                    <td className="r">{formatPercent(r.share)}</td>
                    <td>
                      <strong>{r.cause}</strong>
                    </td>
                    <td className="small">{r.action}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="grid grid-2 section" aria-label="Charts">
        <ChartFigure title="Requests, 4xx, 5xx" description="counts per bucket" data={v.series.traffic} testId="stage-traffic-chart" partialLast={range.preset !== "custom"} />
        <ChartFigure title="Latency vs integration latency" description="average gateway latency, average integration latency and p99 latency; the gap is gateway overhead" data={v.series.latency} testId="stage-latency-chart" />
        {v.series.cache && <ChartFigure title="Cache hit ratio" description="cache hits over hits plus misses" data={v.series.cache} testId="stage-cache-chart" />}
        {v.variants.length > 0 && (
          <div className="card" data-testid="canary-vs-base">
            <h2>Canary vs base</h2>
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Variant</th>
                    <th scope="col" className="r">Requests</th>
                    <th scope="col" className="r">4xx</th>
                    <th scope="col" className="r">5xx rate</th>
                    <th scope="col" className="r">Latency avg</th>
                    <th scope="col" className="r">p99</th>
                  </tr>
                </thead>
                <tbody>
                  {v.variants.map((x) => (
                    <tr key={x.variant}>
                      <td>{x.variant}</td>
                      <td className="r">{formatCount(x.stats.requests)}</td>
                      <td className="r">{formatCount(x.stats.status4xx)}</td>
                      <td className="r">{formatPercent(x.stats.errorRate5xx)}</td>
                      <td className="r">{formatMs(x.stats.avgLatencyMs)}</td>
                      <td className="r">{formatMs(x.stats.p99LatencyMs)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        )}
      </section>

      <section className="card section" id="requests" aria-labelledby="rq-h">
        <h2 id="rq-h">
          {filters.status} responses <span className="small muted">with the Lambda invocation behind each</span>
        </h2>
        <nav className="chips" aria-label="Status filter">
          {["5xx", "4xx", ...v.statuses.map((x) => String(x.status))].map((st) => (
            <Link key={st} className="chip" href={statusHref(st)} aria-current={filters.status === st ? "true" : undefined}>
              {st}
            </Link>
          ))}
        </nav>
        {v.requests.length === 0 ? (
          <EmptyState title={`No ${filters.status} requests stored in this window`}>Access-log rows are kept for a bounded recent window; try a shorter, more recent range.</EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="stage-requests-table">
              <thead>
                <tr>
                  <th scope="col">Time (UTC)</th>
                  <th scope="col">Request</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="r">Latency</th>
                  <th scope="col" className="r">Integration</th>
                  <th scope="col">Lambda invocation</th>
                </tr>
              </thead>
              <tbody>
                {v.requests.map((r) => (
                  <tr key={r.requestId} data-testid="stage-request-row" data-status={r.status}>
                    <td className="nowrap">{formatTime(r.at)}</td>
                    <td className="wrap-anywhere">
                      {r.route && r.method && r.route.startsWith(`${r.method} `) ? r.route : [r.method, r.route].filter(Boolean).join(" ")}
                      <div className="sub mono">{r.requestId}</div>
                      {r.canary && <span className="badge">canary</span>}
                    </td>
                    <td>
                      <span className={r.status >= 500 ? "badge bad" : "badge warn"}>{r.status}</span>
                      {r.integrationStatus ? <div className="sub">integration {r.integrationStatus}</div> : null}
                    </td>
                    <td className="r">{formatMs(r.latencyMs)}</td>
                    <td className="r">{formatMs(r.integrationLatencyMs)}</td>
                    <td className="wrap-anywhere">
                      {r.invocation ? (
                        <>
                          <Link href={`/invocations/${encodeURIComponent(r.invocation.requestId)}`} data-testid="stage-invocation-link">
                            {r.invocation.functionName}
                          </Link>{" "}
                          <StatusBadge status={r.invocation.status} />
                          <div className="sub">
                            {r.invocation.errorType ?? ""} {formatMs(r.invocation.durationMs)}
                          </div>
                        </>
                      ) : (
                        <span className="muted small">{r.status === 429 || r.status === 403 ? "rejected before Lambda" : "not correlated"}</span>
                      )}
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
