/** JSON bodies of the auth, users and tokens routes: parsed with zod, 400 naming the problem. */
import type { z } from "zod";
import { apiError, invalidBody } from "../api/errors.ts";
import { zodProblem } from "./users.ts";

export type BodyParse<T> = { ok: true; value: T } | { ok: false; response: Response };

/** Reads a JSON request body and validates it; only application/json is accepted (forces a CORS preflight cross-site). */
export async function parseJsonBody<S extends z.ZodType>(req: Request, schema: S): Promise<BodyParse<z.infer<S>>> {
  if (!/^application\/json\b/i.test(req.headers.get("content-type") ?? "")) return { ok: false, response: apiError(415, "invalid_body", "send the body as application/json") };
  let raw: unknown;
  try {
    raw = await req.json();
  } catch {
    return { ok: false, response: invalidBody("the body is not valid JSON") };
  }
  const r = schema.safeParse(raw);
  return r.success ? { ok: true, value: r.data } : { ok: false, response: invalidBody(zodProblem(r.error)) };
}
