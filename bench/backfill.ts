/**
 * Issue 3's figure: a 7-day backfill of the default shop, timed as the user runs it — two
 * child processes, a fresh `faasight sandbox --port 0` and `faasight simulate --backfill 7d`
 * against it (once without and once with `--truth FILE`). Wall seconds of the simulate
 * command; the baseline is the simulator's CPU seconds in the same run, all threads (it
 * simulates in one and makes the API calls in another; with the sandbox's CPU beside it,
 * it shows whether the two cores are the limit). CPU seconds come from a preloaded hook
 * writing process.cpuUsage() at exit in each process.
 * `--smoke`: a 1-hour backfill only; `--quick`: 1 day, no goal.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { figure, round, type Figure } from "./stats.ts";

const ROOT = path.join(import.meta.dirname, "..");
const CLI = path.join(ROOT, "bin", "faasight.js");
const GOAL = { max: 60, text: "a 7-day backfill of the default shop under a minute" };

/** What the simulator's summary line says (`backfilled …: N invocations, N log events (N calls), …`). */
export function parseBackfillSummary(stderr: string): { invocations: number; logEvents: number; datums: number; segments: number; calls: number } | null {
  const m = /backfilled .*?: (\d+) invocations, (\d+) log events \((\d+) calls\), (\d+) metric datums \((\d+) calls\), (\d+) segments \((\d+) calls\)/.exec(stderr);
  if (!m) return null;
  const n = m.slice(1).map(Number);
  return { invocations: n[0]!, logEvents: n[1]!, datums: n[3]!, segments: n[5]!, calls: n[2]! + n[4]! + n[6]! };
}

interface ChildRun {
  wallMs: number;
  cpuSeconds: number | null;
  stderr: string;
}

function cpuHook(dir: string): string {
  const file = path.join(dir, "cpu-hook.cjs");
  fs.writeFileSync(
    file,
    // One file per process: the CLI runs a backfill in a child process of its own (bin/faasight.js).
    `const f = process.env.FAASIGHT_BENCH_CPU_FILE;\nif (f) process.on("exit", () => { const u = process.cpuUsage(); require("node:fs").writeFileSync(f + "." + process.pid, String((u.user + u.system) / 1e6)); });\n`,
  );
  return file;
}

function childEnv(hook: string, cpuFile: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, FAASIGHT_BENCH_CPU_FILE: cpuFile, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${hook}`.trim() };
  delete env.AWS_ENDPOINT_URL;
  return env;
}

/** CPU seconds of every process that wrote `file`.PID (the command and any process it re-ran itself in). */
const readCpu = (file: string): number | null => {
  const dir = path.dirname(file);
  const prefix = path.basename(file) + ".";
  let total = 0;
  let found = false;
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    if (!name.startsWith(prefix)) continue;
    const v = Number(fs.readFileSync(path.join(dir, name), "utf8"));
    if (!Number.isFinite(v)) return null;
    total += v;
    found = true;
  }
  return found ? total : null;
};

async function startSandbox(hook: string, cpuFile: string): Promise<{ url: string; child: ChildProcess; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [CLI, "sandbox", "--port", "0"], { cwd: ROOT, env: childEnv(hook, cpuFile), stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d) => (err += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      const line = out.split("\n")[0]!;
      if (out.includes("\n")) resolve(line.trim());
    });
    child.once("exit", (code) => reject(new Error(`faasight sandbox exited (${code}) before listening: ${err}`)));
  });
  return {
    url,
    child,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
      return readCpu(cpuFile);
    },
  };
}

async function runSimulate(args: string[], hook: string, cpuFile: string, log: (l: string) => void): Promise<ChildRun> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [CLI, "simulate", ...args], { cwd: ROOT, env: childEnv(hook, cpuFile), stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  const wallMs = performance.now() - t0;
  if (code !== 0) throw new Error(`faasight simulate ${args.join(" ")} exited ${code}: ${stderr.slice(-2000)}`);
  log(`  ${stderr.trim().split("\n").filter((l) => l.startsWith("backfilled")).join(" ")}`);
  return { wallMs, cpuSeconds: readCpu(cpuFile), stderr };
}

/** Runs the backfill benchmark. */
export async function benchBackfill(o: { quick: boolean; smoke: boolean; log: (l: string) => void }): Promise<{ figures: Figure[]; details: unknown }> {
  const span = o.smoke ? "1h" : o.quick ? "1d" : "7d";
  const goal = span === "7d" ? GOAL : null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faasight-bench-backfill-"));
  const hook = cpuHook(dir);
  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};
  try {
    for (const withTruth of [false, true]) {
      const label = withTruth ? "truth" : "plain";
      const sandboxCpu = path.join(dir, `sandbox-${label}.cpu`);
      const simCpu = path.join(dir, `simulate-${label}.cpu`);
      const load0 = os.loadavg();
      const sandbox = await startSandbox(hook, sandboxCpu);
      let r: ChildRun;
      let sandboxSeconds: number | null;
      let truthBytes: number | null = null;
      try {
        const truthFile = path.join(dir, "truth.json");
        const args = ["--endpoint", sandbox.url, "--backfill", span, ...(withTruth ? ["--truth", truthFile] : [])];
        o.log(`  faasight simulate ${args.join(" ")}`);
        r = await runSimulate(args, hook, simCpu, o.log);
        if (withTruth) truthBytes = fs.statSync(truthFile).size;
      } finally {
        sandboxSeconds = await sandbox.stop();
      }
      const load1 = os.loadavg();
      const wall = r.wallMs / 1000;
      const summary = parseBackfillSummary(r.stderr);
      const la = (l: number[]) => l.map((v) => v.toFixed(2)).join(" ");
      const notes =
        `wall seconds of \`faasight simulate --backfill ${span}${withTruth ? " --truth FILE" : ""}\` against a fresh \`faasight sandbox\` (child processes, ${os.cpus().length} cores); ` +
        `simulator CPU ${r.cpuSeconds === null ? "?" : round(r.cpuSeconds, 3)} s, sandbox CPU ${sandboxSeconds === null ? "?" : round(sandboxSeconds, 3)} s; ` +
        (summary ? `${summary.invocations} invocations, ${summary.logEvents} log events, ${summary.datums} metric datums, ${summary.segments} trace segments in ${summary.calls} write calls; ` : "") +
        (truthBytes !== null ? `truth file ${round(truthBytes / 1048576, 3)} MB; ` : "") +
        `load average ${la(load0)} before, ${la(load1)} after (a shared machine inflates wall time)`;
      o.log(`  ${label}: ${wall.toFixed(1)} s wall, simulator CPU ${r.cpuSeconds?.toFixed(1)} s, sandbox CPU ${sandboxSeconds?.toFixed(1)} s, load ${la(load1)}`);
      figures.push(
        figure({
          name: `backfill.${span}${withTruth ? ".truth" : ""}.seconds`,
          value: wall,
          unit: "s",
          ...(r.cpuSeconds !== null ? { baseline: r.cpuSeconds, baselineName: "the simulator's CPU seconds in the same run (all its threads: simulating, writing, garbage collection)" } : {}),
          goal,
          notes,
        }),
      );
      details[label] = { span, wallSeconds: wall, simulatorCpuSeconds: r.cpuSeconds, sandboxCpuSeconds: sandboxSeconds, loadAvgBefore: load0, loadAvgAfter: load1, truthBytes, ...summary };
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { figures, details };
}
