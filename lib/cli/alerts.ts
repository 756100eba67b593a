/** `faasight alerts evaluate|test-channel|list`: alert evaluation and channel checks from a terminal. */
import { env as readEnv } from "../env.ts";
import { getDb } from "../db.ts";
import { migrateDatabase } from "../store/migrate.ts";
import { evaluateAlerts } from "../alerts/evaluate-alerts.ts";
import { listChannels, listEvents, listRules, testChannel } from "../alerts/manage.ts";
import { parseOptions, UsageError } from "./args.ts";
import { table } from "./collect-common.ts";

const HELP = `Usage: faasight alerts <evaluate|test-channel|list> [options]

  evaluate [--now ISO] [--json]   evaluate every rule once, move alert states and notify
  test-channel <id|name>          send a test notification to a channel
  list [--json]                   rules, channels and open alerts

Webhooks reach only public addresses unless FAASIGHT_WEBHOOK_ALLOW_PRIVATE=1 or
FAASIGHT_WEBHOOK_ALLOWLIST allows them; links use FAASIGHT_PUBLIC_URL.
`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    help: { type: "boolean", short: "h" },
    json: { type: "boolean" },
    now: { type: "string" },
  });
  const [sub, arg] = positionals;
  if (values.help || !sub) {
    process.stdout.write(HELP);
    return values.help ? 0 : 1;
  }
  const env = readEnv();
  await migrateDatabase(env.DATABASE_URL);
  const { db } = getDb();
  try {
    if (sub === "evaluate") {
      const now = values.now ? new Date(values.now) : new Date();
      if (Number.isNaN(now.getTime())) throw new UsageError(`--now "${values.now}" is not a date-time`);
      const r = await evaluateAlerts(db, { now, log: (l) => process.stderr.write(`${l}\n`) });
      if (values.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else {
        if (r.skipped) process.stdout.write("another process is evaluating alerts; skipped\n");
        process.stdout.write(
          `${table(
            ["rule", "kind", "scopes", "breached", "transitions", "error"],
            r.rules.map((o) => [o.rule, o.kind, o.scopes, o.breached, o.transitions.map((t) => `${t.scopeKey} ${t.state}`).join("; ") || "-", o.error ?? ""]),
          )}\nnotifications: ${r.notifications.sent} sent, ${r.notifications.failed} failed\n`,
        );
      }
      return r.rules.some((o) => o.error) ? 1 : 0;
    }
    if (sub === "test-channel") {
      if (!arg) throw new UsageError("test-channel needs a channel id or name");
      const channels = await listChannels(db);
      const ch = channels.find((c) => String(c.id) === arg || c.name === arg);
      if (!ch) throw new UsageError(`no channel "${arg}" (have: ${channels.map((c) => c.name).join(", ") || "none"})`);
      const r = await testChannel(db, { principal: null }, ch.id);
      process.stdout.write(r.ok ? `sent to ${r.channel} (${r.type})${r.messageId ? ` message ${r.messageId}` : ""}${r.status ? ` HTTP ${r.status}` : ""}\n` : `failed: ${r.error}\n`);
      return r.ok ? 0 : 1;
    }
    if (sub === "list") {
      const [rules, channels, open] = await Promise.all([listRules(db), listChannels(db), listEvents(db, { state: "open" })]);
      if (values.json) {
        process.stdout.write(`${JSON.stringify({ rules, channels, open }, null, 2)}\n`);
        return 0;
      }
      process.stdout.write(`${table(["id", "rule", "kind", "threshold", "window", "enabled", "channels"], rules.map((r) => [r.id, r.name, r.kind, r.threshold, `${r.windowMinutes}m`, r.enabled ? "yes" : "no", r.channels.map((c) => c.name).join(", ")]))}\n\n`);
      process.stdout.write(`${table(["id", "channel", "type", "target", "enabled", "failures"], channels.map((c) => [c.id, c.name, c.type, c.target, c.enabled ? "yes" : `no: ${c.disabledReason ?? ""}`, c.failureCount]))}\n\n`);
      process.stdout.write(`${table(["event", "rule", "scope", "state", "value", "since"], open.map((e) => [e.id, e.rule, e.scopeKey, e.state, e.value, e.startedAt]))}\n`);
      return 0;
    }
    throw new UsageError(`unknown subcommand "${sub}"\n\n${HELP}`);
  } finally {
    await db.$disconnect();
  }
}
