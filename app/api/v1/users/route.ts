import { getDb } from "@/lib/db";
import { apiError, handle, ok } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { parseJsonBody } from "@/lib/auth/api-body";
import { writeAudit } from "@/lib/auth/audit";
import { clientAddress } from "@/lib/auth/http";
import { UserExistsError, createUser, listUsers, newUserSchema } from "@/lib/auth/users";

export const dynamic = "force-dynamic";

/** Every user (never a password hash). Admins only. */
export async function GET(req: Request) {
  const auth = await authorize(req, "users:manage");
  if (!auth.ok) return auth.response;
  return handle(async () => ok({ users: await listUsers(getDb().db) }));
}

/** Creates a user: { email, password, role?, name? }. Admins only; 409 when the email is taken. */
export async function POST(req: Request) {
  const auth = await authorize(req, "users:manage");
  if (!auth.ok) return auth.response;
  const body = await parseJsonBody(req, newUserSchema);
  if (!body.ok) return body.response;
  return handle(async () => {
    const { db } = getDb();
    const ip = clientAddress(req.headers);
    try {
      const user = await createUser(db, body.value);
      await writeAudit(db, { principal: auth.principal, action: "user.create", resourceType: "user", resourceId: user.id, outcome: "ok", details: { email: user.email, role: user.role }, ip });
      return Response.json({ user }, { status: 201, headers: { "cache-control": "no-store" } });
    } catch (err) {
      if (!(err instanceof UserExistsError)) throw err;
      await writeAudit(db, { principal: auth.principal, action: "user.create", resourceType: "user", outcome: "failed", details: { email: body.value.email, reason: "exists" }, ip });
      return apiError(409, "conflict", err.message);
    }
  });
}
