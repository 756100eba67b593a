/**
 * Browser sessions and API tokens against the store. The session cookie is httpOnly and
 * SameSite=Lax; state-changing requests also carry the CSRF token (double submit: a
 * readable cookie echoed in the x-csrf-token header, checked against its stored hash).
 */
import type { Db } from "../db.ts";
import { hashPassword, verifyPassword } from "./password.ts";
import { createRateLimiter, type RateLimiter } from "./rate-limit.ts";
import { hashSecret, randomSecret, secretMatches, API_TOKEN_PREFIX } from "./tokens.ts";
import { isRole, type Principal } from "./permissions.ts";

export { SESSION_COOKIE, CSRF_COOKIE, CSRF_HEADER } from "./sessions-names.ts";
export const SESSION_TTL_MS = 12 * 3_600_000;

/** Failed sign-ins allowed per account and per client address in 15 minutes (successes do not count). */
export const LOGIN_FAILURES_PER_ACCOUNT = 10;
export const LOGIN_FAILURES_PER_ADDRESS = 100;
// On globalThis: Next.js may load this module once per route bundle.
const limiters = globalThis as unknown as { faasightLogin?: { account: RateLimiter; address: RateLimiter } };
limiters.faasightLogin ??= { account: createRateLimiter(LOGIN_FAILURES_PER_ACCOUNT, 15 * 60_000), address: createRateLimiter(LOGIN_FAILURES_PER_ADDRESS, 15 * 60_000) };
const loginLimiter = limiters.faasightLogin;

export class LoginError extends Error {
  constructor(
    message: string,
    public readonly retryAfterSeconds = 0,
  ) {
    super(message);
    this.name = "LoginError";
  }
}

export interface NewSession {
  sessionToken: string;
  csrfToken: string;
  expiresAt: Date;
  principal: Principal;
}

/** Checks credentials (rate-limited per address and per account) and opens a session. */
export async function login(db: Db, input: { email: string; password: string; ip?: string; userAgent?: string }): Promise<NewSession> {
  const email = input.email.trim().toLowerCase();
  const ip = input.ip ?? "?";
  const wait = Math.max(loginLimiter.address.peek(ip), loginLimiter.account.peek(email));
  if (wait > 0) throw new LoginError(`Too many sign-in attempts. Try again in ${wait} seconds.`, wait);
  const user = await db.user.findUnique({ where: { email } });
  // Verify against a dummy hash when the user is unknown, so timing does not reveal accounts.
  const ok = await verifyPassword(input.password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok || user.disabledAt) {
    loginLimiter.address.hit(ip);
    loginLimiter.account.hit(email);
    throw new LoginError("Email or password is wrong.");
  }
  loginLimiter.account.reset(email);
  const sessionToken = randomSecret();
  const csrfToken = randomSecret();
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await db.session.create({
    data: { tokenHash: hashSecret(sessionToken), csrfHash: hashSecret(csrfToken), userId: user.id, expiresAt, ip: input.ip, userAgent: input.userAgent?.slice(0, 300) },
  });
  return { sessionToken, csrfToken, expiresAt, principal: toPrincipal(user, "session") };
}

const DUMMY_HASH = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

function toPrincipal(user: { id: number; email: string; role: string }, via: Principal["via"]): Principal {
  return { userId: user.id, email: user.email, role: isRole(user.role) ? user.role : "viewer", via };
}

export interface SessionLookup {
  principal: Principal;
  csrfHash: string;
}

/** The principal behind a session cookie value, or null when unknown or expired. */
export async function sessionPrincipal(db: Db, sessionToken: string | undefined): Promise<SessionLookup | null> {
  if (!sessionToken) return null;
  const session = await db.session.findUnique({ where: { tokenHash: hashSecret(sessionToken) }, include: { user: true } });
  if (!session || session.expiresAt.getTime() < Date.now() || session.user.disabledAt) return null;
  return { principal: toPrincipal(session.user, "session"), csrfHash: session.csrfHash };
}

/** The principal behind an `Authorization: Bearer fsk_…` API token, or null. */
export async function tokenPrincipal(db: Db, authorization: string | null | undefined): Promise<Principal | null> {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
  if (!m || !m[1]!.startsWith(API_TOKEN_PREFIX)) return null;
  const token = await db.apiToken.findUnique({ where: { tokenHash: hashSecret(m[1]!) }, include: { user: true } });
  if (!token || token.revokedAt || (token.expiresAt && token.expiresAt.getTime() < Date.now()) || token.user.disabledAt) return null;
  await db.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: new Date() } });
  return toPrincipal(token.user, "token");
}

/** Whether the CSRF header matches the session's token. */
export function csrfValid(lookup: SessionLookup, headerValue: string | null | undefined): boolean {
  return !!headerValue && secretMatches(headerValue, lookup.csrfHash);
}

export async function logout(db: Db, sessionToken: string | undefined): Promise<void> {
  if (sessionToken) await db.session.deleteMany({ where: { tokenHash: hashSecret(sessionToken) } });
}

/** Creates or updates a user (CLI, first run, tests). */
export async function upsertUser(db: Db, input: { email: string; password: string; role: Principal["role"]; name?: string }): Promise<void> {
  const email = input.email.trim().toLowerCase();
  const passwordHash = await hashPassword(input.password);
  await db.user.upsert({ where: { email }, create: { email, passwordHash, role: input.role, name: input.name }, update: { passwordHash, role: input.role } });
}
