/** Splits a minute-aligned [from, to) into whole hours (HourRollup) and the minute edges (MinuteRollup). */

const HOUR = 3_600_000;

export interface WindowParts {
  hours: { from: Date; to: Date } | null;
  minutes: Array<{ from: Date; to: Date }>;
}

/** Whole hours inside the window come from hour rows, the partial hours at either edge from minute rows. */
export function splitRollupWindow(from: Date, to: Date): WindowParts {
  const a = from.getTime();
  const b = to.getTime();
  if (b <= a) return { hours: null, minutes: [] };
  const hStart = Math.ceil(a / HOUR) * HOUR;
  const hEnd = Math.floor(b / HOUR) * HOUR;
  if (hEnd <= hStart) return { hours: null, minutes: [{ from, to }] };
  const minutes: Array<{ from: Date; to: Date }> = [];
  if (a < hStart) minutes.push({ from, to: new Date(hStart) });
  if (hEnd < b) minutes.push({ from: new Date(hEnd), to });
  return { hours: { from: new Date(hStart), to: new Date(hEnd) }, minutes };
}
