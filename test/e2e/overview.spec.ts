import { test, expect } from "@playwright/test";
import { CATCH_UP_MS, num, readTruth, shot, truthRange, truthSum } from "./helpers";

test.describe("overview", () => {
  test("shows fleet health, offenders, DLQs and collectors with data", async ({ page }) => {
    await page.goto("/");
    await expect(page.getByRole("heading", { name: "Overview", level: 1 })).toBeVisible();
    await expect(page.getByRole("region", { name: "Fleet health" })).toBeVisible();
    expect(num(await page.getByTestId("fleet-invocations").locator(".value").textContent())).toBeGreaterThan(0);
    await expect(page.getByTestId("functions-table").getByRole("link", { name: "checkout", exact: true })).toBeVisible();
    await expect(page.getByTestId("offenders-errors").getByRole("link").first()).toBeVisible();
    for (const q of ["orders-dlq", "image-resize-dlq", "notifier-failures"]) await expect(page.getByTestId("dlq-depths").getByRole("link", { name: q })).toBeVisible();
    await expect(page.getByTestId("collector-status").getByRole("table")).toBeVisible();
    await expect(page.getByRole("img", { name: /^Invocations: / })).toBeVisible();
    await shot(page, "overview");
  });

  test("matches the ground truth over the simulated window", async ({ page, request }) => {
    test.setTimeout(CATCH_UP_MS + 60_000);
    const truth = readTruth();
    const r = truthRange(truth);
    const expected = truthSum(truth, "checkout", "$ALL", "invocations", r.fromMs, r.toMs);
    const fleet = [...new Set(truth.functions.map((f) => f.name))].reduce((s, n) => s + truthSum(truth, n, "$ALL", "invocations", r.fromMs, r.toMs), 0);
    // The worker collects the newest minutes within a cycle: wait until the store has them.
    await expect
      .poll(async () => (await (await request.get(`/api/v1/overview?from=${r.from}&to=${r.to}`)).json()).fleet.invocations, { timeout: CATCH_UP_MS, intervals: [2_000, 5_000] })
      .toBe(fleet);
    await page.goto(`/?from=${r.from}&to=${r.to}`);
    const row = page.getByTestId("fn-row-checkout");
    expect(num(await row.getByTestId("invocations").textContent())).toBe(expected);
    expect(num(await row.getByTestId("errors").textContent())).toBe(truthSum(truth, "checkout", "$ALL", "errors", r.fromMs, r.toMs));
    expect(num(await page.getByTestId("fleet-invocations").locator(".value").textContent())).toBe(fleet);
  });

  test("dark theme persists without a flash, and the phone layout works", async ({ page, browser }) => {
    await page.goto("/");
    await page.getByTestId("theme-toggle").click(); // system -> light
    await page.getByTestId("theme-toggle").click(); // light -> dark
    await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
    await page.reload();
    // Rendered by the server from the cookie: dark before any script runs.
    await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
    await shot(page, "overview-dark");
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const p = await phone.newPage();
    await p.goto("/");
    await expect(p.getByRole("heading", { name: "Overview", level: 1 })).toBeVisible();
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(p, "overview-phone");
    await phone.close();
  });

  test("is keyboard reachable: skip link and the time range", async ({ page }) => {
    await page.goto("/");
    await page.keyboard.press("Tab");
    await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
    await page.keyboard.press("Enter");
    await page.getByRole("link", { name: "Last 7d" }).focus();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/range=7d/);
    await expect(page.getByRole("link", { name: "Last 7d" })).toHaveAttribute("aria-current", "true");
  });
});
