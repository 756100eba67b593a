/**
 * Webhook signatures: `X-Faasight-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
 * The timestamp is signed too, so a captured request cannot be replayed after the tolerance.
 */
import crypto from "node:crypto";

export const SIGNATURE_HEADER = "X-Faasight-Signature";

/** The hex HMAC-SHA256 of "<t>.<body>" under the secret. */
export function computeSignature(secret: string, timestamp: number, body: string): string {
  return crypto.createHmac("sha256", secret).update(`${timestamp}.${body}`, "utf8").digest("hex");
}

/** The header value for a body signed at `timestamp` (unix seconds). */
export function signWebhookBody(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${computeSignature(secret, timestamp, body)}`;
}

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: "malformed" | "expired" | "mismatch" };

/** Checks a signature header in detail (several v1 values are accepted, for secret rotation). */
export function checkWebhookSignature(secret: string, header: string | null | undefined, body: string, toleranceSeconds = 300, nowSeconds = Math.floor(Date.now() / 1000)): SignatureCheck {
  if (typeof header !== "string" || header.length > 4096) return { ok: false, reason: "malformed" };
  let timestamp: number | null = null;
  const candidates: string[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t" && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === "v1" && /^[0-9a-f]{64}$/i.test(value)) candidates.push(value.toLowerCase());
  }
  if (timestamp === null || candidates.length === 0) return { ok: false, reason: "malformed" };
  if (toleranceSeconds > 0 && Math.abs(nowSeconds - timestamp) > toleranceSeconds) return { ok: false, reason: "expired" };
  const expected = Buffer.from(computeSignature(secret, timestamp, body), "hex");
  const match = candidates.some((c) => {
    const got = Buffer.from(c, "hex");
    return got.length === expected.length && crypto.timingSafeEqual(got, expected);
  });
  return match ? { ok: true, timestamp } : { ok: false, reason: "mismatch" };
}

/**
 * For receivers: whether `header` is a valid signature of the raw `body` under `secret`,
 * made within `toleranceSeconds` of now (0 disables the age check).
 */
export function verifyWebhookSignature(secret: string, header: string | null | undefined, body: string, toleranceSeconds = 300): boolean {
  return checkWebhookSignature(secret, header, body, toleranceSeconds).ok;
}
