/** The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json. */
import { PRESETS } from "../time-range.ts";
import { INVOCATION_STATUS_FILTERS } from "../queries/functions/list-invocations.ts";
import { replayOpenApiPaths } from "../replay/openapi-paths.ts";
import { alertsOpenApiPaths } from "../alerts/openapi-paths.ts";
import { authOpenApiPaths } from "../auth/openapi-paths.ts";

type Json = Record<string, unknown>;

const q = (name: string, description: string, schema: Json = { type: "string" }): Json => ({ name, in: "query", required: false, description, schema });
const p = (name: string, description: string): Json => ({ name, in: "path", required: true, description, schema: { type: "string" } });

const timeRange: Json[] = [
  q("range", `Preset window ending now (default 24h unless stated). One of ${PRESETS.join(", ")}.`, { type: "string", enum: [...PRESETS] }),
  q("from", "Custom window start, ISO 8601 (UTC when no zone) or epoch ms; requires `to`.", { type: "string" }),
  q("to", "Custom window end (exclusive), ISO 8601 or epoch ms; requires `from`. At most 90 days after `from`.", { type: "string" }),
];

const errors: Json = {
  "400": { description: "Invalid query: the message names the parameter and why.", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
  "500": { description: "The store could not be read.", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
};
const notFound: Json = { "404": { description: "Not in the store.", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } } };
const okJson = (description: string, schema: Json = { type: "object" }): Json => ({ "200": { description, content: { "application/json": { schema } } } });

const get = (summary: string, parameters: Json[], responses: Json, tag: string): Json => ({ get: { summary, tags: [tag], parameters, responses: { ...responses, ...errors } } });

/** Builds the document (pure). */
export function openApiDocument(): Json {
  return {
    openapi: "3.1.0",
    info: {
      title: "Faasight API",
      version: "1",
      description:
        "Read-only JSON API behind the Faasight dashboard. Every figure comes from the store (rollups and a bounded window of raw rows); no call reaches AWS. Field names are camelCase and stable. Durations are milliseconds, rates are ratios 0..1, money is integer micro-dollars (`*Micros`), GB-seconds are exact (MB-ms / 1,024,000).",
    },
    servers: [{ url: "/api/v1" }],
    paths: {
      "/health": get("Liveness and store counts", [], okJson("Store status"), "meta"),
      "/openapi.json": get("This document", [], okJson("OpenAPI document"), "meta"),
      "/overview": get("Fleet health, per-function figures and sparklines, top offenders, open alerts, DLQ depths, collector status, month spend", timeRange, okJson("Overview", { $ref: "#/components/schemas/Overview" }), "overview"),
      "/functions": get("Every function with its figures for the window", timeRange, okJson("Functions"), "functions"),
      "/functions/{name}": get(
        "A function: configuration, insights, per-qualifier figures, series, canary verdicts, error groups and recent invocations",
        [p("name", "Function name"), ...timeRange, q("qualifier", "$ALL (default), a version or an alias"), q("status", "Invocation filter", { type: "string", enum: [...INVOCATION_STATUS_FILTERS] }), q("version", "Only invocations of this version"), q("limit", "Invocations to return (1-200, default 25)", { type: "integer" })],
        { ...okJson("Function"), ...notFound },
        "functions",
      ),
      "/functions/{name}/invocations": get(
        "Recent invocations of a function with their log lines",
        [p("name", "Function name"), ...timeRange, q("status", "Filter", { type: "string", enum: [...INVOCATION_STATUS_FILTERS] }), q("version", "Only this version"), q("limit", "1-200, default 25", { type: "integer" })],
        { ...okJson("Invocations"), ...notFound },
        "functions",
      ),
      "/invocations/{requestId}": get("One request id: every attempt (async retries), log lines, traces, the API Gateway request and DLQ/destination events", [p("requestId", "Lambda request id")], { ...okJson("Invocation"), ...notFound }, "functions"),
      "/stages": get("Every API Gateway stage with requests, 4xx and 5xx", timeRange, okJson("Stages"), "apis"),
      "/stages/{api}/{stage}": get(
        "An API stage: status codes with likely causes, latency vs integration latency, cache hit ratio, canary vs base, failing requests with their invocations",
        [p("api", "API name or id"), p("stage", "Stage name"), ...timeRange, q("status", "4xx, 5xx (default) or a status code such as 502"), q("variant", "all (default), base or canary", { type: "string", enum: ["all", "base", "canary"] }), q("limit", "1-200, default 25", { type: "integer" })],
        { ...okJson("Stage"), ...notFound },
        "apis",
      ),
      "/stages/{api}/{stage}/requests": get(
        "Gateway requests of a stage by status, each with the Lambda invocation behind it (via the integration request id)",
        [p("api", "API name or id"), p("stage", "Stage name"), ...timeRange, q("status", "4xx, 5xx (default) or a code"), q("variant", "all, base or canary"), q("limit", "1-200", { type: "integer" })],
        { ...okJson("Requests"), ...notFound },
        "apis",
      ),
      "/traces/{traceId}": get("A trace with its waterfall rows and the invocations that carry it", [p("traceId", "X-Ray trace id")], { ...okJson("Trace"), ...notFound }, "traces"),
      "/failures": get(
        "DLQ and on-failure destination events (default 7d), grouped by function and error, with payloads and attributes",
        [...timeRange, q("queue", "Queue name"), q("function", "Function name"), q("errorCode", "Error code"), q("limit", "1-500, default 25", { type: "integer" })],
        okJson("Failures"),
        "failures",
      ),
      "/queues": get("DLQs and failure destinations with their last measured depth", [], okJson("Queues"), "failures"),
      "/cost/summary": get("Billed GB-seconds and spend per function and alias, spend trend, month to date and projection (default 7d)", timeRange, okJson("Cost summary"), "cost"),
      "/cost": get("The Cost page: the window's cost report (per function / alias / stage, tiers attributed, change vs the previous window, right-sizing, arm64, anomalies, projection with range, Faasight's own monitoring cost), exact vs metric estimate, provisioned concurrency, trend (default 7d)", [...timeRange, q("sort", "Row order", { type: "string", enum: ["spend", "change", "name"] }), q("by", "Group the spend series by", { type: "string", enum: ["function", "stage", "service"] })], okJson("Cost page"), "cost"),
      "/cost/right-sizing": get("Recommended memory and monthly saving per function with assumptions, arm64 migration saving, provisioned concurrency idle cost and spillover (default 7d)", timeRange, okJson("Savings"), "cost"),
      "/cost/reconciliation": get("Exact cost from REPORT lines vs the CloudWatch metrics estimate per function, the difference explained (default 7d)", timeRange, okJson("Reconciliation"), "cost"),
      "/cost/projection": get("Month-end projection with a low-high range, daily spend and anomalies (default 7d)", timeRange, okJson("Projection"), "cost"),
      "/cost/report": get(
        "A cost report on demand, as `faasight report` prints it",
        [q("period", "last-7d (default), last-30d, previous-week, previous-month, month-to-date or custom", { type: "string", enum: ["last-7d", "last-30d", "previous-week", "previous-month", "month-to-date", "custom"] }), q("from", "custom: YYYY-MM-DD or ISO time"), q("to", "custom: YYYY-MM-DD (inclusive) or ISO time (exclusive)"), q("timezone", "IANA time zone (default UTC)"), q("format", "json (default), csv or html", { type: "string", enum: ["json", "csv", "html"] })],
        okJson("Report"),
        "reports",
      ),
      "/reports/schedules": {
        ...get("Report schedules", [], okJson("Schedules"), "reports"),
        post: { summary: "Create a schedule (reports:manage): { name, cron, timezone?, period?, formats?, channels?, enabled? }", tags: ["reports"], responses: { "201": { description: "Created" }, "400": { description: "Invalid body: names the field" }, "403": { description: "Needs reports:manage" }, "409": { description: "Name taken" } } },
      },
      "/reports/schedules/{id}": {
        ...get("A schedule and its runs", [p("id", "Schedule id")], { ...okJson("Schedule"), ...notFound }, "reports"),
        patch: { summary: "Change a schedule (reports:manage)", tags: ["reports"], parameters: [p("id", "Schedule id")], responses: { "200": { description: "Updated" }, "400": { description: "Invalid body" }, "403": { description: "Needs reports:manage" }, "404": { description: "Unknown schedule" } } },
        delete: { summary: "Delete a schedule; its runs stay (reports:manage)", tags: ["reports"], parameters: [p("id", "Schedule id")], responses: { "200": { description: "Deleted" }, "403": { description: "Needs reports:manage" }, "404": { description: "Unknown schedule" } } },
      },
      "/reports/schedules/{id}/run": { post: { summary: "Run a schedule now: build, store and deliver its report (reports:manage)", tags: ["reports"], parameters: [p("id", "Schedule id")], responses: { "200": { description: "The run (runId, status, deliveries)" }, "403": { description: "Needs reports:manage" }, "404": { description: "Unknown schedule" } } } },
      "/reports/runs": get("Report run history, newest first", [q("schedule", "Only this schedule's runs", { type: "integer" }), q("limit", "1-500, default 50", { type: "integer" })], okJson("Runs"), "reports"),
      "/reports/runs/{id}": get("One report run with its stored formats and deliveries", [p("id", "Run id")], { ...okJson("Run"), ...notFound }, "reports"),
      "/reports/runs/{id}/download": get("A run's stored report as a file", [p("id", "Run id"), q("format", "html, csv or json (default: the run's first format)", { type: "string", enum: ["html", "csv", "json"] }), q("inline", "1 to view instead of download")], { "200": { description: "The report (text/html, text/csv or application/json)" }, ...notFound }, "reports"),
      "/alerts": get("Alert rules and events", [q("state", "open or all (default)", { type: "string", enum: ["open", "all"] }), q("limit", "1-500, default 100", { type: "integer" })], okJson("Alerts"), "alerts"),
      "/reports": get("Report schedules and recent runs", [], okJson("Reports"), "reports"),
      "/collector": get("The latest run of each collector: lag, API calls, throttles, malformed lines", [], okJson("Collector status"), "meta"),
      ...replayOpenApiPaths(),
      ...alertsOpenApiPaths(),
      ...authOpenApiPaths(),
    },
    components: {
      schemas: {
        Error: {
          type: "object",
          required: ["error"],
          properties: {
            error: {
              type: "object",
              required: ["code", "message"],
              properties: { code: { type: "string", enum: ["invalid_query", "invalid_body", "unauthorized", "forbidden", "csrf", "not_found", "conflict", "rate_limited", "internal"] }, message: { type: "string", examples: ['range: "2d" is not a range; use one of 15m, 1h, 6h, 24h, 7d, 30d or from/to'] } },
            },
          },
        },
        Stats: {
          type: "object",
          properties: {
            invocations: { type: "integer" },
            errors: { type: "integer" },
            timeouts: { type: "integer" },
            throttles: { type: "integer" },
            coldStarts: { type: "integer" },
            errorRate: { type: ["number", "null"] },
            coldStartRate: { type: ["number", "null"] },
            p50Ms: { type: ["number", "null"] },
            p90Ms: { type: ["number", "null"] },
            p99Ms: { type: ["number", "null"] },
            billedMs: { type: "integer" },
            mbMs: { type: "integer" },
            gbSeconds: { type: "number" },
          },
        },
        Series: {
          type: "object",
          description: "Chart rows: `t` is the bucket start (epoch ms); each series key holds a number or null (a gap: no data, never invented).",
          properties: { rows: { type: "array", items: { type: "object" } }, series: { type: "array", items: { type: "object", properties: { key: { type: "string" }, label: { type: "string" }, unit: { type: "string" }, policy: { type: "string", enum: ["zero", "gap"] } } } }, stepMs: { type: "integer" } },
        },
        Overview: {
          type: "object",
          properties: {
            range: { type: "object" },
            fleet: { $ref: "#/components/schemas/Stats" },
            series: { $ref: "#/components/schemas/Series" },
            functions: { type: "array", items: { type: "object" } },
            offenders: { type: "object" },
            openAlerts: { type: "array", items: { type: "object" } },
            queues: { type: "array", items: { type: "object" } },
            collectors: { type: "array", items: { type: "object" } },
            month: { type: "object" },
          },
        },
      },
    },
  };
}
