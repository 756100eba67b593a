import Link from "next/link";
import { getDb } from "@/lib/db";
import { parsePageQuery } from "@/lib/api/page-query";
import { emptyFilters } from "@/lib/api/query";
import { describeRange, mergeParams, timeRangeToParams, type SearchParamsInput } from "@/lib/time-range";
import { listStages } from "@/lib/queries/stages/list-stages";
import { formatCount, formatPercent } from "@/lib/charts/format";
import { PageHeader } from "../shell/page-header";
import { TimeRangePicker } from "../shell/time-range-picker";
import { AutoRefresh } from "../shell/auto-refresh";
import { EmptyState, QueryProblem } from "../ui/notices";

/** Every API Gateway stage with requests and errors in the window. */
export async function StagesListView({ params }: { params: SearchParamsInput }) {
  const parsed = parsePageQuery(emptyFilters, params);
  if (!parsed.ok)
    return (
      <>
        <PageHeader title="API stages" />
        <QueryProblem message={parsed.message} resetHref="/apis" />
      </>
    );
  const { range } = parsed.query;
  const { db } = getDb();
  const stages = await listStages(db, range);
  return (
    <>
      <PageHeader title="API stages" subtitle={`${describeRange(range)} · ${stages.length} stages`}>
        <TimeRangePicker path="/apis" params={params} range={range} />
        <AutoRefresh />
      </PageHeader>
      {stages.length === 0 ? (
        <EmptyState title="No API Gateway stages collected">REST and HTTP API stages appear after the inventory collector runs.</EmptyState>
      ) : (
        <div className="card table-wrap">
          <table className="table" data-testid="stages-list">
            <thead>
              <tr>
                <th scope="col">API / stage</th>
                <th scope="col">Type</th>
                <th scope="col">Cache</th>
                <th scope="col">Canary</th>
                <th scope="col" className="r">Requests</th>
                <th scope="col" className="r">4xx</th>
                <th scope="col" className="r">5xx</th>
                <th scope="col" className="r">5xx rate</th>
              </tr>
            </thead>
            <tbody>
              {stages.map((s) => (
                <tr key={`${s.api}/${s.stage}`}>
                  <td>
                    <Link href={`/apis/${encodeURIComponent(s.api)}/${encodeURIComponent(s.stage)}${mergeParams({}, timeRangeToParams(range))}`}>
                      {s.api} / {s.stage}
                    </Link>
                  </td>
                  <td>{s.apiType}</td>
                  <td>{s.cacheEnabled ? "on" : "off"}</td>
                  <td>{s.canaryPercent != null ? `${s.canaryPercent}%` : "—"}</td>
                  <td className="r">{formatCount(s.requests)}</td>
                  <td className="r">{formatCount(s.status4xx)}</td>
                  <td className="r">{s.status5xx > 0 ? <span className="badge bad">{formatCount(s.status5xx)}</span> : "0"}</td>
                  <td className="r">{formatPercent(s.requests > 0 ? s.status5xx / s.requests : null)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
