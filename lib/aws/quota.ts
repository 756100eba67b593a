/**
 * Client-side API quotas: a token bucket per AWS API (or per shared quota) at most 80% of
 * AWS's documented rate, applied as SDK middleware so every attempt — retries included —
 * waits for a token and is counted (calls, throttled by AWS, failed) per API.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { AwsClients } from "./clients.ts";

/** Fraction of AWS's documented rate Faasight allows itself. */
export const QUOTA_HEADROOM = 0.8;

/**
 * AWS's documented default rates (requests/s per account and region) for the APIs the
 * collectors call. Keys are `<signing name>:<Operation>` or a shared quota name.
 * Sources: CloudWatch Logs, CloudWatch, X-Ray, Lambda, API Gateway, SQS, SNS and
 * EventBridge "endpoints and quotas" pages of the AWS General Reference.
 */
export const AWS_DOCUMENTED_TPS: Record<string, number> = {
  "logs:FilterLogEvents": 5,
  "logs:DescribeLogGroups": 5,
  "logs:DescribeLogStreams": 25,
  "logs:GetLogEvents": 25,
  "monitoring:GetMetricData": 50,
  "monitoring:ListMetrics": 25,
  "monitoring:GetMetricStatistics": 400,
  "xray:GetTraceSummaries": 5,
  "xray:BatchGetTraces": 5,
  // Lambda: one control-plane quota (15/s) shared by every API but Invoke/GetFunction/GetPolicy.
  "lambda:control-plane": 15,
  "lambda:GetFunction": 100,
  // API Gateway management GETs: 10/s per account (REST and HTTP APIs share it).
  "apigateway:management": 10,
  "sqs:default": 100,
  "sns:ListTopics": 30,
  "sns:ListSubscriptions": 30,
  "sns:ListSubscriptionsByTopic": 30,
  "sns:default": 30,
  "events:default": 50,
  "sts:AssumeRole": 600,
  "default": 10,
};

/** Which quota an operation draws from. */
export function quotaKey(service: string, operation: string): string {
  const exact = `${service}:${operation}`;
  if (AWS_DOCUMENTED_TPS[exact] !== undefined) return exact;
  if (service === "lambda") return "lambda:control-plane";
  if (service === "apigateway") return "apigateway:management";
  if (AWS_DOCUMENTED_TPS[`${service}:default`] !== undefined) return `${service}:default`;
  return "default";
}

/** A token bucket with an injectable clock; `reserve` books a token and says how long to wait for it. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    readonly ratePerSec: number,
    readonly capacity: number,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.tokens = capacity;
    this.last = now();
  }
  /** Books one token; returns the milliseconds until it may be used (0 = now). Callers queue fairly. */
  reserve(): number {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1000) * this.ratePerSec);
    this.last = t;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.ratePerSec) * 1000);
  }
}

export interface ApiCounter {
  calls: number;
  throttled: number;
  failed: number;
}

/** Per-API counters: `{"logs:FilterLogEvents": {calls, throttled, failed}}`. */
export type CallCounts = Record<string, ApiCounter>;

/** Adds `b` into `a`. */
export function addCounts(a: CallCounts, b: CallCounts): CallCounts {
  for (const [k, v] of Object.entries(b)) {
    const t = (a[k] ??= { calls: 0, throttled: 0, failed: 0 });
    t.calls += v.calls;
    t.throttled += v.throttled;
    t.failed += v.failed;
  }
  return a;
}

const THROTTLING_CODES = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "LimitExceededException",
  "ProvisionedThroughputExceededException",
  "SlowDown",
  "AWS.SimpleQueueService.RequestThrottled",
]);

/** True when AWS answered "slow down" (the same classification the SDK's retry strategy uses). */
export function isThrottlingError(err: unknown): boolean {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: { throttling?: boolean } };
  return e?.$metadata?.httpStatusCode === 429 || THROTTLING_CODES.has(e?.name ?? "") || THROTTLING_CODES.has(e?.Code ?? "") || e?.$retryable?.throttling === true;
}

/** Counters of the current collector, set by the worker around each collector run. */
export const callScope = new AsyncLocalStorage<CallCounts>();

const SIGNING_NAMES: Record<string, string> = {
  CloudWatchClient: "monitoring",
  CloudWatchLogsClient: "logs",
  XRayClient: "xray",
  SQSClient: "sqs",
  SNSClient: "sns",
  LambdaClient: "lambda",
  APIGatewayClient: "apigateway",
  ApiGatewayV2Client: "apigateway",
  EventBridgeClient: "events",
  IAMClient: "iam",
  STSClient: "sts",
};

/** The rate governor of one source (account x region): buckets shared by all its clients, and totals. */
export class QuotaGovernor {
  private readonly buckets = new Map<string, TokenBucket>();
  readonly totals: CallCounts = {};
  constructor(
    /** Multiplies every rate: 1 for AWS; emulators without quotas may use more. */
    readonly scale = 1,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Rate (requests/s) this governor allows for a quota key. */
  rate(key: string): number {
    return (AWS_DOCUMENTED_TPS[key] ?? AWS_DOCUMENTED_TPS.default!) * QUOTA_HEADROOM * this.scale;
  }

  /** Waits for a token of the quota the operation draws from. */
  async acquire(service: string, operation: string): Promise<void> {
    const key = quotaKey(service, operation);
    let b = this.buckets.get(key);
    if (!b) {
      const rate = this.rate(key);
      b = new TokenBucket(rate, Math.max(1, Math.floor(rate)), this.now);
      this.buckets.set(key, b);
    }
    const wait = b.reserve();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }

  /** Counts one attempt in the totals and in the current collector's scope. */
  record(api: string, outcome: "ok" | "throttled" | "failed"): void {
    for (const counts of [this.totals, callScope.getStore()]) {
      if (!counts) continue;
      const c = (counts[api] ??= { calls: 0, throttled: 0, failed: 0 });
      c.calls++;
      if (outcome === "throttled") c.throttled++;
      if (outcome === "failed") c.failed++;
    }
  }
}

interface StackClient {
  middlewareStack: { add(mw: unknown, options: Record<string, unknown>): void };
  constructor: { name: string };
}

/** The operation name of a command context ("FilterLogEventsCommand" -> "FilterLogEvents"). */
export function operationName(commandName: string | undefined): string {
  return (commandName ?? "Unknown").replace(/Command$/, "");
}

/** Adds the rate-limit + counting middleware to one SDK client (inside the retry loop: every attempt counts). */
export function governClient(client: StackClient, governor: QuotaGovernor, service = SIGNING_NAMES[client.constructor.name] ?? "default"): void {
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      const op = operationName(context.commandName);
      await governor.acquire(service, op);
      try {
        const out = await next(args);
        governor.record(`${service}:${op}`, "ok");
        return out;
      } catch (err) {
        governor.record(`${service}:${op}`, isThrottlingError(err) ? "throttled" : "failed");
        throw err;
      }
    },
    { step: "finalizeRequest", priority: "low", name: "faasightQuotaMiddleware", override: true },
  );
}

/** Governs every client of an AwsClients set that the collectors use. */
export function governClients(clients: AwsClients, governor: QuotaGovernor): void {
  for (const c of [clients.cloudwatch, clients.logs, clients.xray, clients.sqs, clients.sns, clients.lambda, clients.apigateway, clients.apigatewayv2, clients.events]) {
    governClient(c as unknown as StackClient, governor);
  }
}
