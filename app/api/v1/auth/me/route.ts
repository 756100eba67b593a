import { ok } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { ROLE_SCOPES } from "@/lib/auth/permissions";

export const dynamic = "force-dynamic";

/** The signed-in user (session or API token) and the scopes of their role. */
export async function GET(req: Request) {
  const auth = await authorize(req, "dashboard:read");
  if (!auth.ok) return auth.response;
  const p = auth.principal;
  return ok({ user: { id: p.userId, email: p.email, role: p.role }, via: p.via, scopes: ROLE_SCOPES[p.role] });
}
