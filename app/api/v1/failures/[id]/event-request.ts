/**
 * The shared prelude of the POST routes on one failed event (preview, replay, discard,
 * resolve): parse the path id -> authorize "failures:replay" -> read the JSON body -> the
 * route's input with the event id. Routes stay parse -> authorize -> query -> respond.
 */
import { authorize } from "@/lib/api/guard";
import { invalidBody } from "@/lib/api/errors";
import { parseId, readJsonBody, type Parsed } from "@/lib/replay/http";
import type { Principal } from "@/lib/auth/permissions";

export type EventRequest<T> = { ok: true; principal: Principal; input: T } | { ok: false; response: Response };

/** Parses and authorizes a POST on /failures/{id}/…; `toInput` turns the body and the path id into the route's input. */
export async function readEventRequest<T>(req: Request, ctx: { params: Promise<{ id: string }> }, toInput: (eventId: number, body: unknown) => Parsed<T>): Promise<EventRequest<T>> {
  const id = parseId((await ctx.params).id, "the failed event id");
  if (!id.ok) return id;
  const auth = await authorize(req, "failures:replay");
  if (!auth.ok) return auth;
  const body = await readJsonBody(req);
  if (!body.ok) return body;
  const input = toInput(id.value, body.value);
  if (!input.ok) return input;
  return { ok: true, principal: auth.principal, input: input.value };
}

/** A JSON-object body with the path's event id (the library validates the fields). */
export function objectWithEventId(eventId: number, body: unknown): Parsed<Record<string, unknown>> {
  if (!body || typeof body !== "object" || Array.isArray(body)) return { ok: false, response: invalidBody("the request body must be a JSON object") };
  return { ok: true, value: { ...(body as Record<string, unknown>), eventId } };
}
