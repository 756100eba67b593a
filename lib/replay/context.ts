/**
 * Shared plumbing of the replay actions: loading an event's facts, authorizing (denials are
 * audited), claiming an attempt under its idempotency key, and serializing attempts.
 */
import type { Db } from "../db.ts";
import type { AwsClients } from "../aws/clients.ts";
import type { ReplayAttempt } from "../generated/sqlite/client.ts";
import { ForbiddenError, requireScope, type Principal } from "../auth/permissions.ts";
import { writeAudit } from "../auth/audit.ts";
import { ReplayInputError, ReplayNotFoundError } from "./schemas.ts";
import type { EventFacts, ReplayAction } from "./plan.ts";

/** The AWS clients of a failed event's account: one set for every source, or one per source. */
export type ReplayClients = AwsClients | ((source: { id: number; name: string; accountId: string; region: string }) => AwsClients);

export interface LoadedEvent {
  facts: EventFacts;
  source: { id: number; name: string; accountId: string; region: string };
}

/** Audit action names of the replay API. */
export const AUDIT_ACTIONS = {
  reinvoke: "failures.replay",
  redrive: "failures.redrive",
  discard: "failures.discard",
  bulk: "failures.bulk_replay",
  redriveQueue: "failures.redrive_queue",
  resolve: "failures.resolve_in_doubt",
  plan: "failures.replay_plan",
} as const;

/** Requires failures:replay; a denial is written to the audit log before ForbiddenError propagates. */
export async function authorizeReplay(db: Db, principal: Principal, action: string, resourceType: string, resourceId?: string | number): Promise<void> {
  try {
    requireScope(principal, "failures:replay");
  } catch (err) {
    if (err instanceof ForbiddenError) {
      await writeAudit(db, { principal, action, resourceType, ...(resourceId !== undefined ? { resourceId } : {}), outcome: "denied", details: { scope: err.scope } });
    }
    throw err;
  }
}

/** The clients for a source. */
export function clientsFor(clients: ReplayClients, source: LoadedEvent["source"]): AwsClients {
  return typeof clients === "function" ? clients(source) : clients;
}

type QueueWithSource = { id: number; name: string; url: string; arn: string; role: string; feedsJson: string; source: LoadedEvent["source"] };

/** Queue and function facts shared by many events (a bulk replay loads each once). */
export interface LoadCache {
  queues: Map<number, QueueWithSource>;
  timeouts: Map<number, number | null>;
}

export function newLoadCache(): LoadCache {
  return { queues: new Map(), timeouts: new Map() };
}

/** A failed event with its queue, function timeout, original qualifier and failed-attempt count. */
export async function loadEvent(db: Db, id: number, cache: LoadCache = newLoadCache()): Promise<LoadedEvent> {
  const ev = await db.failedEvent.findUnique({ where: { id }, include: { _count: { select: { replays: { where: { status: "failed" } } } } } });
  if (!ev) throw new ReplayNotFoundError(`failed event ${id}`);
  let queue = cache.queues.get(ev.queueId);
  if (!queue) {
    const q = await db.queue.findUniqueOrThrow({ where: { id: ev.queueId }, include: { source: { select: { id: true, name: true, accountId: true, region: true } } } });
    cache.queues.set(q.id, (queue = { id: q.id, name: q.name, url: q.url, arn: q.arn, role: q.role, feedsJson: q.feedsJson, source: q.source }));
  }
  let timeout = ev.functionId ? cache.timeouts.get(ev.functionId) : null;
  if (ev.functionId && timeout === undefined) {
    timeout = (await db.lambdaFunction.findUnique({ where: { id: ev.functionId }, select: { timeoutSec: true } }))?.timeoutSec ?? null;
    cache.timeouts.set(ev.functionId, timeout);
  }
  const invocation = ev.invocationId ? await db.invocation.findUnique({ where: { id: ev.invocationId }, select: { alias: true, version: true } }) : null;
  return {
    source: queue.source,
    facts: {
      id: ev.id,
      messageId: ev.messageId,
      sourceKind: ev.sourceKind,
      functionName: ev.functionName,
      qualifier: ev.qualifier,
      requestId: ev.requestId,
      errorCode: ev.errorCode,
      errorMessage: ev.errorMessage,
      payload: ev.payload,
      attributesJson: ev.attributesJson,
      status: ev.status,
      queue: { id: queue.id, name: queue.name, url: queue.url, arn: queue.arn, role: queue.role, feedsJson: queue.feedsJson },
      functionTimeoutSec: timeout ?? null,
      invocationQualifier: invocation ? (invocation.alias ?? invocation.version) : null,
      failedAttempts: ev._count.replays,
    },
  };
}

/** A replay attempt as the API and UI show it. */
export interface AttemptView {
  id: number;
  failedEventId: number;
  idempotencyKey: string;
  action: string;
  /** reinvoke: the version or alias; redrive: the destination queue ARN. */
  target: string | null;
  /** reinvoke: Event | RequestResponse; redrive: send | move-task. */
  method: string | null;
  status: string;
  resultRequestId: string | null;
  error: string | null;
  actor: string;
  createdAt: string;
  finishedAt: string | null;
  /** A pending attempt that reported no result: the AWS call may or may not have happened. */
  inDoubt: boolean;
}

/** Minutes after which a pending attempt without a result counts as in doubt (the process died mid-call). */
export const IN_DOUBT_AFTER_MS = 17 * 60_000;

export function attemptView(a: ReplayAttempt, now = Date.now()): AttemptView {
  return {
    id: a.id,
    failedEventId: a.failedEventId,
    idempotencyKey: a.idempotencyKey,
    action: a.action,
    target: a.targetQualifier,
    method: a.invocationType,
    status: a.status,
    resultRequestId: a.resultRequestId,
    error: a.error,
    actor: a.actor,
    createdAt: a.createdAt.toISOString(),
    finishedAt: a.finishedAt?.toISOString() ?? null,
    inDoubt: a.status === "pending" && (a.error !== null || now - a.createdAt.getTime() > IN_DOUBT_AFTER_MS),
  };
}

export type ClaimResult =
  | { kind: "claimed"; attempt: ReplayAttempt; priorStatus: string }
  | { kind: "duplicate"; attempt: ReplayAttempt }
  | { kind: "busy"; status: string | null };

class EventChangedError extends Error {}

function isUniqueViolation(err: unknown): boolean {
  return !!err && typeof err === "object" && (err as { code?: unknown }).code === "P2002";
}

export interface ClaimData {
  key: string;
  action: ReplayAction;
  target: string | null;
  method: string | null;
  actor: string;
}

/**
 * Stores the attempt (unique idempotency key) and moves the event to "replaying" in one
 * transaction, before any AWS call. Of two concurrent claims with one key, the unique
 * constraint lets one win; with different keys, the status guard does.
 */
export async function claimAttempt(db: Db, ev: Pick<EventFacts, "id" | "status">, data: ClaimData): Promise<ClaimResult> {
  try {
    return await db.$transaction(async (tx) => {
      const attempt = await tx.replayAttempt.create({
        data: { failedEventId: ev.id, idempotencyKey: data.key, action: data.action, targetQualifier: data.target, invocationType: data.method, actor: data.actor, status: "pending" },
      });
      const moved = await tx.failedEvent.updateMany({ where: { id: ev.id, status: ev.status }, data: { status: "replaying" } });
      if (moved.count !== 1) throw new EventChangedError();
      return { kind: "claimed" as const, attempt, priorStatus: ev.status };
    });
  } catch (err) {
    if (err instanceof EventChangedError) {
      const cur = await db.failedEvent.findUnique({ where: { id: ev.id }, select: { status: true } });
      return { kind: "busy", status: cur?.status ?? null };
    }
    if (isUniqueViolation(err)) {
      const existing = await db.replayAttempt.findUnique({ where: { idempotencyKey: data.key } });
      if (!existing) throw err;
      if (existing.failedEventId !== ev.id) throw new ReplayInputError(`idempotency key ${data.key} was already used for failed event ${existing.failedEventId}`);
      return { kind: "duplicate", attempt: existing };
    }
    throw err;
  }
}

/** An existing attempt under this key (a repeated request), checked to belong to the event. */
export async function findAttemptByKey(db: Db, eventId: number, key: string): Promise<ReplayAttempt | null> {
  const existing = await db.replayAttempt.findUnique({ where: { idempotencyKey: key } });
  if (existing && existing.failedEventId !== eventId) throw new ReplayInputError(`idempotency key ${key} was already used for failed event ${existing.failedEventId}`);
  return existing;
}
