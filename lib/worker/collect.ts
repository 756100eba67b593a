/**
 * Collection over every configured source: opens the sources (clients, quotas, Source
 * rows), runs one cycle each, and the worker loop that repeats it on an interval with a
 * graceful stop (the current batch transaction finishes, then the loop exits).
 */
import type { Env } from "../env.ts";
import type { Db } from "../db.ts";
import type { Store } from "../store/sql.ts";
import { applyRetention, rawPurgedBefore, type RetentionSettings } from "../store/retention.ts";
import { runCycle, type CollectorName, type CycleOptions, type CycleResult, type ProgressEvent } from "./cycle.ts";
import { openSource, resolveSources, type SourceConfig, type SourceContext } from "./sources.ts";
import type { AwsTarget } from "../aws/clients.ts";
import { claimNextSource, dueAfterCycle, extendLease, nextWakeMs, readLeases, workerOwnerId } from "./leases.ts";

export interface CollectSettings {
  lookbackMs: number;
  overlapMs: number;
  capture: "every-cycle" | "on-demand";
  dlqVisibilitySeconds: number;
  inventoryDetailMs: number;
  inventoryIntervalMs: number;
  traceDetailRate: number;
  quotaScale: number;
  logsMode?: "poll" | "push" | "both";
  /** Source lease time for several workers (FAASIGHT_LEASE_SECONDS). */
  leaseMs?: number;
  retention: RetentionSettings;
}

/** Collection settings from the environment. */
export function settingsFromEnv(env: Env): CollectSettings {
  return {
    lookbackMs: env.FAASIGHT_LOGS_LOOKBACK_MINUTES * 60_000,
    overlapMs: env.FAASIGHT_METRICS_OVERLAP_MINUTES * 60_000,
    capture: env.FAASIGHT_CAPTURE_DLQ,
    dlqVisibilitySeconds: env.FAASIGHT_DLQ_VISIBILITY_SECONDS,
    inventoryDetailMs: env.FAASIGHT_INVENTORY_DETAIL_MINUTES * 60_000,
    inventoryIntervalMs: env.FAASIGHT_INVENTORY_INTERVAL_MINUTES * 60_000,
    traceDetailRate: env.FAASIGHT_TRACE_DETAIL_RATE,
    quotaScale: env.FAASIGHT_QUOTA_SCALE,
    logsMode: env.FAASIGHT_LOGS_MODE,
    leaseMs: env.FAASIGHT_LEASE_SECONDS * 1000,
    retention: {
      rawDays: env.FAASIGHT_RETENTION_RAW_DAYS,
      metricDays: env.FAASIGHT_RETENTION_METRIC_DAYS,
      minuteDays: env.FAASIGHT_RETENTION_MINUTE_DAYS,
      hourDays: env.FAASIGHT_RETENTION_HOUR_DAYS,
    },
  };
}

/** Opens every configured source (or the given ones). */
export async function openSources(db: Db, env: Env, settings: CollectSettings, override?: { sources: SourceConfig[]; staticCredentials: boolean; targets?: Map<string, AwsTarget> }): Promise<SourceContext[]> {
  const { sources, staticCredentials } = override ?? resolveSources(env);
  const out: SourceContext[] = [];
  for (const s of sources) out.push(await openSource(db, s, { staticCredentials, quotaScale: settings.quotaScale, target: override?.targets?.get(s.name) }));
  return out;
}

export interface CollectionOptions {
  db: Db;
  store: Store;
  sources: SourceContext[];
  settings: CollectSettings;
  /** Window start for keys without a cursor (or for all keys with `rescan`). */
  since: number;
  now?: number;
  rescan?: boolean;
  only?: CollectorName[];
  /** Read the inventory even when the last read is recent (one-shot collections). */
  freshInventory?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: ProgressEvent) => void;
  log?: (line: string) => void;
}

/** One collection over all sources (one cycle each, sources one after another). */
export async function runCollection(o: CollectionOptions): Promise<CycleResult[]> {
  const purgedBefore = await rawPurgedBefore(o.store);
  const out: CycleResult[] = [];
  for (const ctx of o.sources) {
    if (o.signal?.aborted) break;
    const opts: CycleOptions = {
      store: o.store,
      db: o.db,
      now: o.now,
      initialStart: o.since,
      rescan: o.rescan,
      lookbackMs: o.settings.lookbackMs,
      overlapMs: o.settings.overlapMs,
      capture: o.settings.capture,
      dlqVisibilitySeconds: o.settings.dlqVisibilitySeconds,
      inventoryDetailMs: o.settings.inventoryDetailMs,
      inventoryIntervalMs: o.freshInventory ? 0 : o.settings.inventoryIntervalMs,
      traceDetailRate: o.settings.traceDetailRate,
      logsMode: o.settings.logsMode,
      purgedBefore,
      only: o.only,
      signal: o.signal,
      onProgress: o.onProgress,
      log: o.log,
    };
    out.push(await runCycle(ctx, opts));
  }
  return out;
}

export interface WorkerOptions extends Omit<CollectionOptions, "since" | "now" | "rescan"> {
  intervalMs: number;
  /** Window of a source's first cycle. */
  initialWindowMs: number;
  onCycle?: (results: CycleResult[], ms: number) => void;
  /** This worker's name in source leases (default host:pid:random). */
  owner?: string;
  /** How long a source lease lasts without renewal; a dead worker's sources are taken over after it (default settings.leaseMs, else 120 s). */
  leaseMs?: number;
}

/**
 * Repeats collection until the signal aborts; retention runs hourly. Sources are leased
 * (lib/worker/leases.ts), so N workers on one store share them: each due source is collected
 * by exactly one worker per interval, and a dead worker's sources are taken over at expiry.
 */
export async function runWorker(o: WorkerOptions): Promise<void> {
  let lastRetention = 0;
  const owner = o.owner ?? workerOwnerId();
  const ttl = o.leaseMs ?? o.settings.leaseMs ?? 120_000;
  const byId = new Map(o.sources.map((s) => [s.id, s]));
  const ids = [...byId.keys()];
  while (!o.signal?.aborted) {
    const started = Date.now();
    const results: CycleResult[] = [];
    const done = new Set<number>();
    try {
      for (;;) {
        if (o.signal?.aborted) break;
        const id = await claimNextSource(o.store, owner, ids, Date.now(), ttl, done);
        if (id === null) break;
        done.add(id);
        const ctx = byId.get(id)!;
        const cycleStart = Date.now();
        o.log?.(`lease: ${ctx.config.name} claimed by ${owner}`);
        const renew = setInterval(() => void extendLease(o.store, owner, id, Date.now() + ttl).catch(() => false), Math.max(1_000, Math.floor(ttl / 3)));
        try {
          results.push(...(await runCollection({ ...o, sources: [ctx], since: cycleStart - o.initialWindowMs })));
        } finally {
          clearInterval(renew);
          const kept = await extendLease(o.store, owner, id, dueAfterCycle(cycleStart, o.intervalMs, Date.now()));
          o.log?.(`lease: ${ctx.config.name} collected by ${owner}${kept ? "" : " (lease lost meanwhile)"}`);
        }
      }
      if (results.length) o.onCycle?.(results, Date.now() - started);
    } catch (err) {
      o.log?.(`cycle failed: ${(err as Error).stack ?? err}`);
    }
    if (!o.signal?.aborted && Date.now() - lastRetention > 3_600_000) {
      lastRetention = Date.now();
      try {
        const r = await applyRetention(o.store, o.settings.retention);
        const n = Object.values(r.deleted).reduce((a, b) => a + b, 0);
        if (n > 0) o.log?.(`retention: deleted ${n} rows`);
      } catch (err) {
        o.log?.(`retention failed: ${(err as Error).message}`);
      }
    }
    let wait = o.intervalMs;
    try {
      wait = nextWakeMs(await readLeases(o.store, ids), Date.now(), o.intervalMs);
    } catch (err) {
      o.log?.(`lease read failed: ${(err as Error).message}`);
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, wait);
      o.signal?.addEventListener("abort", () => {
        clearTimeout(t);
        resolve();
      }, { once: true });
    });
  }
}
