/**
 * Fault injection through the control endpoint (/_sandbox/faults): injected 5xx answers in each
 * protocol's error format, which the SDK retries; added latency; the "*" < service < operation
 * precedence of the knobs.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import { CloudWatchClient, ListMetricsCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { ListTopicsCommand, SNSClient } from "@aws-sdk/client-sns";
import { ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startSandbox, type Sandbox } from "../../../lib/sandbox/server.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
let sandbox: Sandbox;

const config = (maxAttempts: number) => ({ endpoint: sandbox.url, region: "us-east-1", credentials, retryStrategy: new ConfiguredRetryStrategy(maxAttempts, () => 5) });

async function putFaults(body: string): Promise<Response> {
  return fetch(`${sandbox.url}/_sandbox/faults`, { method: "PUT", body });
}

async function stats(): Promise<Record<string, { calls: number; throttled: number; errors: number }>> {
  return (await (await fetch(`${sandbox.url}/_sandbox/stats`)).json()) as Record<string, { calls: number; throttled: number; errors: number }>;
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: 5 });
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(async () => {
  await putFaults("{}");
  await fetch(`${sandbox.url}/_sandbox/stats/reset`, { method: "POST" });
});

describe("the fault control endpoint", () => {
  it("sets, reads back and rejects fault configurations", async () => {
    const config = { "*": { latencyMs: 1 }, sqs: { throttleRate: 0.5 }, "logs:FilterLogEvents": { pageSize: 5, lateRate: 0.1, lateMs: 60_000 } };
    expect((await putFaults(JSON.stringify(config))).status).toBe(200);
    expect(await (await fetch(`${sandbox.url}/_sandbox/faults`)).json()).toEqual(config);
    const bad = await putFaults("{not json");
    expect(bad.status).toBe(400);
    expect(await (await fetch(`${sandbox.url}/_sandbox/faults`)).json()).toEqual(config);
    expect(sandbox.context.faults("sqs", "ListQueues")).toEqual({ latencyMs: 1, throttleRate: 0.5 });
    expect(sandbox.context.faults("logs", "FilterLogEvents")).toEqual({ latencyMs: 1, pageSize: 5, lateRate: 0.1, lateMs: 60_000 });
  });

  it("applies the most specific knob: operation over service over *", async () => {
    await putFaults(JSON.stringify({ "*": { throttleRate: 1 }, sqs: { throttleRate: 0 }, "lambda:ListFunctions": { throttleRate: 0 } }));
    const sqs = new SQSClient(config(1));
    const lambda = new LambdaClient(config(1));
    const sns = new SNSClient(config(1));
    try {
      await expect(sqs.send(new ListQueuesCommand({}))).resolves.toBeDefined();
      await expect(lambda.send(new ListFunctionsCommand({}))).resolves.toBeDefined();
      await expect(sns.send(new ListTopicsCommand({}))).rejects.toMatchObject({ name: "ThrottledException", $metadata: { httpStatusCode: 429 } });
    } finally {
      sqs.destroy();
      lambda.destroy();
      sns.destroy();
    }
  });
});

describe("injected 5xx (errorRate)", () => {
  const cases = [
    { service: "sqs", operation: "ListQueues", call: (n: number) => new SQSClient(config(n)).send(new ListQueuesCommand({})), protocol: "JSON (awsQueryCompatible)" },
    { service: "monitoring", operation: "ListMetrics", call: (n: number) => new CloudWatchClient(config(n)).send(new ListMetricsCommand({})), protocol: "CloudWatch's protocol" },
    { service: "sns", operation: "ListTopics", call: (n: number) => new SNSClient(config(n)).send(new ListTopicsCommand({})), protocol: "query XML" },
    { service: "lambda", operation: "ListFunctions", call: (n: number) => new LambdaClient(config(n)).send(new ListFunctionsCommand({})), protocol: "REST-JSON" },
    { service: "logs", operation: "DescribeLogGroups", call: (n: number) => new CloudWatchLogsClient(config(n)).send(new DescribeLogGroupsCommand({})), protocol: "JSON 1.1" },
  ];

  it.each(cases)("$service answers 503 in $protocol, and the SDK gives up after its attempts", async ({ service, operation, call }) => {
    await putFaults(JSON.stringify({ [`${service}:${operation}`]: { errorRate: 1 } }));
    const err = (await call(3).then(
      () => undefined,
      (e: unknown) => e,
    )) as { name: string; $fault: string; $metadata: { httpStatusCode: number; attempts: number } };
    expect(err).toBeDefined();
    expect(err.$metadata.httpStatusCode).toBe(503);
    expect(err.$fault).toBe("server");
    expect(err.$metadata.attempts).toBe(3);
    expect((await stats())[`${service}:${operation}`]).toEqual({ calls: 3, throttled: 0, errors: 3 });
  });

  it.each(cases)("$service: the SDK retries injected 5xx at rate 0.5 to success", async ({ service, operation, call }) => {
    await putFaults(JSON.stringify({ [service]: { errorRate: 0.5 } }));
    for (let i = 0; i < 8; i++) await expect(call(20)).resolves.toBeDefined();
    const s = (await stats())[`${service}:${operation}`]!;
    expect(s.errors).toBeGreaterThan(0);
    expect(s.calls).toBe(8 + s.errors);
  });
});

describe("added latency (latencyMs)", () => {
  it("delays the chosen operation only", async () => {
    await putFaults(JSON.stringify({ "logs:DescribeLogGroups": { latencyMs: 400 } }));
    const logs = new CloudWatchLogsClient(config(1));
    const sqs = new SQSClient(config(1));
    try {
      await sqs.send(new ListQueuesCommand({}));
      let t = performance.now();
      await logs.send(new DescribeLogGroupsCommand({}));
      expect(performance.now() - t).toBeGreaterThanOrEqual(395);
      t = performance.now();
      await sqs.send(new ListQueuesCommand({}));
      expect(performance.now() - t).toBeLessThan(300);
    } finally {
      logs.destroy();
      sqs.destroy();
    }
  });
});
