/**
 * Error-group fingerprints: the same failure with different ids, numbers or quoted values
 * lands in one group per function and error type.
 */
import crypto from "node:crypto";

const RULES: Array<[RegExp, string]> = [
  // Quoted values first, so ids and numbers inside them do not leave partial tokens.
  [/'[^'\n]{0,200}'/g, "'<v>'"],
  [/"[^"\n]{0,200}"/g, '"<v>"'],
  [/`[^`\n]{0,200}`/g, "`<v>`"],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, "<id>"],
  [/\b1-[0-9a-f]{8}-[0-9a-f]{24}\b/gi, "<id>"],
  [/\barn:aws[a-z-]*:[^\s,;)"']+/g, "<arn>"],
  [/\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g, "<email>"],
  [/\b0x[0-9a-f]+\b/gi, "<addr>"],
  [/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{12,}\b/gi, "<id>"],
  [/\b[A-Z0-9]{20,}\b/g, "<id>"],
  [/(?<![A-Za-z])\d+(?:\.\d+)?/g, "<n>"],
  [/\s+/g, " "],
];

/** The message with ids, numbers and quoted values replaced by placeholders. */
export function normalizeErrorMessage(message: string | null | undefined): string {
  let out = (message ?? "").split(/\r?\n/, 1)[0]!.slice(0, 1000);
  for (const [re, rep] of RULES) out = out.replace(re, rep);
  return out.trim().slice(0, 300);
}

/** Stable fingerprint of an error: function + error type + normalised message. */
export function errorFingerprint(functionName: string, errorType: string, message: string | null | undefined): { fingerprint: string; pattern: string } {
  const pattern = normalizeErrorMessage(message);
  const fingerprint = crypto.createHash("sha256").update(`${functionName}\u0000${errorType}\u0000${pattern}`).digest("hex").slice(0, 24);
  return { fingerprint, pattern };
}
