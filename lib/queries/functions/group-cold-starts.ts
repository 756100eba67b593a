/**
 * Cold starts grouped by runtime, architecture and memory size: which configurations start
 * cold most often and take longest to initialise (from the per-function figures, pure).
 */
export interface ColdStartInput {
  runtime: string | null;
  architecture: string;
  memoryMb: number;
  stats: { invocations: number; coldStarts: number; avgInitMs: number | null };
}

export interface ColdStartGroup {
  runtime: string;
  architecture: string;
  memoryMb: number;
  functions: number;
  invocations: number;
  coldStarts: number;
  /** coldStarts / invocations; null without invocations. */
  rate: number | null;
  /** Mean Init Duration over the group's cold starts (ms); null without cold starts. */
  avgInitMs: number | null;
}

/** One row per runtime x architecture x memory, highest cold-start rate first. */
export function groupColdStarts(rows: ColdStartInput[]): ColdStartGroup[] {
  const groups = new Map<string, ColdStartGroup & { initSum: number }>();
  for (const r of rows) {
    const runtime = r.runtime ?? "container image";
    const key = `${runtime}\u0000${r.architecture}\u0000${r.memoryMb}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { runtime, architecture: r.architecture, memoryMb: r.memoryMb, functions: 0, invocations: 0, coldStarts: 0, rate: null, avgInitMs: null, initSum: 0 }));
    g.functions++;
    g.invocations += r.stats.invocations;
    g.coldStarts += r.stats.coldStarts;
    if (r.stats.avgInitMs !== null) g.initSum += r.stats.avgInitMs * r.stats.coldStarts;
  }
  return [...groups.values()]
    .map(({ initSum, ...g }) => ({ ...g, rate: g.invocations > 0 ? g.coldStarts / g.invocations : null, avgInitMs: g.coldStarts > 0 ? initSum / g.coldStarts : null }))
    .sort((a, b) => (b.rate ?? -1) - (a.rate ?? -1) || a.runtime.localeCompare(b.runtime) || a.memoryMb - b.memoryMb);
}
