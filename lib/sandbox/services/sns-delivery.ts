/**
 * How SNS hands a message to an endpoint: the JSON envelopes (HTTP/S and SQS
 * notifications, subscription confirmations, the Lambda event), the HTTP/S delivery
 * policy (retry phases and backoff), and the HTTP POST itself.
 */
import { createHmac } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { SqsMessageAttribute } from "../core.ts";

export type NotificationType = "Notification" | "SubscriptionConfirmation" | "UnsubscribeConfirmation";

export interface EnvelopeInput {
  type: NotificationType;
  messageId: string;
  topicArn: string;
  message: string;
  timestamp: string;
  subject?: string;
  token?: string;
  subscribeUrl?: string;
  unsubscribeUrl?: string;
  messageAttributes?: Record<string, SqsMessageAttribute>;
  sequenceNumber?: string;
  signatureVersion: string;
  signingCertUrl: string;
}

// Signatures cannot be AWS's (no AWS private key); they are stable HMACs of the string to sign.
const SANDBOX_SIGNING_KEY = "faasight-sandbox-sns";

/** The fields SNS signs, in its canonical order, as "Name\nValue\n" pairs. */
function stringToSign(e: EnvelopeInput): string {
  const fields: [string, string | undefined][] =
    e.type === "Notification"
      ? [["Message", e.message], ["MessageId", e.messageId], ["Subject", e.subject], ["Timestamp", e.timestamp], ["TopicArn", e.topicArn], ["Type", e.type]]
      : [["Message", e.message], ["MessageId", e.messageId], ["SubscribeURL", e.subscribeUrl], ["Timestamp", e.timestamp], ["Token", e.token], ["TopicArn", e.topicArn], ["Type", e.type]];
  return fields
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}\n${v}\n`)
    .join("");
}

function signature(e: EnvelopeInput): string {
  const text = stringToSign(e);
  // 256 bytes, the length of an RSA-2048 signature.
  const parts = Array.from({ length: 8 }, (_, i) => createHmac("sha256", SANDBOX_SIGNING_KEY).update(`${i}:${text}`).digest());
  return Buffer.concat(parts).toString("base64");
}

/** Message attributes as the envelope carries them: { name: { Type, Value } } (binary as base64). */
export function envelopeAttributes(attributes: Record<string, SqsMessageAttribute> | undefined): Record<string, { Type: string; Value: string }> {
  return Object.fromEntries(Object.entries(attributes ?? {}).map(([name, a]) => [name, { Type: a.DataType, Value: a.StringValue ?? a.BinaryValue ?? "" }]));
}

/** The JSON document SNS posts to HTTP/S endpoints and enqueues on SQS (without raw delivery). */
export function buildEnvelope(e: EnvelopeInput): Record<string, unknown> {
  const out: Record<string, unknown> = { Type: e.type, MessageId: e.messageId };
  if (e.token !== undefined) out.Token = e.token;
  out.TopicArn = e.topicArn;
  if (e.type === "Notification" && e.subject !== undefined) out.Subject = e.subject;
  out.Message = e.message;
  if (e.subscribeUrl !== undefined) out.SubscribeURL = e.subscribeUrl;
  out.Timestamp = e.timestamp;
  if (e.sequenceNumber !== undefined) out.SequenceNumber = e.sequenceNumber;
  out.SignatureVersion = e.signatureVersion;
  out.Signature = signature(e);
  out.SigningCertURL = e.signingCertUrl;
  if (e.type === "Notification") {
    out.UnsubscribeURL = e.unsubscribeUrl;
    const attributes = envelopeAttributes(e.messageAttributes);
    if (Object.keys(attributes).length) out.MessageAttributes = attributes;
  }
  return out;
}

/** The event a Lambda function subscribed to a topic receives (note Url casing and null Subject). */
export function buildLambdaEvent(e: EnvelopeInput, subscriptionArn: string): string {
  return JSON.stringify({
    Records: [
      {
        EventSource: "aws:sns",
        EventVersion: "1.0",
        EventSubscriptionArn: subscriptionArn,
        Sns: {
          Type: e.type,
          MessageId: e.messageId,
          TopicArn: e.topicArn,
          Subject: e.subject ?? null,
          Message: e.message,
          Timestamp: e.timestamp,
          SignatureVersion: e.signatureVersion,
          Signature: signature(e),
          SigningCertUrl: e.signingCertUrl,
          UnsubscribeUrl: e.unsubscribeUrl,
          MessageAttributes: envelopeAttributes(e.messageAttributes),
        },
      },
    ],
  });
}

export interface RetryPolicy {
  minDelayTarget: number;
  maxDelayTarget: number;
  numRetries: number;
  numNoDelayRetries: number;
  numMinDelayRetries: number;
  numMaxDelayRetries: number;
  backoffFunction: "linear" | "arithmetic" | "geometric" | "exponential";
}

export interface HttpDeliveryPolicy {
  retry: RetryPolicy;
  contentType: string;
}

/** AWS's default for HTTP/S: three retries, 20 s apart. */
export const DEFAULT_HTTP_RETRY: RetryPolicy = {
  minDelayTarget: 20,
  maxDelayTarget: 20,
  numRetries: 3,
  numNoDelayRetries: 0,
  numMinDelayRetries: 0,
  numMaxDelayRetries: 0,
  backoffFunction: "linear",
};

/** AWS-managed endpoints (SQS, Lambda): 3 immediate retries, then 2 at 1 s (the sandbox stops there). */
export const MANAGED_ENDPOINT_RETRY: RetryPolicy = {
  minDelayTarget: 1,
  maxDelayTarget: 1,
  numRetries: 5,
  numNoDelayRetries: 3,
  numMinDelayRetries: 2,
  numMaxDelayRetries: 0,
  backoffFunction: "linear",
};

function parseJson(text: string | undefined): Record<string, any> | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as Record<string, any>;
  } catch {
    return undefined;
  }
}

/**
 * The effective HTTP/S delivery policy: the subscription's DeliveryPolicy, else the topic's
 * http.defaultHealthyRetryPolicy (subscriptions cannot override when the topic disables it).
 */
export function effectiveHttpPolicy(topicPolicy: string | undefined, subscriptionPolicy: string | undefined): HttpDeliveryPolicy {
  const topic = parseJson(topicPolicy)?.http ?? {};
  const sub = topic.disableSubscriptionOverrides ? {} : (parseJson(subscriptionPolicy) ?? {});
  const retry = { ...DEFAULT_HTTP_RETRY, ...topic.defaultHealthyRetryPolicy, ...sub.healthyRetryPolicy } as RetryPolicy;
  const contentType = sub.requestPolicy?.headerContentType ?? topic.defaultRequestPolicy?.headerContentType ?? "text/plain; charset=UTF-8";
  return { retry, contentType };
}

/** Validates a DeliveryPolicy document; returns an error reason or undefined. */
export function deliveryPolicyError(text: string, scope: "topic" | "subscription"): string | undefined {
  const doc = parseJson(text);
  if (!doc) return "DeliveryPolicy: failed to parse JSON";
  const policy = scope === "topic" ? doc.http?.defaultHealthyRetryPolicy : doc.healthyRetryPolicy;
  if (!policy) return undefined;
  const r = { ...DEFAULT_HTTP_RETRY, ...policy } as RetryPolicy;
  if (r.minDelayTarget < 1 || r.maxDelayTarget < r.minDelayTarget || r.maxDelayTarget > 3600) return "DeliveryPolicy: minDelayTarget must be >= 1 and <= maxDelayTarget <= 3600";
  if (r.numRetries < 0 || r.numRetries > 100) return "DeliveryPolicy: numRetries must be between 0 and 100";
  if (r.numNoDelayRetries + r.numMinDelayRetries + r.numMaxDelayRetries > r.numRetries) return "DeliveryPolicy: numRetries is less than the sum of the phase retries";
  if (!["linear", "arithmetic", "geometric", "exponential"].includes(r.backoffFunction)) return "DeliveryPolicy: unknown backoffFunction";
  return undefined;
}

/** Delays (ms) before each retry: immediate, pre-backoff (min), backoff (min..max), post-backoff (max). */
export function retryDelays(p: RetryPolicy): number[] {
  const delays: number[] = [];
  for (let i = 0; i < p.numNoDelayRetries; i++) delays.push(0);
  for (let i = 0; i < p.numMinDelayRetries; i++) delays.push(p.minDelayTarget);
  const backoff = Math.max(0, p.numRetries - p.numNoDelayRetries - p.numMinDelayRetries - p.numMaxDelayRetries);
  for (let i = 1; i <= backoff; i++) {
    const f = backoff === 1 ? 1 : (i - 1) / (backoff - 1);
    const shape = p.backoffFunction === "linear" ? f : p.backoffFunction === "arithmetic" ? f * f : p.backoffFunction === "geometric" ? Math.sqrt(f) : f ** 3;
    delays.push(Math.round(p.minDelayTarget + (p.maxDelayTarget - p.minDelayTarget) * shape));
  }
  for (let i = 0; i < p.numMaxDelayRetries; i++) delays.push(p.maxDelayTarget);
  return delays.map((s) => s * 1000);
}

export interface HttpAttemptResult {
  ok: boolean;
  /** False for 4xx other than 429: SNS does not retry client errors. */
  retryable: boolean;
  detail: string;
}

/** POSTs one delivery attempt; resolves (never rejects) with the outcome. */
export function postNotification(url: string, body: string, headers: Record<string, string>, timeoutMs = 15_000): Promise<HttpAttemptResult> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve({ ok: false, retryable: false, detail: "invalid endpoint URL" });
      return;
    }
    const client = target.protocol === "https:" ? https : http;
    const req = client.request(
      target,
      {
        method: "POST",
        agent: false,
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)), "user-agent": "Amazon Simple Notification Service Agent" },
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          resolve({ ok: status >= 200 && status < 300, retryable: status >= 500 || status === 429 || status < 200, detail: `HTTP ${status}` });
        });
        res.on("error", (err) => resolve({ ok: false, retryable: true, detail: err.message }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", (err) => resolve({ ok: false, retryable: true, detail: err.message }));
    req.end(body);
  });
}
