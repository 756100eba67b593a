/**
 * Route-handler glue for the replay and alerts APIs: reading a JSON body, a numeric path id,
 * and turning the libraries' errors into the API's one error shape.
 */
import { apiError, invalidBody } from "../api/errors.ts";
import { ForbiddenError } from "../auth/permissions.ts";
import { ReplayInputError, ReplayNotFoundError } from "./schemas.ts";

export type Parsed<T> = { ok: true; value: T } | { ok: false; response: Response };

/** The request's JSON body (an empty body reads as {}); 400 when it is not JSON. */
export async function readJsonBody(req: Request): Promise<Parsed<unknown>> {
  const text = await req.text();
  if (text.trim() === "") return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, response: invalidBody("the request body must be JSON") };
  }
}

/** A positive integer path segment; 400 otherwise. */
export function parseId(raw: string, what: string): Parsed<number> {
  if (!/^\d{1,12}$/.test(raw) || Number(raw) <= 0) return { ok: false, response: apiError(400, "invalid_query", `${what} must be a positive whole number, got "${raw}"`) };
  return { ok: true, value: Number(raw) };
}

/** Maps lib/replay's errors to 400/403/404; anything else is rethrown (handle() answers 500). */
export function replayErrorResponse(err: unknown): Response {
  if (err instanceof ReplayInputError) return invalidBody(err.message);
  if (err instanceof ReplayNotFoundError) return apiError(404, "not_found", err.message);
  if (err instanceof ForbiddenError) return apiError(403, "forbidden", err.message);
  throw err;
}

/**
 * A replay request body with the event id from the path: `action` may be "invoke" (the UI's
 * word) for "reinvoke"; every other field is validated by lib/replay's replayInputSchema.
 */
export function toReplayInput(eventId: number, body: unknown): Parsed<Record<string, unknown>> {
  if (!body || typeof body !== "object" || Array.isArray(body)) return { ok: false, response: invalidBody("the request body must be a JSON object") };
  const b = { ...(body as Record<string, unknown>) };
  if ("eventId" in b && b.eventId !== eventId) return { ok: false, response: invalidBody("eventId: must match the event in the path (or be left out)") };
  if (b.action === "invoke") b.action = "reinvoke";
  for (const k of ["qualifier", "destinationQueueArn", "functionName", "idempotencyKey"]) if (b[k] === "" || b[k] === null) delete b[k];
  return { ok: true, value: { ...b, eventId } };
}

/** The HTTP status of a replay result: 409 when another replay got there first or the event is not eligible, 400 for other refusals. */
export function replayResultStatus(r: { outcome: string; plan?: { refusal?: { code: string } } }): 200 | 400 | 409 {
  if (r.outcome === "busy") return 409;
  if (r.outcome === "refused") return r.plan?.refusal?.code === "not_eligible" || !r.plan ? 409 : 400;
  return 200;
}

/** A replay result as the API answers it: 2xx with the result, or the error shape (with the result alongside). */
export function replayResultResponse(r: { outcome: string; error?: string; plan?: { refusal?: { code: string } } }): Response {
  const status = replayResultStatus(r);
  if (status === 200) return Response.json(r, { headers: { "cache-control": "no-store" } });
  const code = status === 409 ? "conflict" : "invalid_body";
  return Response.json({ error: { code, message: r.error ?? r.outcome }, result: r }, { status, headers: { "cache-control": "no-store" } });
}
