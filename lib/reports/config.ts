/**
 * Report schedules from a config file (FAASIGHT_REPORTS_FILE, optional):
 * { "schedules": [ { "name", "cron", "timezone", "period", "formats", "channels", "enabled" } ] }.
 * Synced by name: missing schedules are created, changed ones updated; none is deleted.
 */
import fs from "node:fs";
import { z } from "zod";
import type { Db } from "../db.ts";
import { env as processEnv, parseEnv } from "../env.ts";
import { nextFireTime, reportScheduleInputSchema, storedScheduleChannels, storedScheduleFormats, type ReportScheduleInput } from "./schedules.ts";

/** The file is unreadable or invalid; the message names the file and the field. */
export class ReportsConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReportsConfigError";
  }
}

export const reportsConfigSchema = z.strictObject({
  schedules: z.array(reportScheduleInputSchema).superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((s, i) => {
      if (seen.has(s.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `duplicate schedule name "${s.name}"` });
      seen.add(s.name);
    });
  }),
});

/** The config file named by FAASIGHT_REPORTS_FILE (empty = unset), or undefined. */
export function reportsConfigFile(env?: Record<string, string | undefined>): string | undefined {
  return (env ? parseEnv(env) : processEnv()).FAASIGHT_REPORTS_FILE?.trim() || undefined;
}

/** Validates a parsed config document (pure). */
export function parseReportsConfig(doc: unknown, origin = "reports config"): ReportScheduleInput[] {
  const r = reportsConfigSchema.safeParse(doc);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.map(String).join(".") || "(root)"}: ${i.message}`);
    throw new ReportsConfigError(`Invalid ${origin}:\n${lines.join("\n")}`);
  }
  return r.data.schedules;
}

/** Reads and validates a config file. */
export function loadReportsConfig(file: string): ReportScheduleInput[] {
  const origin = `FAASIGHT_REPORTS_FILE (${file})`;
  let text: string;
  try {
    // The path is the user's, known only at run time: keep the bundler from tracing it.
    text = fs.readFileSync(/* turbopackIgnore: true */ file, "utf8");
  } catch (err) {
    throw new ReportsConfigError(`Cannot read ${origin}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ReportsConfigError(`${origin} is not valid JSON: ${(err as Error).message}`);
  }
  return parseReportsConfig(doc, origin);
}

export interface SyncResult {
  file: string | null;
  created: string[];
  updated: string[];
  unchanged: string[];
}

/** Creates or updates the schedules of the config file (call at worker start). No file: nothing to do. */
export async function syncReportSchedulesFromConfig(db: Db, options: { file?: string; env?: Record<string, string | undefined>; now?: Date | number } = {}): Promise<SyncResult> {
  const file = options.file ?? reportsConfigFile(options.env);
  const result: SyncResult = { file: file ?? null, created: [], updated: [], unchanged: [] };
  if (!file) return result;
  const now = new Date(options.now ?? Date.now());
  for (const s of loadReportsConfig(file)) {
    const row = await db.reportSchedule.findUnique({ where: { name: s.name } });
    const data = { cron: s.cron, timezone: s.timezone, period: s.period, formatsJson: JSON.stringify(s.formats), channelsJson: JSON.stringify(s.channels), enabled: s.enabled };
    if (!row) {
      await db.reportSchedule.create({ data: { name: s.name, ...data, nextRunAt: s.enabled ? nextFireTime(s.cron, s.timezone, now) : null, createdAt: now } });
      result.created.push(s.name);
      continue;
    }
    const same =
      row.cron === s.cron &&
      row.timezone === s.timezone &&
      row.period === s.period &&
      row.enabled === s.enabled &&
      JSON.stringify(storedScheduleFormats(row)) === JSON.stringify(s.formats) &&
      JSON.stringify(storedScheduleChannels(row)) === JSON.stringify(s.channels);
    if (same) {
      result.unchanged.push(s.name);
      continue;
    }
    const timing = row.cron !== s.cron || row.timezone !== s.timezone || row.enabled !== s.enabled;
    await db.reportSchedule.update({ where: { id: row.id }, data: { ...data, ...(timing ? { nextRunAt: s.enabled ? nextFireTime(s.cron, s.timezone, now) : null } : {}) } });
    result.updated.push(s.name);
  }
  return result;
}
