/** Route-handler glue for the alerts and channels APIs: their errors in the API's one error shape. */
import { apiError } from "../api/errors.ts";
import { ForbiddenError } from "../auth/permissions.ts";
import { AlertsManageError } from "./manage.ts";
import { ChannelNotFoundError } from "./notify.ts";

/** Maps AlertsManageError (400/404/409) and ForbiddenError (403); anything else is rethrown (handle() answers 500). */
export function alertsErrorResponse(err: unknown): Response {
  if (err instanceof AlertsManageError) return apiError(err.status, err.code === "invalid_request" ? "invalid_body" : err.code, err.message);
  if (err instanceof ChannelNotFoundError) return apiError(404, "not_found", err.message);
  if (err instanceof ForbiddenError) return apiError(403, "forbidden", err.message);
  throw err;
}
