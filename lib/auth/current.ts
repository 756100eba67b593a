/**
 * The signed-in principal in server components and server actions (reads the session cookie
 * through next/headers). API routes use lib/api/guard.ts `authorize` instead.
 */
import { cookies } from "next/headers";
import { getDb } from "../db.ts";
import { hasScope, type Principal, type Scope } from "./permissions.ts";
import { SESSION_COOKIE, sessionPrincipal } from "./sessions.ts";

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
