/**
 * Authorisation for /api/v1 routes: parse -> authorize -> query -> respond. A request is
 * authenticated by its session cookie or an `Authorization: Bearer fsk_…` API token; a
 * state-changing request on a session must echo the CSRF token in the x-csrf-token header.
 */
import { getDb } from "../db.ts";
import { hasScope, type Principal, type Scope } from "../auth/permissions.ts";
import { CSRF_HEADER, SESSION_COOKIE, csrfValid, sessionPrincipal, tokenPrincipal } from "../auth/sessions.ts";
import { apiError } from "./errors.ts";

export type Authorized = { ok: true; principal: Principal } | { ok: false; response: Response };

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The value of one cookie in a Cookie header. */
export function readCookie(header: string | null, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** Who sent the request and whether they hold `scope`: 401 unauthenticated, 403 without the scope or a valid CSRF token. */
export async function authorize(req: Request, scope: Scope): Promise<Authorized> {
  const { db } = getDb();
  const authorization = req.headers.get("authorization");
  let principal: Principal | null = null;
  if (authorization) {
    principal = await tokenPrincipal(db, authorization);
    if (!principal) return { ok: false, response: apiError(401, "unauthorized", "The API token is unknown, revoked or expired.") };
  } else {
    const lookup = await sessionPrincipal(db, readCookie(req.headers.get("cookie"), SESSION_COOKIE));
    if (!lookup) return { ok: false, response: apiError(401, "unauthorized", "Sign in, or send an API token as `Authorization: Bearer fsk_…`.") };
    if (!SAFE_METHODS.has(req.method.toUpperCase()) && !csrfValid(lookup, req.headers.get(CSRF_HEADER)))
      return { ok: false, response: apiError(403, "csrf", `A state-changing request needs the ${CSRF_HEADER} header with the session's CSRF token.`) };
    principal = lookup.principal;
  }
  if (!hasScope(principal.role, scope)) return { ok: false, response: apiError(403, "forbidden", `This action needs the "${scope}" permission; the ${principal.role} role does not have it.`) };
  return { ok: true, principal };
}
