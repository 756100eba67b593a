/**
 * The Lambda side of a replay. Invoke is never retried blindly: a client-side timeout or
 * a dropped connection may come after the function ran, so only answers that prove the
 * call was refused (throttling) are retried; anything else is classified for the caller.
 */
import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { createAwsClients, type AwsClients } from "../aws/clients.ts";
import type { InvocationType } from "./limits.ts";
import { realClock, type Clock } from "./token-bucket.ts";

export type InvokeOutcome =
  /** Event: accepted (202); RequestResponse: the function returned without error. */
  | { kind: "ok"; requestId: string | null; statusCode: number; executedVersion: string | null; response: string }
  /** The function ran and failed (X-Amz-Function-Error); the payload holds its error. */
  | { kind: "function_error"; requestId: string | null; functionError: string; response: string; executedVersion: string | null }
  /** Lambda refused the call (not found, throttled, too large, invalid): the function did not run. */
  | { kind: "rejected"; error: string; code: string; httpStatus: number | null }
  /** No answer: the function may or may not have run. */
  | { kind: "in_doubt"; error: string };

/** Errors raised before a request reached Lambda (nothing can have run). */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "CredentialsProviderError"]);
const RESPONSE_LIMIT = 4096;

/** A Lambda client for replays: one attempt per call, and a request timeout longer than a 15-minute function. */
export function createReplayLambdaClient(clients: AwsClients): { lambda: LambdaClient; destroy(): void } {
  const dedicated = createAwsClients({ ...clients.target, maxAttempts: 1, requestTimeoutMs: 16 * 60_000 });
  return { lambda: dedicated.lambda, destroy: () => dedicated.destroy() };
}

export interface InvokeRequest {
  functionName: string;
  qualifier: string | null;
  invocationType: InvocationType;
  payload: string;
}

function truncate(text: string, max = RESPONSE_LIMIT): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}

/** Invokes once (plus up to `throttleRetries` retries of a throttled call) and classifies the result. */
export async function invokeForReplay(lambda: LambdaClient, req: InvokeRequest, opts: { throttleRetries?: number; clock?: Clock } = {}): Promise<InvokeOutcome> {
  const clock = opts.clock ?? realClock;
  const retries = opts.throttleRetries ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      const out = await lambda.send(
        new InvokeCommand({
          FunctionName: req.functionName,
          ...(req.qualifier ? { Qualifier: req.qualifier } : {}),
          InvocationType: req.invocationType,
          Payload: new TextEncoder().encode(req.payload),
        }),
      );
      const response = truncate(out.Payload ? new TextDecoder().decode(out.Payload) : "");
      const requestId = out.$metadata.requestId ?? null;
      const executedVersion = out.ExecutedVersion ?? null;
      if (out.FunctionError) return { kind: "function_error", requestId, functionError: out.FunctionError, response, executedVersion };
      return { kind: "ok", requestId, statusCode: out.StatusCode ?? 0, executedVersion, response };
    } catch (err) {
      const e = err as Error & { $metadata?: { httpStatusCode?: number }; code?: string; $response?: unknown };
      const httpStatus = e.$metadata?.httpStatusCode ?? null;
      if (httpStatus === 429 && attempt < retries) {
        await clock.sleep(250 * 2 ** attempt);
        continue;
      }
      // Lambda's 502s (ENI, KMS, EFS, SnapStart, invalid runtime or zip) all mean the function could not start.
      if (httpStatus !== null && (httpStatus < 500 || httpStatus === 502)) return { kind: "rejected", error: `${e.name}: ${e.message}`, code: e.name, httpStatus };
      if (NOT_SENT.has(e.code ?? "") || NOT_SENT.has(e.name)) return { kind: "rejected", error: `${e.name}: ${e.message}`, code: e.code ?? e.name, httpStatus };
      // A 5xx or a lost connection: Lambda may have run the function before failing to answer.
      return { kind: "in_doubt", error: `${e.name}: ${e.message}${httpStatus ? ` (HTTP ${httpStatus})` : ""}` };
    }
  }
}
