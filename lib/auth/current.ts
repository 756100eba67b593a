/**
 * The signed-in principal in server components and server actions (reads the session cookie
 * through next/headers). API routes use lib/api/guard.ts `authorize` instead.
 */
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { getDb } from "../db.ts";
import { hasScope, type Principal, type Scope } from "./permissions.ts";
import { SESSION_COOKIE, sessionPrincipal } from "./sessions.ts";
import { PATH_HEADER, isPublicPath, loginUrl } from "./http.ts";

/** The principal of the current request's session, or null when signed out. */
export async function currentPrincipal(): Promise<Principal | null> {
  const jar = await cookies();
  const lookup = await sessionPrincipal(getDb().db, jar.get(SESSION_COOKIE)?.value);
  return lookup?.principal ?? null;
}

/** Whether the current request's principal holds `scope` (false when signed out). */
export async function currentCan(scope: Scope): Promise<boolean> {
  const p = await currentPrincipal();
  return !!p && hasScope(p.role, scope);
}

/**
 * The root layout's session check: the principal, or a redirect to /login?next=<this page>
 * when signed out (null on public pages such as /login itself).
 */
export async function pagePrincipal(): Promise<Principal | null> {
  const p = await currentPrincipal();
  if (p) return p;
  const path = (await headers()).get(PATH_HEADER) ?? "/";
  if (isPublicPath(path.split(/[?#]/)[0]!)) return null;
  redirect(loginUrl(path));
}
