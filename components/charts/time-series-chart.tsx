"use client";

import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis, Bar, BarChart } from "recharts";
import type { PreparedSeries, Unit } from "@/lib/charts/prepare-time-series";
import { formatCount, formatMs, formatPercent, formatTick, formatTime, formatValue } from "@/lib/charts/format";

const COLORS = ["var(--c1)", "var(--c2)", "var(--c3)", "var(--c4)"];

function axisValue(v: number, unit: Unit): string {
  if (unit === "percent") return formatPercent(v);
  if (unit === "ms") return formatMs(v);
  if (unit === "usd") return `$${v < 1 ? v.toFixed(3) : v.toFixed(2)}`;
  return formatCount(v, true);
}

/** Renders prepared rows: lines (gaps stay gaps) or bars. Only renders; no data shaping here. */
export function TimeSeriesChart({ data, kind = "line", keys, height = 220, colorOffset = 0 }: { data: PreparedSeries; kind?: "line" | "bar"; keys?: string[]; height?: number; colorOffset?: number }) {
  const series = data.series.filter((s) => !keys || keys.includes(s.key));
  const unit = series[0]?.unit ?? "count";
  const common = (
    <>
      <CartesianGrid stroke="var(--grid)" vertical={false} />
      <XAxis dataKey="t" type="number" scale="time" domain={["dataMin", "dataMax"]} tickFormatter={(t: number) => formatTick(t, data.stepMs)} stroke="var(--muted)" fontSize={11} minTickGap={40} />
      <YAxis stroke="var(--muted)" fontSize={11} width={56} tickFormatter={(v: number) => axisValue(v, unit)} allowDecimals={unit !== "count"} />
      <Tooltip
        labelFormatter={(t) => formatTime(Number(t), false)}
        formatter={(v, name) => {
          const s = series.find((x) => x.label === name);
          return [formatValue(typeof v === "number" ? v : null, s?.unit ?? unit), name];
        }}
        contentStyle={{ background: "var(--panel)", border: "1px solid var(--border)", borderRadius: 8, color: "var(--text)" }}
      />
    </>
  );
  return (
    <div style={{ width: "100%", height }}>
      <ResponsiveContainer width="100%" height="100%">
        {kind === "bar" ? (
          <BarChart data={data.rows} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            {common}
            {series.map((s, i) => (
              <Bar key={s.key} dataKey={s.key} name={s.label} fill={COLORS[(i + colorOffset) % COLORS.length]} stackId="a" isAnimationActive={false} />
            ))}
          </BarChart>
        ) : (
          <LineChart data={data.rows} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            {common}
            {series.map((s, i) => (
              <Line key={s.key} dataKey={s.key} name={s.label} stroke={COLORS[(i + colorOffset) % COLORS.length]} dot={data.rows.length < 30 ? { r: 2.5, fill: "var(--panel)" } : false} strokeWidth={1.8} connectNulls={false} isAnimationActive={false} type="linear" />
            ))}
          </LineChart>
        )}
      </ResponsiveContainer>
    </div>
  );
}

/** A tiny line of invocations and errors; no axes. */
export function Sparkline({ data, label }: { data: PreparedSeries; label: string }) {
  return (
    <div className="spark" role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data.rows} margin={{ top: 2, right: 2, bottom: 2, left: 2 }}>
          <YAxis hide domain={[0, "dataMax"]} />
          {data.series.map((s, i) => (
            <Line key={s.key} dataKey={s.key} stroke={COLORS[i % COLORS.length]} dot={false} strokeWidth={1.4} connectNulls={false} isAnimationActive={false} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
