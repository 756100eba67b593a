import { getDb } from "@/lib/db";
import { handle, ok } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { readJsonBody } from "@/lib/replay/http";
import { alertsErrorResponse } from "@/lib/alerts/http";
import { createChannel, listChannels } from "@/lib/alerts/manage";

export const dynamic = "force-dynamic";

/** Every channel (never with its secret; webhook URLs masked). */
export async function GET(req: Request) {
  const auth = await authorize(req, "alerts:read");
  if (!auth.ok) return auth.response;
  return handle(async () => ok({ channels: await listChannels(getDb().db) }));
}

/** Creates a channel: `{ name, type: "sns", target: topic ARN }` or `{ name, type: "webhook", target: https URL, secret? }`. A generated webhook secret is in this response only. */
export async function POST(req: Request) {
  const auth = await authorize(req, "channels:manage");
  if (!auth.ok) return auth.response;
  const body = await readJsonBody(req);
  if (!body.ok) return body.response;
  return handle(async () => {
    try {
      return Response.json(await createChannel(getDb().db, { principal: auth.principal }, body.value), { status: 201, headers: { "cache-control": "no-store" } });
    } catch (err) {
      return alertsErrorResponse(err);
    }
  });
}
