/** `faasight report`: a cost report on demand from the store, and report schedules (list/add/remove). */
import fs from "node:fs";
import { env as readEnv } from "../env.ts";
import { getDb, type Db } from "../db.ts";
import { migrateDatabase } from "../store/migrate.ts";
import { getCostReport } from "../queries/cost-report/get-cost-report.ts";
import { REPORT_FORMATS, type ReportFormat } from "../reports/model.ts";
import { parseReportPeriodSpec, REPORT_PERIOD_PRESETS, ReportPeriodError, resolveReportPeriod } from "../reports/periods.ts";
import { renderReport } from "../reports/render.ts";
import {
  createReportSchedule,
  deleteReportSchedule,
  listReportSchedules,
  ReportScheduleConflictError,
  ReportScheduleNotFoundError,
  ReportScheduleValidationError,
  type ReportChannel,
} from "../reports/schedules.ts";
import { PriceNotAvailableError, PriceTableError } from "../cost/prices.ts";
import { parseOptions, UsageError } from "./args.ts";
import { table } from "./collect-common.ts";

const HELP = `Usage: faasight report [--period PERIOD | --from DATE --to DATE] [--format csv|html|json]
                       [--timezone ZONE] [--out FILE]
       faasight report schedule list [--json]
       faasight report schedule add --name NAME --cron "0 8 * * 1" [--timezone ZONE]
                       [--period PERIOD] [--format html,csv,json] [--sns TOPIC_ARN]... [--webhook URL]...
                       [--disabled]
       faasight report schedule remove NAME|ID

Prints a cost report for a period from the store (DATABASE_URL): totals and change vs the
previous period, top movers, per function / alias / API stage costs, right-sizing and arm64
savings, anomalies, month-end projection and Faasight's own monitoring cost.

Options:
  --period     ${REPORT_PERIOD_PRESETS.join(", ")} (default last-7d);
               or --from/--to: dates YYYY-MM-DD in the time zone (--to inclusive),
               or ISO times with an offset (--to exclusive)
  --format     csv (default), html or json
  --timezone   IANA time zone the days and weeks are in (default UTC), e.g. Europe/Berlin
  --out        write to FILE instead of stdout

Schedules fire in their time zone (cron by croner: 5 fields, or 6 with seconds); the worker
runs due schedules every cycle, stores each format and delivers to SNS topics (a summary with
a link) and webhooks (JSON). Config file alternative: FAASIGHT_REPORTS_FILE.

Exit codes: 0 ok, 2 invalid input.`;

const REPORT_OPTIONS = {
  help: { type: "boolean", short: "h" },
  period: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  format: { type: "string" },
  timezone: { type: "string" },
  out: { type: "string" },
} as const;

const ADD_OPTIONS = {
  help: { type: "boolean", short: "h" },
  name: { type: "string" },
  cron: { type: "string" },
  timezone: { type: "string" },
  period: { type: "string" },
  format: { type: "string" },
  sns: { type: "string", multiple: true },
  webhook: { type: "string", multiple: true },
  disabled: { type: "boolean" },
} as const;

export interface ReportCommandDeps {
  /** The store (default: DATABASE_URL, migrated first). */
  db?: Db;
  now?: () => Date;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
}

function parseFormat(text: string | undefined): ReportFormat {
  const f = text ?? "csv";
  if (!(REPORT_FORMATS as readonly string[]).includes(f)) throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(", ")} (got "${f}")`);
  return f as ReportFormat;
}

async function onDemand(db: Db, args: string[], deps: Required<Omit<ReportCommandDeps, "db">>): Promise<number> {
  const { values, positionals } = parseOptions(args, REPORT_OPTIONS);
  if (values.help) {
    deps.stdout(`${HELP}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" (subcommand: schedule)`);
  const format = parseFormat(values.format);
  const custom = values.from !== undefined || values.to !== undefined;
  const spec = parseReportPeriodSpec(values.period ?? (custom ? "custom" : "last-7d"), values.from, values.to);
  const period = resolveReportPeriod(spec, { now: deps.now(), timezone: values.timezone ?? "UTC" });
  const report = await getCostReport(db, period, { generatedAt: deps.now() });
  const text = renderReport(report, format);
  if (values.out) {
    fs.writeFileSync(values.out, text);
    deps.stderr(`faasight report: wrote ${format} for ${period.label} (${period.timezone}) to ${values.out}\n`);
  } else deps.stdout(text);
  return 0;
}

async function schedule(db: Db, args: string[], deps: Required<Omit<ReportCommandDeps, "db">>): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "list") {
    const { values, positionals } = parseOptions(rest, { json: { type: "boolean" }, help: { type: "boolean", short: "h" } });
    if (values.help) {
      deps.stdout(`${HELP}\n`);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const list = await listReportSchedules(db);
    if (values.json) deps.stdout(`${JSON.stringify(list, null, 2)}\n`);
    else if (list.length === 0) deps.stdout("No report schedules. Add one with `faasight report schedule add --help`.\n");
    else
      deps.stdout(
        table(
          ["id", "name", "cron", "timezone", "period", "formats", "channels", "enabled", "next run"],
          list.map((s) => [String(s.id), s.name, s.cron, s.timezone, s.period, s.formats.join(","), String(s.channels.length), s.enabled ? "yes" : "no", s.nextRunAt ?? "-"]),
        ) + "\n",
      );
    return 0;
  }
  if (sub === "add") {
    const { values, positionals } = parseOptions(rest, ADD_OPTIONS);
    if (values.help) {
      deps.stdout(`${HELP}\n`);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    if (!values.name) throw new UsageError("--name is required");
    if (!values.cron) throw new UsageError("--cron is required");
    const channels: ReportChannel[] = [...(values.sns ?? []).map((topicArn) => ({ type: "sns" as const, topicArn })), ...(values.webhook ?? []).map((url) => ({ type: "webhook" as const, url }))];
    const created = await createReportSchedule(
      db,
      {
        name: values.name,
        cron: values.cron,
        ...(values.timezone !== undefined ? { timezone: values.timezone } : {}),
        ...(values.period !== undefined ? { period: values.period } : {}),
        ...(values.format !== undefined ? { formats: values.format.split(",").map((f) => f.trim()).filter(Boolean) } : {}),
        channels,
        enabled: !values.disabled,
      },
      { now: deps.now() },
    );
    deps.stdout(`Added report schedule #${created.id} "${created.name}": ${created.cron} (${created.timezone}), ${created.period}; next run ${created.nextRunAt ?? "never (disabled)"}\n`);
    return 0;
  }
  if (sub === "remove") {
    const [ref, ...extra] = rest;
    if (!ref || ref === "--help" || ref === "-h") {
      deps.stdout(`${HELP}\n`);
      return ref ? 0 : 2;
    }
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const removed = await deleteReportSchedule(db, /^\d+$/.test(ref) ? Number(ref) : ref);
    deps.stdout(`Removed report schedule #${removed.id} "${removed.name}" (its past runs are kept).\n`);
    return 0;
  }
  throw new UsageError(`unknown subcommand "schedule ${sub ?? ""}" (use list, add or remove)`);
}

/** Runs `faasight report …` with injectable store, clock and output (tests). */
export async function runReportCommand(args: string[], deps: ReportCommandDeps = {}): Promise<number> {
  const io = {
    now: deps.now ?? (() => new Date()),
    stdout: deps.stdout ?? ((t: string) => void process.stdout.write(t)),
    stderr: deps.stderr ?? ((t: string) => void process.stderr.write(t)),
  };
  if (args[0] === "--help" || args[0] === "-h" || args[0] === "help" || (args[0] === "schedule" && args.length === 1)) {
    io.stdout(`${HELP}\n`);
    return args[0] === "schedule" ? 2 : 0;
  }
  let opened: Db | undefined;
  try {
    let db = deps.db;
    if (!db) {
      await migrateDatabase(readEnv().DATABASE_URL);
      db = opened = getDb().db;
    }
    return args[0] === "schedule" ? await schedule(db, args.slice(1), io) : await onDemand(db, args, io);
  } catch (err) {
    if (
      err instanceof UsageError ||
      err instanceof ReportPeriodError ||
      err instanceof ReportScheduleValidationError ||
      err instanceof ReportScheduleConflictError ||
      err instanceof ReportScheduleNotFoundError ||
      err instanceof PriceTableError ||
      err instanceof PriceNotAvailableError
    ) {
      io.stderr(`faasight report: ${err.message}\n`);
      return 2;
    }
    throw err;
  } finally {
    await opened?.$disconnect();
  }
}

export async function run(args: string[]): Promise<number> {
  return runReportCommand(args);
}
