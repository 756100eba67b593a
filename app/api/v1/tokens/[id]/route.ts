import { getDb } from "@/lib/db";
import { handle, invalidQuery, notFound, ok } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { writeAudit } from "@/lib/auth/audit";
import { clientAddress } from "@/lib/auth/http";
import { hasScope } from "@/lib/auth/permissions";
import { revokeApiToken } from "@/lib/auth/users";

export const dynamic = "force-dynamic";

/** Revokes an API token (own tokens; admins any). */
export async function DELETE(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const auth = await authorize(req, "tokens:manage");
  if (!auth.ok) return auth.response;
  const id = Number((await ctx.params).id);
  if (!Number.isInteger(id) || id <= 0) return invalidQuery("id must be a positive integer");
  const p = auth.principal;
  return handle(async () => {
    const { db } = getDb();
    const token = await revokeApiToken(db, id, hasScope(p.role, "users:manage") ? undefined : p.userId);
    if (!token) return notFound(`API token ${id}`);
    await writeAudit(db, { principal: p, action: "token.revoke", resourceType: "api_token", resourceId: id, outcome: "ok", details: { prefix: token.prefix, userId: token.userId }, ip: clientAddress(req.headers) });
    return ok({ token });
  });
}
