/**
 * Bulk replay as a background job (what POST /api/v1/replay/bulk starts and the Failures page
 * polls), on SQLite and PostgreSQL: progress stored in the Setting table, per-event outcomes,
 * stop and resume without replaying any event twice, permissions and validation.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASES, type TestDatabase } from "../helpers/databases.ts";
import { ForbiddenError } from "../../../lib/auth/permissions.ts";
import { ReplayInputError } from "../../../lib/replay/index.ts";
import { getBulkJob, listBulkJobs, startBulkJob, stopBulkJob } from "../../../lib/replay/jobs.ts";
import { FN, captureQueue, depth, invocationsByPayload, operator, seedInventory, sendDlqMessages, startWorld, viewer, type Seeded, type World } from "./helpers.ts";

describe.each(DATABASES)("bulk replay jobs ($name)", ({ create }) => {
  let w: World;
  let t: TestDatabase;
  let seeded: Seeded;
  const open = async () => ({ clients: w.clients, destroy() {} });

  beforeAll(async () => {
    [w, t] = await Promise.all([startWorld(), create()]);
    seeded = await seedInventory(t.db, w);
  });
  afterAll(async () => {
    await w?.close();
    await t?.drop();
  });

  async function seedEvents(tag: string, n: number): Promise<string[]> {
    const bodies = Array.from({ length: n }, (_, i) => ({ batch: tag, n: i, bug: true, ...(i === n - 1 ? { poison: true } : {}) }));
    await sendDlqMessages(w, bodies);
    await captureQueue(t.db, w, { id: seeded.dlqId, url: w.dlq.url }, { id: seeded.functionId, name: FN });
    w.lambdaService.clearInvocationLog();
    return bodies.map((b) => JSON.stringify(b));
  }

  it("runs in the background, stores progress and per-event outcomes, and lists the job", async () => {
    const payloads = await seedEvents("j20", 20);
    const started = await startBulkJob(t.db, open, operator, { functionName: FN, qualifier: "2", ratePerSecond: 200 });
    expect(started.job).toMatchObject({ status: "running", actor: operator.email, ratePerSecond: 200, filter: { functionName: FN, qualifier: "2" } });
    const stored = await getBulkJob(t.db, started.job.id);
    expect(stored?.status).toBe("running");
    const done = await started.finished;
    expect(done).toMatchObject({ status: "completed", total: 20, done: 20 });
    const job = (await getBulkJob(t.db, started.job.id))!;
    expect(job).toMatchObject({ status: "completed", total: 20, done: 20, inDoubt: [] });
    expect(job.counts).toMatchObject({ replayed: 19, failed_again: 1, failed: 0 });
    expect(job.outcomes).toHaveLength(20);
    expect(job.outcomes.filter((o) => o.outcome === "replayed").every((o) => typeof o.requestId === "string")).toBe(true);
    expect(job.finishedAt).not.toBeNull();
    const counts = invocationsByPayload(w);
    expect(payloads.every((p) => counts.get(p) === 1)).toBe(true);
    expect(await depth(w.sqs, w.dlq.url)).toBe(1);
    expect((await listBulkJobs(t.db)).map((j) => j.id)).toContain(started.job.id);
  });

  it("stops after the current event and resumes without replaying any event twice", async () => {
    const payloads = await seedEvents("j8", 8);
    const first = await startBulkJob(t.db, open, operator, { functionName: FN, qualifier: "2", ratePerSecond: 4 });
    // Wait until at least one event is done, then stop.
    for (let i = 0; i < 100 && (await t.db.failedEvent.count({ where: { status: "replayed", payload: { in: payloads } } })) === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const stopping = await stopBulkJob(t.db, operator, first.job.id);
    expect(stopping.id).toBe(first.job.id);
    const stopped = await first.finished;
    expect(stopped.status).toBe("stopped");
    expect(stopped.done).toBeGreaterThan(0);
    expect(stopped.done).toBeLessThan(8);
    const resumed = await (await startBulkJob(t.db, open, operator, { functionName: FN, qualifier: "2", ratePerSecond: 200 })).finished;
    expect(resumed.status).toBe("completed");
    expect(stopped.done + resumed.done).toBe(8);
    const counts = invocationsByPayload(w);
    expect(payloads.map((p) => counts.get(p))).toEqual(Array(8).fill(1));
  });

  it("refuses viewers, invalid filters and dry runs before creating a job", async () => {
    const before = (await listBulkJobs(t.db, 100)).length;
    await expect(startBulkJob(t.db, open, viewer, { functionName: FN })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(startBulkJob(t.db, open, operator, { errorType: "x" })).rejects.toThrow(/choose a function or a queue/);
    await expect(startBulkJob(t.db, open, operator, { functionName: FN, since: "yesterday" })).rejects.toThrow(/since: must be an ISO date-time/);
    await expect(startBulkJob(t.db, open, operator, { functionName: FN, ratePerSecond: 0 })).rejects.toBeInstanceOf(ReplayInputError);
    await expect(startBulkJob(t.db, open, operator, { functionName: FN, dryRun: true })).rejects.toThrow(/dry run/);
    expect((await listBulkJobs(t.db, 100)).length).toBe(before);
    const denied = await t.db.auditLog.findFirst({ where: { actor: viewer.email, action: "failures.bulk_replay", outcome: "denied" } });
    expect(denied).not.toBeNull();
  });
});
