/** `faasight simulate`: plays the simulated shop against an AWS endpoint and writes ground truth. */
import { createAwsClients, SANDBOX_CREDENTIALS, type AwsTarget } from "../aws/clients.ts";
import { backfill, createRun, DEFAULT_CONCURRENCY } from "../simulate/backfill.ts";
import { runLive } from "../simulate/live.ts";
import { provisionShop } from "../simulate/provision.ts";
import { buildShop } from "../simulate/shop.ts";
import { writeTruthFile } from "../simulate/truth.ts";
import { parseDuration, parseOptions, UsageError } from "./args.ts";

const HELP = `Usage: faasight simulate [options]

Plays a realistic serverless shop (API stages with a canary, aliases routing 90/10,
cold starts, timeouts, throttles, async retries into DLQs) by writing its telemetry
through the AWS APIs of an endpoint, and records the exact ground truth.

Options:
  --endpoint URL      AWS endpoint (default: AWS_ENDPOINT_URL or http://127.0.0.1:4566)
  --region REGION     region (default: us-east-1)
  --seed N            random seed (default: 1); same seed + same --end = same telemetry
  --backfill DUR      simulate the past DUR up to --end, as fast as possible (e.g. 1d, 7d, 2h)
  --live              then keep simulating in real time (Ctrl-C stops cleanly)
  --functions N       number of functions (default 12; more clones the shop, e.g. 1000)
  --rate X            traffic multiplier (default 1 = ~30k invocations/day for 12 functions)
  --truth FILE        write the ground truth JSON to FILE (rewritten every minute in live mode)
  --end ISO           end of the backfill window (default: now, rounded down to the minute)
  --concurrency N     requests in flight (default ${DEFAULT_CONCURRENCY})
  --allow-real-aws    allow an amazonaws.com endpoint (writes fake telemetry into a real account, which costs money)
  -h, --help          show this help

Without --backfill or --live, the shop is provisioned and a 1-day backfill runs.`;

/** Runs the command; returns the exit code. */
export async function run(args: string[]): Promise<number> {
  const { values } = parseOptions(args, {
    endpoint: { type: "string" },
    region: { type: "string" },
    seed: { type: "string" },
    backfill: { type: "string" },
    live: { type: "boolean" },
    functions: { type: "string" },
    rate: { type: "string" },
    truth: { type: "string" },
    end: { type: "string" },
    concurrency: { type: "string" },
    "allow-real-aws": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    process.stdout.write(HELP + "\n");
    return 0;
  }
  const endpoint = values.endpoint ?? process.env.AWS_ENDPOINT_URL ?? "http://127.0.0.1:4566";
  let host: string;
  try {
    host = new URL(endpoint).hostname;
  } catch {
    throw new UsageError(`--endpoint "${endpoint}" is not a URL`);
  }
  if (/(^|\.)amazonaws\.com(\.cn)?$/.test(host) && !values["allow-real-aws"]) {
    throw new UsageError(`refusing to write simulated telemetry to ${host}: it would land in a real AWS account and cost money (pass --allow-real-aws if you mean it)`);
  }
  const int = (name: string, v: string | undefined, fallback: number, min = 0) => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}`);
    return n;
  };
  const seed = int("seed", values.seed, 1);
  const functions = int("functions", values.functions, 12, 1);
  const concurrency = int("concurrency", values.concurrency, DEFAULT_CONCURRENCY, 1);
  const rate = values.rate === undefined ? 1 : Number(values.rate);
  if (!Number.isFinite(rate) || rate < 0) throw new UsageError("--rate must be a number >= 0");
  const live = !!values.live;
  const backfillMs = values.backfill !== undefined ? parseDuration(values.backfill) : live ? 0 : 86_400_000;
  let end = Math.floor(Date.now() / 60_000) * 60_000;
  if (values.end !== undefined) {
    const t = Date.parse(values.end);
    if (Number.isNaN(t)) throw new UsageError(`--end "${values.end}" is not an ISO timestamp`);
    if (live) throw new UsageError("--end cannot be combined with --live (live mode follows the clock)");
    end = Math.floor(t / 60_000) * 60_000;
  }
  const region = values.region ?? process.env.AWS_REGION ?? "us-east-1";
  // Real AWS: per-service endpoints and the standard credential chain; emulators: the given endpoint.
  const realAws = /(^|\.)amazonaws\.com(\.cn)?$/.test(host);
  const target: AwsTarget = realAws
    ? { region, maxAttempts: 5 }
    : { region, endpoint, maxAttempts: 5, ...(process.env.AWS_ACCESS_KEY_ID ? {} : { credentials: SANDBOX_CREDENTIALS }) };
  const clients = createAwsClients(target);
  const err = (line: string) => process.stderr.write(line + "\n");
  let runState: ReturnType<typeof createRun> | undefined;
  try {
    const shop = buildShop({ functions });
    const started = Date.now();
    const provisioned = await provisionShop(clients, shop, { log: (l) => (l.startsWith("warning") ? err(l) : undefined) });
    err(`provisioned ${shop.functions.length} functions, ${shop.apis.length} APIs, ${shop.queues.length} queues on ${endpoint} (${Date.now() - started} ms)`);
    const state = createRun({ clients, shop, seed, rate, start: end - backfillMs, provisioned, concurrency, truthMinutes: !!values.truth, writerThread: true, onError: (op, e) => err(`error: ${op}: ${(e as Error)?.message ?? e}`) });
    runState = state;
    const saveTruth = () => {
      if (values.truth) writeTruthFile(values.truth, state.truth.toJSON(new Date()));
    };
    if (backfillMs > 0) {
      const t0 = Date.now();
      let lastReport = t0;
      await backfill(state, end, (to) => {
        if (Date.now() - lastReport > 5000) {
          lastReport = Date.now();
          err(`  simulated to ${new Date(to).toISOString()} (${state.truth.totalInvocations()} invocations)`);
        }
      });
      const s = state.writer.stats;
      err(
        `backfilled ${new Date(end - backfillMs).toISOString()} .. ${new Date(end).toISOString()}: ${state.truth.totalInvocations()} invocations, ` +
          `${s.logEvents} log events (${s.putLogEvents} calls), ${s.datums} metric datums (${s.putMetricData} calls), ${s.segments} segments (${s.putTraceSegments} calls), ` +
          `${s.sendMessage} messages in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      );
      saveTruth();
    }
    if (live) {
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      err(`live: simulating in real time against ${endpoint} (Ctrl-C to stop)`);
      let lastSave = Date.now();
      try {
        await runLive(state, {
          signal: controller.signal,
          onTick: () => {
            if (Date.now() - lastSave >= 60_000) {
              lastSave = Date.now();
              saveTruth();
            }
          },
        });
      } finally {
        process.removeListener("SIGINT", stop);
        process.removeListener("SIGTERM", stop);
      }
      saveTruth();
      err(`live: stopped after ${state.truth.totalInvocations()} invocations`);
    }
    await state.writer.close();
    if (state.writer.errors.size > 0) {
      for (const [op, message] of state.writer.errors) err(`failed: ${op}: ${message}`);
      err(`${state.writer.stats.failures} write(s) failed; the ground truth does not match what the endpoint holds`);
      return 1;
    }
    if (values.truth) err(`ground truth written to ${values.truth}`);
    return 0;
  } finally {
    await runState?.writer.close().catch(() => undefined);
    clients.destroy();
  }
}
