/** Password hashing with scrypt (memory-hard, in Node's standard library). */
import crypto from "node:crypto";

const N = 16_384;
const R = 8;
const P = 1;
const KEYLEN = 32;

function scrypt(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    crypto.scrypt(password.normalize("NFKC"), salt, KEYLEN, { N: n, r, p, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** Hashes a password into `scrypt$N$r$p$salt$hash` (base64url parts). */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const key = await scrypt(password, salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

/** Checks a password against a stored hash in constant time; false for malformed hashes. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![n, r, p].every((x) => Number.isInteger(x) && x > 0) || n > 1 << 20) return false;
  const expected = Buffer.from(parts[5]!, "base64url");
  if (expected.length !== KEYLEN) return false;
  const actual = await scrypt(password, Buffer.from(parts[4]!, "base64url"), n, r, p);
  return crypto.timingSafeEqual(actual, expected);
}

/** A password policy message, or null when acceptable. */
export function passwordProblem(password: string): string | null {
  if (password.length < 12) return "Passwords need at least 12 characters.";
  if (password.length > 256) return "Passwords can have at most 256 characters.";
  return null;
}

/** A readable random password (first-run admin, demo). */
export function generatePassword(): string {
  return crypto.randomBytes(15).toString("base64url");
}
