/** Stored JSON columns, read defensively: a bad value becomes the fallback, never a crash. */
import type { z } from "zod";

/** Parses a JSON column with a schema; returns fallback when unreadable. */
export function readJson<T>(raw: string | null | undefined, schema: z.ZodType<T>, fallback: T): T {
  if (!raw) return fallback;
  try {
    const r = schema.safeParse(JSON.parse(raw));
    return r.success ? r.data : fallback;
  } catch {
    return fallback;
  }
}
