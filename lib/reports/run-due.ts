/**
 * The worker's report step: every schedule whose fire time (croner, in its time zone) has come
 * is claimed by inserting its ReportRun under the unique run key "<scheduleId>@<fireTime ISO>",
 * so a restarted or second worker never sends the same report twice. Then: build from the
 * store, render each format (one row per format), deliver, advance the schedule.
 */
import type { Db } from "../db.ts";
import { getCostReport } from "../queries/cost-report/get-cost-report.ts";
import type { BuildOptions } from "./build.ts";
import { deliverReport, type DeliveryOutcome, type ReportClients } from "./deliver.ts";
import type { ReportFormat } from "./model.ts";
import { resolveReportPeriod, type ReportPeriodPreset } from "./periods.ts";
import { renderReport } from "./render.ts";
import { latestFireTime, nextFireTime, ReportScheduleNotFoundError, storedScheduleChannels, storedScheduleFormats, toScheduleView } from "./schedules.ts";

/** A claim still "running" after this long belonged to a worker that died; another may take it over. */
export const STALE_CLAIM_MS = 15 * 60_000;

export type Clock = Date | number | (() => Date | number);

export interface RunDueOptions extends BuildOptions {
  /** The injectable clock (default: the system clock). */
  now?: Clock;
  /** Base URL of links to reports (default FAASIGHT_PUBLIC_URL, else http://127.0.0.1:3000). */
  publicUrl?: string;
  fetch?: typeof fetch;
  webhookTimeoutMs?: number;
  staleClaimMs?: number;
  log?: (line: string) => void;
}

export interface DueReportResult {
  scheduleId: number;
  schedule: string;
  fireTime: string;
  /** sent: ran here; skipped: another worker has (or had) this fire. */
  outcome: "sent" | "skipped";
  runId: number | null;
  /** ok | partial | failed (runs done here). */
  status: string | null;
  deliveries: DeliveryOutcome[];
  error?: string;
}

function clockOf(now: Clock | undefined): () => Date {
  if (now === undefined) return () => new Date();
  if (typeof now === "function") return () => new Date(now());
  const fixed = new Date(now);
  return () => fixed;
}

/** The public base URL for links (no trailing slash). */
export function reportsPublicUrl(explicit?: string, env: Record<string, string | undefined> = process.env): string {
  return (explicit ?? (env.FAASIGHT_PUBLIC_URL?.trim() || "http://127.0.0.1:3000")).replace(/\/+$/, "");
}

/** The page of a stored run. */
export function reportRunUrl(publicUrl: string, runId: number): string {
  return `${publicUrl}/reports/runs/${runId}`;
}

const isUniqueViolation = (err: unknown) => (err as { code?: string })?.code === "P2002";

/** Runs every due schedule once (call each worker cycle). Returns what happened per due schedule. */
export async function runDueReports(db: Db, clients: ReportClients, options: RunDueOptions = {}): Promise<DueReportResult[]> {
  const now = clockOf(options.now);
  const at = now();
  const publicUrl = reportsPublicUrl(options.publicUrl);
  const staleMs = options.staleClaimMs ?? STALE_CLAIM_MS;
  const schedules = await db.reportSchedule.findMany({
    where: { enabled: true, OR: [{ nextRunAt: null }, { nextRunAt: { lte: at } }] },
    orderBy: { id: "asc" },
  });
  const results: DueReportResult[] = [];
  for (const s of schedules) {
    let due: Date | null;
    let fire: Date | null;
    try {
      due = s.nextRunAt ?? nextFireTime(s.cron, s.timezone, s.lastRunAt ?? s.createdAt);
      fire = due && due.getTime() <= at.getTime() ? latestFireTime(s.cron, s.timezone, at) : null;
    } catch (err) {
      options.log?.(`reports: schedule "${s.name}" has an unusable cron/time zone (${(err as Error).message}); skipped`);
      continue;
    }
    if (!due || !fire) {
      if (due && s.nextRunAt === null) await db.reportSchedule.updateMany({ where: { id: s.id, nextRunAt: null }, data: { nextRunAt: due } });
      continue;
    }
    // Missed fires (worker down) collapse into the latest one: one report for the latest period, not a backlog.
    if (fire.getTime() < due.getTime()) fire = due;
    results.push(await runOne(db, clients, s, fire, { ...options, clock: now, publicUrl, staleMs }));
  }
  return results;
}

type ScheduleRow = Awaited<ReturnType<Db["reportSchedule"]["findMany"]>>[number];

async function runOne(
  db: Db,
  clients: ReportClients,
  s: ScheduleRow,
  fire: Date,
  options: Omit<RunDueOptions, "now"> & { clock: () => Date; publicUrl: string; staleMs: number; manual?: boolean },
): Promise<DueReportResult> {
  const view = toScheduleView(s);
  const formats: ReportFormat[] = storedScheduleFormats(s);
  const channels = storedScheduleChannels(s);
  const runKey = `${s.id}@${fire.toISOString()}`;
  const base = { scheduleId: s.id, schedule: s.name, fireTime: fire.toISOString() };
  // A manual run ("run now") leaves the schedule's own timing alone.
  const advance = async () =>
    options.manual ||
    db.reportSchedule.updateMany({
      where: { id: s.id },
      data: { lastRunAt: fire, nextRunAt: nextFireTime(s.cron, s.timezone, new Date(Math.max(fire.getTime(), options.clock().getTime()))) },
    });
  // The period is the one the schedule meant at its fire time, even when the run is late.
  const period = resolveReportPeriod({ preset: view.period as ReportPeriodPreset }, { now: fire, timezone: s.timezone });
  const claimedAt = options.clock();
  let runId: number;
  try {
    const row = await db.reportRun.create({
      data: { scheduleId: s.id, runKey, periodStart: period.start, periodEnd: period.end, status: "running", format: formats[0], content: "", createdAt: claimedAt },
    });
    runId = row.id;
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    // Taken. Finished: just advance. Running: leave the schedule as is (revisited next cycle) unless
    // the claim is stale (its worker died mid-run), which one worker may take over atomically.
    const existing = await db.reportRun.findUnique({ where: { runKey }, select: { id: true, status: true } });
    const skipped = { ...base, outcome: "skipped" as const, runId: null, status: null, deliveries: [] };
    if (!existing || existing.status !== "running") {
      await advance();
      return skipped;
    }
    const taken = await db.reportRun.updateMany({
      where: { runKey, status: "running", createdAt: { lt: new Date(claimedAt.getTime() - options.staleMs) } },
      data: { createdAt: claimedAt },
    });
    if (taken.count !== 1) return skipped;
    runId = existing.id;
    options.log?.(`reports: took over the stale run ${runKey}`);
  }

  const url = `${options.publicUrl}/reports/runs/${runId}`;
  let deliveries: DeliveryOutcome[] = [];
  let status = "ok";
  let error: string | undefined;
  try {
    const report = await getCostReport(db, period, { generatedAt: options.clock(), prices: options.prices });
    const [primary, ...others] = formats;
    await db.reportRun.update({ where: { id: runId }, data: { content: renderReport(report, primary, { reportUrl: url }) } });
    for (const format of others) {
      const content = renderReport(report, format, { reportUrl: url });
      const key = `${runKey}#${format}`;
      const data = { scheduleId: s.id, periodStart: period.start, periodEnd: period.end, status: "ok", format, content };
      await db.reportRun.upsert({ where: { runKey: key }, create: { runKey: key, ...data, createdAt: claimedAt }, update: data });
    }
    deliveries = await deliverReport(channels, report, { url, runId, scheduleId: s.id, scheduleName: s.name, fireTime: fire.toISOString(), formats }, clients, {
      fetch: options.fetch,
      webhookTimeoutMs: options.webhookTimeoutMs,
      now: options.clock,
    });
    const failed = deliveries.filter((d) => !d.ok);
    if (failed.length > 0) {
      status = failed.length === deliveries.length ? "failed" : "partial";
      error = failed.map((d) => `${d.type} ${d.target}: ${d.error ?? "failed"}`).join("; ");
    }
  } catch (err) {
    status = "failed";
    error = `${(err as Error).name}: ${(err as Error).message}`;
    options.log?.(`reports: "${s.name}" at ${fire.toISOString()} failed: ${error}`);
  }
  await db.reportRun.update({ where: { id: runId }, data: { status, deliveredJson: JSON.stringify(deliveries), error: error?.slice(0, 2000) ?? null } });
  await advance();
  return { ...base, outcome: "sent", runId, status, deliveries, ...(error ? { error } : {}) };
}

/** Runs one schedule now ("run now" in the UI/API): same build, formats and deliveries as a scheduled fire; the schedule's next fire is unchanged. */
export async function runReportScheduleNow(db: Db, clients: ReportClients, scheduleId: number, options: RunDueOptions = {}): Promise<DueReportResult> {
  const s = await db.reportSchedule.findUnique({ where: { id: scheduleId } });
  if (!s) throw new ReportScheduleNotFoundError(scheduleId);
  const now = clockOf(options.now);
  // Whole seconds: the run key names the fire time, and two clicks in one second are one run.
  const fire = new Date(Math.floor(now().getTime() / 1000) * 1000);
  return runOne(db, clients, s, fire, { ...options, clock: now, publicUrl: reportsPublicUrl(options.publicUrl), staleMs: options.staleClaimMs ?? STALE_CLAIM_MS, manual: true });
}
