import { describe, expect, it } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { openApiDocument } from "../../lib/api/openapi.ts";
import { invalidQuery } from "../../lib/api/errors.ts";
import { parseQuery } from "../../lib/api/query.ts";
import { functionPageFiltersSchema } from "../../lib/queries/functions/function-page-filters.ts";
import { stageRequestFiltersSchema } from "../../lib/queries/stages/list-stage-requests.ts";
import { failureFiltersSchema } from "../../lib/queries/failures/list-failed-events.ts";

const API_ROOT = path.resolve(import.meta.dirname, "../../app/api/v1");

function routes(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...routes(path.join(dir, e.name), `${prefix}/${e.name.replace(/^\[(.+)\]$/, "{$1}")}`));
    else if (e.name === "route.ts") out.push(prefix);
  }
  return out;
}

describe("OpenAPI document", () => {
  it("documents every route handler under /api/v1 and nothing else", () => {
    const doc = openApiDocument() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).sort()).toEqual(routes(API_ROOT).sort());
  });
});

describe("query validation", () => {
  const now = new Date("2026-01-31T12:00:00Z");
  it.each([
    [functionPageFiltersSchema, { status: "boom" }, "status: must be one of all, errors, timeouts, cold, throttles"],
    [functionPageFiltersSchema, { limit: "0" }, "limit: must be a whole number from 1 to 200"],
    [functionPageFiltersSchema, { limit: "abc" }, "limit: must be a whole number from 1 to 200"],
    [functionPageFiltersSchema, { version: "../etc" }, "version: must be a version number or $LATEST"],
    [stageRequestFiltersSchema, { status: "6xx" }, "status: must be 4xx, 5xx or a status code such as 502"],
    [failureFiltersSchema, { queue: "a b" }, "queue: may contain only letters, digits and . : $ @ - _ /"],
    [functionPageFiltersSchema, { range: "2d" }, 'range: "2d" is not a range; use one of 15m, 1h, 6h, 24h, 7d, 30d or from/to'],
  ])("%#: %j -> %s", (schema, params, message) => {
    const r = parseQuery(schema, params, now);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(`${r.problem.param}: ${r.problem.message}`).toBe(message);
  });

  it("fills defaults", () => {
    const r = parseQuery(functionPageFiltersSchema, {}, now);
    expect(r.ok && r.value.filters).toEqual({ status: "all", limit: 25 });
  });

  it("answers a bad query with a 400 in the one error shape", async () => {
    const res = invalidQuery("range: bad");
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: "invalid_query", message: "range: bad" } });
  });
});
