import { handle, ok } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { listRuleKinds } from "@/lib/alerts/manage";

export const dynamic = "force-dynamic";

/** The rule kinds: label, unit, scope type, default threshold, description. */
export async function GET(req: Request) {
  const auth = await authorize(req, "alerts:read");
  if (!auth.ok) return auth.response;
  return handle(async () => ok({ kinds: listRuleKinds() }));
}
