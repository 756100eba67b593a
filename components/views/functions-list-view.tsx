import Link from "next/link";
import { getDb } from "@/lib/db";
import { parsePageQuery } from "@/lib/api/page-query";
import { emptyFilters } from "@/lib/api/query";
import { describeRange, mergeParams, timeRangeToParams, type SearchParamsInput } from "@/lib/time-range";
import { listFunctionStats } from "@/lib/queries/functions/list-function-stats";
import { groupColdStarts } from "@/lib/queries/functions/group-cold-starts";
import { formatCount, formatGbSeconds, formatMb, formatMs, formatPercent } from "@/lib/charts/format";
import { PageHeader } from "../shell/page-header";
import { TimeRangePicker } from "../shell/time-range-picker";
import { AutoRefresh } from "../shell/auto-refresh";
import { EmptyState, QueryProblem } from "../ui/notices";

/** Every function with its figures for the window. */
export async function FunctionsListView({ params }: { params: SearchParamsInput }) {
  const parsed = parsePageQuery(emptyFilters, params);
  if (!parsed.ok)
    return (
      <>
        <PageHeader title="Functions" />
        <QueryProblem message={parsed.message} resetHref="/functions" />
      </>
    );
  const { range } = parsed.query;
  const { db } = getDb();
  const stats = await listFunctionStats(db, range, parsed.now);
  return (
    <>
      <PageHeader title="Functions" subtitle={`${describeRange(range)} · ${stats.functions.length} functions`}>
        <TimeRangePicker path="/functions" params={params} range={range} />
        <AutoRefresh />
      </PageHeader>
      {stats.functions.length === 0 ? (
        <EmptyState title="No functions collected yet">Start the worker or the demo; functions appear after the first inventory cycle.</EmptyState>
      ) : (
        <div className="card table-wrap">
          <table className="table" data-testid="functions-list">
            <thead>
              <tr>
                <th scope="col">Function</th>
                <th scope="col">Runtime</th>
                <th scope="col" className="r">Memory</th>
                <th scope="col" className="r">Invocations</th>
                <th scope="col" className="r">Errors</th>
                <th scope="col" className="r">Error rate</th>
                <th scope="col" className="r">Throttles</th>
                <th scope="col" className="r">p50</th>
                <th scope="col" className="r">p99</th>
                <th scope="col" className="r">Cold-start rate</th>
                <th scope="col" className="r">GB-s</th>
              </tr>
            </thead>
            <tbody>
              {stats.functions.map((f) => (
                <tr key={f.id}>
                  <td>
                    <Link href={`/functions/${encodeURIComponent(f.name)}${mergeParams({}, timeRangeToParams(range))}`}>{f.name}</Link>
                  </td>
                  <td>
                    {f.runtime ?? "—"} <span className="muted small">{f.architecture}</span>
                  </td>
                  <td className="r">{formatMb(f.memoryMb)}</td>
                  <td className="r">{formatCount(f.stats.invocations)}</td>
                  <td className="r">{formatCount(f.stats.errors)}</td>
                  <td className="r">{formatPercent(f.stats.errorRate)}</td>
                  <td className="r">{formatCount(f.stats.throttles)}</td>
                  <td className="r">{formatMs(f.stats.p50Ms)}</td>
                  <td className="r">{formatMs(f.stats.p99Ms)}</td>
                  <td className="r">{formatPercent(f.stats.coldStartRate)}</td>
                  <td className="r">{formatGbSeconds(f.stats.gbSeconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {stats.functions.length > 0 && <ColdStartsByConfig rows={groupColdStarts(stats.functions)} />}
    </>
  );
}

/** Cold-start rate and init time per runtime, architecture and memory size. */
function ColdStartsByConfig({ rows }: { rows: ReturnType<typeof groupColdStarts> }) {
  return (
    <section className="card section" aria-labelledby="cold-by-config-h" style={{ marginTop: 16 }}>
      <h2 id="cold-by-config-h">Cold starts by runtime and memory</h2>
      <p className="small muted">From REPORT lines (Init Duration) of every function in the window; provisioned concurrency and SnapStart lower these.</p>
      <div className="table-wrap">
        <table className="table" data-testid="cold-by-config">
          <thead>
            <tr>
              <th scope="col">Runtime</th>
              <th scope="col">Architecture</th>
              <th scope="col" className="r">Memory</th>
              <th scope="col" className="r">Functions</th>
              <th scope="col" className="r">Invocations</th>
              <th scope="col" className="r">Cold starts</th>
              <th scope="col" className="r">Cold-start rate</th>
              <th scope="col" className="r">Avg init</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((g) => (
              <tr key={`${g.runtime}-${g.architecture}-${g.memoryMb}`}>
                <td>{g.runtime}</td>
                <td>{g.architecture}</td>
                <td className="r">{formatMb(g.memoryMb)}</td>
                <td className="r">{formatCount(g.functions)}</td>
                <td className="r">{formatCount(g.invocations)}</td>
                <td className="r">{formatCount(g.coldStarts)}</td>
                <td className="r">{formatPercent(g.rate)}</td>
                <td className="r">{formatMs(g.avgInitMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
