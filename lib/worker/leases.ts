/**
 * Source leases for several workers on one store. A source's lease (Source.leaseOwner,
 * Source.leaseExpiresAt) is held while it is collected (renewed every third of the lease time)
 * and then kept until the source's next cycle is due; whoever finds it due — or expired,
 * after a worker died — claims it. On PostgreSQL the claim is a row lock with SKIP LOCKED, so
 * concurrent workers never wait on or take the same source; on SQLite the database write lock
 * serializes claims (correct, but one worker is the intended set-up there).
 */
import os from "node:os";
import crypto from "node:crypto";
import { all, run, toDate, toNum, type Store } from "../store/sql.ts";

export interface LeaseRow {
  id: number;
  owner: string | null;
  expiresAt: number | null;
}

export type LeaseState = "free" | "mine" | "held" | "due";

/** A worker's identity in lease rows: host, process and a random suffix (a restarted worker is a new owner). */
export function workerOwnerId(host = os.hostname(), pid = process.pid, suffix = crypto.randomBytes(3).toString("hex")): string {
  return `${host}:${pid}:${suffix}`.slice(0, 120);
}

/** What a lease row means to `owner` at `now` (pure): never leased, held by me, held by another, or due (expired). */
export function leaseState(row: LeaseRow, owner: string, now: number): LeaseState {
  if (row.owner === null || row.expiresAt === null) return "free";
  if (row.expiresAt <= now) return "due";
  return row.owner === owner ? "mine" : "held";
}

/** The sources `owner` may claim now, in claim order: due ones it held last first (affinity), then by id (pure). */
export function claimOrder(rows: LeaseRow[], owner: string, now: number, exclude: ReadonlySet<number> = new Set()): number[] {
  const open = rows.filter((r) => !exclude.has(r.id) && ["free", "due"].includes(leaseState(r, owner, now)));
  return open.sort((a, b) => Number(b.owner === owner) - Number(a.owner === owner) || a.id - b.id).map((r) => r.id);
}

/** How long to sleep before looking for due work: until the earliest lease expiry, within [minMs, intervalMs] (pure). */
export function nextWakeMs(rows: LeaseRow[], now: number, intervalMs: number, minMs = 200): number {
  const expiries = rows.map((r) => r.expiresAt).filter((x): x is number => x !== null && x > now);
  const soonest = expiries.length ? Math.min(...expiries) - now : intervalMs;
  return Math.max(minMs, Math.min(intervalMs, soonest));
}

/** When a just-collected source is due again: its cycle's start plus the interval, never before `now` + minMs (pure). */
export function dueAfterCycle(cycleStart: number, intervalMs: number, now: number, minMs = 1_000): number {
  return Math.max(cycleStart + intervalMs, now + minMs);
}

/** The lease rows of the given sources. */
export async function readLeases(store: Store, sourceIds: number[]): Promise<LeaseRow[]> {
  if (sourceIds.length === 0) return [];
  const rows = await store.read(() =>
    all<Record<string, unknown>>(`SELECT "id", "leaseOwner", "leaseExpiresAt" FROM "Source" WHERE "id" IN (${sourceIds.map(() => "?").join(", ")}) ORDER BY "id"`, sourceIds),
  );
  return rows.map((r) => ({ id: toNum(r.id), owner: r.leaseOwner == null ? null : String(r.leaseOwner), expiresAt: r.leaseExpiresAt == null ? null : toDate(r.leaseExpiresAt).getTime() }));
}

/**
 * Claims one free or due source among `sourceIds` for `owner` until `now + ttlMs`; null when
 * none is claimable. PostgreSQL: one row locked with FOR UPDATE SKIP LOCKED (LIMIT 1, so
 * concurrent claimers each lock a different row instead of skipping them all).
 */
export async function claimNextSource(store: Store, owner: string, sourceIds: number[], now: number, ttlMs: number, exclude: ReadonlySet<number> = new Set()): Promise<number | null> {
  const ids = sourceIds.filter((id) => !exclude.has(id));
  if (ids.length === 0) return null;
  const lock = store.dialect === "pg" ? " FOR UPDATE SKIP LOCKED" : "";
  return store.transaction(function* () {
    const rows = yield* all<Record<string, unknown>>(
      `SELECT "id", "leaseOwner", "leaseExpiresAt" FROM "Source"
        WHERE "id" IN (${ids.map(() => "?").join(", ")}) AND "enabled" = ? AND ("leaseExpiresAt" IS NULL OR "leaseExpiresAt" <= ?)
        ORDER BY CASE WHEN "leaseOwner" = ? THEN 0 ELSE 1 END, "id" LIMIT 1${lock}`,
      [...ids, true, new Date(now), owner],
    );
    const leases: LeaseRow[] = rows.map((r) => ({ id: toNum(r.id), owner: r.leaseOwner == null ? null : String(r.leaseOwner), expiresAt: r.leaseExpiresAt == null ? null : toDate(r.leaseExpiresAt).getTime() }));
    const [id] = claimOrder(leases, owner, now);
    if (id === undefined) return null;
    yield* run(`UPDATE "Source" SET "leaseOwner" = ?, "leaseExpiresAt" = ? WHERE "id" = ?`, [owner, new Date(now + ttlMs), id]);
    return id;
  });
}

/**
 * A restarted worker with a stable identity takes back what it held: its source and log-shard
 * leases become due now (the claim loop prefers its own), instead of at their expiry. Returns
 * how many leases were released.
 */
export async function releaseOwnLeases(store: Store, owner: string, sourceIds: number[], now: number): Promise<number> {
  if (sourceIds.length === 0) return 0;
  const at = new Date(now);
  return store.transaction(function* () {
    const inIds = sourceIds.map(() => "?").join(", ");
    const sources = yield* run(`UPDATE "Source" SET "leaseExpiresAt" = ? WHERE "leaseOwner" = ? AND "leaseExpiresAt" > ? AND "id" IN (${inIds})`, [at, owner, at, ...sourceIds]);
    const shards = yield* run(`UPDATE "CollectorCursor" SET "leaseExpiresAt" = ? WHERE "collector" = ? AND "leaseOwner" = ? AND "leaseExpiresAt" > ? AND "sourceId" IN (${inIds})`, [at, LEASE_COLLECTOR, owner, at, ...sourceIds]);
    return sources + shards;
  });
}

/** Moves `owner`'s lease on a source to `until` (renewal while collecting, or the next due time after); false when it is no longer mine. */
export async function extendLease(store: Store, owner: string, sourceId: number, until: number): Promise<boolean> {
  const n = await store.transaction(() => run(`UPDATE "Source" SET "leaseExpiresAt" = ? WHERE "id" = ? AND "leaseOwner" = ?`, [new Date(until), sourceId, owner]));
  return n > 0;
}

// ---------------------------------------------------------------- log-group shards of large sources

/** CollectorCursor rows of this collector carry the log-group shard leases (key logs:<i>/<n>). */
export const LEASE_COLLECTOR = "lease";

/** How many log-group shards a source with `groups` log groups is leased in (pure; 1 = the source lease covers them). */
export function logShardCount(groups: number, perLease: number): number {
  if (perLease <= 0 || groups <= perLease) return 1;
  return Math.ceil(groups / perLease);
}

/** The shard of a log group (FNV-1a of its name; stable across workers and restarts) (pure). */
export function logShardOf(group: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < group.length; i++) {
    h ^= group.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % shards;
}

/** The lease key of shard `i` of `n`. */
export const logShardKey = (i: number, n: number) => `logs:${i}/${n}`;

/** The shard leases of one source with `n` shards, keyed by shard index (rows are created on first use). */
export async function readLogShardLeases(store: Store, sourceId: number, n: number): Promise<Map<number, LeaseRow>> {
  const rows = await store.read(() =>
    all<Record<string, unknown>>(`SELECT "key", "leaseOwner", "leaseExpiresAt" FROM "CollectorCursor" WHERE "sourceId" = ? AND "collector" = ?`, [sourceId, LEASE_COLLECTOR]),
  );
  const out = new Map<number, LeaseRow>();
  for (const r of rows) {
    const m = /^logs:(\d+)\/(\d+)$/.exec(String(r.key));
    if (!m || Number(m[2]) !== n) continue;
    out.set(Number(m[1]), { id: Number(m[1]), owner: r.leaseOwner == null ? null : String(r.leaseOwner), expiresAt: r.leaseExpiresAt == null ? null : toDate(r.leaseExpiresAt).getTime() });
  }
  return out;
}

/** Claims one free or due log-group shard of a source (same rules as claimNextSource); the shard index or null. */
export async function claimNextLogShard(store: Store, owner: string, sourceId: number, n: number, now: number, ttlMs: number, exclude: ReadonlySet<number> = new Set()): Promise<number | null> {
  const keys = Array.from({ length: n }, (_, i) => i).filter((i) => !exclude.has(i)).map((i) => logShardKey(i, n));
  if (keys.length === 0) return null;
  const lock = store.dialect === "pg" ? " FOR UPDATE SKIP LOCKED" : "";
  const stamp = new Date(now);
  return store.transaction(function* () {
    for (const key of keys) {
      yield* run(`INSERT INTO "CollectorCursor" ("sourceId", "collector", "key", "position", "updatedAt") VALUES (?, ?, ?, '', ?) ON CONFLICT ("sourceId", "collector", "key") DO NOTHING`, [sourceId, LEASE_COLLECTOR, key, stamp]);
    }
    const rows = yield* all<Record<string, unknown>>(
      `SELECT "id", "key", "leaseOwner", "leaseExpiresAt" FROM "CollectorCursor"
        WHERE "sourceId" = ? AND "collector" = ? AND "key" IN (${keys.map(() => "?").join(", ")}) AND ("leaseExpiresAt" IS NULL OR "leaseExpiresAt" <= ?)
        ORDER BY CASE WHEN "leaseOwner" = ? THEN 0 ELSE 1 END, "key" LIMIT 1${lock}`,
      [sourceId, LEASE_COLLECTOR, ...keys, stamp, owner],
    );
    const byShard = new Map(rows.map((r) => [Number(/^logs:(\d+)\//.exec(String(r.key))![1]), toNum(r.id)]));
    const leases: LeaseRow[] = rows.map((r) => ({ id: Number(/^logs:(\d+)\//.exec(String(r.key))![1]), owner: r.leaseOwner == null ? null : String(r.leaseOwner), expiresAt: r.leaseExpiresAt == null ? null : toDate(r.leaseExpiresAt).getTime() }));
    const [shard] = claimOrder(leases, owner, now);
    if (shard === undefined) return null;
    yield* run(`UPDATE "CollectorCursor" SET "leaseOwner" = ?, "leaseExpiresAt" = ?, "updatedAt" = ? WHERE "id" = ?`, [owner, new Date(now + ttlMs), stamp, byShard.get(shard)]);
    return shard;
  });
}

/** Moves `owner`'s lease on a log-group shard to `until`; false when it is no longer mine. */
export async function extendLogShardLease(store: Store, owner: string, sourceId: number, shard: number, n: number, until: number): Promise<boolean> {
  const changed = await store.transaction(() =>
    run(`UPDATE "CollectorCursor" SET "leaseExpiresAt" = ? WHERE "sourceId" = ? AND "collector" = ? AND "key" = ? AND "leaseOwner" = ?`, [new Date(until), sourceId, LEASE_COLLECTOR, logShardKey(shard, n), owner]),
  );
  return changed > 0;
}
