/** Helpers shared by the sandbox's API Gateway REST (v1) and HTTP (v2) API services. */
import { AwsServiceError, decodeToken, encodeToken } from "../core.ts";

const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** A lower-case alphanumeric id like the ones API Gateway hands out. */
export function gatewayId(rand: () => number, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += ID_ALPHABET[Math.floor(rand() * ID_ALPHABET.length)];
  return out;
}

/** Pages a key-sorted list behind an opaque token (the last key returned). */
export function pageByKey<T>(
  items: T[],
  keyOf: (t: T) => string,
  token: string | null | undefined,
  limit: number,
  invalidTokenCode = "BadRequestException",
): { items: T[]; next?: string } {
  const cursor = decodeToken<{ k: string }>(token, invalidTokenCode);
  const start = cursor ? items.findIndex((t) => keyOf(t) > cursor.k) : 0;
  if (start < 0) return { items: [] };
  const slice = items.slice(start, start + limit);
  const next = start + limit < items.length && slice.length > 0 ? encodeToken({ k: keyOf(slice[slice.length - 1]!) }) : undefined;
  return { items: slice, next };
}

/** Parses a page-size query parameter within [1, max], failing like API Gateway. */
export function parseLimit(raw: string | null, max: number, name: string): number | undefined {
  if (raw === null || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new AwsServiceError("BadRequestException", `Invalid ${name} value: ${raw}. It must be an integer between 1 and ${max}.`);
  }
  return n;
}

export function seqKey(seq: number): string {
  return String(seq).padStart(12, "0");
}

export function notFound(message: string): AwsServiceError {
  return new AwsServiceError("NotFoundException", message, 404);
}

export function conflict(message: string): AwsServiceError {
  return new AwsServiceError("ConflictException", message, 409);
}

export function badRequest(message: string): AwsServiceError {
  return new AwsServiceError("BadRequestException", message, 400);
}

export function gatewayThrottlingError(): AwsServiceError {
  return new AwsServiceError("TooManyRequestsException", "Too Many Requests", 429);
}

/** Drops undefined members so JSON output matches AWS's sparse shapes. */
export function compact<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}
