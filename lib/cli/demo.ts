/**
 * `faasight demo`: the embedded default a newcomer runs. Migrates the store, starts the
 * sandbox account and the workload simulator when no AWS account is configured, runs the
 * worker, builds the dashboard when needed and serves it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { migrateDatabase } from "../store/migrate.ts";
import { parseOptions } from "./args.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

const HELP = `Usage: faasight demo [--port 3000] [--database URL] [--fresh]

Runs Faasight on the embedded default: SQLite (./data/faasight.db), the sandbox
AWS account with the workload simulator, the collector worker and the dashboard.

  --port N        dashboard port (default FAASIGHT_PORT or 3000)
  --database URL  store (default DATABASE_URL or file:./data/faasight.db)
  --fresh         delete the SQLite store first
`;

/** Newest modification time under the given folders (to decide whether to rebuild). */
function newestMtime(dirs: string[]): number {
  let newest = 0;
  const walk = (p: string) => {
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) {
      if (/node_modules|\.next|generated/.test(path.basename(p))) return;
      for (const e of fs.readdirSync(p)) walk(path.join(p, e));
    } else newest = Math.max(newest, st.mtimeMs);
  };
  dirs.forEach((d) => walk(path.join(ROOT, d)));
  return newest;
}

/** Builds the Next.js app unless an up-to-date build exists. */
export async function ensureBuilt(): Promise<void> {
  const buildId = path.join(ROOT, ".next/BUILD_ID");
  const built = fs.statSync(buildId, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (built > newestMtime(["app", "components", "lib", "public", "next.config.js", "package.json"])) return;
  process.stdout.write("faasight: building the dashboard (about a minute)…\n");
  await runChild(process.execPath, [path.join(ROOT, "node_modules/next/dist/bin/next"), "build"], { NEXT_TELEMETRY_DISABLED: "1" });
}

function runChild(cmd: string, args: string[], extraEnv: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: "inherit", env: { ...process.env, ...extraEnv } });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(args[0] ?? cmd)} exited with ${code}`))));
  });
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseOptions(args, {
    help: { type: "boolean", short: "h" },
    port: { type: "string" },
    database: { type: "string" },
    fresh: { type: "boolean" },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const port = Number(values.port ?? process.env.FAASIGHT_PORT ?? 3000);
  const databaseUrl = values.database ?? process.env.DATABASE_URL ?? "file:./data/faasight.db";
  if (values.fresh && databaseUrl.startsWith("file:")) {
    const file = path.resolve(databaseUrl.slice(5));
    for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(file + suffix, { force: true });
  }
  process.env.DATABASE_URL = databaseUrl;
  await migrateDatabase(databaseUrl);
  await ensureBuilt();

  const next: ChildProcess = spawn(process.execPath, [path.join(ROOT, "node_modules/next/dist/bin/next"), "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", DATABASE_URL: databaseUrl },
  });
  process.stdout.write(`\nFaasight is running: open http://127.0.0.1:${port}\n\n`);
  const stop = () => next.kill("SIGTERM");
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return await new Promise<number>((resolve) => next.on("exit", (code) => resolve(code ?? 0)));
}
