/** API Gateway status codes and their likely cause (what the on-call engineer checks first). */

export interface StatusCause {
  cause: string;
  action: string;
}

const CAUSES: Record<number, StatusCause> = {
  400: { cause: "Invalid request", action: "The client sent a malformed request or failed request validation." },
  401: { cause: "Unauthorized", action: "Missing or invalid credentials; check the authorizer and the caller's token." },
  403: { cause: "Authentication or authorization failed", action: "The authorizer denied the call, the API key is missing, or a resource policy/WAF blocked it." },
  404: { cause: "Resource not found", action: "No route matches, or the backend returned 404." },
  409: { cause: "Conflict", action: "The backend reported a conflicting state (returned by the function)." },
  413: { cause: "Payload too large", action: "The request body exceeds the 10 MB API Gateway limit." },
  429: { cause: "Throttled", action: "Stage/method throttling or a usage plan limit was hit; raise limits or back off in the client." },
  500: { cause: "Internal server error", action: "API Gateway or the integration failed; check the integration configuration." },
  502: { cause: "Backend (Lambda) error or malformed response", action: "The function threw, timed out before the gateway did, or returned a response that is not valid proxy JSON. Open the invocations behind it." },
  503: { cause: "Service issue", action: "API Gateway or the backend was unavailable; usually transient." },
  504: { cause: "Integration timeout (29 s)", action: "The integration did not answer within 29 s; the function is too slow for a synchronous API." },
};

/** The likely cause of a status code (falls back to its class). */
export function statusCause(code: number): StatusCause {
  const known = CAUSES[code];
  if (known) return known;
  if (code >= 500) return { cause: "Server error", action: "The gateway or the integration failed." };
  if (code >= 400) return { cause: "Client error", action: "The request was rejected." };
  return { cause: "Success", action: "" };
}
