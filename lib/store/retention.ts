/**
 * Retention: raw rows (log events, invocations, traces, gateway requests) for a bounded
 * window, metric points for CloudWatch's 1-minute retention, minute rollups longer, hour and
 * fleet rollups longest. The purge watermark is recorded so ingest never recomputes a
 * bucket whose raw rows are gone.
 */
import { all, insertRows, run, type Sql, type Store } from "./sql.ts";

export interface RetentionSettings {
  rawDays: number;
  metricDays: number;
  minuteDays: number;
  hourDays: number;
}

export const DEFAULT_RETENTION: RetentionSettings = { rawDays: 7, metricDays: 15, minuteDays: 35, hourDays: 400 };

const WATERMARK_KEY = "retention.rawPurgedBefore";
const DAY = 86_400_000;

/** The cutoffs of a retention run at `now` (pure). */
export function retentionCutoffs(s: RetentionSettings, now: number): { raw: Date; metric: Date; minute: Date; hour: Date } {
  // Rollups must outlive the raw rows they are computed from.
  const raw = Math.max(1, s.rawDays);
  return {
    raw: new Date(now - raw * DAY),
    metric: new Date(now - Math.max(1, s.metricDays) * DAY),
    minute: new Date(now - Math.max(raw, s.minuteDays) * DAY),
    hour: new Date(now - Math.max(raw, s.minuteDays, s.hourDays) * DAY),
  };
}

export interface RetentionResult {
  deleted: Record<string, number>;
}

/** Deletes expired rows in bounded transactions and records the raw purge watermark. */
export async function applyRetention(store: Store, settings: RetentionSettings, now = Date.now()): Promise<RetentionResult> {
  const c = retentionCutoffs(settings, now);
  const deleted: Record<string, number> = {};
  const plan: Array<[string, string, Date]> = [
    ["LogEvent", "timestamp", c.raw],
    ["Invocation", "startedAt", c.raw],
    ["Trace", "startedAt", c.raw],
    ["ApiRequest", "at", c.raw],
    ["MetricPoint", "timestamp", c.metric],
    ["MinuteRollup", "bucketStart", c.minute],
    ["StageMinuteRollup", "bucketStart", c.minute],
    ["FleetMinuteRollup", "bucketStart", c.minute],
    ["HourRollup", "bucketStart", c.hour],
    ["StageHourRollup", "bucketStart", c.hour],
    ["FleetHourRollup", "bucketStart", c.hour],
    ["DayRollup", "bucketStart", c.hour],
    ["CollectorRun", "startedAt", new Date(now - 30 * DAY)],
  ];
  // Record the watermark first: from now on ingest treats older buckets as final.
  await store.transaction(() =>
    insertRows(store.dialect, "Setting", ["key", "value", "updatedAt"], [[WATERMARK_KEY, String(c.raw.getTime()), new Date(now)]], { conflict: ["key"], update: ["value", "updatedAt"] }),
  );
  for (const [table, column, cutoff] of plan) {
    deleted[table] = await store.transaction(() => run(`DELETE FROM "${table}" WHERE "${column}" < ?`, [cutoff]));
  }
  return { deleted };
}

/** The instant before which raw rows may have been purged (0 when never). */
export async function rawPurgedBefore(store: Store): Promise<number> {
  const rows = await store.read((): Sql<Array<{ value: string }>> => all(`SELECT "value" FROM "Setting" WHERE "key" = ?`, [WATERMARK_KEY]));
  const n = Number(rows[0]?.value ?? 0);
  return Number.isFinite(n) ? n : 0;
}
