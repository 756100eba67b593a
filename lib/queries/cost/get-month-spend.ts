import type { Db } from "../../db.ts";
import { estimateSpendMicros } from "../shared/cost.ts";
import { sumFunctionRollups } from "../shared/rollups.ts";

const DAY = 86_400_000;
const HOUR = 3_600_000;

export interface MonthSpend {
  monthStart: string;
  /** Micro-dollars spent this calendar month (UTC) so far, or null when unpriced. */
  monthToDateMicros: number | null;
  /** Month-end projection: month to date plus the trailing daily average for the days left. */
  projectedMicros: number | null;
  /** Days of data the daily average comes from (at most 7). */
  trailingDays: number;
  dailyAverageMicros: number | null;
}

type Sums = Map<number, { invocations: number; mbMs: bigint }>;

/** Per-function sums of $ALL rollups in [from, to), which ends now: whole days from day rows, the rest from hour and minute rows. */
async function sumsBetween(db: Db, from: number, to: number): Promise<Sums> {
  const rows = await sumFunctionRollups(db, { by: "function", from: new Date(from), to: new Date(to), qualifiers: ["$ALL"], coarsest: "day", openEnd: true });
  const out: Sums = new Map();
  for (const r of rows) {
    const cur = out.get(r.functionId) ?? { invocations: 0, mbMs: 0n };
    cur.invocations += r.invocations;
    cur.mbMs += r.mbMs;
    out.set(r.functionId, cur);
  }
  return out;
}

/** Spend so far this month and a month-end projection from the trailing 7 days (hour resolution). */
export async function getMonthSpend(db: Db, now: Date): Promise<MonthSpend> {
  const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const nextMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  const to = Math.ceil((now.getTime() + 1) / 60_000) * 60_000;
  const [fns, first] = await Promise.all([
    db.lambdaFunction.findMany({ select: { id: true, architecture: true, source: { select: { region: true } } } }),
    db.hourRollup.findFirst({ orderBy: { bucketStart: "asc" }, select: { bucketStart: true } }),
  ]);
  const trailingFrom = Math.max(Math.floor((to - 7 * DAY) / HOUR) * HOUR, first?.bucketStart.getTime() ?? to);
  const [mtdSums, trailingSums] = await Promise.all([sumsBetween(db, monthStart, to), sumsBetween(db, trailingFrom, to)]);
  const fnById = new Map(fns.map((f) => [f.id, f]));
  const spend = (sums: Sums) =>
    estimateSpendMicros([...sums.entries()].map(([id, s]) => ({ region: fnById.get(id)?.source.region ?? "us-east-1", architecture: fnById.get(id)?.architecture ?? "x86_64", mbMs: s.mbMs, requests: s.invocations })));
  const mtd = spend(mtdSums);
  const trailingDays = Math.max(0, (to - trailingFrom) / DAY);
  const trailing = spend(trailingSums);
  const daily = trailing !== null && trailingDays >= 1 / 24 ? trailing / trailingDays : null;
  const daysLeft = (nextMonth - to) / DAY;
  return {
    monthStart: new Date(monthStart).toISOString(),
    monthToDateMicros: mtd,
    projectedMicros: mtd !== null && daily !== null ? Math.round(mtd + daily * daysLeft) : null,
    trailingDays: Math.round(trailingDays * 10) / 10,
    dailyAverageMicros: daily !== null ? Math.round(daily) : null,
  };
}
