/**
 * HTTPS webhook channel: a signed JSON POST to a vetted, pinned address, with a per-attempt
 * timeout and exponential backoff (with jitter) on 5xx, 408, 429 and network errors.
 * Redirects are not followed (a redirect could lead past the SSRF guard).
 */
import http from "node:http";
import https from "node:https";
import crypto from "node:crypto";
import type { LookupFunction } from "node:net";
import { SIGNATURE_HEADER, signWebhookBody } from "../signature.ts";
import { vetWebhookUrl, WebhookTargetError, type Resolver, type VettedTarget } from "../ssrf.ts";
import type { AlertsConfig } from "../config.ts";

export interface WebhookOptions {
  config: Pick<AlertsConfig, "allowPrivate" | "allowlist" | "webhookTimeoutMs" | "webhookMaxAttempts" | "webhookBackoffMs">;
  resolver?: Resolver;
  /** Extra headers (event name, delivery id). */
  headers?: Record<string, string>;
  sleep?: (ms: number) => Promise<void>;
}

export interface WebhookResult {
  ok: boolean;
  attempts: number;
  status: number | null;
  /** What went wrong, without the URL's path or query (they may carry tokens). */
  error: string | null;
  ms: number;
}

const RETRYABLE = new Set([408, 425, 429]);

/** A lookup that always answers with the vetted address (DNS cannot change between check and connect). */
function pinnedLookup(address: string, family: 4 | 6): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as unknown as LookupFunction;
}

interface AttemptOutcome {
  status: number | null;
  retryAfterMs: number | null;
  error: string | null;
}

function postOnce(target: VettedTarget, body: string, headers: Record<string, string>, timeoutMs: number): Promise<AttemptOutcome> {
  const mod = target.url.protocol === "https:" ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const done = (o: AttemptOutcome) => {
      if (!settled) {
        settled = true;
        resolve(o);
      }
    };
    const req = mod.request(
      {
        protocol: target.url.protocol,
        hostname: target.hostname,
        port: target.url.port || undefined,
        path: `${target.url.pathname}${target.url.search}`,
        method: "POST",
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        lookup: pinnedLookup(target.address, target.family),
        agent: false,
        timeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        // Drain (bounded) so the socket closes cleanly; the body is not needed.
        let seen = 0;
        res.on("data", (chunk: Buffer) => {
          seen += chunk.length;
          if (seen > 64 * 1024) res.destroy();
        });
        const status = res.statusCode ?? 0;
        const ra = Number(res.headers["retry-after"]);
        const outcome = { status, retryAfterMs: Number.isFinite(ra) && ra >= 0 ? Math.min(ra, 10) * 1000 : null, error: status >= 200 && status < 300 ? null : `HTTP ${status} from ${target.hostname}` };
        res.on("end", () => done(outcome));
        res.on("close", () => done(outcome));
        res.on("error", () => done(outcome));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no response from ${target.hostname} within ${timeoutMs} ms`)));
    req.on("error", (err: NodeJS.ErrnoException) => {
      const why = err.name === "TimeoutError" || err.name === "AbortError" ? `no response from ${target.hostname} within ${timeoutMs} ms` : `${err.code ?? err.name}: ${err.message}`;
      done({ status: null, retryAfterMs: null, error: why });
    });
    req.end(body);
  });
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Delivers one signed body to a webhook URL with retries; never throws. */
export async function deliverWebhook(url: string, secret: string, body: string, opts: WebhookOptions): Promise<WebhookResult> {
  const started = Date.now();
  const sleep = opts.sleep ?? defaultSleep;
  const max = Math.max(1, opts.config.webhookMaxAttempts);
  let last: AttemptOutcome = { status: null, retryAfterMs: null, error: "not attempted" };
  for (let attempt = 1; attempt <= max; attempt++) {
    let target: VettedTarget;
    try {
      // Vetted on every attempt: DNS answers may change between retries.
      target = await vetWebhookUrl(url, opts.config, opts.resolver);
    } catch (err) {
      const msg = err instanceof WebhookTargetError ? err.message : `could not check the webhook URL: ${(err as Error).message}`;
      return { ok: false, attempts: attempt - 1, status: null, error: msg, ms: Date.now() - started };
    }
    const headers = {
      "content-type": "application/json; charset=utf-8",
      "user-agent": "Faasight-Alerts/1",
      ...opts.headers,
      [SIGNATURE_HEADER.toLowerCase()]: signWebhookBody(secret, body),
    };
    last = await postOnce(target, body, headers, opts.config.webhookTimeoutMs);
    if (last.status !== null && last.status >= 200 && last.status < 300) return { ok: true, attempts: attempt, status: last.status, error: null, ms: Date.now() - started };
    const retryable = last.status === null || last.status >= 500 || RETRYABLE.has(last.status);
    if (!retryable || attempt === max) return { ok: false, attempts: attempt, status: last.status, error: last.error, ms: Date.now() - started };
    const backoff = opts.config.webhookBackoffMs * 2 ** (attempt - 1);
    const jittered = Math.round(backoff * (0.5 + crypto.randomInt(0, 1000) / 1000));
    await sleep(Math.max(jittered, last.retryAfterMs ?? 0));
  }
  return { ok: false, attempts: max, status: last.status, error: last.error, ms: Date.now() - started };
}
