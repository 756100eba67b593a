import { z } from "zod";
import type { Db } from "../../db.ts";
import { readJson } from "../shared/json.ts";

export interface CollectorStatusRow {
  source: string;
  collector: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  /** Seconds since the last run finished (null while the first is running). */
  lagSec: number | null;
  written: number;
  failed: number;
  malformed: number;
  calls: number;
  throttled: number;
  error: string | null;
}

const callsSchema = z.record(z.string(), z.object({ calls: z.number().default(0), throttled: z.number().default(0) }).passthrough());

/** The latest run of each collector per source, with its API calls, throttles and malformed lines. */
export async function getCollectorStatus(db: Db, now: Date): Promise<CollectorStatusRow[]> {
  const runs = await db.collectorRun.findMany({ orderBy: { startedAt: "desc" }, take: 300, include: { source: { select: { name: true } } } });
  const seen = new Set<string>();
  const out: CollectorStatusRow[] = [];
  for (const r of runs) {
    const k = `${r.sourceId}/${r.collector}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const calls = Object.values(readJson(r.callsJson, callsSchema, {}));
    out.push({
      source: r.source.name,
      collector: r.collector,
      status: r.status,
      startedAt: r.startedAt.toISOString(),
      finishedAt: r.finishedAt?.toISOString() ?? null,
      lagSec: r.finishedAt ? Math.max(0, Math.round((now.getTime() - r.finishedAt.getTime()) / 1000)) : null,
      written: r.written,
      failed: r.failed,
      malformed: r.malformed,
      calls: calls.reduce((s, c) => s + c.calls, 0),
      throttled: calls.reduce((s, c) => s + c.throttled, 0),
      error: r.error,
    });
  }
  return out.sort((a, b) => a.source.localeCompare(b.source) || a.collector.localeCompare(b.collector));
}
