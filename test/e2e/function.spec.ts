import { test, expect } from "@playwright/test";
import { CATCH_UP_MS, num, readTruth, shot, truthRange, truthSum } from "./helpers";

test.describe("function page", () => {
  test("shows the checkout canary regression as a verdict", async ({ page }) => {
    await page.goto("/functions/checkout");
    const verdict = page.getByTestId("canary-verdict");
    await expect(verdict).toBeVisible();
    await expect(verdict.getByRole("heading")).toContainText("Canary on alias live: v7 90% / v8 10%");
    await expect(page.getByTestId("canary-headline")).toHaveText(/^v8 is worse than v7: error rate \d+(\.\d+)?% vs \d+(\.\d+)?% \(p(<0\.001|=0\.00\d)\)/);
    await expect(page.getByTestId("error-groups")).toBeVisible();
    await expect(page.getByTestId("config-facts")).toContainText("nodejs");
    await expect(page.getByRole("img", { name: /^Latency: / })).toBeVisible();
    await shot(page, "function-checkout");
  });

  test("filters recent invocations and opens their log lines inline", async ({ page }) => {
    await page.goto("/functions/checkout?range=24h&status=cold");
    const rows = page.getByTestId("invocation-row");
    await expect(rows.first()).toBeVisible();
    await expect(rows.first().locator(".badge", { hasText: "cold" })).toBeVisible();
    await rows.first().getByText(/^Log lines/).click();
    await expect(rows.first().getByTestId("log-lines")).toContainText("REPORT RequestId:");
  });

  test("per-version figures equal the ground truth", async ({ page, request }) => {
    test.setTimeout(CATCH_UP_MS + 60_000);
    const truth = readTruth();
    const r = truthRange(truth);
    const q = `from=${r.from}&to=${r.to}`;
    await expect
      .poll(async () => (await (await request.get(`/api/v1/functions/checkout?${q}`)).json()).stats.invocations, { timeout: CATCH_UP_MS, intervals: [2_000, 5_000] })
      .toBe(truthSum(truth, "checkout", "$ALL", "invocations", r.fromMs, r.toMs));
    await page.goto(`/functions/checkout?${q}`);
    for (const v of ["$ALL", "7", "8"]) {
      const row = page.getByTestId(`qualifier-${v}`);
      expect(num(await row.getByTestId("q-invocations").textContent()), `invocations of ${v}`).toBe(truthSum(truth, "checkout", v, "invocations", r.fromMs, r.toMs));
      expect(num(await row.getByTestId("q-errors").textContent()), `errors of ${v}`).toBe(truthSum(truth, "checkout", v, "errors", r.fromMs, r.toMs));
    }
    // GB-seconds are exact in the API (MB-ms / 1,024,000); p99 within the histogram's 2%.
    const api = await (await request.get(`/api/v1/functions/checkout?${q}`)).json();
    const gbs = truth.minutes.filter((m) => m.name === "checkout" && m.qualifier === "$ALL" && Date.parse(m.minute) >= r.fromMs && Date.parse(m.minute) < r.toMs).reduce((s, m) => s + m.gbSeconds, 0);
    expect(api.stats.gbSeconds).toBeCloseTo(gbs, 6);
  });

  test("image-resize is flagged as over-provisioned", async ({ page }) => {
    await page.goto("/functions/image-resize?range=7d");
    await expect(page.getByTestId("insights")).toContainText("Memory over-provisioned");
    await shot(page, "function-image-resize");
  });
});
