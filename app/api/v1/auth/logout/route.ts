import { getDb } from "@/lib/db";
import { handle } from "@/lib/api/errors";
import { authorize, readCookie } from "@/lib/api/guard";
import { writeAudit } from "@/lib/auth/audit";
import { clientAddress, isHttps, serializeCookie } from "@/lib/auth/http";
import { CSRF_COOKIE, SESSION_COOKIE, logout } from "@/lib/auth/sessions";

export const dynamic = "force-dynamic";

/** Ends the browser session (CSRF-checked) and clears its cookies. */
export async function POST(req: Request) {
  const auth = await authorize(req, "dashboard:read");
  if (!auth.ok) return auth.response;
  return handle(async () => {
    const { db } = getDb();
    await logout(db, readCookie(req.headers.get("cookie"), SESSION_COOKIE));
    await writeAudit(db, { principal: auth.principal, action: "auth.logout", resourceType: "session", outcome: "ok", ip: clientAddress(req.headers) });
    const secure = isHttps(req.url, req.headers.get("x-forwarded-proto"));
    const headers = new Headers({ "cache-control": "no-store" });
    for (const [name, httpOnly] of [[SESSION_COOKIE, true], [CSRF_COOKIE, false]] as const)
      headers.append("set-cookie", serializeCookie({ name, value: "", httpOnly, secure, sameSite: "lax", path: "/", expires: new Date(0) }));
    return Response.json({ ok: true }, { headers });
  });
}
