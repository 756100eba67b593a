/**
 * Users, sessions and API tokens against a real store (SQLite and PostgreSQL): first-run admin,
 * login, CSRF, disable/last-admin rules, token create/use/revoke/expiry, and `authorize`
 * deciding 401/403/CSRF on real Request objects.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASES, type TestDatabase } from "../helpers/databases.ts";
import { authorize } from "../../../lib/api/guard.ts";
import { csrfValid, login, LoginError, sessionPrincipal, tokenPrincipal } from "../../../lib/auth/sessions.ts";
import { createApiToken, createUser, ensureFirstAdmin, LastAdminError, listApiTokens, listUsers, revokeApiToken, updateUser, UserExistsError } from "../../../lib/auth/users.ts";
import { writeAudit } from "../../../lib/auth/audit.ts";

describe.each(DATABASES)("users and tokens on $name", ({ create }) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await create();
    // authorize() reads the process-wide client; point it at this test database.
    (globalThis as unknown as { faasightDb?: unknown }).faasightDb = t;
  });
  afterAll(async () => {
    delete (globalThis as unknown as { faasightDb?: unknown }).faasightDb;
    await t?.drop();
  });

  it("creates exactly one first-run admin, even when started twice at once", async () => {
    const [a, b] = await Promise.all([ensureFirstAdmin(t.db, { email: "Admin@Faasight.Local" }), ensureFirstAdmin(t.db, { email: "admin@faasight.local" })]);
    const created = [a, b].filter((r) => r.created);
    expect(created).toHaveLength(1);
    expect(created[0]!.generatedPassword).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(await ensureFirstAdmin(t.db, { email: "admin@faasight.local", password: "another-password" })).toEqual({ created: false, email: "admin@faasight.local" });
    const users = await listUsers(t.db);
    expect(users.map((u) => [u.email, u.role])).toEqual([["admin@faasight.local", "admin"]]);
    expect(JSON.stringify(users)).not.toContain("scrypt");
    const stored = await t.db.user.findUniqueOrThrow({ where: { email: "admin@faasight.local" } });
    expect(stored.passwordHash).toMatch(/^scrypt\$/);
    expect(stored.passwordHash).not.toContain(created[0]!.generatedPassword!);
    const s = await login(t.db, { email: "admin@faasight.local", password: created[0]!.generatedPassword!, ip: "203.0.113.1" });
    expect(s.principal).toMatchObject({ email: "admin@faasight.local", role: "admin", via: "session" });
  });

  it("logs in, checks CSRF, and a disabled user's sessions end", async () => {
    const email = `op-${t.provider}@faasight.test`;
    const op = await createUser(t.db, { email, password: "operator-password", role: "operator" });
    await expect(createUser(t.db, { email, password: "operator-password", role: "viewer" })).rejects.toBeInstanceOf(UserExistsError);
    await expect(login(t.db, { email, password: "wrong-password-1", ip: "203.0.113.2" })).rejects.toBeInstanceOf(LoginError);
    const s = await login(t.db, { email: email.toUpperCase(), password: "operator-password", ip: "203.0.113.2" });
    const lookup = (await sessionPrincipal(t.db, s.sessionToken))!;
    expect(lookup.principal).toEqual({ userId: op.id, email, role: "operator", via: "session" });
    expect(csrfValid(lookup, s.csrfToken)).toBe(true);
    expect(csrfValid(lookup, s.sessionToken)).toBe(false);
    expect(csrfValid(lookup, null)).toBe(false);
    const row = await t.db.session.findFirstOrThrow({ where: { userId: op.id } });
    expect(row.tokenHash).not.toBe(s.sessionToken);
    expect(row.csrfHash).not.toBe(s.csrfToken);

    await updateUser(t.db, op.id, { disabled: true });
    expect(await sessionPrincipal(t.db, s.sessionToken)).toBeNull();
    await expect(login(t.db, { email, password: "operator-password", ip: "203.0.113.2" })).rejects.toThrow("Email or password is wrong.");
    await updateUser(t.db, op.id, { disabled: false });
    expect((await login(t.db, { email, password: "operator-password", ip: "203.0.113.2" })).principal.role).toBe("operator");
  });

  it("refuses to demote or disable the last active admin", async () => {
    const admin = (await listUsers(t.db)).find((u) => u.role === "admin")!;
    await expect(updateUser(t.db, admin.id, { role: "viewer" })).rejects.toBeInstanceOf(LastAdminError);
    await expect(updateUser(t.db, admin.id, { disabled: true })).rejects.toBeInstanceOf(LastAdminError);
    const second = await createUser(t.db, { email: `admin2-${t.provider}@faasight.test`, password: "second-admin-pw", role: "admin" });
    expect((await updateUser(t.db, admin.id, { role: "operator" }))!.role).toBe("operator");
    expect((await updateUser(t.db, admin.id, { role: "admin" }))!.role).toBe("admin");
    expect(await updateUser(t.db, 999_999, { role: "viewer" })).toBeNull();
    expect(second.role).toBe("admin");
  });

  it("API tokens: hashed at rest, usable as Bearer, refused after revoke or expiry", async () => {
    const viewer = await createUser(t.db, { email: `viewer-${t.provider}@faasight.test`, password: "viewer-password", role: "viewer" });
    const { token, info } = await createApiToken(t.db, { userId: viewer.id, name: "ci" });
    const row = await t.db.apiToken.findUniqueOrThrow({ where: { id: info.id } });
    expect(row.tokenHash).not.toContain(token.slice(4));
    expect(info.prefix).toBe(token.slice(0, 10));
    const listed = JSON.stringify(await listApiTokens(t.db, viewer.id));
    expect(listed).not.toContain(token);
    expect(listed).not.toContain(row.tokenHash);

    expect(await tokenPrincipal(t.db, `Bearer ${token}`)).toEqual({ userId: viewer.id, email: viewer.email, role: "viewer", via: "token" });
    expect((await t.db.apiToken.findUniqueOrThrow({ where: { id: info.id } })).lastUsedAt).not.toBeNull();
    expect(await revokeApiToken(t.db, info.id, viewer.id + 1000)).toBeNull();
    expect((await revokeApiToken(t.db, info.id, viewer.id))!.revokedAt).not.toBeNull();
    expect(await tokenPrincipal(t.db, `Bearer ${token}`)).toBeNull();

    const old = await createApiToken(t.db, { userId: viewer.id, name: "old", expiresInDays: 1, now: new Date(Date.now() - 2 * 86_400_000) });
    expect(await tokenPrincipal(t.db, `Bearer ${old.token}`)).toBeNull();
  });

  it("authorize: 401 without credentials, CSRF on session writes, 403 without the scope", async () => {
    const email = `guard-${t.provider}@faasight.test`;
    await createUser(t.db, { email, password: "guard-viewer-pw", role: "viewer" });
    const s = await login(t.db, { email, password: "guard-viewer-pw", ip: "203.0.113.3" });
    const cookie = `faasight_session=${s.sessionToken}; faasight_csrf=${s.csrfToken}`;
    const req = (method: string, headers: Record<string, string>) => new Request("http://127.0.0.1/api/v1/users", { method, headers });
    const decide = async (r: Request, scope: Parameters<typeof authorize>[1]) => {
      const a = await authorize(r, scope);
      return a.ok ? `ok:${a.principal.email}` : `${a.response.status}:${((await a.response.json()) as { error: { code: string } }).error.code}`;
    };
    expect(await decide(req("GET", {}), "dashboard:read")).toBe("401:unauthorized");
    expect(await decide(req("GET", { cookie: "faasight_session=forged" }), "dashboard:read")).toBe("401:unauthorized");
    expect(await decide(req("GET", { cookie }), "dashboard:read")).toBe(`ok:${email}`);
    expect(await decide(req("GET", { cookie }), "users:manage")).toBe("403:forbidden");
    expect(await decide(req("POST", { cookie }), "dashboard:read")).toBe("403:csrf");
    expect(await decide(req("POST", { cookie, "x-csrf-token": "guess" }), "dashboard:read")).toBe("403:csrf");
    expect(await decide(req("POST", { cookie, "x-csrf-token": s.csrfToken }), "dashboard:read")).toBe(`ok:${email}`);
    expect(await decide(req("POST", { cookie, "x-csrf-token": s.csrfToken }), "failures:replay")).toBe("403:forbidden");
    const admin = (await listUsers(t.db)).find((u) => u.role === "admin")!;
    const { token } = await createApiToken(t.db, { userId: admin.id, name: "guard" });
    expect(await decide(req("POST", { authorization: `Bearer ${token}` }), "users:manage")).toBe(`ok:${admin.email}`);
    expect(await decide(req("GET", { authorization: "Bearer fsk_unknown" }), "dashboard:read")).toBe("401:unauthorized");
  });

  it("audit rows name the actor and never store secrets", async () => {
    await writeAudit(t.db, { principal: null, actor: "cli:test", action: "user.update", resourceType: "user", resourceId: 1, outcome: "ok", details: { passwordChanged: true, password: "leak-me-not-123" } });
    const row = await t.db.auditLog.findFirstOrThrow({ where: { actor: "cli:test" } });
    expect(row.actorId).toBeNull();
    expect(row.detailsJson).not.toContain("leak-me-not-123");
  });
});
