/**
 * Bulk replay: the failed events a filter selects, replayed one by one at a rate limit with
 * live progress. Resumable by design: every event goes through the same idempotent claim as
 * a single replay, so running the same bulk again after a crash or a stop replays none twice
 * (replayed events no longer match status "new"; an event caught mid-call is reported in doubt).
 */
import type { Db } from "../db.ts";
import type { Principal } from "../auth/permissions.ts";
import { writeAudit } from "../auth/audit.ts";
import { AUDIT_ACTIONS, authorizeReplay, loadEvent, newLoadCache, type LoadedEvent, type ReplayClients } from "./context.ts";
import { createRuntime, finishSentAttempts, flushDeferredDeletes, pendingDeletions, replayLoaded, type DeferredDelete, type ReplayOutcome, type ReplayRuntime } from "./replay.ts";
import { ReplayInputError, bulkFilterSchema, parseInput, type BulkFilter, type ParsedBulkFilter, type ParsedReplayInput } from "./schemas.ts";
import { findMessages, releaseMessages, type HeldMessage } from "./queue-messages.ts";
import { TokenBucket, type Clock } from "./token-bucket.ts";
import { holdSecondsFor, planRedrive, planReinvoke, type ReplayPlan } from "./plan.ts";

export interface BulkEventOutcome {
  eventId: number;
  outcome: ReplayOutcome;
  attemptId?: number;
  requestId?: string | null;
  error?: string;
  messageDeleted?: boolean;
}

export type OutcomeCounts = Record<ReplayOutcome, number>;

export interface BulkProgress {
  total: number;
  done: number;
  counts: OutcomeCounts;
  last: BulkEventOutcome;
  elapsedMs: number;
}

export interface BulkOptions {
  /** Events per second (token bucket); required so a bulk replay cannot stampede a function. */
  ratePerSecond: number;
  burst?: number;
  onProgress?: (p: BulkProgress) => void | Promise<void>;
  /** Stops between events: the event in flight finishes, held messages are released. */
  signal?: AbortSignal;
  /** Events looked up in the queue per scan (default: 10 s worth at the rate, 10..100). */
  chunkSize?: number;
  clock?: Clock;
}

export interface BulkReplayResult {
  total: number;
  done: number;
  counts: OutcomeCounts;
  outcomes: BulkEventOutcome[];
  /** Stopped by the signal before every selected event was handled. */
  aborted: boolean;
  /** Events of the selection in status "replaying": being replayed elsewhere, or cut off mid-call (in doubt; resolveInDoubt). Never replayed here. */
  inDoubt: number[];
  /** Deletions left pending by earlier runs and finished now. */
  cleanup: { deleted: number; gone: number; pending: number };
  /** Dry run: what each event's replay would send. */
  plans?: ReplayPlan[];
  elapsedMs: number;
}

const emptyCounts = (): OutcomeCounts => ({ dry_run: 0, refused: 0, duplicate: 0, busy: 0, replayed: 0, failed_again: 0, failed: 0, in_doubt: 0, discarded: 0 });

/** Outcomes after which the replay itself released or deleted the held message. */
const HANDLED = new Set<ReplayOutcome>(["replayed", "failed_again", "failed", "in_doubt"]);

function baseWhere(f: ParsedBulkFilter) {
  const range = f.since || f.until ? { ...(f.since ? { gte: f.since } : {}), ...(f.until ? { lt: f.until } : {}) } : undefined;
  return {
    ...(f.functionName ? { functionName: f.functionName } : {}),
    ...(f.queueId ? { queueId: f.queueId } : {}),
    ...(f.sourceKind ? { sourceKind: f.sourceKind } : {}),
    ...(range ? { OR: [{ sentAt: range }, { sentAt: null, firstSeenAt: range }] } : {}),
  };
}

/** Error type filter, applied in code so SQLite and PostgreSQL agree (LIKE differs in case sensitivity). */
export function matchesErrorType(ev: { errorCode: string | null; errorMessage: string | null }, errorType: string | undefined): boolean {
  if (!errorType) return true;
  return ev.errorCode === errorType || (ev.errorMessage ?? "").includes(errorType);
}

interface Selected {
  id: number;
  messageId: string;
  queueId: number;
  queue: { url: string; name: string; sourceId: number };
}

async function select(db: Db, f: ParsedBulkFilter): Promise<Selected[]> {
  const rows = await db.failedEvent.findMany({
    where: { ...baseWhere(f), status: { in: f.status } },
    select: { id: true, messageId: true, queueId: true, errorCode: true, errorMessage: true, queue: { select: { url: true, name: true, sourceId: true } } },
    orderBy: [{ queueId: "asc" }, { id: "asc" }],
  });
  return rows.filter((r) => matchesErrorType(r, f.errorType)).slice(0, f.limit);
}

function chunked(events: Selected[], size: number): Selected[][] {
  const out: Selected[][] = [];
  for (const e of events) {
    const cur = out[out.length - 1];
    if (cur && cur.length < size && cur[0]!.queueId === e.queueId) cur.push(e);
    else out.push([e]);
  }
  return out;
}

/** Replays every failed event the filter selects, at `ratePerSecond`, reporting progress after each. */
export async function bulkReplay(db: Db, clients: ReplayClients, principal: Principal, filter: BulkFilter, options: BulkOptions): Promise<BulkReplayResult> {
  await authorizeReplay(db, principal, AUDIT_ACTIONS.bulk, "failed_event");
  const f = parseInput(bulkFilterSchema, filter);
  if (!(options?.ratePerSecond > 0) || options.ratePerSecond > 1000) throw new ReplayInputError("ratePerSecond: must be a number above 0 and at most 1000");
  const started = Date.now();
  const counts = emptyCounts();
  const outcomes: BulkEventOutcome[] = [];
  const events = await select(db, f);
  const inDoubt = (await db.failedEvent.findMany({ where: { ...baseWhere(f), status: "replaying" }, select: { id: true, errorCode: true, errorMessage: true }, orderBy: { id: "asc" } }))
    .filter((r) => matchesErrorType(r, f.errorType))
    .map((r) => r.id);
  const input: ParsedReplayInput = { eventId: 0, action: f.action, invocationType: f.invocationType, dryRun: f.dryRun, ...(f.qualifier ? { qualifier: f.qualifier } : {}) };

  if (f.dryRun) {
    const plans: ReplayPlan[] = [];
    const cache = newLoadCache();
    for (const e of events) {
      const { facts } = await loadEvent(db, e.id, cache);
      const plan = f.action === "reinvoke" ? planReinvoke(facts, { qualifier: f.qualifier, invocationType: f.invocationType }) : planRedrive(facts, {});
      plans.push(plan);
      counts.dry_run++;
      outcomes.push({ eventId: e.id, outcome: plan.ok ? "dry_run" : "refused", ...(plan.refusal ? { error: plan.refusal.message } : {}) });
    }
    return { total: events.length, done: events.length, counts, outcomes, aborted: false, inDoubt, cleanup: { deleted: 0, gone: 0, pending: 0 }, plans, elapsedMs: Date.now() - started };
  }

  const runtimes = new Map<number, ReplayRuntime & { close(): void }>();
  const runtimeFor = (source: LoadedEvent["source"]) => {
    let rt = runtimes.get(source.id);
    if (!rt) runtimes.set(source.id, (rt = createRuntime(db, clients, principal, source)));
    return rt;
  };
  const cleanup = { deleted: 0, gone: 0, pending: 0 };
  const cache = newLoadCache();
  const bucket = new TokenBucket(options.ratePerSecond, options.burst ?? 1, options.clock);
  // Synchronous invocations may each take up to the function's timeout: smaller chunks keep their holds short.
  const sync = f.action === "reinvoke" && f.invocationType === "RequestResponse";
  const chunkSize = options.chunkSize ?? (sync ? 10 : Math.min(100, Math.max(10, Math.ceil(options.ratePerSecond * 10))));
  let aborted = false;
  let failure: unknown;
  try {
    // Deletions a crashed or interrupted run left pending come first.
    for (const group of await pendingDeletions(db, { ...(f.queueId ? { queueId: f.queueId } : {}), ...(f.functionName ? { functionName: f.functionName } : {}) })) {
      const r = await finishSentAttempts(runtimeFor(group.source), group.queue, group.items);
      cleanup.deleted += r.deleted;
      cleanup.gone += r.gone;
      cleanup.pending += r.pending;
    }
    outer: for (const chunk of chunked(events, chunkSize)) {
      if (options.signal?.aborted) {
        aborted = true;
        break;
      }
      const first = await loadEvent(db, chunk[0]!.id, cache);
      const deferred: DeferredDelete[] = [];
      const rt: ReplayRuntime = { ...runtimeFor(first.source), deferDelete: (item) => void deferred.push(item) };
      const queueUrl = chunk[0]!.queue.url;
      // Long enough for the last event of the chunk: the rate's pacing plus, for sync invokes, every earlier invocation.
      const perEvent = holdSecondsFor(f.action === "reinvoke" ? f.invocationType : null, first.facts.functionTimeoutSec);
      const earlier = sync ? (chunk.length - 1) * (first.facts.functionTimeoutSec ?? 900) : 0;
      const holdSeconds = Math.min(43_200, Math.ceil(chunk.length / options.ratePerSecond) + earlier + perEvent);
      let held = new Map<string, HeldMessage>();
      try {
        held = (await findMessages(rt.sqs, queueUrl, chunk.map((e) => e.messageId), { holdSeconds, signal: options.signal })).found;
      } catch {
        // Messages that cannot be looked up are replayed anyway; their deletion stays pending.
      }
      const settled = new Set<string>();
      try {
        for (const e of chunk) {
          if (!(await bucket.take(options.signal))) {
            aborted = true;
            break outer;
          }
          const loaded = e.id === first.facts.id ? first : await loadEvent(db, e.id, cache);
          const result = await replayLoaded(rt, loaded, { ...input, eventId: e.id }, held.get(e.messageId) ?? null, false);
          if (HANDLED.has(result.outcome)) settled.add(e.messageId);
          counts[result.outcome]++;
          const last: BulkEventOutcome = {
            eventId: e.id,
            outcome: result.outcome,
            ...(result.attempt ? { attemptId: result.attempt.id } : {}),
            ...(result.requestId !== undefined ? { requestId: result.requestId } : {}),
            ...(result.error ? { error: result.error } : {}),
            ...(result.messageDeleted !== undefined ? { messageDeleted: result.messageDeleted } : {}),
          };
          outcomes.push(last);
          await options.onProgress?.({ total: events.length, done: outcomes.length, counts: { ...counts }, last, elapsedMs: Date.now() - started });
        }
      } finally {
        // Runs on a stop or a crash too: successful replays' messages are deleted, the rest released.
        const unsettled = [...held.values()].filter((h) => !settled.has(h.message.MessageId!));
        await releaseMessages(rt.sqs, queueUrl, unsettled);
        const deleted = await flushDeferredDeletes(rt, chunk[0]!.queue, deferred).catch(() => new Map<number, boolean>());
        for (const o of outcomes) if (deleted.has(o.eventId)) o.messageDeleted = deleted.get(o.eventId)!;
      }
    }
  } catch (err) {
    failure = err;
    throw err;
  } finally {
    for (const rt of runtimes.values()) rt.close();
    await writeAudit(db, {
      principal,
      action: AUDIT_ACTIONS.bulk,
      resourceType: "failed_event",
      outcome: failure || counts.failed || counts.failed_again || counts.in_doubt ? "failed" : "ok",
      details: {
        filter: { ...f, since: f.since?.toISOString(), until: f.until?.toISOString() },
        ratePerSecond: options.ratePerSecond,
        selected: events.length,
        done: outcomes.length,
        counts,
        aborted,
        ...(failure ? { error: failure instanceof Error ? failure.message : String(failure) } : {}),
      },
    }).catch(() => undefined);
  }
  return { total: events.length, done: outcomes.length, counts, outcomes, aborted, inDoubt, cleanup, elapsedMs: Date.now() - started };
}
