/** JSON responses for cost data: micro-dollar bigints (…MicroUsd) as integers, other bigints (mbMs) as strings. */
import { reportJsonReplacer } from "../../reports/render-json.ts";

/** A no-store JSON response that can carry the cost engine's bigints. */
export function costJson(data: unknown): Response {
  return new Response(JSON.stringify(data, reportJsonReplacer), { headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" } });
}
