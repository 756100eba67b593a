/** The `faasight simulate` and `faasight sandbox` commands. */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { CreateQueueCommand, GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { sandboxTarget } from "../../../lib/aws/clients.ts";
import { run as sandboxCommand } from "../../../lib/cli/sandbox.ts";
import { run as simulate } from "../../../lib/cli/simulate.ts";
import { UsageError } from "../../../lib/cli/args.ts";
import { startSandbox, type Sandbox } from "../../../lib/sandbox/server.ts";
import { simulatedInvocationRunner } from "../../../lib/simulate/runner.ts";
import type { GroundTruth } from "../../../lib/simulate/truth.ts";

const root = path.resolve(import.meta.dirname, "../../..");
let sandbox: Sandbox;
let dir: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, runInvocation: simulatedInvocationRunner });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "faasight-sim-"));
});

afterAll(async () => {
  await sandbox?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("faasight simulate", () => {
  it("prints its help", async () => {
    const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      expect(await simulate(["--help"])).toBe(0);
      expect(String(write.mock.calls[0]?.[0])).toContain("--allow-real-aws");
    } finally {
      write.mockRestore();
    }
  });

  it("refuses a real AWS endpoint unless allowed, and bad options", async () => {
    await expect(simulate(["--endpoint", "https://logs.us-east-1.amazonaws.com"])).rejects.toThrow(UsageError);
    await expect(simulate(["--endpoint", "https://monitoring.eu-west-1.amazonaws.com.cn"])).rejects.toThrow(/real AWS account/);
    await expect(simulate(["--backfill", "soon"])).rejects.toThrow(UsageError);
    await expect(simulate(["--functions", "0"])).rejects.toThrow(UsageError);
    await expect(simulate(["--live", "--end", "2026-01-01T00:00:00Z"])).rejects.toThrow(UsageError);
  });

  it("backfills a window deterministically and writes the ground truth", async () => {
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const end = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000).toISOString();
    try {
      const file = path.join(dir, "truth.json");
      expect(await simulate(["--endpoint", sandbox.url, "--backfill", "30m", "--end", end, "--seed", "9", "--functions", "4", "--truth", file])).toBe(0);
      const truth = JSON.parse(fs.readFileSync(file, "utf8")) as GroundTruth;
      expect(Object.keys(truth)).toEqual(["seed", "generatedAt", "window", "region", "accountId", "functions", "minutes", "stages", "stageMinutes", "queues", "traces", "asyncRetries"]);
      expect(truth.seed).toBe(9);
      expect(truth.window.end).toBe(end);
      expect(new Set(truth.functions.map((f) => f.name))).toEqual(new Set(["checkout", "authorizer", "catalog", "cart"]));
      const row = truth.functions[0]!;
      expect(Object.keys(row)).toEqual(expect.arrayContaining(["name", "qualifier", "invocations", "errors", "errorsByType", "throttles", "timeouts", "coldStarts", "oomKills", "billedMs", "gbSeconds", "durationMsSum", "initMsSum", "p50Ms", "p90Ms", "p99Ms", "logLines", "reportLines", "tracedInvocations", "dlqMessages", "destinationMessages"]));
      expect(Object.keys(truth.minutes[0]!)).toEqual(expect.arrayContaining(["minute", "name", "qualifier", "invocations", "coldStarts", "billedMs", "gbSeconds", "p50Ms", "p90Ms", "p99Ms", "dlqMessages"]));
      expect(truth.stageMinutes.reduce((a, m) => a + m.requests, 0)).toBe(truth.stages.reduce((a, m) => a + m.requests, 0));
      // Same seed and window on another endpoint: the same truth.
      const other = await startSandbox({ port: 0 });
      try {
        const file2 = path.join(dir, "truth2.json");
        expect(await simulate(["--endpoint", other.url, "--backfill", "30m", "--end", end, "--seed", "9", "--functions", "4", "--truth", file2])).toBe(0);
        const again = JSON.parse(fs.readFileSync(file2, "utf8")) as GroundTruth;
        expect({ ...again, generatedAt: "" }).toEqual({ ...truth, generatedAt: "" });
      } finally {
        await other.close();
      }
    } finally {
      err.mockRestore();
    }
  }, 120_000);
});

describe("faasight simulate --backfill (the command)", () => {
  const cli = path.join(root, "bin/faasight.js");
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  // A preloaded hook in every process of the command reports its pid, parent and V8 flags.
  const hook = () => {
    const file = path.join(dir, "report-hook.cjs");
    fs.writeFileSync(file, `process.stderr.write("PROC " + JSON.stringify({ pid: process.pid, ppid: process.ppid, execArgv: process.execArgv }) + "\\n");\n`);
    return file;
  };
  // One line per process (its threads load the hook too).
  const procs = (stderr: string) => {
    const seen = new Map<number, { pid: number; ppid: number; execArgv: string[] }>();
    for (const m of stderr.matchAll(/^PROC (.*)$/gm)) {
      const p = JSON.parse(m[1]!) as { pid: number; ppid: number; execArgv: string[] };
      if (!seen.has(p.pid)) seen.set(p.pid, p);
    }
    return [...seen.values()];
  };

  it("runs in a child process with a larger young generation, passes on its exit code and one SIGINT, and leaves no process behind", async () => {
    const env = { ...process.env, NODE_OPTIONS: `--require ${hook()}` };
    // A finished run: exit code 0 from the child, which ran with the flags.
    const done = spawn(process.execPath, [cli, "simulate", "--endpoint", sandbox.url, "--backfill", "5m", "--functions", "2"], { cwd: root, env, stdio: ["ignore", "ignore", "pipe"] });
    let out = "";
    done.stderr!.on("data", (d) => (out += d));
    expect(await new Promise((r) => done.once("exit", r))).toBe(0);
    const [parent, child] = procs(out);
    expect(procs(out)).toHaveLength(2);
    expect(parent!.pid).toBe(done.pid);
    expect(child!.ppid).toBe(done.pid);
    expect(child!.execArgv).toEqual(expect.arrayContaining(["--max-semi-space-size=64", "--single-threaded-gc"]));
    expect(out).toMatch(/backfilled .*: \d+ invocations/);

    // Interrupted: the child gets the signal once (its default action ends it) and the command exits 130.
    const long = spawn(process.execPath, [cli, "simulate", "--endpoint", sandbox.url, "--backfill", "30d"], { cwd: root, env, stdio: ["ignore", "ignore", "pipe"] });
    let text = "";
    long.stderr!.on("data", (d) => (text += d));
    await vi.waitFor(() => expect(text).toMatch(/provisioned/), { timeout: 60_000, interval: 100 });
    const childPid = procs(text).find((p) => p.ppid === long.pid)!.pid;
    long.kill("SIGINT");
    expect(await new Promise((r) => long.once("exit", r))).toBe(130);
    await vi.waitFor(() => expect(alive(childPid)).toBe(false), { timeout: 10_000, interval: 100 });

    // A user's own young-generation flag: no child process.
    const own = spawn(process.execPath, ["--max-semi-space-size=32", cli, "simulate", "--endpoint", sandbox.url, "--backfill", "5m", "--functions", "2"], { cwd: root, env, stdio: ["ignore", "ignore", "pipe"] });
    let mine = "";
    own.stderr!.on("data", (d) => (mine += d));
    expect(await new Promise((r) => own.once("exit", r))).toBe(0);
    expect(procs(mine)).toHaveLength(1);
  }, 120_000);
});

describe("faasight sandbox", () => {
  const startChild = async (args: string[]) => {
    const child = spawn(process.execPath, [path.join(root, "bin/faasight.js"), "sandbox", ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (c: Buffer) => {
        out += c.toString();
        const m = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
        if (m) resolve(m[0]);
      });
      child.once("exit", (code) => reject(new Error(`sandbox exited early (${code})`)));
    });
    const stop = () =>
      new Promise<number | null>((resolve) => {
        child.once("exit", (c) => resolve(c));
        child.kill("SIGTERM");
      });
    return { url, stop };
  };

  it("prints its help", async () => {
    const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      expect(await sandboxCommand(["--help"])).toBe(0);
      const text = String(write.mock.calls[0]?.[0]);
      for (const flag of ["--port", "--state", "--faults", "--seed", "--host"]) expect(text).toContain(flag);
    } finally {
      write.mockRestore();
    }
    await expect(sandboxCommand(["--port", "70000"])).rejects.toThrow('--port must be 0..65535, got "70000"');
    // A bad FAASIGHT_SANDBOX_PORT is named as such.
    const before = process.env.FAASIGHT_SANDBOX_PORT;
    process.env.FAASIGHT_SANDBOX_PORT = "abc";
    try {
      await expect(sandboxCommand([])).rejects.toThrow('FAASIGHT_SANDBOX_PORT must be 0..65535, got "abc"');
    } finally {
      if (before === undefined) delete process.env.FAASIGHT_SANDBOX_PORT;
      else process.env.FAASIGHT_SANDBOX_PORT = before;
    }
    await expect(sandboxCommand(["--faults", "{nope"])).rejects.toThrow(UsageError);
  });

  it("serves until SIGTERM, saves its snapshot on exit and restores it on the next start", async () => {
    const state = path.join(dir, "state.json");
    const first = await startChild(["--port", "0", "--state", state, "--faults", '{"sqs:ListQueues":{"pageSize":1}}']);
    const health = (await (await fetch(`${first.url}/_sandbox/health`)).json()) as { ok: boolean };
    expect(health.ok).toBe(true);
    expect(await (await fetch(`${first.url}/_sandbox/faults`)).json()).toEqual({ "sqs:ListQueues": { pageSize: 1 } });
    let sqs = new SQSClient(sandboxTarget(first.url));
    await sqs.send(new CreateQueueCommand({ QueueName: "survives-restart" }));
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: "survives-restart" }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "still here" }));
    sqs.destroy();
    expect(await first.stop()).toBe(0);
    expect(fs.existsSync(state)).toBe(true);

    const second = await startChild(["--port", "0", "--state", state]);
    sqs = new SQSClient(sandboxTarget(second.url));
    try {
      const again = await sqs.send(new GetQueueUrlCommand({ QueueName: "survives-restart" }));
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: again.QueueUrl, MaxNumberOfMessages: 10 }));
      expect(Messages?.map((m) => m.Body)).toEqual(["still here"]);
    } finally {
      sqs.destroy();
      expect(await second.stop()).toBe(0);
    }
  }, 60_000);
});
