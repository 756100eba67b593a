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
  /** After each cycle (alerts, reports); awaited before the next cycle is timed. */
  onCycle?: (results: CycleResult[], ms: number) => void | Promise<void>;
}

/** Repeats collection every interval until the signal aborts; retention runs hourly. */
export async function runWorker(o: WorkerOptions): Promise<void> {
  let lastRetention = 0;
  while (!o.signal?.aborted) {
    const started = Date.now();
    try {
      const results = await runCollection({ ...o, since: started - o.initialWindowMs });
      await o.onCycle?.(results, Date.now() - started);
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
    const wait = Math.max(0, o.intervalMs - (Date.now() - started));
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, wait);
      o.signal?.addEventListener("abort", () => {
        clearTimeout(t);
        resolve();
      }, { once: true });
    });
  }
}
