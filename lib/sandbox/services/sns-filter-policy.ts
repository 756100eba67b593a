/**
 * The content-filtering language shared by SNS filter policies and EventBridge event
 * patterns (AWS's "event ruler"): nested objects select fields, arrays list acceptable
 * leaf values or operators (prefix, suffix, equals-ignore-case, anything-but, numeric,
 * exists, cidr, wildcard), and "$or" combines alternative sub-patterns.
 */

/** A pattern that does not follow the language; the message says why. */
export class PatternSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PatternSyntaxError";
  }
}

type Leaf = string | number | boolean | null;
type PatternObject = Record<string, unknown>;

const NUMERIC_OPS = new Set(["<", "<=", "=", ">", ">="]);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isLeaf(v: unknown): v is Leaf {
  return v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}

/** Throws PatternSyntaxError unless `pattern` is a valid pattern object. */
export function validatePattern(pattern: unknown): asserts pattern is PatternObject {
  if (!isPlainObject(pattern)) throw new PatternSyntaxError("Filter is not an object");
  if (Object.keys(pattern).length === 0) throw new PatternSyntaxError("Empty objects are not allowed");
  for (const [key, value] of Object.entries(pattern)) {
    if (key === "$or") {
      if (!Array.isArray(value) || value.length < 2) throw new PatternSyntaxError('"$or" must be an array of at least two objects');
      for (const alternative of value) validatePattern(alternative);
    } else if (Array.isArray(value)) {
      if (value.length === 0) throw new PatternSyntaxError(`Empty arrays are not allowed ("${key}")`);
      for (const matcher of value) validateMatcher(key, matcher);
    } else if (isPlainObject(value)) {
      validatePattern(value);
    } else {
      throw new PatternSyntaxError(`"${key}" must be an object or an array`);
    }
  }
}

function requireString(key: string, op: string, v: unknown): void {
  if (typeof v !== "string") throw new PatternSyntaxError(`"${op}" must be a string (in "${key}")`);
}

function validateMatcher(key: string, matcher: unknown): void {
  if (isLeaf(matcher)) return;
  if (!isPlainObject(matcher)) throw new PatternSyntaxError(`Match value must be String, number, true, false, or null (in "${key}")`);
  const ops = Object.keys(matcher);
  if (ops.length !== 1) throw new PatternSyntaxError(`Operator objects must have exactly one key (in "${key}")`);
  const op = ops[0]!;
  const operand = matcher[op];
  switch (op) {
    case "prefix":
    case "suffix":
      if (isPlainObject(operand) && Object.keys(operand).length === 1 && typeof operand["equals-ignore-case"] === "string") return;
      return requireString(key, op, operand);
    case "equals-ignore-case":
    case "cidr":
    case "wildcard":
      requireString(key, op, operand);
      if (op === "cidr" && !parseCidr(operand as string)) throw new PatternSyntaxError(`Malformed CIDR "${operand}" (in "${key}")`);
      return;
    case "exists":
      if (typeof operand !== "boolean") throw new PatternSyntaxError(`"exists" must be true or false (in "${key}")`);
      return;
    case "numeric":
      return validateNumeric(key, operand);
    case "anything-but":
      if (isLeaf(operand)) return;
      if (Array.isArray(operand)) {
        if (operand.length === 0 || !operand.every(isLeaf)) throw new PatternSyntaxError(`"anything-but" list must hold only strings or numbers (in "${key}")`);
        return;
      }
      if (isPlainObject(operand) && Object.keys(operand).length === 1) {
        const [inner, v] = Object.entries(operand)[0]!;
        if (["prefix", "suffix", "wildcard"].includes(inner) && typeof v === "string") return;
        if (inner === "equals-ignore-case" && (typeof v === "string" || (Array.isArray(v) && v.every((x) => typeof x === "string")))) return;
      }
      throw new PatternSyntaxError(`Unsupported "anything-but" operand (in "${key}")`);
    default:
      throw new PatternSyntaxError(`Unrecognized match type ${op} (in "${key}")`);
  }
}

function validateNumeric(key: string, operand: unknown): void {
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) {
    throw new PatternSyntaxError(`"numeric" must be [op, number] or [op, number, op, number] (in "${key}")`);
  }
  for (let i = 0; i < operand.length; i += 2) {
    if (!NUMERIC_OPS.has(operand[i] as string) || typeof operand[i + 1] !== "number") {
      throw new PatternSyntaxError(`Invalid "numeric" comparison (in "${key}")`);
    }
  }
  if (operand.length === 4 && (!String(operand[0]).startsWith(">") || !String(operand[2]).startsWith("<"))) {
    throw new PatternSyntaxError(`A numeric range must be a lower bound followed by an upper bound (in "${key}")`);
  }
}

/** True when `doc` (any JSON value) satisfies a pattern that passed validatePattern. */
export function matchesPattern(pattern: PatternObject, doc: unknown): boolean {
  return matchNode(pattern, doc, []);
}

function matchNode(pattern: PatternObject, doc: unknown, prefix: string[]): boolean {
  for (const [key, sub] of Object.entries(pattern)) {
    if (key === "$or") {
      if (!(sub as PatternObject[]).some((alternative) => matchNode(alternative, doc, prefix))) return false;
      continue;
    }
    const path = [...prefix, key];
    if (Array.isArray(sub)) {
      if (!matchLeaves(sub, valuesAt(doc, path))) return false;
    } else if (!matchNode(sub as PatternObject, doc, path)) {
      return false;
    }
  }
  return true;
}

/** Leaf values at a path; arrays are flattened at every level, as event ruler does. */
function valuesAt(doc: unknown, path: string[]): Leaf[] {
  let current: unknown[] = [doc];
  for (const segment of path) {
    const next: unknown[] = [];
    for (const value of flatten(current)) {
      if (isPlainObject(value) && Object.prototype.hasOwnProperty.call(value, segment)) next.push(value[segment]);
    }
    current = next;
  }
  return flatten(current).filter(isLeaf);
}

function flatten(values: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of values) {
    if (Array.isArray(v)) out.push(...flatten(v));
    else out.push(v);
  }
  return out;
}

function matchLeaves(matchers: unknown[], values: Leaf[]): boolean {
  return matchers.some((m) => {
    if (isPlainObject(m) && "exists" in m) return m.exists === (values.length > 0);
    return values.some((v) => matchLeaf(m, v));
  });
}

function matchLeaf(matcher: unknown, value: Leaf): boolean {
  if (isLeaf(matcher)) return equalLeaf(matcher, value);
  const [op, operand] = Object.entries(matcher as Record<string, unknown>)[0]!;
  switch (op) {
    case "prefix":
    case "suffix": {
      if (typeof value !== "string") return false;
      const ignoreCase = isPlainObject(operand);
      const needle = ignoreCase ? String(operand["equals-ignore-case"]).toLowerCase() : String(operand);
      const hay = ignoreCase ? value.toLowerCase() : value;
      return op === "prefix" ? hay.startsWith(needle) : hay.endsWith(needle);
    }
    case "equals-ignore-case":
      return typeof value === "string" && value.toLowerCase() === String(operand).toLowerCase();
    case "wildcard":
      return typeof value === "string" && wildcardRegex(String(operand)).test(value);
    case "cidr":
      return typeof value === "string" && inCidr(value, String(operand));
    case "numeric":
      return typeof value === "number" && numericMatch(operand as (string | number)[], value);
    case "anything-but":
      return anythingBut(operand, value);
    default:
      return false;
  }
}

function equalLeaf(a: Leaf, b: Leaf): boolean {
  return a === b;
}

function anythingBut(operand: unknown, value: Leaf): boolean {
  if (isLeaf(operand)) return !equalLeaf(operand, value);
  if (Array.isArray(operand)) return !operand.some((o) => equalLeaf(o as Leaf, value));
  const [inner, v] = Object.entries(operand as Record<string, unknown>)[0]!;
  if (typeof value !== "string") return true;
  switch (inner) {
    case "prefix":
      return !value.startsWith(String(v));
    case "suffix":
      return !value.endsWith(String(v));
    case "wildcard":
      return !wildcardRegex(String(v)).test(value);
    case "equals-ignore-case": {
      const list = (Array.isArray(v) ? v : [v]).map((x) => String(x).toLowerCase());
      return !list.includes(value.toLowerCase());
    }
    default:
      return false;
  }
}

function numericMatch(spec: (string | number)[], value: number): boolean {
  for (let i = 0; i < spec.length; i += 2) {
    const bound = spec[i + 1] as number;
    const ok =
      spec[i] === "<" ? value < bound : spec[i] === "<=" ? value <= bound : spec[i] === "=" ? value === bound : spec[i] === ">" ? value > bound : value >= bound;
    if (!ok) return false;
  }
  return true;
}

function wildcardRegex(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\" && i + 1 < pattern.length) source += pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    else if (c === "*") source += ".*";
    else source += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "s");
}

function parseIpv4(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

function parseCidr(cidr: string): { base: number; bits: number } | undefined {
  const [ip, bitsText] = cidr.split("/");
  const base = parseIpv4(ip ?? "");
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (base === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return undefined;
  return { base, bits };
}

function inCidr(ip: string, cidr: string): boolean {
  const range = parseCidr(cidr);
  const value = parseIpv4(ip);
  if (!range || value === undefined) return false;
  const size = 2 ** (32 - range.bits);
  return Math.floor(value / size) === Math.floor(range.base / size);
}
