/** The one API error shape: `{ error: { code, message } }` with the right HTTP status. */

export type ApiErrorCode = "invalid_query" | "invalid_body" | "unauthorized" | "forbidden" | "csrf" | "not_found" | "conflict" | "rate_limited" | "internal";

export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string };
}

/** A JSON error response. */
export function apiError(status: number, code: ApiErrorCode, message: string): Response {
  const body: ApiErrorBody = { error: { code, message } };
  return Response.json(body, { status, headers: { "cache-control": "no-store" } });
}

/** 400 for a bad query string; the message names the parameter and why. */
export function invalidQuery(message: string): Response {
  return apiError(400, "invalid_query", message);
}

/** 400 for a bad request body; the message names the field and why. */
export function invalidBody(message: string): Response {
  return apiError(400, "invalid_body", message);
}

/** 404 naming what was not found. */
export function notFound(what: string): Response {
  return apiError(404, "not_found", `${what} was not found`);
}

/** A JSON success response (never cached: the store changes every cycle). */
export function ok(data: unknown): Response {
  return Response.json(data, { headers: { "cache-control": "no-store" } });
}

/** Runs a handler and turns an unexpected throw into a 500 in the API's error shape. */
export async function handle(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (err) {
    console.error("faasight api:", err);
    return apiError(500, "internal", "the store could not be read; check the server log and that DATABASE_URL points at a migrated store");
  }
}
