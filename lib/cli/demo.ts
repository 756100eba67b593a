/**
 * `faasight demo`: the embedded default a newcomer runs. Migrates the store, starts the
 * sandbox account and the workload simulator when no AWS account is configured, runs the
 * worker, builds the dashboard when needed and serves it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parseEnv } from "../env.ts";
import { migrateDatabase } from "../store/migrate.ts";
import { parseDuration, parseOptions, UsageError } from "./args.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

const HELP = `Usage: faasight demo [options]

Runs Faasight on the embedded default: SQLite (./data/faasight.db), the sandbox AWS
account with the workload simulator (when no AWS account is configured), the collector
worker and the dashboard. Prints the URL to open.

  --port N            dashboard port (default FAASIGHT_PORT or 3000)
  --database URL      store (default DATABASE_URL or file:./data/faasight.db)
  --fresh             start from an empty store and a new sandbox account
  --backfill DUR      history the simulator writes on first start (default 1d)
  --no-live           do not keep simulating traffic after the backfill
  --interval DUR      worker cycle (default 30s in the demo)
  --sandbox-port N    sandbox endpoint port (default FAASIGHT_SANDBOX_PORT or 4566; 0 = any free port)
  --truth FILE        where the simulator writes its ground truth (default ./data/truth.json)
  --seed N            simulator seed (default 1)
`;

/** Newest modification time under the given paths (to decide whether to rebuild). */
function newestMtime(paths: string[]): number {
  let newest = 0;
  const walk = (p: string) => {
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) {
      if (/^(node_modules|\.next|generated)$/.test(path.basename(p)) || p.includes(`${path.sep}test`)) return;
      for (const e of fs.readdirSync(p)) walk(path.join(p, e));
    } else if (!/\.test\.tsx?$/.test(p)) newest = Math.max(newest, st.mtimeMs);
  };
  paths.forEach((d) => walk(path.join(ROOT, d)));
  return newest;
}

/** Builds the Next.js app unless an up-to-date build exists. */
export async function ensureBuilt(log: (l: string) => void): Promise<void> {
  const built = fs.statSync(path.join(ROOT, ".next/BUILD_ID"), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (built > newestMtime(["app", "components", "lib", "public", "next.config.js", "package.json"])) return;
  log("building the dashboard (about a minute)…");
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, "node_modules/next/dist/bin/next"), "build"], {
      cwd: ROOT,
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`next build exited with ${code}`))));
  });
}

/** The banner's sign-in lines; the password appears only when it was generated on this run. */
export function signInBanner(admin: { created: boolean; email: string; generatedPassword?: string }, passwordFromEnv: boolean): string {
  if (admin.generatedPassword) return `Sign in as ${admin.email} with password ${admin.generatedPassword}\n(shown once: note it now; change it with \`faasight users reset-password ${admin.email}\`)\n`;
  if (admin.created && passwordFromEnv) return `Sign in as ${admin.email} with the password in FAASIGHT_ADMIN_PASSWORD\n`;
  return `Sign in with an existing user (\`faasight users list\`; forgot the password? \`faasight users reset-password EMAIL\`)\n`;
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseOptions(args, {
    help: { type: "boolean", short: "h" },
    port: { type: "string" },
    database: { type: "string" },
    fresh: { type: "boolean" },
    backfill: { type: "string" },
    "no-live": { type: "boolean" },
    interval: { type: "string" },
    "sandbox-port": { type: "string" },
    truth: { type: "string" },
    seed: { type: "string" },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const log = (line: string) => process.stdout.write(`faasight: ${line}\n`);
  // A bad variable stops the demo here, named, before the store or the sandbox is touched (empty = unset).
  parseEnv(process.env);
  const port = Number(values.port ?? (process.env.FAASIGHT_PORT?.trim() || 3000));
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new UsageError(`--port must be a port number`);
  const databaseUrl = values.database ?? (process.env.DATABASE_URL?.trim() || "file:./data/faasight.db");
  const backfillMs = parseDuration(values.backfill ?? "1d");
  const intervalMs = parseDuration(values.interval ?? "30s");
  const seed = Number(values.seed ?? 1);
  const dataDir = databaseUrl.startsWith("file:") ? path.dirname(path.resolve(databaseUrl.slice(5))) : path.resolve("data");
  const truthPath = path.resolve(values.truth ?? path.join(dataDir, "truth.json"));
  const statePath = path.join(dataDir, "sandbox-state.json");
  if (values.fresh) {
    if (databaseUrl.startsWith("file:")) for (const s of ["", "-wal", "-shm"]) fs.rmSync(path.resolve(databaseUrl.slice(5)) + s, { force: true });
    fs.rmSync(statePath, { force: true });
    fs.rmSync(truthPath, { force: true });
  }
  process.env.DATABASE_URL = databaseUrl;
  if (values["sandbox-port"] !== undefined) process.env.FAASIGHT_SANDBOX_PORT = values["sandbox-port"];
  await migrateDatabase(databaseUrl);

  // Loaded after DATABASE_URL is settled: lib/env.ts parses the environment once.
  const { env } = await import("../env.ts");
  const { getDb } = await import("../db.ts");
  const { openStore } = await import("../store/sql.ts");
  const { openSources, runCollection, runWorker, settingsFromEnv } = await import("../worker/collect.ts");
  const { resolveSources } = await import("../worker/sources.ts");

  const e = env();
  // First run: an admin when the store has no user. A generated password is shown once, in the banner.
  const { ensureFirstAdmin } = await import("../auth/users.ts");
  const firstAdmin = await ensureFirstAdmin(getDb().db, { email: e.FAASIGHT_ADMIN_EMAIL, password: e.FAASIGHT_ADMIN_PASSWORD });
  const resolved = resolveSources(e);
  const stops: (() => Promise<void> | void)[] = [];
  const controller = new AbortController();
  let sources = resolved.sources;

  if (resolved.sandbox) {
    const { startSandbox } = await import("../sandbox/server.ts");
    const { simulatedInvocationRunner } = await import("../simulate/runner.ts");
    const { createAwsClients, sandboxTarget } = await import("../aws/clients.ts");
    const { buildShop } = await import("../simulate/shop.ts");
    const { provisionShop } = await import("../simulate/provision.ts");
    const { backfill, createRun } = await import("../simulate/backfill.ts");
    const { runLive } = await import("../simulate/live.ts");
    const { writeTruthFile } = await import("../simulate/truth.ts");
    const { ListFunctionsCommand } = await import("@aws-sdk/client-lambda");

    const sandbox = await startSandbox({ port: e.FAASIGHT_SANDBOX_PORT, statePath, runInvocation: simulatedInvocationRunner, seed }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE") throw new Error(`port ${e.FAASIGHT_SANDBOX_PORT} is taken: stop the other sandbox or pass --sandbox-port 0`);
      throw err;
    });
    stops.push(() => sandbox.close());
    log(`sandbox AWS account on ${sandbox.url} (no AWS credentials configured)`);
    sources = [{ ...resolved.sources[0]!, endpoint: sandbox.url }];

    const clients = createAwsClients({ ...sandboxTarget(sandbox.url), maxAttempts: 5 });
    stops.push(() => clients.destroy());
    const shop = buildShop({ functions: 12 });
    const existing = await clients.lambda.send(new ListFunctionsCommand({ MaxItems: 1 }));
    const provisioned = await provisionShop(clients, shop, {});
    const end = Math.floor(Date.now() / 60_000) * 60_000;
    const runState = createRun({ clients, shop, seed, rate: 1, start: existing.Functions?.length ? end : end - backfillMs, provisioned, concurrency: 8, writerThread: true, onError: (op, err) => log(`simulator: ${op}: ${(err as Error)?.message ?? err}`) });
    if (!existing.Functions?.length) {
      const t0 = Date.now();
      log(`simulating ${values.backfill ?? "1d"} of history for the default shop…`);
      await backfill(runState, end);
      writeTruthFile(truthPath, runState.truth.toJSON(new Date()));
      log(`backfilled ${runState.truth.totalInvocations()} invocations in ${((Date.now() - t0) / 1000).toFixed(1)} s; ground truth in ${path.relative(process.cwd(), truthPath)}`);
    }
    if (!values["no-live"]) {
      const live = runLive(runState, { signal: controller.signal, onTick: () => undefined }).catch((err: Error) => log(`simulator stopped: ${err.message}`));
      stops.push(async () => {
        await live;
      });
    }
    // The simulator's API calls run in a worker thread (this thread also serves the sandbox): closed after the live loop's last write.
    stops.push(() => runState.writer.close());
  }

  const handle = getDb();
  const store = openStore(databaseUrl);
  const settings = settingsFromEnv(e);
  // AWS's API quotas do not bind the local sandbox; unless told otherwise, collect from it fast.
  if (resolved.sandbox && !process.env.FAASIGHT_QUOTA_SCALE) settings.quotaScale = 50;
  const contexts = await openSources(handle.db, e, settings, { sources, staticCredentials: resolved.staticCredentials });
  stops.push(async () => {
    for (const c of contexts) c.clients.destroy();
    await store.close();
  });
  const t0 = Date.now();
  log("collecting…");
  const first = await runCollection({ db: handle.db, store, sources: contexts, settings, since: Date.now() - backfillMs - 60 * 60_000, log: (l) => log(l) });
  const written = first.reduce((n, r) => n + Object.values(r.collectors).reduce((m, c) => m + (c?.written ?? 0), 0), 0);
  log(`first collection: ${written} rows in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const { createAfterCycle } = await import("../worker/after-cycle.ts");
  const afterCycle = await createAfterCycle(handle.db, log);
  stops.push(() => afterCycle.close());
  await afterCycle.run();
  const worker = runWorker({
    db: handle.db,
    store,
    sources: contexts,
    settings,
    intervalMs,
    initialWindowMs: backfillMs,
    signal: controller.signal,
    log: (l) => log(l),
    onCycle: () => void afterCycle.run(),
  });
  stops.unshift(() => worker);

  await ensureBuilt(log);
  const next: ChildProcess = spawn(process.execPath, [path.join(ROOT, "node_modules/next/dist/bin/next"), "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", DATABASE_URL: databaseUrl },
  });
  process.stdout.write(`\nFaasight is running: open http://127.0.0.1:${port}\n${signInBanner(firstAdmin, !!e.FAASIGHT_ADMIN_PASSWORD)}\n`);

  const shutdown = async () => {
    controller.abort();
    next.kill("SIGTERM");
    for (const stop of stops) await stop();
  };
  process.once("SIGINT", () => void shutdown());
  process.once("SIGTERM", () => void shutdown());
  const code = await new Promise<number>((resolve) => next.on("exit", (c) => resolve(c ?? 0)));
  if (!controller.signal.aborted) await shutdown();
  return code;
}
