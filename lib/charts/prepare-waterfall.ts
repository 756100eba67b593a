/**
 * The trace waterfall: stored segments (flat with parent ids, or nested subsegments; times
 * relative to the trace start in ms, or absolute epoch seconds as X-Ray sends them) become
 * rows with a depth, an offset and a width as shares of the trace.
 */
import { z } from "zod";

const num = z.number().finite();
type RawSegment = {
  id?: string;
  parentId?: string | null;
  name?: string;
  origin?: string;
  namespace?: string;
  kind?: string;
  startMs?: number;
  endMs?: number;
  start?: number;
  end?: number;
  start_time?: number;
  end_time?: number;
  offsetMs?: number;
  durationMs?: number;
  depth?: number;
  fault?: boolean;
  error?: boolean;
  throttle?: boolean;
  http?: unknown;
  httpStatus?: number;
  subsegments?: RawSegment[];
};
const segmentSchema: z.ZodType<RawSegment> = z.lazy(() =>
  z
    .object({
      id: z.string().optional(),
      parentId: z.string().nullable().optional(),
      name: z.string().optional(),
      origin: z.string().optional(),
      namespace: z.string().optional(),
      kind: z.string().optional(),
      startMs: num.optional(),
      endMs: num.optional(),
      start: num.optional(),
      end: num.optional(),
      start_time: num.optional(),
      end_time: num.optional(),
      offsetMs: num.optional(),
      durationMs: num.optional(),
      depth: z.number().int().min(0).optional(),
      fault: z.boolean().optional(),
      error: z.boolean().optional(),
      throttle: z.boolean().optional(),
      httpStatus: z.number().optional(),
      subsegments: z.array(segmentSchema).optional(),
    })
    .passthrough(),
);

export interface WaterfallRow {
  id: string;
  name: string;
  kind: string | null;
  depth: number;
  startMs: number;
  durationMs: number | null;
  /** Share of the trace duration before the bar, 0..100. */
  offsetPct: number;
  /** Bar width, 0..100 (at least a hairline). */
  widthPct: number;
  fault: boolean;
  error: boolean;
  throttle: boolean;
  httpStatus: number | null;
}

export interface Waterfall {
  rows: WaterfallRow[];
  totalMs: number;
  /** Why the waterfall is empty, when it is. */
  problem: string | null;
}

interface Flat {
  id: string;
  parentId: string | null;
  depth: number | null;
  raw: RawSegment;
}

function flatten(list: RawSegment[], parentId: string | null, depth: number | null, out: Flat[], prefix: string) {
  list.forEach((s, i) => {
    const id = s.id ?? `${prefix}${i}`;
    out.push({ id, parentId: s.parentId ?? parentId, depth: s.depth ?? depth, raw: s });
    if (s.subsegments?.length) flatten(s.subsegments, id, depth === null ? null : depth + 1, out, `${id}.`);
  });
}

/** Prepares waterfall rows from a stored segments JSON document. */
export function prepareWaterfall(segmentsJson: string, traceDurationMs: number): Waterfall {
  let parsed: unknown;
  try {
    parsed = JSON.parse(segmentsJson);
  } catch {
    return { rows: [], totalMs: traceDurationMs, problem: "The stored segments are not valid JSON." };
  }
  const list = z.array(segmentSchema).safeParse(Array.isArray(parsed) ? parsed : (parsed as { segments?: unknown })?.segments);
  if (!list.success) return { rows: [], totalMs: traceDurationMs, problem: "The stored segments have an unexpected shape." };
  if (list.data.length === 0) return { rows: [], totalMs: traceDurationMs, problem: "This trace has no segments." };
  const flat: Flat[] = [];
  flatten(list.data, null, 0, flat, "s");
  // Absolute X-Ray times (epoch seconds) are made relative to the earliest start.
  const absStarts = flat.map((f) => f.raw.start_time).filter((v): v is number => v !== undefined);
  const t0 = absStarts.length ? Math.min(...absStarts) : 0;
  const timed = flat.map((f) => {
    const r = f.raw;
    const start = r.startMs ?? r.offsetMs ?? r.start ?? (r.start_time !== undefined ? (r.start_time - t0) * 1000 : 0);
    const end = r.endMs ?? r.end ?? (r.end_time !== undefined ? (r.end_time - t0) * 1000 : undefined);
    const duration = r.durationMs ?? (end !== undefined ? end - start : null);
    return { ...f, start, duration };
  });
  const ids = new Map(timed.map((t) => [t.id, t]));
  const depthOf = (t: (typeof timed)[number], guard = 0): number => {
    if (t.depth !== null && t.raw.depth !== undefined) return t.raw.depth;
    if (!t.parentId || guard > 20) return t.depth ?? 0;
    const p = ids.get(t.parentId);
    return p ? depthOf(p, guard + 1) + 1 : (t.depth ?? 0);
  };
  const ends = timed.map((t) => t.start + (t.duration ?? 0));
  const totalMs = Math.max(traceDurationMs, ...ends, 1);
  // Children directly under their parent, each level in start order.
  const children = new Map<string | null, typeof timed>();
  for (const t of timed) {
    const key = t.parentId && ids.has(t.parentId) ? t.parentId : null;
    const g = children.get(key) ?? [];
    g.push(t);
    children.set(key, g);
  }
  const ordered: typeof timed = [];
  const visit = (key: string | null, guard: number) => {
    if (guard > 50) return;
    for (const c of (children.get(key) ?? []).sort((a, b) => a.start - b.start)) {
      ordered.push(c);
      visit(c.id, guard + 1);
    }
  };
  visit(null, 0);
  const rows = ordered.map((t) => {
    const offsetPct = clamp((t.start / totalMs) * 100);
    const widthPct = t.duration === null ? 0.5 : Math.max(0.5, Math.min(100 - offsetPct, (t.duration / totalMs) * 100));
    return {
      id: t.id,
      name: t.raw.name ?? t.raw.origin ?? "segment",
      kind: t.raw.kind ?? t.raw.namespace ?? t.raw.origin ?? null,
      depth: depthOf(t),
      startMs: t.start,
      durationMs: t.duration,
      offsetPct,
      widthPct,
      fault: !!t.raw.fault,
      error: !!t.raw.error,
      throttle: !!t.raw.throttle,
      httpStatus: t.raw.httpStatus ?? null,
    };
  });
  return { rows, totalMs, problem: null };
}

function clamp(v: number): number {
  return Math.max(0, Math.min(100, v));
}
