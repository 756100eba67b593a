/**
 * Query-string parsing shared by pages and API routes: the time range plus a zod schema of
 * filters. A problem is reported as "<param>: <why>" for a 400 or a friendly page message.
 */
import { z } from "zod";
import { paramsToRecord, parseTimeRange, type Parsed, type Preset, type SearchParamsInput, type TimeRange } from "../time-range.ts";

/** Formats the first zod issue as "param: why". */
export function describeZodError(error: z.ZodError): { param: string; message: string } {
  const issue = error.issues[0];
  const param = issue?.path.map(String).join(".") || "query";
  return { param, message: issue?.message ?? "is invalid" };
}

/** Parses filters with a zod object schema (unknown params are ignored). */
export function parseFilters<S extends z.ZodType>(schema: S, params: SearchParamsInput): Parsed<z.infer<S>> {
  const r = schema.safeParse(paramsToRecord(params));
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, problem: describeZodError(r.error) };
}

export interface ParsedQuery<F> {
  range: TimeRange;
  filters: F;
}

/** Parses the time range and the filters; the first problem wins. */
export function parseQuery<S extends z.ZodType>(
  schema: S,
  params: SearchParamsInput,
  now: Date,
  fallback?: Preset,
): Parsed<ParsedQuery<z.infer<S>>> {
  const range = parseTimeRange(params, now, fallback);
  if (!range.ok) return range;
  const filters = parseFilters(schema, params);
  if (!filters.ok) return filters;
  return { ok: true, value: { range: range.value, filters: filters.value } };
}

/** "range: must be …" — the message of a 400 and of a page's bad-query notice. */
export function problemMessage(p: { param: string; message: string }): string {
  return `${p.param}: ${p.message}`;
}

/** Common filter pieces. */
export const limitParam = (max: number, fallback: number) =>
  z.coerce
    .number({ error: () => `must be a whole number from 1 to ${max}` })
    .int({ error: () => `must be a whole number from 1 to ${max}` })
    .min(1, { error: () => `must be a whole number from 1 to ${max}` })
    .max(max, { error: () => `must be a whole number from 1 to ${max}` })
    .default(fallback);

/** Names of functions, queues, APIs: printable, bounded. */
export const nameParam = z
  .string()
  .min(1, { error: () => "must not be empty" })
  .max(256, { error: () => "must be at most 256 characters" })
  .regex(/^[\w.:$@\-/]+$/, { error: () => "may contain only letters, digits and . : $ @ - _ /" });

/** No filters besides the time range. */
export const emptyFilters = z.object({});
