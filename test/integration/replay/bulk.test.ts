import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASES, type TestDatabase } from "../helpers/databases.ts";
import { bulkReplay, resolveInDoubt, type BulkProgress } from "../../../lib/replay/index.ts";
import { claimAttempt } from "../../../lib/replay/context.ts";
import { FN, captureQueue, depth, invocationsByPayload, operator, seedInventory, sendDlqMessages, startWorld, type Seeded, type World } from "./helpers.ts";

describe.each(DATABASES)("bulk replay ($name)", ({ create }) => {
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

  /** n DLQ events of batch `tag` (every 20th one poisoned), captured into the store. */
  async function seedEvents(tag: string, n: number): Promise<string[]> {
    const bodies = Array.from({ length: n }, (_, i) => ({ batch: tag, n: i, bug: true, ...(i % 20 === 19 ? { poison: true } : {}) }));
    await sendDlqMessages(w, bodies);
    await captureQueue(t.db, w, { id: seeded.dlqId, url: w.dlq.url }, { id: seeded.functionId, name: FN });
    w.lambdaService.clearInvocationLog();
    return bodies.map((b) => JSON.stringify(b));
  }

  it("replays 100 events at the rate limit with per-event outcomes and live progress", async () => {
    const payloads = await seedEvents("b100", 100);
    const progress: BulkProgress[] = [];
    const started = performance.now();
    const r = await bulkReplay(t.db, w.clients, operator, { functionName: FN, qualifier: "2" }, { ratePerSecond: 400, onProgress: (p) => void progress.push(p) });
    const seconds = (performance.now() - started) / 1000;
    expect(r).toMatchObject({ total: 100, done: 100, aborted: false, inDoubt: [] });
    expect(r.counts).toMatchObject({ replayed: 95, failed_again: 5, failed: 0, refused: 0, duplicate: 0 });
    expect(r.outcomes).toHaveLength(100);
    expect(new Set(r.outcomes.map((o) => o.eventId)).size).toBe(100);
    for (const o of r.outcomes.filter((x) => x.outcome === "failed_again")) expect(o.error).toContain("poison order");
    // The bucket starts with one token: 99 more take at least 99/400 s.
    expect(seconds).toBeGreaterThanOrEqual(99 / 400);
    expect(progress.map((p) => p.done)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(progress.at(-1)!.counts.replayed).toBe(95);
    const counts = invocationsByPayload(w);
    expect(payloads.every((p) => counts.get(p) === 1)).toBe(true);
    expect(w.lambdaService.invocationLog().every((e) => e.version === "2" && e.invocationType === "RequestResponse")).toBe(true);
    expect(await depth(w.sqs, w.dlq.url)).toBe(5);
    expect(await t.db.failedEvent.count({ where: { status: "replayed" } })).toBe(95);
    expect(await t.db.auditLog.count({ where: { action: "failures.replay" } })).toBe(100);
    const summary = await t.db.auditLog.findFirstOrThrow({ where: { action: "failures.bulk_replay" } });
    expect(JSON.parse(summary.detailsJson)).toMatchObject({ selected: 100, done: 100, ratePerSecond: 400, counts: { replayed: 95, failed_again: 5 } });

    // A second run selects nothing new (status "new" only), and replays nothing.
    const again = await bulkReplay(t.db, w.clients, operator, { functionName: FN, qualifier: "2" }, { ratePerSecond: 400 });
    expect(again.total).toBe(0);
    expect(w.lambdaService.invocationLog()).toHaveLength(100);
    // The five poisoned ones can be retried explicitly.
    const retry = await bulkReplay(t.db, w.clients, operator, { functionName: FN, qualifier: "2", status: ["failed_again"], errorType: "bug in version 1" }, { ratePerSecond: 400 });
    expect(retry.counts).toMatchObject({ failed_again: 5 });
    await t.db.failedEvent.updateMany({ where: { status: "failed_again" }, data: { status: "discarded" } });
  });

  it("a stop and a crash mid-way, then a resume, replay none twice", async () => {
    const payloads = await seedEvents("crash", 40);
    const filter = { functionName: FN, qualifier: "2", errorType: "bug in version 1" };
    // 1. Stopped by the signal after 20 events.
    const stop = new AbortController();
    const first = await bulkReplay(t.db, w.clients, operator, filter, {
      ratePerSecond: 500,
      signal: stop.signal,
      onProgress: (p) => {
        if (p.done === 20) stop.abort();
      },
    });
    expect(first).toMatchObject({ total: 40, done: 20, aborted: true });
    expect(w.lambdaService.invocationLog()).toHaveLength(20);
    // 2. "Crashes" (throws) after 10 more.
    await expect(
      bulkReplay(t.db, w.clients, operator, filter, {
        ratePerSecond: 500,
        onProgress: (p) => {
          if (p.done === 10) throw new Error("worker killed");
        },
      }),
    ).rejects.toThrow("worker killed");
    expect(w.lambdaService.invocationLog()).toHaveLength(30);
    // 3. A process that died between storing its key and calling Lambda: that event is in doubt.
    const stuck = await t.db.failedEvent.findFirstOrThrow({ where: { status: "new", payload: { contains: '"batch":"crash"' }, NOT: { payload: { contains: "poison" } } }, orderBy: { id: "desc" } });
    const claim = await claimAttempt(t.db, stuck, { key: `crash-test-${stuck.id}`, action: "reinvoke", target: "2", method: "RequestResponse", actor: operator.email });
    expect(claim.kind).toBe("claimed");
    // 4. Resume: everything left, nothing twice, the stuck one reported and not touched.
    const resumed = await bulkReplay(t.db, w.clients, operator, filter, { ratePerSecond: 500 });
    expect(resumed.total).toBe(9);
    expect(resumed.inDoubt).toEqual([stuck.id]);
    const counts = invocationsByPayload(w);
    expect(payloads.filter((p) => p !== stuck.payload).every((p) => counts.get(p) === 1)).toBe(true);
    expect(counts.get(stuck.payload)).toBeUndefined();
    expect(w.lambdaService.invocationLog()).toHaveLength(39);
    // 5. The operator finds it did not run, releases it, and the next resume replays it once.
    await t.db.replayAttempt.update({ where: { id: (claim as { attempt: { id: number } }).attempt.id }, data: { createdAt: new Date(Date.now() - 20 * 60_000) } });
    await resolveInDoubt(t.db, operator, { eventId: stuck.id, resolution: "did_not_run", reason: "no START line in the logs" });
    const last = await bulkReplay(t.db, w.clients, operator, filter, { ratePerSecond: 500 });
    expect(last.counts.replayed).toBe(1);
    expect(invocationsByPayload(w).get(stuck.payload)).toBe(1);
    expect(w.lambdaService.invocationLog()).toHaveLength(40);
    // 38 replayed + 2 poisoned (failed again): only the poisoned stay in the DLQ.
    expect(await t.db.failedEvent.count({ where: { payload: { contains: '"batch":"crash"' }, status: "replayed" } })).toBe(38);
    expect(await depth(w.sqs, w.dlq.url)).toBe(5 + 2);
  });

  it("dry run lists what would be sent without touching anything", async () => {
    await seedEvents("dry", 3);
    const before = await t.db.replayAttempt.count();
    const r = await bulkReplay(t.db, w.clients, operator, { functionName: FN, qualifier: "2", dryRun: true, errorType: "bug in version 1" }, { ratePerSecond: 1 });
    expect(r.total).toBe(3);
    expect(r.plans!.map((p) => p.ok)).toEqual([true, true, true]);
    expect(w.lambdaService.invocationLog()).toHaveLength(0);
    expect(await t.db.replayAttempt.count()).toBe(before);
    // The time range applies to when the failure was sent.
    const dry = { functionName: FN, dryRun: true, errorType: "bug in version 1" };
    expect((await bulkReplay(t.db, w.clients, operator, { ...dry, since: new Date(Date.now() - 60_000) }, { ratePerSecond: 1 })).total).toBe(3);
    expect((await bulkReplay(t.db, w.clients, operator, { ...dry, until: new Date(Date.now() - 60_000) }, { ratePerSecond: 1 })).total).toBe(0);
    await expect(bulkReplay(t.db, w.clients, operator, { dryRun: true }, { ratePerSecond: 1 })).rejects.toThrow("functionName: choose a function or a queue");
  });
});
