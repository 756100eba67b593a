import { test, expect } from "@playwright/test";
import { shot } from "./helpers";

test("from the overview to a failing invocation's log lines and its trace, by clicking", async ({ page }) => {
  await page.goto("/");
  // 1. The top offender by errors opens its function page filtered to errors.
  await page.getByTestId("offenders-errors").getByRole("link", { name: "checkout", exact: true }).click();
  await expect(page).toHaveURL(/\/functions\/checkout\?.*status=errors/);
  const rows = page.getByTestId("invocation-row");
  await expect(rows.first()).toBeVisible();
  for (const status of await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-status")))) expect(["error", "timeout", "oom"]).toContain(status);
  // 2. A failing invocation that was traced: its log lines.
  const traced = rows.filter({ has: page.getByRole("link", { name: "trace", exact: true }) }).first();
  await expect(traced).toBeVisible();
  const requestId = (await traced.locator("a.mono").textContent())!.trim();
  await traced.locator("a.mono").click();
  await expect(page).toHaveURL(new RegExp(`/invocations/${requestId}`));
  const logs = page.getByTestId("invocation-logs");
  await expect(logs).toContainText(`START RequestId: ${requestId}`);
  await expect(logs).toContainText(`REPORT RequestId: ${requestId}`);
  await shot(page, "invocation");
  // 3. Its trace.
  await page.getByTestId("trace-link").first().click();
  await expect(page).toHaveURL(/\/traces\//);
  await expect(page.getByTestId("waterfall")).toBeVisible();
  await expect(page.getByTestId("waterfall").getByRole("row")).not.toHaveCount(1);
  // A trace can span several invocations (checkout calls payments in the same trace): ours is among them.
  await expect(page.getByTestId("trace-invocation-link").filter({ hasText: requestId }).first()).toBeVisible();
  await shot(page, "trace");
});
