/**
 * Webhook secrets at rest: AES-256-GCM under a key derived (HKDF-SHA256) from FAASIGHT_SECRET,
 * or, when that is unset, from an instance secret generated once into the Setting table.
 * The plaintext only exists in memory while a delivery is signed; it is never logged.
 */
import crypto from "node:crypto";
import type { Db } from "../db.ts";
import { env } from "../env.ts";

/** The Setting row holding the generated instance secret (when FAASIGHT_SECRET is unset). */
export const INSTANCE_SECRET_SETTING = "instance.secret";
const FORMAT = "v1";

/** Raised when a stored secret cannot be decrypted (the instance secret changed, or the value was altered). */
export class SecretDecryptError extends Error {
  constructor(message = "The channel secret cannot be decrypted: FAASIGHT_SECRET changed or the stored value is damaged. Set a new secret for the channel.") {
    super(message);
    this.name = "SecretDecryptError";
  }
}

/** FAASIGHT_SECRET, else the instance secret in the Setting table (created on first use). */
export async function instanceSecret(db: Db): Promise<string> {
  const configured = env().FAASIGHT_SECRET;
  if (configured) return configured;
  const existing = await db.setting.findUnique({ where: { key: INSTANCE_SECRET_SETTING } });
  if (existing) return existing.value;
  try {
    const created = await db.setting.create({ data: { key: INSTANCE_SECRET_SETTING, value: crypto.randomBytes(32).toString("base64url") } });
    return created.value;
  } catch {
    // Another process created it first: use theirs.
    const row = await db.setting.findUnique({ where: { key: INSTANCE_SECRET_SETTING } });
    if (!row) throw new Error("could not create or read the instance secret");
    return row.value;
  }
}

/** The 256-bit key for channel secrets, derived from an instance secret. */
export function deriveChannelKey(secret: string): Buffer {
  return Buffer.from(crypto.hkdfSync("sha256", Buffer.from(secret, "utf8"), Buffer.from("faasight"), Buffer.from("alerts/channel-secret/v1"), 32));
}

/** The key for channel secrets of this instance. */
export async function channelKey(db: Db): Promise<Buffer> {
  return deriveChannelKey(await instanceSecret(db));
}

/** Encrypts a secret: "v1.<base64url iv | tag | ciphertext>". */
export function encryptSecret(key: Buffer, plaintext: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from("faasight-alert-channel"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `${FORMAT}.${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString("base64url")}`;
}

/** Decrypts encryptSecret output; throws SecretDecryptError when the key is wrong or the text altered. */
export function decryptSecret(key: Buffer, stored: string): string {
  const [format, data] = stored.split(".", 2);
  if (format !== FORMAT || !data) throw new SecretDecryptError("The stored channel secret has an unknown format.");
  const raw = Buffer.from(data, "base64url");
  if (raw.length < 28) throw new SecretDecryptError();
  try {
    const decipher = crypto.createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from("faasight-alert-channel"));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretDecryptError();
  }
}

/** A new webhook signing secret (shown to the user once). */
export function newWebhookSecret(): string {
  return `whsec_${crypto.randomBytes(24).toString("base64url")}`;
}
