/** OpenAPI path items of the failures/replay API (spread into lib/api/openapi.ts). */
type Json = Record<string, unknown>;

const id: Json = { name: "id", in: "path", required: true, description: "Failed event id", schema: { type: "integer" } };
const jobId: Json = { name: "id", in: "path", required: true, description: "Replay job id (UUID)", schema: { type: "string" } };
const err = (description: string): Json => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });
const common: Json = { "401": err("Not signed in and no API token"), "403": err("Needs failures:replay (or a missing CSRF header on a session)") };
const post = (summary: string, parameters: Json[], responses: Json): Json => ({ post: { summary, tags: ["failures"], parameters, requestBody: { content: { "application/json": { schema: { type: "object" } } } }, responses: { ...responses, ...common } } });
const get = (summary: string, parameters: Json[], responses: Json): Json => ({ get: { summary, tags: ["failures"], parameters, responses: { ...responses, "401": err("Not signed in and no API token"), "403": err("Needs failures:read") } } });

/** The path items. */
export function replayOpenApiPaths(): Record<string, Json> {
  return {
    "/failures/{id}": get("One failed event: payload, attributes, the function's versions and aliases, replay attempts and audit rows", [id], { "200": { description: "Event" }, "404": err("Unknown event") }),
    "/failures/{id}/history": get("The event's replay attempts and audit rows, newest first", [id], { "200": { description: "History" } }),
    "/failures/{id}/preview": post("Dry run: exactly what a replay would send, or why it is refused. Body: { action: invoke|redrive, invocationType?, qualifier?, destinationQueueArn? }", [id], {
      "200": { description: "The plan" },
      "400": err("Invalid body: names the field"),
      "404": err("Unknown event"),
    }),
    "/failures/{id}/replay": post(
      "Replay one event: { action: invoke, invocationType: Event|RequestResponse, qualifier? } or { action: redrive, destinationQueueArn? }. Idempotent: the key is stored before the AWS call; a repeat answers outcome=duplicate",
      [id],
      { "200": { description: "The outcome: replayed (new request id), failed_again, failed, in_doubt or duplicate" }, "400": err("Invalid body, or refused (payload too large, not JSON, …)"), "404": err("Unknown event"), "409": err("Not eligible now (already replayed, discarded, in progress) or another replay got there first") },
    ),
    "/failures/{id}/discard": post("Discard with a reason: { reason, deleteMessage? }", [id], { "200": { description: "Discarded" }, "400": err("Invalid body"), "404": err("Unknown event"), "409": err("Not discardable now") }),
    "/failures/{id}/resolve": post("Settle a replay cut off mid-call: { resolution: ran|did_not_run, reason }", [id], { "200": { description: "The attempt" }, "400": err("Invalid body or nothing in doubt"), "404": err("Unknown event") }),
    "/replay/bulk": post(
      "Bulk replay: { functionName or queueId, errorType?, since?, until? (ISO), status?, limit?, action?, qualifier?, invocationType?, ratePerSecond (default 5), dryRun? }. dryRun answers the plans; otherwise 202 with a job",
      [],
      { "200": { description: "Dry run plans" }, "202": { description: "The job; poll /replay/jobs/{id}" }, "400": err("Invalid filter") },
    ),
    "/replay/jobs": get("Recent bulk replay jobs", [], { "200": { description: "Jobs" } }),
    "/replay/jobs/{id}": get("A bulk replay job's progress and per-event outcomes", [jobId], { "200": { description: "Job" }, "404": err("Unknown job") }),
    "/replay/jobs/{id}/stop": post("Stop a running bulk replay after its current event", [jobId], { "200": { description: "Job" }, "404": err("Unknown job") }),
    "/replay/redrive-queue": post("Redrive a whole SQS dead-letter queue: { queueId, destinationQueueArn?, maxPerSecond?, waitSeconds?, dryRun? }", [], { "200": { description: "Outcome" }, "400": err("Invalid body"), "404": err("Unknown queue"), "409": err("Refused (Lambda failures have no source queue)") }),
  };
}
