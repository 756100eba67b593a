/** Route-handler helpers: parse the query string or answer 400 in the API's error shape. */
import type { z } from "zod";
import type { Preset } from "../time-range.ts";
import { invalidQuery } from "./errors.ts";
import { parseFilters, parseQuery, problemMessage, type ParsedQuery } from "./query.ts";

export type RouteParse<T> = { ok: true; value: T; now: Date } | { ok: false; response: Response };

/** Time range + filters of a request URL. */
export function parseRequestQuery<S extends z.ZodType>(req: Request, schema: S, fallback?: Preset): RouteParse<ParsedQuery<z.infer<S>>> {
  const now = new Date();
  const r = parseQuery(schema, new URL(req.url).searchParams, now, fallback);
  return r.ok ? { ok: true, value: r.value, now } : { ok: false, response: invalidQuery(problemMessage(r.problem)) };
}

/** Filters only (endpoints without a time range). */
export function parseRequestFilters<S extends z.ZodType>(req: Request, schema: S): RouteParse<z.infer<S>> {
  const r = parseFilters(schema, new URL(req.url).searchParams);
  return r.ok ? { ok: true, value: r.value, now: new Date() } : { ok: false, response: invalidQuery(problemMessage(r.problem)) };
}

/** A path segment as given (Next.js hands it over percent-decoded or not, depending on the character). */
export function segment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
