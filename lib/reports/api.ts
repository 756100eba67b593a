/** Route-side helpers for /api/v1/reports: the request body and the schedule errors in the API's one error shape. */
import { apiError, invalidBody } from "../api/errors.ts";
import { ReportScheduleConflictError, ReportScheduleNotFoundError, ReportScheduleValidationError } from "./schedules.ts";

/** The JSON body of a request, or a 400 response naming the problem. */
export async function readJsonBody(req: Request): Promise<{ ok: true; body: unknown } | { ok: false; response: Response }> {
  const text = await req.text();
  if (text.trim() === "") return { ok: false, response: invalidBody("the request needs a JSON body") };
  try {
    return { ok: true, body: JSON.parse(text) };
  } catch (err) {
    return { ok: false, response: invalidBody(`the body is not valid JSON: ${(err as Error).message}`) };
  }
}

/** A schedule error as its response (400 invalid, 404 unknown, 409 name taken), or null for anything else. */
export function scheduleErrorResponse(err: unknown): Response | null {
  if (err instanceof ReportScheduleValidationError) return invalidBody(err.issues.map((i) => `${i.path}: ${i.message}`).join("; "));
  if (err instanceof ReportScheduleNotFoundError) return apiError(404, "not_found", err.message);
  if (err instanceof ReportScheduleConflictError) return apiError(409, "conflict", err.message);
  return null;
}

/** A positive integer id from a path segment, or null. */
export function parseId(raw: string): number | null {
  return /^[1-9]\d{0,9}$/.test(raw) ? Number(raw) : null;
}
