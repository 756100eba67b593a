/** Shared set-up of `faasight collect` and `faasight worker`: store, sources, stop signal, reporting. */
import { env as readEnv, type Env } from "../env.ts";
import { getDb, type DbHandle } from "../db.ts";
import { migrateDatabase } from "../store/migrate.ts";
import { openStore, type Store } from "../store/sql.ts";
import { openSources, settingsFromEnv, type CollectSettings } from "../worker/collect.ts";
import { resolveSources, sandboxUrl, type SourceContext } from "../worker/sources.ts";
import type { CycleResult, ProgressEvent } from "../worker/cycle.ts";
import { addCounts, type CallCounts } from "../aws/quota.ts";

export interface CollectContext {
  env: Env;
  handle: DbHandle;
  store: Store;
  settings: CollectSettings;
  sources: SourceContext[];
  close(): Promise<void>;
}

/** Migrates the store and opens every configured source. */
export async function openCollectContext(): Promise<CollectContext> {
  const env = readEnv();
  await migrateDatabase(env.DATABASE_URL);
  const handle = getDb();
  const store = openStore(env.DATABASE_URL);
  const settings = settingsFromEnv(env);
  const resolved = resolveSources(env);
  if (resolved.sandbox) {
    const url = sandboxUrl(env);
    const ok = await fetch(`${url}/_sandbox/health`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok).catch(() => false);
    if (!ok) {
      await store.close();
      throw new Error(
        `no AWS account configured (no credentials, profile, AWS_ENDPOINT_URL or FAASIGHT_SOURCES_FILE) and no sandbox at ${url}. ` +
          "Start one with `faasight sandbox` and feed it with `faasight simulate`, or run `faasight demo`.",
      );
    }
  }
  const sources = await openSources(handle.db, env, settings, resolved);
  return {
    env,
    handle,
    store,
    settings,
    sources,
    async close() {
      for (const s of sources) s.clients.destroy();
      await store.close();
      await handle.db.$disconnect();
    },
  };
}

/** An AbortSignal raised by SIGTERM/SIGINT: the current transaction finishes, then collection stops. */
export function stopSignal(onStop?: (signal: string) => void): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handler = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    onStop?.(sig);
    controller.abort();
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
  return {
    signal: controller.signal,
    dispose() {
      process.removeListener("SIGTERM", handler);
      process.removeListener("SIGINT", handler);
    },
  };
}

/** A one-line progress display on a TTY; elsewhere one log line as each collector starts. */
export function progressLine(stream: NodeJS.WriteStream): { update(p: ProgressEvent): void; done(): void } {
  if (!stream.isTTY) {
    let current = "";
    return {
      update(p) {
        const key = `${p.source} ${p.collector}`;
        if (key === current) return;
        current = key;
        stream.write(`collect: ${key}\n`);
      },
      done() {},
    };
  }
  let last = 0;
  let shown = false;
  return {
    update(p) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const width = 24;
      const filled = p.total > 0 ? Math.round((p.done / p.total) * width) : 0;
      const bar = "#".repeat(filled) + "-".repeat(width - filled);
      const line = `${p.source} ${p.collector.padEnd(9)} [${bar}] ${p.done}/${p.total} ${p.detail ?? ""}`.slice(0, (stream.columns ?? 100) - 1);
      stream.write(`\r\x1b[K${line}`);
      shown = true;
    },
    done() {
      if (shown) stream.write("\r\x1b[K");
    },
  };
}

/** Aligns rows of cells into columns (numbers right-aligned). */
export function table(header: string[], rows: Array<Array<string | number | null>>): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (c === null ? "-" : String(c))))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => r[i] === null || typeof r[i] === "number"));
  return cells.map((r) => r.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd()).join("\n");
}

/** The report printed after a collection: per collector rows, then API calls. */
export function formatCycleReport(results: CycleResult[], ms: number): string {
  const rows: Array<Array<string | number | null>> = [];
  const calls: CallCounts = {};
  for (const r of results) {
    for (const [name, c] of Object.entries(r.collectors)) {
      if (!c) continue;
      const n = Object.values(c.calls).reduce((a, b) => a + b.calls, 0);
      const t = Object.values(c.calls).reduce((a, b) => a + b.throttled, 0);
      rows.push([r.source, name, c.status, c.written, c.skipped, c.failed, c.malformed, n, t, (c.ms / 1000).toFixed(1)]);
    }
    addCounts(calls, r.calls);
  }
  const out = [table(["source", "collector", "status", "written", "skipped", "failed", "malformed", "calls", "throttled", "seconds"], rows)];
  const apis = Object.entries(calls).sort(([a], [b]) => (a < b ? -1 : 1));
  if (apis.length) out.push("", table(["api", "calls", "throttled", "failed"], apis.map(([k, v]) => [k, v.calls, v.throttled, v.failed])));
  const errors = results.flatMap((r) => Object.entries(r.collectors).filter(([, c]) => c?.error).map(([n, c]) => `${r.source} ${n}: ${c!.error}`));
  if (errors.length) out.push("", ...errors.map((e) => `warning: ${e}`));
  out.push("", `done in ${(ms / 1000).toFixed(1)} s${results.some((r) => r.aborted) ? " (stopped early)" : ""}`);
  return out.join("\n");
}
