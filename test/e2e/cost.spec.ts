import { expect, test } from "@playwright/test";
import { shot } from "./helpers.ts";

/** Parses "$1,234.5678" into micro-dollars. */
const micros = (text: string | null) => Math.round(Number((text ?? "").replace(/[^\d.-]/g, "")) * 1e6);

test.describe("cost", () => {
  test("right-sizing shows image-resize with a saving and its assumptions; reconciliation and projection are visible", async ({ page }) => {
    await page.goto("/cost");
    await expect(page.getByRole("heading", { name: "Cost", level: 1 })).toBeVisible();

    // The default shop's image-resize has 3008 MB and uses 300-400 MB.
    const rs = page.getByTestId("right-sizing");
    const row = rs.getByTestId("rs-row-image-resize");
    await expect(row).toBeVisible();
    await expect(row.getByTestId("rs-recommended")).toHaveText("512 MB");
    const saving = Number(await row.getByTestId("rs-saving").locator("[data-micros]").getAttribute("data-micros"));
    expect(saving).toBeGreaterThan(0);
    await expect(row).toContainText("3,008 MB");
    await expect(rs.getByTestId("rs-assumptions")).toContainText("p99 of Max Memory Used");
    await expect(rs.getByTestId("rs-assumptions")).toContainText("CPU-bound");

    // Exact vs estimate: both figures, their difference, and the explanation per function.
    const rec = page.getByTestId("reconciliation");
    const exact = Number(await rec.getByTestId("reconcile-exact").getAttribute("data-micros"));
    const estimate = Number(await rec.getByTestId("reconcile-estimate").getAttribute("data-micros"));
    const diff = Number(await rec.getByTestId("reconcile-difference").getAttribute("data-micros"));
    expect(exact).toBeGreaterThan(0);
    expect(estimate).toBeGreaterThan(0);
    expect(diff).toBe(estimate - exact);
    await expect(rec.getByTestId("reconcile-row-image-resize")).toContainText(/agree to the micro-dollar|above the exact figure|below the exact figure/);
    await expect(rec).toContainText("since 1 Aug 2025");

    // The per-row table and the tier attribution method.
    const fnRow = page.getByTestId("cost-row-function-image-resize");
    await expect(fnRow).toBeVisible();
    expect(micros(await fnRow.getByTestId("spend").textContent())).toBeGreaterThan(0);
    await expect(page.getByTestId("tier-method")).toContainText("in proportion to each one's GB-seconds");

    // Month-end projection with a range: low <= projected <= high, all at least month to date.
    const proj = page.getByTestId("projection");
    await expect(proj.getByTestId("projection-value")).toBeVisible();
    const [low, mid, high] = await Promise.all(["projection-low", "projection-value", "projection-high"].map(async (id) => micros(await proj.getByTestId(id).textContent())));
    expect(mid).toBeGreaterThan(0);
    expect(low).toBeLessThanOrEqual(mid);
    expect(mid).toBeLessThanOrEqual(high);
    await expect(page.getByTestId("projection-range")).toContainText("range");

    // arm64 for x86 functions, Faasight's own monitoring cost.
    await expect(page.getByTestId("arm64").getByTestId("arm64-row-image-resize")).toBeVisible();
    await expect(page.getByTestId("monitoring-cost")).toContainText("CloudWatch GetMetricData");
    await shot(page, "cost-page");

    // Spend over time, stacked by service and by API stage.
    await page.getByTestId("cost-chart-by").getByRole("link", { name: "service" }).click();
    await expect(page).toHaveURL(/by=service/);
    const chart = page.getByTestId("cost-chart");
    await expect(chart.locator(".legend")).toContainText("Lambda duration");
    await expect(chart.locator(".legend")).toContainText("API Gateway");
    await expect(chart.locator(".recharts-bar-rectangle").first()).toBeVisible();
    await page.goto("/cost?by=stage");
    await expect(page.getByTestId("cost-chart").locator(".legend")).toContainText("shop-api / prod");
  });

  test("the cost API serves the same figures and rejects a bad parameter with the reason", async ({ request }) => {
    const bad = await request.get("/api/v1/cost?sort=cheapest");
    expect(bad.status()).toBe(400);
    expect((await bad.json()).error.message).toBe("sort: must be one of spend, change, name");
    const res = await request.get("/api/v1/cost/right-sizing");
    expect(res.status()).toBe(200);
    const body = (await res.json()) as { savings: { rightSizing: Array<{ function: string; recommendedMemoryMb: number; monthlySavingMicroUsd: number }> } };
    const ir = body.savings.rightSizing.find((r) => r.function === "image-resize");
    expect(ir?.recommendedMemoryMb).toBe(512);
    expect(ir!.monthlySavingMicroUsd).toBeGreaterThan(0);
    const csv = await request.get("/api/v1/cost/report?period=last-7d&format=csv");
    expect(csv.status()).toBe(200);
    expect(csv.headers()["content-type"]).toContain("text/csv");
    expect((await csv.text()).split("\n")[0]).toContain("total_usd");
  });
});
