import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { DATABASES, type TestDatabase } from "../helpers/databases.ts";
import { openDb } from "../../../lib/db.ts";
import { ForbiddenError } from "../../../lib/auth/permissions.ts";
import { discardEvent, getReplayHistory, planReplay, reconcileAsyncReplays, replayEvent, type ReinvokePlan } from "../../../lib/replay/index.ts";
import { FN, captureQueue, depth, failAsync, invocationsByPayload, operator, peekAll, seedInventory, startWorld, viewer, type Seeded, type World } from "./helpers.ts";

describe.each(DATABASES)("replay of one failed event ($name)", ({ create }) => {
  let w: World;
  let t: TestDatabase;
  let seeded: Seeded;
  let ids: Map<string, number>;
  const fn = () => ({ id: seeded.functionId, name: FN });
  const eventIdOf = async (payload: object) => (await t.db.failedEvent.findFirstOrThrow({ where: { payload: JSON.stringify(payload) } })).id;

  beforeAll(async () => {
    [w, t] = await Promise.all([startWorld(), create()]);
    seeded = await seedInventory(t.db, w);
    // Real async failures of version 1: three attempts each, then the DLQ.
    await failAsync(w, [{ orderId: "o-1", bug: true }, { orderId: "o-2", bug: true }, { orderId: "o-3", bug: true }, { orderId: "o-4", bug: true }]);
    ids = await captureQueue(t.db, w, { id: seeded.dlqId, url: w.dlq.url }, fn());
    w.lambdaService.clearInvocationLog();
  });
  afterAll(async () => {
    await w?.close();
    await t?.drop();
  });

  it("captured real DLQ messages with RequestID/ErrorCode/ErrorMessage", async () => {
    expect(ids.size).toBe(4);
    const ev = await t.db.failedEvent.findUniqueOrThrow({ where: { id: await eventIdOf({ orderId: "o-1", bug: true }) } });
    expect(ev).toMatchObject({ sourceKind: "async_dlq", functionName: FN, errorCode: "200", errorMessage: "bug in version 1", status: "new" });
    expect(ev.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("dry run shows exactly what would be sent and sends nothing", async () => {
    const eventId = await eventIdOf({ orderId: "o-1", bug: true });
    const plan = (await planReplay(t.db, operator, { eventId, qualifier: "2" })) as ReinvokePlan;
    expect(plan).toMatchObject({
      ok: true,
      action: "reinvoke",
      functionName: FN,
      qualifier: "2",
      qualifierSource: "input",
      invocationType: "RequestResponse",
      payload: JSON.stringify({ orderId: "o-1", bug: true }),
      payloadBytes: Buffer.byteLength(JSON.stringify({ orderId: "o-1", bug: true })),
      limitBytes: 6_291_456,
    });
    const viaReplay = await replayEvent(t.db, w.clients, operator, { eventId, qualifier: "2", dryRun: true });
    expect(viaReplay.outcome).toBe("dry_run");
    expect(w.lambdaService.invocationLog()).toHaveLength(0);
    expect(await t.db.replayAttempt.count()).toBe(0);
    expect(await depth(w.sqs, w.dlq.url)).toBe(4);
  });

  it("replays against the fixed version once: one invocation, message gone, audit row, second call does nothing", async () => {
    const payload = JSON.stringify({ orderId: "o-1", bug: true });
    const eventId = await eventIdOf({ orderId: "o-1", bug: true });
    const r = await replayEvent(t.db, w.clients, operator, { eventId, qualifier: "2" });
    expect(r).toMatchObject({ outcome: "replayed", messageDeleted: true });
    const log = w.lambdaService.invocationLog();
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ functionName: FN, version: "2", qualifier: "2", payload, invocationType: "RequestResponse", requestId: r.requestId });
    const messages = await peekAll(w.sqs, w.dlq.url);
    expect(messages.map((m) => m.Body)).not.toContain(payload);
    expect(messages).toHaveLength(3);
    const ev = await t.db.failedEvent.findUniqueOrThrow({ where: { id: eventId }, include: { replays: true } });
    expect(ev.status).toBe("replayed");
    expect(ev.replays).toHaveLength(1);
    expect(ev.replays[0]).toMatchObject({ action: "reinvoke", status: "succeeded", targetQualifier: "2", invocationType: "RequestResponse", resultRequestId: r.requestId, actor: operator.email });
    const audit = await t.db.auditLog.findMany({ where: { resourceType: "failed_event", resourceId: String(eventId) } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: operator.email, actorId: operator.userId, action: "failures.replay", outcome: "ok" });
    expect(JSON.parse(audit[0]!.detailsJson)).toMatchObject({ requestId: r.requestId, qualifier: "2", result: "replayed", executedVersion: "2", payloadSha256: r.plan!.action === "reinvoke" ? r.plan!.payloadSha256 : "" });

    const again = await replayEvent(t.db, w.clients, operator, { eventId, qualifier: "2" });
    expect(again.outcome).toBe("duplicate");
    expect(again.attempt?.id).toBe(ev.replays[0]!.id);
    expect(w.lambdaService.invocationLog()).toHaveLength(1);
    expect(await t.db.auditLog.count({ where: { resourceId: String(eventId) } })).toBe(1);
    const history = await getReplayHistory(t.db, viewer, eventId);
    expect(history.attempts.map((a) => a.status)).toEqual(["succeeded"]);
    expect(history.audit.map((a) => a.action)).toEqual(["failures.replay"]);
  });

  it("a double click and a second operator on another connection produce one replay", async () => {
    const payload = JSON.stringify({ orderId: "o-2", bug: true });
    const eventId = await eventIdOf({ orderId: "o-2", bug: true });
    // A second Prisma client on one SQLite file in one process would block the event loop in
    // better-sqlite3's busy wait; across processes (the CLI test) it is exercised for real.
    const other = t.provider === "pg" ? openDb(t.url) : { db: t.db };
    try {
      const results = await Promise.all([
        replayEvent(t.db, w.clients, operator, { eventId, qualifier: "2" }),
        replayEvent(t.db, w.clients, operator, { eventId, qualifier: "2" }),
        replayEvent(other.db, w.clients, { ...operator, userId: 9, email: "second@example.com" }, { eventId, qualifier: "2" }),
      ]);
      expect(results.filter((r) => r.outcome === "replayed")).toHaveLength(1);
      expect(results.filter((r) => r.outcome === "duplicate" || r.outcome === "busy")).toHaveLength(2);
    } finally {
      if (other.db !== t.db) await other.db.$disconnect();
    }
    expect(invocationsByPayload(w).get(payload)).toBe(1);
    expect(await t.db.replayAttempt.count({ where: { failedEventId: eventId } })).toBe(1);
  });

  it("a replay whose invoke fails leaves the message in the DLQ and marks failed_again with the error", async () => {
    const payload = JSON.stringify({ orderId: "o-3", bug: true });
    const eventId = await eventIdOf({ orderId: "o-3", bug: true });
    const r = await replayEvent(t.db, w.clients, operator, { eventId, qualifier: "live" });
    expect(r.outcome).toBe("failed_again");
    expect(r.error).toBe('Unhandled: {"errorType":"OrderError","errorMessage":"bug in version 1"}');
    expect((await peekAll(w.sqs, w.dlq.url)).map((m) => m.Body)).toContain(payload);
    const ev = await t.db.failedEvent.findUniqueOrThrow({ where: { id: eventId }, include: { replays: true } });
    expect(ev.status).toBe("failed_again");
    expect(ev.replays[0]).toMatchObject({ status: "failed", error: r.error, resultRequestId: r.requestId });
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { resourceId: String(eventId) } });
    expect(audit.outcome).toBe("failed");

    // After the failure a new replay is allowed (fresh key) and, on the fixed version, succeeds.
    const retry = await replayEvent(t.db, w.clients, operator, { eventId, qualifier: "2" });
    expect(retry.outcome).toBe("replayed");
    expect(invocationsByPayload(w).get(payload)).toBe(2);
    expect((await peekAll(w.sqs, w.dlq.url)).map((m) => m.Body)).not.toContain(payload);
  });

  it("an Event replay is accepted, and when it fails again the new DLQ message is linked back", async () => {
    const payload = JSON.stringify({ orderId: "o-4", bug: true });
    const eventId = await eventIdOf({ orderId: "o-4", bug: true });
    const r = await replayEvent(t.db, w.clients, operator, { eventId, qualifier: "1", invocationType: "Event" });
    expect(r).toMatchObject({ outcome: "replayed", messageDeleted: true });
    await w.lambdaService.whenIdle();
    // Lambda retried twice with the replay's request id, then wrote a new DLQ message.
    expect(w.lambdaService.invocationLog().filter((e) => e.payload === payload).map((e) => [e.requestId, e.attempt])).toEqual([
      [r.requestId, 1],
      [r.requestId, 2],
      [r.requestId, 3],
    ]);
    const fresh = await captureQueue(t.db, w, { id: seeded.dlqId, url: w.dlq.url }, fn());
    expect(fresh.size).toBe(1);
    const reconciled = await reconcileAsyncReplays(t.db);
    expect(reconciled.failedAgain).toEqual([{ eventId, attemptId: r.attempt!.id, newFailedEventId: [...fresh.values()][0] }]);
    const ev = await t.db.failedEvent.findUniqueOrThrow({ where: { id: eventId }, include: { replays: true } });
    expect(ev.status).toBe("failed_again");
    expect(ev.replays[0]!.error).toContain(`request ${r.requestId}`);
    expect((await reconcileAsyncReplays(t.db)).failedAgain).toEqual([]);
  });

  it("refuses a payload too big for the target with a clear reason, and sends nothing", async () => {
    const big = JSON.stringify({ orderId: "o-big", blob: "x".repeat(1_100_000) });
    const row = await t.db.failedEvent.create({ data: { queueId: seeded.dlqId, messageId: "m-big", sourceKind: "async_dlq", functionName: FN, payload: big } });
    const before = w.lambdaService.invocationLog().length;
    const r = await replayEvent(t.db, w.clients, operator, { eventId: row.id, qualifier: "2", invocationType: "Event" });
    expect(r.outcome).toBe("refused");
    expect(r.error).toBe(
      `The payload is ${Buffer.byteLength(big).toLocaleString("en-US")} bytes (1.05 MB); an Event invocation accepts at most 1,048,576 bytes (1 MB). It is not truncated. Replay it with RequestResponse (up to 6 MB) instead.`,
    );
    expect(w.lambdaService.invocationLog().length).toBe(before);
    expect(await t.db.replayAttempt.count({ where: { failedEventId: row.id } })).toBe(0);
    expect((await t.db.failedEvent.findUniqueOrThrow({ where: { id: row.id } })).status).toBe("new");
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { resourceId: String(row.id) } });
    expect(audit.outcome).toBe("failed");
    expect(JSON.parse(audit.detailsJson)).toMatchObject({ result: "refused", reason: "payload_too_large" });
    const sync = (await planReplay(t.db, operator, { eventId: row.id, qualifier: "2" })) as ReinvokePlan;
    expect(sync).toMatchObject({ ok: true, invocationType: "RequestResponse", payloadBytes: Buffer.byteLength(big) });
  });

  it("discard deletes the message and records the reason; a repeat does nothing", async () => {
    const body = JSON.stringify({ orderId: "o-5", poison: true });
    await w.sqs.send(
      new SendMessageCommand({
        QueueUrl: w.dlq.url,
        MessageBody: body,
        MessageAttributes: { RequestID: { DataType: "String", StringValue: "5f0b0f7e-0000-4000-8000-000000000005" }, ErrorCode: { DataType: "Number", StringValue: "200" }, ErrorMessage: { DataType: "String", StringValue: "poison order" } },
      }),
    );
    const captured = await captureQueue(t.db, w, { id: seeded.dlqId, url: w.dlq.url }, fn());
    const eventId = [...captured.values()][0]!;
    const r = await discardEvent(t.db, w.clients, operator, { eventId, reason: "customer cancelled the order" });
    expect(r).toMatchObject({ outcome: "discarded", messageDeleted: true });
    expect((await peekAll(w.sqs, w.dlq.url)).map((m) => m.Body)).not.toContain(body);
    const ev = await t.db.failedEvent.findUniqueOrThrow({ where: { id: eventId }, include: { replays: true } });
    expect(ev.status).toBe("discarded");
    expect(ev.replays[0]).toMatchObject({ action: "discard", status: "discarded", error: "Discarded: customer cancelled the order", actor: operator.email });
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { resourceId: String(eventId), action: "failures.discard" } });
    expect(JSON.parse(audit.detailsJson)).toMatchObject({ reason: "customer cancelled the order", messageDeleted: true });
    expect((await discardEvent(t.db, w.clients, operator, { eventId, reason: "again" })).outcome).toBe("duplicate");
    expect((await replayEvent(t.db, w.clients, operator, { eventId })).outcome).toBe("refused");
  });

  it("a viewer is refused, and the denial is audited", async () => {
    const eventId = await eventIdOf({ orderId: "o-1", bug: true });
    await expect(replayEvent(t.db, w.clients, viewer, { eventId })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(planReplay(t.db, viewer, { eventId })).rejects.toBeInstanceOf(ForbiddenError);
    const denied = await t.db.auditLog.findMany({ where: { actor: viewer.email, outcome: "denied" } });
    expect(denied.map((d) => d.action).sort()).toEqual(["failures.replay", "failures.replay_plan"]);
  });

  it("validates input with a message naming the field", async () => {
    await expect(replayEvent(t.db, w.clients, operator, { eventId: -1 })).rejects.toThrow(/eventId: must be a failed event id/);
    await expect(replayEvent(t.db, w.clients, operator, { eventId: 1, invocationType: "DryRun" as never })).rejects.toThrow(/invocationType: must be "Event" or "RequestResponse"/);
    await expect(replayEvent(t.db, w.clients, operator, { eventId: 999_999 })).rejects.toThrow("failed event 999999 was not found");
  });
});
