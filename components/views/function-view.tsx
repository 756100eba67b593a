import Link from "next/link";
import { getOpenAlertsFor } from "@/lib/queries/alerts/open-alerts-for";
import { OpenAlertsBanner } from "../alerts/open-alerts-banner";
import { getDb } from "@/lib/db";
import { parsePageQuery } from "@/lib/api/page-query";
import { describeRange, mergeParams, timeRangeToParams, type SearchParamsInput } from "@/lib/time-range";
import { functionPageFiltersSchema } from "@/lib/queries/functions/function-page-filters";
import { INVOCATION_STATUS_FILTERS } from "@/lib/queries/functions/list-invocations";
import { getFunctionView } from "@/lib/queries/functions/get-function-view";
import { SPEND_NOTE } from "@/lib/queries/shared/cost";
import { formatVersion, formatBytes, formatCount, formatGbSeconds, formatMb, formatMs, formatPercent, formatTime, formatUsd } from "@/lib/charts/format";
import { PageHeader } from "../shell/page-header";
import { TimeRangePicker } from "../shell/time-range-picker";
import { AutoRefresh } from "../shell/auto-refresh";
import { Stat } from "../ui/stat";
import { EmptyState, NotInStore, QueryProblem } from "../ui/notices";
import { StatusBadge } from "../ui/status-badge";
import { ChartFigure } from "../charts/chart-figure";
import { LogLines } from "../ui/log-lines";

const STATUS_LABEL: Record<(typeof INVOCATION_STATUS_FILTERS)[number], string> = { all: "All", errors: "Errors", timeouts: "Timeouts", cold: "Cold starts", throttles: "Throttles" };

/** Alias rows come from metrics: no durations or billed time to show. */
const fromMetrics = (q: { kind: string; stats: { invocations: number; billedMs: number } }) => q.kind === "alias" && q.stats.invocations > 0 && q.stats.billedMs === 0;

/** The function page: latency, traffic, cold starts, canary verdicts, errors, invocations, configuration. */
export async function FunctionView({ name, params }: { name: string; params: SearchParamsInput }) {
  const base = `/functions/${encodeURIComponent(name)}`;
  const parsed = parsePageQuery(functionPageFiltersSchema, params);
  if (!parsed.ok)
    return (
      <>
        <PageHeader title={name} crumbs={[{ href: "/functions", label: "Functions" }]} />
        <QueryProblem message={parsed.message} resetHref={base} />
      </>
    );
  const { range, filters } = parsed.query;
  const { db, provider } = getDb();
  const [view, alerts] = await Promise.all([getFunctionView(db, name, range, filters, provider, parsed.now), getOpenAlertsFor(db, { kind: "function", name })]);
  if (!view) return <NotInStore what={`Function “${name}”`} backHref="/functions" backLabel="All functions" />;
  const { config, stats } = view;
  const rq = timeRangeToParams(range);
  const qHref = (q: string) => `${base}${mergeParams(params, { qualifier: q === "$ALL" ? undefined : q })}`;
  const sHref = (s: string) => `${base}${mergeParams(params, { status: s === "all" ? undefined : s })}#invocations`;
  const qualifier = filters.qualifier ?? "$ALL";
  const live = range.preset !== "custom";
  return (
    <>
      <PageHeader
        title={name}
        crumbs={[{ href: `/functions${mergeParams({}, rq)}`, label: "Functions" }]}
        subtitle={
          <>
            {describeRange(range)} · {qualifier === "$ALL" ? "all versions" : `qualifier ${qualifier}`} · {config.runtime ?? "unknown runtime"} · {config.architecture} · {formatMb(config.memoryMb)}
          </>
        }
      >
        <TimeRangePicker path={base} params={params} range={range} />
        <AutoRefresh />
      </PageHeader>
      <OpenAlertsBanner alerts={alerts} />

      {view.qualifiers.length > 1 && (
        <nav className="chips" aria-label="Qualifier">
          {view.qualifiers.map((q) => (
            <Link key={q.qualifier} className="chip" href={qHref(q.qualifier)} aria-current={q.qualifier === qualifier ? "true" : undefined}>
              {q.qualifier === "$ALL" ? "All" : q.kind === "alias" ? `alias ${q.qualifier}` : formatVersion(q.qualifier)}
            </Link>
          ))}
        </nav>
      )}

      <section className="stats" aria-label="Function health">
        <Stat label="Invocations" value={formatCount(stats.invocations)} sub={`${formatCount(stats.throttles)} throttles`} testId="fn-invocations" />
        <Stat label="Errors" value={formatCount(stats.errors)} sub={`${formatPercent(stats.errorRate)} error rate`} tone={stats.errorRate !== null && stats.errorRate >= 0.01 ? "bad" : undefined} testId="fn-errors" />
        <Stat label="Timeouts" value={formatCount(stats.timeouts)} sub={`timeout ${config.timeoutSec} s`} tone={stats.timeouts > 0 ? "warn" : undefined} testId="fn-timeouts" />
        <Stat label="p99 duration" value={formatMs(stats.p99Ms)} sub={`p50 ${formatMs(stats.p50Ms)} · p90 ${formatMs(stats.p90Ms)}`} testId="fn-latency" />
        <Stat label="Cold starts" value={formatPercent(stats.coldStartRate)} sub={`${formatCount(stats.coldStarts)} · init p50 ${formatMs(stats.initP50Ms)}`} testId="fn-cold" />
        <Stat label="Cost" value={view.spendMicros !== null ? formatUsd(view.spendMicros) : "—"} sub={formatGbSeconds(stats.gbSeconds)} testId="fn-cost" />
      </section>

      {view.canaries.length > 0 && (
        <section className="section grid" aria-label="Canary comparison">
          {view.canaries.map((c) => {
            const tone = c.verdict.outcome === "worse" ? "bad" : c.verdict.outcome === "better" ? "good" : c.verdict.outcome === "insufficient" ? "warn" : "";
            return (
              <div key={`${c.alias}-${c.verdict.canaryVersion}`} className={`notice ${tone}`} data-testid="canary-verdict">
                <h2>
                  Canary on alias {c.alias}: {c.weights.map((w) => `v${w.version} ${Math.round(w.weight * 100)}%`).join(" / ")}
                </h2>
                <p className="verdict" data-testid="canary-headline">
                  {c.verdict.headline}
                </p>
                <div className="table-wrap">
                  <table className="table" style={{ marginTop: 8 }}>
                    <thead>
                      <tr>
                        <th scope="col">Version</th>
                        <th scope="col" className="r">Traffic</th>
                        <th scope="col" className="r">Invocations</th>
                        <th scope="col" className="r">Error rate</th>
                        <th scope="col" className="r">p99</th>
                        <th scope="col" className="r">Cold-start rate</th>
                      </tr>
                    </thead>
                    <tbody>
                      {c.versions.map((v) => (
                        <tr key={v.version}>
                          <td>
                            <Link href={qHref(v.version)}>v{v.version}</Link> {v.version === c.verdict.canaryVersion ? <span className="badge">canary</span> : <span className="badge">stable</span>}
                          </td>
                          <td className="r">{Math.round(v.weight * 100)}%</td>
                          <td className="r">{formatCount(v.stats?.invocations ?? 0)}</td>
                          <td className="r">{formatPercent(v.stats?.errorRate)}</td>
                          <td className="r">{formatMs(v.stats?.p99Ms)}</td>
                          <td className="r">{formatPercent(v.stats?.coldStartRate)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                <p className="small muted">
                  {c.verdict.checks.map((ch) => `${ch.label}: ${ch.outcome === "insufficient" ? ch.detail : ch.outcome}`).join(" · ")}. Rates: two-proportion z-test at α = 0.01, at least 100 invocations per version; p99: worse when more than 20% (and 5 ms) higher with 500+ invocations each.
                </p>
              </div>
            );
          })}
        </section>
      )}

        <section className="card section" aria-labelledby="in-h">
        <h2 id="in-h">Insights</h2>
        {view.insights.length === 0 ? (
          <p className="muted">Nothing to flag in the configuration.</p>
        ) : (
          <ul style={{ margin: 0, padding: 0, listStyle: "none", display: "grid", gap: 8 }} data-testid="insights">
            {view.insights.map((i) => (
              <li key={i.id} className={`notice ${i.severity === "critical" ? "bad" : i.severity === "warning" ? "warn" : ""}`}>
                <strong>{i.title}</strong>
                <p className="small">{i.detail}</p>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="grid grid-2 section" aria-label="Charts">
        <ChartFigure title="Latency" description="p50, p90 and p99 duration per bucket, from merged histograms" data={view.series.latency} testId="latency-chart" partialLast={live} />
        <ChartFigure title="Invocations" description="invocations per bucket" data={view.series.traffic} keys={["invocations"]} testId="traffic-chart" partialLast={live} />
        <ChartFigure title="Errors, throttles, timeouts" description="errors, throttles and timeouts per bucket" data={view.series.traffic} keys={["errors", "throttles", "timeouts"]} colorOffset={1} testId="errors-chart" partialLast={live} />
        <ChartFigure title="Cold starts" description="cold starts per bucket" data={view.series.coldStarts} keys={["coldStarts"]} kind="bar" testId="cold-chart" partialLast={live} />
        {view.series.concurrency ? (
          <ChartFigure title="Concurrency" description="maximum concurrent executions per bucket (CloudWatch)" data={view.series.concurrency} testId="concurrency-chart" />
        ) : (
          <div className="card">
            <h2>Concurrency</h2>
            <EmptyState title="No ConcurrentExecutions metric collected">The metrics collector stores it per function; it appears after the next cycle.</EmptyState>
          </div>
        )}
      </section>

      <section className="card section" aria-labelledby="q-h">
        <h2 id="q-h">By alias and version</h2>
        <div className="table-wrap">
          <table className="table" data-testid="qualifier-table">
            <thead>
              <tr>
                <th scope="col">Qualifier</th>
                <th scope="col" className="r">Invocations</th>
                <th scope="col" className="r">Errors</th>
                <th scope="col" className="r">Error rate</th>
                <th scope="col" className="r">p50</th>
                <th scope="col" className="r">p99</th>
                <th scope="col" className="r">Cold starts</th>
                <th scope="col" className="r">Init p50</th>
                <th scope="col" className="r">Max memory</th>
                <th scope="col" className="r">GB-s</th>
              </tr>
            </thead>
            <tbody>
              {view.qualifiers.map((q) => (
                <tr key={q.qualifier} data-testid={`qualifier-${q.qualifier}`}>
                  <td>
                    <Link href={qHref(q.qualifier)}>{q.qualifier === "$ALL" ? "All" : q.kind === "alias" ? `alias ${q.qualifier}` : formatVersion(q.qualifier)}</Link>
                  </td>
                  <td className="r" data-testid="q-invocations">{formatCount(q.stats.invocations)}</td>
                  <td className="r" data-testid="q-errors">{formatCount(q.stats.errors)}</td>
                  <td className="r">{formatPercent(q.stats.errorRate)}</td>
                  <td className="r">{formatMs(q.stats.p50Ms)}</td>
                  <td className="r">{formatMs(q.stats.p99Ms)}</td>
                  <td className="r">
                    {fromMetrics(q) ? "—" : formatCount(q.stats.coldStarts)} {!fromMetrics(q) && <span className="sub">({formatPercent(q.stats.coldStartRate)})</span>}
                  </td>
                  <td className="r">{formatMs(q.stats.initP50Ms)}</td>
                  <td className="r">{formatMb(q.stats.maxMemoryUsedMb)}</td>
                  <td className="r">{fromMetrics(q) ? "—" : formatGbSeconds(q.stats.gbSeconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {view.qualifiers.some(fromMetrics) && <p className="small muted">Alias rows are counted from CloudWatch metrics (invocations, errors, throttles); durations and cold starts are per executed version.</p>}
      </section>

      <section className="section">
        <div className="card" aria-labelledby="eg-h">
          <h2 id="eg-h">Error groups</h2>
          {view.errorGroups.length === 0 ? (
            <EmptyState title="No errors in this window" />
          ) : (
            <div className="table-wrap">
              <table className="table" data-testid="error-groups">
                <thead>
                  <tr>
                    <th scope="col">Error</th>
                    <th scope="col" className="r">Count</th>
                    <th scope="col">Versions</th>
                    <th scope="col">First / last seen</th>
                  </tr>
                </thead>
                <tbody>
                  {view.errorGroups.map((g) => (
                    <tr key={g.fingerprint}>
                      <td className="wrap-anywhere">
                        <strong>{g.errorType}</strong>
                        <div className="sub">{g.sampleMessage ?? g.messagePattern}</div>
                      </td>
                      <td className="r">{formatCount(g.count)}</td>
                      <td>{g.versions.map(formatVersion).join(", ") || "—"}</td>
                      <td className="nowrap small">
                        {formatTime(g.firstSeenAt, false)}
                        <br />
                        {formatTime(g.lastSeenAt, false)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      </section>

      <section className="card section" id="invocations" aria-labelledby="inv-h">
        <h2 id="inv-h">
          Recent invocations <span className="small muted">newest first · raw rows are kept for a bounded recent window</span>
        </h2>
        <nav className="chips" aria-label="Invocation filter">
          {INVOCATION_STATUS_FILTERS.map((s) => (
            <Link key={s} className="chip" href={sHref(s)} aria-current={filters.status === s ? "true" : undefined}>
              {STATUS_LABEL[s]}
            </Link>
          ))}
        </nav>
        {view.invocations.length === 0 ? (
          <EmptyState title="No invocations match">Try another filter or a longer time range; raw invocations older than the retention window are only in the rollups.</EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="invocations-table">
              <thead>
                <tr>
                  <th scope="col">Started (UTC)</th>
                  <th scope="col">Request</th>
                  <th scope="col">Version</th>
                  <th scope="col" className="r">Attempt</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="r">Duration</th>
                  <th scope="col" className="r">Memory</th>
                  <th scope="col">Trace</th>
                </tr>
              </thead>
              <tbody>
                {view.invocations.map((i) => (
                  <tr key={i.id} data-testid="invocation-row" data-status={i.status}>
                    <td className="nowrap">{formatTime(i.startedAt)}</td>
                    <td className="wrap-anywhere" style={{ minWidth: 220 }}>
                      <Link href={`/invocations/${encodeURIComponent(i.requestId)}`} className="mono">
                        {i.requestId}
                      </Link>
                      {i.errorType && (
                        <div className="sub">
                          {i.errorType}
                          {i.errorMessage ? `: ${i.errorMessage}` : ""}
                        </div>
                      )}
                      {i.logLines.length > 0 && (
                        <details className="inv">
                          <summary className="small">Log lines ({i.logLines.length})</summary>
                          <LogLines lines={i.logLines} />
                        </details>
                      )}
                    </td>
                    <td>
                      {formatVersion(i.version)}
                      {i.alias ? <span className="sub"> via {i.alias}</span> : null}
                    </td>
                    <td className="r">{i.attempt}</td>
                    <td>
                      <StatusBadge status={i.status} /> {i.coldStart && <span className="badge">cold</span>}
                    </td>
                    <td className="r">{formatMs(i.durationMs)}</td>
                    <td className="r nowrap">
                      {i.maxMemoryUsedMb ?? "—"} / {i.memoryMb} MB
                    </td>
                    <td>{i.traceId ? <Link href={`/traces/${encodeURIComponent(i.traceId)}`}>trace</Link> : <span className="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="card section" aria-labelledby="cfg-h">
        <h2 id="cfg-h">Configuration</h2>
        <div className="grid grid-2">
          <dl className="facts" data-testid="config-facts">
            <dt>Runtime</dt>
            <dd>{config.runtime ?? "—"}</dd>
            <dt>Architecture</dt>
            <dd>{config.architecture}</dd>
            <dt>Memory</dt>
            <dd>{formatMb(config.memoryMb)}</dd>
            <dt>Timeout</dt>
            <dd>{config.timeoutSec} s</dd>
            <dt>Ephemeral storage</dt>
            <dd>{formatMb(config.ephemeralMb)}</dd>
            <dt>Package</dt>
            <dd>
              {config.packageType} · {formatBytes(config.codeSizeBytes)}
            </dd>
            <dt>Layers</dt>
            <dd>{config.layers.length ? config.layers.join(", ") : "none"}</dd>
            <dt>Handler</dt>
            <dd className="mono">{config.handler ?? "—"}</dd>
          </dl>
          <dl className="facts">
            <dt>Tracing</dt>
            <dd>{config.tracingMode}</dd>
            <dt>VPC</dt>
            <dd>{config.vpc ? `${config.vpc.vpcId ?? "VPC"} · ${config.vpc.subnets} subnets · ${config.vpc.securityGroups} security groups` : "not attached"}</dd>
            <dt>Log group</dt>
            <dd className="mono">
              {config.logGroup} ({config.logFormat})
            </dd>
            <dt>DLQ</dt>
            <dd className="wrap-anywhere">{config.dlqTargetArn ?? "none"}</dd>
            <dt>On failure</dt>
            <dd className="wrap-anywhere">{config.onFailureDestination ?? "none"}</dd>
            <dt>Async retries</dt>
            <dd>
              {config.maxRetryAttempts ?? 2} retries{config.maxEventAgeSec ? ` · max event age ${config.maxEventAgeSec} s` : ""}
            </dd>
            <dt>Reserved concurrency</dt>
            <dd>{config.reservedConcurrency ?? "unreserved"}</dd>
            <dt>Aliases</dt>
            <dd>
              {config.aliases.length
                ? config.aliases.map((a) => `${a.name} → v${a.functionVersion}${Object.entries(a.routing).map(([v, w]) => ` + v${v} ${Math.round(w * 100)}%`).join("")}`).join("; ")
                : "none"}
            </dd>
            <dt>Provisioned concurrency</dt>
            <dd>{config.provisioned.length ? config.provisioned.map((p) => `${p.qualifier}: ${p.allocated}/${p.requested} (${p.status})`).join("; ") : "none"}</dd>
          </dl>
        </div>
      </section>
      <p className="footer-note">Cost: {SPEND_NOTE}</p>
    </>
  );
}
