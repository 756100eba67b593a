/**
 * The one place AWS SDK v3 clients are built: region, endpoint override, credentials
 * (standard chain, or AssumeRole for cross-account sources), retries and timeouts.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { XRayClient } from "@aws-sdk/client-xray";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SNSClient } from "@aws-sdk/client-sns";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { APIGatewayClient } from "@aws-sdk/client-api-gateway";
import { ApiGatewayV2Client } from "@aws-sdk/client-apigatewayv2";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { IAMClient } from "@aws-sdk/client-iam";
import { STSClient } from "@aws-sdk/client-sts";
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import http from "node:http";
import https from "node:https";

export interface AwsTarget {
  region: string;
  /** Endpoint override for every service (sandbox, moto, LocalStack); unset = AWS. */
  endpoint?: string;
  /** Static credentials (tests, sandbox). Unset = the SDK's default chain. */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Cross-account: role to assume (with external id) on top of the base credentials. */
  roleArn?: string;
  externalId?: string;
  /** Retry attempts; background collection uses more than interactive calls. */
  maxAttempts?: number;
  requestTimeoutMs?: number;
}

/** Credentials the sandbox accepts (it checks no signatures); never real secrets. */
export const SANDBOX_CREDENTIALS: AwsCredentialIdentity = { accessKeyId: "sandbox", secretAccessKey: "sandbox" };

export interface AwsClients {
  target: AwsTarget;
  cloudwatch: CloudWatchClient;
  logs: CloudWatchLogsClient;
  xray: XRayClient;
  sqs: SQSClient;
  sns: SNSClient;
  lambda: LambdaClient;
  apigateway: APIGatewayClient;
  apigatewayv2: ApiGatewayV2Client;
  events: EventBridgeClient;
  iam: IAMClient;
  sts: STSClient;
  destroy(): void;
}

/** Builds (lazily) one client per service for a target. */
export function createAwsClients(target: AwsTarget): AwsClients {
  const agentOptions = { keepAlive: true, maxSockets: 50 };
  const requestHandler = new NodeHttpHandler({
    httpAgent: new http.Agent(agentOptions),
    httpsAgent: new https.Agent(agentOptions),
    requestTimeout: target.requestTimeoutMs ?? 30_000,
    connectionTimeout: 5_000,
  });
  let credentials = target.credentials;
  if (target.roleArn) {
    credentials = fromTemporaryCredentials({
      params: { RoleArn: target.roleArn, RoleSessionName: "faasight", ExternalId: target.externalId, DurationSeconds: 3600 },
      clientConfig: { region: target.region, endpoint: target.endpoint, credentials: target.credentials },
      masterCredentials: target.credentials,
    });
  }
  const base = {
    region: target.region,
    endpoint: target.endpoint,
    credentials,
    maxAttempts: target.maxAttempts ?? 3,
    retryMode: "standard" as const,
    requestHandler,
  };
  const cache = new Map<string, { destroy(): void }>();
  const lazy = <T extends { destroy(): void }>(key: string, make: () => T): T => {
    let c = cache.get(key) as T | undefined;
    if (!c) {
      c = make();
      cache.set(key, c);
    }
    return c;
  };
  return {
    target,
    // moto and some emulators cannot read gzip request bodies; CloudWatch compresses above 10 KB.
    get cloudwatch() {
      return lazy("cloudwatch", () => new CloudWatchClient({ ...base, disableRequestCompression: !!target.endpoint }));
    },
    get logs() {
      return lazy("logs", () => new CloudWatchLogsClient(base));
    },
    get xray() {
      return lazy("xray", () => new XRayClient(base));
    },
    get sqs() {
      return lazy("sqs", () => new SQSClient(base));
    },
    get sns() {
      return lazy("sns", () => new SNSClient(base));
    },
    get lambda() {
      return lazy("lambda", () => new LambdaClient(base));
    },
    get apigateway() {
      return lazy("apigateway", () => new APIGatewayClient(base));
    },
    get apigatewayv2() {
      return lazy("apigatewayv2", () => new ApiGatewayV2Client(base));
    },
    get events() {
      return lazy("events", () => new EventBridgeClient(base));
    },
    get iam() {
      return lazy("iam", () => new IAMClient(base));
    },
    get sts() {
      return lazy("sts", () => new STSClient(base));
    },
    destroy() {
      for (const c of cache.values()) c.destroy();
      cache.clear();
      requestHandler.destroy();
    },
  };
}

/** A target for the local sandbox endpoint. */
export function sandboxTarget(endpoint: string, region = "us-east-1"): AwsTarget {
  return { region, endpoint, credentials: SANDBOX_CREDENTIALS };
}
