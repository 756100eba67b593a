import { describe, expect, it } from "vitest";
import { errorFingerprint, normalizeErrorMessage } from "./fingerprint.ts";

describe("normalizeErrorMessage", () => {
  it.each([
    ["Cannot read properties of undefined (reading 'items')", "Cannot read properties of undefined (reading '<v>')"],
    ["invalid literal for int() with base 10: 'two'", "invalid literal for int() with base <n>: '<v>'"],
    ["Order 12345 not found", "Order <n> not found"],
    ["Request 8f5c1a0e-1111-4000-8000-000000000001 failed after 3.5 s", "Request <id> failed after <n> s"],
    ["cannot identify image file <_io.BytesIO object at 0x7f3a2c1d5e40>", "cannot identify image file <_io.BytesIO object at <addr>>"],
    ["Email address is not verified: customer@example.com", "Email address is not verified: <email>"],
    ['Table "orders" throttled', 'Table "<v>" throttled'],
    ["Access denied for arn:aws:iam::123456789012:role/x", "Access denied for <arn>"],
    ["trace 1-5e1b4151-5ac6c58f5b1a4b3c8e7f6a1b lost", "trace <id> lost"],
    ["line one\nline two", "line one"],
    ["  spaced    out  ", "spaced out"],
    [null, ""],
    ["v2 of S3 and EC2 stay", "v2 of S3 and EC2 stay"],
  ])("%j -> %j", (input, want) => expect(normalizeErrorMessage(input)).toBe(want));
});

describe("errorFingerprint", () => {
  it("groups the same failure with different values, and separates functions and types", () => {
    const a = errorFingerprint("checkout", "TypeError", "Order 1 failed for 'alice'");
    const b = errorFingerprint("checkout", "TypeError", "Order 2 failed for 'bob'");
    expect(a).toEqual(b);
    expect(a.pattern).toBe("Order <n> failed for '<v>'");
    expect(errorFingerprint("cart", "TypeError", "Order 1 failed for 'alice'").fingerprint).not.toBe(a.fingerprint);
    expect(errorFingerprint("checkout", "RangeError", "Order 1 failed for 'alice'").fingerprint).not.toBe(a.fingerprint);
    expect(a.fingerprint).toMatch(/^[0-9a-f]{24}$/);
  });
});
