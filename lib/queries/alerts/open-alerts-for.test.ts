import { describe, expect, it } from "vitest";
import { alertConcerns, type AlertSubject } from "./open-alerts-for.ts";

const checkout: AlertSubject = { kind: "function", name: "checkout" };
const prod: AlertSubject = { kind: "stage", api: "shop-api", stage: "prod" };

describe("alertConcerns", () => {
  it.each([
    ["function:checkout", checkout, true],
    ["function:checkout:$LATEST", checkout, true],
    ["function:checkout:7", checkout, true],
    ["alias:checkout:live", checkout, true],
    ["cost:checkout", checkout, true],
    ["function:prod-us/checkout", checkout, true],
    ["function:checkout-v2", checkout, false],
    ["function:my-checkout", checkout, false],
    ["stage:shop-api/prod", checkout, false],
    ["queue:checkout-dlq", checkout, false],
    ["stage:shop-api/prod", prod, true],
    ["stage:shop-api/prod2", prod, false],
    ["stage:other-api/prod", prod, false],
    ["function:shop-api", prod, false],
  ] as const)("%s concerns %j: %s", (key, subject, want) => {
    expect(alertConcerns(key, subject)).toBe(want);
  });
});
