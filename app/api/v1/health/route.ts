import { getFleetStatus } from "@/lib/queries/fleet/get-fleet-status";

export const dynamic = "force-dynamic";

export async function GET() {
  const status = await getFleetStatus();
  return Response.json({ ok: true, ...status });
}
