import { describe, expect, it } from "vitest";
import { clientAddress, isHttps, isPublicPath, loginUrl, proxyDecision, safeNextPath, serializeCookie, sessionCookies } from "./http.ts";
import { readCookie } from "../api/guard.ts";
import { createRateLimiter } from "./rate-limit.ts";
import { newTokenSchema, newUserSchema, userChangeSchema, zodProblem } from "./users.ts";
import { signInBanner } from "../cli/demo.ts";

describe("safeNextPath", () => {
  it.each([
    ["/functions/checkout?range=7d", "/functions/checkout?range=7d"],
    ["/", "/"],
    ["/apis/shop-api/prod#x", "/apis/shop-api/prod#x"],
    [null, "/"],
    ["", "/"],
    ["https://evil.example/", "/"],
    ["//evil.example/path", "/"],
    ["/\\evil.example", "/"],
    ["\\\\evil.example", "/"],
    ["javascript:alert(1)", "/"],
    ["/%0d%0aSet-Cookie:x", "/%0d%0aSet-Cookie:x"],
    ["/foo\nbar", "/"],
    ["/login", "/"],
    ["/login?next=/x", "/"],
    ["/api/v1/users", "/"],
    ["/a/../b", "/b"],
    ["/" + "a".repeat(3000), "/"],
  ])("%j -> %j", (raw, expected) => {
    expect(safeNextPath(raw)).toBe(expected);
  });

  it("loginUrl carries the return path only when it is not the overview", () => {
    expect(loginUrl("/")).toBe("/login");
    expect(loginUrl("/cost?range=7d")).toBe("/login?next=%2Fcost%3Frange%3D7d");
    expect(loginUrl("//evil.example")).toBe("/login");
  });
});

describe("proxyDecision", () => {
  const none = { sessionCookie: false, bearer: false };
  it.each<[string, string, { sessionCookie: boolean; bearer: boolean }, string]>([
    ["/", "", none, "redirect:/login"],
    ["/functions/checkout", "?range=7d", none, "redirect:/login?next=%2Ffunctions%2Fcheckout%3Frange%3D7d"],
    ["/functions", "", { sessionCookie: true, bearer: false }, "next"],
    ["/functions", "", { sessionCookie: false, bearer: true }, "redirect:/login?next=%2Ffunctions"],
    ["/login", "?next=/x", none, "next"],
    ["/api/v1/functions", "", none, "unauthorized"],
    ["/api/v1/functions", "", { sessionCookie: false, bearer: true }, "next"],
    ["/api/v1/users", "", { sessionCookie: true, bearer: false }, "next"],
    ["/api/v1/auth/login", "", none, "next"],
    ["/api/v1/auth/logout", "", none, "unauthorized"],
    ["/api/v1/auth/me", "", none, "unauthorized"],
    ["/api/v1/health", "", none, "next"],
    ["/api/v1/openapi.json", "", none, "next"],
    ["/api/v1/ingest/firehose", "", none, "next"],
    ["/api/v1/ingestion", "", none, "unauthorized"],
    ["/api/v1/health/x", "", none, "unauthorized"],
    ["/_next/static/chunks/a.js", "", none, "next"],
    ["/favicon.svg", "", none, "next"],
    ["/api/v1/evil.png", "", none, "unauthorized"],
  ])("%s%s %j -> %s", (path, search, creds, expected) => {
    const d = proxyDecision(path, search, creds);
    expect(d.kind === "redirect" ? `redirect:${d.location}` : d.kind).toBe(expected);
  });

  it("public paths are exactly the exempt list plus static files", () => {
    expect(isPublicPath("/loginx")).toBe(false);
    expect(isPublicPath("/settings")).toBe(false);
    expect(isPublicPath("/brand/logo.png")).toBe(true);
  });
});

describe("cookies and request facts", () => {
  it.each([
    ["a=1; faasight_session=abc; b=2", "faasight_session", "abc"],
    ["faasight_session=a%2Bb", "faasight_session", "a+b"],
    ["faasight_sessionx=1", "faasight_session", undefined],
    ["", "faasight_session", undefined],
    [null, "faasight_session", undefined],
  ])("readCookie(%j, %s) = %j", (header, name, expected) => {
    expect(readCookie(header, name)).toBe(expected);
  });

  it("the session cookie is httpOnly, the CSRF cookie readable, both SameSite=Lax; Secure only on https", () => {
    const expiresAt = new Date("2026-11-27T22:00:00Z");
    const [session, csrf] = sessionCookies({ sessionToken: "s", csrfToken: "c", expiresAt, secure: false, sessionName: "faasight_session", csrfName: "faasight_csrf" });
    expect(serializeCookie(session!)).toBe("faasight_session=s; Path=/; Expires=Fri, 27 Nov 2026 22:00:00 GMT; SameSite=Lax; HttpOnly");
    expect(serializeCookie(csrf!)).toBe("faasight_csrf=c; Path=/; Expires=Fri, 27 Nov 2026 22:00:00 GMT; SameSite=Lax");
    const secure = sessionCookies({ sessionToken: "s", csrfToken: "c", expiresAt, secure: true, sessionName: "a", csrfName: "b" });
    expect(secure.map((c) => serializeCookie(c).endsWith("Secure"))).toEqual([true, true]);
  });

  it.each([
    ["http://127.0.0.1:3000/api/v1/auth/login", null, false],
    ["https://faasight.example/api/v1/auth/login", null, true],
    ["http://10.0.0.5:3000/x", "https", true],
    ["http://10.0.0.5:3000/x", "https, http", true],
    ["https://x/", "http", false],
  ])("isHttps(%s, %j) = %s", (url, proto, expected) => {
    expect(isHttps(url, proto)).toBe(expected);
  });

  it.each([
    [{ "x-forwarded-for": "1.1.1.1, 10.0.0.1" }, "10.0.0.1"],
    [{ "x-real-ip": "2.2.2.2" }, "2.2.2.2"],
    [{}, "unknown"],
  ])("clientAddress(%j) = %s", (h, expected) => {
    expect(clientAddress(new Headers(h))).toBe(expected);
  });
});

describe("login rate limiter", () => {
  it("peek does not count; the attempt after `limit` failures waits until the window ends", () => {
    const l = createRateLimiter(3, 60_000);
    for (let i = 0; i < 3; i++) {
      expect(l.peek("k", 1_000)).toBe(0);
      l.hit("k", 1_000);
    }
    expect(l.peek("k", 1_000)).toBe(60);
    expect(l.peek("k", 31_000)).toBe(30);
    expect(l.peek("other", 1_000)).toBe(0);
    expect(l.peek("k", 61_000)).toBe(0);
    l.hit("k", 1_000);
    l.reset("k");
    expect(l.peek("k", 1_000)).toBe(0);
  });
});

describe("user and token bodies", () => {
  it.each<[unknown, string | null]>([
    [{ email: "Op@Example.COM ", password: "twelve-chars", role: "operator" }, null],
    [{ email: "op@example.com", password: "short", role: "operator" }, "password: Passwords need at least 12 characters."],
    [{ email: "not-an-email", password: "twelve-chars" }, "email: email must look like name@domain"],
    [{ email: "a@b.c", password: "twelve-chars", role: "root" }, "role: role must be one of viewer, operator, admin"],
    [{ email: "a@b.c", password: "twelve-chars", passwordHash: "x" }, 'Unrecognized key: "passwordHash"'],
    [{ password: "twelve-chars" }, "email: email is required"],
  ])("new user %j -> %j", (body, problem) => {
    const r = newUserSchema.safeParse(body);
    expect(r.success ? null : zodProblem(r.error)).toBe(problem);
  });

  it("normalises the email and defaults the role to viewer", () => {
    expect(newUserSchema.parse({ email: " Op@Example.COM", password: "twelve-chars" })).toEqual({ email: "op@example.com", password: "twelve-chars", role: "viewer" });
  });

  it.each<[unknown, boolean]>([
    [{}, false],
    [{ role: "admin" }, true],
    [{ disabled: true }, true],
    [{ disabled: "yes" }, false],
    [{ password: "short" }, false],
  ])("user change %j valid: %s", (body, valid) => {
    expect(userChangeSchema.safeParse(body).success).toBe(valid);
  });

  it.each<[unknown, boolean]>([
    [{ name: "ci" }, true],
    [{ name: "" }, false],
    [{ name: "ci", expiresInDays: 0 }, false],
    [{ name: "ci", expiresInDays: 30, userId: 2 }, true],
  ])("new token %j valid: %s", (body, valid) => {
    expect(newTokenSchema.safeParse(body).success).toBe(valid);
  });
});

describe("demo sign-in banner", () => {
  it("shows a generated password, never one from the environment", () => {
    expect(signInBanner({ created: true, email: "admin@faasight.local", generatedPassword: "pw-123" }, false)).toContain("with password pw-123");
    const fromEnv = signInBanner({ created: true, email: "admin@faasight.local" }, true);
    expect(fromEnv).toContain("FAASIGHT_ADMIN_PASSWORD");
    expect(signInBanner({ created: false, email: "admin@faasight.local" }, true)).toContain("existing user");
  });
});
