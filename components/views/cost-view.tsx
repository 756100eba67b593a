import Link from "next/link";
import { getDb } from "@/lib/db";
import { parsePageQuery } from "@/lib/api/page-query";
import { emptyFilters } from "@/lib/api/query";
import { describeRange, mergeParams, timeRangeToParams, type SearchParamsInput } from "@/lib/time-range";
import { getCostSummary, type CostRow } from "@/lib/queries/cost/get-cost-summary";
import { formatCount, formatGbSeconds, formatMb, formatUsd } from "@/lib/charts/format";
import { PageHeader } from "../shell/page-header";
import { TimeRangePicker } from "../shell/time-range-picker";
import { Stat } from "../ui/stat";
import { EmptyState, QueryProblem } from "../ui/notices";
import { ChartFigure } from "../charts/chart-figure";

/** Cost: billed GB-seconds and spend per function and alias, trend, month projection. */
export async function CostView({ params }: { params: SearchParamsInput }) {
  const parsed = parsePageQuery(emptyFilters, params, "7d");
  if (!parsed.ok)
    return (
      <>
        <PageHeader title="Cost" />
        <QueryProblem message={parsed.message} resetHref="/cost" />
      </>
    );
  const { range } = parsed.query;
  const { db } = getDb();
  const c = await getCostSummary(db, range, parsed.now);
  const overProvisioned = c.byFunction.filter((r) => r.maxMemoryUsedMb !== null && r.invocations > 0 && r.memoryMb > 256 && r.maxMemoryUsedMb < 0.5 * r.memoryMb);
  return (
    <>
      <PageHeader title="Cost" subtitle={`${describeRange(range)} · Lambda compute and requests`}>
        <TimeRangePicker path="/cost" params={params} range={range} />
      </PageHeader>
      <section className="stats" aria-label="Spend">
        <Stat label="Spend in window" value={formatUsd(c.totalMicros)} sub={formatGbSeconds(c.totalGbSeconds)} testId="cost-total" />
        <Stat label="Billed GB-seconds" value={formatGbSeconds(c.totalGbSeconds)} testId="cost-gbs" />
        <Stat label="Month to date" value={formatUsd(c.month.monthToDateMicros)} sub={`since ${c.month.monthStart.slice(0, 10)}`} />
        <Stat label="Month-end projection" value={formatUsd(c.month.projectedMicros)} sub={c.month.dailyAverageMicros !== null ? `${formatUsd(c.month.dailyAverageMicros)}/day over ${c.month.trailingDays} d` : "needs a day of data"} />
      </section>
      <section className="section">
        <ChartFigure title="Spend over time" description="spend per bucket of the five most expensive functions and the rest, stacked" data={c.series} kind="bar" testId="cost-chart" />
      </section>
      <section className="card section" aria-labelledby="cf-h">
        <h2 id="cf-h">By function</h2>
        <CostTable rows={c.byFunction} rq={mergeParams({}, timeRangeToParams(range))} testId="cost-by-function" />
      </section>
      <section className="card section">
        <h2>
          By alias <span className="small muted">alias traffic is counted from CloudWatch metrics; billed duration is attributed per version</span>
        </h2>
        {c.byAlias.length === 0 ? <EmptyState title="No alias traffic in this window" /> : <CostTable rows={c.byAlias} rq={mergeParams({}, timeRangeToParams(range))} testId="cost-by-alias" />}
      </section>
      <section className="section">
        <div className="card" data-testid="right-sizing">
          <h2>Right-sizing candidates</h2>
          {overProvisioned.length === 0 ? (
            <p className="muted">No function uses less than half its memory.</p>
          ) : (
            <ul style={{ margin: 0, paddingLeft: 18 }}>
              {overProvisioned.map((r) => (
                <li key={r.function}>
                  <Link href={`/functions/${encodeURIComponent(r.function)}`}>{r.function}</Link>: {formatMb(r.memoryMb)} configured, at most {formatMb(r.maxMemoryUsedMb)} used · {formatUsd(r.spendMicros)} in this window
                </li>
              ))}
            </ul>
          )}
          <p className="small muted">Recommended sizes and savings come with the cost engine&apos;s right-sizing.</p>
        </div>
      </section>
      <p className="footer-note">How this is computed: {c.note}</p>
    </>
  );
}

/** A row counted from metrics only (no billed duration): show no made-up spend. */
const unbilled = (r: CostRow) => r.invocations > 0 && r.billedMs === 0;

function CostTable({ rows, rq, testId }: { rows: CostRow[]; rq: string; testId: string }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">Function</th>
            <th scope="col">Arch / memory</th>
            <th scope="col" className="r">Invocations</th>
            <th scope="col" className="r">Billed GB-s</th>
            <th scope="col" className="r">Spend</th>
            <th scope="col" className="r">Per 1,000</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.function}:${r.qualifier}`} data-testid={`cost-row-${r.function}${r.qualifier === "$ALL" ? "" : `-${r.qualifier}`}`}>
              <td>
                <Link href={`/functions/${encodeURIComponent(r.function)}${rq}`}>{r.function}</Link>
                {r.qualifier !== "$ALL" && <span className="muted">:{r.qualifier}</span>}
              </td>
              <td className="nowrap">
                {r.architecture} · {formatMb(r.memoryMb)}
              </td>
              <td className="r">{formatCount(r.invocations)}</td>
              <td className="r" data-testid="gbs">{unbilled(r) ? "—" : formatGbSeconds(r.gbSeconds)}</td>
              <td className="r">{unbilled(r) ? "—" : formatUsd(r.spendMicros)}</td>
              <td className="r">{unbilled(r) ? "—" : formatUsd(r.per1kMicros)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
