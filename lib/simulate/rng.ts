/**
 * Seeded randomness for the simulator: independent streams derived from (seed, parts...)
 * so one function's outcomes do not change when another function is added, and the
 * distributions the workload model draws from.
 */
import { createRandom } from "../sandbox/random.ts";

export type Rng = () => number;

/** A 32-bit hash of a string (FNV-1a with a murmur3 finaliser). */
export function hashString(text: string, start = 0x811c9dc5): number {
  let h = start >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** A seed for the stream named by `parts` under `seed`. */
export function streamSeed(seed: number, ...parts: (string | number)[]): number {
  return hashString(parts.join("\u0000"), (seed ^ 0x9e3779b9) >>> 0);
}

/** An independent deterministic random stream for (seed, parts...). */
export function rngFor(seed: number, ...parts: (string | number)[]): Rng {
  return createRandom(streamSeed(seed, ...parts));
}

/** Standard normal (Box-Muller). */
export function normal(rng: Rng): number {
  const u = Math.max(rng(), 1e-12);
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Log-normal with the given median and shape (sigma of the underlying normal). */
export function lognormal(rng: Rng, median: number, sigma: number): number {
  return median * Math.exp(sigma * normal(rng));
}

/** Poisson-distributed count (Knuth for small means, normal approximation above 40). */
export function poisson(rng: Rng, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 40) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(rng)));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng();
  while (p > limit) {
    k++;
    p *= rng();
  }
  return k;
}

/** Uniform in [min, max). */
export function uniform(rng: Rng, min: number, max: number): number {
  return min + (max - min) * rng();
}

/** Integer uniform in [min, max]. */
export function intBetween(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

/** Picks an item by its weight. */
export function pickWeighted<T extends { weight: number }>(rng: Rng, items: readonly T[]): T {
  const total = items.reduce((s, i) => s + i.weight, 0);
  let r = rng() * total;
  for (const item of items) {
    r -= item.weight;
    if (r < 0) return item;
  }
  return items[items.length - 1]!;
}

const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Lower-case hex string of `length` digits. */
export function hexString(rng: Rng, length: number): string {
  let out = "";
  while (out.length < length) {
    const n = Math.floor(rng() * 0x100000000);
    out += HEX2[n >>> 24]! + HEX2[(n >>> 16) & 255]! + HEX2[(n >>> 8) & 255]! + HEX2[n & 255]!;
  }
  return out.length === length ? out : out.slice(0, length);
}

/** An AWS-style request id (UUID v4 layout). */
export function requestId(rng: Rng): string {
  const h = hexString(rng, 32);
  const variant = "89ab"[Math.floor(rng() * 4)];
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Upper-case alphanumeric id (AWS service request ids in X-Ray subsegments). */
export function alnumUpper(rng: Rng, length: number): string {
  let out = "";
  while (out.length < length) {
    let bits = Math.floor(rng() * 0x100000000);
    for (let i = 0; i < 5 && out.length < length; i++) {
      out += ALNUM[bits % 36];
      bits = Math.floor(bits / 36);
    }
  }
  return out;
}

/** A base64-looking id such as API Gateway's extended request ids ("Ez1o3jaPIAMEY-Q="). */
export function base64Id(rng: Rng, length: number): string {
  let out = "";
  while (out.length < length) {
    let bits = Math.floor(rng() * 0x100000000);
    for (let i = 0; i < 5 && out.length < length; i++) {
      out += B64[bits & 63];
      bits >>>= 6;
    }
  }
  return out + "=";
}
