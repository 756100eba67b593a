import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, type MessageAttributeValue } from "@aws-sdk/client-sqs";
import { DATABASES, type TestDatabase } from "../helpers/databases.ts";
import { bulkReplay, discardEvent, redriveQueue, replayEvent } from "../../../lib/replay/index.ts";
import { FN, captureQueue, depth, failAsync, operator, peekAll, seedInventory, startWorld, type Seeded, type World } from "./helpers.ts";

/** Typed attributes, a binary one and a list-valued one: all must survive a redrive byte for byte. */
const attributes = (i: number): Record<string, MessageAttributeValue> => ({
  tenant: { DataType: "String", StringValue: `t-${i}` },
  priority: { DataType: "Number.int", StringValue: String(i) },
  digest: { DataType: "Binary", BinaryValue: new Uint8Array([0, 255, i]) },
  tags: { DataType: "String.list", StringValue: "a", StringListValues: ["a", "b", `c${i}`] },
});

describe.each(DATABASES)("redrive to the source queue ($name)", ({ create }) => {
  let w: World;
  let t: TestDatabase;
  let seeded: Seeded;
  let ids: Map<string, number>;
  const bodyOf = (i: number) => JSON.stringify({ shipment: i });

  beforeAll(async () => {
    [w, t] = await Promise.all([startWorld(), create()]);
    seeded = await seedInventory(t.db, w);
    await w.sqs.send(new SendMessageBatchCommand({ QueueUrl: w.src.url, Entries: Array.from({ length: 6 }, (_, i) => ({ Id: `s${i}`, MessageBody: bodyOf(i), MessageAttributes: attributes(i) })) }));
    // The consumer fails each message twice (maxReceiveCount 2): SQS moves them to the DLQ.
    for (let i = 0; i < 3; i++) await w.sqs.send(new ReceiveMessageCommand({ QueueUrl: w.src.url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
    expect(await depth(w.sqs, w.src.url)).toBe(0);
    ids = await captureQueue(t.db, w, { id: seeded.srcDlqId, url: w.srcDlq.url });
  });
  afterAll(async () => {
    await w?.close();
    await t?.drop();
  });

  const eventOf = async (i: number) => (await t.db.failedEvent.findFirstOrThrow({ where: { payload: bodyOf(i), queueId: seeded.srcDlqId } })).id;

  it("captured event-source-mapping DLQ messages with their source queue", async () => {
    expect(ids.size).toBe(6);
    const ev = await t.db.failedEvent.findUniqueOrThrow({ where: { id: await eventOf(0) } });
    expect(ev.sourceKind).toBe("esm_dlq");
    expect(JSON.parse(ev.attributesJson).attributes.DeadLetterQueueSourceArn).toBe(w.src.arn);
  });

  it("redrives one message (send, then delete) with every attribute preserved, list-valued included", async () => {
    const eventId = await eventOf(0);
    const r = await replayEvent(t.db, w.clients, operator, { eventId, action: "redrive" });
    expect(r).toMatchObject({ outcome: "replayed", messageDeleted: true });
    const [moved] = await peekAll(w.sqs, w.src.url);
    expect(moved!.MessageId).toBe(r.requestId);
    expect(moved!.Body).toBe(bodyOf(0));
    expect(moved!.MessageAttributes).toEqual(attributes(0));
    expect((await peekAll(w.sqs, w.srcDlq.url)).map((m) => m.Body)).not.toContain(bodyOf(0));
    const attempt = await t.db.replayAttempt.findFirstOrThrow({ where: { failedEventId: eventId } });
    expect(attempt).toMatchObject({ action: "redrive", targetQualifier: w.src.arn, invocationType: "send", status: "succeeded", resultRequestId: r.requestId });
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { resourceId: String(eventId) } });
    expect(audit).toMatchObject({ action: "failures.redrive", outcome: "ok" });
    expect((await replayEvent(t.db, w.clients, operator, { eventId, action: "redrive" })).outcome).toBe("duplicate");
    expect(await depth(w.sqs, w.src.url)).toBe(1);
  });

  it("never sends a message the destination cannot take, and keeps it in the DLQ", async () => {
    const { QueueUrl } = await w.sqs.send(new CreateQueueCommand({ QueueName: "tiny", Attributes: { MaximumMessageSize: "1024" } }));
    const { Attributes } = await w.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    await w.sqs.send(new SendMessageBatchCommand({ QueueUrl: w.srcDlq.url, Entries: [{ Id: "big", MessageBody: JSON.stringify({ shipment: "big", pad: "x".repeat(2000) }) }] }));
    const [eventId] = [...(await captureQueue(t.db, w, { id: seeded.srcDlqId, url: w.srcDlq.url })).values()];
    const r = await replayEvent(t.db, w.clients, operator, { eventId: eventId!, action: "redrive", destinationQueueArn: Attributes!.QueueArn! });
    expect(r.outcome).toBe("failed");
    expect(r.error).toMatch(/^The message is 2,0\d\d bytes \(2 KB\); arn:aws:sqs:us-east-1:123456789012:tiny accepts at most 1,024 bytes \(1 KB\) \(MaximumMessageSize\)\. Nothing was sent\.$/);
    expect(await depth(w.sqs, QueueUrl!)).toBe(0);
    expect((await peekAll(w.sqs, w.srcDlq.url)).some((m) => m.Body!.includes('"big"'))).toBe(true);
    expect((await t.db.failedEvent.findUniqueOrThrow({ where: { id: eventId! } })).status).toBe("new");
    expect(await discardEvent(t.db, w.clients, operator, { eventId: eventId!, reason: "test payload, not a real shipment" })).toMatchObject({ outcome: "discarded", messageDeleted: true });
  });

  it("refuses the action that does not fit the source", async () => {
    expect(await replayEvent(t.db, w.clients, operator, { eventId: await eventOf(1) })).toMatchObject({
      outcome: "refused",
      error: "This message failed in an event source mapping: its body is the queue message, not the function's event. Redrive it to its source queue instead.",
    });
    await failAsync(w, [{ orderId: "r-1", bug: true }]);
    const [asyncId] = [...(await captureQueue(t.db, w, { id: seeded.dlqId, url: w.dlq.url }, { id: seeded.functionId, name: FN })).values()];
    expect(await replayEvent(t.db, w.clients, operator, { eventId: asyncId!, action: "redrive" })).toMatchObject({
      outcome: "refused",
      error: "This is an asynchronous-invocation failure: no source queue fed it. Re-invoke the function instead.",
    });
    expect(await redriveQueue(t.db, w.clients, operator, { queueId: seeded.dlqId })).toMatchObject({ outcome: "refused" });
  });

  it("bulk-redrives selected events one by one (send, then a checked DeleteMessageBatch)", async () => {
    const r = await bulkReplay(t.db, w.clients, operator, { queueId: seeded.srcDlqId, action: "redrive", limit: 2 }, { ratePerSecond: 100 });
    expect(r.counts).toMatchObject({ replayed: 2, failed: 0 });
    expect(r.outcomes.map((o) => o.messageDeleted)).toEqual([true, true]);
    expect(await depth(w.sqs, w.src.url)).toBe(3);
    expect(await depth(w.sqs, w.srcDlq.url)).toBe(3);
  });

  it("redrives the whole queue with StartMessageMoveTask and settles each event from what left the DLQ", async () => {
    const dry = await redriveQueue(t.db, w.clients, operator, { queueId: seeded.srcDlqId, dryRun: true });
    expect(dry).toMatchObject({ outcome: "dry_run", events: 3, depth: { visible: 3, inFlight: 0 } });
    const r = await redriveQueue(t.db, w.clients, operator, { queueId: seeded.srcDlqId, maxPerSecond: 100 });
    expect(r).toMatchObject({ outcome: "completed", method: "move-task", taskStatus: "COMPLETED", events: 3, replayed: 3, notMoved: 0, moved: 3 });
    expect(await depth(w.sqs, w.srcDlq.url)).toBe(0);
    const inSource = await peekAll(w.sqs, w.src.url);
    expect(inSource).toHaveLength(6);
    for (let i = 0; i < 6; i++) expect(inSource.find((m) => m.Body === bodyOf(i))!.MessageAttributes).toEqual(attributes(i));
    const events = await t.db.failedEvent.findMany({ where: { queueId: seeded.srcDlqId, status: { not: "discarded" } }, include: { replays: true } });
    expect(events.every((e) => e.status === "replayed")).toBe(true);
    expect(events.flatMap((e) => e.replays.map((a) => `${a.invocationType}:${a.status}`)).sort()).toEqual([
      ...Array(3).fill("move-task:succeeded"),
      ...Array(3).fill("send:succeeded"),
    ]);
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { action: "failures.redrive_queue", outcome: "ok" } });
    expect(JSON.parse(audit.detailsJson)).toMatchObject({ method: "move-task", replayed: 3, taskHandle: r.taskHandle });
  });
});
