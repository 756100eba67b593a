import Link from "next/link";
import { getDb } from "@/lib/db";
import { parsePageQuery } from "@/lib/api/page-query";
import { describeRange, mergeParams, timeRangeToParams, type SearchParamsInput } from "@/lib/time-range";
import { getCostPage } from "@/lib/queries/cost/get-cost-page";
import { sortCostRows, COST_SORTS, type CostSort } from "@/lib/queries/cost/sort-cost-rows";
import { costPageFilters } from "@/lib/queries/cost/cost-filters";
import { SPEND_GROUPS, type SpendGroup } from "@/lib/queries/cost/get-spend-series";
import { formatCount, formatMb, formatPercent } from "@/lib/charts/format";
import type { CostReportRow } from "@/lib/reports/model";
import { PageHeader } from "../shell/page-header";
import { TimeRangePicker } from "../shell/time-range-picker";
import { Stat } from "../ui/stat";
import { EmptyState, QueryProblem } from "../ui/notices";
import { ChartFigure } from "../charts/chart-figure";
import { Change, Money, usd } from "../cost/money";

const gbs = (s: string) => `${Number(s).toLocaleString("en-US", { maximumFractionDigits: 1 })} GB-s`;

/** Cost: per function / alias / stage, exact vs estimate, projection, anomalies, right-sizing, arm64, PC, Faasight's own cost. */
export async function CostView({ params }: { params: SearchParamsInput }) {
  const parsed = parsePageQuery(costPageFilters, params, "7d");
  if (!parsed.ok)
    return (
      <>
        <PageHeader title="Cost" />
        <QueryProblem message={parsed.message} resetHref="/cost" />
      </>
    );
  const { range, filters } = parsed.query;
  const sort = filters.sort as CostSort;
  const { db } = getDb();
  const c = await getCostPage(db, range, parsed.now, { seriesBy: filters.by });
  const r = c.report;
  const t = r.totals;
  const savingsMonthly = r.savings.rightSizingMonthlyMicroUsd + r.savings.arm64MonthlyMicroUsd;
  const rq = mergeParams({}, timeRangeToParams(range));
  const sortHref = (s: CostSort) => `/cost${mergeParams(params, { sort: s === "spend" ? null : s })}`;
  const byHref = (b: SpendGroup) => `/cost${mergeParams(params, { by: b === "function" ? null : b })}`;
  const rows = sortCostRows(r.rows, sort);
  const p = r.projection;
  return (
    <>
      <PageHeader title="Cost" subtitle={`${describeRange(range)} · Lambda, API Gateway and Faasight's own monitoring · ${r.period.label} UTC vs ${r.previousPeriod.label}`}>
        <TimeRangePicker path="/cost" params={params} range={range} />
      </PageHeader>
      <section className="stats" aria-label="Spend">
        <Stat label="Spend in window" value={<Money micro={t.current.totalMicroUsd} testId="cost-total-value" />} sub={<Change micro={t.changeMicroUsd} pct={t.changePct} />} testId="cost-total" />
        <Stat label="Lambda compute" value={usd(t.current.computeMicroUsd)} sub={`${gbs(t.current.gbSeconds)} · requests ${usd(t.current.lambdaRequestsMicroUsd)}`} />
        <Stat label="API Gateway" value={usd(t.current.apiGatewayMicroUsd)} sub={`${formatCount(t.current.apiRequests)} requests`} />
        <Stat
          label={p ? `Projection for ${p.month}` : "Month-end projection"}
          value={p ? usd(p.projectedMicroUsd) : "—"}
          sub={p ? <span data-testid="projection-range">range {usd(p.lowMicroUsd)} – {usd(p.highMicroUsd)}</span> : "needs a complete day of data"}
          testId="cost-projection"
        />
        <Stat label="Possible monthly saving" value={usd(savingsMonthly)} sub="right-sizing + arm64, below" testId="cost-savings" />
        <Stat label="Faasight's own cost" value={usd(r.monitoring.totalMicroUsd)} sub="CloudWatch API calls it made" testId="cost-monitoring" />
      </section>

      <section className="section">
        <nav className="small" aria-label="Group spend over time by" style={{ marginBottom: 6 }} data-testid="cost-chart-by">
          Spend over time by{" "}
          {SPEND_GROUPS.map((b, i) => (
            <span key={b}>
              {i > 0 && " · "}
              {b === c.seriesBy ? <strong>{b}</strong> : <Link href={byHref(b)}>{b}</Link>}
            </span>
          ))}
        </nav>
        <ChartFigure
          title={`Spend over time by ${c.seriesBy}`}
          description={`spend per bucket ${c.seriesBy === "service" ? "of Lambda duration, Lambda requests and API Gateway" : `of the three most expensive ${c.seriesBy === "stage" ? "API stages" : "functions"} and the rest`}, stacked (first volume tier: a trend, not a bill)`}
          data={c.series}
          kind="bar"
          testId="cost-chart"
        />
      </section>

      <section className="card section" aria-labelledby="cost-rows-h">
        <h2 id="cost-rows-h">
          By function, alias and API stage{" "}
          <span className="small muted">
            sort by{" "}
            {COST_SORTS.map((s, i) => (
              <span key={s}>
                {i > 0 && " · "}
                {s === sort ? <strong>{s}</strong> : <Link href={sortHref(s)}>{s}</Link>}
              </span>
            ))}
          </span>
        </h2>
        {rows.length === 0 ? (
          <EmptyState title="No spend in this window">Choose a longer time range, or check the collector status on the overview.</EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="cost-by-function">
              <thead>
                <tr>
                  <th scope="col">Function / alias / stage</th>
                  <th scope="col">Arch / memory</th>
                  <th scope="col" className="r">Requests</th>
                  <th scope="col" className="r">Billed GB-s</th>
                  <th scope="col" className="r">Spend</th>
                  <th scope="col" className="r">vs previous</th>
                  <th scope="col" className="r">Per 1,000</th>
                  <th scope="col">How</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <CostRow key={row.key} row={row} rq={rq} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        <details className="fallback" data-testid="tier-method" open>
          <summary>How tiers are attributed</summary>
          <p className="small">{r.notes.tierAttribution}</p>
          <p className="small muted">
            {r.notes.pricing} {r.notes.aliases} Price tables: {r.notes.priceTables.map((x) => `${x.region} (${x.version})`).join(", ") || "none used"}.
            {r.notes.unpricedRegions.length > 0 && ` Not priced: ${r.notes.unpricedRegions.join(", ")}.`}
          </p>
        </details>
      </section>

      <section className="card section" aria-labelledby="rec-h" data-testid="reconciliation">
        <h2 id="rec-h">
          Exact vs metric estimate{" "}
          <span className="small muted">
            exact <Money micro={c.reconciliation.exactMicroUsd} testId="reconcile-exact" /> · estimate <Money micro={c.reconciliation.estimateMicroUsd} testId="reconcile-estimate" /> · difference{" "}
            <Money micro={c.reconciliation.estimateMicroUsd - c.reconciliation.exactMicroUsd} testId="reconcile-difference" />
          </span>
        </h2>
        <p className="small muted">{c.reconciliation.method}</p>
        {c.reconciliation.rows.length === 0 ? (
          <EmptyState title="Nothing to reconcile in this window" />
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Function</th>
                  <th scope="col" className="r">Invocations (logs / metrics)</th>
                  <th scope="col" className="r">Billed ms (exact / est.)</th>
                  <th scope="col" className="r">Exact</th>
                  <th scope="col" className="r">Estimate</th>
                  <th scope="col" className="r">Difference</th>
                  <th scope="col">Why they differ</th>
                </tr>
              </thead>
              <tbody>
                {c.reconciliation.rows.map((x) => (
                  <tr key={`${x.source}/${x.function}`} data-testid={`reconcile-row-${x.function}`}>
                    <td>
                      <Link href={`/functions/${encodeURIComponent(x.function)}${rq}`}>{x.function}</Link>
                      <div className="sub">
                        {x.architecture} · {formatMb(x.memoryMb)}
                      </div>
                    </td>
                    <td className="r nowrap">
                      {formatCount(x.result.exact.invocations)} / {formatCount(x.result.estimate.invocations)}
                    </td>
                    <td className="r nowrap">
                      {formatCount(x.result.exact.billedMs)} / {formatCount(Math.round(x.result.estimate.billedMs))}
                    </td>
                    <td className="r">
                      <Money micro={x.result.exact.microUsd} />
                    </td>
                    <td className="r">
                      <Money micro={x.result.estimate.microUsd} />
                    </td>
                    <td className="r nowrap">
                      <Money micro={x.result.differenceMicroUsd} />
                      {x.result.differencePct !== null && <div className="sub">{x.result.differencePct.toFixed(2)}%</div>}
                    </td>
                    <td style={{ minWidth: 260 }}>
                      <details>
                        <summary className="small">
                          {x.result.explanation.at(-1)}
                          {x.durationSource === "report-lines" && " Duration sum from REPORT lines."}
                        </summary>
                        <ul className="small" style={{ margin: "4px 0 0", paddingLeft: 18 }}>
                          {x.result.explanation.slice(0, -1).map((line, i) => (
                            <li key={i}>{line}</li>
                          ))}
                        </ul>
                      </details>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="grid grid-2 section">
        <div className="card" data-testid="projection">
          <h2>Month-end projection</h2>
          {p ? (
            <>
              <p style={{ margin: "4px 0" }}>
                <strong data-testid="projection-value">{usd(p.projectedMicroUsd)}</strong> for {p.month}, likely between <strong data-testid="projection-low">{usd(p.lowMicroUsd)}</strong> and{" "}
                <strong data-testid="projection-high">{usd(p.highMicroUsd)}</strong>.
              </p>
              <p className="small muted">
                Month to date ({p.daysElapsed} of {p.daysInMonth} days, as of {p.asOf}): {usd(p.monthToDateMicroUsd)}. {p.method}
                {p.lowMicroUsd === p.highMicroUsd && p.projectedMicroUsd !== p.monthToDateMicroUsd && " The range is a single point until the window holds days that differ (one day of data has no spread)."}
              </p>
            </>
          ) : (
            <EmptyState title="No complete day in this window">The projection needs at least one complete day of spend.</EmptyState>
          )}
        </div>
        <div className="card" data-testid="anomalies">
          <h2>Spend anomalies</h2>
          {r.anomalies.length === 0 ? (
            <p className="muted">No day in this window is far above its trailing median.</p>
          ) : (
            <ul style={{ margin: 0, paddingLeft: 18 }}>
              {r.anomalies.map((a) => (
                <li key={a.date} data-testid={`anomaly-${a.date}`}>
                  <strong>{a.date}</strong>: {usd(a.microUsd)} vs median {usd(a.medianMicroUsd)}. <span className="small muted">{a.reason}</span>
                </li>
              ))}
            </ul>
          )}
          <p className="small muted">
            A day is an anomaly when its spend exceeds the median of the 14 days before it by more than 3 x 1.4826 x the median absolute deviation (at least $1), with 7 days of history. {r.notes.daily}
          </p>
        </div>
      </section>

      <section className="card section" aria-labelledby="rs-h" data-testid="right-sizing">
        <h2 id="rs-h">
          Right-sizing <span className="small muted">monthly saving {usd(r.savings.rightSizingMonthlyMicroUsd)}</span>
        </h2>
        {r.savings.rightSizing.length === 0 ? (
          <p className="muted">Every function&apos;s memory fits what it uses.</p>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Function</th>
                  <th scope="col" className="r">Memory now</th>
                  <th scope="col" className="r">p99 max used</th>
                  <th scope="col" className="r">Recommended</th>
                  <th scope="col" className="r">Avg billed ms now → est.</th>
                  <th scope="col" className="r">Invocations / month</th>
                  <th scope="col" className="r">Monthly now → after</th>
                  <th scope="col" className="r">Monthly saving</th>
                </tr>
              </thead>
              <tbody>
                {r.savings.rightSizing.map((x) => (
                  <tr key={x.key} data-testid={`rs-row-${x.function}`}>
                    <td>
                      <Link href={`/functions/${encodeURIComponent(x.function)}${rq}`}>{x.function}</Link>
                      <div className="sub">
                        {x.architecture} · {x.action === "insufficient-data" ? "no memory samples" : x.action}
                      </div>
                    </td>
                    <td className="r">{formatMb(x.currentMemoryMb)}</td>
                    <td className="r">{formatMb(x.p99MaxMemoryUsedMb)}</td>
                    <td className="r" data-testid="rs-recommended">
                      <strong>{formatMb(x.recommendedMemoryMb)}</strong>
                    </td>
                    <td className="r nowrap">
                      {x.currentAvgBilledMs.toLocaleString("en-US", { maximumFractionDigits: 1 })} → {x.estimatedAvgBilledMs.toLocaleString("en-US", { maximumFractionDigits: 1 })}
                    </td>
                    <td className="r">{formatCount(x.invocationsPerMonth)}</td>
                    <td className="r nowrap">
                      {usd(x.currentMonthlyMicroUsd)} → {usd(x.recommendedMonthlyMicroUsd)}
                    </td>
                    <td className="r" data-testid="rs-saving">
                      <Money micro={x.monthlySavingMicroUsd} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <div data-testid="rs-assumptions">
          <h3 className="small" style={{ margin: "10px 0 4px" }}>
            Assumptions
          </h3>
          <ul className="small muted" style={{ margin: 0, paddingLeft: 18 }}>
            {r.savings.rightSizingAssumptions.map((a) => (
              <li key={a}>{a}</li>
            ))}
          </ul>
        </div>
      </section>

      <section className="grid grid-2 section">
        <div className="card" data-testid="arm64">
          <h2>
            arm64 migration <span className="small muted">monthly saving {usd(r.savings.arm64MonthlyMicroUsd)}</span>
          </h2>
          {r.savings.arm64.length === 0 ? (
            <p className="muted">No x86_64 function ran in this window.</p>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Function</th>
                    <th scope="col" className="r">GB-s / month</th>
                    <th scope="col" className="r">x86 → arm64</th>
                    <th scope="col" className="r">Saving</th>
                  </tr>
                </thead>
                <tbody>
                  {r.savings.arm64.map((x) => (
                    <tr key={x.key} data-testid={`arm64-row-${x.function}`}>
                      <td>{x.function}</td>
                      <td className="r">{gbs(x.monthlyGbSeconds)}</td>
                      <td className="r nowrap">
                        {usd(x.x86MonthlyMicroUsd)} → {usd(x.arm64MonthlyMicroUsd)}
                      </td>
                      <td className="r nowrap">
                        <Money micro={x.monthlySavingMicroUsd} /> <span className="sub">({x.savingPct.toFixed(1)}%)</span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {r.savings.arm64Assumption && <p className="small muted">{r.savings.arm64Assumption}</p>}
        </div>
        <div className="card" data-testid="provisioned">
          <h2>Provisioned concurrency</h2>
          {c.provisioned.length === 0 ? (
            <p className="muted">No function has provisioned concurrency configured.</p>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Function:alias</th>
                    <th scope="col" className="r">Utilisation</th>
                    <th scope="col" className="r">Allocation</th>
                    <th scope="col" className="r">Idle</th>
                    <th scope="col" className="r">Spillover</th>
                  </tr>
                </thead>
                <tbody>
                  {c.provisioned.map((x) => (
                    <tr key={`${x.function}:${x.qualifier}`} data-testid={`pc-row-${x.function}-${x.qualifier}`}>
                      <td>
                        {x.function}:{x.qualifier}
                        <div className="sub">
                          {x.concurrency} x {formatMb(x.memoryMb)} · {x.architecture}
                        </div>
                      </td>
                      <td className="r nowrap">
                        {formatPercent(x.utilisation)}
                        <div className="sub">peak {formatPercent(x.peakUtilisation)} · break-even {formatPercent(x.breakEvenUtilisation)}</div>
                      </td>
                      <td className="r">{usd(x.allocationMicroUsd)}</td>
                      <td className="r" data-testid="pc-idle">
                        {usd(x.idleMicroUsd)}
                      </td>
                      <td className="r nowrap">
                        {usd(x.spilloverMicroUsd)}
                        <div className="sub">{formatCount(x.spilloverInvocations)} invocations</div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {c.provisioned.map((x) => (
            <p key={`${x.function}:${x.qualifier}`} className="small">
              {x.function}:{x.qualifier}: {x.verdict}
            </p>
          ))}
          {c.provisioned[0] && (
            <ul className="small muted" style={{ margin: 0, paddingLeft: 18 }}>
              {c.provisioned[0].assumptions.map((a) => (
                <li key={a}>{a}</li>
              ))}
            </ul>
          )}
        </div>
      </section>

      <section className="card section" aria-labelledby="mon-h" data-testid="monitoring-cost">
        <h2 id="mon-h">
          Faasight&apos;s own monitoring cost <span className="small muted">{usd(r.monitoring.totalMicroUsd)} in this window</span>
        </h2>
        {r.monitoring.lines.length === 0 ? (
          <p className="muted">No collector run recorded API calls in this window.</p>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Source</th>
                  <th scope="col">Item</th>
                  <th scope="col" className="r">Calls</th>
                  <th scope="col" className="r">Billed quantity</th>
                  <th scope="col" className="r">Cost</th>
                  <th scope="col">Note</th>
                </tr>
              </thead>
              <tbody>
                {r.monitoring.lines.map((l) => (
                  <tr key={`${l.source}/${l.item}`}>
                    <td className="nowrap">
                      {l.source}
                      <div className="sub">{l.region}</div>
                    </td>
                    <td>{l.item}</td>
                    <td className="r">{formatCount(l.calls)}</td>
                    <td className="r nowrap">
                      {Number(l.quantity).toLocaleString("en-US")} {l.unit}
                    </td>
                    <td className="r">
                      <Money micro={l.microUsd} />
                    </td>
                    <td className="small muted">{l.note}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p className="small muted">{r.monitoring.method}</p>
      </section>
    </>
  );
}

function CostRow({ row, rq }: { row: CostReportRow; rq: string }) {
  const label =
    row.kind === "stage" ? (
      <Link href={`/stages/${encodeURIComponent(row.name)}/${encodeURIComponent(row.qualifier ?? "")}${rq}`}>
        {row.name} / {row.qualifier}
      </Link>
    ) : (
      <>
        {row.kind === "alias" && <span className="muted">↳ </span>}
        <Link href={`/functions/${encodeURIComponent(row.name)}${rq}`}>{row.name}</Link>
        {row.kind === "alias" && <span className="muted">:{row.qualifier}</span>}
      </>
    );
  const testId = `cost-row-${row.kind}-${row.name}${row.qualifier ? `-${row.qualifier}` : ""}`;
  return (
    <tr data-testid={testId}>
      <td>
        {label}
        <div className="sub">
          {row.kind === "stage" ? `${row.apiType} API stage` : row.kind}
          {row.estimated && " · estimated"}
          {!row.live && " · deleted"}
        </div>
      </td>
      <td className="nowrap">{row.kind === "stage" ? "—" : `${row.architecture} · ${formatMb(row.memoryMb)}`}</td>
      <td className="r">{formatCount(row.requests)}</td>
      <td className="r">{row.kind === "stage" ? "—" : gbs(row.gbSeconds)}</td>
      <td className="r" data-testid="spend">
        <Money micro={row.totalMicroUsd} />
      </td>
      <td className="r">
        <Change micro={row.changeMicroUsd} pct={row.changePct} />
      </td>
      <td className="r">{row.costPer1kRequestsMicroUsd === null ? "—" : usd(row.costPer1kRequestsMicroUsd)}</td>
      <td style={{ minWidth: 200 }}>
        <details>
          <summary className="small">how computed</summary>
          <ul className="small" style={{ margin: "4px 0 0", paddingLeft: 18 }}>
            {row.kind === "stage" ? (
              <li>
                {formatCount(row.requests)} {row.apiType} API requests priced at the account-region&apos;s monthly tier position, this stage&apos;s share of the pool&apos;s charge by requests = {usd(row.requestsMicroUsd)}.
              </li>
            ) : (
              <>
                <li>
                  Duration: {gbs(row.gbSeconds)} (Σ billed ms x {formatMb(row.memoryMb)} / 1,024,000, exact per invocation) → {usd(row.computeMicroUsd)}, its share of the {row.architecture} pool&apos;s tiered charge by GB-seconds.
                </li>
                <li>
                  Requests: {formatCount(row.requests)} → {usd(row.requestsMicroUsd)}.
                </li>
                {row.kind === "alias" && <li>Part of the function&apos;s row above; not added to the totals.{row.estimated && " Estimated at the function's average cost per invocation (no billed duration for the alias)."}</li>}
              </>
            )}
            <li>
              Previous window: {usd(row.previousTotalMicroUsd)}. Exact: {row.totalMicroUsd.toString()} µ$.
            </li>
          </ul>
        </details>
      </td>
    </tr>
  );
}
