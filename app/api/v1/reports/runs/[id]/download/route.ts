import { z } from "zod";
import { getDb } from "@/lib/db";
import { handle, notFound } from "@/lib/api/errors";
import { authorize } from "@/lib/api/guard";
import { parseRequestFilters } from "@/lib/api/route";
import { enumParam } from "@/lib/time-range";
import { parseId } from "@/lib/reports/api";
import { REPORT_FORMATS } from "@/lib/reports/model";
import { getReportRunContent } from "@/lib/reports/runs";

export const dynamic = "force-dynamic";

const query = z.object({ format: enumParam(REPORT_FORMATS).optional(), inline: z.enum(["1"], { error: () => "must be 1 when given" }).optional() }).strict();

/** A run's stored report as a file (?format=html|csv|json; default the run's first format; ?inline=1 to view). */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const id = parseId((await ctx.params).id);
  if (id === null) return notFound("report run");
  const q = parseRequestFilters(req, query);
  if (!q.ok) return q.response;
  const auth = await authorize(req, "reports:read");
  if (!auth.ok) return auth.response;
  return handle(async () => {
    const c = await getReportRunContent(getDb().db, id, q.value.format);
    if (!c) return notFound(`report run ${id}${q.value.format ? ` in ${q.value.format}` : ""}`);
    return new Response(c.content, {
      headers: {
        "content-type": c.contentType,
        "content-disposition": `${q.value.inline ? "inline" : "attachment"}; filename="${c.filename}"`,
        "cache-control": "no-store",
        // Stored HTML is rendered by Faasight, but never let it run script in this origin.
        "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox",
        "x-content-type-options": "nosniff",
      },
    });
  });
}
