import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  InvalidEventPatternException,
  LimitExceededException,
  ListEventBusesCommand,
  ListRuleNamesByTargetCommand,
  ListRulesCommand,
  ListTagsForResourceCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  TagResourceCommand,
  TestEventPatternCommand,
  type PutEventsRequestEntry,
} from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, type Message } from "@aws-sdk/client-sqs";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { startSandbox, type Sandbox } from "../../../lib/sandbox/server.ts";
import type { InvocationRunner } from "../../../lib/sandbox/core.ts";
import type { EventBridgeService } from "../../../lib/sandbox/services/eventbridge.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const ACCOUNT = "123456789012";

let sandbox: Sandbox;
let events: EventBridgeClient;
let sqs: SQSClient;
let sns: SNSClient;
let lambda: LambdaClient;
const clockOffsetMs = 0;
const invocations: { functionName: string; payload: string }[] = [];
const runInvocation: InvocationRunner = async (target, payload, invocation) => {
  invocations.push({ functionName: target.functionName, payload });
  return { statusCode: 202, requestId: invocation.requestId, executedVersion: target.version, payload: "" };
};

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: 23, runInvocation, now: () => Date.now() + clockOffsetMs });
  const config = { endpoint: sandbox.url, region: "us-east-1", credentials };
  events = new EventBridgeClient(config);
  sqs = new SQSClient(config);
  sns = new SNSClient(config);
  lambda = new LambdaClient(config);
});

afterAll(async () => {
  for (const c of [events, sqs, sns, lambda]) c.destroy();
  await sandbox.close();
});

beforeEach(() => {
  sandbox.setFaults({});
  invocations.length = 0;
});

let counter = 0;
async function queue(): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `events-target-${++counter}` }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

async function drain(QueueUrl: string, expected: number, waitSeconds = 1): Promise<Message[]> {
  const out: Message[] = [];
  const deadline = Date.now() + 5000;
  do {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds, MessageAttributeNames: ["All"] }));
    out.push(...(Messages ?? []));
  } while (out.length < expected && Date.now() < deadline);
  return out;
}

async function ruleToQueue(pattern: object, extra: Partial<{ Input: string; InputPath: string; InputTransformer: { InputTemplate: string; InputPathsMap?: Record<string, string> } }> = {}) {
  const Name = `rule-${++counter}`;
  await events.send(new PutRuleCommand({ Name, EventPattern: JSON.stringify(pattern) }));
  const q = await queue();
  await events.send(new PutTargetsCommand({ Rule: Name, Targets: [{ Id: "q", Arn: q.arn, ...extra }] }));
  return { Name, queue: q };
}

const entry = (detail: object, over: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry => ({
  Source: "faasight.demo",
  DetailType: "Order Placed",
  Detail: JSON.stringify(detail),
  ...over,
});


/** Sends at least 5 calls, and until the sandbox has throttled one (at most 40): every call must succeed. */
async function sendUntilThrottled(key: string, send: (i: number) => Promise<unknown>): Promise<number> {
  let sent = 0;
  while (sent < 40 && (sent < 5 || !sandbox.stats()[key]?.throttled)) await send(sent++);
  return sent;
}

describe("rules", () => {
  it("puts, describes, replaces and deletes rules", async () => {
    const pattern = JSON.stringify({ source: ["faasight.demo"] });
    const { RuleArn } = await events.send(new PutRuleCommand({ Name: "orders", EventPattern: pattern, Description: "order events" }));
    expect(RuleArn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:rule/orders`);
    expect(await events.send(new DescribeRuleCommand({ Name: "orders" }))).toMatchObject({
      Name: "orders",
      Arn: RuleArn,
      EventPattern: pattern,
      State: "ENABLED",
      Description: "order events",
      EventBusName: "default",
      CreatedBy: ACCOUNT,
    });
    // PutRule replaces the rule: the omitted Description is gone.
    await events.send(new PutRuleCommand({ Name: "orders", EventPattern: pattern, State: "DISABLED" }));
    const replaced = await events.send(new DescribeRuleCommand({ Name: "orders" }));
    expect(replaced.State).toBe("DISABLED");
    expect(replaced.Description).toBeUndefined();

    await events.send(new DeleteRuleCommand({ Name: "orders" }));
    await events.send(new DeleteRuleCommand({ Name: "orders" }));
    const err = await events.send(new DescribeRuleCommand({ Name: "orders" })).catch((e) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect(err.message).toBe("Rule orders does not exist on EventBus default.");
  });

  it("validates patterns, schedules and names", async () => {
    await expect(events.send(new PutRuleCommand({ Name: "bad", EventPattern: '{"source": "not-an-array"}' }))).rejects.toBeInstanceOf(InvalidEventPatternException);
    await expect(events.send(new PutRuleCommand({ Name: "bad", EventPattern: "{not json" }))).rejects.toBeInstanceOf(InvalidEventPatternException);
    await expect(events.send(new PutRuleCommand({ Name: "bad" }))).rejects.toMatchObject({ name: "ValidationException" });
    await expect(events.send(new PutRuleCommand({ Name: "bad", ScheduleExpression: "rate(1 minutes)" }))).rejects.toMatchObject({ name: "ValidationException" });
    await expect(events.send(new PutRuleCommand({ Name: "bad", ScheduleExpression: "cron(0 12 * * * *)" }))).rejects.toMatchObject({ name: "ValidationException" });
    await expect(events.send(new PutRuleCommand({ Name: "bad name", ScheduleExpression: "rate(5 minutes)" }))).rejects.toMatchObject({ name: "ValidationException" });
    await events.send(new PutRuleCommand({ Name: "ok-cron", ScheduleExpression: "cron(0/15 8-17 ? * MON-FRI *)" }));
  });

  it("lists rules by prefix across pages with Limit and with an injected page size", async () => {
    for (const n of ["c", "a", "e", "b", "d"]) await events.send(new PutRuleCommand({ Name: `list-${n}`, EventPattern: '{"source":["x"]}' }));
    const names: string[][] = [];
    let NextToken: string | undefined;
    do {
      const page = await events.send(new ListRulesCommand({ NamePrefix: "list-", Limit: 2, NextToken }));
      names.push(page.Rules!.map((r) => r.Name!));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(names).toEqual([["list-a", "list-b"], ["list-c", "list-d"], ["list-e"]]);
    sandbox.setFaults({ "events:ListRules": { pageSize: 3 } });
    // EventBridge's SDK has no ListRules paginator: page by NextToken without a Limit.
    const pages: number[] = [];
    let token: string | undefined;
    do {
      const page = await events.send(new ListRulesCommand({ NamePrefix: "list-", NextToken: token }));
      pages.push(page.Rules!.length);
      token = page.NextToken;
    } while (token);
    expect(pages).toEqual([3, 2]);
    await expect(events.send(new ListRulesCommand({ Limit: 101 }))).rejects.toMatchObject({ name: "ValidationException" });
  });

  it("manages targets: put, replace, list with paging, remove, limits and lookups", async () => {
    await events.send(new PutRuleCommand({ Name: "targets", EventPattern: '{"source":["x"]}' }));
    const arns = ["a", "b", "c", "d"].map((n) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${n}`);
    await events.send(new PutTargetsCommand({ Rule: "targets", Targets: arns.map((Arn, i) => ({ Id: `t${i}`, Arn })) }));
    const replaced = await events.send(
      new PutTargetsCommand({ Rule: "targets", Targets: [{ Id: "t0", Arn: arns[0], Input: '{"fixed":true}', RetryPolicy: { MaximumRetryAttempts: 2 }, DeadLetterConfig: { Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:dlq` } }] }),
    );
    expect(replaced).toMatchObject({ FailedEntryCount: 0, FailedEntries: [] });
    const first = await events.send(new ListTargetsByRuleCommand({ Rule: "targets", Limit: 3 }));
    expect(first.Targets!.map((t) => t.Id)).toEqual(["t0", "t1", "t2"]);
    expect(first.Targets![0]).toMatchObject({ Input: '{"fixed":true}', RetryPolicy: { MaximumRetryAttempts: 2 }, DeadLetterConfig: { Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:dlq` } });
    const second = await events.send(new ListTargetsByRuleCommand({ Rule: "targets", Limit: 3, NextToken: first.NextToken }));
    expect(second.Targets!.map((t) => t.Id)).toEqual(["t3"]);
    expect(second.NextToken).toBeUndefined();
    expect((await events.send(new ListRuleNamesByTargetCommand({ TargetArn: arns[2] }))).RuleNames).toEqual(["targets"]);

    await expect(
      events.send(new PutTargetsCommand({ Rule: "targets", Targets: ["e", "f"].map((n) => ({ Id: n, Arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${n}` })) })),
    ).rejects.toBeInstanceOf(LimitExceededException);
    await expect(events.send(new PutTargetsCommand({ Rule: "targets", Targets: [{ Id: "x", Arn: arns[0], Input: "{}", InputPath: "$.detail" }] }))).rejects.toMatchObject({
      name: "ValidationException",
    });
    await expect(events.send(new PutTargetsCommand({ Rule: "ghost", Targets: [{ Id: "x", Arn: arns[0] }] }))).rejects.toBeInstanceOf(ResourceNotFoundException);

    await expect(events.send(new DeleteRuleCommand({ Name: "targets" }))).rejects.toMatchObject({ name: "ValidationException", message: "Rule can't be deleted since it has targets." });
    await events.send(new RemoveTargetsCommand({ Rule: "targets", Ids: ["t1", "t2"] }));
    expect((await events.send(new ListTargetsByRuleCommand({ Rule: "targets" }))).Targets!.map((t) => t.Id)).toEqual(["t0", "t3"]);
    await events.send(new DeleteRuleCommand({ Name: "targets", Force: true }));
  });
});

describe("PutEvents", () => {
  it("delivers matching events to an SQS target in EventBridge's event format", async () => {
    const { queue: q } = await ruleToQueue({ source: ["faasight.demo"], "detail-type": ["Order Placed"], detail: { total: [{ numeric: [">", 100] }] } });
    const time = new Date("2025-03-01T10:20:30Z");
    const result = await events.send(
      new PutEventsCommand({
        Entries: [entry({ total: 150, currency: "EUR" }, { Time: time, Resources: ["arn:aws:s3:::bucket"] }), entry({ total: 50 }), entry({ total: 500 }, { DetailType: "Order Cancelled" })],
      }),
    );
    expect(result.FailedEntryCount).toBe(0);
    expect(result.Entries!.every((e) => /^[0-9a-f-]{36}$/.test(e.EventId!))).toBe(true);
    const delivered = await drain(q.url, 1);
    expect(delivered).toHaveLength(1);
    expect(JSON.parse(delivered[0]!.Body!)).toEqual({
      version: "0",
      id: result.Entries![0]!.EventId,
      "detail-type": "Order Placed",
      source: "faasight.demo",
      account: ACCOUNT,
      time: "2025-03-01T10:20:30Z",
      region: "us-east-1",
      resources: ["arn:aws:s3:::bucket"],
      detail: { total: 150, currency: "EUR" },
    });
  });

  it("reports per-entry failures and rejects oversized requests", async () => {
    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          entry({ ok: true }),
          { DetailType: "x", Detail: "{}" },
          entry({}, { Detail: "{broken" }),
          entry({}, { Source: "aws.lambda" }),
          entry({}, { EventBusName: "ghost-bus" }),
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(4);
    expect(result.Entries!.map((e) => e.ErrorCode ?? "ok")).toEqual(["ok", "InvalidArgument", "MalformedDetail", "NotAuthorizedForSourceException", "InvalidArgument"]);
    await expect(events.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry({})) }))).rejects.toMatchObject({ name: "ValidationException" });
    await expect(events.send(new PutEventsCommand({ Entries: [entry({ big: "x".repeat(270_000) })] }))).rejects.toMatchObject({ name: "ValidationException" });
  });

  it("matches exact, prefix, anything-but, exists, numeric, nested and $or patterns", async () => {
    const event = {
      id: "1",
      account: ACCOUNT,
      source: "faasight.checkout",
      time: "2025-01-01T00:00:00Z",
      region: "us-east-1",
      resources: [],
      "detail-type": "Payment",
      detail: { status: "FAILED", amount: 42.5, tags: ["eu", "card"], customer: { tier: "gold" }, note: null },
    };
    const cases: [object, boolean][] = [
      [{ source: ["faasight.checkout"] }, true],
      [{ source: ["faasight.other"] }, false],
      [{ source: [{ prefix: "faasight." }] }, true],
      [{ detail: { status: [{ "anything-but": ["OK", "PENDING"] }] } }, true],
      [{ detail: { status: [{ "anything-but": { prefix: "FAIL" } }] } }, false],
      [{ detail: { retries: [{ exists: false }] } }, true],
      [{ detail: { status: [{ exists: true }] } }, true],
      [{ detail: { amount: [{ numeric: [">=", 10, "<", 50] }] } }, true],
      [{ detail: { amount: [{ numeric: ["=", 42] }] } }, false],
      [{ detail: { amount: [42.5] } }, true],
      [{ detail: { amount: ["42.5"] } }, false],
      [{ detail: { tags: ["card"] } }, true],
      [{ detail: { customer: { tier: ["gold", "silver"] } } }, true],
      [{ detail: { note: [null] } }, true],
      [{ detail: { status: [{ "equals-ignore-case": "failed" }] } }, true],
      [{ detail: { status: [{ suffix: "LED" }] } }, true],
      [{ detail: { $or: [{ status: ["OK"] }, { amount: [{ numeric: [">", 40] }] }] } }, true],
      [{ detail: { $or: [{ status: ["OK"] }, { amount: [{ numeric: [">", 50] }] }] } }, false],
    ];
    for (const [pattern, expected] of cases) {
      const { Result } = await events.send(new TestEventPatternCommand({ EventPattern: JSON.stringify(pattern), Event: JSON.stringify(event) }));
      expect([pattern, Result]).toEqual([pattern, expected]);
    }
  });

  it("shapes target input with Input, InputPath and InputTransformer", async () => {
    const pattern = { source: ["faasight.shape"] };
    const constant = await ruleToQueue(pattern, { Input: '{"constant":1}' });
    const path = await ruleToQueue(pattern, { InputPath: "$.detail.order" });
    const transformed = await ruleToQueue(pattern, {
      InputTransformer: { InputPathsMap: { id: "$.detail.order.id", total: "$.detail.order.total" }, InputTemplate: '{"order":"<id>","total":<total>,"rule":"<aws.events.rule-name>"}' },
    });
    await events.send(new PutEventsCommand({ Entries: [entry({ order: { id: "o-1", total: 99 } }, { Source: "faasight.shape" })] }));
    expect((await drain(constant.queue.url, 1)).map((m) => m.Body)).toEqual(['{"constant":1}']);
    expect((await drain(path.queue.url, 1)).map((m) => JSON.parse(m.Body!))).toEqual([{ id: "o-1", total: 99 }]);
    expect((await drain(transformed.queue.url, 1)).map((m) => JSON.parse(m.Body!))).toEqual([{ order: "o-1", total: 99, rule: transformed.Name }]);
  });

  it("does not deliver for disabled rules until they are enabled again", async () => {
    const { Name, queue: q } = await ruleToQueue({ source: ["faasight.toggle"] });
    await events.send(new DisableRuleCommand({ Name }));
    await events.send(new PutEventsCommand({ Entries: [entry({ n: 1 }, { Source: "faasight.toggle" })] }));
    expect(await drain(q.url, 0, 0)).toEqual([]);
    await events.send(new EnableRuleCommand({ Name }));
    await events.send(new PutEventsCommand({ Entries: [entry({ n: 2 }, { Source: "faasight.toggle" })] }));
    expect((await drain(q.url, 1)).map((m) => JSON.parse(m.Body!).detail)).toEqual([{ n: 2 }]);
  });

  it("invokes Lambda targets asynchronously and publishes to SNS targets", async () => {
    await lambda.send(
      new CreateFunctionCommand({ FunctionName: "on-order", Runtime: "nodejs20.x", Role: `arn:aws:iam::${ACCOUNT}:role/lambda`, Handler: "index.handler", Code: { ZipFile: Buffer.from("zip") } }),
    );
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "order-events" }));
    const q = await queue();
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: q.arn, Attributes: { RawMessageDelivery: "true" } }));
    await events.send(new PutRuleCommand({ Name: "fan-out", EventPattern: JSON.stringify({ source: ["faasight.fanout"] }) }));
    await events.send(
      new PutTargetsCommand({
        Rule: "fan-out",
        Targets: [
          { Id: "fn", Arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:on-order` },
          { Id: "topic", Arn: TopicArn! },
        ],
      }),
    );
    const { Entries } = await events.send(new PutEventsCommand({ Entries: [entry({ id: 7 }, { Source: "faasight.fanout" })] }));
    const call = await (async () => {
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline) {
        const found = invocations.find((i) => i.functionName === "on-order");
        if (found) return found;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error("no invocation");
    })();
    expect(JSON.parse(call.payload)).toMatchObject({ id: Entries![0]!.EventId, source: "faasight.fanout", detail: { id: 7 } });
    expect((await drain(q.url, 1)).map((m) => JSON.parse(m.Body!).id)).toEqual([Entries![0]!.EventId]);
  });

  it("sends events whose target fails to the target's dead-letter queue", async () => {
    const dlq = await queue();
    await events.send(new PutRuleCommand({ Name: "broken", EventPattern: JSON.stringify({ source: ["faasight.broken"] }) }));
    const targetArn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:missing-fn`;
    await events.send(new PutTargetsCommand({ Rule: "broken", Targets: [{ Id: "fn", Arn: targetArn, DeadLetterConfig: { Arn: dlq.arn } }] }));
    const { Entries } = await events.send(new PutEventsCommand({ Entries: [entry({ x: 1 }, { Source: "faasight.broken" })] }));
    const [dead] = await drain(dlq.url, 1);
    expect(JSON.parse(dead!.Body!)).toMatchObject({ id: Entries![0]!.EventId, source: "faasight.broken" });
    expect(dead!.MessageAttributes).toMatchObject({
      RULE_ARN: { StringValue: `arn:aws:events:us-east-1:${ACCOUNT}:rule/broken` },
      TARGET_ARN: { StringValue: targetArn },
      ERROR_CODE: { StringValue: "ResourceNotFoundException" },
      RETRY_ATTEMPTS: { DataType: "Number", StringValue: "0" },
    });
  });

  it("retries injected ThrottlingException in the SDK", async () => {
    const patient = new EventBridgeClient({ endpoint: sandbox.url, region: "us-east-1", credentials, maxAttempts: 10 });
    sandbox.resetStats();
    sandbox.setFaults({ "events:PutEvents": { throttleRate: 0.3 } });
    const sent = await sendUntilThrottled("events:PutEvents", (i) => patient.send(new PutEventsCommand({ Entries: [entry({ i })] })));
    const stats = sandbox.stats()["events:PutEvents"]!;
    expect(stats.throttled).toBeGreaterThan(0);
    expect(stats.calls - stats.throttled).toBe(sent);
    sandbox.setFaults({ "events:PutEvents": { throttleRate: 1 } });
    const err = await events.send(new PutEventsCommand({ Entries: [entry({})] })).catch((e) => e);
    expect(err.name).toBe("ThrottlingException");
    expect(err.$metadata.attempts).toBe(3);
    patient.destroy();
  }, 60_000);
});

describe("event buses and schedules", () => {
  it("routes events on custom buses and manages buses", async () => {
    const { EventBusArn } = await events.send(new CreateEventBusCommand({ Name: "payments", Description: "payment events" }));
    expect(EventBusArn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:event-bus/payments`);
    await expect(events.send(new CreateEventBusCommand({ Name: "payments" }))).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    const described = await events.send(new DescribeEventBusCommand({ Name: "payments" }));
    expect(described).toMatchObject({ Name: "payments", Arn: EventBusArn, Description: "payment events" });
    expect(described.CreationTime).toBeInstanceOf(Date);
    expect((await events.send(new ListEventBusesCommand({}))).EventBuses!.map((b) => b.Name)).toEqual(expect.arrayContaining(["default", "payments"]));

    const { RuleArn } = await events.send(new PutRuleCommand({ Name: "refunds", EventBusName: "payments", EventPattern: '{"detail-type":["Refund"]}' }));
    expect(RuleArn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:rule/payments/refunds`);
    await expect(events.send(new PutRuleCommand({ Name: "tick", EventBusName: "payments", ScheduleExpression: "rate(5 minutes)" }))).rejects.toMatchObject({ name: "ValidationException" });
    const q = await queue();
    await events.send(new PutTargetsCommand({ Rule: "refunds", EventBusName: "payments", Targets: [{ Id: "q", Arn: q.arn }] }));
    await events.send(new PutEventsCommand({ Entries: [entry({ on: "default" }, { DetailType: "Refund" }), entry({ on: "payments" }, { DetailType: "Refund", EventBusName: EventBusArn })] }));
    expect((await drain(q.url, 1)).map((m) => JSON.parse(m.Body!).detail)).toEqual([{ on: "payments" }]);

    await events.send(new TagResourceCommand({ ResourceARN: RuleArn, Tags: [{ Key: "team", Value: "payments" }] }));
    expect((await events.send(new ListTagsForResourceCommand({ ResourceARN: RuleArn }))).Tags).toEqual([{ Key: "team", Value: "payments" }]);

    await events.send(new DeleteEventBusCommand({ Name: "payments" }));
    await expect(events.send(new DescribeEventBusCommand({ Name: "payments" }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(events.send(new DeleteEventBusCommand({ Name: "default" }))).rejects.toMatchObject({ name: "ValidationException" });
  });

  it("treats bus names like constructor as plain names", async () => {
    await expect(events.send(new DescribeEventBusCommand({ Name: "toString" }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await events.send(new CreateEventBusCommand({ Name: "constructor" }));
    expect((await events.send(new DescribeEventBusCommand({ Name: "constructor" }))).Arn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:event-bus/constructor`);
    await events.send(new DeleteEventBusCommand({ Name: "constructor" }));
  });

  it("fires scheduled rules on the simulator's clock when asked", async () => {
    const q = await queue();
    const { RuleArn } = await events.send(new PutRuleCommand({ Name: "every-5-min", ScheduleExpression: "rate(5 minutes)" }));
    await events.send(new PutTargetsCommand({ Rule: "every-5-min", Targets: [{ Id: "q", Arn: q.arn }] }));
    const service = sandbox.services.find((s) => s.signingName === "events") as EventBridgeService;
    const start = sandbox.context.now();
    // Other scheduled rules in this file fire too; count only this rule's deliveries.
    service.fireScheduledRules(start + 60 * 60_000);
    const delivered = await drain(q.url, 12);
    expect(delivered).toHaveLength(12);
    const first = JSON.parse(delivered[0]!.Body!);
    expect(first).toMatchObject({ "detail-type": "Scheduled Event", source: "aws.events", resources: [RuleArn], detail: {} });
    // Already-fired occurrences do not fire again.
    service.fireScheduledRules(start + 60 * 60_000);
    expect(await drain(q.url, 0, 0)).toEqual([]);

    const daily = await queue();
    await events.send(new PutRuleCommand({ Name: "daily-noon", ScheduleExpression: "cron(0 12 * * ? *)" }));
    await events.send(new PutTargetsCommand({ Rule: "daily-noon", Targets: [{ Id: "q", Arn: daily.arn }] }));
    service.fireScheduledRules(sandbox.context.now() + 3 * 86_400_000);
    const noon = await drain(daily.url, 3);
    expect(noon).toHaveLength(3);
    for (const m of noon) expect(JSON.parse(m.Body!).time).toMatch(/T12:00:00Z$/);
  });

  it("snapshots to plain JSON and restores buses, rules and targets", async () => {
    await events.send(new CreateEventBusCommand({ Name: "snap-bus" }));
    await events.send(new PutRuleCommand({ Name: "snap-rule", EventBusName: "snap-bus", EventPattern: '{"source":["snap"]}' }));
    const q = await queue();
    await events.send(new PutTargetsCommand({ Rule: "snap-rule", EventBusName: "snap-bus", Targets: [{ Id: "q", Arn: q.arn }] }));
    const service = sandbox.services.find((s) => s.signingName === "events") as EventBridgeService;
    const json = JSON.parse(JSON.stringify(service.snapshot()));
    await events.send(new DeleteEventBusCommand({ Name: "snap-bus" }));
    service.restore(json);
    expect((await events.send(new DescribeRuleCommand({ Name: "snap-rule", EventBusName: "snap-bus" }))).State).toBe("ENABLED");
    await events.send(new PutEventsCommand({ Entries: [entry({ restored: true }, { Source: "snap", EventBusName: "snap-bus" })] }));
    expect((await drain(q.url, 1)).map((m) => JSON.parse(m.Body!).detail)).toEqual([{ restored: true }]);
  });
});
