/** `faasight collect`: one collection of every source, then a report of calls and rows. */
import { parseDuration, parseOptions, UsageError } from "./args.ts";
import { formatCycleReport, openCollectContext, progressLine, stopSignal } from "./collect-common.ts";
import { runCollection } from "../worker/collect.ts";
import { COLLECTORS, type CollectorName } from "../worker/cycle.ts";

const HELP = `Usage: faasight collect [--since 2h] [--rescan] [--only logs,metrics] [--json]

Collects once from every configured source (FAASIGHT_SOURCES_FILE, the AWS account in
the environment, or the local sandbox): inventory, logs, metrics, traces, failures.
Resumes from the stored cursors; keys collected for the first time start --since ago.

  --since DUR   window for keys without a cursor (default 1h), e.g. 30m, 2h, 1d
  --rescan      ignore cursors and re-read the whole --since window (a no-op when
                the store already holds it: every write is idempotent)
  --only LIST   collectors to run (${COLLECTORS.join(", ")})
  --fresh-inventory
                read the inventory even if it was read less than
                FAASIGHT_INVENTORY_INTERVAL_MINUTES (10) ago
  --json        print the report as JSON
`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseOptions(args, {
    help: { type: "boolean", short: "h" },
    since: { type: "string" },
    rescan: { type: "boolean" },
    only: { type: "string" },
    json: { type: "boolean" },
    "fresh-inventory": { type: "boolean" },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const sinceMs = parseDuration(values.since ?? "1h");
  const only = values.only?.split(",").map((s) => s.trim()) as CollectorName[] | undefined;
  for (const c of only ?? []) if (!COLLECTORS.includes(c)) throw new UsageError(`--only: unknown collector "${c}" (use ${COLLECTORS.join(", ")})`);
  const stop = stopSignal((sig) => process.stderr.write(`\nfaasight collect: ${sig}, finishing the current batch…\n`));
  const ctx = await openCollectContext();
  const progress = progressLine(process.stderr);
  const started = Date.now();
  try {
    const results = await runCollection({
      db: ctx.handle.db,
      store: ctx.store,
      sources: ctx.sources,
      settings: ctx.settings,
      since: started - sinceMs,
      now: started,
      rescan: values.rescan,
      freshInventory: values["fresh-inventory"],
      only,
      signal: stop.signal,
      onProgress: (p) => progress.update(p),
      log: (line) => {
        progress.done();
        process.stderr.write(`${line}\n`);
      },
    });
    progress.done();
    if (values.json) process.stdout.write(JSON.stringify({ ms: Date.now() - started, results }, (_k, v) => (typeof v === "bigint" ? Number(v) : v)) + "\n");
    else process.stdout.write(formatCycleReport(results, Date.now() - started) + "\n");
    const failed = results.some((r) => Object.values(r.collectors).some((c) => c?.status === "failed"));
    return stop.signal.aborted ? 0 : failed ? 1 : 0;
  } finally {
    stop.dispose();
    await ctx.close();
  }
}
