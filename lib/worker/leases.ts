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
export function nextWakeMs(rows: LeaseRow[], now: number, intervalMs: number, minMs = 1_000): number {
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
 * none is claimable. PostgreSQL: FOR UPDATE SKIP LOCKED (a row another worker is claiming is skipped).
 */
export async function claimNextSource(store: Store, owner: string, sourceIds: number[], now: number, ttlMs: number, exclude: ReadonlySet<number> = new Set()): Promise<number | null> {
  const ids = sourceIds.filter((id) => !exclude.has(id));
  if (ids.length === 0) return null;
  const lock = store.dialect === "pg" ? " FOR UPDATE SKIP LOCKED" : "";
  return store.transaction(function* () {
    const rows = yield* all<Record<string, unknown>>(
      `SELECT "id", "leaseOwner", "leaseExpiresAt" FROM "Source"
        WHERE "id" IN (${ids.map(() => "?").join(", ")}) AND "enabled" = ? AND ("leaseExpiresAt" IS NULL OR "leaseExpiresAt" <= ?)
        ORDER BY "id"${lock}`,
      [...ids, true, new Date(now)],
    );
    const leases: LeaseRow[] = rows.map((r) => ({ id: toNum(r.id), owner: r.leaseOwner == null ? null : String(r.leaseOwner), expiresAt: r.leaseExpiresAt == null ? null : toDate(r.leaseExpiresAt).getTime() }));
    const [id] = claimOrder(leases, owner, now);
    if (id === undefined) return null;
    yield* run(`UPDATE "Source" SET "leaseOwner" = ?, "leaseExpiresAt" = ? WHERE "id" = ?`, [owner, new Date(now + ttlMs), id]);
    return id;
  });
}

/** Moves `owner`'s lease on a source to `until` (renewal while collecting, or the next due time after); false when it is no longer mine. */
export async function extendLease(store: Store, owner: string, sourceId: number, until: number): Promise<boolean> {
  const n = await store.transaction(() => run(`UPDATE "Source" SET "leaseExpiresAt" = ? WHERE "id" = ? AND "leaseOwner" = ?`, [new Date(until), sourceId, owner]));
  return n > 0;
}
