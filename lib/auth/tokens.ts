/**
 * Secrets handed to clients (session cookies, CSRF tokens, API tokens) are random and
 * stored only as SHA-256 hashes, so a database leak does not leak live credentials.
 */
import crypto from "node:crypto";

export const API_TOKEN_PREFIX = "fsk_";

/** A new random secret (base64url, 256 bits). */
export function randomSecret(): string {
  return crypto.randomBytes(32).toString("base64url");
}

/** SHA-256 hex of a secret: what the database stores. */
export function hashSecret(secret: string): string {
  return crypto.createHash("sha256").update(secret).digest("hex");
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(presented: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(presented), "hex");
  const b = Buffer.from(storedHash, "hex");
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/** A new API token: the full value (shown once) and the prefix kept for display. */
export function newApiToken(): { token: string; prefix: string; hash: string } {
  const token = `${API_TOKEN_PREFIX}${randomSecret()}`;
  return { token, prefix: token.slice(0, API_TOKEN_PREFIX.length + 6), hash: hashSecret(token) };
}
