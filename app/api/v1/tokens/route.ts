import { getDb } from "@/lib/db";
import { apiError, handle, ok } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { parseJsonBody } from "@/lib/auth/api-body";
import { writeAudit } from "@/lib/auth/audit";
import { clientAddress } from "@/lib/auth/http";
import { hasScope } from "@/lib/auth/permissions";
import { createApiToken, listApiTokens, newTokenSchema } from "@/lib/auth/users";

export const dynamic = "force-dynamic";

/** API tokens by prefix (never the value): every user's for admins, else the caller's own. */
export async function GET(req: Request) {
  const auth = await authorize(req, "tokens:manage");
  if (!auth.ok) return auth.response;
  const p = auth.principal;
  return handle(async () => ok({ tokens: await listApiTokens(getDb().db, hasScope(p.role, "users:manage") ? undefined : p.userId) }));
}

/** Creates an API token: { name, expiresInDays?, userId? }; the value is in this response only. */
export async function POST(req: Request) {
  const auth = await authorize(req, "tokens:manage");
  if (!auth.ok) return auth.response;
  const body = await parseJsonBody(req, newTokenSchema);
  if (!body.ok) return body.response;
  const p = auth.principal;
  const userId = body.value.userId ?? p.userId;
  if (userId !== p.userId && !hasScope(p.role, "users:manage")) return apiError(403, "forbidden", 'Creating a token for another user needs the "users:manage" permission.');
  return handle(async () => {
    const { db } = getDb();
    if (!(await db.user.findUnique({ where: { id: userId }, select: { id: true } }))) return apiError(400, "invalid_body", `userId: no user ${userId}`);
    const created = await createApiToken(db, { userId, name: body.value.name, expiresInDays: body.value.expiresInDays });
    await writeAudit(db, { principal: p, action: "token.create", resourceType: "api_token", resourceId: created.info.id, outcome: "ok", details: { name: created.info.name, prefix: created.info.prefix, userId }, ip: clientAddress(req.headers) });
    return Response.json({ token: created.token, info: created.info }, { status: 201, headers: { "cache-control": "no-store" } });
  });
}
