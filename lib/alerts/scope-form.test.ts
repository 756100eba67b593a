import { describe, expect, it } from "vitest";
import { fieldsFromScope, scopeFromFields, type ScopeFields, type ScopeType } from "./scope-form.ts";
import { ruleDefinitionSchema } from "./rules.ts";

const f = (names: string, aliases = "", tags = ""): ScopeFields => ({ names, aliases, tags });

describe("scopeFromFields", () => {
  it.each<[ScopeType, ScopeFields, Record<string, unknown>]>([
    ["functions", f(""), {}],
    ["functions", f(" checkout , orders-* "), { functions: ["checkout", "orders-*"] }],
    ["functions", f("", "", "team=payments, env = prod, broken"), { tags: { team: "payments", env: "prod" } }],
    ["aliases", f("checkout", "live"), { functions: ["checkout"], aliases: ["live"] }],
    ["stages", f("shop-api/prod"), { stages: ["shop-api/prod"] }],
    ["queues", f("orders-dlq"), { queues: ["orders-dlq"] }],
    ["sources", f("sandbox"), { sources: ["sandbox"] }],
    ["cost", f("checkout", "", "team=a"), { functions: ["checkout"], tags: { team: "a" } }],
  ])("%s %j -> %j", (type, fields, scope) => {
    expect(scopeFromFields(type, fields)).toEqual(scope);
  });

  it("produces scopes the rule schema accepts, and round-trips through the form", () => {
    const cases: Array<[string, ScopeType, ScopeFields]> = [
      ["error_rate", "functions", f("checkout", "", "team=payments")],
      ["canary_regression", "aliases", f("checkout", "live")],
      ["gateway_5xx_rate", "stages", f("shop-api/prod")],
      ["dlq_depth", "queues", f("orders-dlq")],
      ["collector_failing_or_lagging", "sources", f("sandbox")],
    ];
    for (const [kind, type, fields] of cases) {
      const scope = scopeFromFields(type, fields);
      expect(ruleDefinitionSchema.safeParse({ kind, scope, params: {} }).success, kind).toBe(true);
      expect(fieldsFromScope(type, scope)).toEqual({ names: fields.names, aliases: fields.aliases, tags: fields.tags });
    }
  });
});
