/**
 * The sandbox's shared contract: how a parsed HTTP request reaches a service, how
 * services answer and fail in AWS's wire formats, and how services reach each other
 * in-process (SNS -> SQS delivery, Lambda Invoke -> logs/metrics/traces).
 */

export const SANDBOX_ACCOUNT_ID = "123456789012";
export const SANDBOX_DEFAULT_REGION = "us-east-1";

/** One HTTP request, already read, with the AWS service it is addressed to. */
export interface SandboxRequest {
  method: string;
  /** Path without the query string, percent-decoded per segment by the router that needs it. */
  path: string;
  rawPath: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: Buffer;
  /** Signing name from the SigV4 credential scope (monitoring, logs, xray, sqs, sns, lambda, apigateway, events, sts). */
  service: string;
  region: string;
  requestId: string;
}

export interface SandboxResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** An error as AWS reports it; each protocol renders it in its own wire format. */
export class AwsServiceError extends Error {
  constructor(
    /** AWS error code, e.g. ResourceNotFoundException, Throttling, AWS.SimpleQueueService.NonExistentQueue. */
    public readonly code: string,
    message: string,
    public readonly status = 400,
    public readonly options: {
      /** "Sender" (client fault) or "Receiver" (server fault). */
      fault?: "Sender" | "Receiver";
      /** awsQueryCompatible services (SQS) also send the legacy query code in x-amzn-query-error. */
      queryCode?: string;
      /** Extra members of the error body (e.g. Lambda's Type). */
      extra?: Record<string, unknown>;
    } = {},
  ) {
    super(message);
    this.name = "AwsServiceError";
  }
}

/** An operation resolved from a request: its name (for fault injection and metrics) and how to run it. */
export interface ResolvedOperation {
  operation: string;
  run(): Promise<SandboxResponse>;
}

/** A service plugged into the sandbox endpoint. */
export interface SandboxService {
  /** SigV4 signing name, used for dispatch. */
  signingName: string;
  /** Fallback dispatch for unsigned requests: does this request belong to this service? */
  matches?(req: Omit<SandboxRequest, "service">): boolean;
  /** Null when the request names no operation this service knows. */
  resolve(req: SandboxRequest, ctx: SandboxContext): ResolvedOperation | null;
  /** Renders an error in this service's protocol. */
  renderError(err: AwsServiceError, req: SandboxRequest): SandboxResponse;
  /** The throttling error AWS returns for this service. */
  throttlingError(): AwsServiceError;
  /** JSON-serialisable state for snapshots; restore replaces it. */
  snapshot?(): unknown;
  restore?(state: unknown): void;
}

/** Metric datum as PutMetricData carries it (after protocol decoding). */
export interface MetricDatumInput {
  MetricName: string;
  Dimensions?: { Name: string; Value: string }[];
  Timestamp?: Date | number | string;
  Value?: number;
  Values?: number[];
  Counts?: number[];
  StatisticValues?: { SampleCount: number; Sum: number; Minimum: number; Maximum: number };
  Unit?: string;
  StorageResolution?: number;
}

export interface LogEventInput {
  timestamp: number;
  message: string;
}

/** Internal, in-process entry points services use to talk to each other (no HTTP, no faults). */
export interface SandboxInternals {
  putMetricData(namespace: string, data: MetricDatumInput[]): void;
  /** Creates the group/stream when missing (as Lambda does). */
  putLogEvents(group: string, stream: string, events: LogEventInput[]): void;
  putTraceSegments(documents: string[]): void;
  /** Sends to a queue by ARN or URL; returns the message id or throws AwsServiceError. */
  sendSqsMessage(queue: string, body: string, messageAttributes?: Record<string, SqsMessageAttribute>): string;
  publishSns(topicArn: string, message: string, subject?: string, messageAttributes?: Record<string, SqsMessageAttribute>): string;
  /** Invokes a Lambda function in-process (used by SNS/EventBridge/ESM deliveries). */
  invokeLambda(functionArnOrName: string, payload: string, invocationType: "Event" | "RequestResponse"): Promise<InvokeResult>;
}

export interface SqsMessageAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
  StringListValues?: string[];
  BinaryListValues?: string[];
}

/** What the Lambda service knows of a function version when it asks the runner to execute it. */
export interface InvocationTarget {
  functionName: string;
  functionArn: string;
  version: string;
  /** The alias or version the caller named, if any. */
  qualifier?: string;
  runtime: string;
  architecture: string;
  memorySizeMb: number;
  timeoutSeconds: number;
  logGroup: string;
  logFormat: "Text" | "JSON";
  tracingMode: "Active" | "PassThrough";
  environment: Record<string, string>;
  provisionedConcurrency: number;
}

export interface InvokeResult {
  statusCode: number;
  requestId: string;
  executedVersion: string;
  payload: string;
  /** "Unhandled" when the function failed (the Invoke API's X-Amz-Function-Error). */
  functionError?: string;
  logTail?: string;
}

/**
 * Executes one invocation of a simulated function and writes its telemetry through
 * `internals`. The workload model provides it; the Lambda service calls it on Invoke.
 */
export type InvocationRunner = (
  target: InvocationTarget,
  payload: string,
  invocation: { requestId: string; invocationType: "Event" | "RequestResponse"; attempt: number; at: number },
  internals: SandboxInternals,
) => Promise<InvokeResult>;

export interface FaultSettings {
  /** 0..1: fraction of calls answered with the service's throttling error. */
  throttleRate?: number;
  /** 0..1: fraction of calls answered with a 500/503 service error. */
  errorRate?: number;
  /** Added latency per call, ms. */
  latencyMs?: number;
  /** Overrides the page size of list/filter operations. */
  pageSize?: number;
  /** 0..1 of PutMetricData / PutLogEvents points held back, visible only after lateMs. */
  lateRate?: number;
  lateMs?: number;
}

/** Fault knobs keyed by "*", "<service>" or "<service>:<Operation>" (most specific wins). */
export type FaultConfig = Record<string, FaultSettings>;

export interface SandboxContext {
  accountId: string;
  region: string;
  now(): number;
  /** Deterministic random in [0,1) for the sandbox's own choices (ids, routing). */
  random(): number;
  internals: SandboxInternals;
  runInvocation: InvocationRunner;
  /** Effective fault settings for an operation. */
  faults(service: string, operation: string): FaultSettings;
  /** Page size for an operation: the fault override or the AWS default. */
  pageSize(service: string, operation: string, awsDefault: number): number;
  /** Marks state as changed (for snapshotting). */
  touch(): void;
}

/** AWS-style ids. */
export function newRequestId(rand: () => number): string {
  // Once per request: no closures (tsx names each one created at runtime); draws rand in the same order as ever.
  const a = hexId(rand, 8);
  const b = hexId(rand, 4);
  const c = hexId(rand, 3);
  const variant = "89ab"[Math.floor(rand() * 4)]!;
  const d = hexId(rand, 3);
  return `${a}-${b}-4${c}-${variant}${d}-${hexId(rand, 12)}`;
}

const HEX_DIGITS = "0123456789abcdef";

export function hexId(rand: () => number, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) {
    const digit = Math.floor(rand() * 16);
    out += digit >= 0 && digit < 16 ? HEX_DIGITS[digit]! : digit.toString(16);
  }
  return out;
}

/** Opaque pagination tokens: base64 of a JSON cursor (AWS tokens are opaque too). */
export function encodeToken(cursor: unknown): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

export function decodeToken<T>(token: string | undefined | null, code = "InvalidParameterValueException"): T | undefined {
  if (!token) return undefined;
  try {
    return JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as T;
  } catch {
    throw new AwsServiceError(code, "The specified pagination token is not valid.");
  }
}
