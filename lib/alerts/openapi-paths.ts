/** OpenAPI path items of the alerts and channels API (spread into lib/api/openapi.ts). */
type Json = Record<string, unknown>;

const err = (description: string): Json => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });
const idParam = (what: string): Json => ({ name: "id", in: "path", required: true, description: `${what} id`, schema: { type: "integer" } });
const op = (summary: string, scope: string, parameters: Json[], responses: Json, body = false): Json => ({
  summary: `${summary} (${scope})`,
  tags: ["alerts"],
  parameters,
  ...(body ? { requestBody: { content: { "application/json": { schema: { type: "object" } } } } } : {}),
  responses: { ...responses, "401": err("Not signed in and no API token"), "403": err(`Needs ${scope}`) },
});

/** The path items. */
export function alertsOpenApiPaths(): Record<string, Json> {
  const rule = idParam("Rule");
  const channel = idParam("Channel");
  return {
    "/alerts/rules": {
      get: op("Every rule with its channels and open-event count", "alerts:read", [], { "200": { description: "Rules" } }),
      post: op("Create a rule: { name, kind, scope?, params?, threshold?, windowMinutes?, pendingPeriods?, cooldownMinutes?, severity?, enabled?, channelIds? }", "alerts:manage", [], { "201": { description: "Created" }, "400": err("Invalid body"), "409": err("Name taken") }, true),
    },
    "/alerts/rules/{id}": {
      get: op("One rule with its recent history", "alerts:read", [rule], { "200": { description: "Rule" }, "404": err("Unknown rule") }),
      patch: op("Edit a rule (any create field but kind); { enabled: false } disables it", "alerts:manage", [rule], { "200": { description: "Rule" }, "400": err("Invalid body"), "404": err("Unknown rule"), "409": err("Name taken") }, true),
      delete: op("Delete a rule and its history", "alerts:manage", [rule], { "204": { description: "Deleted" }, "404": err("Unknown rule") }),
    },
    "/alerts/kinds": { get: op("Rule kinds: label, unit, scope type, default threshold", "alerts:read", [], { "200": { description: "Kinds" } }) },
    "/alerts/events": {
      get: op(
        "Alert history, newest first",
        "alerts:read",
        ["state", "ruleId", "scope", "limit", "before"].map((name) => ({ name, in: "query", required: false, schema: { type: "string" } })),
        { "200": { description: "Events" }, "400": err("Invalid query") },
      ),
    },
    "/alerts/events/{id}/acknowledge": { post: op("Acknowledge an open alert", "alerts:acknowledge", [idParam("Alert event")], { "200": { description: "Event" }, "400": err("Not open"), "404": err("Unknown event") }) },
    "/channels": {
      get: op("Every channel (never with its secret; webhook URLs masked)", "alerts:read", [], { "200": { description: "Channels" } }),
      post: op("Create a channel: { name, type: sns|webhook, target, secret? }; a generated webhook secret is in this response only", "channels:manage", [], { "201": { description: "Created" }, "400": err("Invalid body or refused URL (SSRF guard)"), "409": err("Name taken") }, true),
    },
    "/channels/{id}": {
      get: op("One channel", "alerts:read", [channel], { "200": { description: "Channel" }, "404": err("Unknown channel") }),
      patch: op("Edit a channel: name, target, enabled, secret or rotateSecret", "channels:manage", [channel], { "200": { description: "Channel" }, "400": err("Invalid body"), "404": err("Unknown channel") }, true),
      delete: op("Delete a channel", "channels:manage", [channel], { "204": { description: "Deleted" }, "404": err("Unknown channel") }),
    },
    "/channels/{id}/test": { post: op("Send a test notification", "channels:manage", [channel], { "200": { description: "Delivery outcome" }, "404": err("Unknown channel") }) },
  };
}
