import Link from "next/link";
import { getDb } from "@/lib/db";
import { parsePageQuery } from "@/lib/api/page-query";
import { emptyFilters } from "@/lib/api/query";
import { describeRange, mergeParams, timeRangeToParams, type SearchParamsInput } from "@/lib/time-range";
import { getOverview, type Offender } from "@/lib/queries/overview/get-overview";
import { formatAgo, formatStep, formatCount, formatGbSeconds, formatMs, formatPercent, formatUsd, formatTime } from "@/lib/charts/format";
import { PageHeader } from "../shell/page-header";
import { TimeRangePicker } from "../shell/time-range-picker";
import { AutoRefresh } from "../shell/auto-refresh";
import { Stat } from "../ui/stat";
import { EmptyState, QueryProblem } from "../ui/notices";
import { StatusBadge } from "../ui/status-badge";
import { ChartFigure } from "../charts/chart-figure";
import { Sparkline } from "../charts/time-series-chart";

/** The overview: fleet health, top offenders, alerts, DLQs and collector status. */
export async function OverviewView({ params }: { params: SearchParamsInput }) {
  const parsed = parsePageQuery(emptyFilters, params);
  if (!parsed.ok)
    return (
      <>
        <PageHeader title="Overview" />
        <QueryProblem message={parsed.message} resetHref="/" />
      </>
    );
  const { range } = parsed.query;
  const { db } = getDb();
  const data = await getOverview(db, range, parsed.now);
  const rq = mergeParams({}, timeRangeToParams(range));
  const fnHref = (name: string, extra: Record<string, string> = {}) => `/functions/${encodeURIComponent(name)}${mergeParams({}, { ...timeRangeToParams(range), ...extra })}`;
  const f = data.fleet;
  const noData = data.functions.length === 0;
  return (
    <>
      <PageHeader
        title="Overview"
        subtitle={
          <>
            {describeRange(range)} · {f.functions} functions
            {data.coverage.to && <> · data up to {formatTime(data.coverage.to, false)}</>}
          </>
        }
      >
        <TimeRangePicker path="/" params={params} range={range} />
        <AutoRefresh />
      </PageHeader>
      {noData ? (
        <EmptyState title="No functions in the store yet">
          Run <code>faasight demo</code> for the sandbox shop, or point Faasight at an AWS account and start <code>faasight worker</code>; the first collection takes about a minute.
        </EmptyState>
      ) : (
        <>
          <section className="stats" aria-label="Fleet health">
            <Stat label="Invocations" value={formatCount(f.invocations)} sub={`${formatCount(f.coldStarts)} cold starts`} testId="fleet-invocations" />
            <Stat label="Error rate" value={formatPercent(f.errorRate)} sub={`${formatCount(f.errors)} errors · ${formatCount(f.timeouts)} timeouts`} tone={f.errorRate !== null && f.errorRate >= 0.01 ? "bad" : undefined} testId="fleet-error-rate" />
            <Stat label="Throttles" value={formatCount(f.throttles)} sub={f.throttleRate !== null ? `${formatPercent(f.throttleRate)} of requests` : undefined} tone={f.throttles > 0 ? "warn" : undefined} testId="fleet-throttles" />
            <Stat label="p99 duration" value={formatMs(f.p99Ms)} sub={`p50 ${formatMs(f.p50Ms)}`} testId="fleet-p99" />
            <Stat label="Cold-start rate" value={formatPercent(f.coldStartRate)} sub={`avg init ${formatMs(f.avgInitMs)}`} testId="fleet-cold-rate" />
            <Stat label="Spend in window" value={f.spendMicros !== null ? formatUsd(f.spendMicros) : formatGbSeconds(f.gbSeconds)} sub={formatGbSeconds(f.gbSeconds)} testId="fleet-spend" />
            <Stat
              label="Spend this month"
              value={formatUsd(data.month.monthToDateMicros)}
              sub={data.month.projectedMicros !== null ? `month-end ≈ ${formatUsd(data.month.projectedMicros)}` : "projection needs a day of data"}
              testId="month-spend"
            />
          </section>

          <section className="grid grid-3 section" aria-label="Fleet charts">
            <ChartFigure title="Invocations" description={`invocations of all functions per ${formatStep(data.series.stepMs)}`} data={data.series} keys={["invocations"]} testId="fleet-traffic-chart" partialLast={range.preset !== "custom"} />
            <ChartFigure title="Errors and throttles" description={`errors and throttles of all functions per ${formatStep(data.series.stepMs)}`} data={data.series} keys={["errors", "throttles"]} testId="fleet-errors-chart" colorOffset={1} partialLast={range.preset !== "custom"} />
            <ChartFigure title="p99 duration" description="fleet p99 duration merged from every function's histogram" data={data.series} keys={["p99Ms"]} testId="fleet-latency-chart" partialLast={range.preset !== "custom"} />
          </section>

          <section className="grid grid-3 section" aria-label="Top offenders">
            <OffenderList title="Most errors" items={data.offenders.errors} format={(o) => `${formatCount(o.value)} errors`} href={(n) => `${fnHref(n, { status: "errors" })}#invocations`} testId="offenders-errors" />
            <OffenderList title="Slowest (p99)" items={data.offenders.latency} format={(o) => formatMs(o.value)} href={(n) => fnHref(n)} testId="offenders-latency" />
            <OffenderList title="Highest cost" items={data.offenders.cost} format={(o) => (f.spendMicros !== null ? formatUsd(o.value) : formatGbSeconds(o.value))} href={(n) => fnHref(n)} testId="offenders-cost" />
            <OffenderList title="Cold-start rate" items={data.offenders.coldStarts} format={(o) => formatPercent(o.value)} href={(n) => fnHref(n, { status: "cold" })} testId="offenders-cold" />
            <div className="card">
              <h2>Open alerts</h2>
              {data.openAlerts.length === 0 ? (
                <p className="muted">No alert is firing. <Link href="/alerts">Alert rules</Link></p>
              ) : (
                <ul style={{ margin: 0, paddingLeft: 18 }}>
                  {data.openAlerts.map((a) => (
                    <li key={a.id}>
                      <StatusBadge status={a.state} /> {a.rule} <span className="muted">({a.scopeKey})</span>
                    </li>
                  ))}
                </ul>
              )}
            </div>
            <div className="card" data-testid="dlq-depths">
              <h2>
                Dead-letter queues <Link href={`/failures${rq}`} className="small">Failures →</Link>
              </h2>
              {data.queues.length === 0 ? (
                <p className="muted">No DLQ or failure destination is configured.</p>
              ) : (
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">Queue</th>
                      <th scope="col" className="r">
                        Depth
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.queues.map((q) => (
                      <tr key={q.name}>
                        <td>
                          <Link href={`/failures${mergeParams({}, { ...timeRangeToParams(range), queue: q.name })}`}>{q.name}</Link> <span className="muted small">{q.role}</span>
                        </td>
                        <td className="r">
                          <span className={q.depth > 0 ? "badge bad" : "badge"}>{formatCount(q.depth)}</span>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </div>
          </section>

          <section className="card section" aria-labelledby="fn-h">
            <h2 id="fn-h">Functions</h2>
            {data.fleet.functions > data.functions.length ? (
              <p className="muted small" data-testid="functions-shown">
                The {data.functions.length} busiest of {formatCount(data.fleet.functions)} functions.{" "}
                <Link href={`/functions${mergeParams({}, timeRangeToParams(range))}`}>All functions</Link>
              </p>
            ) : null}
            <div className="table-wrap">
              <table className="table" data-testid="functions-table">
                <thead>
                  <tr>
                    <th scope="col">Function</th>
                    <th scope="col">Trend</th>
                    <th scope="col" className="r">Invocations</th>
                    <th scope="col" className="r">Errors</th>
                    <th scope="col" className="r">Error rate</th>
                    <th scope="col" className="r">p99</th>
                    <th scope="col" className="r">Cold starts</th>
                    <th scope="col" className="r">Compute</th>
                  </tr>
                </thead>
                <tbody>
                  {data.functions.map((fn) => (
                    <tr key={fn.name} data-testid={`fn-row-${fn.name}`}>
                      <td>
                        <Link href={fnHref(fn.name)}>{fn.name}</Link>
                        <div className="sub">
                          {fn.runtime ?? "?"} · {fn.architecture} · {fn.memoryMb} MB
                        </div>
                      </td>
                      <td>
                        <Sparkline data={fn.sparkline} label={`${fn.name}: invocations (blue) and errors (red) over the window`} />
                      </td>
                      <td className="r" data-testid="invocations">{formatCount(fn.stats.invocations)}</td>
                      <td className="r" data-testid="errors">{formatCount(fn.stats.errors)}</td>
                      <td className="r">
                        <span className={fn.stats.errorRate !== null && fn.stats.errorRate >= 0.01 ? "badge bad" : ""}>{formatPercent(fn.stats.errorRate)}</span>
                      </td>
                      <td className="r">{formatMs(fn.stats.p99Ms)}</td>
                      <td className="r">{formatPercent(fn.stats.coldStartRate)}</td>
                      <td className="r">{fn.spendMicros !== null ? formatUsd(fn.spendMicros) : formatGbSeconds(fn.stats.gbSeconds)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </>
      )}

      <section className="card section" aria-labelledby="col-h" data-testid="collector-status">
        <h2 id="col-h">Collector status</h2>
        {data.collectors.length === 0 ? (
          <EmptyState title="No collection has run yet">
            Start the worker (<code>faasight worker</code>) or the demo (<code>faasight demo</code>).
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Source</th>
                  <th scope="col">Collector</th>
                  <th scope="col">Last cycle</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="r">Rows written</th>
                  <th scope="col" className="r">API calls</th>
                  <th scope="col" className="r">Throttled</th>
                  <th scope="col" className="r">Malformed lines</th>
                </tr>
              </thead>
              <tbody>
                {data.collectors.map((c) => (
                  <tr key={`${c.source}/${c.collector}`}>
                    <td>{c.source}</td>
                    <td>{c.collector}</td>
                    <td className="nowrap" title={c.finishedAt ? formatTime(c.finishedAt) : undefined}>
                      {c.finishedAt ? formatAgo(new Date(c.finishedAt), parsed.now) : "running"}
                    </td>
                    <td>
                      <StatusBadge status={c.status} />
                      {c.error && <div className="sub wrap-anywhere">{c.error}</div>}
                    </td>
                    <td className="r">{formatCount(c.written)}</td>
                    <td className="r">{formatCount(c.calls)}</td>
                    <td className="r">{c.throttled > 0 ? <span className="badge warn">{formatCount(c.throttled)}</span> : "0"}</td>
                    <td className="r">{c.malformed > 0 ? <span className="badge warn">{formatCount(c.malformed)}</span> : "0"}</td>
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

function OffenderList({ title, items, format, href, testId }: { title: string; items: Offender[]; format: (o: Offender) => string; href: (name: string) => string; testId: string }) {
  return (
    <div className="card" data-testid={testId}>
      <h2>{title}</h2>
      {items.length === 0 ? (
        <p className="muted">Nothing to report in this window.</p>
      ) : (
        <ol style={{ margin: 0, paddingLeft: 18, display: "grid", gap: 4 }}>
          {items.map((o) => (
            <li key={o.name}>
              <Link href={href(o.name)}>{o.name}</Link> <span className="muted num">{format(o)}</span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
