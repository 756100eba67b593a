import { z } from "zod";
import { invocationFiltersSchema } from "./list-invocations.ts";

/** URL filters of the function page and its API: qualifier plus the invocation filters. */
export const functionPageFiltersSchema = invocationFiltersSchema.extend({
  qualifier: z
    .string()
    .max(128, { error: () => "must be at most 128 characters" })
    .regex(/^(\$ALL|\$LATEST|[A-Za-z0-9_-]+)$/, { error: () => "must be $ALL, $LATEST, a version number or an alias name" })
    .optional(),
});
