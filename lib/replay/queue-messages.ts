/**
 * The SQS side of a replay: finding a message by id (to get a current receipt handle),
 * holding it while the replay runs, deleting it only afterwards, releasing everything
 * else, and copying a message with its typed attributes. Batch calls are checked entry
 * by entry: a batch that "succeeds" can still fail some of its entries.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type Message,
  type MessageAttributeValue,
  type MessageSystemAttributeValue,
  type SQSClient,
  type SendMessageBatchRequestEntry,
  type SendMessageCommandInput,
} from "@aws-sdk/client-sqs";
import { createHash } from "node:crypto";

/** A received message and until when (epoch ms) it stays hidden from other consumers. */
export interface HeldMessage {
  message: Message;
  receiptHandle: string;
  heldUntil: number;
}

export interface FindOptions {
  /** Seconds the found messages stay hidden (the replay's duration plus a margin). */
  holdSeconds: number;
  /** Seconds other messages are hidden while the scan runs; all are released when it ends. */
  scanVisibilitySeconds?: number;
  /** Upper bound on ReceiveMessage calls (a queue of N messages needs about N/10). */
  maxReceives?: number;
  signal?: AbortSignal;
  now?: () => number;
}

export interface FindResult {
  found: Map<string, HeldMessage>;
  receives: number;
  scanned: number;
  /** Other messages whose visibility could not be reset (they reappear after the scan visibility). */
  releaseFailures: number;
}

const BATCH = 10;

function chunks<T>(list: T[], size = BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/**
 * Receives until every wanted message id is found or the queue is exhausted. Messages that
 * are not wanted stay hidden for the rest of the scan (else the next receive would return
 * them again) and are made visible again as soon as it ends, even when it fails.
 */
export async function findMessages(sqs: SQSClient, queueUrl: string, ids: Iterable<string>, opts: FindOptions): Promise<FindResult> {
  const now = opts.now ?? Date.now;
  const want = new Set(ids);
  const found = new Map<string, HeldMessage>();
  const others = new Map<string, string>();
  // Found messages are received with their hold when it is short, saving a visibility change per scan.
  const scanVisibility = opts.scanVisibilitySeconds ?? Math.max(30, Math.min(opts.holdSeconds, 120));
  const maxReceives = opts.maxReceives ?? 1000;
  let receives = 0;
  let empty = 0;
  let releaseFailures = 0;
  try {
    while (found.size < want.size && receives < maxReceives && !opts.signal?.aborted) {
      // An empty short poll may just miss the servers holding messages; a 1 s long poll asks them all.
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: BATCH,
          VisibilityTimeout: scanVisibility,
          WaitTimeSeconds: empty > 0 ? 1 : 0,
          MessageAttributeNames: ["All"],
          MessageSystemAttributeNames: ["All"],
        }),
      );
      receives++;
      const messages = out.Messages ?? [];
      if (messages.length === 0) {
        if (++empty >= 2) break;
        continue;
      }
      empty = 0;
      for (const m of messages) {
        if (!m.MessageId || !m.ReceiptHandle) continue;
        if (want.has(m.MessageId)) {
          others.delete(m.MessageId);
          found.set(m.MessageId, { message: m, receiptHandle: m.ReceiptHandle, heldUntil: now() + scanVisibility * 1000 });
        } else {
          others.set(m.MessageId, m.ReceiptHandle);
        }
      }
    }
    if (found.size > 0 && opts.holdSeconds > scanVisibility) {
      const extended = await changeVisibility(sqs, queueUrl, [...found.values()].map((h) => ({ id: h.message.MessageId!, receiptHandle: h.receiptHandle })), opts.holdSeconds);
      for (const [id, h] of found) {
        if (extended.failed.has(id)) found.delete(id);
        else h.heldUntil = now() + opts.holdSeconds * 1000;
      }
    }
  } finally {
    if (others.size) {
      const released = await changeVisibility(sqs, queueUrl, [...others].map(([id, receiptHandle]) => ({ id, receiptHandle })), 0).catch(() => null);
      releaseFailures = released ? released.failed.size : others.size;
    }
  }
  return { found, receives, scanned: found.size + others.size, releaseFailures };
}

export interface HandleRef {
  id: string;
  receiptHandle: string;
}

/** ChangeMessageVisibilityBatch in tens; returns the ids whose entry failed, with the reason. */
export async function changeVisibility(sqs: SQSClient, queueUrl: string, refs: HandleRef[], seconds: number): Promise<{ failed: Map<string, string> }> {
  const failed = new Map<string, string>();
  for (const part of chunks(refs)) {
    const entries = part.map((r, i) => ({ Id: `m${i}`, ReceiptHandle: r.receiptHandle, VisibilityTimeout: seconds }));
    const out = await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    const ok = new Set((out.Successful ?? []).map((s) => s.Id));
    for (const f of out.Failed ?? []) failed.set(part[Number(f.Id!.slice(1))]!.id, `${f.Code ?? "Failed"}: ${f.Message ?? ""}`.trim());
    // An entry in neither list is not known to have changed.
    part.forEach((r, i) => {
      if (!ok.has(`m${i}`) && !failed.has(r.id)) failed.set(r.id, "no result for this entry");
    });
  }
  return { failed };
}

/** Makes held messages visible again (after a failed or skipped replay); failures are returned, not thrown. */
export async function releaseMessages(sqs: SQSClient, queueUrl: string, held: HeldMessage[]): Promise<{ failed: Map<string, string> }> {
  if (held.length === 0) return { failed: new Map() };
  try {
    return await changeVisibility(sqs, queueUrl, held.map((h) => ({ id: h.message.MessageId!, receiptHandle: h.receiptHandle })), 0);
  } catch (err) {
    return { failed: new Map(held.map((h) => [h.message.MessageId!, errorText(err)])) };
  }
}

/** Keeps one held message hidden for `seconds` more; false when its receipt handle is no longer current. */
export async function extendHold(sqs: SQSClient, queueUrl: string, held: HeldMessage, seconds: number, now = Date.now): Promise<boolean> {
  try {
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: held.receiptHandle, VisibilityTimeout: seconds }));
    held.heldUntil = now() + seconds * 1000;
    return true;
  } catch {
    return false;
  }
}

/** Deletes one held message. */
export async function deleteHeld(sqs: SQSClient, queueUrl: string, held: HeldMessage): Promise<void> {
  await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: held.receiptHandle }));
}

/** DeleteMessageBatch in tens; returns the ids whose entry failed. */
export async function deleteBatch(sqs: SQSClient, queueUrl: string, refs: HandleRef[]): Promise<{ failed: Map<string, string> }> {
  const failed = new Map<string, string>();
  for (const part of chunks(refs)) {
    const out = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: part.map((r, i) => ({ Id: `m${i}`, ReceiptHandle: r.receiptHandle })) }));
    const ok = new Set((out.Successful ?? []).map((s) => s.Id));
    for (const f of out.Failed ?? []) failed.set(part[Number(f.Id!.slice(1))]!.id, `${f.Code ?? "Failed"}: ${f.Message ?? ""}`.trim());
    part.forEach((r, i) => {
      if (!ok.has(`m${i}`) && !failed.has(r.id)) failed.set(r.id, "no result for this entry");
    });
  }
  return { failed };
}

/** The message attributes of a received message, for sending it again: every type and value kept, lists included. */
export function copyMessageAttributes(attrs: Record<string, MessageAttributeValue> | undefined): Record<string, MessageAttributeValue> | undefined {
  if (!attrs || Object.keys(attrs).length === 0) return undefined;
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, a] of Object.entries(attrs)) {
    const v: MessageAttributeValue = { DataType: a.DataType };
    if (a.StringValue !== undefined) v.StringValue = a.StringValue;
    if (a.BinaryValue !== undefined) v.BinaryValue = a.BinaryValue;
    if (a.StringListValues?.length) v.StringListValues = [...a.StringListValues];
    if (a.BinaryListValues?.length) v.BinaryListValues = [...a.BinaryListValues];
    out[name] = v;
  }
  return out;
}

/** The SendMessage input that puts a received message on another queue unchanged (FIFO group and dedup kept). */
export function copyMessageInput(m: Message, queueUrl: string, fifo: boolean): SendMessageCommandInput {
  const input: SendMessageCommandInput = { QueueUrl: queueUrl, MessageBody: m.Body ?? "" };
  const attrs = copyMessageAttributes(m.MessageAttributes);
  if (attrs) input.MessageAttributes = attrs;
  const trace = m.Attributes?.AWSTraceHeader;
  if (trace) input.MessageSystemAttributes = { AWSTraceHeader: { DataType: "String", StringValue: trace } satisfies MessageSystemAttributeValue };
  if (fifo) {
    input.MessageGroupId = m.Attributes?.MessageGroupId ?? "faasight-redrive";
    // The original id makes a repeated redrive of the same message a no-op within the dedup window.
    input.MessageDeduplicationId = createHash("sha256").update(`faasight-redrive:${m.MessageId}`).digest("hex").slice(0, 64);
  }
  return input;
}

/** Sends one copy; throws when SQS did not confirm it with a message id. */
export async function sendCopy(sqs: SQSClient, m: Message, queueUrl: string, fifo: boolean): Promise<{ messageId: string; requestId?: string }> {
  const out = await sqs.send(new SendMessageCommand(copyMessageInput(m, queueUrl, fifo)));
  if (!out.MessageId) throw new Error("SendMessage returned no MessageId; the message was not confirmed as sent");
  return { messageId: out.MessageId, requestId: out.$metadata.requestId };
}

/** SendMessageBatch of copies in tens: per message, the new id or the entry's error. */
export async function sendCopies(sqs: SQSClient, messages: Message[], queueUrl: string, fifo: boolean): Promise<Map<string, { messageId?: string; error?: string }>> {
  const results = new Map<string, { messageId?: string; error?: string }>();
  for (const part of chunks(messages)) {
    const entries: SendMessageBatchRequestEntry[] = part.map((m, i) => {
      const { QueueUrl: _url, ...rest } = copyMessageInput(m, queueUrl, fifo);
      return { Id: `m${i}`, ...rest, MessageBody: rest.MessageBody ?? "" };
    });
    let out;
    try {
      out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    } catch (err) {
      for (const m of part) results.set(m.MessageId!, { error: errorText(err) });
      continue;
    }
    for (const s of out.Successful ?? []) {
      const m = part[Number(s.Id!.slice(1))]!;
      results.set(m.MessageId!, s.MessageId ? { messageId: s.MessageId } : { error: "no MessageId in the batch result" });
    }
    for (const f of out.Failed ?? []) results.set(part[Number(f.Id!.slice(1))]!.MessageId!, { error: `${f.Code ?? "Failed"}: ${f.Message ?? ""}`.trim() });
    for (const m of part) if (!results.has(m.MessageId!)) results.set(m.MessageId!, { error: "no result for this entry" });
  }
  return results;
}

/** A queue's MaximumMessageSize (bytes). */
export async function maximumMessageSize(sqs: SQSClient, queueUrl: string): Promise<number> {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["MaximumMessageSize"] }));
  const n = Number(out.Attributes?.MaximumMessageSize);
  return Number.isFinite(n) && n > 0 ? n : 262_144;
}

/** Visible / in-flight message counts of a queue. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }));
  return { visible: Number(out.Attributes?.ApproximateNumberOfMessages ?? 0), inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) };
}

/** The URL of a queue ARN (GetQueueUrl with the owner account). */
export async function queueUrlOfArn(sqs: SQSClient, arn: string): Promise<string> {
  const parts = arn.split(":");
  const out = await sqs.send(new GetQueueUrlCommand({ QueueName: parts[5], QueueOwnerAWSAccountId: parts[4] }));
  if (!out.QueueUrl) throw new Error(`no URL for ${arn}`);
  return out.QueueUrl;
}

/** "Name: message" of an SDK or other error. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
