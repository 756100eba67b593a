import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { AUTH, csrfOf, shot } from "./helpers.ts";
import { parseCsv } from "../../lib/reports/csv.ts";
import { parseUsdExact } from "../../lib/reports/money-format.ts";

const NAME = `e2e weekly ${Date.now().toString(36)}`;

test.describe("reports (admin)", () => {
  test("creates a schedule, runs it now, opens the run and downloads its CSV", async ({ page }) => {
    await page.goto("/reports");
    await expect(page.getByRole("heading", { name: "Reports", level: 1 })).toBeVisible();
    const form = page.getByTestId("schedule-new-form");
    await form.getByLabel("Name").fill(NAME);
    await form.getByLabel("Cron (5 fields, at most hourly)").fill("0 7 * * 1");
    await form.getByLabel("Time zone (IANA)").fill("Europe/Berlin");
    await form.getByLabel("Period").selectOption("last-7d");
    await form.getByLabel("CSV").check();
    await form.getByLabel("HTML").check();
    await form.getByRole("button", { name: "Create schedule" }).click();

    const row = page.getByTestId(`schedule-row-${NAME}`);
    await expect(row).toBeVisible();
    await expect(row).toContainText("Europe/Berlin");
    await shot(page, "reports");

    await row.getByRole("button", { name: "Run now" }).click();
    await page.waitForURL(/\/reports\/runs\/\d+$/);
    await expect(page.getByRole("heading", { name: /Report run #\d+/, level: 1 })).toBeVisible();
    await expect(page.getByText(NAME)).toBeVisible();
    const table = page.getByTestId("run-csv");
    await expect(table).toBeVisible();
    // The HTML as sent renders (sandboxed frame), and the period is the schedule's local days.
    await expect(page.frameLocator('[data-testid="run-html"]').locator("h1")).toContainText("Cost report");
    await expect(page.getByTestId("run-period")).toContainText("(Europe/Berlin)");

    // The downloaded CSV is what the page shows, row for row, and its rows add up to its total.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-csv").click()]);
    expect(download.suggestedFilename()).toMatch(/^faasight-cost-report-.*\.csv$/);
    const text = fs.readFileSync((await download.path())!, "utf8");
    const [header, ...rows] = parseCsv(text);
    const col = (n: string) => header.indexOf(n);
    expect(col("total_usd")).toBeGreaterThan(-1);
    const total = rows.find((r) => r[col("kind")] === "total")!;
    expect(total).toBeDefined();
    const parts = rows.filter((r) => r[col("kind")] === "function" || r[col("kind")] === "stage");
    expect(parts.length).toBeGreaterThan(0);
    expect(parts.reduce((s, r) => s + parseUsdExact(r[col("total_usd")]), 0n)).toBe(parseUsdExact(total[col("total_usd")]));
    const pageRows = table.locator("tbody tr");
    await expect(pageRows).toHaveCount(rows.length);
    for (const r of [total, ...parts.slice(0, 3)]) {
      const tr = page.getByTestId(`run-row-${r[col("key")]}`);
      await expect(tr.locator('[data-column="total_usd"]')).toHaveAttribute("data-exact", r[col("total_usd")]);
      await expect(tr.locator('[data-column="requests"]')).toHaveText(Number(r[col("requests")]).toLocaleString("en-US"));
    }
    await shot(page, "report-run");

    // The run is in the history with its formats.
    await page.goto("/reports");
    await expect(page.getByTestId("report-runs")).toContainText(NAME);
  });
});

test.describe("reports (viewer)", () => {
  test.use({ storageState: AUTH.viewer.storageState });

  test("a viewer sees schedules but cannot create one: no controls, 403 from the API", async ({ page, request }) => {
    await page.goto("/reports");
    await expect(page.getByRole("heading", { name: "Reports", level: 1 })).toBeVisible();
    await expect(page.getByTestId("schedule-new-form")).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Run now" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Create schedule" })).toHaveCount(0);
    const res = await request.post("/api/v1/reports/schedules", {
      data: { name: "viewer try", cron: "0 7 * * 1" },
      headers: { "x-csrf-token": csrfOf(AUTH.viewer.storageState) },
    });
    expect(res.status()).toBe(403);
    expect((await res.json()).error.code).toBe("forbidden");
    const list = await request.get("/api/v1/reports/schedules");
    expect(list.status()).toBe(200);
  });
});
