/**
 * Stored report runs for the UI and API: history (one entry per fire, with its formats and
 * deliveries), one run, and a run's content for download. A fire stores one ReportRun row per
 * format: the first format's row has runKey "<scheduleId>@<fireTime>", the others "...#<format>".
 */
import { z } from "zod";
import type { Db } from "../db.ts";
import { deliveryOutcomeSchema, type DeliveryOutcome } from "./deliver.ts";
import { REPORT_CONTENT_TYPES, REPORT_FORMATS, type ReportFormat } from "./model.ts";

/** One fire of a schedule (or one on-demand report) with every stored format. */
export interface ReportRunView {
  /** The primary row's id: the run's page is /reports/runs/<id>. */
  id: number;
  runKey: string;
  scheduleId: number | null;
  scheduleName: string | null;
  /** Fire time (from the run key), or null for on-demand runs. */
  fireTime: string | null;
  periodStart: string;
  periodEnd: string;
  /** running | ok | partial | failed */
  status: string;
  error: string | null;
  createdAt: string;
  /** Stored formats and the row id holding each. */
  formats: Array<{ format: ReportFormat; runId: number }>;
  deliveries: DeliveryOutcome[];
}

export interface ReportRunContent {
  runId: number;
  format: ReportFormat;
  contentType: string;
  /** Suggested download name. */
  filename: string;
  content: string;
}

const deliveriesSchema = z.array(deliveryOutcomeSchema).catch([]);

function parseDeliveries(text: string): DeliveryOutcome[] {
  try {
    return deliveriesSchema.parse(JSON.parse(text));
  } catch {
    return [];
  }
}

/** The base key of a run row ("3@2026-03-09T07:00:00.000Z#csv" -> "3@2026-03-09T07:00:00.000Z"). */
export function baseRunKey(runKey: string): string {
  const i = runKey.indexOf("#");
  return i < 0 ? runKey : runKey.slice(0, i);
}

/** The fire time named by a run key, or null. */
export function fireTimeOfRunKey(runKey: string): string | null {
  const m = /^\d+@(.+)$/.exec(baseRunKey(runKey));
  return m && Number.isFinite(Date.parse(m[1])) ? m[1] : null;
}

const isFormat = (f: string): f is ReportFormat => (REPORT_FORMATS as readonly string[]).includes(f);

type RunRow = { id: number; runKey: string; scheduleId: number | null; periodStart: Date; periodEnd: Date; status: string; format: string; deliveredJson: string; error: string | null; createdAt: Date; schedule: { name: string } | null };

function group(rows: RunRow[]): ReportRunView[] {
  const byBase = new Map<string, RunRow[]>();
  for (const r of rows) {
    const k = baseRunKey(r.runKey);
    byBase.set(k, [...(byBase.get(k) ?? []), r]);
  }
  const out: ReportRunView[] = [];
  for (const [base, list] of byBase) {
    const primary = list.find((r) => r.runKey === base);
    if (!primary) continue;
    out.push({
      id: primary.id,
      runKey: base,
      scheduleId: primary.scheduleId,
      scheduleName: primary.schedule?.name ?? null,
      fireTime: fireTimeOfRunKey(base),
      periodStart: primary.periodStart.toISOString(),
      periodEnd: primary.periodEnd.toISOString(),
      status: primary.status,
      error: primary.error,
      createdAt: primary.createdAt.toISOString(),
      formats: list
        .filter((r) => isFormat(r.format) && (r === primary || r.status !== "failed"))
        .sort((a, b) => (a === primary ? -1 : b === primary ? 1 : a.format.localeCompare(b.format)))
        .map((r) => ({ format: r.format as ReportFormat, runId: r.id })),
      deliveries: parseDeliveries(primary.deliveredJson),
    });
  }
  return out;
}

const select = { id: true, runKey: true, scheduleId: true, periodStart: true, periodEnd: true, status: true, format: true, deliveredJson: true, error: true, createdAt: true, schedule: { select: { name: true } } } as const;

/** Recent runs, newest first, one entry per fire (formats grouped). */
export async function listReportRuns(db: Db, options: { scheduleId?: number; limit?: number } = {}): Promise<ReportRunView[]> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
  const primaries = await db.reportRun.findMany({
    where: { ...(options.scheduleId !== undefined ? { scheduleId: options.scheduleId } : {}), NOT: { runKey: { contains: "#" } } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
    select,
  });
  if (primaries.length === 0) return [];
  const siblings = await db.reportRun.findMany({ where: { OR: primaries.map((p) => ({ runKey: { startsWith: `${p.runKey}#` } })) }, select });
  const order = new Map(primaries.map((p, i) => [p.id, i]));
  return group([...primaries, ...siblings]).sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
}

/** One run (by the id of any of its rows), or null. */
export async function getReportRun(db: Db, id: number): Promise<ReportRunView | null> {
  const row = await db.reportRun.findUnique({ where: { id }, select });
  if (!row) return null;
  const base = baseRunKey(row.runKey);
  const rows = await db.reportRun.findMany({ where: { OR: [{ runKey: base }, { runKey: { startsWith: `${base}#` } }] }, select });
  return group(rows)[0] ?? null;
}

/** A run's stored content in a format (default: the row's own format), or null when not stored. */
export async function getReportRunContent(db: Db, id: number, format?: ReportFormat): Promise<ReportRunContent | null> {
  const row = await db.reportRun.findUnique({ where: { id }, include: { schedule: { select: { name: true } } } });
  if (!row) return null;
  let target = row;
  if (format !== undefined && row.format !== format) {
    const base = baseRunKey(row.runKey);
    const sibling = await db.reportRun.findFirst({ where: { OR: [{ runKey: base }, { runKey: `${base}#${format}` }], format }, include: { schedule: { select: { name: true } } } });
    if (!sibling) return null;
    target = sibling;
  }
  if (!isFormat(target.format) || target.content === "") return null;
  const name = (target.schedule?.name ?? "on-demand").replace(/[^A-Za-z0-9._-]+/g, "-");
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return {
    runId: target.id,
    format: target.format,
    contentType: REPORT_CONTENT_TYPES[target.format],
    filename: `faasight-cost-report-${name}-${day(target.periodStart)}_${day(new Date(target.periodEnd.getTime() - 1))}.${target.format}`,
    content: target.content,
  };
}
