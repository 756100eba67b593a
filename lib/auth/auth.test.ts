import { describe, expect, it } from "vitest";
import { ForbiddenError, ROLE_SCOPES, SCOPES, hasScope, requireScope, type Role, type Scope } from "./permissions.ts";
import { hashPassword, passwordProblem, verifyPassword } from "./password.ts";
import { hashSecret, newApiToken, secretMatches } from "./tokens.ts";
import { createRateLimiter } from "./rate-limit.ts";
import { redact, redactString, REDACTED } from "../redact.ts";

describe("permissions", () => {
  it.each<[Role, Scope, boolean]>([
    ["viewer", "dashboard:read", true],
    ["viewer", "failures:replay", false],
    ["viewer", "alerts:manage", false],
    ["operator", "failures:replay", true],
    ["operator", "alerts:acknowledge", true],
    ["operator", "alerts:manage", false],
    ["operator", "users:manage", false],
    ["admin", "alerts:manage", true],
    ["admin", "users:manage", true],
    ["admin", "sources:manage", true],
  ])("%s has %s: %s", (role, scope, expected) => {
    expect(hasScope(role, scope)).toBe(expected);
  });

  it("admins hold every scope and roles are nested", () => {
    expect([...ROLE_SCOPES.admin].sort()).toEqual([...SCOPES].sort());
    for (const s of ROLE_SCOPES.viewer) expect(ROLE_SCOPES.operator).toContain(s);
  });

  it("requireScope throws ForbiddenError naming the scope", () => {
    expect(() => requireScope({ userId: 1, email: "v@x", role: "viewer", via: "session" }, "failures:replay")).toThrow(ForbiddenError);
    expect(() => requireScope({ userId: 1, email: "v@x", role: "viewer", via: "session" }, "failures:replay")).toThrow(/failures:replay/);
  });
});

describe("passwords", () => {
  it("hash and verify; wrong or malformed never verify", async () => {
    const h = await hashPassword("correct horse battery staple");
    expect(h).toMatch(/^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(await verifyPassword("correct horse battery staple", h)).toBe(true);
    expect(await verifyPassword("correct horse battery stapl", h)).toBe(false);
    expect(await verifyPassword("x", "scrypt$bad")).toBe(false);
    expect(await verifyPassword("x", "")).toBe(false);
    expect(await hashPassword("same")).not.toBe(await hashPassword("same"));
  });
  it.each([
    ["short", "Passwords need at least 12 characters."],
    ["a-long-enough-password", null],
  ])("policy for %s", (pw, problem) => {
    expect(passwordProblem(pw)).toBe(problem);
  });
});

describe("tokens", () => {
  it("API tokens are stored as hashes and compared in constant time", () => {
    const t = newApiToken();
    expect(t.token.startsWith("fsk_")).toBe(true);
    expect(t.hash).toBe(hashSecret(t.token));
    expect(t.hash).not.toContain(t.token);
    expect(secretMatches(t.token, t.hash)).toBe(true);
    expect(secretMatches(t.token + "x", t.hash)).toBe(false);
    expect(secretMatches(t.token, "abc")).toBe(false);
  });
});

describe("rate limiter", () => {
  it("allows the limit per window, then asks to wait, then resets with the window", () => {
    const rl = createRateLimiter(3, 60_000);
    expect([rl.hit("k", 0), rl.hit("k", 1), rl.hit("k", 2)]).toEqual([0, 0, 0]);
    expect(rl.hit("k", 3)).toBe(60);
    expect(rl.hit("other", 3)).toBe(0);
    expect(rl.hit("k", 60_000)).toBe(0);
  });
});

describe("redact", () => {
  it.each([
    ["AKIAIOSFODNN7EXAMPLE in a log line", "AKIA**************** in a log line"],
    ["Authorization: Bearer abcdefghijklmnop", "Authorization: Bearer [REDACTED]"],
    ["postgresql://user:hunter2@db:5432/x", "postgresql://user:[REDACTED]@db:5432/x"],
    ["token fsk_abcdefghijklmnopqrstuvwxyz", "token fsk_[REDACTED]"],
    ["nothing secret here", "nothing secret here"],
  ])("%s", (input, expected) => {
    expect(redactString(input)).toBe(expected);
  });
  it("replaces secret-looking keys deeply and keeps the rest", () => {
    expect(redact({ url: "https://hooks.example.com/x", secret: "s3", nested: [{ password: "p", name: "n", sessionToken: "t" }], enabled: true })).toEqual({
      url: "https://hooks.example.com/x",
      secret: REDACTED,
      nested: [{ password: REDACTED, name: "n", sessionToken: REDACTED }],
      enabled: true,
    });
  });
});
