import { z } from "zod";
import { getDb } from "@/lib/db";
import { apiError, handle } from "@/lib/api/errors";
import { parseJsonBody } from "@/lib/auth/api-body";
import { writeAudit } from "@/lib/auth/audit";
import { clientAddress, isHttps, serializeCookie, sessionCookies } from "@/lib/auth/http";
import { ROLE_SCOPES } from "@/lib/auth/permissions";
import { CSRF_COOKIE, LoginError, SESSION_COOKIE, login } from "@/lib/auth/sessions";

export const dynamic = "force-dynamic";

const schema = z.strictObject({
  email: z.string({ error: "email is required" }).min(1, "email is required").max(254),
  password: z.string({ error: "password is required" }).min(1, "password is required").max(256),
});

/** Signs in with email and password: sets the httpOnly session cookie and the readable CSRF cookie. */
export async function POST(req: Request) {
  const body = await parseJsonBody(req, schema);
  if (!body.ok) return body.response;
  const ip = clientAddress(req.headers);
  return handle(async () => {
    const { db } = getDb();
    try {
      const s = await login(db, { email: body.value.email, password: body.value.password, ip, userAgent: req.headers.get("user-agent") ?? undefined });
      await writeAudit(db, { principal: s.principal, action: "auth.login", resourceType: "session", outcome: "ok", ip });
      const secure = isHttps(req.url, req.headers.get("x-forwarded-proto"));
      const headers = new Headers({ "cache-control": "no-store" });
      for (const c of sessionCookies({ ...s, secure, sessionName: SESSION_COOKIE, csrfName: CSRF_COOKIE })) headers.append("set-cookie", serializeCookie(c));
      const p = s.principal;
      return Response.json({ user: { id: p.userId, email: p.email, role: p.role }, scopes: ROLE_SCOPES[p.role], expiresAt: s.expiresAt.toISOString() }, { headers });
    } catch (err) {
      if (!(err instanceof LoginError)) throw err;
      await writeAudit(db, { principal: null, action: "auth.login", resourceType: "session", outcome: "denied", details: { email: body.value.email.trim().toLowerCase(), rateLimited: err.retryAfterSeconds > 0 }, ip });
      if (err.retryAfterSeconds > 0) {
        const res = apiError(429, "rate_limited", err.message);
        res.headers.set("retry-after", String(err.retryAfterSeconds));
        return res;
      }
      return apiError(401, "unauthorized", err.message);
    }
  });
}
