import { test, expect, type Page } from "@playwright/test";
import { CATCH_UP_MS, num, readTruth, shot, truthRange, type Truth } from "./helpers";

const CAUSES: Record<string, string> = {
  "403": "Authentication or authorization failed",
  "429": "Throttled",
  "502": "Backend (Lambda) error or malformed response",
  "504": "Integration timeout (29 s)",
};

/** The stage of the default shop with the most responses of a status (shop-api/prod first on ties). */
function stageWith(truth: Truth, code: string): { api: string; stage: string } {
  const s = [...truth.stages].sort((a, b) => (b.byStatus[code] ?? 0) - (a.byStatus[code] ?? 0) || (a.stage === "prod" ? -1 : 1))[0]!;
  expect(s.byStatus[code] ?? 0, `the default shop returns ${code}s somewhere`).toBeGreaterThan(0);
  return { api: s.api, stage: s.stage };
}

const stageUrl = (s: { api: string; stage: string }, q = "range=7d") => `/apis/${encodeURIComponent(s.api)}/${encodeURIComponent(s.stage)}?${q}`;

async function expectCause(page: Page, code: string) {
  await expect(page.getByTestId(`status-${code}`)).toContainText(CAUSES[code]!);
}

test.describe("API stage page", () => {
  test("shop-api/prod: status codes with causes, canary vs base, cache", async ({ page }) => {
    await page.goto("/apis/shop-api/prod?range=7d");
    await expect(page.getByRole("heading", { name: "shop-api / prod", level: 1 })).toBeVisible();
    await expectCause(page, "502");
    await expectCause(page, "403");
    await expect(page.getByTestId("canary-vs-base")).toBeVisible();
    await expect(page.getByTestId("stage-cache").locator(".value")).toHaveText(/%$/);
    await expect(page.getByRole("img", { name: /^Latency vs integration latency: / })).toBeVisible();
    await shot(page, "stage-prod");
  });

  for (const code of ["502", "504"]) {
    test(`shows ${code} with its cause and links to the invocations behind it`, async ({ page }) => {
      const s = stageWith(readTruth(), code);
      await page.goto(stageUrl(s));
      await expectCause(page, code);
      await page.getByTestId(`status-${code}`).getByRole("link", { name: code }).click();
      await expect(page).toHaveURL(new RegExp(`status=${code}`));
      const rows = page.getByTestId("stage-request-row");
      await expect(rows.first()).toHaveAttribute("data-status", code);
      const link = page.getByTestId("stage-invocation-link").first();
      await expect(link).toBeVisible();
      if (code === "504") await shot(page, "stage-504");
      await link.click();
      await expect(page).toHaveURL(/\/invocations\//);
      await expect(page.getByTestId("attempt-duration").first()).toBeVisible();
      if (code === "502") await expect(page.getByTestId("attempts")).toContainText(/error|timeout/);
      // A 504 is the gateway giving up at 29 s: the function behind it ran at least that long.
      else expect(Math.max(...(await page.getByTestId("attempt-duration").evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-ms"))))))).toBeGreaterThanOrEqual(29_000);
    });
  }

  test("status counts equal the ground truth over the simulated window", async ({ page, request }) => {
    test.setTimeout(CATCH_UP_MS + 60_000);
    const truth = readTruth();
    const r = truthRange(truth);
    const prod = truth.stages.find((s) => s.api === "shop-api" && s.stage === "prod")!;
    const q = `from=${r.from}&to=${r.to}`;
    await expect
      .poll(async () => (await (await request.get(`/api/v1/stages/shop-api/prod?${q}`)).json()).stats.requests, { timeout: CATCH_UP_MS, intervals: [2_000, 5_000] })
      .toBe(prod.requests);
    await page.goto(`/apis/shop-api/prod?${q}`);
    for (const [code, count] of Object.entries(prod.byStatus).filter(([c]) => Number(c) >= 400))
      expect(num(await page.getByTestId(`status-${code}`).getByTestId("status-count").textContent()), `${code}s`).toBe(count);
    expect(num(await page.getByTestId("stage-5xx").locator(".value").textContent())).toBe(prod.status5xx);
    expect(num(await page.getByTestId("stage-4xx").locator(".value").textContent())).toBe(prod.status4xx);
  });
});
