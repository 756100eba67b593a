import Link from "next/link";
import { PRESETS, isoMinute, mergeParams, describeRange, type SearchParamsInput, type TimeRange } from "@/lib/time-range";

/**
 * Preset links and a custom from/to form (plain GET, works without JavaScript). Other
 * filters in the URL are kept.
 */
export function TimeRangePicker({ path, params, range }: { path: string; params: SearchParamsInput; range: TimeRange }) {
  const keep = Object.entries(normalize(params)).filter(([k]) => k !== "range" && k !== "from" && k !== "to");
  return (
    <div className="toolbar" data-testid="time-range">
      <div className="seg" role="group" aria-label="Time range">
        {PRESETS.map((p) => (
          <Link key={p} href={`${path}${mergeParams(params, { range: p })}`} aria-current={range.preset === p ? "true" : undefined} aria-label={`Last ${p}`}>
            {p}
          </Link>
        ))}
      </div>
      <details className="custom-range">
        <summary className="btn" aria-label="Custom time range">
          {range.preset === "custom" ? describeRange(range) : "Custom…"}
        </summary>
        <form className="popover" method="get" action={path}>
          {keep.map(([k, v]) => (
            <input key={k} type="hidden" name={k} value={v} />
          ))}
          <label>
            From (UTC)
            <input type="datetime-local" name="from" required defaultValue={isoMinute(range.from).slice(0, 16)} />
          </label>
          <label>
            To (UTC)
            <input type="datetime-local" name="to" required defaultValue={isoMinute(range.to).slice(0, 16)} />
          </label>
          <button type="submit" className="btn primary">
            Apply
          </button>
        </form>
      </details>
    </div>
  );
}

function normalize(params: SearchParamsInput): Record<string, string> {
  if (params instanceof URLSearchParams) return Object.fromEntries(params);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined) out[k] = first;
  }
  return out;
}
