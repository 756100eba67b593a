/** Page-side query parsing: the same rules as the API, returning a message for the notice. */
import type { z } from "zod";
import type { Preset, SearchParamsInput } from "../time-range.ts";
import { parseQuery, problemMessage, type ParsedQuery } from "./query.ts";

export type PageQuery<F> = { ok: true; query: ParsedQuery<F>; now: Date } | { ok: false; message: string };

/** Parses a page's search params with a filter schema. */
export function parsePageQuery<S extends z.ZodType>(schema: S, params: SearchParamsInput, fallback?: Preset): PageQuery<z.infer<S>> {
  const now = new Date();
  const r = parseQuery(schema, params, now, fallback);
  return r.ok ? { ok: true, query: r.value, now } : { ok: false, message: problemMessage(r.problem) };
}
