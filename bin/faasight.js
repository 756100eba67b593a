#!/usr/bin/env node
// The `faasight` CLI: loads the TypeScript sources through tsx (a runtime dependency).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

// The pinned SDK versions support Node 20; its notice about future releases is noise in a CLI.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

// A backfill allocates short-lived strings by the gigabyte: a larger young generation, collected in
// the thread that allocates (the parallel collector's helper threads cost more CPU than they save
// when both cores are busy anyway), saves a tenth of its CPU. V8 reads these flags only at startup,
// hence a child process. Live mode and the other commands run as they are.
const YOUNG = "--max-semi-space-size";
const args = process.argv.slice(2);
const backfill = args[0] === "simulate" && args.includes("--backfill") && !args.includes("--live");
const nodeOptions = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)];
// Under a debugger or profiler, or with the flag given, this process is the one to run.
const asIs = nodeOptions.some((a) => a.startsWith(YOUNG) || /^--(inspect|cpu-prof|heap-prof|prof\b)/.test(a));
if (backfill && !asIs) {
  // Its own process group: a terminal's Ctrl-C reaches this process only, which passes it on once.
  const child = spawn(process.execPath, [...process.execArgv, `${YOUNG}=64`, "--single-threaded-gc", fileURLToPath(import.meta.url), ...args], { stdio: "inherit", detached: true });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  process.exitCode = await new Promise((resolve) => {
    child.once("error", (err) => {
      process.stderr.write(`faasight: cannot start ${process.execPath}: ${err.message}\n`);
      resolve(1);
    });
    child.once("exit", (code, signal) => resolve(code ?? 128 + ({ SIGINT: 2, SIGHUP: 1, SIGKILL: 9, SIGTERM: 15 }[signal] ?? 1)));
  });
} else {
  register();
  const { main } = await import("../lib/cli/main.ts");
  process.exitCode = await main(args);
}
