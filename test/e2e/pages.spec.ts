import { test, expect } from "@playwright/test";
import { shot } from "./helpers";

test.describe("every page renders with data", () => {
  test("functions", async ({ page }) => {
    await page.goto("/functions");
    await expect(page.getByTestId("functions-list").getByRole("link", { name: "image-resize" })).toBeVisible();
    // Cold starts by configuration: the shop's Python 3.11 x86 1,769 MB image-resize has its own row.
    await expect(page.getByTestId("cold-by-config").getByRole("row").filter({ hasText: "python3.11" }).first()).toBeVisible();
    await shot(page, "functions");
  });

  test("API stages", async ({ page }) => {
    await page.goto("/apis");
    await expect(page.getByTestId("stages-list").getByRole("link", { name: "shop-api / prod" })).toBeVisible();
    await shot(page, "apis");
  });

  test("failures: DLQ and destination events with payloads, and the way to replay them", async ({ page }) => {
    await page.goto("/failures?range=30d");
    await expect(page.getByTestId("queues-table")).toContainText("orders-dlq");
    const row = page.getByTestId("failed-event-row").first();
    await expect(row).toBeVisible();
    await row.getByText(/^Payload/).click();
    await expect(row.locator("pre.payload")).toBeVisible();
    // The admin may replay: each event opens its replay page (replay itself: replay.spec.ts).
    await expect(row.getByTestId("event-open")).toHaveAttribute("href", /^\/failures\/\d+$/);
    await shot(page, "failures");
  });

  test("cost: billed GB-seconds and spend", async ({ page, request }) => {
    await page.goto("/cost");
    await expect(page.getByTestId("cost-by-function").getByRole("link", { name: "image-resize" })).toBeVisible();
    await expect(page.getByTestId("cost-total").locator(".value")).toHaveText(/^\$\d/);
    await expect(page.getByTestId("right-sizing")).toContainText("image-resize");
    await shot(page, "cost");
    const api = await request.get("/api/v1/cost/summary?range=7d");
    expect(api.status()).toBe(200);
    const body = await api.json();
    expect(body.byFunction.find((r: { function: string }) => r.function === "image-resize").gbSeconds).toBeGreaterThan(0);
  });

  test("alerts", async ({ page }) => {
    await page.goto("/alerts");
    await expect(page.getByRole("heading", { name: "Alerts", level: 1 })).toBeVisible();
    await shot(page, "alerts");
  });

  test("reports", async ({ page }) => {
    await page.goto("/reports");
    await expect(page.getByRole("heading", { name: "Reports", level: 1 })).toBeVisible();
    await shot(page, "reports");
  });

  test("the OpenAPI document and health answer", async ({ request }) => {
    const doc = await (await request.get("/api/v1/openapi.json")).json();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toContain("/functions/{name}");
    const health = await (await request.get("/api/v1/health")).json();
    expect(health.ok).toBe(true);
    expect(health.functions).toBeGreaterThan(0);
  });
});
