/**
 * Bulk replay as a background job for the web UI: the request returns a job id at once, the
 * job runs lib/replay's bulkReplay in this process and stores its progress in the Setting
 * table (key "replay.job.<id>"), which the browser polls. A job whose process died shows as
 * "interrupted"; running the same filter again resumes it (bulk replay is idempotent).
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Db } from "../db.ts";
import type { Principal } from "../auth/permissions.ts";
import { AUDIT_ACTIONS, authorizeReplay, type ReplayClients } from "./context.ts";
import { bulkReplay, type BulkEventOutcome, type BulkReplayResult, type OutcomeCounts } from "./bulk.ts";
import { ReplayInputError, ReplayNotFoundError, bulkFilterSchema, parseInput, type BulkFilter } from "./schemas.ts";

const PREFIX = "replay.job.";
/** A running job writes at least this often; older "running" rows belong to a dead process. */
const HEARTBEAT_MS = 5_000;
const STALE_AFTER_MS = 30_000;
/** Per-event outcomes kept in the job row (the newest). */
const KEEP_OUTCOMES = 1_000;

export type JobStatus = "running" | "completed" | "stopped" | "failed" | "interrupted";

/** A bulk replay job as the API returns it. */
export interface BulkJob {
  id: string;
  status: JobStatus;
  actor: string;
  filter: Record<string, unknown>;
  ratePerSecond: number;
  total: number;
  done: number;
  counts: OutcomeCounts | null;
  outcomes: BulkEventOutcome[];
  inDoubt: number[];
  error: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

const isoDate = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), { error: () => "must be an ISO date-time" })
  .transform((s) => new Date(s));

/** Body of POST /api/v1/replay/bulk: the filter (dates as ISO strings) and the rate limit. */
export const bulkRequestSchema = z
  .object({
    functionName: z.string().optional(),
    errorType: z.string().optional(),
    queueId: z.number().optional(),
    sourceKind: z.string().optional(),
    since: isoDate.optional(),
    until: isoDate.optional(),
    status: z.array(z.string()).optional(),
    limit: z.number().optional(),
    action: z.string().optional(),
    qualifier: z.string().optional(),
    invocationType: z.string().optional(),
    dryRun: z.boolean().optional(),
    ratePerSecond: z.number({ error: () => "must be events per second" }).positive({ error: () => "must be above 0" }).max(1000, { error: () => "must be at most 1000" }).default(5),
  })
  .strict();

/** Splits a request body into the bulk filter (validated by lib/replay's schema) and the rate; throws ReplayInputError. */
export function parseBulkRequest(body: unknown): { filter: BulkFilter; ratePerSecond: number } {
  const { ratePerSecond, ...rest } = parseInput(bulkRequestSchema, body);
  const filter = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined && v !== "")) as BulkFilter;
  parseInput(bulkFilterSchema, filter);
  return { filter, ratePerSecond };
}

const stored = z.object({
  id: z.string(),
  status: z.enum(["running", "completed", "stopped", "failed", "interrupted"]),
  actor: z.string(),
  filter: z.record(z.string(), z.unknown()),
  ratePerSecond: z.number(),
  total: z.number(),
  done: z.number(),
  counts: z.record(z.string(), z.number()).nullable(),
  outcomes: z.array(z.record(z.string(), z.unknown())),
  inDoubt: z.array(z.number()),
  error: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
});

/** The job's view at `now`: a "running" row nobody updates any more is reported interrupted (pure). */
export function jobView(raw: z.infer<typeof stored>, now: number, activeHere: boolean): BulkJob {
  const job = raw as unknown as BulkJob;
  if (job.status === "running" && !activeHere && now - Date.parse(job.updatedAt) > STALE_AFTER_MS) {
    return { ...job, status: "interrupted", error: job.error ?? "The process running this job stopped; start the same bulk replay again to resume (events already replayed are skipped)." };
  }
  return job;
}

function serializeFilter(f: BulkFilter): Record<string, unknown> {
  return Object.fromEntries(Object.entries(f).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));
}

const active = new Map<string, AbortController>();

async function save(db: Db, job: BulkJob): Promise<void> {
  const value = JSON.stringify(job);
  await db.setting.upsert({ where: { key: PREFIX + job.id }, create: { key: PREFIX + job.id, value }, update: { value } });
}

async function load(db: Db, id: string): Promise<z.infer<typeof stored> | null> {
  const row = await db.setting.findUnique({ where: { key: PREFIX + id } });
  if (!row) return null;
  try {
    return stored.parse(JSON.parse(row.value));
  } catch {
    return null;
  }
}

/** One job, or null. */
export async function getBulkJob(db: Db, id: string, now = Date.now()): Promise<BulkJob | null> {
  const raw = await load(db, id);
  return raw ? jobView(raw, now, active.has(id)) : null;
}

/** The most recent jobs, newest first. */
export async function listBulkJobs(db: Db, limit = 20, now = Date.now()): Promise<BulkJob[]> {
  const rows = await db.setting.findMany({ where: { key: { startsWith: PREFIX } }, orderBy: { updatedAt: "desc" }, take: limit });
  const out: BulkJob[] = [];
  for (const r of rows) {
    try {
      const raw = stored.parse(JSON.parse(r.value));
      out.push(jobView(raw, now, active.has(raw.id)));
    } catch {
      // A damaged row is skipped.
    }
  }
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export interface StartedJob {
  job: BulkJob;
  /** Resolves when the job has finished (tests wait on it; the API does not). */
  finished: Promise<BulkJob>;
}

/**
 * Starts a bulk replay job (failures:replay): validates the request, stores the job, then
 * replays in the background. `open` provides the AWS clients for the job's lifetime.
 */
export async function startBulkJob(db: Db, open: () => Promise<{ clients: ReplayClients; destroy(): void }>, principal: Principal, body: unknown): Promise<StartedJob> {
  await authorizeReplay(db, principal, AUDIT_ACTIONS.bulk, "failed_event");
  const { filter, ratePerSecond } = parseBulkRequest(body);
  if (filter.dryRun) throw new ReplayInputError("dryRun: a dry run is answered at once, not run as a job");
  const now = new Date().toISOString();
  const job: BulkJob = {
    id: randomUUID(),
    status: "running",
    actor: principal.email,
    filter: serializeFilter(filter),
    ratePerSecond,
    total: 0,
    done: 0,
    counts: null,
    outcomes: [],
    inDoubt: [],
    error: null,
    createdAt: now,
    updatedAt: now,
    finishedAt: null,
  };
  await save(db, job);
  const controller = new AbortController();
  active.set(job.id, controller);
  const finished = runJob(db, open, principal, job, filter, controller.signal).finally(() => active.delete(job.id));
  return { job, finished };
}

async function runJob(db: Db, open: () => Promise<{ clients: ReplayClients; destroy(): void }>, principal: Principal, job: BulkJob, filter: BulkFilter, signal: AbortSignal): Promise<BulkJob> {
  let current = job;
  let writing: Promise<void> = Promise.resolve();
  let lastWrite = 0;
  const write = (next: BulkJob) => {
    current = next;
    lastWrite = Date.now();
    writing = writing.then(() => save(db, { ...current, updatedAt: new Date().toISOString() })).catch(() => undefined);
    return writing;
  };
  const heartbeat = setInterval(() => {
    if (Date.now() - lastWrite >= HEARTBEAT_MS) void write(current);
  }, HEARTBEAT_MS);
  heartbeat.unref?.();
  const outcomes: BulkEventOutcome[] = [];
  let aws: { clients: ReplayClients; destroy(): void } | undefined;
  try {
    aws = await open();
    const result: BulkReplayResult = await bulkReplay(db, aws.clients, principal, filter, {
      ratePerSecond: job.ratePerSecond,
      signal,
      onProgress: (p) => {
        outcomes.push(p.last);
        if (outcomes.length > KEEP_OUTCOMES) outcomes.shift();
        // At most about two writes per second; the final state is always written below.
        if (Date.now() - lastWrite >= 500) return write({ ...current, total: p.total, done: p.done, counts: p.counts, outcomes: [...outcomes] });
      },
    });
    await write({
      ...current,
      status: result.aborted ? "stopped" : "completed",
      total: result.total,
      done: result.done,
      counts: result.counts,
      outcomes: result.outcomes.slice(-KEEP_OUTCOMES),
      inDoubt: result.inDoubt,
      finishedAt: new Date().toISOString(),
    });
  } catch (err) {
    await write({ ...current, status: "failed", error: err instanceof Error ? err.message : String(err), outcomes: [...outcomes], finishedAt: new Date().toISOString() });
  } finally {
    clearInterval(heartbeat);
    aws?.destroy();
  }
  await writing;
  return current;
}

/** Stops a running job after its current event (failures:replay); a job of a dead process is marked stopped. */
export async function stopBulkJob(db: Db, principal: Principal, id: string): Promise<BulkJob> {
  await authorizeReplay(db, principal, AUDIT_ACTIONS.bulk, "replay_job", id);
  const raw = await load(db, id);
  if (!raw) throw new ReplayNotFoundError(`replay job ${id}`);
  const controller = active.get(id);
  if (controller) {
    controller.abort();
    return jobView(raw, Date.now(), true);
  }
  const view = jobView(raw, Date.now(), false);
  if (view.status === "interrupted") {
    const stopped: BulkJob = { ...view, status: "stopped", finishedAt: new Date().toISOString(), updatedAt: new Date().toISOString() };
    await save(db, stopped);
    return stopped;
  }
  return view;
}
