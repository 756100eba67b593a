/**
 * Replaying one failed event: dry run, re-invoke (Event or RequestResponse, original or
 * chosen qualifier), redrive to its source queue (send, then delete), discard. The order is
 * always: idempotency key stored -> message held -> AWS call -> outcome, event status and
 * audit row stored together -> message deleted (only after success) or released.
 */
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import type { Db } from "../db.ts";
import type { ReplayAttempt } from "../generated/sqlite/client.ts";
import type { Principal } from "../auth/permissions.ts";
import { writeAudit } from "../auth/audit.ts";
import {
  AUDIT_ACTIONS,
  IN_DOUBT_AFTER_MS,
  attemptView,
  authorizeReplay,
  claimAttempt,
  clientsFor,
  findAttemptByKey,
  loadEvent,
  type AttemptView,
  type LoadedEvent,
  type ReplayClients,
} from "./context.ts";
import { deriveIdempotencyKey, discardRefusal, planRedrive, planReinvoke, type EventFacts, type RedrivePlan, type ReinvokePlan, type ReplayPlan } from "./plan.ts";
import { discardInputSchema, parseInput, replayInputSchema, type DiscardInput, type ParsedReplayInput, type ReplayInput } from "./schemas.ts";
import { createReplayLambdaClient, invokeForReplay } from "./invoke.ts";
import { deleteBatch, deleteHeld, errorText, extendHold, findMessages, maximumMessageSize, queueUrlOfArn, releaseMessages, sendCopy, type HeldMessage } from "./queue-messages.ts";
import { describeBytes, sqsMessageSize } from "./limits.ts";

export type ReplayOutcome = "dry_run" | "refused" | "duplicate" | "busy" | "replayed" | "failed_again" | "failed" | "in_doubt" | "discarded";

/** What happened to one event. */
export interface ReplayResult {
  eventId: number;
  outcome: ReplayOutcome;
  plan?: ReplayPlan;
  attempt?: AttemptView;
  /** reinvoke: the new invocation's request id; redrive: the new message's id. */
  requestId?: string | null;
  error?: string;
  /** Whether the message left its DLQ (false: still there, or deletion pending). */
  messageDeleted?: boolean;
  warnings: string[];
}

/** The I/O one replay needs; bulk replays share one. */
export interface ReplayRuntime {
  db: Db;
  principal: Principal;
  sqs: SQSClient;
  lambda(): LambdaClient;
  now(): number;
  /** Bulk: collect successful replays' messages for one DeleteMessageBatch (the attempts stay "sent" until then). */
  deferDelete?: (item: DeferredDelete) => void;
}

export interface DeferredDelete {
  eventId: number;
  attempt: ReplayAttempt;
  held: HeldMessage;
}

const MAX_ERROR = 4000;
const clip = (s: string) => (s.length > MAX_ERROR ? `${s.slice(0, MAX_ERROR)}…` : s);

type AuditNote = { action: string; outcome: "ok" | "failed"; details: Record<string, unknown> };

function auditEntry(rt: ReplayRuntime, facts: EventFacts, note: AuditNote) {
  return { principal: rt.principal, action: note.action, resourceType: "failed_event", resourceId: facts.id, outcome: note.outcome, details: { queue: facts.queue.name, messageId: facts.messageId, ...note.details } };
}

async function audit(rt: ReplayRuntime, action: string, facts: EventFacts, outcome: "ok" | "failed", details: Record<string, unknown>): Promise<void> {
  await writeAudit(rt.db, auditEntry(rt, facts, { action, outcome, details }));
}

/**
 * Stores an attempt's outcome, the event's status and the audit row in one transaction: a
 * process killed at any point leaves either all three or none (then the attempt is in doubt).
 */
async function recordOutcome(
  rt: ReplayRuntime,
  facts: EventFacts,
  attempt: ReplayAttempt,
  data: { status?: string; error?: string | null; resultRequestId?: string | null; finished?: boolean },
  eventStatus: string | null,
  note: AuditNote,
): Promise<ReplayAttempt> {
  return rt.db.$transaction(async (tx) => {
    const updated = await tx.replayAttempt.update({
      where: { id: attempt.id },
      data: {
        ...(data.status ? { status: data.status } : {}),
        ...(data.error !== undefined ? { error: data.error === null ? null : clip(data.error) } : {}),
        ...(data.resultRequestId !== undefined ? { resultRequestId: data.resultRequestId } : {}),
        ...(data.finished ? { finishedAt: new Date(rt.now()) } : {}),
      },
    });
    if (eventStatus) await tx.failedEvent.updateMany({ where: { id: facts.id, status: "replaying" }, data: { status: eventStatus } });
    // writeAudit only creates an AuditLog row; the transaction client has that model too.
    await writeAudit(tx as unknown as Db, auditEntry(rt, facts, note));
    return updated;
  });
}

function planDetails(plan: ReplayPlan): Record<string, unknown> {
  return plan.action === "reinvoke"
    ? { functionName: plan.functionName, qualifier: plan.qualifier, invocationType: plan.invocationType, payloadBytes: plan.payloadBytes, payloadSha256: plan.payloadSha256, idempotencyKey: plan.idempotencyKey }
    : { destinationQueueArn: plan.destinationQueueArn, estimatedBytes: plan.estimatedBytes, idempotencyKey: plan.idempotencyKey };
}

function planFor(facts: EventFacts, input: ParsedReplayInput): ReplayPlan {
  return input.action === "reinvoke"
    ? planReinvoke(facts, { qualifier: input.qualifier, invocationType: input.invocationType, functionName: input.functionName, idempotencyKey: input.idempotencyKey })
    : planRedrive(facts, { destinationQueueArn: input.destinationQueueArn, idempotencyKey: input.idempotencyKey });
}

async function reload(db: Db, id: number): Promise<ReplayAttempt> {
  return db.replayAttempt.findUniqueOrThrow({ where: { id } });
}

/** Marks an attempt's side effect as done (event replayed), then deletes the message; "sent" remains while deletion is pending. */
async function completeSuccess(
  rt: ReplayRuntime,
  facts: EventFacts,
  attempt: ReplayAttempt,
  resultId: string | null,
  held: HeldMessage | null,
  refind: boolean,
  note: AuditNote,
): Promise<{ attempt: ReplayAttempt; deleted: boolean | "batched"; note?: string }> {
  const sent = await recordOutcome(rt, facts, attempt, { status: "sent", resultRequestId: resultId }, "replayed", note);
  if (held && rt.deferDelete) {
    rt.deferDelete({ eventId: facts.id, attempt: sent, held });
    return { attempt: sent, deleted: "batched" };
  }
  let h = held;
  if (!h && refind) {
    h = (await findMessages(rt.sqs, facts.queue.url, [facts.messageId], { holdSeconds: 30 }).catch(() => null))?.found.get(facts.messageId) ?? null;
  }
  let pendingNote: string | undefined;
  if (h) {
    try {
      await deleteHeld(rt.sqs, facts.queue.url, h);
      const done = await rt.db.replayAttempt.update({ where: { id: attempt.id }, data: { status: "succeeded", finishedAt: new Date(rt.now()) } });
      return { attempt: done, deleted: true };
    } catch (err) {
      pendingNote = `The message is still in ${facts.queue.name}: deleting it failed (${errorText(err)}); deletion will be retried.`;
    }
  } else {
    pendingNote = `The message was not found in ${facts.queue.name} (held by another consumer, already deleted or expired); deletion will be retried.`;
  }
  const pending = await rt.db.replayAttempt.update({ where: { id: attempt.id }, data: { error: pendingNote } });
  return { attempt: pending, deleted: false, note: pendingNote };
}

function deletedField(deleted: boolean | "batched"): { messageDeleted?: boolean } {
  return deleted === "batched" ? {} : { messageDeleted: deleted };
}

/** Ends an attempt that did not replay: the event returns to `status`, the message becomes visible again. */
async function completeFailure(
  rt: ReplayRuntime,
  facts: EventFacts,
  attempt: ReplayAttempt,
  status: string,
  error: string,
  resultId: string | null,
  held: HeldMessage | null,
  note: AuditNote,
): Promise<ReplayAttempt> {
  if (held) await releaseMessages(rt.sqs, facts.queue.url, [held]);
  return recordOutcome(rt, facts, attempt, { status: "failed", error, resultRequestId: resultId, finished: true }, status, note);
}

async function locate(rt: ReplayRuntime, facts: EventFacts, holdSeconds: number, held: HeldMessage | null | undefined): Promise<HeldMessage | null> {
  if (held !== undefined) return held;
  try {
    return (await findMessages(rt.sqs, facts.queue.url, [facts.messageId], { holdSeconds })).found.get(facts.messageId) ?? null;
  } catch {
    return null;
  }
}

async function executeReinvoke(rt: ReplayRuntime, facts: EventFacts, plan: ReinvokePlan, attempt: ReplayAttempt, priorStatus: string, held: HeldMessage | null, refind: boolean): Promise<ReplayResult> {
  const warnings = [...plan.warnings];
  // Keep the message hidden at least for the function's timeout plus 30 s (the plan's hold has 60 s of margin).
  if (held && held.heldUntil - rt.now() < (plan.holdSeconds - 30) * 1000 && !(await extendHold(rt.sqs, facts.queue.url, held, plan.holdSeconds, rt.now))) held = null;
  const outcome = await invokeForReplay(rt.lambda(), { functionName: plan.functionName!, qualifier: plan.qualifier, invocationType: plan.invocationType, payload: plan.payload });
  const base = { eventId: facts.id, plan, warnings };
  switch (outcome.kind) {
    case "ok": {
      const done = await completeSuccess(rt, facts, attempt, outcome.requestId, held, refind, {
        action: AUDIT_ACTIONS.reinvoke,
        outcome: "ok",
        details: { ...planDetails(plan), attemptId: attempt.id, result: "replayed", requestId: outcome.requestId, executedVersion: outcome.executedVersion },
      });
      if (done.note) warnings.push(done.note);
      return { ...base, outcome: "replayed", attempt: attemptView(done.attempt, rt.now()), requestId: outcome.requestId, ...deletedField(done.deleted) };
    }
    case "function_error": {
      const error = `${outcome.functionError}: ${outcome.response}`;
      const done = await completeFailure(rt, facts, attempt, "failed_again", error, outcome.requestId, held, {
        action: AUDIT_ACTIONS.reinvoke,
        outcome: "failed",
        details: { ...planDetails(plan), attemptId: attempt.id, result: "failed_again", requestId: outcome.requestId, error: clip(error) },
      });
      return { ...base, outcome: "failed_again", attempt: attemptView(done, rt.now()), requestId: outcome.requestId, error, messageDeleted: false };
    }
    case "rejected": {
      const done = await completeFailure(rt, facts, attempt, priorStatus, `Lambda refused the invocation: ${outcome.error}`, null, held, {
        action: AUDIT_ACTIONS.reinvoke,
        outcome: "failed",
        details: { ...planDetails(plan), attemptId: attempt.id, result: "failed", error: outcome.error },
      });
      return { ...base, outcome: "failed", attempt: attemptView(done, rt.now()), error: outcome.error, messageDeleted: false };
    }
    case "in_doubt": {
      // The function may have run: the event stays "replaying" until an operator resolves it.
      if (held) await releaseMessages(rt.sqs, facts.queue.url, [held]);
      const error = `Outcome unknown (no answer from Lambda): ${outcome.error}`;
      const pending = await recordOutcome(rt, facts, attempt, { error }, null, {
        action: AUDIT_ACTIONS.reinvoke,
        outcome: "failed",
        details: { ...planDetails(plan), attemptId: attempt.id, result: "in_doubt", error: outcome.error },
      });
      return { ...base, outcome: "in_doubt", attempt: attemptView(pending, rt.now()), error, messageDeleted: false };
    }
  }
}

async function destinationUrl(rt: ReplayRuntime, arn: string): Promise<string> {
  const known = await rt.db.queue.findFirst({ where: { arn, deletedAt: null }, select: { url: true } });
  return known?.url ?? (await queueUrlOfArn(rt.sqs, arn));
}

async function executeRedrive(rt: ReplayRuntime, facts: EventFacts, plan: RedrivePlan, attempt: ReplayAttempt, priorStatus: string, held: HeldMessage | null): Promise<ReplayResult> {
  const warnings = [...plan.warnings];
  const base = { eventId: facts.id, plan, warnings };
  const fail = async (error: string) => {
    const done = await completeFailure(rt, facts, attempt, priorStatus, error, null, held, {
      action: AUDIT_ACTIONS.redrive,
      outcome: "failed",
      details: { ...planDetails(plan), attemptId: attempt.id, result: "failed", error },
    });
    return { ...base, outcome: "failed" as const, attempt: attemptView(done, rt.now()), error, messageDeleted: false };
  };
  // The live message is what gets sent: its body and typed attributes, which the store keeps only as text.
  if (!held) return fail(`The message is not in ${facts.queue.name} right now (held by another consumer, deleted or expired); nothing was sent.`);
  const arn = plan.destinationQueueArn!;
  let url: string;
  let limit: number;
  try {
    url = await destinationUrl(rt, arn);
    limit = await maximumMessageSize(rt.sqs, url);
  } catch (err) {
    return fail(`The destination queue ${arn} could not be read: ${errorText(err)}`);
  }
  const size = sqsMessageSize(held.message.Body ?? "", held.message.MessageAttributes);
  if (size > limit) return fail(`The message is ${describeBytes(size)}; ${arn} accepts at most ${describeBytes(limit)} (MaximumMessageSize). Nothing was sent.`);
  let sent: { messageId: string };
  try {
    sent = await sendCopy(rt.sqs, held.message, url, arn.endsWith(".fifo"));
  } catch (err) {
    return fail(`Sending to ${arn} failed; the message stays in ${facts.queue.name}: ${errorText(err)}`);
  }
  const done = await completeSuccess(rt, facts, attempt, sent.messageId, held, false, {
    action: AUDIT_ACTIONS.redrive,
    outcome: "ok",
    details: { ...planDetails(plan), attemptId: attempt.id, result: "replayed", newMessageId: sent.messageId },
  });
  if (done.note) warnings.push(done.note);
  return { ...base, outcome: "replayed", attempt: attemptView(done.attempt, rt.now()), requestId: sent.messageId, ...deletedField(done.deleted) };
}

/** A repeated request: returns the earlier attempt, finishing its pending message deletion if any. */
async function duplicateResult(rt: ReplayRuntime, facts: EventFacts, plan: ReplayPlan, attempt: ReplayAttempt): Promise<ReplayResult> {
  let current = attempt;
  if (attempt.status === "sent" && attempt.invocationType !== "move-task") {
    await finishSentAttempts(rt, facts.queue, [{ attempt, messageId: facts.messageId }]);
    current = await reload(rt.db, attempt.id);
  }
  return {
    eventId: facts.id,
    outcome: "duplicate",
    plan,
    attempt: attemptView(current, rt.now()),
    requestId: current.resultRequestId,
    warnings: [`Already requested (attempt ${current.id}, ${current.status}); nothing was sent again.`],
  };
}

/**
 * One event, start to end. `held`: the caller already looked the message up (null = not
 * found); undefined = look it up here. `refind`: look again after the call when it was not found.
 */
export async function replayLoaded(rt: ReplayRuntime, loaded: LoadedEvent, input: ParsedReplayInput, held?: HeldMessage | null, refind = true): Promise<ReplayResult> {
  const { facts } = loaded;
  const plan = planFor(facts, input);
  if (input.dryRun) return { eventId: facts.id, outcome: "dry_run", plan, warnings: plan.warnings };
  // An eligible event's duplicate is caught by the claim's unique key; a replayed one is looked up here.
  if (!plan.ok || input.idempotencyKey) {
    const earlier = await findAttemptByKey(rt.db, facts.id, plan.idempotencyKey);
    if (earlier) return duplicateResult(rt, facts, plan, earlier);
  }
  const action = input.action === "reinvoke" ? AUDIT_ACTIONS.reinvoke : AUDIT_ACTIONS.redrive;
  if (!plan.ok) {
    await audit(rt, action, facts, "failed", { ...planDetails(plan), result: "refused", reason: plan.refusal!.code, error: plan.refusal!.message });
    return { eventId: facts.id, outcome: "refused", plan, error: plan.refusal!.message, warnings: plan.warnings };
  }
  const target = plan.action === "reinvoke" ? (plan.qualifier ?? "$LATEST") : plan.destinationQueueArn;
  const method = plan.action === "reinvoke" ? plan.invocationType : "send";
  const claim = await claimAttempt(rt.db, facts, { key: plan.idempotencyKey, action: plan.action, target, method, actor: rt.principal.email });
  if (claim.kind === "duplicate") return duplicateResult(rt, facts, plan, claim.attempt);
  if (claim.kind === "busy") {
    const error = `The event changed meanwhile (now ${claim.status ?? "deleted"}); another replay got there first.`;
    return { eventId: facts.id, outcome: "busy", plan, error, warnings: plan.warnings };
  }
  const message = await locate(rt, facts, plan.holdSeconds, held);
  return plan.action === "reinvoke"
    ? executeReinvoke(rt, facts, plan, claim.attempt, claim.priorStatus, message, refind && held === undefined)
    : executeRedrive(rt, facts, plan, claim.attempt, claim.priorStatus, message);
}

/** Builds a runtime over the event source's clients; `close` frees the dedicated Invoke client. */
export function createRuntime(db: Db, clients: ReplayClients, principal: Principal, source: LoadedEvent["source"]): ReplayRuntime & { close(): void } {
  const aws = clientsFor(clients, source);
  let invoker: ReturnType<typeof createReplayLambdaClient> | undefined;
  return {
    db,
    principal,
    sqs: aws.sqs,
    lambda: () => (invoker ??= createReplayLambdaClient(aws)).lambda,
    now: () => Date.now(),
    close: () => invoker?.destroy(),
  };
}

/** Dry run: exactly what a replay would send (function, qualifier, invocation type, payload and its size check), or why it is refused. */
export async function planReplay(db: Db, principal: Principal, input: ReplayInput): Promise<ReplayPlan> {
  await authorizeReplay(db, principal, AUDIT_ACTIONS.plan, "failed_event", typeof input?.eventId === "number" ? input.eventId : undefined);
  const parsed = parseInput(replayInputSchema, input);
  const { facts } = await loadEvent(db, parsed.eventId);
  return planFor(facts, parsed);
}

/** Replays one failed event (re-invoke or redrive); with dryRun, only plans. A repeated key does nothing. */
export async function replayEvent(db: Db, clients: ReplayClients, principal: Principal, input: ReplayInput): Promise<ReplayResult> {
  const action = input?.action === "redrive" ? AUDIT_ACTIONS.redrive : AUDIT_ACTIONS.reinvoke;
  await authorizeReplay(db, principal, action, "failed_event", typeof input?.eventId === "number" ? input.eventId : undefined);
  const parsed = parseInput(replayInputSchema, input);
  const loaded = await loadEvent(db, parsed.eventId);
  if (parsed.dryRun) {
    const plan = planFor(loaded.facts, parsed);
    return { eventId: plan.eventId, outcome: "dry_run", plan, warnings: plan.warnings };
  }
  const rt = createRuntime(db, clients, principal, loaded.source);
  try {
    return await replayLoaded(rt, loaded, parsed);
  } finally {
    rt.close();
  }
}

/** Discards a failed event with a reason: deletes its message (unless deleteMessage is false) and marks it discarded. */
export async function discardEvent(db: Db, clients: ReplayClients, principal: Principal, input: DiscardInput): Promise<ReplayResult> {
  await authorizeReplay(db, principal, AUDIT_ACTIONS.discard, "failed_event", typeof input?.eventId === "number" ? input.eventId : undefined);
  const parsed = parseInput(discardInputSchema, input);
  const { facts, source } = await loadEvent(db, parsed.eventId);
  const key = parsed.idempotencyKey ?? deriveIdempotencyKey(facts.id, "discard", "discard", facts.failedAttempts);
  const rt = createRuntime(db, clients, principal, source);
  try {
    const earlier = await findAttemptByKey(db, facts.id, key);
    if (earlier) return { eventId: facts.id, outcome: "duplicate", attempt: attemptView(earlier), warnings: [`Already discarded (attempt ${earlier.id}).`] };
    const refusal = discardRefusal(facts);
    if (refusal) {
      await audit(rt, AUDIT_ACTIONS.discard, facts, "failed", { result: "refused", reason: parsed.reason, error: refusal.message });
      return { eventId: facts.id, outcome: "refused", error: refusal.message, warnings: [] };
    }
    const claim = await claimAttempt(db, facts, { key, action: "discard", target: null, method: null, actor: principal.email });
    if (claim.kind === "duplicate") return { eventId: facts.id, outcome: "duplicate", attempt: attemptView(claim.attempt), warnings: [`Already discarded (attempt ${claim.attempt.id}).`] };
    if (claim.kind === "busy") return { eventId: facts.id, outcome: "busy", error: `The event changed meanwhile (now ${claim.status ?? "deleted"}).`, warnings: [] };
    const warnings: string[] = [];
    let deleted = false;
    if (parsed.deleteMessage && claim.priorStatus !== "gone") {
      const held = await locate(rt, facts, 30, undefined);
      if (!held) warnings.push(`The message was not found in ${facts.queue.name}; the event is marked discarded only.`);
      else {
        try {
          await deleteHeld(rt.sqs, facts.queue.url, held);
          deleted = true;
        } catch (err) {
          warnings.push(`Deleting the message failed (${errorText(err)}); the event is marked discarded only.`);
        }
      }
    }
    const done = await recordOutcome(rt, facts, claim.attempt, { status: "discarded", error: `Discarded: ${parsed.reason}`, finished: true }, "discarded", {
      action: AUDIT_ACTIONS.discard,
      outcome: "ok",
      details: { attemptId: claim.attempt.id, idempotencyKey: key, reason: parsed.reason, messageDeleted: deleted, result: "discarded" },
    });
    return { eventId: facts.id, outcome: "discarded", attempt: attemptView(done), messageDeleted: deleted, warnings };
  } finally {
    rt.close();
  }
}

/**
 * Finishes attempts whose replay succeeded but whose message deletion is pending ("sent"):
 * deletes the messages still in the queue; a message missing for longer than any hold counts as gone.
 */
export async function finishSentAttempts(
  rt: ReplayRuntime,
  queue: { url: string; name: string },
  items: { attempt: ReplayAttempt; messageId: string }[],
): Promise<{ deleted: number; gone: number; pending: number }> {
  const out = { deleted: 0, gone: 0, pending: 0 };
  if (items.length === 0) return out;
  const { found } = await findMessages(rt.sqs, queue.url, items.map((i) => i.messageId), { holdSeconds: 30 });
  for (const { attempt, messageId } of items) {
    const held = found.get(messageId);
    if (held) {
      try {
        await deleteHeld(rt.sqs, queue.url, held);
        await rt.db.replayAttempt.update({ where: { id: attempt.id }, data: { status: "succeeded", error: null, finishedAt: new Date(rt.now()) } });
        out.deleted++;
      } catch (err) {
        await rt.db.replayAttempt.update({ where: { id: attempt.id }, data: { error: `Deleting the message from ${queue.name} failed: ${errorText(err)}` } });
        out.pending++;
      }
    } else if (rt.now() - attempt.createdAt.getTime() > IN_DOUBT_AFTER_MS) {
      await rt.db.replayAttempt.update({ where: { id: attempt.id }, data: { status: "succeeded", error: `The message was no longer in ${queue.name}.`, finishedAt: new Date(rt.now()) } });
      out.gone++;
    } else {
      out.pending++;
    }
  }
  return out;
}

/** Attempts with a pending message deletion, grouped per queue (optionally one queue or function). */
export async function pendingDeletions(db: Db, where: { queueId?: number; functionName?: string } = {}, limit = 1000) {
  const attempts = await db.replayAttempt.findMany({
    where: {
      status: "sent",
      NOT: { invocationType: "move-task" },
      failedEvent: { ...(where.queueId ? { queueId: where.queueId } : {}), ...(where.functionName ? { functionName: where.functionName } : {}) },
    },
    include: { failedEvent: { select: { messageId: true, queue: { select: { id: true, url: true, name: true, source: { select: { id: true, name: true, accountId: true, region: true } } } } } } },
    orderBy: { id: "asc" },
    take: limit,
  });
  const byQueue = new Map<number, { queue: { url: string; name: string }; source: LoadedEvent["source"]; items: { attempt: ReplayAttempt; messageId: string }[] }>();
  for (const a of attempts) {
    const q = a.failedEvent.queue;
    const group = byQueue.get(q.id) ?? { queue: { url: q.url, name: q.name }, source: q.source, items: [] };
    group.items.push({ attempt: a, messageId: a.failedEvent.messageId });
    byQueue.set(q.id, group);
  }
  return [...byQueue.values()];
}

/** Retries the message deletions that replays left pending (the UI's "clean up" and the CLI's `replay cleanup`). */
export async function finishPendingDeletes(
  db: Db,
  clients: ReplayClients,
  principal: Principal,
  where: { queueId?: number; functionName?: string } = {},
): Promise<{ deleted: number; gone: number; pending: number }> {
  await authorizeReplay(db, principal, AUDIT_ACTIONS.reinvoke, "queue", where.queueId);
  const total = { deleted: 0, gone: 0, pending: 0 };
  for (const group of await pendingDeletions(db, where)) {
    const rt = createRuntime(db, clients, principal, group.source);
    try {
      const r = await finishSentAttempts(rt, group.queue, group.items);
      total.deleted += r.deleted;
      total.gone += r.gone;
      total.pending += r.pending;
    } finally {
      rt.close();
    }
  }
  return total;
}

/** Bulk: deletes the deferred messages in batches, checking each entry; attempts whose deletion failed stay "sent". */
export async function flushDeferredDeletes(rt: ReplayRuntime, queue: { url: string; name: string }, items: DeferredDelete[]): Promise<Map<number, boolean>> {
  const deleted = new Map<number, boolean>();
  if (items.length === 0) return deleted;
  let failed: Map<string, string>;
  try {
    failed = (await deleteBatch(rt.sqs, queue.url, items.map((i) => ({ id: i.held.message.MessageId!, receiptHandle: i.held.receiptHandle })))).failed;
  } catch (err) {
    failed = new Map(items.map((i) => [i.held.message.MessageId!, errorText(err)]));
  }
  const ok = items.filter((i) => !failed.has(i.held.message.MessageId!));
  if (ok.length) await rt.db.replayAttempt.updateMany({ where: { id: { in: ok.map((i) => i.attempt.id) }, status: "sent" }, data: { status: "succeeded", finishedAt: new Date(rt.now()) } });
  for (const i of items) {
    const why = failed.get(i.held.message.MessageId!);
    deleted.set(i.eventId, !why);
    if (why) await rt.db.replayAttempt.update({ where: { id: i.attempt.id }, data: { error: `The message is still in ${queue.name}: deleting it failed (${why}); deletion will be retried.` } });
  }
  return deleted;
}
