import { expect, test, type APIRequestContext } from "@playwright/test";
import { AUTH, csrfOf, shot } from "./helpers.ts";

const SIGNED_OUT = { cookies: [], origins: [] };

/** A fresh API context signed in as `user` through the real login API (its own session). */
async function signedIn(playwright: { request: { newContext(o: object): Promise<APIRequestContext> } }, user: { email: string; password: string }) {
  const ctx = await playwright.request.newContext({ storageState: SIGNED_OUT });
  const res = await ctx.post("/api/v1/auth/login", { data: { email: user.email, password: user.password } });
  expect(res.status()).toBe(200);
  const csrf = (await ctx.storageState()).cookies.find((c) => c.name === "faasight_csrf")!.value;
  return { ctx, csrf };
}

test.describe("signed out", () => {
  test.use({ storageState: SIGNED_OUT });

  test("a page redirects to /login and back to the page after signing in", async ({ page }) => {
    await page.goto("/functions/checkout?range=7d");
    await expect(page).toHaveURL(/\/login\?next=%2Ffunctions%2Fcheckout%3Frange%3D7d$/);
    await expect(page.getByRole("heading", { name: "Sign in to Faasight" })).toBeVisible();
    await page.getByLabel("Email").fill(AUTH.operator.email);
    await page.getByLabel("Password").fill(AUTH.operator.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/functions\/checkout\?range=7d$/);
    await expect(page.getByTestId("user-email")).toHaveText(AUTH.operator.email);
    await expect(page.getByTestId("user-role")).toHaveText("operator");
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === "faasight_session")!;
    expect(session.httpOnly).toBe(true);
    expect(session.sameSite).toBe("Lax");
    expect(cookies.find((c) => c.name === "faasight_csrf")!.httpOnly).toBe(false);
  });

  test("every page redirects, the overview without a next parameter", async ({ page }) => {
    for (const path of ["/", "/failures", "/alerts", "/settings", "/invocations/abc"]) {
      await page.goto(path);
      await expect(page).toHaveURL(path === "/" ? /\/login$/ : new RegExp(`/login\\?next=${encodeURIComponent(path)}$`));
    }
  });

  test("an external next path is ignored after signing in", async ({ page }) => {
    await page.goto("/login?next=//evil.example/x");
    await page.getByLabel("Email").fill(AUTH.viewer.email);
    await page.getByLabel("Password").fill(AUTH.viewer.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/127\.0\.0\.1:\d+\/$/);
  });

  test("the API answers 401 in the error shape; health and the OpenAPI document stay public", async ({ request }) => {
    for (const path of ["/api/v1/functions", "/api/v1/overview", "/api/v1/users", "/api/v1/auth/me", "/api/v1/failures"]) {
      const res = await request.get(path);
      expect(res.status(), path).toBe(401);
      expect((await res.json()).error.code).toBe("unauthorized");
    }
    expect((await request.get("/api/v1/health")).status()).toBe(200);
    expect((await request.get("/api/v1/openapi.json")).status()).toBe(200);
    // A cookie that is no session passes the proxy's presence check and is refused by the route.
    const forged = await request.get("/api/v1/functions", { headers: { cookie: "faasight_session=not-a-session" } });
    expect(forged.status()).toBe(401);
    const badToken = await request.get("/api/v1/functions", { headers: { authorization: "Bearer fsk_not-a-token" } });
    expect(badToken.status()).toBe(401);
  });

  test("a wrong password shows an error and sets no cookie", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("Email").fill(AUTH.viewer.email);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("login-error")).toHaveText("Email or password is wrong.");
    await shot(page, "login-error");
    expect((await page.context().cookies()).map((c) => c.name)).not.toContain("faasight_session");
    await expect(page).toHaveURL(/\/login$/);
  });

  test("sign-in is rate-limited per account after 10 failures, with a message", async ({ page, request }) => {
    const email = "rate-limit@faasight.local";
    for (let i = 0; i < 10; i++) {
      const res = await request.post("/api/v1/auth/login", { data: { email, password: `wrong-password-${i}` } });
      expect(res.status()).toBe(401);
    }
    const limited = await request.post("/api/v1/auth/login", { data: { email, password: "wrong-password-x" } });
    expect(limited.status()).toBe(429);
    expect(Number(limited.headers()["retry-after"])).toBeGreaterThan(0);
    expect((await limited.json()).error.message).toMatch(/^Too many sign-in attempts\. Try again in \d+ seconds\.$/);
    await page.goto("/login");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("wrong-password-y");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("login-error")).toContainText("Too many sign-in attempts");
  });

  test("a login body that is not JSON is refused", async ({ request }) => {
    const res = await request.post("/api/v1/auth/login", { form: { email: AUTH.admin.email, password: AUTH.admin.password } });
    expect(res.status()).toBe(415);
  });
});

test.describe("signed in", () => {
  test("a state-changing request without the CSRF token is refused; with it, it succeeds", async ({ request }) => {
    const email = `csrf-${Date.now()}@faasight.local`;
    const body = { email, password: "csrf-user-password", role: "viewer" };
    const without = await request.post("/api/v1/users", { data: body });
    expect(without.status()).toBe(403);
    expect((await without.json()).error.code).toBe("csrf");
    const wrong = await request.post("/api/v1/users", { data: body, headers: { "x-csrf-token": "wrong" } });
    expect(wrong.status()).toBe(403);
    const list = (await (await request.get("/api/v1/users")).json()) as { users: Array<Record<string, unknown>> };
    expect(list.users.map((u) => u.email)).not.toContain(email);
    const withToken = await request.post("/api/v1/users", { data: body, headers: { "x-csrf-token": csrfOf(AUTH.admin.storageState) } });
    expect(withToken.status()).toBe(201);
    const created = (await withToken.json()).user;
    expect(created).toMatchObject({ email, role: "viewer", disabledAt: null });
    expect(Object.keys(created).sort()).toEqual(["createdAt", "disabledAt", "email", "id", "name", "role"]);
    const bad = await request.post("/api/v1/users", { data: { ...body, email: "x", password: "short" }, headers: { "x-csrf-token": csrfOf(AUTH.admin.storageState) } });
    expect(bad.status()).toBe(400);
    expect((await bad.json()).error.message).toBe("email: email must look like name@domain");
  });

  test("the users API never returns password hashes", async ({ request }) => {
    const text = await (await request.get("/api/v1/users")).text();
    expect(text).not.toMatch(/scrypt\$|passwordHash/);
    const users = (JSON.parse(text) as { users: Array<{ email: string; role: string }> }).users;
    expect(users.filter((u) => Object.values(AUTH).some((a) => a.email === u.email)).map((u) => [u.email, u.role])).toEqual([
      [AUTH.admin.email, "admin"],
      [AUTH.operator.email, "operator"],
      [AUTH.viewer.email, "viewer"],
    ]);
  });

  test("the admin manages users on the settings page", async ({ page }) => {
    await page.goto("/");
    await page.getByTestId("settings-link").click();
    await expect(page.getByRole("heading", { name: "Users & API tokens", level: 1 })).toBeVisible();
    const email = `ui-${Date.now()}@faasight.local`;
    await page.getByLabel("New user's email").fill(email);
    await page.getByLabel("New user's password").fill("ui-user-password");
    await page.getByLabel("New user's role").selectOption("operator");
    await page.getByRole("button", { name: "Add user" }).click();
    const row = page.getByTestId("user-row").filter({ hasText: email });
    await expect(row).toBeVisible();
    await expect(row.getByLabel(`Role of ${email}`)).toHaveValue("operator");
    await row.getByRole("button", { name: "Disable" }).click();
    await expect(row.getByText("disabled")).toBeVisible();
    await shot(page, "settings-users");
  });
});

test.describe("viewer", () => {
  test.use({ storageState: AUTH.viewer.storageState });

  test("gets 403 on user and token changes and sees no admin UI", async ({ page, request }) => {
    const csrf = csrfOf(AUTH.viewer.storageState);
    const create = await request.post("/api/v1/users", { data: { email: "x@faasight.local", password: "viewer-made-user", role: "admin" }, headers: { "x-csrf-token": csrf } });
    expect(create.status()).toBe(403);
    expect((await create.json()).error.code).toBe("forbidden");
    expect((await request.patch("/api/v1/users/1", { data: { role: "viewer" }, headers: { "x-csrf-token": csrf } })).status()).toBe(403);
    expect((await request.get("/api/v1/users")).status()).toBe(403);
    expect((await request.post("/api/v1/tokens", { data: { name: "mine" }, headers: { "x-csrf-token": csrf } })).status()).toBe(403);
    // Reading is allowed.
    expect((await request.get("/api/v1/functions")).status()).toBe(200);
    await page.goto("/");
    await expect(page.getByTestId("user-role")).toHaveText("viewer");
    await expect(page.getByTestId("settings-link")).toHaveCount(0);
    await page.goto("/settings");
    await expect(page.getByTestId("forbidden")).toContainText("admins only");
    await expect(page.getByTestId("users-table")).toHaveCount(0);
  });
});

test("an API token works as a Bearer token and is refused after revoke", async ({ playwright, request }) => {
  const csrf = csrfOf(AUTH.admin.storageState);
  const created = await request.post("/api/v1/tokens", { data: { name: "e2e-bearer" }, headers: { "x-csrf-token": csrf } });
  expect(created.status()).toBe(201);
  const { token, info } = (await created.json()) as { token: string; info: { id: number; prefix: string } };
  expect(token).toMatch(/^fsk_[A-Za-z0-9_-]{43}$/);
  expect(token.startsWith(info.prefix)).toBe(true);
  const listed = await (await request.get("/api/v1/tokens")).text();
  expect(listed).toContain(info.prefix);
  expect(listed).not.toContain(token);

  const bearer = await playwright.request.newContext({ storageState: SIGNED_OUT, extraHTTPHeaders: { authorization: `Bearer ${token}` } });
  const me = await bearer.get("/api/v1/auth/me");
  expect(me.status()).toBe(200);
  expect(await me.json()).toMatchObject({ user: { email: AUTH.admin.email, role: "admin" }, via: "token" });
  expect((await bearer.get("/api/v1/functions")).status()).toBe(200);
  // Tokens are not cookies: a state-changing call needs no CSRF header.
  const viaToken = await bearer.post("/api/v1/tokens", { data: { name: "made-by-token" } });
  expect(viaToken.status()).toBe(201);
  // A token does not open pages: they need a browser session.
  const pageRes = await bearer.get("/functions", { maxRedirects: 0 });
  expect(pageRes.status()).toBe(307);

  const revoked = await request.delete(`/api/v1/tokens/${info.id}`, { headers: { "x-csrf-token": csrf } });
  expect(revoked.status()).toBe(200);
  expect((await revoked.json()).token.revokedAt).not.toBeNull();
  const after = await bearer.get("/api/v1/functions");
  expect(after.status()).toBe(401);
  await bearer.dispose();
});

test.describe("sign out", () => {
  test.use({ storageState: SIGNED_OUT });

  test("ends the session: the old cookie is refused afterwards", async ({ page, playwright }) => {
    const { ctx } = await signedIn(playwright, AUTH.operator);
    const state = await ctx.storageState();
    await page.context().addCookies(state.cookies);
    await page.goto("/failures");
    await expect(page.getByTestId("user-email")).toHaveText(AUTH.operator.email);
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login$/);
    expect((await page.context().cookies()).map((c) => c.name)).not.toContain("faasight_session");
    // The same session cookie, replayed from elsewhere, no longer works.
    expect((await ctx.get("/api/v1/auth/me")).status()).toBe(401);
    await page.goto("/failures");
    await expect(page).toHaveURL(/\/login\?next=%2Ffailures$/);
    await ctx.dispose();
  });

  test("logout without the CSRF token is refused and the session stays", async ({ playwright }) => {
    const { ctx, csrf } = await signedIn(playwright, AUTH.viewer);
    expect((await ctx.post("/api/v1/auth/logout", { data: {} })).status()).toBe(403);
    expect((await ctx.get("/api/v1/auth/me")).status()).toBe(200);
    expect((await ctx.post("/api/v1/auth/logout", { data: {}, headers: { "x-csrf-token": csrf } })).status()).toBe(200);
    expect((await ctx.get("/api/v1/auth/me")).status()).toBe(401);
    await ctx.dispose();
  });
});
