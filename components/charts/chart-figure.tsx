import type { PreparedSeries } from "@/lib/charts/prepare-time-series";
import { formatTime, formatValue } from "@/lib/charts/format";
import { TimeSeriesChart } from "./time-series-chart";
import { EmptyState } from "../ui/notices";

const COLORS = ["var(--c1)", "var(--c2)", "var(--c3)", "var(--c4)"];

/**
 * A chart with its accessible name, a legend and a tabular fallback (<details> with the same
 * numbers). Empty data shows an empty state instead of a flat line.
 */
export function ChartFigure({ title, description, data, kind, keys, height, emptyHint, testId, colorOffset = 0, partialLast = false }: { title: string; description: string; data: PreparedSeries; kind?: "line" | "bar"; keys?: string[]; height?: number; emptyHint?: string; testId?: string; colorOffset?: number; partialLast?: boolean }) {
  const series = data.series.filter((s) => !keys || keys.includes(s.key));
  const hasData = data.rows.some((r) => series.some((s) => r[s.key] !== null && r[s.key] !== 0));
  return (
    <figure className="card" style={{ margin: 0 }} data-testid={testId}>
      <h2>{title}</h2>
      {!hasData ? (
        <EmptyState title="No data in this window">{emptyHint ?? "Choose a longer time range, or check the collector status on the overview."}</EmptyState>
      ) : (
        <>
          <div role="img" aria-label={`${title}: ${description}`}>
            <TimeSeriesChart data={data} kind={kind} keys={keys} height={height} colorOffset={colorOffset} />
          </div>
          <ul className="legend">
            {series.map((s, i) => (
              <li key={s.key}>
                <i style={{ background: COLORS[(i + colorOffset) % COLORS.length] }} />
                {s.label}
              </li>
            ))}
            {partialLast && <li className="muted">the last bucket is still filling</li>}
          </ul>
        </>
      )}
      <details className="fallback">
        <summary>Show as table</summary>
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">{title}</caption>
            <thead>
              <tr>
                <th scope="col">Time (UTC)</th>
                {series.map((s) => (
                  <th key={s.key} scope="col" className="r">
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.rows.map((r) => (
                <tr key={r.t}>
                  <td className="nowrap">{formatTime(r.t, false)}</td>
                  {series.map((s) => (
                    <td key={s.key} className="r">
                      {formatValue(r[s.key], s.unit)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
