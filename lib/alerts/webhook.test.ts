import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { deliverWebhook, type WebhookOptions } from "./channels/webhook.ts";
import { verifyWebhookSignature } from "./signature.ts";

// A local receiver answering each request with the next scripted reply.
type Reply = number | { status: number; delayMs: number };
let server: http.Server;
let base: string;
const script: Reply[] = [];
const hits: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      hits.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const next = script.shift() ?? 200;
      const { status, delayMs } = typeof next === "number" ? { status: next, delayMs: 0 } : next;
      setTimeout(() => {
        if (!res.destroyed) {
          res.writeHead(status);
          res.end("ok");
        }
      }, delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

beforeEach(() => {
  script.length = 0;
  hits.length = 0;
});

const sleeps: number[] = [];
const options = (p: Partial<WebhookOptions["config"]> = {}): WebhookOptions => ({
  config: { allowPrivate: true, allowlist: [], webhookTimeoutMs: 1000, webhookMaxAttempts: 3, webhookBackoffMs: 100, ...p },
  sleep: async (ms) => {
    sleeps.push(ms);
  },
  headers: { "x-faasight-event": "alert.firing" },
});
const secret = "whsec_unit_test_secret_value";
const body = '{"state":"firing"}';

describe("deliverWebhook", () => {
  it.each<[string, Reply[], { ok: boolean; attempts: number; status: number | null }]>([
    ["first try", [204], { ok: true, attempts: 1, status: 204 }],
    ["retries 5xx, then succeeds", [503, 502, 200], { ok: true, attempts: 3, status: 200 }],
    ["retries 429", [429, 200], { ok: true, attempts: 2, status: 200 }],
    ["gives up after the attempts", [500, 500, 500], { ok: false, attempts: 3, status: 500 }],
    ["no retry on 4xx", [404], { ok: false, attempts: 1, status: 404 }],
    ["redirects are not followed", [302], { ok: false, attempts: 1, status: 302 }],
  ])("%s", async (_n, replies, expected) => {
    script.push(...replies);
    sleeps.length = 0;
    const r = await deliverWebhook(`${base}/hook`, secret, body, options());
    expect(r).toMatchObject({ ...expected, error: expected.ok ? null : `HTTP ${expected.status} from 127.0.0.1` });
    expect(hits).toHaveLength(expected.attempts);
    // Exponential backoff with jitter: 100 ms x 2^(n-1) x [0.5, 1.5).
    sleeps.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(50 * 2 ** i);
      expect(ms).toBeLessThan(150 * 2 ** i);
    });
    expect(sleeps).toHaveLength(expected.attempts - 1);
    for (const h of hits) {
      expect(verifyWebhookSignature(secret, h.headers["x-faasight-signature"] as string, h.body)).toBe(true);
      expect(h.headers["x-faasight-event"]).toBe("alert.firing");
      expect(h.body).toBe(body);
    }
  });

  it("times out a slow receiver and retries", async () => {
    script.push({ status: 200, delayMs: 1500 }, 200);
    const r = await deliverWebhook(`${base}/slow`, secret, body, options({ webhookTimeoutMs: 300 }));
    expect(r).toMatchObject({ ok: true, attempts: 2, status: 200 });
  });

  it("reports a refused connection after its retries", async () => {
    const r = await deliverWebhook("http://127.0.0.1:1/", secret, body, options({ webhookMaxAttempts: 2 }));
    expect(r).toMatchObject({ ok: false, attempts: 2, status: null });
    expect(r.error).toMatch(/ECONNREFUSED/);
  });

  it("refuses private receivers before connecting unless allowed", async () => {
    const r = await deliverWebhook(`${base}/hook`, secret, body, options({ allowPrivate: false }));
    expect(r).toMatchObject({ ok: false, attempts: 0, status: null });
    expect(r.error).toMatch(/loopback/);
    expect(hits).toHaveLength(0);
  });
});
