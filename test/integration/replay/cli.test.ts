import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { DATABASES, type TestDatabase } from "../helpers/databases.ts";
import { bulkReplay, replayEvent } from "../../../lib/replay/index.ts";
import { cliPrincipal } from "../../../lib/cli/replay.ts";
import { FN, captureQueue, invocationsByPayload, peekAll, operator, seedInventory, sendDlqMessages, startWorld, type Seeded, type World } from "./helpers.ts";

const BIN = path.resolve(import.meta.dirname, "../../../bin/faasight.js");

/** The CLI in its own process, as an operator's terminal would run it (sandbox source, no AWS credentials). */
function cli(t: TestDatabase, args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> } {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: t.url, FAASIGHT_ACTOR: "ci-bot" };
  for (const k of Object.keys(env)) if (k.startsWith("AWS_")) delete env[k];
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const child = spawn(process.execPath, [BIN, "replay", ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

describe("the CLI principal", () => {
  it("is a local admin named by FAASIGHT_ACTOR, else the OS user", () => {
    expect(cliPrincipal({ FAASIGHT_ACTOR: "alice" })).toEqual({ userId: 0, email: "cli:alice", role: "admin", via: "session" });
    expect(cliPrincipal({}).email).toMatch(/^cli:.+/);
  });
});

describe.each(DATABASES)("faasight replay in its own process ($name)", ({ name, create }) => {
  let w: World;
  let t: TestDatabase;
  let seeded: Seeded;

  beforeAll(async () => {
    [w, t] = await Promise.all([startWorld(), create()]);
    seeded = await seedInventory(t.db, w);
  });
  afterAll(async () => {
    await w?.close();
    await t?.drop();
  });

  // One real process per database keeps this file fast: the kill on PostgreSQL (a dropped connection
  // mid-transaction), the race on SQLite (two processes on one file); in-process stop/crash/resume
  // runs on both in bulk.test.ts.
  it.runIf(name === "postgresql")("killed with SIGKILL mid-bulk, then resumed, replays none twice", async () => {
    const bodies = Array.from({ length: 30 }, (_, i) => ({ kill: i, bug: true }));
    await sendDlqMessages(w, bodies);
    await captureQueue(t.db, w, { id: seeded.dlqId, url: w.dlq.url }, { id: seeded.functionId, name: FN });
    w.lambdaService.clearInvocationLog();
    const run = cli(t, ["bulk", "--function", FN, "--qualifier", "2", "--rate", "20"]);
    const deadline = Date.now() + 60_000;
    while (w.lambdaService.invocationLog().length < 8 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    run.child.kill("SIGKILL");
    const killed = await run.done;
    expect(killed.signal).toBe("SIGKILL");
    const beforeResume = w.lambdaService.invocationLog().length;
    expect(beforeResume).toBeGreaterThanOrEqual(8);
    expect(beforeResume).toBeLessThan(30);

    const resumed = await bulkReplay(t.db, w.clients, operator, { functionName: FN, qualifier: "2" }, { ratePerSecond: 500 });
    const counts = invocationsByPayload(w);
    const payloads = bodies.map((b) => JSON.stringify(b));
    // Nothing ran twice; anything not run is exactly the event the kill caught mid-call (if any).
    expect(payloads.every((p) => (counts.get(p) ?? 0) <= 1)).toBe(true);
    const notRun = payloads.filter((p) => !counts.has(p));
    expect(notRun.length).toBeLessThanOrEqual(resumed.inDoubt.length);
    expect(resumed.inDoubt.length).toBeLessThanOrEqual(1);
    expect(w.lambdaService.invocationLog().length + notRun.length).toBe(30);
    const replayed = await t.db.failedEvent.count({ where: { status: "replayed", payload: { contains: '"kill"' } } });
    expect(replayed).toBe(30 - resumed.inDoubt.length);
    // The killed run's audit rows name the CLI actor; its replays' messages stay hidden until their hold ends, then
    // `replay cleanup` (or the next bulk) deletes them.
    const byCli = await t.db.auditLog.count({ where: { actor: "cli:ci-bot", action: "failures.replay" } });
    expect(byCli).toBeGreaterThan(0);
    expect(byCli).toBeLessThanOrEqual(beforeResume);
    expect(byCli + resumed.counts.replayed).toBe(30 - resumed.inDoubt.length);
  });

  it.runIf(name === "sqlite")("two operators in two processes on one SQLite file produce one replay", async () => {
    await sendDlqMessages(w, [{ race: 1, bug: true }]);
    const [eventId] = [...(await captureQueue(t.db, w, { id: seeded.dlqId, url: w.dlq.url }, { id: seeded.functionId, name: FN })).values()];
    const other = cli(t, ["run", "--event", String(eventId), "--qualifier", "2", "--json"]);
    // Start ours while the other process is starting up or already replaying.
    await new Promise((r) => setTimeout(r, 1500));
    const mine = await replayEvent(t.db, w.clients, operator, { eventId: eventId!, qualifier: "2" });
    const theirs = await other.done;
    const outcomes = [mine.outcome, (JSON.parse(theirs.stdout) as { outcome: string }).outcome].sort();
    expect(outcomes.filter((o) => o === "replayed")).toHaveLength(1);
    expect(invocationsByPayload(w).get(JSON.stringify({ race: 1, bug: true }))).toBe(1);
    expect((await peekAll(w.sqs, w.dlq.url)).map((m) => m.Body)).not.toContain(JSON.stringify({ race: 1, bug: true }));
    expect(await t.db.replayAttempt.count({ where: { failedEventId: eventId! } })).toBe(1);
  });
});
