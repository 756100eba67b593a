/**
 * The terminal summary (`faasight summary`), from the store only: per function and
 * qualifier, per API stage, per DLQ/destination queue. Version and $ALL rows come from
 * REPORT lines (exact); alias rows from the AWS/Lambda Resource=fn:alias metrics, which
 * give invocations, errors and throttles only — their other figures are null, not zero.
 */
import type { Db } from "../../db.ts";
import { readFunctionRollups, totalsBy } from "../shared/rollups.ts";
import { quantile, type DurationHistogram } from "../../histogram/histogram.ts";

export interface SummaryFunction {
  name: string;
  qualifier: string;
  /** all = $ALL, version = an executed version, alias = through an alias (metrics). */
  kind: "all" | "version" | "alias";
  invocations: number;
  errors: number;
  errorsByType: Record<string, number> | null;
  throttles: number;
  timeouts: number | null;
  oomKills: number | null;
  coldStarts: number | null;
  billedMs: number | null;
  gbSeconds: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  malformedLines: number | null;
}

export interface SummaryStage {
  api: string;
  apiType: string;
  stage: string;
  requests: number;
  status4xx: number;
  status5xx: number;
  byStatus: Record<string, number>;
  cacheHits: number;
  cacheMisses: number;
}

export interface SummaryDlq {
  queue: string;
  kind: string;
  /** Messages in the queue (visible + in flight) at the last check. */
  depth: number;
  visible: number;
  inFlight: number;
  /** Captured messages still in the queue. */
  captured: number;
  /** Captured messages linked to the invocation that failed. */
  linked: number;
  oldestAgeSec: number | null;
  checkedAt: string | null;
}

export interface Summary {
  window: { from: string; to: string };
  functions: SummaryFunction[];
  stages: SummaryStage[];
  dlqs: SummaryDlq[];
}

/** Qualifier kind: $ALL, an executed version ($LATEST or a number), or an alias. */
export function qualifierKind(q: string): SummaryFunction["kind"] {
  if (q === "$ALL") return "all";
  if (q === "$LATEST" || /^\d+$/.test(q)) return "version";
  return "alias";
}

/** GB-seconds from MB-ms, rounded to 1e-9 (the ground truth's precision). */
export function gbSecondsFromMbMs(mbMs: bigint): number {
  const whole = mbMs / 1_024_000n;
  const rest = Number(mbMs % 1_024_000n) / 1_024_000;
  return Math.round((Number(whole) + rest) * 1e9) / 1e9;
}

const round3 = (n: number | null) => (n === null ? null : Math.round(n * 1000) / 1000);

/** Nearest-rank percentile (the value at rank ceil(q·n)), within the histogram's 2%. */
export function nearestRankQuantile(h: DurationHistogram | null, q: number): number | null {
  if (!h || h.count === 0) return null;
  if (h.count === 1) return quantile(h, 0);
  const rank0 = Math.max(0, Math.ceil(q * h.count) - 1);
  return quantile(h, (rank0 + 1e-7) / (h.count - 1));
}

/** Sort: name, then $ALL, $LATEST, numeric versions, aliases. */
export function compareRows(a: { name: string; qualifier: string }, b: { name: string; qualifier: string }): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  const rank = (q: string) => (q === "$ALL" ? 0 : q === "$LATEST" ? 1 : /^\d+$/.test(q) ? 2 : 3);
  if (rank(a.qualifier) !== rank(b.qualifier)) return rank(a.qualifier) - rank(b.qualifier);
  if (rank(a.qualifier) === 2) return Number(a.qualifier) - Number(b.qualifier);
  return a.qualifier < b.qualifier ? -1 : a.qualifier > b.qualifier ? 1 : 0;
}

/** The summary of [from, to) (minute-aligned by the caller), optionally for one source. */
export async function getSummary(db: Db, opts: { from: Date; to: Date; sourceId?: number }): Promise<Summary> {
  const fns = await db.lambdaFunction.findMany({ where: opts.sourceId ? { sourceId: opts.sourceId } : {}, select: { id: true, name: true } });
  const names = new Map(fns.map((f) => [f.id, f.name]));
  const rows = await readFunctionRollups(db, { from: opts.from, to: opts.to, functionIds: opts.sourceId ? fns.map((f) => f.id) : undefined, withHist: true });
  const totals = totalsBy(rows, (r) => `${r.functionId}\u0000${r.qualifier}`);
  const functions: SummaryFunction[] = [];
  for (const [key, t] of totals) {
    const [id, qualifier] = key.split("\u0000") as [string, string];
    const name = names.get(Number(id));
    if (!name) continue;
    const kind = qualifierKind(qualifier);
    // Rows that only hold zeros (e.g. a $LATEST throttle remainder of 0) say nothing.
    if (t.invocations === 0 && t.errors === 0 && t.throttles === 0 && t.malformedLines === 0) continue;
    const fromLogs = kind !== "alias";
    functions.push({
      name,
      qualifier,
      kind,
      invocations: t.invocations,
      errors: t.errors,
      errorsByType: fromLogs ? Object.fromEntries(Object.entries(t.errorsByType).sort(([a], [b]) => (a < b ? -1 : 1))) : null,
      throttles: t.throttles,
      timeouts: fromLogs ? t.timeouts : null,
      oomKills: fromLogs ? t.oomKills : null,
      coldStarts: fromLogs ? t.coldStarts : null,
      billedMs: fromLogs ? Number(t.billedMs) : null,
      gbSeconds: fromLogs ? gbSecondsFromMbMs(t.mbMs) : null,
      p50Ms: fromLogs ? round3(nearestRankQuantile(t.hist, 0.5)) : null,
      p99Ms: fromLogs ? round3(nearestRankQuantile(t.hist, 0.99)) : null,
      malformedLines: fromLogs ? t.malformedLines : null,
    });
  }
  functions.sort(compareRows);

  const stageRows = await db.apiStage.findMany({ where: opts.sourceId ? { api: { sourceId: opts.sourceId } } : {}, include: { api: true } });
  const stages: SummaryStage[] = [];
  for (const s of stageRows) {
    const minuteRows = await db.stageMinuteRollup.findMany({ where: { stageId: s.id, variant: "$ALL", bucketStart: { gte: opts.from, lt: opts.to } } });
    if (minuteRows.length === 0 && s.deletedAt) continue;
    const out: SummaryStage = { api: s.api.name, apiType: s.api.type, stage: s.stageName, requests: 0, status4xx: 0, status5xx: 0, byStatus: {}, cacheHits: 0, cacheMisses: 0 };
    for (const r of minuteRows) {
      out.requests += r.requests;
      out.status4xx += r.status4xx;
      out.status5xx += r.status5xx;
      out.cacheHits += r.cacheHits;
      out.cacheMisses += r.cacheMisses;
      try {
        for (const [k, v] of Object.entries(JSON.parse(r.byStatus) as Record<string, number>)) out.byStatus[k] = (out.byStatus[k] ?? 0) + v;
      } catch {
        /* a corrupt byStatus cell only loses its breakdown */
      }
    }
    out.byStatus = Object.fromEntries(Object.entries(out.byStatus).sort(([a], [b]) => Number(a) - Number(b)));
    stages.push(out);
  }
  stages.sort((a, b) => (a.api === b.api ? (a.stage < b.stage ? -1 : 1) : a.api < b.api ? -1 : 1));

  const queues = await db.queue.findMany({ where: { deletedAt: null, role: { in: ["dlq", "destination"] }, ...(opts.sourceId ? { sourceId: opts.sourceId } : {}) }, orderBy: { name: "asc" } });
  const dlqs: SummaryDlq[] = [];
  for (const q of queues) {
    const present = { queueId: q.id, status: { notIn: ["gone", "replayed", "discarded"] } };
    const [captured, linked] = await Promise.all([db.failedEvent.count({ where: present }), db.failedEvent.count({ where: { ...present, invocationId: { not: null } } })]);
    dlqs.push({
      queue: q.name,
      kind: q.role,
      depth: q.depth + q.depthInFlight,
      visible: q.depth,
      inFlight: q.depthInFlight,
      captured,
      linked,
      oldestAgeSec: q.oldestAgeSec,
      checkedAt: q.depthAt?.toISOString() ?? null,
    });
  }
  return { window: { from: opts.from.toISOString(), to: opts.to.toISOString() }, functions, stages, dlqs };
}
