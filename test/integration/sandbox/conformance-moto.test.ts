/**
 * Fidelity check against an emulator we did not write: the same SDK call sequence goes to
 * the sandbox and to moto, and the responses are compared field by field, ignoring ids,
 * timestamps, hosts and the deviations listed (each with its reason).
 *
 * Not compared, because moto 5.2.1 does not implement them (../shared/STACK.md), and covered by the
 * sandbox's own tests against AWS's documentation instead: SQS StartMessageMoveTask /
 * ListMessageMoveTasks (absent), Lambda ListProvisionedConcurrencyConfigs (404) and
 * ListFunctionEventInvokeConfigs (answer the JS SDK cannot parse), X-Ray GetServiceGraph (always
 * empty), CloudWatch percentile statistics (HTTP 500), Lambda Invoke (moto echoes the payload
 * without Docker; the sandbox runs the simulated function), EventBridge PutEvents (moto answers the
 * JS SDK's request with HTTP 500 and a body the SDK cannot parse).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ListQueuesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, DeleteMessageCommand, ChangeMessageVisibilityCommand, DeleteMessageBatchCommand } from "@aws-sdk/client-sqs";
import { CreateTopicCommand, ListSubscriptionsByTopicCommand, ListTopicsCommand, PublishCommand, SubscribeCommand, GetTopicAttributesCommand } from "@aws-sdk/client-sns";
import { CreateLogGroupCommand, CreateLogStreamCommand, DescribeLogGroupsCommand, DescribeLogStreamsCommand, FilterLogEventsCommand, GetLogEventsCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { GetMetricDataCommand, GetMetricStatisticsCommand, ListMetricsCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { BatchGetTracesCommand, GetTraceSummariesCommand, PutTraceSegmentsCommand } from "@aws-sdk/client-xray";
import { CreateAliasCommand, CreateFunctionCommand, GetFunctionConfigurationCommand, ListAliasesCommand, ListFunctionsCommand, ListVersionsByFunctionCommand, PublishVersionCommand, GetAliasCommand, UpdateFunctionConfigurationCommand, GetFunctionCommand, ListEventSourceMappingsCommand } from "@aws-sdk/client-lambda";
import { CreateDeploymentCommand, CreateRestApiCommand, GetResourcesCommand, PutIntegrationCommand, PutMethodCommand, CreateStageCommand, GetRestApisCommand, GetStagesCommand } from "@aws-sdk/client-api-gateway";
import { CreateApiCommand, CreateStageCommand as CreateStageV2Command, GetApisCommand, GetStagesCommand as GetStagesV2Command } from "@aws-sdk/client-apigatewayv2";
import { ListRulesCommand, ListTargetsByRuleCommand, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { CreateRoleCommand } from "@aws-sdk/client-iam";
import { startSandbox, type Sandbox } from "../../../lib/sandbox/server.ts";
import { createAwsClients, type AwsClients } from "../../../lib/aws/clients.ts";
import { startMoto, type MotoServer } from "../helpers/moto.ts";

type Step = { name: string; run: (c: AwsClients, ctx: StepContext) => Promise<unknown>; ignore?: Record<string, string> };
interface StepContext {
  vars: Record<string, string>;
}

const T = Math.floor(Date.UTC(2026, 10, 27, 6, 0, 0) / 1000) * 1000; // fixed, within PutLogEvents' 14-day window for this test's day
const now = () => Date.now();
/** A trace id whose time part is now: GetTraceSummaries' default TimeRangeType (TraceId) and moto's segment times agree. */
const TRACE_ID = `1-${Math.floor(Date.now() / 1000).toString(16)}-0123456789abcdef01234567`;

/** Volatile values that differ between any two AWS-compatible endpoints. */
const VOLATILE_KEYS = new Set([
  "$metadata", "MessageId", "ReceiptHandle", "RequestId", "requestId", "CreationDate", "creationTime", "LastModified", "CodeSha256", "RevisionId",
  "Id", "id", "apiId", "ApiId", "deploymentId", "DeploymentId", "createdDate", "CreatedDate", "lastUpdatedDate", "LastUpdatedDate",
  "eventId", "ingestionTime", "nextToken", "nextForwardToken", "nextBackwardToken", "nextSequenceToken", "uploadSequenceToken", "SubscriptionArn",
  "QueueUrl", "QueueUrls", "firstEventTimestamp", "lastEventTimestamp", "lastIngestionTime", "storedBytes", "logGroupArn", "arn", "ApiEndpoint",
  "SentTimestamp", "ApproximateFirstReceiveTimestamp", "SenderId", "CreatedTimestamp", "LastModifiedTimestamp", "UserId", "AliasArn", "Signature",
  "SigningCertURL", "UnsubscribeURL", "Timestamp", "MD5OfMessageSystemAttributes", "SequenceNumber",
]);

/** Replaces volatile values and sorts arrays of scalars so two endpoints' answers compare. */
function normalise(value: unknown, ignore: Record<string, string>, path = ""): unknown {
  if (Array.isArray(value)) return value.map((v, i) => normalise(v, ignore, `${path}[${i}]`));
  if (value instanceof Date) return "<date>";
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) {
      const p = path ? `${path}.${k}` : k;
      if (ignore[p] !== undefined || ignore[k] !== undefined) continue;
      if (v === undefined) continue;
      out[k] = VOLATILE_KEYS.has(k) ? "<volatile>" : normalise(v, ignore, p);
    }
    return out;
  }
  return value;
}

function errorShape(err: unknown): unknown {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number }; $fault?: string };
  return { error: e.name, status: e.$metadata?.httpStatusCode, fault: e.$fault };
}

async function capture(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    return await fn();
  } catch (err) {
    return errorShape(err);
  }
}

const ROLE = "arn:aws:iam::123456789012:role/faasight-conformance";
const ZIP = Buffer.from("UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==", "base64"); // an empty, valid zip archive

// Known, documented deviations: moto differs from AWS here, or the field is optional in AWS's model.
const MOTO_DEVIATIONS = {
  lambdaConfig: {
    // moto fills these with its own defaults; AWS (and the sandbox) report the function's real state.
    LastUpdateStatusReason: "moto-only informational field",
    LastUpdateStatusReasonCode: "moto-only informational field",
    StateReason: "moto-only informational field",
    StateReasonCode: "moto-only informational field",
    CodeSize: "moto counts the zip differently",
    SnapStart: "optional in AWS's response model; moto omits it",
    RuntimeVersionConfig: "optional; moto omits it",
    LoggingConfig: "AWS returns it since 2023; moto omits it",
    EphemeralStorage: "AWS returns it; moto 5.2.1 omits it for some runtimes",
    Layers: "moto returns an empty list",
    VpcConfig: "moto returns an empty VpcConfig object when none is set; AWS omits it",
    DeadLetterConfig: "not stored by moto (STACK.md)",
    Environment: "moto returns an empty Variables map",
    KMSKeyArn: "moto-only field",
    SigningJobArn: "moto-only field",
    SigningProfileVersionArn: "moto-only field",
    ImageConfigResponse: "moto-only field",
    TracingConfig: "moto omits it by default",
    Description: "moto omits empty descriptions",
    MasterArn: "moto-only field",
    RevisionId: "AWS returns a revision id; moto 5.2.1 omits it",
  },
};

const STEPS: Step[] = [
  { name: "sts GetCallerIdentity", run: (c) => c.sts.send(new GetCallerIdentityCommand({})), ignore: { Arn: "moto reports its own user name" } },
  // ---- SQS
  { name: "sqs CreateQueue", run: async (c, ctx) => { const r = await c.sqs.send(new CreateQueueCommand({ QueueName: "conf-q", Attributes: { VisibilityTimeout: "30" } })); ctx.vars.q = r.QueueUrl!; return r; } },
  { name: "sqs CreateQueue dlq", run: async (c, ctx) => { const r = await c.sqs.send(new CreateQueueCommand({ QueueName: "conf-dlq" })); ctx.vars.dlq = r.QueueUrl!; return r; } },
  { name: "sqs GetQueueUrl", run: (c) => c.sqs.send(new GetQueueUrlCommand({ QueueName: "conf-q" })) },
  { name: "sqs GetQueueUrl missing", run: (c) => capture(() => c.sqs.send(new GetQueueUrlCommand({ QueueName: "conf-missing" }))) },
  {
    name: "sqs SendMessage with attributes",
    run: (c, ctx) =>
      c.sqs.send(new SendMessageCommand({ QueueUrl: ctx.vars.q, MessageBody: '{"order":42}', MessageAttributes: { RequestID: { DataType: "String", StringValue: "r-1" }, Count: { DataType: "Number", StringValue: "3" } } })),
  },
  { name: "sqs SendMessageBatch", run: (c, ctx) => c.sqs.send(new SendMessageBatchCommand({ QueueUrl: ctx.vars.q, Entries: [{ Id: "a", MessageBody: "one" }, { Id: "b", MessageBody: "two" }] })) },
  { name: "sqs GetQueueAttributes", run: (c, ctx) => c.sqs.send(new GetQueueAttributesCommand({ QueueUrl: ctx.vars.q, AttributeNames: ["ApproximateNumberOfMessages", "VisibilityTimeout", "QueueArn"] })) },
  {
    name: "sqs ReceiveMessage",
    run: async (c, ctx) => {
      const r = await c.sqs.send(new ReceiveMessageCommand({ QueueUrl: ctx.vars.q, MaxNumberOfMessages: 10, VisibilityTimeout: 30, MessageSystemAttributeNames: ["ApproximateReceiveCount"], MessageAttributeNames: ["All"] }));
      const msgs = (r.Messages ?? []).sort((a, b) => (a.Body ?? "").localeCompare(b.Body ?? ""));
      ctx.vars.receipt = msgs[0]?.ReceiptHandle ?? "";
      return { Messages: msgs };
    },
  },
  { name: "sqs ChangeMessageVisibility", run: (c, ctx) => c.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: ctx.vars.q, ReceiptHandle: ctx.vars.receipt, VisibilityTimeout: 0 })) },
  { name: "sqs DeleteMessage", run: (c, ctx) => c.sqs.send(new DeleteMessageCommand({ QueueUrl: ctx.vars.q, ReceiptHandle: ctx.vars.receipt })) },
  {
    name: "sqs DeleteMessageBatch",
    run: async (c, ctx) => {
      const r = await c.sqs.send(new ReceiveMessageCommand({ QueueUrl: ctx.vars.q, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }));
      const entries = (r.Messages ?? []).map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle! }));
      const out = await c.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: ctx.vars.q, Entries: [...entries, { Id: "bad", ReceiptHandle: "not-a-receipt-handle" }] }));
      return { received: entries.length, Successful: out.Successful?.map((x) => x.Id).sort(), Failed: out.Failed?.map((f) => ({ Id: f.Id, SenderFault: f.SenderFault })) };
    },
  },
  { name: "sqs ListQueues", run: async (c) => { const r = await c.sqs.send(new ListQueuesCommand({ QueueNamePrefix: "conf-" })); return { count: r.QueueUrls?.length, names: r.QueueUrls?.map((u) => u.split("/").pop()).sort() }; } },
  // ---- SNS
  { name: "sns CreateTopic", run: async (c, ctx) => { const r = await c.sns.send(new CreateTopicCommand({ Name: "conf-topic" })); ctx.vars.topic = r.TopicArn!; return r; } },
  { name: "sns ListTopics", run: (c) => c.sns.send(new ListTopicsCommand({})) },
  { name: "sns GetTopicAttributes", run: async (c, ctx) => { const r = await c.sns.send(new GetTopicAttributesCommand({ TopicArn: ctx.vars.topic })); return { TopicArn: r.Attributes?.TopicArn, Owner: r.Attributes?.Owner }; } },
  {
    name: "sns Subscribe sqs",
    run: async (c, ctx) => {
      const attrs = await c.sqs.send(new GetQueueAttributesCommand({ QueueUrl: ctx.vars.dlq, AttributeNames: ["QueueArn"] }));
      ctx.vars.dlqArn = attrs.Attributes!.QueueArn!;
      return c.sns.send(new SubscribeCommand({ TopicArn: ctx.vars.topic, Protocol: "sqs", Endpoint: ctx.vars.dlqArn, ReturnSubscriptionArn: true }));
    },
  },
  { name: "sns ListSubscriptionsByTopic", run: (c, ctx) => c.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: ctx.vars.topic })) },
  { name: "sns Publish", run: (c, ctx) => c.sns.send(new PublishCommand({ TopicArn: ctx.vars.topic, Subject: "alert", Message: "checkout errors", MessageAttributes: { severity: { DataType: "String", StringValue: "high" } } })) },
  {
    name: "sns -> sqs envelope",
    run: async (c, ctx) => {
      const r = await c.sqs.send(new ReceiveMessageCommand({ QueueUrl: ctx.vars.dlq, MaxNumberOfMessages: 1, WaitTimeSeconds: 2 }));
      const env = JSON.parse(r.Messages?.[0]?.Body ?? "{}");
      return { keys: Object.keys(env).sort(), Type: env.Type, Subject: env.Subject, Message: env.Message, MessageAttributes: env.MessageAttributes };
    },
  },
  // ---- CloudWatch Logs
  { name: "logs CreateLogGroup", run: (c) => c.logs.send(new CreateLogGroupCommand({ logGroupName: "/aws/lambda/conf-fn" })) },
  { name: "logs CreateLogGroup again", run: (c) => capture(() => c.logs.send(new CreateLogGroupCommand({ logGroupName: "/aws/lambda/conf-fn" }))) },
  { name: "logs CreateLogStream", run: (c) => c.logs.send(new CreateLogStreamCommand({ logGroupName: "/aws/lambda/conf-fn", logStreamName: "2026/11/27/[$LATEST]0123456789abcdef0123456789abcdef" })) },
  {
    name: "logs PutLogEvents",
    run: async (c) => {
      const base = now() - 60_000;
      const r = await c.logs.send(
        new PutLogEventsCommand({
          logGroupName: "/aws/lambda/conf-fn",
          logStreamName: "2026/11/27/[$LATEST]0123456789abcdef0123456789abcdef",
          logEvents: [
            { timestamp: base, message: "START RequestId: r-1 Version: $LATEST" },
            { timestamp: base + 1, message: "END RequestId: r-1" },
            { timestamp: base + 2, message: "REPORT RequestId: r-1\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t" },
          ],
        }),
      );
      return { rejected: r.rejectedLogEventsInfo ?? null };
    },
  },
  { name: "logs DescribeLogGroups", run: (c) => c.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/aws/lambda/conf" })), ignore: { "logGroups[0].logGroupClass": "moto omits the log group class", "logGroups[0].metricFilterCount": "moto omits it", "logGroups[0].retentionInDays": "moto omits it", "logGroups[0].logGroupArn": "volatile", "logGroups[0].dataProtectionStatus": "optional", "logGroups[0].inheritedProperties": "optional" } },
  { name: "logs DescribeLogStreams", run: (c) => c.logs.send(new DescribeLogStreamsCommand({ logGroupName: "/aws/lambda/conf-fn" })) },
  { name: "logs FilterLogEvents term", run: async (c) => { const r = await c.logs.send(new FilterLogEventsCommand({ logGroupName: "/aws/lambda/conf-fn", filterPattern: "REPORT" })); return { events: r.events?.map((e) => ({ message: e.message, logStreamName: e.logStreamName })) }; } },
  { name: "logs FilterLogEvents all", run: async (c) => { const r = await c.logs.send(new FilterLogEventsCommand({ logGroupName: "/aws/lambda/conf-fn" })); return { messages: r.events?.map((e) => e.message) }; } },
  { name: "logs GetLogEvents", run: async (c) => { const r = await c.logs.send(new GetLogEventsCommand({ logGroupName: "/aws/lambda/conf-fn", logStreamName: "2026/11/27/[$LATEST]0123456789abcdef0123456789abcdef", startFromHead: true })); return { messages: r.events?.map((e) => e.message) }; } },
  { name: "logs missing group", run: (c) => capture(() => c.logs.send(new FilterLogEventsCommand({ logGroupName: "/aws/lambda/none" }))) },
  // ---- CloudWatch metrics
  {
    name: "cloudwatch PutMetricData",
    run: (c) =>
      c.cloudwatch.send(
        new PutMetricDataCommand({
          Namespace: "Conformance",
          MetricData: [
            { MetricName: "Invocations", Dimensions: [{ Name: "FunctionName", Value: "conf-fn" }], Timestamp: new Date(T), Value: 5, Unit: "Count" },
            { MetricName: "Invocations", Dimensions: [{ Name: "FunctionName", Value: "conf-fn" }], Timestamp: new Date(T + 60_000), Value: 7, Unit: "Count" },
            { MetricName: "Duration", Dimensions: [{ Name: "FunctionName", Value: "conf-fn" }], Timestamp: new Date(T), Values: [10, 20, 30], Counts: [1, 2, 1], Unit: "Milliseconds" },
          ],
        }),
      ),
  },
  {
    name: "cloudwatch GetMetricStatistics",
    run: async (c) => {
      const r = await c.cloudwatch.send(new GetMetricStatisticsCommand({ Namespace: "Conformance", MetricName: "Invocations", Dimensions: [{ Name: "FunctionName", Value: "conf-fn" }], StartTime: new Date(T), EndTime: new Date(T + 120_000), Period: 60, Statistics: ["Sum", "SampleCount", "Maximum"] }));
      return { Label: r.Label, Datapoints: r.Datapoints?.map((d) => ({ Sum: d.Sum, SampleCount: d.SampleCount, Maximum: d.Maximum, Unit: d.Unit, t: d.Timestamp?.getTime() })).sort((a, b) => a.t! - b.t!) };
    },
  },
  {
    name: "cloudwatch GetMetricData",
    run: async (c) => {
      const r = await c.cloudwatch.send(
        new GetMetricDataCommand({
          StartTime: new Date(T),
          EndTime: new Date(T + 120_000),
          ScanBy: "TimestampAscending",
          MetricDataQueries: [
            { Id: "inv", MetricStat: { Metric: { Namespace: "Conformance", MetricName: "Invocations", Dimensions: [{ Name: "FunctionName", Value: "conf-fn" }] }, Period: 60, Stat: "Sum" } },
            { Id: "dur", MetricStat: { Metric: { Namespace: "Conformance", MetricName: "Duration", Dimensions: [{ Name: "FunctionName", Value: "conf-fn" }] }, Period: 60, Stat: "Average" } },
          ],
        }),
      );
      return { results: r.MetricDataResults?.map((m) => ({ Id: m.Id, StatusCode: m.StatusCode, Values: m.Values, Timestamps: m.Timestamps?.map((t) => t.getTime()) })) };
    },
  },
  { name: "cloudwatch ListMetrics", run: async (c) => { const r = await c.cloudwatch.send(new ListMetricsCommand({ Namespace: "Conformance" })); const uniq = [...new Set(r.Metrics?.map((m) => `${m.MetricName}|${JSON.stringify(m.Dimensions)}`))].sort(); return { metrics: uniq }; } },
  // ---- X-Ray
  {
    name: "xray PutTraceSegments",
    run: (c) => {
      const start = now() / 1000 - 30;
      const doc = { trace_id: TRACE_ID, id: "0123456789abcdef", name: "conf-fn", start_time: start, end_time: start + 0.25, origin: "AWS::Lambda::Function", http: { response: { status: 200 } } };
      return c.xray.send(new PutTraceSegmentsCommand({ TraceSegmentDocuments: [JSON.stringify(doc)] }));
    },
  },
  {
    name: "xray BatchGetTraces",
    run: async (c) => {
      const r = await c.xray.send(new BatchGetTracesCommand({ TraceIds: [TRACE_ID] }));
      return { ids: r.Traces?.map((t) => t.Id), segments: r.Traces?.map((t) => t.Segments?.map((s) => JSON.parse(s.Document ?? "{}").name)), unprocessed: r.UnprocessedTraceIds };
    },
  },
  {
    name: "xray GetTraceSummaries",
    run: async (c) => {
      const r = await c.xray.send(new GetTraceSummariesCommand({ StartTime: new Date(now() - 600_000), EndTime: new Date(now() + 60_000) }));
      return { ids: r.TraceSummaries?.map((t) => t.Id), HasError: r.TraceSummaries?.map((t) => t.HasError) };
    },
  },
  // ---- Lambda
  {
    name: "lambda CreateFunction",
    run: async (c) => {
      await c.iam.send(new CreateRoleCommand({ RoleName: "faasight-conformance", AssumeRolePolicyDocument: "{}" })).catch(() => undefined);
      return c.lambda.send(new CreateFunctionCommand({ FunctionName: "conf-fn", Runtime: "nodejs20.x", Role: ROLE, Handler: "index.handler", Code: { ZipFile: ZIP }, MemorySize: 256, Timeout: 10, Architectures: ["arm64"] }));
    },
    ignore: { ...MOTO_DEVIATIONS.lambdaConfig, State: "moto reports Active at once; AWS and the sandbox report Pending then Active", LastUpdateStatus: "as State" },
  },
  { name: "lambda CreateFunction exists", run: (c) => capture(() => c.lambda.send(new CreateFunctionCommand({ FunctionName: "conf-fn", Runtime: "nodejs20.x", Role: ROLE, Handler: "index.handler", Code: { ZipFile: ZIP } }))) },
  { name: "lambda PublishVersion", run: (c) => c.lambda.send(new PublishVersionCommand({ FunctionName: "conf-fn" })), ignore: { ...MOTO_DEVIATIONS.lambdaConfig, State: "", LastUpdateStatus: "" } },
  { name: "lambda PublishVersion unchanged", run: async (c) => { const r = await c.lambda.send(new PublishVersionCommand({ FunctionName: "conf-fn", Description: "same code" })); return { Version: r.Version }; } },
  { name: "lambda UpdateFunctionConfiguration", run: async (c) => { const r = await c.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "conf-fn", MemorySize: 512 })); return { MemorySize: r.MemorySize, Version: r.Version }; } },
  { name: "lambda PublishVersion 2", run: (c) => c.lambda.send(new PublishVersionCommand({ FunctionName: "conf-fn", Description: "v2" })), ignore: { ...MOTO_DEVIATIONS.lambdaConfig, State: "", LastUpdateStatus: "" } },
  { name: "lambda CreateAlias", run: (c) => c.lambda.send(new CreateAliasCommand({ FunctionName: "conf-fn", Name: "live", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "2": 0.1 } } })) },
  { name: "lambda GetAlias", run: (c) => c.lambda.send(new GetAliasCommand({ FunctionName: "conf-fn", Name: "live" })) },
  { name: "lambda ListAliases", run: (c) => c.lambda.send(new ListAliasesCommand({ FunctionName: "conf-fn" })) },
  { name: "lambda ListVersionsByFunction", run: async (c) => { const r = await c.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "conf-fn" })); return { versions: r.Versions?.map((v) => v.Version) }; } },
  { name: "lambda ListFunctions", run: async (c) => { const r = await c.lambda.send(new ListFunctionsCommand({})); return { functions: r.Functions?.map((f) => ({ name: f.FunctionName, memory: f.MemorySize, arch: f.Architectures, runtime: f.Runtime, timeout: f.Timeout })) }; } },
  {
    name: "lambda GetFunction",
    run: async (c) => {
      const r = await c.lambda.send(new GetFunctionCommand({ FunctionName: "conf-fn" }));
      return { name: r.Configuration?.FunctionName, memory: r.Configuration?.MemorySize, arch: r.Configuration?.Architectures, repositoryType: r.Code?.RepositoryType };
    },
  },
  { name: "lambda ListEventSourceMappings", run: async (c) => ({ mappings: (await c.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: "conf-fn" }))).EventSourceMappings }) },
  { name: "lambda GetFunctionConfiguration missing", run: (c) => capture(() => c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "conf-none" }))) },
  // ---- API Gateway
  { name: "apigateway CreateRestApi", run: async (c, ctx) => { const r = await c.apigateway.send(new CreateRestApiCommand({ name: "conf-api" })); ctx.vars.rest = r.id!; return { name: r.name }; } },
  {
    name: "apigateway PutMethod + PutIntegration",
    run: async (c, ctx) => {
      const res = await c.apigateway.send(new GetResourcesCommand({ restApiId: ctx.vars.rest }));
      const root = res.items?.find((i) => i.path === "/");
      await c.apigateway.send(new PutMethodCommand({ restApiId: ctx.vars.rest, resourceId: root!.id!, httpMethod: "GET", authorizationType: "NONE" }));
      const integ = await c.apigateway.send(new PutIntegrationCommand({ restApiId: ctx.vars.rest, resourceId: root!.id!, httpMethod: "GET", type: "MOCK" }));
      return { paths: res.items?.map((i) => i.path), type: integ.type };
    },
  },
  { name: "apigateway CreateDeployment", run: async (c, ctx) => { const r = await c.apigateway.send(new CreateDeploymentCommand({ restApiId: ctx.vars.rest })); ctx.vars.dep = r.id!; return { ok: !!r.id }; } },
  { name: "apigateway CreateStage", run: async (c, ctx) => { const r = await c.apigateway.send(new CreateStageCommand({ restApiId: ctx.vars.rest, stageName: "prod", deploymentId: ctx.vars.dep, cacheClusterEnabled: true, cacheClusterSize: "0.5" })); return { stageName: r.stageName, cacheClusterEnabled: r.cacheClusterEnabled, cacheClusterSize: r.cacheClusterSize }; } },
  { name: "apigateway GetRestApis", run: async (c) => { const r = await c.apigateway.send(new GetRestApisCommand({})); return { names: r.items?.map((i) => i.name) }; } },
  { name: "apigateway GetStages", run: async (c, ctx) => { const r = await c.apigateway.send(new GetStagesCommand({ restApiId: ctx.vars.rest })); return { stages: r.item?.map((s) => ({ stageName: s.stageName, cacheClusterEnabled: s.cacheClusterEnabled })) }; } },
  { name: "apigatewayv2 CreateApi", run: async (c, ctx) => { const r = await c.apigatewayv2.send(new CreateApiCommand({ Name: "conf-http", ProtocolType: "HTTP" })); ctx.vars.http = r.ApiId!; return { Name: r.Name, ProtocolType: r.ProtocolType }; } },
  { name: "apigatewayv2 CreateStage", run: async (c, ctx) => { const r = await c.apigatewayv2.send(new CreateStageV2Command({ ApiId: ctx.vars.http, StageName: "$default", AutoDeploy: true })); return { StageName: r.StageName, AutoDeploy: r.AutoDeploy }; } },
  { name: "apigatewayv2 GetApis", run: async (c) => { const r = await c.apigatewayv2.send(new GetApisCommand({})); return { names: r.Items?.map((i) => [i.Name, i.ProtocolType]) }; } },
  { name: "apigatewayv2 GetStages", run: async (c, ctx) => { const r = await c.apigatewayv2.send(new GetStagesV2Command({ ApiId: ctx.vars.http })); return { stages: r.Items?.map((s) => s.StageName) }; } },
  // ---- EventBridge
  { name: "events PutRule", run: (c) => c.events.send(new PutRuleCommand({ Name: "conf-nightly", ScheduleExpression: "cron(0 2 * * ? *)", State: "ENABLED" })), ignore: { RuleArn: "" } },
  { name: "events PutTargets", run: (c) => c.events.send(new PutTargetsCommand({ Rule: "conf-nightly", Targets: [{ Id: "fn", Arn: "arn:aws:lambda:us-east-1:123456789012:function:conf-fn" }] })) },
  { name: "events ListRules", run: async (c) => { const r = await c.events.send(new ListRulesCommand({ NamePrefix: "conf-" })); return { rules: r.Rules?.map((x) => ({ Name: x.Name, ScheduleExpression: x.ScheduleExpression, State: x.State })) }; } },
  { name: "events ListTargetsByRule", run: (c) => c.events.send(new ListTargetsByRuleCommand({ Rule: "conf-nightly" })) },
];

describe("sandbox conformance with moto", () => {
  let sandbox: Sandbox;
  let moto: MotoServer | null;
  let sbClients: AwsClients;
  let motoClients: AwsClients;
  const results: { name: string; sandbox: unknown; moto: unknown }[] = [];

  beforeAll(async () => {
    moto = await startMoto();
    sandbox = await startSandbox({ port: 0 });
    const creds = { accessKeyId: "testing", secretAccessKey: "testing" };
    sbClients = createAwsClients({ region: "us-east-1", endpoint: sandbox.url, credentials: creds, maxAttempts: 1 });
    if (moto) {
      motoClients = createAwsClients({ region: "us-east-1", endpoint: moto.url, credentials: creds, maxAttempts: 1 });
      const sbCtx: StepContext = { vars: {} };
      const motoCtx: StepContext = { vars: {} };
      for (const step of STEPS) {
        results.push({ name: step.name, sandbox: await capture(() => step.run(sbClients, sbCtx)), moto: await capture(() => step.run(motoClients, motoCtx)) });
      }
    }
  });

  afterAll(async () => {
    sbClients?.destroy();
    motoClients?.destroy();
    await sandbox?.close();
    await moto?.stop();
  });

  it.each(STEPS.map((s) => [s.name, s] as const))("%s answers like moto", (name, step) => {
    if (!moto) {
      console.warn(`moto is not installed (python3 -m moto.server); conformance step "${name}" not compared`);
      return;
    }
    const r = results.find((x) => x.name === name)!;
    const ignore = step.ignore ?? {};
    expect(normalise(r.sandbox, ignore), `sandbox vs moto for ${name}`).toEqual(normalise(r.moto, ignore));
  });
});
