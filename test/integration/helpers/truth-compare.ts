/**
 * Compares the store with the simulator's ground truth, like with like: $ALL and version
 * rows on every log-derived figure, alias rows on what the Resource metrics give
 * (invocations, errors, throttles); stages by status code; DLQs; correlations.
 */
import type { Db } from "../../../lib/db.ts";
import { getSummary } from "../../../lib/queries/summary/get-summary.ts";
import type { GroundTruth } from "../../../lib/simulate/truth.ts";

export interface CompareOptions {
  /** Skip percentile checks (e.g. when the histogram is not under test). */
  percentiles?: boolean;
  /** Skip traces (emulators without X-Ray). */
  traces?: boolean;
  /** Skip alias rows (emulators whose metric dimensions differ). */
  aliases?: boolean;
  /** Skip stage cache figures (metrics-derived). */
  cache?: boolean;
  throttles?: boolean;
  /** Queues to leave out (an emulator that does not store the setting that makes them DLQs). */
  skipQueues?: string[];
  /** Stages ("api/stage") compared on metric counts only (no access log known for them). */
  stageCountsOnly?: string[];
}

const close = (a: number | null, b: number | null, rel: number) => a !== null && b !== null && Math.abs(a - b) <= rel * Math.max(Math.abs(b), 1e-9) + 1e-6;

/** Every difference between the store and the truth, as readable lines (empty = equal). */
export async function compareWithTruth(db: Db, truth: GroundTruth, o: CompareOptions = {}): Promise<string[]> {
  const out: string[] = [];
  const from = new Date(Date.parse(truth.window.start) - 3_600_000);
  const to = new Date(Date.parse(truth.window.end) + 3_600_000);
  const s = await getSummary(db, { from, to });
  const byKey = new Map(s.functions.map((f) => [`${f.name}/${f.qualifier}`, f]));
  const seen = new Set<string>();
  for (const t of truth.functions) {
    const key = `${t.name}/${t.qualifier}`;
    seen.add(key);
    const f = byKey.get(key);
    const alias = !(t.qualifier === "$ALL" || t.qualifier === "$LATEST" || /^\d+$/.test(t.qualifier));
    if (alias && o.aliases === false) continue;
    if (!f) {
      if (t.invocations > 0 || (t.throttles > 0 && o.throttles !== false)) out.push(`${key}: missing (truth ${t.invocations} invocations, ${t.throttles} throttles)`);
      continue;
    }
    const eq = (field: string, a: unknown, b: unknown) => {
      if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${key} ${field}: store ${JSON.stringify(a)} truth ${JSON.stringify(b)}`);
    };
    eq("invocations", f.invocations, t.invocations);
    eq("errors", f.errors, t.errors);
    if (o.throttles !== false) eq("throttles", f.throttles, t.throttles);
    if (alias) continue;
    eq("errorsByType", f.errorsByType, t.errorsByType);
    eq("timeouts", f.timeouts, t.timeouts);
    eq("oomKills", f.oomKills, t.oomKills);
    eq("coldStarts", f.coldStarts, t.coldStarts);
    eq("billedMs", f.billedMs, t.billedMs);
    eq("gbSeconds", f.gbSeconds, t.gbSeconds);
    if (o.percentiles !== false && t.invocations > 0) {
      // The mergeable histogram answers within 2% of the value at the rank.
      if (!close(f.p50Ms, t.p50Ms, 0.025)) out.push(`${key} p50Ms: store ${f.p50Ms} truth ${t.p50Ms}`);
      if (!close(f.p99Ms, t.p99Ms, 0.025)) out.push(`${key} p99Ms: store ${f.p99Ms} truth ${t.p99Ms}`);
    }
  }
  for (const f of s.functions) {
    const key = `${f.name}/${f.qualifier}`;
    if (!seen.has(key) && (f.invocations > 0 || f.errors > 0)) out.push(`${key}: in the store (${f.invocations} invocations) but not in the truth`);
  }

  const stages = new Map(s.stages.map((x) => [`${x.api}/${x.stage}`, x]));
  for (const t of truth.stages) {
    const x = stages.get(`${t.api}/${t.stage}`);
    if (!x) {
      out.push(`stage ${t.api}/${t.stage}: missing`);
      continue;
    }
    for (const field of ["requests", "status4xx", "status5xx"] as const) if (x[field] !== t[field]) out.push(`stage ${t.api}/${t.stage} ${field}: store ${x[field]} truth ${t[field]}`);
    if (o.stageCountsOnly?.includes(`${t.api}/${t.stage}`)) continue;
    if (JSON.stringify(x.byStatus) !== JSON.stringify(Object.fromEntries(Object.entries(t.byStatus).sort(([a], [b]) => Number(a) - Number(b)))))
      out.push(`stage ${t.api}/${t.stage} byStatus: store ${JSON.stringify(x.byStatus)} truth ${JSON.stringify(t.byStatus)}`);
    if (o.cache !== false && (x.cacheHits !== t.cacheHits || x.cacheMisses !== t.cacheMisses)) out.push(`stage ${t.api}/${t.stage} cache: store ${x.cacheHits}/${x.cacheMisses} truth ${t.cacheHits}/${t.cacheMisses}`);
  }

  const dlqs = new Map(s.dlqs.map((d) => [d.queue, d]));
  for (const q of truth.queues) {
    if (q.kind === "source" || o.skipQueues?.includes(q.queue)) continue;
    const d = dlqs.get(q.queue);
    if (!d) {
      out.push(`queue ${q.queue}: missing`);
      continue;
    }
    if (d.depth !== q.depth) out.push(`queue ${q.queue} depth: store ${d.depth} truth ${q.depth}`);
    if (d.captured !== q.depth) out.push(`queue ${q.queue} captured messages: store ${d.captured} truth ${q.depth}`);
    if (d.linked !== d.captured && !(await db.failedEvent.count({ where: { queue: { name: q.queue }, sourceKind: "esm_dlq" } })))
      out.push(`queue ${q.queue}: ${d.captured - d.linked} captured message(s) not linked to an invocation`);
  }

  // Raw rows: every log line once, every traced invocation linked to its trace.
  const fns = await db.lambdaFunction.findMany({ select: { id: true, name: true } });
  for (const f of fns) {
    const t = truth.functions.find((r) => r.name === f.name && r.qualifier === "$ALL");
    if (!t) continue;
    const lines = await db.logEvent.count({ where: { functionId: f.id } });
    if (lines !== t.logLines) out.push(`${f.name}: ${lines} log events stored, truth ${t.logLines}`);
    if (o.traces !== false) {
      const traced = await db.invocation.findMany({ where: { functionId: f.id, traceId: { not: null } }, select: { traceId: true } });
      if (traced.length !== t.tracedInvocations) out.push(`${f.name}: ${traced.length} traced invocations, truth ${t.tracedInvocations}`);
      const ids = [...new Set(traced.map((i) => i.traceId!))];
      let found = 0;
      for (let i = 0; i < ids.length; i += 500) found += await db.trace.count({ where: { traceId: { in: ids.slice(i, i + 500) } } });
      if (found !== ids.length) out.push(`${f.name}: ${ids.length - found} traced invocation(s) without their trace`);
    }
  }
  if (o.traces !== false) {
    const traces = await db.trace.count();
    if (traces !== truth.traces) out.push(`traces: store ${traces} truth ${truth.traces}`);
  }
  // Failed events: the attempt count is the number of invocations of the request id.
  const events = await db.failedEvent.findMany({ where: { status: "new" } });
  for (const e of events) {
    if (e.sourceKind === "esm_dlq") {
      // An event source mapping's DLQ message carries no request id: its function and its attempts (maxReceiveCount).
      const src = await db.queue.findFirst({ where: { redriveTargetArn: (await db.queue.findUnique({ where: { id: e.queueId } }))!.arn } });
      if (!e.functionId) out.push(`failed event ${e.messageId} (esm): no function`);
      if (e.attempts !== src?.maxReceiveCount) out.push(`failed event ${e.messageId} (esm): attempts ${e.attempts}, source queue maxReceiveCount ${src?.maxReceiveCount}`);
      continue;
    }
    if (!e.requestId || !e.functionId) {
      out.push(`failed event ${e.messageId}: no request id or function`);
      continue;
    }
    const attempts = await db.invocation.count({ where: { functionId: e.functionId, requestId: e.requestId } });
    if (e.attempts !== attempts) out.push(`failed event ${e.messageId} (${e.requestId}): attempts ${e.attempts}, invocations ${attempts}`);
    if (e.invocationId === null) out.push(`failed event ${e.messageId}: not linked to an invocation`);
  }
  out.push(...(await compareRollupLevels(db)));
  return out;
}

/**
 * The coarse rollups agree with the rows below them: each day row is the sum of its hour
 * rows (per function and qualifier), each fleet minute the sum of the functions' $ALL minutes.
 */
export async function compareRollupLevels(db: Db): Promise<string[]> {
  const out: string[] = [];
  const DAY = 86_400_000;
  type Sums = { invocations: number; errors: number; coldStarts: number; mbMs: bigint; histCount: number };
  const add = (m: Map<string, Sums>, k: string, r: { invocations: number; errors: number; coldStarts: number; mbMs: bigint; hist: string }) => {
    const cur = m.get(k) ?? { invocations: 0, errors: 0, coldStarts: 0, mbMs: 0n, histCount: 0 };
    cur.invocations += r.invocations;
    cur.errors += r.errors;
    cur.coldStarts += r.coldStarts;
    cur.mbMs += BigInt(r.mbMs);
    cur.histCount += r.hist ? (JSON.parse(r.hist) as { n: number }).n : 0;
    m.set(k, cur);
  };
  const show = (v: Sums | undefined) => JSON.stringify(v ?? null, (_k, x) => (typeof x === "bigint" ? x.toString() : x));
  const select = { functionId: true, qualifier: true, bucketStart: true, invocations: true, errors: true, coldStarts: true, mbMs: true, hist: true } as const;
  const fromHours = new Map<string, Sums>();
  for (const r of await db.hourRollup.findMany({ select })) add(fromHours, `${r.functionId}/${r.qualifier}/${Math.floor(r.bucketStart.getTime() / DAY) * DAY}`, r);
  const days = new Map<string, Sums>();
  for (const r of await db.dayRollup.findMany({ select })) add(days, `${r.functionId}/${r.qualifier}/${r.bucketStart.getTime()}`, r);
  for (const k of new Set([...fromHours.keys(), ...days.keys()])) if (show(fromHours.get(k)) !== show(days.get(k))) out.push(`day rollup ${k}: day row ${show(days.get(k))}, its hours ${show(fromHours.get(k))}`);
  const fns = new Map((await db.lambdaFunction.findMany({ select: { id: true, sourceId: true } })).map((f) => [f.id, f.sourceId]));
  const fromMinutes = new Map<string, Sums>();
  for (const r of await db.minuteRollup.findMany({ where: { qualifier: "$ALL" }, select })) add(fromMinutes, `${fns.get(r.functionId)}/${r.bucketStart.getTime()}`, r);
  const fleet = new Map<string, Sums>();
  for (const r of await db.fleetMinuteRollup.findMany()) add(fleet, `${r.sourceId}/${r.bucketStart.getTime()}`, r);
  // A minute whose rows all count zero may have no fleet row.
  for (const k of new Set([...fromMinutes.keys(), ...fleet.keys()])) {
    const a = fromMinutes.get(k);
    if (show(a) !== show(fleet.get(k)) && !(fleet.get(k) === undefined && a && a.invocations === 0 && a.histCount === 0 && a.errors === 0)) out.push(`fleet minute ${k}: fleet row ${show(fleet.get(k))}, its functions' minutes ${show(a)}`);
  }
  return out;
}
