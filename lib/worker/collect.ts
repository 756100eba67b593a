/**
 * Collection over every configured source: opens the sources (clients, quotas, Source
 * rows), runs one cycle each, and the worker loop that repeats it on an interval with a
 * graceful stop (the current batch transaction finishes, then the loop exits).
 */
import type { Env } from "../env.ts";
import type { Db } from "../db.ts";
import type { Store } from "../store/sql.ts";
import { applyRetention, rawPurgedBefore, type RetentionSettings } from "../store/retention.ts";
import { COLLECTORS, runCycle, type CollectorName, type CycleOptions, type CycleResult, type ProgressEvent } from "./cycle.ts";
import { openSource, resolveSources, type SourceConfig, type SourceContext } from "./sources.ts";
import type { AwsTarget } from "../aws/clients.ts";
import { claimNextLogShard, claimNextSource, dueAfterCycle, extendLease, extendLogShardLease, logShardCount, logShardKey, logShardOf, nextWakeMs, readLeases, readLogShardLeases, releaseOwnLeases, workerOwnerId } from "./leases.ts";

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
  /** Above this many log groups a source's logs are leased in shards of about this size (0 = never). */
  logGroupsPerLease?: number;
  /** FAASIGHT_WORKER_ID: this worker's stable lease owner name (unset = host:pid:random). */
  workerId?: string;
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
    logGroupsPerLease: env.FAASIGHT_LOG_GROUPS_PER_LEASE,
    workerId: env.FAASIGHT_WORKER_ID,
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
  logGroupFilter?: (group: string) => boolean;
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
      logGroupFilter: o.logGroupFilter,
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
  /** This worker's name in source leases (default settings.workerId, else host:pid:random); a stable name takes back its own leases at start. */
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
  const stableOwner = o.owner ?? o.settings.workerId;
  const owner = stableOwner ?? workerOwnerId();
  const ttl = o.leaseMs ?? o.settings.leaseMs ?? 120_000;
  const byId = new Map(o.sources.map((s) => [s.id, s]));
  const ids = [...byId.keys()];
  const perLease = o.settings.logGroupsPerLease ?? 0;
  const logGroups = async (id: number) =>
    (await o.db.lambdaFunction.count({ where: { sourceId: id, deletedAt: null } })) + (await o.db.apiStage.count({ where: { deletedAt: null, accessLogGroup: { not: null }, api: { sourceId: id, deletedAt: null } } }));
  const shardsOf = new Map<number, number>();
  if (stableOwner) {
    try {
      const n = await releaseOwnLeases(o.store, owner, ids, Date.now());
      if (n > 0) o.log?.(`lease: ${owner} restarted, took back ${n} lease(s) it held`);
    } catch (err) {
      o.log?.(`lease release failed: ${(err as Error).message}`);
    }
  }
  // Collects one leased unit (a source, or one log-group shard of a large source), renewing its lease meanwhile.
  const collectLeased = async (label: string, extend: (until: number) => Promise<boolean>, collect: (cycleStart: number) => Promise<CycleResult[]>): Promise<CycleResult[]> => {
    const cycleStart = Date.now();
    o.log?.(`lease: ${label} claimed by ${owner}`);
    const renew = setInterval(() => void extend(Date.now() + ttl).catch(() => false), Math.max(1_000, Math.floor(ttl / 3)));
    try {
      return await collect(cycleStart);
    } finally {
      clearInterval(renew);
      const kept = await extend(dueAfterCycle(cycleStart, o.intervalMs, Date.now()));
      o.log?.(`lease: ${label} collected by ${owner}${kept ? "" : " (lease lost meanwhile)"}`);
    }
  };
  while (!o.signal?.aborted) {
    const started = Date.now();
    const results: CycleResult[] = [];
    const done = new Set<number>();
    try {
      if (perLease > 0) for (const id of ids) shardsOf.set(id, logShardCount(await logGroups(id), perLease));
      for (;;) {
        if (o.signal?.aborted) break;
        const id = await claimNextSource(o.store, owner, ids, Date.now(), ttl, done);
        if (id === null) break;
        done.add(id);
        const ctx = byId.get(id)!;
        const sharded = (shardsOf.get(id) ?? 1) > 1;
        // A large source's log groups are collected under their shard leases, the rest under the source's.
        const only = sharded ? (o.only ?? COLLECTORS).filter((c) => c !== "logs") : o.only;
        results.push(...(await collectLeased(ctx.config.name, (until) => extendLease(o.store, owner, id, until), (t) => runCollection({ ...o, only, sources: [ctx], since: t - o.initialWindowMs }))));
      }
      for (const [id, n] of shardsOf) {
        if (n <= 1 || (o.only && !o.only.includes("logs"))) continue;
        const ctx = byId.get(id)!;
        const shardsDone = new Set<number>();
        for (;;) {
          if (o.signal?.aborted) break;
          const shard = await claimNextLogShard(o.store, owner, id, n, Date.now(), ttl, shardsDone);
          if (shard === null) break;
          shardsDone.add(shard);
          const filter = (group: string) => logShardOf(group, n) === shard;
          results.push(
            ...(await collectLeased(`${ctx.config.name}#${logShardKey(shard, n)}`, (until) => extendLogShardLease(o.store, owner, id, shard, n, until), (t) =>
              runCollection({ ...o, only: ["logs"], logGroupFilter: filter, sources: [ctx], since: t - o.initialWindowMs }),
            )),
          );
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
      const rows = await readLeases(o.store, ids);
      for (const [id, n] of shardsOf) if (n > 1) rows.push(...(await readLogShardLeases(o.store, id, n)).values());
      wait = nextWakeMs(rows, Date.now(), o.intervalMs);
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
