import type { Db } from "../../db.ts";

export interface ReportScheduleRow {
  name: string;
  cron: string;
  timezone: string;
  period: string;
  enabled: boolean;
  lastRunAt: string | null;
  nextRunAt: string | null;
}

export interface ReportRunRow {
  id: number;
  schedule: string | null;
  periodStart: string;
  periodEnd: string;
  status: string;
  format: string;
  createdAt: string;
  error: string | null;
}

/** Report schedules and the most recent runs. */
export async function listReports(db: Db, limit = 50): Promise<{ schedules: ReportScheduleRow[]; runs: ReportRunRow[] }> {
  const [schedules, runs] = await Promise.all([
    db.reportSchedule.findMany({ orderBy: { name: "asc" } }),
    db.reportRun.findMany({ include: { schedule: { select: { name: true } } }, orderBy: { createdAt: "desc" }, take: limit, omit: { content: true } }),
  ]);
  return {
    schedules: schedules.map((s) => ({ name: s.name, cron: s.cron, timezone: s.timezone, period: s.period, enabled: s.enabled, lastRunAt: s.lastRunAt?.toISOString() ?? null, nextRunAt: s.nextRunAt?.toISOString() ?? null })),
    runs: runs.map((r) => ({ id: r.id, schedule: r.schedule?.name ?? null, periodStart: r.periodStart.toISOString(), periodEnd: r.periodEnd.toISOString(), status: r.status, format: r.format, createdAt: r.createdAt.toISOString(), error: r.error })),
  };
}
