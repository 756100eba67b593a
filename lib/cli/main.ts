/** The `faasight` command line: a table of commands, each loaded only when used. */

export interface CliCommand {
  summary: string;
  load: () => Promise<{ run(args: string[]): Promise<number> }>;
}

export const commands: Record<string, CliCommand> = {
  demo: { summary: "run everything on the embedded default: sandbox, simulator, worker and dashboard", load: () => import("./demo.ts") },
  "parse-logs": { summary: "parse Lambda log lines from stdin, print one JSON object per line", load: () => import("./parse-logs.ts") },
  migrate: { summary: "apply database migrations (SQLite or PostgreSQL, from DATABASE_URL)", load: () => import("./migrate.ts") },
  collect: { summary: "collect once from every source (inventory, logs, metrics, traces, failures)", load: () => import("./collect.ts") },
  worker: { summary: "collect every interval until stopped (graceful on SIGTERM)", load: () => import("./worker.ts") },
  summary: { summary: "per function/qualifier, stage and DLQ figures from the store (--json)", load: () => import("./summary.ts") },
  sandbox: { summary: "serve the local AWS-compatible sandbox endpoint", load: () => import("./sandbox.ts") },
  simulate: { summary: "play the workload simulator against an AWS endpoint and write ground truth", load: () => import("./simulate.ts") },
  alerts: { summary: "evaluate alert rules once, send a test to a channel, list rules/channels/open alerts", load: () => import("./alerts.ts") },
  cost: { summary: "what-if cost estimate for a Lambda function (JSON): faasight cost estimate --help", load: () => import("./cost.ts") },
  replay: { summary: "list, dry-run, replay, bulk-replay, redrive or discard failed events (DLQs, destinations)", load: () => import("./replay.ts") },
  report: { summary: "cost report on demand (csv/html/json) and report schedules: faasight report --help", load: () => import("./report.ts") },
  users: { summary: "users, roles, passwords and API tokens: add, set-role, disable, list, reset-password, tokens", load: () => import("./users.ts") },
};

const HELP = (): string =>
  [
    "Usage: faasight <command> [options]",
    "",
    "Commands:",
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`),
    "",
    "Run `faasight <command> --help` for a command's options.",
  ].join("\n");

/** Runs one CLI invocation; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(HELP() + "\n");
    return name ? 0 : 1;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`faasight: unknown command "${name}"\n\n${HELP()}\n`);
    return 2;
  }
  try {
    const mod = await command.load();
    return await mod.run(rest);
  } catch (err) {
    process.stderr.write(`faasight ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env.FAASIGHT_DEBUG) process.stderr.write(`${(err as Error)?.stack}\n`);
    return 1;
  }
}
