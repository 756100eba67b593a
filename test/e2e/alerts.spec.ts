/**
 * Alerts page: an admin adds a webhook channel (secret shown once), creates a rule routed to
 * it, edits and disables it, and sends a test that a local HTTP server in this spec receives
 * with a valid HMAC signature. A viewer sees no management controls and gets 403 on changes.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { AUTH, csrfOf, shot } from "./helpers.ts";
import { checkWebhookSignature, SIGNATURE_HEADER } from "../../lib/alerts/signature.ts";

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const SUFFIX = Date.now().toString(36);
const CHANNEL = `e2e hook ${SUFFIX}`;
const RULE = `e2e checkout errors ${SUFFIX}`;

test.describe("alerts (admin)", () => {
  const received: Received[] = [];
  let server: http.Server;
  let base: string;

  test.beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(204);
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  test.afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });

  test("creates a webhook channel and a rule in the UI; send test arrives signed", async ({ page }) => {
    await page.goto("/alerts");
    await expect(page.getByRole("heading", { name: "Alerts", level: 1 })).toBeVisible();

    const channelForm = page.getByTestId("channel-create-form");
    await channelForm.getByLabel("Channel name").fill(CHANNEL);
    await channelForm.getByLabel("Channel type").selectOption("webhook");
    await channelForm.getByLabel("Channel target").fill(`${base}/hook?token=abc123`);
    await channelForm.getByRole("button", { name: "Add channel" }).click();
    const secret = (await channelForm.getByTestId("channel-secret-value").textContent())!.trim();
    expect(secret.length).toBeGreaterThanOrEqual(16);
    const channelRow = page.locator(`[data-testid="alert-channel-row"][data-channel="${CHANNEL}"]`);
    await expect(channelRow).toBeVisible();
    // The URL's query value is masked and the secret is never in the API output.
    await expect(channelRow).not.toContainText("abc123");
    const listed = await (await page.request.get("/api/v1/channels")).text();
    expect(listed).toContain(CHANNEL);
    expect(listed).not.toContain(secret);

    const ruleForm = page.getByTestId("rule-create-form");
    await ruleForm.getByLabel("Rule name").fill(RULE);
    await ruleForm.getByLabel("Rule kind").selectOption("error_rate");
    await ruleForm.getByLabel("Scope names").fill("checkout*");
    await ruleForm.getByLabel("Threshold").fill("0.05");
    await ruleForm.getByLabel("Window minutes").fill("10");
    await ruleForm.getByLabel("Pending periods").fill("2");
    await ruleForm.getByLabel("Cooldown minutes").fill("45");
    await ruleForm.getByLabel("Severity").selectOption("critical");
    await ruleForm.getByLabel(`Notify ${CHANNEL}`).check();
    await ruleForm.getByRole("button", { name: "Create rule" }).click();
    const ruleRow = page.locator(`[data-testid="alert-rule-row"][data-rule="${RULE}"]`);
    await expect(ruleRow).toBeVisible();
    await expect(ruleRow).toContainText("Error rate");
    await expect(ruleRow).toContainText("checkout*");
    await expect(ruleRow).toContainText("5.00%");
    await expect(ruleRow).toContainText("2 / 45 min");
    await expect(ruleRow).toContainText(CHANNEL);
    const rules = (await (await page.request.get("/api/v1/alerts/rules")).json()) as { rules: Array<{ id: number; name: string; kind: string; threshold: number; windowMinutes: number; pendingPeriods: number; cooldownMinutes: number; severity: string; scope: object; channels: Array<{ name: string }> }> };
    const created = rules.rules.find((r) => r.name === RULE)!;
    expect(created).toMatchObject({ kind: "error_rate", threshold: 0.05, windowMinutes: 10, pendingPeriods: 2, cooldownMinutes: 45, severity: "critical", scope: { functions: ["checkout*"] }, channels: [{ name: CHANNEL }] });

    // Edit, then disable.
    await ruleRow.getByRole("button", { name: "Edit" }).click();
    const edit = ruleRow.getByTestId("rule-edit-form");
    await edit.getByLabel("Threshold").fill("0.1");
    await edit.getByRole("button", { name: "Save rule" }).click();
    await expect(ruleRow).toContainText("10.00%");
    await ruleRow.getByRole("button", { name: "Disable" }).click();
    await expect(ruleRow).toContainText("disabled");

    // Send test: one signed request reaches the receiver.
    await channelRow.getByTestId("channel-test").click();
    await expect(channelRow.getByTestId("channel-test-result")).toHaveAttribute("data-ok", "true");
    const hits = received.filter((r) => r.path.startsWith("/hook"));
    expect(hits).toHaveLength(1);
    const hit = hits[0]!;
    const header = hit.headers[SIGNATURE_HEADER.toLowerCase()] as string;
    expect(checkWebhookSignature(secret, header, hit.body)).toMatchObject({ ok: true });
    expect(checkWebhookSignature("not-the-secret-0000", header, hit.body)).toMatchObject({ ok: false, reason: "mismatch" });
    expect(JSON.parse(hit.body)).toMatchObject({ type: "test" });
    await shot(page, "alerts-admin");

    const audit = await page.request.get(`/api/v1/alerts/rules/${created.id}`);
    expect(audit.ok()).toBe(true);
  });
});

test.describe("alerts (operator)", () => {
  test.use({ storageState: AUTH.operator.storageState });

  test("the worker evaluates a rule after its cycle; an operator acknowledges the firing alert", async ({ page, playwright, baseURL }) => {
    const admin = await playwright.request.newContext({ baseURL, storageState: AUTH.admin.storageState, extraHTTPHeaders: { "x-csrf-token": csrfOf(AUTH.admin.storageState) } });
    let ruleId: number;
    try {
      const res = await admin.post("/api/v1/alerts/rules", { data: { name: `e2e dlq depth ${SUFFIX}`, kind: "dlq_depth", scope: { queues: ["image-resize-dlq"] }, threshold: 0, pendingPeriods: 1, severity: "warning" } });
      expect(res.status()).toBe(201);
      ruleId = ((await res.json()) as { id: number }).id;
    } finally {
      await admin.dispose();
    }
    // The demo's worker runs evaluateAlerts after each 30 s cycle.
    await expect
      .poll(async () => ((await (await page.request.get(`/api/v1/alerts/events?state=open&ruleId=${ruleId}`)).json()) as { events: Array<{ state: string }> }).events.map((e) => e.state), { timeout: 90_000, intervals: [2_000] })
      .toContain("firing");
    await page.goto("/alerts");
    const row = page.getByTestId("alert-event-row").filter({ hasText: `e2e dlq depth ${SUFFIX}` });
    await expect(row).toContainText("firing");
    await expect(page.getByTestId("rule-create-form")).toHaveCount(0);
    await row.getByRole("button", { name: "Acknowledge" }).click();
    await expect(row).toContainText(AUTH.operator.email);
    const events = (await (await page.request.get(`/api/v1/alerts/events?ruleId=${ruleId}`)).json()) as { events: Array<{ acknowledgedBy: string | null }> };
    expect(events.events[0]!.acknowledgedBy).toBe(AUTH.operator.email);
  });
});

test.describe("open alerts on the pages they concern", () => {
  test("a firing function rule and a firing stage rule show on the function and stage pages", async ({ page, playwright, baseURL }) => {
    const admin = await playwright.request.newContext({ baseURL, storageState: AUTH.admin.storageState, extraHTTPHeaders: { "x-csrf-token": csrfOf(AUTH.admin.storageState) } });
    const rules = [
      { name: `e2e checkout any error ${SUFFIX}`, kind: "error_rate", scope: { functions: ["checkout"] }, threshold: 0, windowMinutes: 1440 },
      { name: `e2e prod any 5xx ${SUFFIX}`, kind: "gateway_5xx_rate", scope: { stages: ["shop-api/prod"] }, threshold: 0, windowMinutes: 1440 },
    ];
    const ids: number[] = [];
    try {
      for (const r of rules) {
        const res = await admin.post("/api/v1/alerts/rules", { data: { ...r, pendingPeriods: 1, severity: "critical" } });
        expect(res.status(), await res.text()).toBe(201);
        ids.push(((await res.json()) as { id: number }).id);
      }
    } finally {
      await admin.dispose();
    }
    for (const id of ids)
      await expect
        .poll(async () => ((await (await page.request.get(`/api/v1/alerts/events?state=open&ruleId=${id}`)).json()) as { events: Array<{ state: string }> }).events.map((e) => e.state), { timeout: 90_000, intervals: [2_000] })
        .toContain("firing");
    await page.goto("/functions/checkout");
    await expect(page.getByTestId("open-alerts-banner")).toContainText(rules[0]!.name);
    await expect(page.getByTestId("open-alerts-banner")).not.toContainText(rules[1]!.name);
    await page.goto("/apis/shop-api/prod");
    await expect(page.getByTestId("open-alerts-banner")).toContainText(rules[1]!.name);
    await expect(page.getByTestId("open-alerts-banner")).not.toContainText(rules[0]!.name);
    await shot(page, "stage-open-alerts");
  });
});

test.describe("alerts (viewer)", () => {
  test.use({ storageState: AUTH.viewer.storageState });

  test("reads rules and history but sees no controls and gets 403 on changes", async ({ page }) => {
    await page.goto("/alerts");
    await expect(page.getByRole("heading", { name: "Alerts", level: 1 })).toBeVisible();
    await expect(page.getByTestId("rule-create-form")).toHaveCount(0);
    await expect(page.getByTestId("channel-create-form")).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Edit" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Send test" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Acknowledge" })).toHaveCount(0);
    const csrf = csrfOf(AUTH.viewer.storageState);
    const headers = { "x-csrf-token": csrf };
    const rules = (await (await page.request.get("/api/v1/alerts/rules")).json()) as { rules: Array<{ id: number }> };
    expect((await page.request.post("/api/v1/alerts/rules", { data: { name: "viewer rule", kind: "throttles" }, headers })).status()).toBe(403);
    if (rules.rules[0]) {
      expect((await page.request.patch(`/api/v1/alerts/rules/${rules.rules[0].id}`, { data: { enabled: false }, headers })).status()).toBe(403);
      expect((await page.request.delete(`/api/v1/alerts/rules/${rules.rules[0].id}`, { headers })).status()).toBe(403);
    }
    expect((await page.request.post("/api/v1/channels", { data: { name: "viewer hook", type: "sns", target: "arn:aws:sns:us-east-1:123456789012:x" }, headers })).status()).toBe(403);
  });
});
