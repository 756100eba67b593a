/**
 * Redrive a whole SQS dead-letter queue back to its source queue(s). AWS's own
 * StartMessageMoveTask does it where supported; where it is not (moto, older emulators),
 * the same move is done by hand: receive, SendMessageBatch, and DeleteMessageBatch of only
 * the entries whose send succeeded. Known events of the queue get one attempt each, claimed
 * before the move, and are marked from what is verifiably gone from the DLQ afterwards.
 */
import { ListMessageMoveTasksCommand, ReceiveMessageCommand, StartMessageMoveTaskCommand, type Message } from "@aws-sdk/client-sqs";
import type { Db } from "../db.ts";
import type { ReplayAttempt } from "../generated/sqlite/client.ts";
import type { Principal } from "../auth/permissions.ts";
import { writeAudit } from "../auth/audit.ts";
import { AUDIT_ACTIONS, authorizeReplay, claimAttempt, loadEvent, type ReplayClients } from "./context.ts";
import { createRuntime, type ReplayRuntime } from "./replay.ts";
import { ReplayNotFoundError, parseInput, redriveQueueInputSchema, type RedriveQueueInput } from "./schemas.ts";
import { deleteBatch, errorText, findMessages, maximumMessageSize, queueDepth, queueUrlOfArn, releaseMessages, sendCopies, type HeldMessage } from "./queue-messages.ts";
import { deriveIdempotencyKey } from "./plan.ts";
import { sqsMessageSize } from "./limits.ts";
import { TokenBucket, realClock } from "./token-bucket.ts";

export interface RedriveQueueResult {
  queueId: number;
  queue: string;
  outcome: "dry_run" | "refused" | "completed" | "running" | "failed";
  method: "move-task" | "send-then-delete" | null;
  /** "each message's source queue" or the chosen queue ARN. */
  destination: string;
  depth?: { visible: number; inFlight: number };
  /** Known events of the queue that were (or, in a dry run, would be) redriven. */
  events: number;
  replayed: number;
  /** Known events still in the DLQ after the move (in flight during it, or a failed send). */
  notMoved: number;
  /** Messages moved, known or not (task counter, or sends confirmed). */
  moved: number;
  taskHandle?: string;
  taskStatus?: string;
  error?: string;
  warnings: string[];
}

const POLL_MS = 250;

/** Errors meaning the endpoint does not implement StartMessageMoveTask (moto answers an HTML 500). */
export function isUnsupportedOperation(err: unknown): boolean {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; $response?: unknown };
  if (!e || typeof e !== "object") return false;
  if (/already a task running/i.test(e.message ?? "")) return false;
  if (["InvalidAction", "UnknownOperationException", "UnknownOperation", "NotImplemented", "UnsupportedOperation"].includes(e.name ?? "")) return true;
  if (e.$metadata?.httpStatusCode === 501) return true;
  // An answer the SDK could not even parse (an HTML error page) comes from an emulator without the operation.
  return e.name === "SyntaxError" || /Deserialization error/i.test(e.message ?? "");
}

interface Claimed {
  eventId: number;
  messageId: string;
  attempt: ReplayAttempt;
  priorStatus: string;
}

async function markMoved(rt: ReplayRuntime, c: Claimed, resultId: string | null, method: string): Promise<void> {
  await rt.db.replayAttempt.update({ where: { id: c.attempt.id }, data: { status: "succeeded", invocationType: method, resultRequestId: resultId, finishedAt: new Date(rt.now()) } });
  await rt.db.failedEvent.updateMany({ where: { id: c.eventId, status: "replaying" }, data: { status: "replayed" } });
}

async function markNotMoved(rt: ReplayRuntime, c: Claimed, error: string, method: string): Promise<void> {
  await rt.db.replayAttempt.update({ where: { id: c.attempt.id }, data: { status: "failed", invocationType: method, error, finishedAt: new Date(rt.now()) } });
  await rt.db.failedEvent.updateMany({ where: { id: c.eventId, status: "replaying" }, data: { status: c.priorStatus } });
}

/** Marks the claimed events from what is still in the DLQ once a move task has ended. */
async function settleFromQueue(rt: ReplayRuntime, dlqUrl: string, claimed: Claimed[], reason: string): Promise<{ replayed: number; notMoved: number }> {
  const { found } = await findMessages(rt.sqs, dlqUrl, claimed.map((c) => c.messageId), { holdSeconds: 5 });
  await releaseMessages(rt.sqs, dlqUrl, [...found.values()]);
  let replayed = 0;
  for (const c of claimed) {
    if (found.has(c.messageId)) await markNotMoved(rt, c, `Still in the dead-letter queue after the move task: ${reason}`, "move-task");
    else {
      await markMoved(rt, c, c.attempt.resultRequestId, "move-task");
      replayed++;
    }
  }
  return { replayed, notMoved: claimed.length - replayed };
}

async function waitForTask(rt: ReplayRuntime, sourceArn: string, waitMs: number, signal?: AbortSignal) {
  const deadline = rt.now() + waitMs;
  for (;;) {
    const out = await rt.sqs.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 1 }));
    const task = out.Results?.[0];
    if (!task || task.Status !== "RUNNING" || rt.now() >= deadline || signal?.aborted) return task;
    await realClock.sleep(POLL_MS, signal);
  }
}

/** Moves by hand: receive, send copies per destination, delete only confirmed sends; everything else is released (exported for tests). */
export async function sweepQueue(rt: ReplayRuntime, dlqUrl: string, destinationArn: string | undefined, maxPerSecond: number | undefined) {
  const moved = new Map<string, string>();
  const sentNotDeleted = new Map<string, string>();
  const errors = new Map<string, string>();
  const keep: HeldMessage[] = [];
  const seen = new Set<string>();
  const urls = new Map<string, { url: string; max: number }>();
  const bucket = maxPerSecond ? new TokenBucket(maxPerSecond, Math.min(10, maxPerSecond)) : null;
  let empty = 0;
  try {
    for (let calls = 0; calls < 2000 && empty < 2; calls++) {
      const out = await rt.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 120, WaitTimeSeconds: empty ? 1 : 0, MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"] }),
      );
      const fresh = (out.Messages ?? []).filter((m) => m.MessageId && m.ReceiptHandle && !seen.has(m.MessageId));
      if (fresh.length === 0) {
        empty++;
        continue;
      }
      empty = 0;
      const byDest = new Map<string, Message[]>();
      for (const m of fresh) {
        seen.add(m.MessageId!);
        const dest = destinationArn ?? m.Attributes?.DeadLetterQueueSourceArn;
        if (!dest) {
          errors.set(m.MessageId!, "no source queue (DeadLetterQueueSourceArn) on the message");
          keep.push({ message: m, receiptHandle: m.ReceiptHandle!, heldUntil: 0 });
          continue;
        }
        byDest.set(dest, [...(byDest.get(dest) ?? []), m]);
      }
      for (const [dest, messages] of byDest) {
        let target = urls.get(dest);
        try {
          if (!target) {
            const known = await rt.db.queue.findFirst({ where: { arn: dest, deletedAt: null }, select: { url: true } });
            const url = known?.url ?? (await queueUrlOfArn(rt.sqs, dest));
            urls.set(dest, (target = { url, max: await maximumMessageSize(rt.sqs, url) }));
          }
        } catch (err) {
          for (const m of messages) {
            errors.set(m.MessageId!, `destination ${dest} could not be read: ${errorText(err)}`);
            keep.push({ message: m, receiptHandle: m.ReceiptHandle!, heldUntil: 0 });
          }
          continue;
        }
        const fits = messages.filter((m) => {
          const ok = sqsMessageSize(m.Body ?? "", m.MessageAttributes) <= target!.max;
          if (!ok) {
            errors.set(m.MessageId!, `larger than ${dest}'s MaximumMessageSize (${target!.max} bytes)`);
            keep.push({ message: m, receiptHandle: m.ReceiptHandle!, heldUntil: 0 });
          }
          return ok;
        });
        for (const _ of fits) await bucket?.take();
        const sent = await sendCopies(rt.sqs, fits, target.url, dest.endsWith(".fifo"));
        const toDelete: { id: string; receiptHandle: string }[] = [];
        for (const m of fits) {
          const r = sent.get(m.MessageId!)!;
          if (r.messageId) {
            moved.set(m.MessageId!, r.messageId);
            toDelete.push({ id: m.MessageId!, receiptHandle: m.ReceiptHandle! });
          } else {
            // Never delete a message whose send was not confirmed.
            errors.set(m.MessageId!, `send failed: ${r.error}`);
            keep.push({ message: m, receiptHandle: m.ReceiptHandle!, heldUntil: 0 });
          }
        }
        const deleted = toDelete.length ? await deleteBatch(rt.sqs, dlqUrl, toDelete) : { failed: new Map<string, string>() };
        for (const [id, why] of deleted.failed) sentNotDeleted.set(id, why);
      }
    }
  } finally {
    await releaseMessages(rt.sqs, dlqUrl, keep);
  }
  return { moved, sentNotDeleted, errors, seen };
}

/** Redrives every message of an SQS dead-letter queue to its source queue (or a chosen queue); dry run shows the plan. */
export async function redriveQueue(db: Db, clients: ReplayClients, principal: Principal, input: RedriveQueueInput): Promise<RedriveQueueResult> {
  await authorizeReplay(db, principal, AUDIT_ACTIONS.redriveQueue, "queue", typeof input?.queueId === "number" ? input.queueId : undefined);
  const f = parseInput(redriveQueueInputSchema, input);
  const queue = await db.queue.findUnique({ where: { id: f.queueId }, include: { source: { select: { id: true, name: true, accountId: true, region: true } } } });
  if (!queue) throw new ReplayNotFoundError(`queue ${f.queueId}`);
  const destination = f.destinationQueueArn ?? "each message's source queue";
  const events = await db.failedEvent.findMany({ where: { queueId: queue.id, status: { in: ["new", "failed_again"] } }, select: { id: true, sourceKind: true }, orderBy: { id: "asc" } });
  const result: RedriveQueueResult = { queueId: queue.id, queue: queue.name, outcome: "dry_run", method: null, destination, events: events.length, replayed: 0, notMoved: 0, moved: 0, warnings: [] };
  const auditOutcome = async (outcome: "ok" | "failed") =>
    writeAudit(db, { principal, action: AUDIT_ACTIONS.redriveQueue, resourceType: "queue", resourceId: queue.id, outcome, details: { ...result, warnings: undefined } });

  const lambdaFailures = events.filter((e) => e.sourceKind !== "esm_dlq").length;
  if (lambdaFailures > 0 && !f.destinationQueueArn) {
    result.outcome = "refused";
    result.error = `${queue.name} holds ${lambdaFailures} Lambda asynchronous-invocation or destination failure(s): they have no source queue. Re-invoke them instead.`;
    if (!f.dryRun) await auditOutcome("failed");
    return result;
  }
  const rt = createRuntime(db, clients, principal, queue.source);
  try {
    result.depth = await queueDepth(rt.sqs, queue.url).catch(() => undefined);
    result.warnings.push("Every visible message moves, including ones Faasight has not captured yet; messages in flight stay.");
    if (f.dryRun) return result;

    // A task an earlier call left running: settle its events first, or report it still running.
    const unsettled = await db.replayAttempt.findMany({
      where: { status: "sent", invocationType: "move-task", failedEvent: { queueId: queue.id } },
      include: { failedEvent: { select: { messageId: true } } },
    });
    if (unsettled.length) {
      const task = await waitForTask(rt, queue.arn, 0).catch(() => undefined);
      if (task?.Status === "RUNNING") {
        Object.assign(result, { outcome: "running", method: "move-task", taskStatus: task.Status, moved: task.ApproximateNumberOfMessagesMoved ?? 0, events: unsettled.length });
        return result;
      }
      const previous = unsettled.map((a) => ({ eventId: a.failedEventId, messageId: a.failedEvent.messageId, attempt: a, priorStatus: "new" }));
      const settled = await settleFromQueue(rt, queue.url, previous, task?.FailureReason ?? `task ${task?.Status ?? "unknown"}`);
      result.warnings.push(`Settled ${unsettled.length} event(s) of an earlier move task: ${settled.replayed} moved, ${settled.notMoved} still in the queue.`);
    }

    const claimed: Claimed[] = [];
    for (const e of events) {
      const { facts } = await loadEvent(db, e.id);
      const key = deriveIdempotencyKey(facts.id, "redrive", f.destinationQueueArn ?? "source", facts.failedAttempts);
      const claim = await claimAttempt(db, facts, { key, action: "redrive", target: f.destinationQueueArn ?? null, method: "move-task", actor: principal.email });
      if (claim.kind === "claimed") claimed.push({ eventId: facts.id, messageId: facts.messageId, attempt: claim.attempt, priorStatus: claim.priorStatus });
    }
    result.events = claimed.length;

    let started: { TaskHandle?: string; $metadata: { requestId?: string } } | undefined;
    try {
      started = await rt.sqs.send(
        new StartMessageMoveTaskCommand({
          SourceArn: queue.arn,
          ...(f.destinationQueueArn ? { DestinationArn: f.destinationQueueArn } : {}),
          ...(f.maxPerSecond ? { MaxNumberOfMessagesPerSecond: f.maxPerSecond } : {}),
        }),
      );
    } catch (err) {
      if (!isUnsupportedOperation(err)) {
        result.outcome = "failed";
        result.error = `StartMessageMoveTask failed: ${errorText(err)}`;
        for (const c of claimed) await markNotMoved(rt, c, result.error, "move-task");
        await auditOutcome("failed");
        return result;
      }
    }

    if (started) {
      result.method = "move-task";
      result.taskHandle = started.TaskHandle;
      const requestId = started.$metadata.requestId ?? null;
      for (const c of claimed) c.attempt = await db.replayAttempt.update({ where: { id: c.attempt.id }, data: { status: "sent", resultRequestId: requestId } });
      const task = await waitForTask(rt, queue.arn, f.waitSeconds * 1000);
      result.taskStatus = task?.Status;
      result.moved = task?.ApproximateNumberOfMessagesMoved ?? 0;
      if (task?.Status === "RUNNING") {
        result.outcome = "running";
        result.warnings.push("The move task is still running in AWS; run the redrive again later to settle the events' outcome.");
        await auditOutcome("ok");
        return result;
      }
      const settled = await settleFromQueue(rt, queue.url, claimed, task?.FailureReason ?? `task ${task?.Status ?? "unknown"}`);
      result.replayed = settled.replayed;
      result.notMoved = settled.notMoved;
      result.outcome = task?.Status === "COMPLETED" ? "completed" : "failed";
      if (task?.FailureReason) result.error = task.FailureReason;
      await auditOutcome(result.outcome === "completed" ? "ok" : "failed");
      return result;
    }

    result.method = "send-then-delete";
    result.warnings.push("StartMessageMoveTask is not supported by this endpoint; messages were moved with send-then-delete.");
    const swept = await sweepQueue(rt, queue.url, f.destinationQueueArn, f.maxPerSecond);
    result.moved = swept.moved.size;
    for (const c of claimed) {
      const newId = swept.moved.get(c.messageId);
      const deleteError = swept.sentNotDeleted.get(c.messageId);
      if (newId && deleteError) {
        // Sent but still in the DLQ: replayed, with the deletion left to finishPendingDeletes.
        await db.replayAttempt.update({ where: { id: c.attempt.id }, data: { status: "sent", invocationType: "send", resultRequestId: newId, error: `Deleting from the DLQ failed: ${deleteError}` } });
        await db.failedEvent.updateMany({ where: { id: c.eventId, status: "replaying" }, data: { status: "replayed" } });
        result.replayed++;
      } else if (newId) {
        await markMoved(rt, c, newId, "send");
        result.replayed++;
      } else {
        await markNotMoved(rt, c, swept.errors.get(c.messageId) ?? (swept.seen.has(c.messageId) ? "not moved" : "not found in the queue (in flight or gone)"), "send");
        result.notMoved++;
      }
    }
    result.outcome = swept.errors.size === 0 && result.notMoved === 0 ? "completed" : "failed";
    if (swept.errors.size) result.error = `${swept.errors.size} message(s) not moved: ${[...swept.errors.values()].slice(0, 3).join("; ")}`;
    await auditOutcome(result.outcome === "completed" ? "ok" : "failed");
    return result;
  } finally {
    rt.close();
  }
}
