import { test, expect } from "@playwright/test";

test("home page renders the store status", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Faasight" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Store status" })).toBeVisible();
  await expect(page.getByTestId("functions-count")).toHaveText(/^\d+$/);
  await page.screenshot({ path: "test-results/screenshots/home.png", fullPage: true });
});

test("health API answers with JSON", async ({ request }) => {
  const res = await request.get("/api/v1/health");
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body.ok).toBe(true);
  expect(typeof body.functions).toBe("number");
});
