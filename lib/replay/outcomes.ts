/**
 * Outcomes after the fact: an asynchronous (Event) replay is only "accepted" when Invoke
 * returns; if the function fails again, Lambda sends a new DLQ message carrying the replay's
 * request id, which links it back here. And an attempt caught mid-call (the process died)
 * is resolved by an operator, never guessed.
 */
import type { Db } from "../db.ts";
import type { Principal } from "../auth/permissions.ts";
import { requireScope } from "../auth/permissions.ts";
import { writeAudit } from "../auth/audit.ts";
import { AUDIT_ACTIONS, attemptView, authorizeReplay, type AttemptView } from "./context.ts";
import { ReplayInputError, ReplayNotFoundError, parseInput, resolveInDoubtInputSchema, type ResolveInDoubtInput } from "./schemas.ts";

export interface ReconcileResult {
  /** Events whose Event replay failed again (now failed_again, linked to the new failed event). */
  failedAgain: { eventId: number; attemptId: number; newFailedEventId: number }[];
}

/**
 * Links asynchronous replays that failed again: a failed event whose request id is a replay's
 * result request id. For the worker, after each failures collection (no principal: it only
 * records what AWS reported).
 */
export async function reconcileAsyncReplays(db: Db, opts: { limit?: number } = {}): Promise<ReconcileResult> {
  const attempts = await db.replayAttempt.findMany({
    where: { action: "reinvoke", invocationType: "Event", status: { in: ["sent", "succeeded"] }, resultRequestId: { not: null } },
    select: { id: true, failedEventId: true, resultRequestId: true },
    orderBy: { id: "desc" },
    take: opts.limit ?? 5000,
  });
  const byRequest = new Map(attempts.map((a) => [a.resultRequestId!, a]));
  const out: ReconcileResult = { failedAgain: [] };
  if (byRequest.size === 0) return out;
  const later = await db.failedEvent.findMany({
    where: { requestId: { in: [...byRequest.keys()] } },
    select: { id: true, requestId: true, errorCode: true, errorMessage: true, queue: { select: { name: true } } },
  });
  for (const ev of later) {
    const a = byRequest.get(ev.requestId!)!;
    if (ev.id === a.failedEventId) continue;
    const error = `The asynchronous replay failed again (request ${ev.requestId}): ${[ev.errorCode, ev.errorMessage].filter(Boolean).join(" ")} — see failed event ${ev.id} in ${ev.queue.name}.`;
    const changed = await db.failedEvent.updateMany({ where: { id: a.failedEventId, status: "replayed" }, data: { status: "failed_again" } });
    // A pending deletion of the original message is dropped: the next replay of the event deletes it on success.
    await db.replayAttempt.update({ where: { id: a.id }, data: { status: "failed", error }, select: { id: true } });
    if (changed.count) {
      await writeAudit(db, {
        principal: null,
        action: AUDIT_ACTIONS.reinvoke,
        resourceType: "failed_event",
        resourceId: a.failedEventId,
        outcome: "failed",
        details: { result: "failed_again", attemptId: a.id, requestId: ev.requestId, newFailedEventId: ev.id, error: ev.errorMessage },
      });
      out.failedAgain.push({ eventId: a.failedEventId, attemptId: a.id, newFailedEventId: ev.id });
    }
  }
  return out;
}

/**
 * Resolves an event stuck in "replaying" because its attempt never reported back: the operator
 * checked (logs, downstream effects) whether the replay ran. "ran" marks it replayed;
 * "did_not_run" fails the attempt so a new replay (with a fresh key) may run.
 */
export async function resolveInDoubt(db: Db, principal: Principal, input: ResolveInDoubtInput): Promise<AttemptView> {
  await authorizeReplay(db, principal, AUDIT_ACTIONS.resolve, "failed_event", typeof input?.eventId === "number" ? input.eventId : undefined);
  const f = parseInput(resolveInDoubtInputSchema, input);
  const ev = await db.failedEvent.findUnique({ where: { id: f.eventId }, select: { id: true, status: true } });
  if (!ev) throw new ReplayNotFoundError(`failed event ${f.eventId}`);
  const attempt = await db.replayAttempt.findFirst({ where: { failedEventId: ev.id, status: "pending" }, orderBy: { id: "desc" } });
  if (ev.status !== "replaying" || !attempt) throw new ReplayInputError(`failed event ${ev.id} has no replay in doubt (status ${ev.status})`);
  const view = attemptView(attempt);
  if (!view.inDoubt) throw new ReplayInputError(`attempt ${attempt.id} is still running; it counts as in doubt only after it reported no result`);
  const note = `Resolved by ${principal.email}: ${f.resolution === "ran" ? "the replay ran" : "the replay did not run"} — ${f.reason}`;
  const done = await db.replayAttempt.update({
    where: { id: attempt.id },
    data: { status: f.resolution === "ran" ? "succeeded" : "failed", error: `${attempt.error ? `${attempt.error}\n` : ""}${note}`, finishedAt: new Date() },
  });
  const previousFailures = await db.replayAttempt.count({ where: { failedEventId: ev.id, status: "failed", NOT: { id: attempt.id } } });
  await db.failedEvent.updateMany({
    where: { id: ev.id, status: "replaying" },
    data: { status: f.resolution === "ran" ? "replayed" : previousFailures > 0 ? "failed_again" : "new" },
  });
  await writeAudit(db, { principal, action: AUDIT_ACTIONS.resolve, resourceType: "failed_event", resourceId: ev.id, outcome: "ok", details: { attemptId: attempt.id, resolution: f.resolution, reason: f.reason } });
  return attemptView(done);
}

export interface ReplayHistoryEntry {
  at: string;
  actor: string;
  action: string;
  outcome: string;
  details: Record<string, unknown>;
}

/** An event's replay attempts and audit rows, newest first: what the Failures page shows on the event. */
export async function getReplayHistory(db: Db, principal: Principal, eventId: number): Promise<{ attempts: AttemptView[]; audit: ReplayHistoryEntry[] }> {
  requireScope(principal, "failures:read");
  if (!Number.isInteger(eventId) || eventId <= 0) throw new ReplayInputError("eventId: must be a failed event id (a positive integer)");
  const [attempts, audit] = await Promise.all([
    db.replayAttempt.findMany({ where: { failedEventId: eventId }, orderBy: { id: "desc" } }),
    db.auditLog.findMany({ where: { resourceType: "failed_event", resourceId: String(eventId) }, orderBy: { id: "desc" }, take: 200 }),
  ]);
  return {
    attempts: attempts.map((a) => attemptView(a)),
    audit: audit.map((r) => {
      let details: Record<string, unknown> = {};
      try {
        const v = JSON.parse(r.detailsJson) as unknown;
        if (v && typeof v === "object" && !Array.isArray(v)) details = v as Record<string, unknown>;
      } catch {
        details = {};
      }
      return { at: r.at.toISOString(), actor: r.actor, action: r.action, outcome: r.outcome, details };
    }),
  };
}
