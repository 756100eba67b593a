import { getDb } from "@/lib/db";
import { apiError, handle, invalidQuery, notFound, ok } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { parseJsonBody } from "@/lib/auth/api-body";
import { writeAudit } from "@/lib/auth/audit";
import { clientAddress } from "@/lib/auth/http";
import { LastAdminError, updateUser, userChangeSchema } from "@/lib/auth/users";

export const dynamic = "force-dynamic";

/** Changes a user: { role?, disabled?, password?, name? }. Admins only. */
export async function PATCH(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const auth = await authorize(req, "users:manage");
  if (!auth.ok) return auth.response;
  const id = Number((await ctx.params).id);
  if (!Number.isInteger(id) || id <= 0) return invalidQuery("id must be a positive integer");
  const body = await parseJsonBody(req, userChangeSchema);
  if (!body.ok) return body.response;
  return handle(async () => {
    const { db } = getDb();
    const ip = clientAddress(req.headers);
    // What changed, never the password itself.
    const details = { role: body.value.role, disabled: body.value.disabled, passwordChanged: body.value.password !== undefined, name: body.value.name };
    try {
      const user = await updateUser(db, id, body.value);
      if (!user) return notFound(`user ${id}`);
      await writeAudit(db, { principal: auth.principal, action: "user.update", resourceType: "user", resourceId: id, outcome: "ok", details, ip });
      return ok({ user });
    } catch (err) {
      if (!(err instanceof LastAdminError)) throw err;
      await writeAudit(db, { principal: auth.principal, action: "user.update", resourceType: "user", resourceId: id, outcome: "failed", details: { ...details, reason: err.message }, ip });
      return apiError(409, "conflict", err.message);
    }
  });
}
