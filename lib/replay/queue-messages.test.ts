import { describe, expect, it } from "vitest";
import type { Message, SQSClient } from "@aws-sdk/client-sqs";
import { changeVisibility, copyMessageInput, deleteBatch, findMessages, sendCopies } from "./queue-messages.ts";
import { isUnsupportedOperation, sweepQueue } from "./redrive-queue.ts";
import type { ReplayRuntime } from "./replay.ts";
import type { Db } from "../db.ts";

type Call = { op: string; input: any };

/** An SQS client stand-in: each operation answers from a script; every call is recorded. */
function fakeSqs(handlers: Record<string, (input: any, n: number) => unknown>): { sqs: SQSClient; calls: Call[] } {
  const calls: Call[] = [];
  const counts = new Map<string, number>();
  const sqs = {
    send: async (command: { constructor: { name: string }; input: unknown }) => {
      const op = command.constructor.name.replace(/Command$/, "");
      calls.push({ op, input: command.input });
      const n = (counts.get(op) ?? 0) + 1;
      counts.set(op, n);
      const h = handlers[op];
      if (!h) throw new Error(`unexpected ${op}`);
      return { $metadata: {}, ...(h(command.input, n) as object) };
    },
  } as unknown as SQSClient;
  return { sqs, calls };
}

const msg = (id: string, extra: Partial<Message> = {}): Message => ({ MessageId: id, ReceiptHandle: `rh-${id}`, Body: `{"id":"${id}"}`, ...extra });
/** A batch answer: the listed entry ids fail, `missing` ones are in neither list. */
const batchAnswer = (input: { Entries: { Id: string }[] }, fail: number[] = [], missing: number[] = []) => ({
  Successful: input.Entries.filter((_, i) => !fail.includes(i) && !missing.includes(i)).map((e) => ({ Id: e.Id, MessageId: `new-${e.Id}` })),
  Failed: input.Entries.filter((_, i) => fail.includes(i)).map((e) => ({ Id: e.Id, Code: "InvalidParameterValue", Message: "nope", SenderFault: true })),
});

describe("batch calls are checked entry by entry", () => {
  it("changeVisibility reports failed and unanswered entries by message id", async () => {
    const { sqs, calls } = fakeSqs({ ChangeMessageVisibilityBatch: (input) => batchAnswer(input, [1], [2]) });
    const refs = Array.from({ length: 12 }, (_, i) => ({ id: `m${i}`, receiptHandle: `rh${i}` }));
    const { failed } = await changeVisibility(sqs, "q", refs, 0);
    expect(calls.map((c) => c.input.Entries.length)).toEqual([10, 2]);
    expect([...failed.keys()]).toEqual(["m1", "m2", "m11"]);
    expect(failed.get("m1")).toBe("InvalidParameterValue: nope");
    expect(failed.get("m2")).toBe("no result for this entry");
  });

  it("sendCopies gives each message its new id or its error", async () => {
    const { sqs } = fakeSqs({ SendMessageBatch: (input) => batchAnswer(input, [0], [2]) });
    const r = await sendCopies(sqs, [msg("a"), msg("b"), msg("c")], "dest", false);
    expect(Object.fromEntries(r)).toEqual({ a: { error: "InvalidParameterValue: nope" }, b: { messageId: "new-m1" }, c: { error: "no result for this entry" } });
  });

  it("sendCopies marks every message of a batch that threw", async () => {
    const { sqs } = fakeSqs({
      SendMessageBatch: () => {
        throw Object.assign(new Error("too long"), { name: "BatchRequestTooLong" });
      },
    });
    const r = await sendCopies(sqs, [msg("a"), msg("b")], "dest", false);
    expect([...r.values()]).toEqual([{ error: "BatchRequestTooLong: too long" }, { error: "BatchRequestTooLong: too long" }]);
  });

  it("deleteBatch reports failed entries by message id", async () => {
    const { sqs } = fakeSqs({ DeleteMessageBatch: (input) => batchAnswer(input, [1]) });
    const { failed } = await deleteBatch(sqs, "q", [{ id: "x", receiptHandle: "1" }, { id: "y", receiptHandle: "2" }]);
    expect([...failed.keys()]).toEqual(["y"]);
  });
});

describe("findMessages", () => {
  const pages = [[msg("o1"), msg("o2")], [msg("o3"), msg("target")], []];

  it("keeps other messages hidden during the scan and releases them when it ends", async () => {
    const { sqs, calls } = fakeSqs({ ReceiveMessage: (_, n) => ({ Messages: pages[n - 1] ?? [] }), ChangeMessageVisibilityBatch: (input) => batchAnswer(input) });
    const r = await findMessages(sqs, "q", ["target"], { holdSeconds: 60, now: () => 1000 });
    expect([...r.found.keys()]).toEqual(["target"]);
    expect(r.found.get("target")!.heldUntil).toBe(61_000);
    expect(calls.map((c) => c.op)).toEqual(["ReceiveMessage", "ReceiveMessage", "ChangeMessageVisibilityBatch"]);
    expect(calls[0]!.input).toMatchObject({ VisibilityTimeout: 60, WaitTimeSeconds: 0, MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"] });
    expect(calls[2]!.input.Entries.map((e: { ReceiptHandle: string; VisibilityTimeout: number }) => [e.ReceiptHandle, e.VisibilityTimeout])).toEqual([
      ["rh-o1", 0],
      ["rh-o2", 0],
      ["rh-o3", 0],
    ]);
  });

  it("extends a long hold only for the wanted messages, and stops after two empty receives", async () => {
    const { sqs, calls } = fakeSqs({ ReceiveMessage: (_, n) => ({ Messages: n === 1 ? [msg("t1"), msg("o1")] : [] }), ChangeMessageVisibilityBatch: (input) => batchAnswer(input) });
    const r = await findMessages(sqs, "q", ["t1", "t2"], { holdSeconds: 960, now: () => 0 });
    expect([...r.found.keys()]).toEqual(["t1"]);
    expect(calls.map((c) => `${c.op}${c.op === "ReceiveMessage" ? `:${c.input.WaitTimeSeconds}` : `:${c.input.Entries[0].VisibilityTimeout}`}`)).toEqual([
      "ReceiveMessage:0",
      "ReceiveMessage:0",
      "ReceiveMessage:1",
      "ChangeMessageVisibilityBatch:960",
      "ChangeMessageVisibilityBatch:0",
    ]);
    expect(calls[0]!.input.VisibilityTimeout).toBe(120);
  });

  it("releases what it holds even when a receive fails", async () => {
    const { sqs, calls } = fakeSqs({
      ReceiveMessage: (_, n) => {
        if (n === 2) throw new Error("network");
        return { Messages: [msg("o1")] };
      },
      ChangeMessageVisibilityBatch: (input) => batchAnswer(input),
    });
    await expect(findMessages(sqs, "q", ["target"], { holdSeconds: 30 })).rejects.toThrow("network");
    expect(calls.at(-1)).toMatchObject({ op: "ChangeMessageVisibilityBatch", input: { Entries: [{ ReceiptHandle: "rh-o1", VisibilityTimeout: 0 }] } });
  });
});

describe("copying a message for a redrive", () => {
  const m = msg("abc", {
    Body: "payload",
    MessageAttributes: {
      tags: { DataType: "String.list", StringValue: "a", StringListValues: ["a", "b"] },
      bin: { DataType: "Binary", BinaryValue: new Uint8Array([1, 2]) },
      empty: { DataType: "String", StringValue: "x", StringListValues: [] },
    },
    Attributes: { AWSTraceHeader: "Root=1-abc", MessageGroupId: "g-1" },
  });

  it("keeps body, every attribute (list values included) and the trace header", () => {
    expect(copyMessageInput(m, "dest", false)).toEqual({
      QueueUrl: "dest",
      MessageBody: "payload",
      MessageAttributes: {
        tags: { DataType: "String.list", StringValue: "a", StringListValues: ["a", "b"] },
        bin: { DataType: "Binary", BinaryValue: new Uint8Array([1, 2]) },
        empty: { DataType: "String", StringValue: "x" },
      },
      MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: "Root=1-abc" } },
    });
  });

  it("keeps the FIFO group and deduplicates repeated redrives of one message", () => {
    const a = copyMessageInput(m, "dest.fifo", true);
    expect(a.MessageGroupId).toBe("g-1");
    expect(a.MessageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
    expect(copyMessageInput(m, "dest.fifo", true).MessageDeduplicationId).toBe(a.MessageDeduplicationId);
    expect(copyMessageInput(msg("other"), "dest.fifo", true).MessageGroupId).toBe("faasight-redrive");
  });
});

describe("the send-then-delete fallback", () => {
  it("deletes only messages whose send was confirmed, and releases the rest", async () => {
    const src = "arn:aws:sqs:us-east-1:123456789012:src";
    const withSource = (id: string) => msg(id, { Attributes: { DeadLetterQueueSourceArn: src } });
    const { sqs, calls } = fakeSqs({
      ReceiveMessage: (_, n) => ({ Messages: n === 1 ? [withSource("ok"), withSource("sendFails"), withSource("deleteFails"), msg("noSource")] : [] }),
      GetQueueAttributes: () => ({ Attributes: { MaximumMessageSize: "1048576" } }),
      SendMessageBatch: (input) => batchAnswer(input, [1]),
      DeleteMessageBatch: (input) => batchAnswer(input, [1]),
      ChangeMessageVisibilityBatch: (input) => batchAnswer(input),
    });
    const db = { queue: { findFirst: async () => ({ url: "http://sqs/src" }) } } as unknown as Db;
    const rt: ReplayRuntime = { db, principal: { userId: 1, email: "a@b", role: "admin", via: "session" }, sqs, lambda: () => undefined as never, now: () => 0 };
    const r = await sweepQueue(rt, "http://sqs/dlq", undefined, undefined);
    expect(Object.fromEntries(r.moved)).toEqual({ ok: "new-m0", deleteFails: "new-m2" });
    expect([...r.errors.keys()].sort()).toEqual(["noSource", "sendFails"]);
    expect([...r.sentNotDeleted.keys()]).toEqual(["deleteFails"]);
    const deleted = calls.filter((c) => c.op === "DeleteMessageBatch").flatMap((c) => c.input.Entries.map((e: { ReceiptHandle: string }) => e.ReceiptHandle));
    expect(deleted).toEqual(["rh-ok", "rh-deleteFails"]);
    const released = calls.filter((c) => c.op === "ChangeMessageVisibilityBatch").flatMap((c) => c.input.Entries.map((e: { ReceiptHandle: string }) => e.ReceiptHandle));
    expect(released.sort()).toEqual(["rh-noSource", "rh-sendFails"]);
    expect(calls.find((c) => c.op === "SendMessageBatch")!.input.QueueUrl).toBe("http://sqs/src");
  });
});

describe("isUnsupportedOperation", () => {
  it.each([
    ["moto's HTML 500 (the SDK cannot parse it)", Object.assign(new SyntaxError('Unexpected token \'<\', "<!doctype "... is not valid JSON\n  Deserialization error: …'), { $metadata: { httpStatusCode: 500 } }), true],
    ["an unknown action", Object.assign(new Error("not valid"), { name: "InvalidAction" }), true],
    ["501 Not Implemented", Object.assign(new Error("x"), { name: "Whatever", $metadata: { httpStatusCode: 501 } }), true],
    ["a task already running", Object.assign(new Error("There is already a task running. Only one active task is allowed for each source queue arn at a given time."), { name: "UnsupportedOperation" }), false],
    ["not a dead-letter queue", Object.assign(new Error("Source queue must be configured as a Dead Letter Queue."), { name: "InvalidParameterValue" }), false],
    ["a throttle", Object.assign(new Error("slow down"), { name: "RequestThrottled", $metadata: { httpStatusCode: 400 } }), false],
    ["a service error", Object.assign(new Error("boom"), { name: "InternalError", $metadata: { httpStatusCode: 500 } }), false],
  ])("%s: %s", (_, err, expected) => {
    expect(isUnsupportedOperation(err)).toBe(expected);
  });
});
