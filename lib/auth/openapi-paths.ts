/** OpenAPI path items of sign-in, users, API tokens and the Firehose push endpoint (spread into lib/api/openapi.ts). */
type Json = Record<string, unknown>;

const err = (description: string): Json => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });
const jsonBody: Json = { content: { "application/json": { schema: { type: "object" } } } };
const id = (what: string): Json => ({ name: "id", in: "path", required: true, description: `${what} id`, schema: { type: "integer" } });
const signedIn = (scope: string): Json => ({ "401": err("Not signed in and no API token"), "403": err(`Needs ${scope} (or a missing x-csrf-token header on a session)`) });

/** The path items. */
export function authOpenApiPaths(): Record<string, Json> {
  return {
    "/auth/login": {
      post: {
        summary: "Sign in with { email, password }: sets the httpOnly session cookie and the readable CSRF cookie (echo it in x-csrf-token on state-changing requests)",
        tags: ["auth"],
        requestBody: jsonBody,
        responses: { "200": { description: "Signed in: { user }" }, "400": err("Invalid body"), "401": err("Email or password is wrong"), "415": err("Body is not JSON"), "429": err("Too many failed attempts; Retry-After says when to retry") },
      },
    },
    "/auth/logout": { post: { summary: "Sign out: ends the session and clears its cookies", tags: ["auth"], responses: { "200": { description: "{ ok: true }" }, ...signedIn("a session") } } },
    "/auth/me": { get: { summary: "The signed-in user: email, role and scopes", tags: ["auth"], responses: { "200": { description: "Principal" }, "401": err("Not signed in") } } },
    "/users": {
      get: { summary: "Every user (never a password hash)", tags: ["users"], responses: { "200": { description: "Users" }, ...signedIn("users:manage") } },
      post: { summary: "Create a user: { email, role, password?, name? }", tags: ["users"], requestBody: jsonBody, responses: { "201": { description: "Created" }, "400": err("Invalid body"), "409": err("Email taken"), ...signedIn("users:manage") } },
    },
    "/users/{id}": {
      patch: {
        summary: "Change a user: { role?, disabled?, password?, name? }; the last active admin cannot be demoted or disabled",
        tags: ["users"],
        parameters: [id("User")],
        requestBody: jsonBody,
        responses: { "200": { description: "User" }, "400": err("Invalid body"), "404": err("Unknown user"), "409": err("Last admin"), ...signedIn("users:manage") },
      },
    },
    "/tokens": {
      get: { summary: "API tokens by prefix (your own; all for admins)", tags: ["tokens"], responses: { "200": { description: "Tokens" }, ...signedIn("tokens:manage") } },
      post: { summary: "Create an API token: { name, expiresInDays? }; the value is returned once", tags: ["tokens"], requestBody: jsonBody, responses: { "201": { description: "Token with its one-time value" }, "400": err("Invalid body"), ...signedIn("tokens:manage") } },
    },
    "/tokens/{id}": { delete: { summary: "Revoke an API token", tags: ["tokens"], parameters: [id("Token")], responses: { "200": { description: "The revoked token" }, "404": err("Unknown token"), ...signedIn("tokens:manage") } } },
    "/ingest/firehose": {
      post: {
        summary:
          "Amazon Data Firehose HTTP endpoint delivery of CloudWatch Logs subscription data (authenticated by the X-Amz-Firehose-Access-Key header = FAASIGHT_FIREHOSE_ACCESS_KEY, not a session); answers in Firehose's response format",
        tags: ["ingest"],
        requestBody: { content: { "application/json": { schema: { type: "object", properties: { requestId: { type: "string" }, timestamp: { type: "integer" }, records: { type: "array", items: { type: "object", properties: { data: { type: "string", description: "base64 of gzip CloudWatch Logs subscription JSON" } } } } } } } } },
        responses: { "200": { description: "{ requestId, timestamp }" }, "400": { description: "Not a Firehose delivery: { requestId, timestamp, errorMessage }" }, "401": { description: "Wrong or missing access key" } },
      },
    },
  };
}
