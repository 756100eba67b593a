/** Runs Faasight's collection against a test endpoint, and snapshots the store to prove re-runs change nothing. */
import crypto from "node:crypto";
import type { TestDatabase } from "./databases.ts";
import { openStore, all, type Store } from "../../../lib/store/sql.ts";
import { openSources, runCollection, settingsFromEnv, type CollectSettings } from "../../../lib/worker/collect.ts";
import { parseEnv } from "../../../lib/env.ts";
import type { CycleResult } from "../../../lib/worker/cycle.ts";
import type { SourceContext } from "../../../lib/worker/sources.ts";

export interface Collector {
  store: Store;
  settings: CollectSettings;
  sources: SourceContext[];
  collect(o: { since: number; rescan?: boolean; now?: number }): Promise<CycleResult[]>;
  close(): Promise<void>;
}

const lastCapture = new Map<string, { by: symbol; visibleAt: number }>();

/** Opens a store and one source for `endpoint` (placeholder credentials, scaled quotas). */
export async function openCollector(h: TestDatabase, endpoint: string, env: Record<string, string> = {}): Promise<Collector> {
  const store = openStore(h.url);
  const e = parseEnv({ FAASIGHT_QUOTA_SCALE: "200", ...env });
  const settings = settingsFromEnv(e);
  const sources = await openSources(h.db, e, settings, { sources: [{ name: "test", region: "us-east-1", endpoint, enabled: true }], staticCredentials: true });
  const self = Symbol("collector");
  return {
    store,
    settings,
    sources,
    async collect(o) {
      // Tests collect one endpoint into several stores one after another: the DLQ messages another
      // store's capture received stay hidden for its visibility timeout; wait that out first.
      const last = lastCapture.get(endpoint);
      if (last && last.by !== self) await new Promise((resolve) => setTimeout(resolve, Math.max(0, last.visibleAt - Date.now())));
      try {
        return await runCollection({ db: h.db, store, sources, settings, since: o.since, rescan: o.rescan, now: o.now });
      } finally {
        lastCapture.set(endpoint, { by: self, visibleAt: Date.now() + settings.dlqVisibilitySeconds * 1000 + 500 });
      }
    },
    async close() {
      for (const s of sources) s.clients.destroy();
      await store.close();
    },
  };
}

/** Collector runs that did not finish cleanly, as readable lines. */
export function problems(results: CycleResult[]): string[] {
  return results.flatMap((r) => Object.entries(r.collectors).filter(([, c]) => c && c.status !== "ok").map(([n, c]) => `${n}: ${c!.status} ${c!.error ?? ""}`));
}

// Bookkeeping that legitimately moves on every run (when a check ran, not what it found).
const VOLATILE: Record<string, string[]> = {
  Source: ["updatedAt"],
  Queue: ["depthAt", "updatedAt"],
  LambdaFunction: ["updatedAt"],
  CollectorCursor: ["updatedAt"],
};
const TABLES = [
  "Source",
  "LambdaFunction",
  "FunctionVersion",
  "FunctionAlias",
  "ProvisionedConcurrencyConfig",
  "EventSourceMapping",
  "Api",
  "ApiStage",
  "ApiRoute",
  "Queue",
  "Topic",
  "EventRule",
  "Invocation",
  "LogEvent",
  "Trace",
  "ApiRequest",
  "MetricPoint",
  "MinuteRollup",
  "HourRollup",
  "DayRollup",
  "FleetHourRollup",
  "FleetMinuteRollup",
  "StageMinuteRollup",
  "StageHourRollup",
  "ErrorGroup",
  "FailedEvent",
  "CollectorCursor",
];

/** A digest per table of every row (by id), volatile bookkeeping columns left out. */
export async function snapshot(store: Store): Promise<Record<string, { rows: number; digest: string }>> {
  const out: Record<string, { rows: number; digest: string }> = {};
  for (const t of TABLES) {
    const rows = await store.read(() => all<Record<string, unknown>>(`SELECT * FROM "${t}" ORDER BY "id"`));
    const hash = crypto.createHash("sha256");
    for (const r of rows) {
      for (const c of VOLATILE[t] ?? []) delete r[c];
      // Cursors may be re-written to the same or a later position; their set must not change.
      if (t === "CollectorCursor") delete r.position;
      hash.update(JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? v.toString() : v instanceof Date ? v.toISOString() : v)));
    }
    out[t] = { rows: rows.length, digest: hash.digest("hex").slice(0, 16) };
  }
  return out;
}
