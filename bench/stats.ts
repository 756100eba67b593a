/**
 * Pure helpers of the benchmark harness: percentiles, ratios, goals and the figure shape
 * every benchmark reports (value beside its baseline measured in the same run).
 */

/** A goal as data: an upper (`max`) or lower (`min`) bound on a figure's value. */
export interface Goal {
  max?: number;
  min?: number;
  /** The goal as the issue states it. */
  text: string;
}

export interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  baselineName?: string;
  /** baseline / value for costs and latencies (how many times better), value / baseline for rates. */
  ratio?: number;
  goal: Goal | null;
  met: boolean | null;
  notes: string;
}

/** The q-quantile (0..1) of samples by linear interpolation between closest ranks; NaN when empty. */
export function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  if (q < 0 || q > 1) throw new RangeError(`quantile ${q} outside [0, 1]`);
  const s = [...samples].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** Whether a value meets a goal (null when there is no goal or no value). */
export function meets(value: number, goal: Goal | null): boolean | null {
  if (!goal || !Number.isFinite(value)) return null;
  if (goal.max !== undefined && value > goal.max) return false;
  if (goal.min !== undefined && value < goal.min) return false;
  return true;
}

/** Rounds to `digits` significant digits (keeps JSON readable; 0 and non-finite pass through). */
export function round(v: number, digits = 4): number {
  if (!Number.isFinite(v) || v === 0) return v;
  return Number(v.toPrecision(digits));
}

/**
 * Builds a figure. `higherIsBetter` says how the ratio reads: for rates value/baseline,
 * for costs and latencies baseline/value — so a ratio above 1 always means "better than the baseline".
 */
export function figure(o: { name: string; value: number; unit: string; baseline?: number; baselineName?: string; higherIsBetter?: boolean; goal?: Goal | null; notes?: string }): Figure {
  const goal = o.goal ?? null;
  let ratio: number | undefined;
  if (o.baseline !== undefined && Number.isFinite(o.baseline)) {
    const r = o.higherIsBetter ? o.value / o.baseline : o.baseline / o.value;
    ratio = Number.isFinite(r) ? round(r, 3) : undefined;
  }
  return {
    name: o.name,
    value: round(o.value),
    unit: o.unit,
    ...(o.baseline !== undefined ? { baseline: round(o.baseline), baselineName: o.baselineName } : {}),
    ...(ratio !== undefined ? { ratio } : {}),
    goal,
    met: meets(o.value, goal),
    notes: o.notes ?? "",
  };
}

/** Times an async function `n` times (after `warmup` untimed runs); returns milliseconds per run. */
export async function timeRuns(n: number, fn: () => Promise<unknown>, warmup = 1): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

/**
 * Times `fn` at most `maxRuns` times, stopping after `budgetMs` once `minRuns` are done; a
 * first warm-up run is discarded unless it alone took a tenth of the budget (slow queries are not run twice for nothing).
 */
export async function timeRunsWithin(fn: () => Promise<unknown>, o: { maxRuns: number; minRuns: number; budgetMs: number }): Promise<number[]> {
  const time = async () => {
    const t = performance.now();
    await fn();
    return performance.now() - t;
  };
  const first = await time();
  const out = first > o.budgetMs / 10 ? [first] : [];
  const t0 = performance.now();
  while (out.length < o.maxRuns && (out.length < o.minRuns || performance.now() - t0 < o.budgetMs)) out.push(await time());
  return out;
}

export interface BenchArgs {
  quick: boolean;
  /** The smallest sizes that exercise every path (CI: catches harness regressions, times nothing). */
  smoke: boolean;
  only: string[] | null;
  out: string | null;
}

/** Parses `--quick`, `--smoke` (implies quick), `--only a,b` (repeatable) and `--out FILE`. */
export function parseBenchArgs(argv: readonly string[], known: readonly string[]): BenchArgs {
  const args: BenchArgs = { quick: false, smoke: false, only: null, out: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--quick") args.quick = true;
    else if (a === "--smoke") args.smoke = args.quick = true;
    else if (a === "--only" || a.startsWith("--only=")) {
      const v = a === "--only" ? argv[++i] : a.slice("--only=".length);
      if (!v) throw new Error("--only needs a benchmark name");
      for (const name of v.split(",").map((s) => s.trim()).filter(Boolean)) {
        if (!known.includes(name)) throw new Error(`--only: unknown benchmark "${name}" (one of ${known.join(", ")})`);
        (args.only ??= []).push(name);
      }
    } else if (a === "--out") {
      const v = argv[++i];
      if (!v) throw new Error("--out needs a file");
      args.out = v;
    } else throw new Error(`unknown argument "${a}" (use --quick, --smoke, --only <name>, --out <file>)`);
  }
  return args;
}
