/**
 * The replay tests' world: a sandbox whose function "orders" has a buggy version 1 (fails on
 * events with `bug: true`) and a fixed version 2 (fails only on `poison: true`), its async
 * DLQ, an SQS source queue with its own DLQ, and the FailedEvent rows the collectors would
 * write (inserted here from the real messages, through the real parser).
 */
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  InvokeCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
} from "@aws-sdk/client-lambda";
import {
  ChangeMessageVisibilityBatchCommand,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type Message,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { startSandbox, type Sandbox } from "../../../lib/sandbox/server.ts";
import type { InvocationRunner, InvokeResult } from "../../../lib/sandbox/core.ts";
import { LambdaService } from "../../../lib/sandbox/services/lambda.ts";
import { createAwsClients, sandboxTarget, type AwsClients } from "../../../lib/aws/clients.ts";
import { parseFailedEvent } from "../../../lib/parse/failed-event.ts";
import type { Db } from "../../../lib/db.ts";
import type { Principal } from "../../../lib/auth/permissions.ts";

export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";
export const FN = "orders";
export const operator: Principal = { userId: 2, email: "olga@example.com", role: "operator", via: "session" };
export const viewer: Principal = { userId: 3, email: "vic@example.com", role: "viewer", via: "session" };

/** Version 1 has the bug; version 2 fixes it. `poison` fails everywhere. */
export const runner: InvocationRunner = async (target, payload, inv) => {
  const event = payload ? (JSON.parse(payload) as { bug?: boolean; poison?: boolean }) : {};
  const ok: InvokeResult = { statusCode: inv.invocationType === "Event" ? 202 : 200, requestId: inv.requestId, executedVersion: target.version, payload: "" };
  const broken = event.poison || (event.bug && target.version === "1");
  if (broken) {
    const error = { errorType: "OrderError", errorMessage: event.poison ? "poison order" : `bug in version ${target.version}` };
    return { ...ok, statusCode: 200, functionError: "Unhandled", payload: JSON.stringify(error) };
  }
  return { ...ok, payload: inv.invocationType === "Event" ? "" : JSON.stringify({ ok: true, version: target.version }) };
};

export interface World {
  sandbox: Sandbox;
  lambdaService: LambdaService;
  clients: AwsClients;
  lambda: LambdaClient;
  sqs: SQSClient;
  dlq: { url: string; arn: string };
  src: { url: string; arn: string };
  srcDlq: { url: string; arn: string };
  close(): Promise<void>;
}

async function createQueue(sqs: SQSClient, name: string, attributes?: Record<string, string>) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

/** Starts a sandbox with the function, its versions and alias, and the queues. */
export async function startWorld(): Promise<World> {
  const sandbox = await startSandbox({ port: 0, seed: 11, runInvocation: runner });
  const lambdaService = sandbox.services.find((s): s is LambdaService => s instanceof LambdaService)!;
  lambdaService.asyncRetryDelayMs = 0;
  const clients = createAwsClients(sandboxTarget(sandbox.url, REGION));
  const { lambda, sqs } = clients;
  const dlq = await createQueue(sqs, "orders-dlq");
  const srcDlq = await createQueue(sqs, "shipments-dlq");
  const src = await createQueue(sqs, "shipments", { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: srcDlq.arn, maxReceiveCount: 2 }) });
  const role = `arn:aws:iam::${ACCOUNT}:role/orders`;
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: FN,
      Role: role,
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Timeout: 3,
      Code: { ZipFile: new TextEncoder().encode("PK-v1") },
      DeadLetterConfig: { TargetArn: dlq.arn },
    }),
  );
  await lambda.send(new PublishVersionCommand({ FunctionName: FN }));
  await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: FN, ZipFile: new TextEncoder().encode("PK-v2") }));
  await lambda.send(new PublishVersionCommand({ FunctionName: FN }));
  await lambda.send(new CreateAliasCommand({ FunctionName: FN, Name: "live", FunctionVersion: "1" }));
  return {
    sandbox,
    lambdaService,
    clients,
    lambda,
    sqs,
    dlq,
    src,
    srcDlq,
    async close() {
      clients.destroy();
      await sandbox.close();
    },
  };
}

/** Real async failures: invokes live (version 1) with each event and waits until Lambda gave up and wrote the DLQ. */
export async function failAsync(w: World, events: object[]): Promise<void> {
  for (const e of events) await w.lambda.send(new InvokeCommand({ FunctionName: FN, Qualifier: "live", InvocationType: "Event", Payload: new TextEncoder().encode(JSON.stringify(e)) }));
  await w.lambdaService.whenIdle();
}

/** DLQ messages as Lambda writes them, sent directly (fast, for bulk tests). */
export async function sendDlqMessages(w: World, bodies: object[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    await w.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: w.dlq.url,
        Entries: bodies.slice(i, i + 10).map((b, j) => ({
          Id: `e${j}`,
          MessageBody: JSON.stringify(b),
          MessageAttributes: {
            RequestID: { DataType: "String", StringValue: `00000000-0000-4000-8000-${String(i + j).padStart(12, "0")}` },
            ErrorCode: { DataType: "Number", StringValue: "200" },
            ErrorMessage: { DataType: "String", StringValue: "bug in version 1" },
          },
        })),
      }),
    );
  }
}

/** Every message of a queue, received once and made visible again right away. */
export async function peekAll(sqs: SQSClient, url: string): Promise<Message[]> {
  const seen = new Map<string, Message>();
  for (let empty = 0; empty < 2; ) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 30, MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"] }));
    const fresh = (out.Messages ?? []).filter((m) => !seen.has(m.MessageId!));
    if (fresh.length === 0) {
      empty++;
      continue;
    }
    for (const m of fresh) seen.set(m.MessageId!, m);
  }
  const all = [...seen.values()];
  for (let i = 0; i < all.length; i += 10) {
    await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: url, Entries: all.slice(i, i + 10).map((m, j) => ({ Id: `v${j}`, ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 })) }));
  }
  return all;
}

/** Visible + in-flight messages of a queue. */
export async function depth(sqs: SQSClient, url: string): Promise<number> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }));
  return Number(Attributes!.ApproximateNumberOfMessages) + Number(Attributes!.ApproximateNumberOfMessagesNotVisible);
}

export interface Seeded {
  sourceId: number;
  functionId: number;
  dlqId: number;
  srcDlqId: number;
  srcId: number;
}

/** The inventory rows the collectors would have written. */
export async function seedInventory(db: Db, w: World): Promise<Seeded> {
  const source = await db.source.create({ data: { name: "sandbox", accountId: ACCOUNT, region: REGION, endpoint: w.sandbox.url } });
  const fn = await db.lambdaFunction.create({
    data: { sourceId: source.id, name: FN, arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${FN}`, memoryMb: 128, timeoutSec: 3, logGroup: `/aws/lambda/${FN}` },
  });
  const dlq = await db.queue.create({ data: { sourceId: source.id, name: "orders-dlq", url: w.dlq.url, arn: w.dlq.arn, role: "dlq", feedsJson: JSON.stringify([fn.arn]) } });
  const srcDlq = await db.queue.create({ data: { sourceId: source.id, name: "shipments-dlq", url: w.srcDlq.url, arn: w.srcDlq.arn, role: "dlq", feedsJson: JSON.stringify([w.src.arn]) } });
  const src = await db.queue.create({ data: { sourceId: source.id, name: "shipments", url: w.src.url, arn: w.src.arn, role: "source", redriveTargetArn: w.srcDlq.arn } });
  return { sourceId: source.id, functionId: fn.id, dlqId: dlq.id, srcDlqId: srcDlq.id, srcId: src.id };
}

/** FailedEvent rows for the messages now in a queue (as lib/collect/failures stores them); returns id by message id. */
export async function captureQueue(db: Db, w: { sqs: SQSClient }, queue: { id: number; url: string }, fn?: { id: number; name: string }): Promise<Map<string, number>> {
  const existing = new Set((await db.failedEvent.findMany({ where: { queueId: queue.id }, select: { messageId: true } })).map((r) => r.messageId));
  const rows = [];
  for (const m of await peekAll(w.sqs, queue.url)) {
    const parsed = parseFailedEvent(m);
    if (parsed.kind !== "failed_event" || existing.has(parsed.messageId)) continue;
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(m.MessageAttributes ?? {})) attrs[k] = v.StringValue ?? "";
    rows.push({
      queueId: queue.id,
      messageId: parsed.messageId,
      sourceKind: parsed.sourceKind,
      functionId: fn?.id ?? null,
      functionName: parsed.functionName ?? fn?.name ?? null,
      qualifier: parsed.qualifier ?? null,
      requestId: parsed.requestId ?? null,
      errorCode: parsed.errorCode ?? null,
      errorMessage: parsed.errorMessage ?? null,
      payload: parsed.payload,
      attributesJson: JSON.stringify({ messageAttributes: attrs, attributes: m.Attributes ?? {} }),
      receiveCount: parsed.receiveCount ?? 0,
      sentAt: parsed.sentAt ? new Date(parsed.sentAt) : null,
    });
  }
  await db.failedEvent.createMany({ data: rows });
  const stored = await db.failedEvent.findMany({ where: { queueId: queue.id, messageId: { in: rows.map((r) => r.messageId) } }, select: { id: true, messageId: true } });
  return new Map(stored.map((r) => [r.messageId, r.id]));
}

/** Invocations the sandbox ran with a payload, by payload text. */
export function invocationsByPayload(w: World): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of w.lambdaService.invocationLog()) counts.set(e.payload, (counts.get(e.payload) ?? 0) + 1);
  return counts;
}
