/**
 * A small subset of CloudWatch metric math for GetMetricData expressions: numbers,
 * query ids, + - * / with parentheses, METRICS(), [a, b] lists and the functions
 * SUM, AVG, MIN, MAX, ABS and FILL. Series combine on the timestamps they share (as AWS).
 */

/** A time series: ascending timestamps (epoch seconds) and their values. */
export interface MathSeries {
  ts: number[];
  vals: number[];
}

type Value = number | MathSeries | MathSeries[];

type Node =
  | { kind: "num"; v: number }
  | { kind: "id"; id: string }
  | { kind: "neg"; e: Node }
  | { kind: "bin"; op: string; l: Node; r: Node }
  | { kind: "call"; fn: string; args: Node[] }
  | { kind: "list"; items: Node[] };

/** Raised for expressions the sandbox cannot parse or evaluate. */
export class MetricMathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MetricMathError";
  }
}

const FUNCTIONS = new Set(["SUM", "AVG", "MIN", "MAX", "ABS", "FILL", "METRICS"]);

function tokenize(src: string): string[] {
  return [...src.matchAll(/(\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+)|([A-Za-z_][A-Za-z0-9_]*)|(\S)/g)].map((m) => m[0]);
}

/** Parses an expression into a tree; throws MetricMathError on syntax errors. */
export function parseExpression(src: string): Node {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => tokens[pos++];
  const expect = (t: string) => {
    if (next() !== t) throw new MetricMathError(`Expected '${t}' in expression: ${src}`);
  };
  const expr = (): Node => {
    let left = term();
    while (peek() === "+" || peek() === "-") {
      const op = next()!;
      left = { kind: "bin", op, l: left, r: term() };
    }
    return left;
  };
  const term = (): Node => {
    let left = unary();
    while (peek() === "*" || peek() === "/") {
      const op = next()!;
      left = { kind: "bin", op, l: left, r: unary() };
    }
    return left;
  };
  const unary = (): Node => {
    if (peek() === "-") {
      next();
      return { kind: "neg", e: unary() };
    }
    return primary();
  };
  const primary = (): Node => {
    const t = next();
    if (t === undefined) throw new MetricMathError(`Unexpected end of expression: ${src}`);
    if (t === "(") {
      const e = expr();
      expect(")");
      return e;
    }
    if (t === "[") {
      const items: Node[] = [];
      if (peek() !== "]") {
        items.push(expr());
        while (peek() === ",") {
          next();
          items.push(expr());
        }
      }
      expect("]");
      return { kind: "list", items };
    }
    if (/^[\d.]/.test(t)) return { kind: "num", v: Number(t) };
    if (/^[A-Za-z_]/.test(t)) {
      if (peek() === "(") {
        const fn = t.toUpperCase();
        if (!FUNCTIONS.has(fn)) throw new MetricMathError(`The sandbox does not support the metric math function ${t}.`);
        next();
        const args: Node[] = [];
        if (peek() !== ")") {
          args.push(expr());
          while (peek() === ",") {
            next();
            args.push(expr());
          }
        }
        expect(")");
        return { kind: "call", fn, args };
      }
      return { kind: "id", id: t };
    }
    throw new MetricMathError(`Unexpected '${t}' in expression: ${src}`);
  };
  const tree = expr();
  if (pos !== tokens.length) throw new MetricMathError(`Unexpected '${tokens[pos]}' in expression: ${src}`);
  return tree;
}

/** Ids an expression refers to (for dependency ordering). */
export function referencedIds(node: Node): string[] {
  switch (node.kind) {
    case "id":
      return [node.id];
    case "neg":
      return referencedIds(node.e);
    case "bin":
      return [...referencedIds(node.l), ...referencedIds(node.r)];
    case "call":
    case "list":
      return (node.kind === "call" ? node.args : node.items).flatMap(referencedIds);
    default:
      return [];
  }
}

/** Whether the expression calls METRICS(). */
export function usesMetrics(node: Node): boolean {
  switch (node.kind) {
    case "call":
      return node.fn === "METRICS" || node.args.some(usesMetrics);
    case "list":
      return node.items.some(usesMetrics);
    case "neg":
      return usesMetrics(node.e);
    case "bin":
      return usesMetrics(node.l) || usesMetrics(node.r);
    default:
      return false;
  }
}

function combine(a: MathSeries, b: MathSeries, f: (x: number, y: number) => number): MathSeries {
  const out: MathSeries = { ts: [], vals: [] };
  let i = 0;
  let j = 0;
  while (i < a.ts.length && j < b.ts.length) {
    if (a.ts[i]! < b.ts[j]!) i++;
    else if (a.ts[i]! > b.ts[j]!) j++;
    else {
      out.ts.push(a.ts[i]!);
      out.vals.push(f(a.vals[i]!, b.vals[j]!));
      i++;
      j++;
    }
  }
  return out;
}

function mapSeries(s: MathSeries, f: (x: number) => number): MathSeries {
  return { ts: [...s.ts], vals: s.vals.map(f) };
}

function asList(v: Value): MathSeries[] {
  if (Array.isArray(v)) return v;
  if (typeof v === "number") throw new MetricMathError("Expected a time series or an array of time series.");
  return [v];
}

function across(list: MathSeries[], reduce: (vals: number[]) => number): MathSeries {
  const byTs = new Map<number, number[]>();
  for (const s of list) s.ts.forEach((t, i) => (byTs.get(t) ?? byTs.set(t, []).get(t)!).push(s.vals[i]!));
  const ts = [...byTs.keys()].sort((a, b) => a - b);
  return { ts, vals: ts.map((t) => reduce(byTs.get(t)!)) };
}

const reducers: Record<string, (vals: number[]) => number> = {
  SUM: (v) => v.reduce((a, b) => a + b, 0),
  AVG: (v) => v.reduce((a, b) => a + b, 0) / v.length,
  MIN: (v) => Math.min(...v),
  MAX: (v) => Math.max(...v),
};

/**
 * Evaluates an expression. `lookup` resolves a query id; `metrics` returns the
 * MetricStat results (for METRICS()); `allTimestamps` places scalar results.
 */
export function evaluateExpression(node: Node, lookup: (id: string) => MathSeries | undefined, metrics: () => MathSeries[], allTimestamps: number[]): MathSeries {
  const ev = (n: Node): Value => {
    switch (n.kind) {
      case "num":
        return n.v;
      case "id": {
        const s = lookup(n.id);
        if (!s) throw new MetricMathError(`Unrecognized metric id ${n.id}.`);
        return s;
      }
      case "neg": {
        const v = ev(n.e);
        if (typeof v === "number") return -v;
        return Array.isArray(v) ? v.map((s) => mapSeries(s, (x) => -x)) : mapSeries(v, (x) => -x);
      }
      case "list":
        return n.items.flatMap((item) => asList(ev(item)));
      case "bin": {
        const f = { "+": (x: number, y: number) => x + y, "-": (x: number, y: number) => x - y, "*": (x: number, y: number) => x * y, "/": (x: number, y: number) => x / y }[n.op]!;
        const l = ev(n.l);
        const r = ev(n.r);
        if (Array.isArray(l) || Array.isArray(r)) throw new MetricMathError("Arithmetic on arrays of time series is not supported by the sandbox.");
        if (typeof l === "number" && typeof r === "number") return f(l, r);
        if (typeof l === "number") return mapSeries(r as MathSeries, (y) => f(l, y));
        if (typeof r === "number") return mapSeries(l, (x) => f(x, r));
        return combine(l, r, f);
      }
      case "call": {
        if (n.fn === "METRICS") return metrics();
        const args = n.args.map(ev);
        if (n.fn === "ABS") {
          const v = args[0];
          if (v === undefined) throw new MetricMathError("ABS takes one argument.");
          if (typeof v === "number") return Math.abs(v);
          return Array.isArray(v) ? v.map((s) => mapSeries(s, Math.abs)) : mapSeries(v, Math.abs);
        }
        if (n.fn === "FILL") {
          const [s, fill] = args;
          if (s === undefined || typeof fill !== "number") throw new MetricMathError("FILL takes a time series and a number.");
          const fillOne = (x: MathSeries): MathSeries => {
            const have = new Map(x.ts.map((t, i) => [t, x.vals[i]!]));
            return { ts: [...allTimestamps], vals: allTimestamps.map((t) => have.get(t) ?? fill) };
          };
          return Array.isArray(s) ? s.map(fillOne) : typeof s === "number" ? s : fillOne(s);
        }
        const reduce = reducers[n.fn]!;
        if (args.length !== 1) throw new MetricMathError(`${n.fn} takes one argument.`);
        const v = args[0]!;
        if (typeof v === "number") return v;
        if (Array.isArray(v)) return across(v, reduce);
        return v.vals.length ? reduce(v.vals) : NaN;
      }
    }
  };
  const result = ev(node);
  let series: MathSeries;
  if (typeof result === "number") series = { ts: [...allTimestamps], vals: allTimestamps.map(() => result) };
  else if (Array.isArray(result)) {
    if (result.length !== 1) throw new MetricMathError("The expression returns more than one time series; the sandbox supports single-series results.");
    series = result[0]!;
  } else series = result;
  // AWS drops points that are not finite numbers (e.g. division by zero).
  const out: MathSeries = { ts: [], vals: [] };
  series.ts.forEach((t, i) => {
    if (Number.isFinite(series.vals[i])) {
      out.ts.push(t);
      out.vals.push(series.vals[i]!);
    }
  });
  return out;
}

/** A parsed expression. */
export type ExpressionNode = Node;
