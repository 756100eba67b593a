/**
 * `faasight replay`: list, dry-run, replay, bulk-replay, discard and redrive failed events from
 * the terminal. The CLI acts as a local admin (whoever can run it can read the database and
 * the AWS credentials anyway), named in the audit log by FAASIGHT_ACTOR or the OS user.
 */
import os from "node:os";
import { env as readEnv } from "../env.ts";
import { getDb, type DbHandle } from "../db.ts";
import type { Db } from "../db.ts";
import { migrateDatabase } from "../store/migrate.ts";
import type { Principal } from "../auth/permissions.ts";
import {
  bulkReplay,
  discardEvent,
  finishPendingDeletes,
  getReplayHistory,
  redriveQueue,
  replayEvent,
  resolveInDoubt,
  type BulkProgress,
  type ReplayResult,
} from "../replay/index.ts";
import { openSourceClients } from "../replay/source-clients.ts";
import { parseDuration, parseOptions, UsageError } from "./args.ts";
import { stopSignal, table } from "./collect-common.ts";

const HELP = `Usage: faasight replay <command> [options]

Replays failed Lambda events captured from DLQs and on-failure destinations.
Every action is idempotent (a repeated command does nothing) and audited.

Commands:
  list       [--function F] [--status new] [--queue NAME] [--limit 50]
  run        --event ID [--qualifier 8] [--invocation-type Event|RequestResponse]
             [--redrive [--destination ARN]] [--key K] [--dry-run]
             Re-invoke the function with the original payload (default: the
             original qualifier, RequestResponse), or with --redrive send an
             event-source-mapping DLQ message back to its source queue.
  bulk       --function F | --queue NAME [--error-type T] [--since 2h] [--until 30m]
             [--status new] [--qualifier Q] [--invocation-type T] [--redrive]
             [--rate 5] [--limit N] [--dry-run]
             Replay every matching event at --rate events per second. Stop it
             with Ctrl-C; run the same command again to resume (none twice).
  discard    --event ID --reason "..." [--keep-message]
  redrive-queue --queue NAME [--destination ARN] [--rate N] [--dry-run]
             Move a whole SQS dead-letter queue back (StartMessageMoveTask, or
             send-then-delete where the endpoint lacks it).
  resolve    --event ID (--ran | --did-not-run) --reason "..."
             Settle an event whose replay was cut off mid-call (in doubt).
  cleanup    [--queue NAME]    retry message deletions left pending
  history    --event ID        attempts and audit rows of an event

Common options: --json (machine-readable output), -h/--help.

Identity: the CLI acts as a local admin, recorded in the audit log as
"cli:<name>", where <name> is FAASIGHT_ACTOR or else the OS user name.
AWS access: each event's source (account/region/endpoint/role, as collected)
with the standard credential chain; the sandbox when no credentials are set.
`;

/** The local admin the CLI acts as: FAASIGHT_ACTOR, else the OS user. */
export function cliPrincipal(processEnv: Record<string, string | undefined> = process.env): Principal {
  let name = processEnv.FAASIGHT_ACTOR?.trim();
  if (!name) {
    try {
      name = os.userInfo().username;
    } catch {
      name = processEnv.USER ?? processEnv.USERNAME ?? "unknown";
    }
  }
  return { userId: 0, email: `cli:${name}`, role: "admin", via: "session" };
}

const OPTIONS = {
  help: { type: "boolean", short: "h" },
  json: { type: "boolean" },
  function: { type: "string" },
  status: { type: "string" },
  queue: { type: "string" },
  limit: { type: "string" },
  event: { type: "string" },
  qualifier: { type: "string" },
  "invocation-type": { type: "string" },
  redrive: { type: "boolean" },
  destination: { type: "string" },
  key: { type: "string" },
  "dry-run": { type: "boolean" },
  "error-type": { type: "string" },
  since: { type: "string" },
  until: { type: "string" },
  rate: { type: "string" },
  reason: { type: "string" },
  "keep-message": { type: "boolean" },
  ran: { type: "boolean" },
  "did-not-run": { type: "boolean" },
} as const;

type Values = ReturnType<typeof parseOptions<typeof OPTIONS>>["values"];

function positiveInt(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`--${flag} must be a positive whole number, got "${text}"`);
  return Number(text);
}

function requireFlag<T>(value: T | undefined, flag: string): T {
  if (value === undefined || value === "") throw new UsageError(`--${flag} is required (see faasight replay --help)`);
  return value;
}

function invocationType(text: string | undefined): "Event" | "RequestResponse" | undefined {
  if (text === undefined) return undefined;
  if (text !== "Event" && text !== "RequestResponse") throw new UsageError(`--invocation-type must be Event or RequestResponse, got "${text}"`);
  return text;
}

function statuses(text: string | undefined): ("new" | "failed_again")[] | undefined {
  if (text === undefined) return undefined;
  const list = text.split(",").map((s) => s.trim());
  for (const s of list) if (s !== "new" && s !== "failed_again") throw new UsageError(`--status for bulk must be new and/or failed_again, got "${s}"`);
  return list as ("new" | "failed_again")[];
}

async function queueIdByName(db: Db, name: string): Promise<number> {
  const rows = await db.queue.findMany({ where: { name, deletedAt: null }, select: { id: true } });
  if (rows.length === 0) throw new UsageError(`no queue named "${name}" in the store (run faasight collect first)`);
  if (rows.length > 1) throw new UsageError(`several sources have a queue named "${name}"`);
  return rows[0]!.id;
}

const clip = (s: string | null | undefined, n = 60) => (s ? (s.length > n ? `${s.slice(0, n - 1)}…` : s) : null);

function describeResult(r: ReplayResult): string {
  const lines = [`event ${r.eventId}: ${r.outcome}`];
  const p = r.plan;
  if (p?.action === "reinvoke") {
    lines.push(`  target       ${p.functionName ?? "?"}:${p.qualifier ?? "$LATEST"} (${p.qualifierSource}), ${p.invocationType}`);
    lines.push(`  payload      ${p.payloadBytes} bytes of at most ${p.limitBytes}, sha256 ${p.payloadSha256.slice(0, 16)}…`);
    if (r.outcome === "dry_run") lines.push(`  would send   ${p.payload}`);
  } else if (p?.action === "redrive") {
    lines.push(`  destination  ${p.destinationQueueArn ?? "?"} (${p.destinationSource ?? "unknown"})`);
    lines.push(`  message      about ${p.estimatedBytes} bytes, attributes ${Object.keys(p.messageAttributes).join(", ") || "none"}`);
    if (r.outcome === "dry_run") lines.push(`  would send   ${p.body}`);
  }
  if (p) lines.push(`  key          ${p.idempotencyKey}`);
  if (r.requestId) lines.push(`  ${p?.action === "redrive" ? "new message " : "request id  "} ${r.requestId}`);
  if (r.messageDeleted !== undefined) lines.push(`  DLQ message  ${r.messageDeleted ? "deleted" : "kept"}`);
  if (r.attempt) lines.push(`  attempt      ${r.attempt.id} (${r.attempt.status})`);
  if (r.error) lines.push(`  error        ${r.error}`);
  for (const w of r.warnings) lines.push(`  note         ${w}`);
  return lines.join("\n");
}

const OK_OUTCOMES = new Set(["replayed", "duplicate", "dry_run", "discarded"]);

function progressPrinter(stream: NodeJS.WriteStream): (p: BulkProgress) => void {
  let last = 0;
  return (p) => {
    const line = `${p.done}/${p.total} replayed ${p.counts.replayed} failed_again ${p.counts.failed_again} failed ${p.counts.failed + p.counts.in_doubt} skipped ${p.counts.refused + p.counts.duplicate + p.counts.busy} — event ${p.last.eventId} ${p.last.outcome}`;
    if (!stream.isTTY) {
      stream.write(`${line}\n`);
      return;
    }
    const now = Date.now();
    if (now - last < 100 && p.done < p.total) return;
    last = now;
    const width = 24;
    const filled = p.total ? Math.round((p.done / p.total) * width) : width;
    stream.write(`\r\x1b[K[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${line}`.slice(0, (stream.columns ?? 120) - 1));
    if (p.done === p.total) stream.write("\n");
  };
}

async function listCommand(db: Db, v: Values): Promise<number> {
  const rows = await db.failedEvent.findMany({
    where: {
      ...(v.function ? { functionName: v.function } : {}),
      ...(v.status ? { status: { in: v.status.split(",").map((s) => s.trim()) } } : {}),
      ...(v.queue ? { queue: { name: v.queue } } : {}),
    },
    include: { queue: { select: { name: true } } },
    orderBy: { id: "desc" },
    take: positiveInt(v.limit, "limit") ?? 50,
  });
  if (v.json) {
    process.stdout.write(`${JSON.stringify(rows.map((r) => ({ ...r, queue: r.queue.name })), null, 2)}\n`);
    return 0;
  }
  process.stdout.write(
    `${table(
      ["id", "queue", "function", "qualifier", "kind", "status", "errorCode", "errorMessage", "sent"],
      rows.map((r) => [r.id, r.queue.name, r.functionName, r.qualifier, r.sourceKind, r.status, r.errorCode, clip(r.errorMessage, 40), r.sentAt?.toISOString() ?? null]),
    )}\n`,
  );
  return 0;
}

/** Runs `faasight replay …`; returns the exit code (1 when an action did not succeed). */
export async function run(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (!command || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(HELP);
    return command ? 0 : 1;
  }
  const { values: v } = parseOptions(rest, OPTIONS);
  if (v.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const known = ["list", "run", "bulk", "discard", "redrive-queue", "resolve", "cleanup", "history"];
  if (!known.includes(command)) throw new UsageError(`unknown replay command "${command}" (one of ${known.join(", ")})`);

  const env = readEnv();
  await migrateDatabase(env.DATABASE_URL);
  const handle: DbHandle = getDb();
  const db = handle.db;
  const principal = cliPrincipal();
  const aws = await openSourceClients(db);
  const out = (value: unknown, text: string) => process.stdout.write(v.json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
  try {
    switch (command) {
      case "list":
        return await listCommand(db, v);
      case "run": {
        const r = await replayEvent(db, aws.clients, principal, {
          eventId: requireFlag(positiveInt(v.event, "event"), "event"),
          action: v.redrive ? "redrive" : "reinvoke",
          ...(v.qualifier ? { qualifier: v.qualifier } : {}),
          ...(invocationType(v["invocation-type"]) ? { invocationType: invocationType(v["invocation-type"]) } : {}),
          ...(v.destination ? { destinationQueueArn: v.destination } : {}),
          ...(v.key ? { idempotencyKey: v.key } : {}),
          dryRun: !!v["dry-run"],
        });
        out(r, describeResult(r));
        return OK_OUTCOMES.has(r.outcome) ? 0 : 1;
      }
      case "bulk": {
        const since = v.since ? new Date(Date.now() - parseDuration(v.since)) : undefined;
        const until = v.until ? new Date(Date.now() - parseDuration(v.until)) : undefined;
        if (!v.function && !v.queue) throw new UsageError("bulk needs --function or --queue (see faasight replay --help)");
        const rate = v.rate === undefined ? 5 : Number(v.rate);
        if (!(rate > 0 && rate <= 1000)) throw new UsageError(`--rate must be events per second above 0 and at most 1000, got "${v.rate}"`);
        const stop = stopSignal((sig) => process.stderr.write(`\n${sig}: finishing the current event, then stopping; run the same command again to resume\n`));
        try {
          const r = await bulkReplay(
            db,
            aws.clients,
            principal,
            {
              ...(v.function ? { functionName: v.function } : {}),
              ...(v["error-type"] ? { errorType: v["error-type"] } : {}),
              ...(v.queue ? { queueId: await queueIdByName(db, v.queue) } : {}),
              ...(since ? { since } : {}),
              ...(until ? { until } : {}),
              ...(statuses(v.status) ? { status: statuses(v.status) } : {}),
              ...(positiveInt(v.limit, "limit") ? { limit: positiveInt(v.limit, "limit") } : {}),
              ...(v.qualifier ? { qualifier: v.qualifier } : {}),
              ...(invocationType(v["invocation-type"]) ? { invocationType: invocationType(v["invocation-type"]) } : {}),
              action: v.redrive ? "redrive" : "reinvoke",
              dryRun: !!v["dry-run"],
            },
            { ratePerSecond: rate, signal: stop.signal, ...(v.json || v["dry-run"] ? {} : { onProgress: progressPrinter(process.stderr) }) },
          );
          const c = r.counts;
          const text = [
            v["dry-run"]
              ? table(
                  ["event", "ok", "target", "bytes", "refusal"],
                  (r.plans ?? []).map((p) => [
                    p.eventId,
                    p.ok ? "yes" : "no",
                    p.action === "reinvoke" ? `${p.functionName ?? "?"}:${p.qualifier ?? "$LATEST"} ${p.invocationType}` : (p.destinationQueueArn ?? "?"),
                    p.action === "reinvoke" ? p.payloadBytes : p.estimatedBytes,
                    clip(p.refusal?.message ?? null, 70),
                  ]),
                )
              : r.outcomes.some((o) => o.outcome !== "replayed")
                ? table(
                    ["event", "outcome", "request id / message", "error"],
                    r.outcomes.filter((o) => o.outcome !== "replayed").map((o) => [o.eventId, o.outcome, o.requestId ?? null, clip(o.error ?? null, 70)]),
                  )
                : "every selected event was replayed",
            "",
            `selected ${r.total}, handled ${r.done}${r.aborted ? " (stopped; run again to resume)" : ""}: replayed ${c.replayed}, failed again ${c.failed_again}, failed ${c.failed}, in doubt ${c.in_doubt}, refused ${c.refused}, already done ${c.duplicate + c.busy}`,
            ...(r.inDoubt.length ? [`in doubt from an earlier run (not replayed; see \`faasight replay resolve\`): ${r.inDoubt.join(", ")}`] : []),
            ...(r.cleanup.deleted + r.cleanup.gone ? [`finished ${r.cleanup.deleted + r.cleanup.gone} pending message deletion(s)`] : []),
            `${(r.elapsedMs / 1000).toFixed(1)} s`,
          ].join("\n");
          out(r, text);
          return c.failed + c.failed_again + c.in_doubt + c.refused + c.busy === 0 && !r.aborted ? 0 : 1;
        } finally {
          stop.dispose();
        }
      }
      case "discard": {
        const r = await discardEvent(db, aws.clients, principal, {
          eventId: requireFlag(positiveInt(v.event, "event"), "event"),
          reason: requireFlag(v.reason, "reason"),
          deleteMessage: !v["keep-message"],
        });
        out(r, describeResult(r));
        return OK_OUTCOMES.has(r.outcome) ? 0 : 1;
      }
      case "redrive-queue": {
        const r = await redriveQueue(db, aws.clients, principal, {
          queueId: await queueIdByName(db, requireFlag(v.queue, "queue")),
          ...(v.destination ? { destinationQueueArn: v.destination } : {}),
          ...(v.rate ? { maxPerSecond: positiveInt(v.rate, "rate") } : {}),
          dryRun: !!v["dry-run"],
        });
        out(
          r,
          [
            `${r.queue}: ${r.outcome}${r.method ? ` (${r.method})` : ""} to ${r.destination}`,
            `  depth ${r.depth ? `${r.depth.visible} visible, ${r.depth.inFlight} in flight` : "unknown"}; known events ${r.events}, replayed ${r.replayed}, not moved ${r.notMoved}, messages moved ${r.moved}`,
            ...(r.error ? [`  error ${r.error}`] : []),
            ...r.warnings.map((w) => `  note ${w}`),
          ].join("\n"),
        );
        return r.outcome === "completed" || r.outcome === "dry_run" ? 0 : 1;
      }
      case "resolve": {
        if (!!v.ran === !!v["did-not-run"]) throw new UsageError("say what you found: --ran or --did-not-run");
        const a = await resolveInDoubt(db, principal, {
          eventId: requireFlag(positiveInt(v.event, "event"), "event"),
          resolution: v.ran ? "ran" : "did_not_run",
          reason: requireFlag(v.reason, "reason"),
        });
        out(a, `attempt ${a.id}: ${a.status}`);
        return 0;
      }
      case "cleanup": {
        const r = await finishPendingDeletes(db, aws.clients, principal, v.queue ? { queueId: await queueIdByName(db, v.queue) } : {});
        out(r, `deleted ${r.deleted}, already gone ${r.gone}, still pending ${r.pending}`);
        return 0;
      }
      case "history": {
        const h = await getReplayHistory(db, principal, requireFlag(positiveInt(v.event, "event"), "event"));
        out(
          h,
          [
            table(
              ["attempt", "action", "target", "method", "status", "result", "actor", "at", "error"],
              h.attempts.map((a) => [a.id, a.action, clip(a.target, 40), a.method, a.inDoubt ? "in doubt" : a.status, a.resultRequestId, a.actor, a.createdAt, clip(a.error, 50)]),
            ),
            "",
            table(["at", "actor", "action", "outcome"], h.audit.map((a) => [a.at, a.actor, a.action, a.outcome])),
          ].join("\n"),
        );
        return 0;
      }
    }
    return 2;
  } finally {
    aws.destroy();
    await db.$disconnect();
  }
}
