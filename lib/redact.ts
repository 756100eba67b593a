/**
 * Removes secrets before anything reaches logs, API output or the audit log: values under
 * secret-looking keys, AWS access keys, bearer tokens and passwords in URLs.
 */

const SECRET_KEY = /secret|password|passwd|token|authorization|credential|session|cookie|signature|private.?key|access.?key/i;
const PATTERNS: [RegExp, string][] = [
  [/\b(AKIA|ASIA|AGPA|AIDA|AROA)[A-Z0-9]{16}\b/g, "$1****************"],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, "$1 [REDACTED]"],
  [/(\/\/[^:/@\s]+:)[^@\s]+@/g, "$1[REDACTED]@"],
  [/\bfsk_[A-Za-z0-9_-]{10,}/g, "fsk_[REDACTED]"],
];

export const REDACTED = "[REDACTED]";

/** Redacts secrets inside a string. */
export function redactString(text: string): string {
  let out = text;
  for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
  return out;
}

/** Deep copy with secret-looking keys replaced and strings scrubbed. */
export function redact<T>(value: T, depth = 0): T {
  if (depth > 20) return REDACTED as T;
  if (typeof value === "string") return redactString(value) as T;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1)) as T;
  if (value && typeof value === "object" && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = SECRET_KEY.test(k) && v !== null && v !== undefined && typeof v !== "boolean" && typeof v !== "number" ? REDACTED : redact(v, depth + 1);
    }
    return out as T;
  }
  return value;
}
