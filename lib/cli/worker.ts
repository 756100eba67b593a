/** `faasight worker`: collection cycles on an interval until SIGTERM (the current batch commits first). */
import { parseDuration, parseOptions, UsageError } from "./args.ts";
import { formatCycleReport, openCollectContext, stopSignal } from "./collect-common.ts";
import { runWorker } from "../worker/collect.ts";
import { createAfterCycle } from "../worker/after-cycle.ts";

const HELP = `Usage: faasight worker [--interval 60s] [--since 1h]

Runs a collection cycle over every configured source every interval (default
FAASIGHT_COLLECT_INTERVAL_SECONDS, 60 s), and retention hourly. After each cycle it
evaluates the alert rules (notifying SNS topics and webhooks) and runs the cost
reports that are due. SIGTERM or Ctrl-C lets the current batch commit, then exits.

  --interval DUR   time between cycle starts (minimum 10s)
  --since DUR      window of a source's first cycle (default 1h)
`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseOptions(args, {
    help: { type: "boolean", short: "h" },
    interval: { type: "string" },
    since: { type: "string" },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const stop = stopSignal((sig) => process.stderr.write(`faasight worker: ${sig}, finishing the current batch…\n`));
  const ctx = await openCollectContext();
  const intervalMs = values.interval ? parseDuration(values.interval) : ctx.env.FAASIGHT_COLLECT_INTERVAL_SECONDS * 1000;
  if (intervalMs < 10_000) throw new UsageError("--interval must be at least 10s");
  const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  const afterCycle = await createAfterCycle(ctx.handle.db, log);
  log(`worker: ${ctx.sources.map((s) => `${s.config.name} (${s.accountId} ${s.config.region})`).join(", ")}; cycle every ${intervalMs / 1000} s`);
  try {
    await runWorker({
      db: ctx.handle.db,
      store: ctx.store,
      sources: ctx.sources,
      settings: ctx.settings,
      intervalMs,
      initialWindowMs: parseDuration(values.since ?? "1h"),
      signal: stop.signal,
      log,
      onCycle: (results, ms) => {
        const written = results.reduce((a, r) => a + Object.values(r.collectors).reduce((b, c) => b + (c?.written ?? 0), 0), 0);
        log(`cycle: ${written} rows written in ${(ms / 1000).toFixed(1)} s`);
        if (ctx.env.FAASIGHT_LOG_LEVEL === "debug") process.stderr.write(formatCycleReport(results, ms) + "\n");
        return afterCycle.run();
      },
    });
    log("worker: stopped");
    return 0;
  } finally {
    await afterCycle.close();
    stop.dispose();
    await ctx.close();
  }
}
