/**
 * Replay from the Failures page against the demo's sandbox account. Ground truth comes from
 * the sandbox itself: its endpoint is the demo store's Source row, its Lambda invocation log
 * (GET /_sandbox/invocations) and its SQS queues (read with the real SDK).
 */
import Database from "better-sqlite3";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { AUTH, csrfOf, shot } from "./helpers.ts";

const STORE = "test-results/e2e/faasight.db";
const DLQ = "image-resize-dlq";
const FN = "image-resize";

interface Invocation {
  requestId: string;
  functionName: string;
  qualifier?: string;
  payload: string;
  invocationType: string;
}

/** The sandbox endpoint the demo collected from (its Source row). */
function sandboxUrl(): string {
  const db = new Database(STORE, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare("SELECT endpoint FROM Source WHERE endpoint IS NOT NULL ORDER BY id LIMIT 1").get() as { endpoint: string } | undefined;
    expect(row?.endpoint, "the demo store has the sandbox source").toBeTruthy();
    return row!.endpoint;
  } finally {
    db.close();
  }
}

async function invocations(request: APIRequestContext, fn: string): Promise<Invocation[]> {
  const res = await request.get(`${sandboxUrl()}/_sandbox/invocations?functionName=${fn}`);
  expect(res.ok()).toBe(true);
  return (await res.json()) as Invocation[];
}

function sqsClient(): SQSClient {
  return new SQSClient({ endpoint: sandboxUrl(), region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
}

/** The message ids now in a queue (each received once with a 2 s visibility timeout, so they come back). */
async function messageIds(sqs: SQSClient, queue: string): Promise<Set<string>> {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queue }));
  const ids = new Set<string>();
  for (let empty = 0; empty < 2; ) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 2 }));
    const fresh = (out.Messages ?? []).filter((m) => !ids.has(m.MessageId!));
    if (fresh.length === 0) empty++;
    for (const m of fresh) ids.add(m.MessageId!);
  }
  // Let the collector and the next replay see them again.
  await new Promise((r) => setTimeout(r, 2100));
  return ids;
}

interface EventDetail {
  id: number;
  messageId: string;
  payload: string;
  status: string;
  audit: Array<{ actor: string; action: string; outcome: string; details: Record<string, unknown> }>;
}

test.describe("replay (operator)", () => {
  test.use({ storageState: AUTH.operator.storageState });

  test("replays a DLQ event once from the UI; a failing invoke leaves the message in the DLQ", async ({ page }) => {
    const sqs = sqsClient();
    try {
      await page.goto(`/failures?queue=${DLQ}`);
      await expect(page.getByRole("heading", { name: "Failures", level: 1 })).toBeVisible();
      await expect(page.getByTestId("bulk-replay")).toBeVisible();
      const open = page.getByTestId("event-open").filter({ hasText: "Replay…" });
      await expect(open.first()).toBeVisible();
      await open.first().click();
      await page.waitForURL(/\/failures\/\d+$/);
      const id = Number(new URL(page.url()).pathname.split("/").pop());
      const ev = (await (await page.request.get(`/api/v1/failures/${id}`)).json()) as EventDetail;
      expect(ev.status).toBe("new");
      expect(await invocations(page.request, FN).then((l) => l.filter((i) => i.payload === ev.payload).length)).toBe(0);
      const before = await messageIds(sqs, DLQ);
      expect(before.has(ev.messageId)).toBe(true);

      // Payload preview and dry run: exactly what would be sent; nothing is sent.
      await expect(page.getByTestId("event-payload")).toContainText(Object.keys(JSON.parse(ev.payload) as object)[0]!);
      const panel = page.getByTestId("replay-panel");
      await panel.getByLabel("Target qualifier").selectOption("$LATEST");
      await panel.getByRole("button", { name: "Dry run" }).click();
      await expect(panel.getByTestId("dry-run-target")).toContainText(`${FN}:$LATEST`);
      expect(JSON.parse((await panel.getByTestId("dry-run-payload").textContent())!)).toEqual(JSON.parse(ev.payload));
      expect(await invocations(page.request, FN).then((l) => l.filter((i) => i.payload === ev.payload).length)).toBe(0);

      // A double click replays once.
      await panel.getByTestId("replay-button").dblclick();
      const outcome = panel.getByTestId("replay-outcome");
      await expect(outcome).toHaveAttribute("data-outcome", /replayed|duplicate/);
      await expect(page.getByTestId("event-status")).toHaveText("replayed");
      await expect(panel.getByTestId("replay-button")).toBeDisabled();
      const sent = (await invocations(page.request, FN)).filter((i) => i.payload === ev.payload);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({ functionName: FN, qualifier: "$LATEST", invocationType: "RequestResponse", payload: ev.payload });
      await expect(page.getByTestId("replay-history")).toContainText(sent[0]!.requestId);
      const audit = page.getByTestId("event-audit").locator('[data-action="failures.replay"][data-outcome="ok"]');
      await expect(audit).toHaveCount(1);
      await expect(audit).toContainText(AUTH.operator.email);
      await shot(page, "failed-event-replayed");

      const after = await messageIds(sqs, DLQ);
      expect(after.has(ev.messageId)).toBe(false);
      expect(after.size).toBe(before.size - 1);

      // Another request for the same replay (a second operator, a retried POST) sends nothing.
      const csrf = csrfOf(AUTH.operator.storageState);
      const again = await page.request.post(`/api/v1/failures/${id}/replay`, { data: { action: "invoke", qualifier: "$LATEST" }, headers: { "x-csrf-token": csrf } });
      expect(again.status()).toBe(200);
      expect(((await again.json()) as { outcome: string }).outcome).toBe("duplicate");
      expect((await invocations(page.request, FN)).filter((i) => i.payload === ev.payload)).toHaveLength(1);
      const stored = (await (await page.request.get(`/api/v1/failures/${id}`)).json()) as EventDetail;
      expect(stored.audit.filter((a) => a.action === "failures.replay" && a.outcome === "ok")).toHaveLength(1);
      expect(stored.audit[0]!.details).toMatchObject({ result: "replayed", requestId: sent[0]!.requestId });

      // A replay whose invoke fails (no such version) keeps the message in the DLQ and the event replayable.
      const list = (await (await page.request.get(`/api/v1/failures?queue=${DLQ}`)).json()) as { events: Array<{ id: number; status: string; messageId: string }> };
      const other = list.events.find((e) => e.status === "new" && e.id !== id)!;
      expect(other).toBeDefined();
      const failed = await page.request.post(`/api/v1/failures/${other.id}/replay`, { data: { action: "invoke", qualifier: "99" }, headers: { "x-csrf-token": csrf } });
      expect(failed.status()).toBe(200);
      const result = (await failed.json()) as { outcome: string; error: string; messageDeleted: boolean };
      expect(result).toMatchObject({ outcome: "failed", messageDeleted: false });
      expect(result.error).toMatch(/ResourceNotFound/);
      expect((await messageIds(sqs, DLQ)).has(other.messageId)).toBe(true);
      await page.goto(`/failures/${other.id}`);
      await expect(page.getByTestId("event-status")).toHaveText("new");
      await expect(page.getByTestId("replay-history")).toContainText("failed");
      await expect(page.getByTestId("replay-button")).toBeEnabled();

      // Bad input: 400 with the reason.
      const bad = await page.request.post(`/api/v1/failures/${other.id}/replay`, { data: { action: "invoke", invocationType: "Sometimes" }, headers: { "x-csrf-token": csrf } });
      expect(bad.status()).toBe(400);
      expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/invocationType/);
    } finally {
      sqs.destroy();
    }
  });

  test("bulk replay with a rate limit shows live progress and per-event outcomes", async ({ page }) => {
    const csrf = csrfOf(AUTH.operator.storageState);
    const list = (await (await page.request.get("/api/v1/failures?function=notifier&limit=500")).json()) as { events: Array<{ id: number; status: string; payload: string }> };
    const pending = list.events.filter((e) => e.status === "new");
    expect(pending.length).toBeGreaterThan(3);
    const dry = await page.request.post("/api/v1/replay/bulk", { data: { functionName: "notifier", dryRun: true, ratePerSecond: 10 }, headers: { "x-csrf-token": csrf } });
    expect(dry.status()).toBe(200);
    expect(((await dry.json()) as { total: number }).total).toBe(pending.length);

    await page.goto("/failures?function=notifier");
    const form = page.getByTestId("bulk-replay");
    await form.getByLabel("Bulk function").selectOption("notifier");
    await form.getByLabel("Bulk rate").fill("10");
    await form.getByTestId("bulk-start").click();
    const job = form.getByTestId("bulk-job");
    await expect(job).toBeVisible();
    await expect(job).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
    await expect(job).toContainText(`${pending.length} / ${pending.length}`);
    await shot(page, "bulk-replay");
    const sent = (await invocations(page.request, "notifier")).filter((i) => pending.some((p) => p.payload === i.payload));
    for (const p of pending) expect(sent.filter((i) => i.payload === p.payload).length, `event ${p.id}`).toBe(1);
  });
});

test.describe("replay (viewer)", () => {
  test.use({ storageState: AUTH.viewer.storageState });

  test("sees no replay controls and gets 403 from the replay API", async ({ page }) => {
    await page.goto(`/failures?queue=${DLQ}`);
    await expect(page.getByRole("heading", { name: "Failures", level: 1 })).toBeVisible();
    await expect(page.getByTestId("bulk-replay")).toHaveCount(0);
    await expect(page.getByTestId("event-open").filter({ hasText: "Replay…" })).toHaveCount(0);
    await page.getByTestId("event-open").first().click();
    await page.waitForURL(/\/failures\/\d+$/);
    await expect(page.getByTestId("event-payload")).toBeVisible();
    await expect(page.getByTestId("replay-panel")).toHaveCount(0);
    await expect(page.getByTestId("replay-button")).toHaveCount(0);
    const id = new URL(page.url()).pathname.split("/").pop();
    const csrf = csrfOf(AUTH.viewer.storageState);
    for (const path of [`/api/v1/failures/${id}/replay`, `/api/v1/failures/${id}/preview`, `/api/v1/failures/${id}/discard`, "/api/v1/replay/bulk"]) {
      const res = await page.request.post(path, { data: { reason: "viewer try", functionName: FN }, headers: { "x-csrf-token": csrf } });
      expect(res.status(), path).toBe(403);
    }
  });
});
