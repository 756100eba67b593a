/**
 * A second, independent client against the sandbox: the Debian `awscli` package (aws-cli 2.9.19,
 * its own bundled botocore), run as a child process with --endpoint-url. Its request serializers,
 * response parsers, paginators (--max-items / --page-size / --starting-token) and error handling
 * are not the @aws-sdk/client-* code the other sandbox tests use, so wire-format slips that the SDK
 * happens to tolerate show up here.
 *
 * Protocols in awscli 2.9.19's botocore data (metadata.protocol of service-2.json) vs the sandbox:
 *   STS            query               sandbox: query                  covered
 *   Logs           json 1.1            sandbox: json 1.1               covered
 *   X-Ray          rest-json           sandbox: rest-json              covered
 *   Lambda         rest-json           sandbox: rest-json              covered
 *   SNS            query               sandbox: query                  covered
 *   SQS            query               sandbox: json 1.0 (current SDK) and query  covered (query path)
 *   API Gateway    rest-json           sandbox: rest-json              covered
 *   apigatewayv2   rest-json           sandbox: rest-json              covered
 *   EventBridge    json 1.1            sandbox: json 1.1               covered
 *   CloudWatch     query               sandbox: json 1.0 only          NOT covered (known difference):
 *     the current @aws-sdk/client-cloudwatch sends awsJson1_0 (X-Amz-Target GraniteServiceVersion20100801.*),
 *     and the sandbox routes CloudWatch only on that header; the 2.9.19 CLI posts form-encoded
 *     Action=ListMetrics&Version=2010-08-01 and gets `{"__type":"UnknownOperationException",
 *     "message":"No monitoring operation matches POST /."}` back, which it cannot parse as XML (exit 255).
 *     AWS itself still accepts the query protocol for CloudWatch.
 *
 * Isolation: the child gets a minimal environment (dummy keys, AWS_CONFIG_FILE and
 * AWS_SHARED_CREDENTIALS_FILE = /dev/null, a temporary HOME, IMDS disabled), never the caller's AWS_* variables.
 * Skips only when the Debian binary is absent (`apt-get install awscli`); the `aws` on PATH may be another CLI.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createHash } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { simulateShop, type SimulatedShop } from "../helpers/shop.ts";

/** Where Debian's awscli package installs its entry point (`dpkg -L awscli | grep bin/aws`). */
const AWS_BIN = "/usr/bin/aws";
const HAS_CLI = existsSync(AWS_BIN);
const SKIP_REASON = `skipped: Debian awscli not installed (${AWS_BIN} missing; apt-get install awscli)`;
if (!HAS_CLI) console.warn(`awscli.test.ts ${SKIP_REASON}`);
const REGION = "us-east-1";
const ACCOUNT = "123456789012";

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON; undefined when empty. */
  json: any;
}

let shop: SimulatedShop;
let home: string;

/** One CLI process per core at a time: each spends ~1.2 s of CPU starting Python and botocore. */
const slots = Math.max(1, os.availableParallelism());
let running = 0;
const waiting: (() => void)[] = [];
async function withSlot<T>(run: () => Promise<T>): Promise<T> {
  if (running >= slots) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await run();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

/** Runs the Debian aws CLI against the sandbox; resolves with the exit code instead of throwing. */
function aws(...args: string[]): Promise<CliResult> {
  const argv = ["--endpoint-url", shop.sandbox.url, "--region", REGION, "--output", "json", "--no-cli-pager", ...args];
  const env: Record<string, string> = {
    PATH: "/usr/bin:/bin",
    HOME: home,
    LANG: "C.UTF-8",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_MAX_ATTEMPTS: "3",
  };
  return withSlot(() => new Promise<CliResult>((resolve) => {
    execFile(AWS_BIN, argv, { env: env as NodeJS.ProcessEnv, encoding: "utf8", timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
      let json: any;
      if (stdout.trim()) {
        try {
          json = JSON.parse(stdout);
        } catch {
          json = undefined;
        }
      }
      resolve({ code, stdout, stderr, json });
    });
  }));
}

/** Runs a command that must succeed and returns its JSON output. */
async function ok(...args: string[]): Promise<any> {
  const r = await aws(...args);
  if (r.code !== 0) throw new Error(`aws ${args.join(" ")} exited ${r.code}: ${r.stderr.trim()}`);
  return r.json ?? {};
}

/** Asserts a service error as the CLI reports it: exit 254 and "An error occurred (Code) when calling the Op operation: message". */
async function expectServiceError(args: string[], code: string, operation: string, message?: RegExp): Promise<CliResult> {
  const r = await aws(...args);
  expect(r.code, r.stderr).toBe(254);
  expect(r.stdout).toBe("");
  const m = /An error occurred \(([^)]+)\) when calling the (\w+) operation: (.*)/.exec(r.stderr);
  expect(m, r.stderr).not.toBeNull();
  expect(m![1]).toBe(code);
  expect(m![2]).toBe(operation);
  if (message) expect(m![3]).toMatch(message);
  return r;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

describe.skipIf(!HAS_CLI)(`Debian awscli (${AWS_BIN}) against the sandbox${HAS_CLI ? "" : ` (${SKIP_REASON})`}`, () => {
  beforeAll(async () => {
    home = mkdtempSync(path.join(os.tmpdir(), "faasight-awscli-"));
    shop = await simulateShop({ hours: 0.1, seed: 11 });
  });

  afterAll(async () => {
    await shop?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  // Services are independent: their steps run one after another, the services side by side.
  describe.concurrent("per service", () => {
    it("STS (query): GetCallerIdentity, AssumeRole, a ValidationError", async () => {
      const [identity, assumed] = await Promise.all([
        ok("sts", "get-caller-identity"),
        ok("sts", "assume-role", "--role-arn", `arn:aws:iam::${ACCOUNT}:role/faasight-sim-lambda`, "--role-session-name", "awscli"),
      ]);
      expect(identity).toEqual({ UserId: expect.any(String), Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/sandbox` });
      expect(assumed.Credentials.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
      expect(assumed.Credentials.SecretAccessKey).toHaveLength(40);
      expect(assumed.Credentials.Expiration).toMatch(ISO);
      expect(assumed.AssumedRoleUser.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/faasight-sim-lambda/awscli`);
      await expectServiceError(
        ["sts", "assume-role", "--role-arn", `arn:aws:iam::${ACCOUNT}:role/faasight-sim-lambda`, "--role-session-name", "has space"],
        "ValidationError",
        "AssumeRole",
        /roleSessionName/,
      );
    });

    it("CloudWatch Logs (json 1.1): shop log groups paged by --max-items, put/get/filter events, ResourceNotFoundException", async () => {
      const sdkGroups = await shop.clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/aws/lambda/" }));
      const expected = sdkGroups.logGroups!.map((g) => g.logGroupName!);
      expect(expected.length).toBeGreaterThanOrEqual(12);

      const first = await ok("logs", "describe-log-groups", "--log-group-name-prefix", "/aws/lambda/", "--max-items", "3");
      expect(first.logGroups.map((g: any) => g.logGroupName)).toEqual(expected.slice(0, 3));
      expect(typeof first.NextToken).toBe("string");
      const g0 = first.logGroups[0];
      expect(g0.arn).toBe(`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${expected[0]}:*`);
      expect(typeof g0.creationTime).toBe("number");
      expect(typeof g0.storedBytes).toBe("number");
      // The rest, the CLI following the service's nextToken 4 groups at a time.
      const rest = await ok("logs", "describe-log-groups", "--log-group-name-prefix", "/aws/lambda/", "--starting-token", first.NextToken, "--page-size", "4");
      expect(rest.NextToken).toBeUndefined();
      expect([...first.logGroups, ...rest.logGroups].map((g: any) => g.logGroupName)).toEqual(expected);

      const group = "/awscli/test";
      const stream = "2026/11/27/[$LATEST]abc";
      await ok("logs", "create-log-group", "--log-group-name", group);
      await ok("logs", "create-log-stream", "--log-group-name", group, "--log-stream-name", stream);
      const t0 = Date.now() - 60_000;
      const events = [
        { timestamp: t0, message: "START RequestId: 1" },
        { timestamp: t0 + 1, message: "ERROR something broke" },
        { timestamp: t0 + 2, message: "END RequestId: 1" },
      ];
      const put = await ok("logs", "put-log-events", "--log-group-name", group, "--log-stream-name", stream, "--log-events", JSON.stringify(events));
      expect(typeof put.nextSequenceToken === "string" || put.nextSequenceToken === undefined).toBe(true);
      expect(put.rejectedLogEventsInfo).toBeUndefined();

      const [got, filtered] = await Promise.all([
        ok("logs", "get-log-events", "--log-group-name", group, "--log-stream-name", stream, "--start-from-head"),
        ok("logs", "filter-log-events", "--log-group-name", group, "--filter-pattern", "ERROR"),
      ]);
      expect(got.events.map((e: any) => [e.timestamp, e.message])).toEqual(events.map((e) => [e.timestamp, e.message]));
      expect(typeof got.events[0].ingestionTime).toBe("number");
      expect(got.nextForwardToken).toMatch(/^f\//);
      expect(got.nextBackwardToken).toMatch(/^b\//);
      expect(filtered.events).toHaveLength(1);
      expect(filtered.events[0]).toMatchObject({ logStreamName: stream, timestamp: t0 + 1, message: "ERROR something broke", eventId: expect.any(String) });

      await expectServiceError(["logs", "describe-log-streams", "--log-group-name", "/awscli/missing"], "ResourceNotFoundException", "DescribeLogStreams", /log group/i);
    });

    it("X-Ray (rest-json): PutTraceSegments, GetTraceSummaries paged, BatchGetTraces, InvalidRequestException", async () => {
      const now = Date.now() / 1000;
      const traceId = `1-${Math.floor(now).toString(16)}-${createHash("sha1").update("awscli").digest("hex").slice(0, 24)}`;
      const segment = { name: "awscli-svc", id: "70de5b6f19ff9a0a", trace_id: traceId, start_time: now - 2, end_time: now - 1, http: { response: { status: 200 } } };
      const put = await ok("xray", "put-trace-segments", "--trace-segment-documents", JSON.stringify(segment));
      expect(put.UnprocessedTraceSegments).toEqual([]);

      const start = String(Math.floor(shop.start / 1000));
      const end = String(Math.ceil(Date.now() / 1000) + 1);
      const [page, all, traces] = await Promise.all([
        ok("xray", "get-trace-summaries", "--start-time", start, "--end-time", end, "--max-items", "5"),
        ok("xray", "get-trace-summaries", "--start-time", start, "--end-time", end),
        ok("xray", "batch-get-traces", "--trace-ids", traceId),
      ]);
      expect(page.TraceSummaries).toHaveLength(5);
      expect(typeof page.NextToken).toBe("string");
      expect(all.NextToken).toBeUndefined();
      expect(all.TraceSummaries.length).toBeGreaterThan(5);
      const ids = all.TraceSummaries.map((s: any) => s.Id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toContain(traceId);
      expect(ids.slice(0, 5)).toEqual(page.TraceSummaries.map((s: any) => s.Id));
      const mine = all.TraceSummaries.find((s: any) => s.Id === traceId);
      expect(mine).toMatchObject({ HasError: false, HasFault: false, Http: { HttpStatus: 200 } });
      expect(typeof mine.Duration).toBe("number");

      expect(traces.UnprocessedTraceIds).toEqual([]);
      expect(traces.Traces).toHaveLength(1);
      expect(traces.Traces[0].Id).toBe(traceId);
      expect(JSON.parse(traces.Traces[0].Segments[0].Document)).toMatchObject({ name: "awscli-svc", id: "70de5b6f19ff9a0a", trace_id: traceId });

      await expectServiceError(["xray", "get-trace-summaries", "--start-time", end, "--end-time", start], "InvalidRequestException", "GetTraceSummaries", /EndTime/);
    });

    it("Lambda (rest-json): ListFunctions by --max-items and --page-size, configuration, alias routing, Invoke, ResourceNotFoundException", async () => {
      const names = shop.shop.functions.map((f) => f.name).sort();
      const [firstFive, paged, config, aliases] = await Promise.all([
        ok("lambda", "list-functions", "--max-items", "5"),
        ok("lambda", "list-functions", "--page-size", "5"),
        ok("lambda", "get-function-configuration", "--function-name", "checkout"),
        ok("lambda", "list-aliases", "--function-name", "checkout"),
      ]);
      expect(firstFive.Functions).toHaveLength(5);
      expect(typeof firstFive.NextToken).toBe("string");
      expect(paged.Functions.map((f: any) => f.FunctionName).sort()).toEqual(names);
      expect(paged.Functions.slice(0, 5).map((f: any) => f.FunctionName)).toEqual(firstFive.Functions.map((f: any) => f.FunctionName));

      expect(config).toMatchObject({
        FunctionName: "checkout",
        FunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:checkout`,
        Runtime: "nodejs20.x",
        Architectures: ["arm64"],
        MemorySize: 1024,
        Timeout: 10,
        Handler: "index.handler",
        TracingConfig: { Mode: "Active" },
        EphemeralStorage: { Size: 512 },
      });
      expect(typeof config.CodeSize).toBe("number");
      expect(config.LastModified).toMatch(/^\d{4}-\d{2}-\d{2}T/);

      expect(aliases.Aliases).toHaveLength(1);
      expect(aliases.Aliases[0]).toMatchObject({
        Name: "live",
        FunctionVersion: "7",
        AliasArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:checkout:live`,
        RoutingConfig: { AdditionalVersionWeights: { "8": 0.1 } },
      });

      const outfile = path.join(home, "invoke-out.json");
      const invoked = await ok("lambda", "invoke", "--function-name", "checkout", "--qualifier", "live", "--cli-binary-format", "raw-in-base64-out", "--payload", '{"cart":"c-1"}', outfile);
      expect(invoked.StatusCode).toBe(200);
      expect(["7", "8"]).toContain(invoked.ExecutedVersion);
      expect(() => JSON.parse(readFileSync(outfile, "utf8"))).not.toThrow();

      await expectServiceError(["lambda", "get-function", "--function-name", "no-such-fn"], "ResourceNotFoundException", "GetFunction", /no-such-fn/);
    });

    it("SQS (query): CreateQueue, SendMessage with attributes (the CLI checks the MD5s), ReceiveMessage, attributes, QueueDoesNotExist", async () => {
      const created = await ok("sqs", "create-queue", "--queue-name", "awscli-q", "--attributes", "VisibilityTimeout=45");
      const url = created.QueueUrl as string;
      expect(url).toMatch(new RegExp(`/${ACCOUNT}/awscli-q$`));

      const sent = await ok("sqs", "send-message", "--queue-url", url, "--message-body", "héllo wörld", "--message-attributes", JSON.stringify({ kind: { DataType: "String", StringValue: "greeting" }, n: { DataType: "Number", StringValue: "3" } }));
      expect(sent.MD5OfMessageBody).toBe(createHash("md5").update("héllo wörld").digest("hex"));
      expect(sent.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
      expect(sent.MessageId).toMatch(/^[0-9a-f-]{36}$/);

      const received = await ok("sqs", "receive-message", "--queue-url", url, "--attribute-names", "All", "--message-attribute-names", "All", "--max-number-of-messages", "10");
      expect(received.Messages).toHaveLength(1);
      const msg = received.Messages[0];
      expect(msg).toMatchObject({ MessageId: sent.MessageId, Body: "héllo wörld", MD5OfBody: sent.MD5OfMessageBody, ReceiptHandle: expect.any(String) });
      expect(msg.Attributes).toMatchObject({ ApproximateReceiveCount: "1", SentTimestamp: expect.stringMatching(/^\d+$/) });
      expect(msg.MessageAttributes).toEqual({ kind: { DataType: "String", StringValue: "greeting" }, n: { DataType: "Number", StringValue: "3" } });

      const [attrs, listed] = await Promise.all([
        ok("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "All"),
        ok("sqs", "list-queues", "--queue-name-prefix", "orders"),
      ]);
      expect(attrs.Attributes).toMatchObject({
        VisibilityTimeout: "45",
        ApproximateNumberOfMessages: "0",
        ApproximateNumberOfMessagesNotVisible: "1",
        QueueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:awscli-q`,
      });
      expect(listed.QueueUrls.map((u: string) => u.split("/").pop()).sort()).toEqual(["orders", "orders-dlq"]);

      await expectServiceError(["sqs", "get-queue-url", "--queue-name", "awscli-missing"], "AWS.SimpleQueueService.NonExistentQueue", "GetQueueUrl", /does not exist/);
    });

    it("SNS (query): CreateTopic, ListTopics, Subscribe an SQS queue and Publish through it, NotFound", async () => {
      const [topic, queue] = await Promise.all([ok("sns", "create-topic", "--name", "awscli-topic"), ok("sqs", "create-queue", "--queue-name", "awscli-sns-q")]);
      expect(topic.TopicArn).toBe(`arn:aws:sns:${REGION}:${ACCOUNT}:awscli-topic`);
      const queueArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:awscli-sns-q`;
      const [topics, sub] = await Promise.all([
        ok("sns", "list-topics"),
        ok("sns", "subscribe", "--topic-arn", topic.TopicArn, "--protocol", "sqs", "--notification-endpoint", queueArn, "--return-subscription-arn"),
      ]);
      expect(topics.Topics.map((t: any) => t.TopicArn)).toEqual(expect.arrayContaining([topic.TopicArn, `arn:aws:sns:${REGION}:${ACCOUNT}:order-events`]));
      expect(sub.SubscriptionArn).toMatch(new RegExp(`^${topic.TopicArn}:[0-9a-f-]{36}$`));

      const published = await ok("sns", "publish", "--topic-arn", topic.TopicArn, "--subject", "hi", "--message", "order 42 placed", "--message-attributes", JSON.stringify({ kind: { DataType: "String", StringValue: "order" } }));
      expect(published.MessageId).toMatch(/^[0-9a-f-]{36}$/);
      const received = await ok("sqs", "receive-message", "--queue-url", queue.QueueUrl, "--wait-time-seconds", "2");
      expect(received.Messages).toHaveLength(1);
      const envelope = JSON.parse(received.Messages[0].Body);
      expect(envelope).toMatchObject({
        Type: "Notification",
        MessageId: published.MessageId,
        TopicArn: topic.TopicArn,
        Subject: "hi",
        Message: "order 42 placed",
        MessageAttributes: { kind: { Type: "String", Value: "order" } },
      });

      await expectServiceError(["sns", "get-topic-attributes", "--topic-arn", `arn:aws:sns:${REGION}:${ACCOUNT}:awscli-missing`], "NotFound", "GetTopicAttributes", /does not exist/i);
    });

    it("API Gateway REST (rest-json): shop-api and its stages (canary, cache), NotFoundException", async () => {
      const apis = await ok("apigateway", "get-rest-apis");
      const api = apis.items.find((a: any) => a.name === "shop-api");
      expect(api).toBeDefined();
      expect(api.id).toMatch(/^[a-z0-9]{10}$/);
      expect(api.createdDate).toMatch(ISO);
      const stages = await ok("apigateway", "get-stages", "--rest-api-id", api.id);
      const byName = Object.fromEntries(stages.item.map((s: any) => [s.stageName, s]));
      expect(Object.keys(byName).sort()).toEqual(["dev", "prod"]);
      expect(byName.prod).toMatchObject({ cacheClusterEnabled: true, canarySettings: { percentTraffic: 10 }, deploymentId: expect.any(String) });
      expect(byName.prod.canarySettings.deploymentId).not.toBe(byName.prod.deploymentId);
      expect(byName.dev.cacheClusterEnabled).toBe(false);
      expect(byName.dev.canarySettings).toBeUndefined();
      await expectServiceError(["apigateway", "get-rest-api", "--rest-api-id", "nosuchapi0"], "NotFoundException", "GetRestApi");
    });

    it("API Gateway HTTP APIs (apigatewayv2, rest-json): GetApis, GetStages, NotFoundException", async () => {
      const apis = await ok("apigatewayv2", "get-apis");
      const api = apis.Items.find((a: any) => a.Name === "shop-http");
      expect(api).toMatchObject({ ProtocolType: "HTTP", ApiId: expect.stringMatching(/^[a-z0-9]{10}$/), ApiEndpoint: expect.any(String) });
      expect(api.CreatedDate).toMatch(ISO);
      const stages = await ok("apigatewayv2", "get-stages", "--api-id", api.ApiId);
      expect(stages.Items.map((s: any) => s.StageName)).toEqual(["$default"]);
      expect(typeof stages.Items[0].AutoDeploy).toBe("boolean");
      await expectServiceError(["apigatewayv2", "get-api", "--api-id", "nosuchapi0"], "NotFoundException", "GetApi");
    });

    it("EventBridge (json 1.1): ListRules paged, ListTargetsByRule, PutEvents, ResourceNotFoundException", async () => {
      const [page, all, targets] = await Promise.all([
        ok("events", "list-rules", "--max-items", "1"),
        ok("events", "list-rules", "--page-size", "1"),
        ok("events", "list-targets-by-rule", "--rule", "nightly-report-daily"),
      ]);
      expect(page.Rules).toHaveLength(1);
      expect(typeof page.NextToken).toBe("string");
      expect(all.Rules.map((r: any) => r.Name)).toEqual(["nightly-report-daily", "nightly-report-hourly"]);
      expect(all.Rules[0]).toMatchObject({
        Name: "nightly-report-daily",
        Arn: `arn:aws:events:${REGION}:${ACCOUNT}:rule/nightly-report-daily`,
        State: "ENABLED",
        ScheduleExpression: expect.stringMatching(/^cron\(/),
        EventBusName: "default",
      });
      expect(targets.Targets).toHaveLength(1);
      expect(targets.Targets[0].Arn).toBe(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:nightly-report`);

      const put = await ok("events", "put-events", "--entries", JSON.stringify([{ Source: "awscli.test", DetailType: "probe", Detail: JSON.stringify({ n: 1 }) }]));
      expect(put.FailedEntryCount).toBe(0);
      expect(put.Entries).toEqual([{ EventId: expect.any(String) }]);

      await expectServiceError(["events", "describe-rule", "--name", "awscli-missing"], "ResourceNotFoundException", "DescribeRule", /awscli-missing/);
    });
  });
});
