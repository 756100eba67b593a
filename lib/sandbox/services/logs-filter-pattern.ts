/**
 * CloudWatch Logs filter patterns, compiled to predicates over a log message:
 * terms (all must appear, case-sensitive), "quoted phrases", ?term (any of), -term
 * (none of), %regex%, JSON patterns ({ $.level = "ERROR" && $.ms > 100 }) and
 * space-delimited patterns ([ip, user, ..., status = 5*, size]).
 */

/** Raised for a pattern the sandbox cannot parse (AWS answers InvalidParameterException). */
export class FilterPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FilterPatternError";
  }
}

export type MessagePredicate = (message: string) => boolean;

/** Compiles a filter pattern; an empty or missing pattern matches every message. */
export function compileFilterPattern(pattern: string | undefined | null): MessagePredicate {
  const p = (pattern ?? "").trim();
  if (p === "" || p === '""') return () => true;
  if (p.startsWith("{")) {
    if (!p.endsWith("}")) throw new FilterPatternError(`Invalid JSON filter pattern: ${pattern}`);
    const cond = parseJsonPattern(p.slice(1, -1));
    return (message) => {
      const doc = parseJsonObject(message);
      return doc !== undefined && cond(doc);
    };
  }
  if (p.startsWith("[")) {
    if (!p.endsWith("]")) throw new FilterPatternError(`Invalid space-delimited filter pattern: ${pattern}`);
    return compileSpaceDelimited(p.slice(1, -1));
  }
  if (p.length > 2 && p.startsWith("%") && p.endsWith("%")) {
    const re = compileRegex(p.slice(1, -1));
    return (message) => re.test(message);
  }
  return compileTerms(p);
}

// ---------------------------------------------------------------- terms

function compileTerms(p: string): MessagePredicate {
  const all: string[] = [];
  const any: string[] = [];
  const none: string[] = [];
  const re = /([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(p))) {
    const term = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : m[3]!;
    if (term === "") continue;
    (m[1] === "?" ? any : m[1] === "-" ? none : all).push(term);
  }
  return (message) => all.every((t) => message.includes(t)) && (any.length === 0 || any.some((t) => message.includes(t))) && !none.some((t) => message.includes(t));
}

function compileRegex(src: string): RegExp {
  try {
    return new RegExp(src);
  } catch {
    throw new FilterPatternError(`Invalid regular expression in filter pattern: %${src}%`);
  }
}

// ---------------------------------------------------------------- JSON

type JsonCond = (doc: unknown) => boolean;

function parseJsonObject(message: string): unknown {
  const s = message.trimStart();
  if (!s.startsWith("{") && !s.startsWith("[")) return undefined;
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

interface Tok {
  t: string;
  kind: "sel" | "str" | "num" | "re" | "op" | "word" | "punct";
}

function tokenizeJson(src: string): Tok[] {
  const out: Tok[] = [];
  const re = /\s*(?:(\$(?:\.[A-Za-z0-9_@$*-]+|\[\d+\]|\[\*\])*)|"((?:[^"\\]|\\.)*)"|%((?:[^%\\]|\\.)*)%|(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)(?![\w.])|(&&|\|\||!=|<=|>=|=|<|>)|([()])|([^\s()=!<>&|"]+))/y;
  let pos = 0;
  while (pos < src.length) {
    re.lastIndex = pos;
    const m = re.exec(src);
    if (!m || re.lastIndex === pos) {
      if (src.slice(pos).trim() === "") break;
      throw new FilterPatternError(`Invalid JSON filter pattern near: ${src.slice(pos)}`);
    }
    pos = re.lastIndex;
    if (m[1] !== undefined) out.push({ t: m[1], kind: "sel" });
    else if (m[2] !== undefined) out.push({ t: m[2].replace(/\\(.)/g, "$1"), kind: "str" });
    else if (m[3] !== undefined) out.push({ t: m[3], kind: "re" });
    else if (m[4] !== undefined) out.push({ t: m[4], kind: "num" });
    else if (m[5] !== undefined) out.push({ t: m[5], kind: "op" });
    else if (m[6] !== undefined) out.push({ t: m[6], kind: "punct" });
    else if (m[7] !== undefined) out.push({ t: m[7], kind: "word" });
  }
  return out;
}

function select(doc: unknown, selector: string): { found: boolean; value: unknown } {
  let cur: unknown = doc;
  const parts = selector.slice(1).match(/\.[^.[]+|\[\d+\]|\[\*\]/g) ?? [];
  for (const part of parts) {
    if (cur === null || typeof cur !== "object") return { found: false, value: undefined };
    if (part === "[*]" || part === ".*") return { found: true, value: cur };
    const key = part.startsWith("[") ? Number(part.slice(1, -1)) : part.slice(1);
    if (!(key in (cur as Record<string | number, unknown>))) return { found: false, value: undefined };
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return { found: true, value: cur };
}

/** Wildcard string match: `*` matches any run of characters. */
function wildcard(pattern: string): (s: string) => boolean {
  if (!pattern.includes("*")) return (s) => s === pattern;
  const re = new RegExp(`^${pattern.split("*").map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "s");
  return (s) => re.test(s);
}

function compare(op: string, value: Tok): (actual: unknown) => boolean {
  if (value.kind === "num") {
    const n = Number(value.t);
    const num = (a: unknown) => (typeof a === "number" ? a : typeof a === "string" && a.trim() !== "" && !Number.isNaN(Number(a)) ? Number(a) : undefined);
    const cmp: Record<string, (a: number) => boolean> = { "=": (a) => a === n, "!=": (a) => a !== n, "<": (a) => a < n, ">": (a) => a > n, "<=": (a) => a <= n, ">=": (a) => a >= n };
    const f = cmp[op];
    if (!f) throw new FilterPatternError(`Invalid operator ${op} in filter pattern.`);
    return (a) => {
      const v = num(a);
      return v !== undefined && f(v);
    };
  }
  if (op !== "=" && op !== "!=") throw new FilterPatternError(`Operator ${op} needs a numeric value in filter pattern.`);
  let test: (s: string) => boolean;
  if (value.kind === "re") {
    const re = compileRegex(value.t);
    test = (s) => re.test(s);
  } else test = wildcard(value.t);
  const matches = (a: unknown) => (typeof a === "string" || typeof a === "number" || typeof a === "boolean") && test(String(a));
  return op === "=" ? matches : (a) => a !== undefined && !matches(a);
}

function parseJsonPattern(src: string): JsonCond {
  const toks = tokenizeJson(src);
  let pos = 0;
  const peek = () => toks[pos];
  const next = () => {
    const t = toks[pos++];
    if (!t) throw new FilterPatternError("Unexpected end of JSON filter pattern.");
    return t;
  };
  const or = (): JsonCond => {
    let left = and();
    while (peek()?.t === "||") {
      next();
      const l = left;
      const r = and();
      left = (d) => l(d) || r(d);
    }
    return left;
  };
  const and = (): JsonCond => {
    let left = atom();
    while (peek()?.t === "&&") {
      next();
      const l = left;
      const r = atom();
      left = (d) => l(d) && r(d);
    }
    return left;
  };
  const atom = (): JsonCond => {
    const t = next();
    if (t.t === "(" && t.kind === "punct") {
      const inner = or();
      if (next().t !== ")") throw new FilterPatternError("Missing ')' in JSON filter pattern.");
      return inner;
    }
    if (t.kind !== "sel") throw new FilterPatternError(`Expected a $. selector in JSON filter pattern, got ${t.t}.`);
    const sel = t.t;
    const op = next();
    if (op.kind === "word" && op.t.toUpperCase() === "IS") {
      const what = next().t.toUpperCase();
      if (what === "NULL") return (d) => select(d, sel).found && select(d, sel).value === null;
      if (what === "TRUE") return (d) => select(d, sel).value === true;
      if (what === "FALSE") return (d) => select(d, sel).value === false;
      throw new FilterPatternError(`Invalid IS ${what} in JSON filter pattern.`);
    }
    if (op.kind === "word" && op.t.toUpperCase() === "NOT") {
      if (next().t.toUpperCase() !== "EXISTS") throw new FilterPatternError("Expected NOT EXISTS in JSON filter pattern.");
      return (d) => !select(d, sel).found;
    }
    if (op.kind === "word" && op.t.toUpperCase() === "EXISTS") return (d) => select(d, sel).found;
    if (op.kind !== "op" || op.t === "&&" || op.t === "||") throw new FilterPatternError(`Expected a comparison after ${sel} in JSON filter pattern.`);
    const value = next();
    if (value.kind === "op" || value.kind === "punct" || value.kind === "sel") throw new FilterPatternError(`Expected a value after ${sel} ${op.t}.`);
    const test = compare(op.t, value.kind === "word" ? { t: value.t, kind: "str" } : value);
    return (d) => {
      const { found, value: actual } = select(d, sel);
      if (!found) return false;
      return Array.isArray(actual) && sel.endsWith("[*]") ? actual.some(test) : test(actual);
    };
  };
  const cond = or();
  if (pos !== toks.length) throw new FilterPatternError(`Unexpected ${toks[pos]!.t} in JSON filter pattern.`);
  return cond;
}

// ---------------------------------------------------------------- space-delimited

type FieldSpec = { ellipsis: true } | { ellipsis: false; test?: (field: string) => boolean };

/** Splits a message into space-delimited fields; "quoted" and [bracketed] runs are one field. */
function splitFields(message: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|\[([^\]]*)\]|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(message))) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

function compileSpaceDelimited(inner: string): MessagePredicate {
  const specs: FieldSpec[] = inner.split(",").map((raw) => {
    const s = raw.trim();
    if (s === "...") return { ellipsis: true };
    const m = /^([A-Za-z_][\w]*)\s*(?:(!=|<=|>=|=|<|>)\s*(.+))?$/.exec(s);
    if (!m) throw new FilterPatternError(`Invalid field "${s}" in space-delimited filter pattern.`);
    if (!m[2]) return { ellipsis: false };
    const v = m[3]!.trim();
    const tok: Tok = /^-?\d+(\.\d+)?$/.test(v) ? { t: v, kind: "num" } : { t: v.replace(/^"(.*)"$/, "$1"), kind: "str" };
    const test = compare(m[2], tok);
    return { ellipsis: false, test: (f: string) => test(f) };
  });
  const match = (fields: string[], fi: number, si: number): boolean => {
    if (si === specs.length) return fi === fields.length;
    const spec = specs[si]!;
    if (spec.ellipsis) {
      for (let k = fi; k <= fields.length; k++) if (match(fields, k, si + 1)) return true;
      return false;
    }
    if (fi >= fields.length) return false;
    if (spec.test && !spec.test(fields[fi]!)) return false;
    return match(fields, fi + 1, si + 1);
  };
  return (message) => match(splitFields(message), 0, 0);
}
