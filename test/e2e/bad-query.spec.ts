import { test, expect } from "@playwright/test";
import { shot } from "./helpers";

test.describe("a bad query string", () => {
  for (const [url, message] of [
    ["/api/v1/overview?range=2d", 'range: "2d" is not a range; use one of 15m, 1h, 6h, 24h, 7d, 30d or from/to'],
    ["/api/v1/functions/checkout?status=nope", "status: must be one of all, errors, timeouts, cold, throttles"],
    ["/api/v1/stages/shop-api/prod?from=2026-01-02T00:00Z&to=2026-01-01T00:00Z", "to: must be after from"],
    ["/api/v1/failures?limit=0", "limit: must be a whole number from 1 to 500"],
  ] as const) {
    test(`gets a 400 from ${url}`, async ({ request }) => {
      const res = await request.get(url);
      expect(res.status()).toBe(400);
      expect(await res.json()).toEqual({ error: { code: "invalid_query", message } });
    });
  }

  test("gets a friendly message on the page, not a crash", async ({ page }) => {
    const res = await page.goto("/functions/checkout?range=2d");
    expect(res?.status()).toBe(200);
    const notice = page.getByTestId("query-problem");
    await expect(notice).toContainText("This link has a problem");
    await expect(notice).toContainText('range: "2d" is not a range');
    await shot(page, "bad-query");
    await notice.getByRole("link", { name: /default time range/ }).click();
    await expect(page).toHaveURL(/\/functions\/checkout$/);
    await expect(page.getByTestId("canary-verdict")).toBeVisible();
  });

  test("an unknown function gets a 404 in the error shape and a page that says so", async ({ page, request }) => {
    const res = await request.get("/api/v1/functions/no-such-fn");
    expect(res.status()).toBe(404);
    expect((await res.json()).error.code).toBe("not_found");
    await page.goto("/functions/no-such-fn");
    await expect(page.getByTestId("not-found")).toContainText("is not in the store");
  });
});
