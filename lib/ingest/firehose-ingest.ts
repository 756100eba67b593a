/**
 * Stores decoded Firehose deliveries through the same idempotent paths as the logs poller:
 * route each payload's log group to its function or API stage (resolveLogGroup), ingest the
 * events (de-duplicated by log event id, so push and poll may overlap), then flush the hour
 * rollups they marked and recompute the fleet hours.
 */
import { ingestLambdaLogEvents } from "../store/log-ingest.ts";
import { ingestAccessLogEvents } from "../store/access-log-ingest.ts";
import { resolveLogGroup, type LogGroupTarget } from "../store/log-routing.ts";
import { flushDirtyHours, recomputeFleetHours } from "../store/rollups.ts";
import { rawPurgedBefore } from "../store/retention.ts";
import { saveCursor } from "../store/cursors.ts";
import { all, toNum, type Store } from "../store/sql.ts";
import type { RawLogEvent } from "../store/invocation-assembly.ts";
import type { SubscriptionPayload } from "./firehose-format.ts";

/** Cursor collector under which the last push per log group is recorded (position = epoch ms received). */
export const PUSH_COLLECTOR = "push";

export interface PushIngestResult {
  events: number;
  written: number;
  skipped: number;
  malformed: number;
  /** Events of log groups no known function or stage writes to (acknowledged, not stored). */
  unrouted: number;
  unroutedGroups: string[];
}

/** Which Source the deliveries belong to: the named one, else those of the payload's owner account. */
export interface SourceSelector {
  sourceName?: string;
}

interface Routed {
  sourceId: number;
  target: LogGroupTarget;
  events: RawLogEvent[];
}

// Deliveries arrive in parallel; one function's (or stage's) batches are ingested one at a time in
// this process, so an invocation split across two deliveries is assembled from committed lines.
const chains = new Map<string, Promise<unknown>>();
function serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = chains.get(key) ?? Promise.resolve();
  const next = prev.then(fn, fn);
  const tail = next.catch(() => undefined);
  chains.set(key, tail);
  void tail.then(() => {
    if (chains.get(key) === tail) chains.delete(key);
  });
  return next;
}

async function candidateSources(store: Store, sel: SourceSelector, owner: string, cache: Map<string, number[]>): Promise<number[]> {
  const key = sel.sourceName ? `name:${sel.sourceName}` : `owner:${owner}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const rows = sel.sourceName
    ? await store.read(() => all<{ id: unknown }>(`SELECT "id" FROM "Source" WHERE "name" = ? ORDER BY "id"`, [sel.sourceName]))
    : await store.read(() => all<{ id: unknown }>(`SELECT "id" FROM "Source" WHERE "accountId" = ? AND "enabled" = ? ORDER BY "id"`, [owner, true]));
  const ids = rows.map((r) => toNum(r.id));
  cache.set(key, ids);
  return ids;
}

/** Ingests the DATA_MESSAGE payloads of one delivery. */
export async function ingestSubscriptionPayloads(store: Store, payloads: SubscriptionPayload[], sel: SourceSelector = {}, now = Date.now()): Promise<PushIngestResult> {
  const res: PushIngestResult = { events: 0, written: 0, skipped: 0, malformed: 0, unrouted: 0, unroutedGroups: [] };
  const sources = new Map<string, number[]>();
  const targets = new Map<string, { sourceId: number; target: LogGroupTarget } | null>();
  const routed = new Map<string, Routed>();
  for (const p of payloads) {
    res.events += p.logEvents.length;
    const tkey = `${p.owner}\u0000${p.logGroup}`;
    if (!targets.has(tkey)) {
      let found: { sourceId: number; target: LogGroupTarget } | null = null;
      for (const sourceId of await candidateSources(store, sel, p.owner, sources)) {
        const target = await resolveLogGroup(store, sourceId, p.logGroup);
        if (target) {
          found = { sourceId, target };
          break;
        }
      }
      targets.set(tkey, found);
    }
    const t = targets.get(tkey);
    if (!t) {
      res.unrouted += p.logEvents.length;
      if (!res.unroutedGroups.includes(p.logGroup)) res.unroutedGroups.push(p.logGroup);
      continue;
    }
    const r = routed.get(tkey) ?? { ...t, events: [] };
    for (const e of p.logEvents) r.events.push({ eventId: e.id, logStream: p.logStream, timestamp: e.timestamp, message: e.message });
    routed.set(tkey, r);
  }
  if (routed.size === 0) return res;
  const purgedBefore = await rawPurgedBefore(store);
  const touched = new Map<number, { min: number; max: number }>();
  for (const [tkey, r] of routed) {
    const t = r.target;
    const lockKey = `${store.url}\u0000${t.kind === "lambda" ? `fn:${t.fn.id}` : `stage:${t.stage.id}`}`;
    const out = await serialized(lockKey, () => (t.kind === "lambda" ? ingestLambdaLogEvents(store, t.fn, r.events, { purgedBefore }) : ingestAccessLogEvents(store, t.stage, r.events, { purgedBefore })));
    res.written += out.written;
    res.skipped += out.skipped;
    res.malformed += out.malformed;
    const span = touched.get(r.sourceId) ?? { min: Infinity, max: -Infinity };
    for (const e of r.events) {
      span.min = Math.min(span.min, e.timestamp);
      span.max = Math.max(span.max, e.timestamp);
    }
    touched.set(r.sourceId, span);
    await saveCursor(store, { sourceId: r.sourceId, collector: PUSH_COLLECTOR, key: tkey.split("\u0000")[1]!, position: String(now) });
  }
  for (const [sourceId, span] of touched) {
    const flushed = await flushDirtyHours(store, sourceId);
    const from = Math.min(span.min, flushed.earliest ?? Infinity);
    await store.transaction(() => recomputeFleetHours(store.dialect, sourceId, from, span.max + 3_600_000));
  }
  return res;
}
