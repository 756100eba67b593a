/**
 * Report schedules: validation (cron by croner, IANA time zone, formats, channels), create /
 * update / delete / list, and fire times. Used by the UI/API, the CLI and the config file.
 */
import { Cron } from "croner";
import { z } from "zod";
import type { Db } from "../db.ts";
import { REPORT_FORMATS, type ReportFormat } from "./model.ts";
import { REPORT_PERIOD_PRESETS, type ReportPeriodPreset } from "./periods.ts";
import { canonicalTimeZone } from "./time-zone.ts";

/** Fewer minutes than this between two fires is refused (rollups are hourly; a report is not an alert). */
export const MIN_SCHEDULE_INTERVAL_MINUTES = 60;

const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z]{2}(-[a-z]+)+-\d:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

export const snsChannelSchema = z.strictObject({
  type: z.literal("sns"),
  topicArn: z.string().regex(SNS_TOPIC_ARN, "must be an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:cost-reports"),
});

export const webhookChannelSchema = z.strictObject({
  type: z.literal("webhook"),
  url: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).max(2000),
});

/** A channel: {type:"sns", topicArn} | {type:"webhook", url}; a bare topic ARN or URL string is accepted too. */
export const channelSchema = z.preprocess(
  (v) => (typeof v === "string" ? (v.startsWith("arn:") ? { type: "sns", topicArn: v } : { type: "webhook", url: v }) : v),
  z.discriminatedUnion("type", [snsChannelSchema, webhookChannelSchema]),
);

export type ReportChannel = z.infer<typeof channelSchema>;

/** Why a cron expression is refused, or null when it is fine. */
export function cronProblem(cron: string, timezone = "UTC"): string | null {
  let job: Cron;
  try {
    job = new Cron(cron, { timezone, mode: "5-or-6-parts" });
  } catch (err) {
    return `is not a valid cron expression: ${(err as Error).message.replace(/^Cron\w*: /, "")}`;
  }
  let runs: Date[];
  try {
    runs = job.nextRuns(6, new Date());
  } catch (err) {
    return `cannot be evaluated: ${(err as Error).message.replace(/^Cron\w*: /, "")}`;
  }
  if (runs.length === 0) return "never fires";
  for (let i = 1; i < runs.length; i++) {
    if (runs[i].getTime() - runs[i - 1].getTime() < MIN_SCHEDULE_INTERVAL_MINUTES * 60_000) return `fires more often than every ${MIN_SCHEDULE_INTERVAL_MINUTES} minutes`;
  }
  return null;
}

const timezoneSchema = z
  .string()
  .trim()
  .refine((tz) => canonicalTimeZone(tz) !== null, "must be an IANA time zone such as UTC, Europe/Berlin or America/New_York")
  .transform((tz) => canonicalTimeZone(tz)!);

const formatsSchema = z
  .array(z.enum(REPORT_FORMATS))
  .min(1, "needs at least one format (html, csv, json)")
  .transform((f) => [...new Set(f)]);

const fields = {
  name: z.string().trim().min(1).max(100),
  cron: z.string().trim().min(1).max(200),
  timezone: timezoneSchema,
  period: z.enum(REPORT_PERIOD_PRESETS),
  formats: formatsSchema,
  channels: z.array(channelSchema).max(20),
  enabled: z.boolean(),
};

function checkCron(v: { cron?: string; timezone?: string }, ctx: z.RefinementCtx) {
  // An invalid time zone has its own issue; the cron is then checked in UTC.
  if (typeof v.cron !== "string") return;
  const problem = cronProblem(v.cron, (typeof v.timezone === "string" && canonicalTimeZone(v.timezone)) || "UTC");
  if (problem) ctx.addIssue({ code: "custom", path: ["cron"], message: problem });
}

/** A new schedule (the API body, a config file entry, CLI flags). */
export const reportScheduleInputSchema = z
  .strictObject({
    name: fields.name,
    cron: fields.cron,
    timezone: fields.timezone.default("UTC"),
    period: fields.period.default("last-7d"),
    formats: fields.formats.default(["html"]),
    channels: fields.channels.default([]),
    enabled: fields.enabled.default(true),
  })
  .superRefine(checkCron);

/** Changes to a schedule: any subset of the fields. */
export const reportSchedulePatchSchema = z
  .strictObject({
    name: fields.name.optional(),
    cron: fields.cron.optional(),
    timezone: fields.timezone.optional(),
    period: fields.period.optional(),
    formats: fields.formats.optional(),
    channels: fields.channels.optional(),
    enabled: fields.enabled.optional(),
  })
  .superRefine(checkCron);

export type ReportScheduleInput = z.infer<typeof reportScheduleInputSchema>;
export type ReportSchedulePatch = z.infer<typeof reportSchedulePatchSchema>;

/** A schedule as the UI and API see it. */
export interface ReportScheduleView {
  id: number;
  name: string;
  cron: string;
  timezone: string;
  period: ReportPeriodPreset;
  formats: ReportFormat[];
  channels: ReportChannel[];
  enabled: boolean;
  lastRunAt: string | null;
  nextRunAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Invalid schedule input; `issues` name each field (API: 400). */
export class ReportScheduleValidationError extends Error {
  constructor(
    message: string,
    readonly issues: Array<{ path: string; message: string }>,
  ) {
    super(message);
    this.name = "ReportScheduleValidationError";
  }
}

/** No schedule with that id or name (API: 404). */
export class ReportScheduleNotFoundError extends Error {
  constructor(ref: number | string) {
    super(`report schedule ${typeof ref === "number" ? `#${ref}` : `"${ref}"`} was not found`);
    this.name = "ReportScheduleNotFoundError";
  }
}

/** Another schedule has the name (API: 409). */
export class ReportScheduleConflictError extends Error {
  constructor(name: string) {
    super(`a report schedule named "${name}" already exists`);
    this.name = "ReportScheduleConflictError";
  }
}

function validation(error: z.ZodError, what: string): ReportScheduleValidationError {
  const issues = error.issues.map((i) => ({ path: i.path.map(String).join(".") || "(root)", message: i.message }));
  return new ReportScheduleValidationError(`invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, issues);
}

/** Validates a new schedule; throws ReportScheduleValidationError naming each bad field. */
export function parseReportScheduleInput(input: unknown): ReportScheduleInput {
  const r = reportScheduleInputSchema.safeParse(input);
  if (!r.success) throw validation(r.error, "report schedule");
  return r.data;
}

/** Validates a change to a schedule. */
export function parseReportSchedulePatch(input: unknown): ReportSchedulePatch {
  const r = reportSchedulePatchSchema.safeParse(input);
  if (!r.success) throw validation(r.error, "report schedule change");
  return r.data;
}

/** The first fire time strictly after `after`, in the schedule's time zone (croner), or null. */
export function nextFireTime(cron: string, timezone: string, after: Date): Date | null {
  return new Cron(cron, { timezone, mode: "5-or-6-parts" }).nextRun(after);
}

/** The latest fire time at or before `at`, or null. */
export function latestFireTime(cron: string, timezone: string, at: Date): Date | null {
  // previousRuns excludes a run at exactly the reference instant; a millisecond later includes it.
  return new Cron(cron, { timezone, mode: "5-or-6-parts" }).previousRuns(1, new Date(at.getTime() + 1))[0] ?? null;
}

const storedFormats = z.array(z.enum(REPORT_FORMATS)).min(1).catch(["html"]);
const storedChannels = z.array(z.unknown()).catch([]);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

type ScheduleRow = Awaited<ReturnType<Db["reportSchedule"]["findMany"]>>[number];

/** Formats of a stored schedule (a corrupt column reads as ["html"]). */
export function storedScheduleFormats(row: Pick<ScheduleRow, "formatsJson">): ReportFormat[] {
  return [...new Set(storedFormats.parse(parseJson(row.formatsJson)))];
}

/** Channels of a stored schedule; invalid entries are dropped. */
export function storedScheduleChannels(row: Pick<ScheduleRow, "channelsJson">): ReportChannel[] {
  return storedChannels.parse(parseJson(row.channelsJson)).flatMap((c) => {
    const r = channelSchema.safeParse(c);
    return r.success ? [r.data] : [];
  });
}

/** The API/UI view of a stored schedule. */
export function toScheduleView(row: ScheduleRow): ReportScheduleView {
  return {
    id: row.id,
    name: row.name,
    cron: row.cron,
    timezone: row.timezone,
    period: (REPORT_PERIOD_PRESETS as readonly string[]).includes(row.period) ? (row.period as ReportPeriodPreset) : "last-7d",
    formats: storedScheduleFormats(row),
    channels: storedScheduleChannels(row),
    enabled: row.enabled,
    lastRunAt: row.lastRunAt?.toISOString() ?? null,
    nextRunAt: row.nextRunAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const isUniqueViolation = (err: unknown) => (err as { code?: string })?.code === "P2002";

const nowOf = (now: Date | number | undefined) => (now === undefined ? new Date() : new Date(now));

/** Every schedule, by name. */
export async function listReportSchedules(db: Db): Promise<ReportScheduleView[]> {
  return (await db.reportSchedule.findMany({ orderBy: { name: "asc" } })).map(toScheduleView);
}

async function findRow(db: Db, ref: number | string): Promise<ScheduleRow> {
  const row = typeof ref === "number" ? await db.reportSchedule.findUnique({ where: { id: ref } }) : await db.reportSchedule.findUnique({ where: { name: ref } });
  if (!row) throw new ReportScheduleNotFoundError(ref);
  return row;
}

/** One schedule by id or name; throws ReportScheduleNotFoundError. */
export async function getReportSchedule(db: Db, ref: number | string): Promise<ReportScheduleView> {
  return toScheduleView(await findRow(db, ref));
}

/** Creates a schedule (validated); its first fire is the first cron time after `now`. */
export async function createReportSchedule(db: Db, input: unknown, options: { now?: Date | number } = {}): Promise<ReportScheduleView> {
  const v = parseReportScheduleInput(input);
  const now = nowOf(options.now);
  try {
    const row = await db.reportSchedule.create({
      data: {
        name: v.name,
        cron: v.cron,
        timezone: v.timezone,
        period: v.period,
        formatsJson: JSON.stringify(v.formats),
        channelsJson: JSON.stringify(v.channels),
        enabled: v.enabled,
        nextRunAt: v.enabled ? nextFireTime(v.cron, v.timezone, now) : null,
        createdAt: now,
      },
    });
    return toScheduleView(row);
  } catch (err) {
    if (isUniqueViolation(err)) throw new ReportScheduleConflictError(v.name);
    throw err;
  }
}

/** Changes a schedule; the next fire is recomputed from `now` when the timing or enabled flag changes. */
export async function updateReportSchedule(db: Db, ref: number | string, patch: unknown, options: { now?: Date | number } = {}): Promise<ReportScheduleView> {
  const p = parseReportSchedulePatch(patch);
  const row = await findRow(db, ref);
  const cron = p.cron ?? row.cron;
  const timezone = p.timezone ?? row.timezone;
  const enabled = p.enabled ?? row.enabled;
  if (p.cron === undefined && p.timezone !== undefined) {
    const problem = cronProblem(cron, timezone);
    if (problem) throw new ReportScheduleValidationError(`invalid report schedule change: cron: ${problem}`, [{ path: "cron", message: problem }]);
  }
  const timingChanged = cron !== row.cron || timezone !== row.timezone || enabled !== row.enabled;
  const now = nowOf(options.now);
  try {
    const updated = await db.reportSchedule.update({
      where: { id: row.id },
      data: {
        ...(p.name !== undefined ? { name: p.name } : {}),
        ...(p.period !== undefined ? { period: p.period } : {}),
        ...(p.formats !== undefined ? { formatsJson: JSON.stringify(p.formats) } : {}),
        ...(p.channels !== undefined ? { channelsJson: JSON.stringify(p.channels) } : {}),
        cron,
        timezone,
        enabled,
        ...(timingChanged || (enabled && row.nextRunAt === null) ? { nextRunAt: enabled ? nextFireTime(cron, timezone, now) : null } : {}),
      },
    });
    return toScheduleView(updated);
  } catch (err) {
    if (isUniqueViolation(err)) throw new ReportScheduleConflictError(p.name ?? row.name);
    throw err;
  }
}

/** Deletes a schedule; its past runs stay (their scheduleId becomes null). */
export async function deleteReportSchedule(db: Db, ref: number | string): Promise<ReportScheduleView> {
  const row = await findRow(db, ref);
  await db.reportSchedule.delete({ where: { id: row.id } });
  return toScheduleView(row);
}
