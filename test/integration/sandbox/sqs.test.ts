import { createHash } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  AddPermissionCommand,
  BatchEntryIdsNotDistinct,
  CancelMessageMoveTaskCommand,
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  EmptyBatchRequest,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  InvalidAttributeName,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ListQueueTagsCommand,
  ListQueuesCommand,
  MessageNotInflight,
  PurgeQueueCommand,
  PurgeQueueInProgress,
  QueueDeletedRecently,
  QueueDoesNotExist,
  QueueNameExists,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  RemovePermissionCommand,
  ResourceNotFoundException,
  SQSClient,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  StartMessageMoveTaskCommand,
  TagQueueCommand,
  TooManyEntriesInBatchRequest,
  UntagQueueCommand,
  paginateListQueues,
  type Message,
} from "@aws-sdk/client-sqs";
import { startSandbox, type Sandbox } from "../../../lib/sandbox/server.ts";
import type { SqsService } from "../../../lib/sandbox/services/sqs.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const ACCOUNT = "123456789012";

let sandbox: Sandbox;
let sqs: SQSClient;
/** Added to the sandbox clock: visibility timeouts and delays expire without sleeping. */
let clockOffsetMs = 0;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: 7, now: () => Date.now() + clockOffsetMs });
  sqs = new SQSClient({ endpoint: sandbox.url, region: "us-east-1", credentials });
});

afterAll(async () => {
  sqs.destroy();
  await sandbox.close();
});

beforeEach(() => {
  sandbox.setFaults({});
});

let counter = 0;
async function createQueue(prefix: string, Attributes?: Record<string, string>): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-${++counter}`, Attributes }));
  return QueueUrl!;
}

async function queueArn(QueueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  return Attributes!.QueueArn!;
}

async function counts(QueueUrl: string) {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"] }),
  );
  return {
    visible: Number(Attributes!.ApproximateNumberOfMessages),
    inFlight: Number(Attributes!.ApproximateNumberOfMessagesNotVisible),
    delayed: Number(Attributes!.ApproximateNumberOfMessagesDelayed),
  };
}

async function receive(QueueUrl: string, extra: Partial<ConstructorParameters<typeof ReceiveMessageCommand>[0]> = {}): Promise<Message[]> {
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, ...extra }));
  return Messages ?? [];
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}


/** Sends at least 5 calls, and until the sandbox has throttled one (at most 40): every call must succeed. */
async function sendUntilThrottled(key: string, send: (i: number) => Promise<unknown>): Promise<number> {
  let sent = 0;
  while (sent < 40 && (sent < 5 || !sandbox.stats()[key]?.throttled)) await send(sent++);
  return sent;
}

describe("queues", () => {
  it("creates queues idempotently, with URLs on the sandbox host, and rejects different attributes", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "orders", Attributes: { VisibilityTimeout: "45" } }));
    expect(QueueUrl).toBe(`${sandbox.url}/${ACCOUNT}/orders`);
    const again = await sqs.send(new CreateQueueCommand({ QueueName: "orders", Attributes: { VisibilityTimeout: "45" } }));
    expect(again.QueueUrl).toBe(QueueUrl);
    const err = await sqs.send(new CreateQueueCommand({ QueueName: "orders", Attributes: { VisibilityTimeout: "60" } })).catch((e) => e);
    expect(err).toBeInstanceOf(QueueNameExists);
    expect(err.Code ?? err.Error?.Code).toBe("QueueAlreadyExists");
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: "orders" }))).QueueUrl).toBe(QueueUrl);
    const missing = await sqs.send(new GetQueueUrlCommand({ QueueName: "nope" })).catch((e) => e);
    expect(missing).toBeInstanceOf(QueueDoesNotExist);
    expect(missing.$metadata.httpStatusCode).toBe(400);
  });

  it("validates queue names and attributes", async () => {
    await expect(sqs.send(new CreateQueueCommand({ QueueName: "bad name" }))).rejects.toMatchObject({ name: "InvalidParameterValue" });
    await expect(sqs.send(new CreateQueueCommand({ QueueName: "x.fifo" }))).rejects.toMatchObject({ name: "InvalidParameterValue" });
    await expect(sqs.send(new CreateQueueCommand({ QueueName: "v", Attributes: { VisibilityTimeout: "43201" } }))).rejects.toMatchObject({ name: "InvalidAttributeValue" });
    await expect(sqs.send(new CreateQueueCommand({ QueueName: "v", Attributes: { Colour: "blue" } as Record<string, string> }))).rejects.toBeInstanceOf(InvalidAttributeName);
    await expect(
      sqs.send(new CreateQueueCommand({ QueueName: "v", Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:ghost`, maxReceiveCount: 3 }) } })),
    ).rejects.toMatchObject({ name: "InvalidParameterValue", message: expect.stringContaining("Dead letter target does not exist") });
  });

  it("reports All attributes with AWS defaults, and named ones; SetQueueAttributes changes them", async () => {
    const before = Math.floor(Date.now() / 1000);
    const QueueUrl = await createQueue("attrs");
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
    expect(Attributes).toMatchObject({
      QueueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:attrs-${counter}`,
      VisibilityTimeout: "30",
      MaximumMessageSize: "1048576",
      MessageRetentionPeriod: "345600",
      DelaySeconds: "0",
      ReceiveMessageWaitTimeSeconds: "0",
      ApproximateNumberOfMessages: "0",
      ApproximateNumberOfMessagesNotVisible: "0",
      ApproximateNumberOfMessagesDelayed: "0",
      SqsManagedSseEnabled: "true",
    });
    expect(Number(Attributes!.CreatedTimestamp)).toBeGreaterThanOrEqual(before - 1);
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: "5", DelaySeconds: "2" } }));
    const named = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["VisibilityTimeout", "DelaySeconds"] }));
    expect(named.Attributes).toEqual({ VisibilityTimeout: "5", DelaySeconds: "2" });
    await expect(sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["Nope" as "All"] }))).rejects.toBeInstanceOf(InvalidAttributeName);
    await expect(sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { FifoQueue: "true" } }))).rejects.toMatchObject({ name: "InvalidAttributeValue" });
  });

  it("lists queues by prefix across pages with MaxResults and with an injected page size", async () => {
    for (const n of ["b", "a", "e", "c", "d"]) await sqs.send(new CreateQueueCommand({ QueueName: `list-${n}` }));
    const pages: string[][] = [];
    let NextToken: string | undefined;
    do {
      const page = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "list-", MaxResults: 2, NextToken }));
      pages.push(page.QueueUrls!.map((u) => u.split("/").pop()!));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(pages).toEqual([["list-a", "list-b"], ["list-c", "list-d"], ["list-e"]]);

    sandbox.setFaults({ "sqs:ListQueues": { pageSize: 3 } });
    const viaPaginator: string[] = [];
    let calls = 0;
    for await (const page of paginateListQueues({ client: sqs, pageSize: 1000 }, { QueueNamePrefix: "list-" })) {
      calls++;
      viaPaginator.push(...(page.QueueUrls ?? []));
    }
    expect(calls).toBe(2);
    expect(viaPaginator.map((u) => u.split("/").pop())).toEqual(["list-a", "list-b", "list-c", "list-d", "list-e"]);
    // Without MaxResults AWS returns one page and no NextToken.
    const single = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "list-" }));
    expect(single.QueueUrls).toHaveLength(3);
    expect(single.NextToken).toBeUndefined();
    await expect(sqs.send(new ListQueuesCommand({ MaxResults: 1001 }))).rejects.toMatchObject({ name: "InvalidParameterValue" });
  });

  it("accepts the AWS-style queue URL, any host, and reports QueueDoesNotExist for unknown queues", async () => {
    const QueueUrl = await createQueue("urls");
    const name = QueueUrl.split("/").pop();
    const awsStyle = `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/${name}`;
    await sqs.send(new SendMessageCommand({ QueueUrl: awsStyle, MessageBody: "via aws url" }));
    expect((await receive(QueueUrl)).map((m) => m.Body)).toEqual(["via aws url"]);
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: `${sandbox.url}/${ACCOUNT}/ghost`, MessageBody: "x" }))).rejects.toBeInstanceOf(QueueDoesNotExist);
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: `${sandbox.url}/999999999999/${name}`, MessageBody: "x" }))).rejects.toBeInstanceOf(QueueDoesNotExist);
  });

  it("treats names like constructor and __proto__ as plain keys", async () => {
    for (const QueueName of ["constructor", "__proto__"]) {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName, tags: { constructor: "x" } }));
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: QueueName }));
      expect((await receive(QueueUrl!)).map((m) => m.Body)).toEqual([QueueName]);
      expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags).toEqual({ constructor: "x" });
    }
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: "toString" }))).rejects.toBeInstanceOf(QueueDoesNotExist);

    // The SDK cannot carry a "__proto__" map key itself, so this part speaks the wire format directly.
    const call = async (op: string, body: string) =>
      (await fetch(sandbox.url, { method: "POST", headers: { "x-amz-target": `AmazonSQS.${op}`, "content-type": "application/x-amz-json-1.0" }, body })).text();
    const url = `${sandbox.url}/${ACCOUNT}/constructor`;
    await call("SendMessage", `{"QueueUrl":"${url}","MessageBody":"m","MessageAttributes":{"__proto__":{"DataType":"String","StringValue":"v"}}}`);
    expect(await call("ReceiveMessage", `{"QueueUrl":"${url}","MessageAttributeNames":["All"]}`)).toContain('"MessageAttributes":{"__proto__":{"DataType":"String","StringValue":"v"}}');

    // Query parameters named after the prototype must not reach Object.prototype.
    await fetch(sandbox.url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "Action=ListQueues&__proto__.polluted=yes&constructor.prototype.polluted=yes" });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("tags queues and edits the queue policy with Add/RemovePermission", async () => {
    const QueueUrl = await createQueue("tags");
    await sqs.send(new TagQueueCommand({ QueueUrl, Tags: { team: "payments", env: "demo" } }));
    await sqs.send(new UntagQueueCommand({ QueueUrl, TagKeys: ["env"] }));
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags).toEqual({ team: "payments" });
    await sqs.send(new AddPermissionCommand({ QueueUrl, Label: "ops", AWSAccountIds: ["210987654321"], Actions: ["SendMessage"] }));
    const policy = JSON.parse((await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["Policy"] }))).Attributes!.Policy!);
    expect(policy.Statement).toEqual([expect.objectContaining({ Sid: "ops", Action: ["SQS:SendMessage"], Principal: { AWS: ["arn:aws:iam::210987654321:root"] } })]);
    await sqs.send(new RemovePermissionCommand({ QueueUrl, Label: "ops" }));
    expect((await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["Policy"] }))).Attributes).toBeUndefined();
  });

  it("purges at most once a minute and deletes queues (recreation waits 60 s)", async () => {
    const QueueUrl = await createQueue("purge");
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "a" }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl }));
    expect(await counts(QueueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    await expect(sqs.send(new PurgeQueueCommand({ QueueUrl }))).rejects.toBeInstanceOf(PurgeQueueInProgress);

    const name = QueueUrl.split("/").pop()!;
    await sqs.send(new DeleteQueueCommand({ QueueUrl }));
    await expect(sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }))).rejects.toBeInstanceOf(QueueDoesNotExist);
    await expect(sqs.send(new CreateQueueCommand({ QueueName: name }))).rejects.toBeInstanceOf(QueueDeletedRecently);
    clockOffsetMs += 61_000;
    expect((await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl).toBe(QueueUrl);
  });
});

describe("messages", () => {
  it("sends and receives with body and attribute MD5s exactly as AWS computes them", async () => {
    const QueueUrl = await createQueue("md5");
    const MessageAttributes = {
      zeta: { DataType: "String", StringValue: "héllo wörld" },
      alpha: { DataType: "Number", StringValue: "42.5" },
      bin: { DataType: "Binary", BinaryValue: Uint8Array.from([0, 1, 2, 250]) },
      "custom.x": { DataType: "String.custom", StringValue: "c" },
    };
    // The SDK validates MD5OfMessageBody itself; the attribute digest is checked against moto 5.2.1's value.
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "body ✓", MessageAttributes }));
    expect(sent.MD5OfMessageBody).toBe(createHash("md5").update("body ✓", "utf8").digest("hex"));
    expect(sent.MD5OfMessageAttributes).toBe("35f85e1505e2cf4457e41a2f97081e5b");
    expect(sent.MessageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    const [message] = await receive(QueueUrl, { MessageAttributeNames: ["alpha"], MessageSystemAttributeNames: ["All"] });
    expect(message!.Body).toBe("body ✓");
    expect(message!.MessageId).toBe(sent.MessageId);
    expect(message!.MessageAttributes).toEqual({ alpha: { DataType: "Number", StringValue: "42.5" } });
    expect(message!.MD5OfMessageAttributes).toBe("3098dd4a31983b7380a2cf39647b870e");
    expect(message!.Attributes).toMatchObject({ ApproximateReceiveCount: "1", SenderId: expect.stringMatching(/^AIDA/) });
    expect(Number(message!.Attributes!.SentTimestamp)).toBeGreaterThan(0);
    expect(message!.Attributes!.ApproximateFirstReceiveTimestamp).toBeDefined();
  });

  it("selects message attributes by All, .* and prefix.*", async () => {
    const QueueUrl = await createQueue("select");
    await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: "m",
        MessageAttributes: { "trace.id": { DataType: "String", StringValue: "t" }, "trace.span": { DataType: "String", StringValue: "s" }, other: { DataType: "String", StringValue: "o" } },
      }),
    );
    const names = async (MessageAttributeNames: string[]) => {
      const [m] = await receive(QueueUrl, { MessageAttributeNames, VisibilityTimeout: 0 });
      return Object.keys(m!.MessageAttributes ?? {}).sort();
    };
    expect(await names(["All"])).toEqual(["other", "trace.id", "trace.span"]);
    expect(await names([".*"])).toEqual(["other", "trace.id", "trace.span"]);
    expect(await names(["trace.*"])).toEqual(["trace.id", "trace.span"]);
    expect(await names(["other"])).toEqual(["other"]);
    expect(await names([])).toEqual([]);
  });

  it("validates messages: size limit, attributes, empty body and DelaySeconds range", async () => {
    const QueueUrl = await createQueue("limits");
    await expect(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x".repeat(1_048_577) }))).rejects.toMatchObject({ name: "InvalidParameterValue" });
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x".repeat(1_048_576) }));
    const tooMany = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: "String", StringValue: "v" }]));
    await expect(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageAttributes: tooMany }))).rejects.toMatchObject({ name: "InvalidParameterValue" });
    await expect(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageAttributes: { n: { DataType: "Number", StringValue: "abc" } } }))).rejects.toMatchObject({
      name: "InvalidParameterValue",
    });
    await expect(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "" }))).rejects.toMatchObject({ name: "MissingParameter" });
    await expect(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", DelaySeconds: 901 }))).rejects.toMatchObject({ name: "InvalidParameterValue" });
    await expect(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "bad \u0001 char" }))).rejects.toMatchObject({ name: "InvalidMessageContents" });
    await expect(receive(QueueUrl, { MaxNumberOfMessages: 11 })).rejects.toMatchObject({ name: "InvalidParameterValue" });
  });

  it("sends batches with per-entry results and batch-level errors", async () => {
    const QueueUrl = await createQueue("batch");
    const result = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: "one", MessageBody: "first", MessageAttributes: { k: { DataType: "String", StringValue: "v" } } },
          { Id: "two", MessageBody: "second", DelaySeconds: 5 },
          { Id: "bad", MessageBody: "x", MessageAttributes: { n: { DataType: "Number", StringValue: "NaN?" } } },
        ],
      }),
    );
    expect(result.Successful!.map((s) => s.Id)).toEqual(["one", "two"]);
    expect(result.Successful![0]!.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    expect(result.Failed).toEqual([{ Id: "bad", SenderFault: true, Code: "InvalidParameterValue", Message: expect.any(String) }]);
    expect(await counts(QueueUrl)).toEqual({ visible: 1, inFlight: 0, delayed: 1 });

    await expect(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [] }))).rejects.toBeInstanceOf(EmptyBatchRequest);
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: "x" }));
    await expect(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: eleven }))).rejects.toBeInstanceOf(TooManyEntriesInBatchRequest);
    await expect(
      sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: "d", MessageBody: "x" }, { Id: "d", MessageBody: "y" }] })),
    ).rejects.toBeInstanceOf(BatchEntryIdsNotDistinct);
    await expect(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: "a b", MessageBody: "x" }] }))).rejects.toMatchObject({ name: "InvalidBatchEntryId" });
    const big = Array.from({ length: 2 }, (_, i) => ({ Id: `b${i}`, MessageBody: "x".repeat(600_000) }));
    await expect(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: big }))).rejects.toMatchObject({ name: "BatchRequestTooLong" });
  });

  it("delays messages per message and per queue", async () => {
    const QueueUrl = await createQueue("delay", { DelaySeconds: "10" });
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "queue delay" }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "no delay", DelaySeconds: 0 }));
    expect(await counts(QueueUrl)).toEqual({ visible: 1, inFlight: 0, delayed: 1 });
    expect((await receive(QueueUrl)).map((m) => m.Body)).toEqual(["no delay"]);
    clockOffsetMs += 10_000;
    expect((await receive(QueueUrl)).map((m) => m.Body)).toEqual(["queue delay"]);
  });

  it("hides received messages for the visibility timeout, then redelivers them with a new receipt handle", async () => {
    const QueueUrl = await createQueue("visibility", { VisibilityTimeout: "30" });
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "work" }));
    const [first] = await receive(QueueUrl, { MessageSystemAttributeNames: ["ApproximateReceiveCount"] });
    expect(first!.Attributes).toEqual({ ApproximateReceiveCount: "1" });
    expect(await receive(QueueUrl)).toEqual([]);
    expect(await counts(QueueUrl)).toEqual({ visible: 0, inFlight: 1, delayed: 0 });

    clockOffsetMs += 30_000;
    const [second] = await receive(QueueUrl, { MessageSystemAttributeNames: ["ApproximateReceiveCount"] });
    expect(second!.MessageId).toBe(first!.MessageId);
    expect(second!.Attributes).toEqual({ ApproximateReceiveCount: "2" });
    expect(second!.ReceiptHandle).not.toBe(first!.ReceiptHandle);

    // A stale receipt handle: DeleteMessage succeeds but does not delete; visibility changes fail.
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: first!.ReceiptHandle }));
    expect((await counts(QueueUrl)).inFlight).toBe(1);
    await expect(sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: first!.ReceiptHandle, VisibilityTimeout: 10 }))).rejects.toBeInstanceOf(MessageNotInflight);
    await expect(sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: "not-a-handle" }))).rejects.toBeInstanceOf(ReceiptHandleIsInvalid);

    // Visibility 0 makes it visible at once; the current handle deletes it.
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: second!.ReceiptHandle, VisibilityTimeout: 0 }));
    const [third] = await receive(QueueUrl, { VisibilityTimeout: 0 });
    expect(third!.MessageId).toBe(first!.MessageId);
    const [fourth] = await receive(QueueUrl);
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: fourth!.ReceiptHandle }));
    expect(await counts(QueueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    await expect(sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: fourth!.ReceiptHandle, VisibilityTimeout: 5 }))).rejects.toMatchObject({
      name: "InvalidParameterValue",
    });
  });

  it("deletes and changes visibility in batches with per-entry failures", async () => {
    const QueueUrl = await createQueue("batch-ops");
    await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [1, 2, 3].map((i) => ({ Id: `m${i}`, MessageBody: `body ${i}` })) }));
    const messages = await receive(QueueUrl);
    expect(messages).toHaveLength(3);
    const visibility = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl,
        Entries: [
          { Id: "a", ReceiptHandle: messages[0]!.ReceiptHandle!, VisibilityTimeout: 0 },
          { Id: "b", ReceiptHandle: "garbage", VisibilityTimeout: 0 },
        ],
      }),
    );
    expect(visibility.Successful).toEqual([{ Id: "a" }]);
    expect(visibility.Failed).toEqual([{ Id: "b", SenderFault: true, Code: "ReceiptHandleIsInvalid", Message: expect.any(String) }]);
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: "x", ReceiptHandle: messages[1]!.ReceiptHandle! },
          { Id: "y", ReceiptHandle: messages[2]!.ReceiptHandle! },
          { Id: "z", ReceiptHandle: "garbage" },
        ],
      }),
    );
    expect(deleted.Successful!.map((s) => s.Id)).toEqual(["x", "y"]);
    expect(deleted.Failed!.map((f) => f.Id)).toEqual(["z"]);
    expect(await counts(QueueUrl)).toEqual({ visible: 1, inFlight: 0, delayed: 0 });
  });

  it("long polls: returns as soon as a message arrives, or empty after WaitTimeSeconds", async () => {
    const QueueUrl = await createQueue("long-poll");
    const started = Date.now();
    const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10 }));
    await new Promise((r) => setTimeout(r, 300));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "wake up" }));
    const { Messages } = await polling;
    expect(Messages?.map((m) => m.Body)).toEqual(["wake up"]);
    expect(Date.now() - started).toBeLessThan(3000);

    const emptyStart = Date.now();
    const empty = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    expect(empty.Messages).toBeUndefined();
    expect(Date.now() - emptyStart).toBeGreaterThanOrEqual(950);

    // The queue's ReceiveMessageWaitTimeSeconds applies when the request names none.
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { ReceiveMessageWaitTimeSeconds: "5" } }));
    const byDefault = sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    await new Promise((r) => setTimeout(r, 200));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "second" }));
    expect((await byDefault).Messages?.map((m) => m.Body)).toEqual(["second"]);
  });

  it("retains messages for MessageRetentionPeriod only", async () => {
    const QueueUrl = await createQueue("retention", { MessageRetentionPeriod: "60" });
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "short-lived" }));
    clockOffsetMs += 61_000;
    expect(await receive(QueueUrl)).toEqual([]);
    expect(await counts(QueueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });
});

describe("dead-letter queues", () => {
  async function queueWithDlq(maxReceiveCount: number) {
    const dlqUrl = await createQueue("dlq");
    const dlqArn = await queueArn(dlqUrl);
    const sourceUrl = await createQueue("source", { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: String(maxReceiveCount) }) });
    return { dlqUrl, dlqArn, sourceUrl, sourceArn: await queueArn(sourceUrl) };
  }

  it("moves a message to the DLQ after maxReceiveCount receives", async () => {
    const { dlqUrl, dlqArn, sourceUrl, sourceArn } = await queueWithDlq(2);
    const policy = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: sourceUrl, AttributeNames: ["RedrivePolicy"] }))).Attributes!.RedrivePolicy!;
    expect(JSON.parse(policy)).toEqual({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 });
    const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl: sourceUrl, MessageBody: "poison", MessageAttributes: { k: { DataType: "String", StringValue: "v" } } }));
    expect(await receive(sourceUrl, { VisibilityTimeout: 0 })).toHaveLength(1);
    expect(await receive(sourceUrl, { VisibilityTimeout: 0 })).toHaveLength(1);
    expect(await receive(sourceUrl, { VisibilityTimeout: 0 })).toEqual([]);
    const [dead] = await receive(dlqUrl, { MessageSystemAttributeNames: ["All"], MessageAttributeNames: ["All"] });
    expect(dead).toMatchObject({ MessageId, Body: "poison", MessageAttributes: { k: { DataType: "String", StringValue: "v" } } });
    expect(dead!.Attributes).toMatchObject({ DeadLetterQueueSourceArn: sourceArn, ApproximateReceiveCount: "3" });

    const sources = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl }));
    expect(sources.queueUrls).toEqual([sourceUrl]);
  });

  it("redrives DLQ messages back to their source with a message move task", async () => {
    const { dlqUrl, dlqArn, sourceUrl } = await queueWithDlq(1);
    for (const body of ["a", "b", "c"]) await sqs.send(new SendMessageCommand({ QueueUrl: sourceUrl, MessageBody: body }));
    await receive(sourceUrl, { VisibilityTimeout: 0 });
    expect(await receive(sourceUrl)).toEqual([]);
    expect((await counts(dlqUrl)).visible).toBe(3);

    const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
    expect(TaskHandle).toBeTruthy();
    const done = await waitFor(async () => {
      const { Results } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
      return Results?.[0]?.Status === "COMPLETED" ? Results[0] : undefined;
    });
    expect(done).toMatchObject({ Status: "COMPLETED", SourceArn: dlqArn, ApproximateNumberOfMessagesMoved: 3, ApproximateNumberOfMessagesToMove: 3 });
    expect(done.TaskHandle).toBeUndefined();
    expect((await receive(sourceUrl, { MessageSystemAttributeNames: ["ApproximateReceiveCount"] })).map((m) => [m.Body, m.Attributes!.ApproximateReceiveCount])).toEqual([
      ["a", "1"],
      ["b", "1"],
      ["c", "1"],
    ]);
    expect((await counts(dlqUrl)).visible).toBe(0);
  });

  it("moves to an explicit destination at a bounded rate and can be cancelled", async () => {
    const { dlqUrl, dlqArn } = await queueWithDlq(1);
    const elsewhereUrl = await createQueue("elsewhere");
    for (let i = 0; i < 5; i++) await sqs.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: `m${i}` }));
    const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: await queueArn(elsewhereUrl), MaxNumberOfMessagesPerSecond: 1 }));
    await expect(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }))).rejects.toMatchObject({ name: "UnsupportedOperation" });
    await waitFor(async () => ((await counts(elsewhereUrl)).visible >= 1 ? true : undefined), 3000);
    const cancelled = await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
    expect(cancelled.ApproximateNumberOfMessagesMoved).toBeGreaterThanOrEqual(1);
    expect(cancelled.ApproximateNumberOfMessagesMoved).toBeLessThan(5);
    const { Results } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn, MaxResults: 10 }));
    expect(Results).toEqual([expect.objectContaining({ Status: "CANCELLED", MaxNumberOfMessagesPerSecond: 1, ApproximateNumberOfMessagesToMove: 5 })]);
    await expect(sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }))).rejects.toMatchObject({ name: "UnsupportedOperation" });
    await expect(sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: "bm90LWEtdGFzaw==" }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it("only starts move tasks on dead-letter queues", async () => {
    const plainArn = await queueArn(await createQueue("plain"));
    await expect(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: plainArn }))).rejects.toMatchObject({ name: "InvalidParameterValue" });
    await expect(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:ghost` }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe("FIFO queues", () => {
  it("orders by group, de-duplicates, and holds a group while a message is in flight", async () => {
    const QueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "jobs.fifo", Attributes: { FifoQueue: "true", ContentBasedDeduplication: "true" } }))).QueueUrl!;
    const first = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "g1-a", MessageGroupId: "g1" }));
    expect(first.SequenceNumber).toMatch(/^\d{20}$/);
    const dup = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "g1-a", MessageGroupId: "g1" }));
    expect(dup.MessageId).toBe(first.MessageId);
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "g1-b", MessageGroupId: "g1" }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "g2-a", MessageGroupId: "g2", MessageDeduplicationId: "x" }));

    const [head] = await receive(QueueUrl, { MaxNumberOfMessages: 1 });
    expect(head!.Body).toBe("g1-a");
    // g1 is held while g1-a is in flight; g2 is free.
    expect((await receive(QueueUrl)).map((m) => m.Body)).toEqual(["g2-a"]);
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: head!.ReceiptHandle }));
    const [next] = await receive(QueueUrl, { MessageSystemAttributeNames: ["MessageGroupId", "SequenceNumber"] });
    expect(next!.Body).toBe("g1-b");
    expect(next!.Attributes!.MessageGroupId).toBe("g1");

    await expect(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "no group" }))).rejects.toMatchObject({ name: "MissingParameter" });
    await expect(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "delayed", MessageGroupId: "g", DelaySeconds: 3 }))).rejects.toMatchObject({ name: "InvalidParameterValue" });
  });
});

describe("awsQuery protocol (older SDKs and CLIs)", () => {
  /** A form-encoded SQS query request, with the credential scope a SigV4-signed request carries. */
  async function query(params: Record<string, string>, path = "/"): Promise<{ status: number; xml: string }> {
    const res = await fetch(`${sandbox.url}${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded; charset=utf-8",
        authorization: "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0",
      },
      body: new URLSearchParams({ Version: "2012-11-05", ...params }).toString(),
    });
    return { status: res.status, xml: await res.text() };
  }

  it("creates, sends and receives with the same digests as the JSON protocol", async () => {
    const created = await query({ Action: "CreateQueue", QueueName: "query-q", "Attribute.1.Name": "VisibilityTimeout", "Attribute.1.Value": "40", "Tag.1.Key": "team", "Tag.1.Value": "sre" });
    expect(created.status).toBe(200);
    const url = /<QueueUrl>([^<]+)<\/QueueUrl>/.exec(created.xml)?.[1];
    expect(url).toBe(`${sandbox.url}/${ACCOUNT}/query-q`);
    expect((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["VisibilityTimeout"] }))).Attributes).toEqual({ VisibilityTimeout: "40" });
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags).toEqual({ team: "sre" });

    const sent = await query(
      {
        Action: "SendMessage",
        QueueUrl: url!,
        MessageBody: "body ✓",
        "MessageAttribute.1.Name": "alpha",
        "MessageAttribute.1.Value.DataType": "Number",
        "MessageAttribute.1.Value.StringValue": "42.5",
        "MessageAttribute.2.Name": "bin",
        "MessageAttribute.2.Value.DataType": "Binary",
        "MessageAttribute.2.Value.BinaryValue": Buffer.from([0, 1, 2, 250]).toString("base64"),
      },
      `/${ACCOUNT}/query-q`,
    );
    expect(sent.xml).toMatch(/^<\?xml version="1.0"\?><SendMessageResponse xmlns="http:\/\/queue.amazonaws.com\/doc\/2012-11-05\/"><SendMessageResult>/);
    expect(sent.xml).toContain(`<MD5OfMessageBody>${createHash("md5").update("body ✓").digest("hex")}</MD5OfMessageBody>`);
    const viaJson = await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: "body ✓",
        MessageAttributes: { alpha: { DataType: "Number", StringValue: "42.5" }, bin: { DataType: "Binary", BinaryValue: Uint8Array.from([0, 1, 2, 250]) } },
      }),
    );
    expect(sent.xml).toContain(`<MD5OfMessageAttributes>${viaJson.MD5OfMessageAttributes}</MD5OfMessageAttributes>`);

    const received = await query({ Action: "ReceiveMessage", QueueUrl: url!, MaxNumberOfMessages: "1", "AttributeName.1": "All", "MessageAttributeName.1": "All" });
    expect(received.xml).toContain("<Message><MessageId>");
    expect(received.xml).toContain("<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>");
    expect(received.xml).toContain("<MessageAttribute><Name>alpha</Name><Value><StringValue>42.5</StringValue><DataType>Number</DataType></Value></MessageAttribute>");
    expect(received.xml).toContain("<MessageAttribute><Name>bin</Name><Value><BinaryValue>AAEC+g==</BinaryValue><DataType>Binary</DataType></Value></MessageAttribute>");
  });

  it("answers batches and errors in the query XML forms", async () => {
    await query({ Action: "CreateQueue", QueueName: "query-batch" });
    const url = `${sandbox.url}/${ACCOUNT}/query-batch`;
    const batch = await query({
      Action: "SendMessageBatch",
      QueueUrl: url,
      "SendMessageBatchRequestEntry.1.Id": "ok",
      "SendMessageBatchRequestEntry.1.MessageBody": "fine",
      "SendMessageBatchRequestEntry.2.Id": "late",
      "SendMessageBatchRequestEntry.2.MessageBody": "x",
      "SendMessageBatchRequestEntry.2.DelaySeconds": "1000",
    });
    expect(batch.xml).toMatch(/<SendMessageBatchResultEntry><Id>ok<\/Id><MessageId>[0-9a-f-]{36}<\/MessageId><MD5OfMessageBody>/);
    expect(batch.xml).toContain("<BatchResultErrorEntry><Id>late</Id><SenderFault>true</SenderFault><Code>InvalidParameterValue</Code>");

    const missing = await query({ Action: "GetQueueUrl", QueueName: "ghost" });
    expect(missing.status).toBe(400);
    expect(missing.xml).toContain("<Error><Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>The specified queue does not exist.</Message>");
    const list = await query({ Action: "ListQueues", QueueNamePrefix: "query-" });
    expect(list.xml).toContain(`<ListQueuesResult><QueueUrl>${sandbox.url}/${ACCOUNT}/query-batch</QueueUrl><QueueUrl>${sandbox.url}/${ACCOUNT}/query-q</QueueUrl></ListQueuesResult>`);
    const deleted = await query({ Action: "DeleteQueue", QueueUrl: url });
    expect(deleted.xml).toMatch(/^<\?xml version="1.0"\?><DeleteQueueResponse [^>]+><ResponseMetadata><RequestId>/);
  });
});

describe("service behaviour", () => {
  it("retries injected throttling (RequestThrottled) with the SDK's retry strategy", async () => {
    const QueueUrl = await createQueue("throttled");
    const patient = new SQSClient({ endpoint: sandbox.url, region: "us-east-1", credentials, maxAttempts: 10 });
    sandbox.resetStats();
    sandbox.setFaults({ "sqs:SendMessage": { throttleRate: 0.3 } });
    const sent = await sendUntilThrottled("sqs:SendMessage", (i) => patient.send(new SendMessageCommand({ QueueUrl, MessageBody: `m${i}` })));
    sandbox.setFaults({});
    const stats = sandbox.stats()["sqs:SendMessage"]!;
    expect(stats.throttled).toBeGreaterThan(0);
    expect(stats.calls - stats.throttled).toBe(sent);
    expect((await counts(QueueUrl)).visible).toBe(sent);

    sandbox.setFaults({ "sqs:SendMessage": { throttleRate: 1 } });
    const err = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x" })).catch((e) => e);
    expect(err.name).toBe("RequestThrottled");
    expect(err.$metadata.attempts).toBe(3);
    patient.destroy();
  }, 60_000);

  it("takes in-process sends from other services by ARN and emits AWS/SQS metrics on request", async () => {
    const QueueUrl = await createQueue("internal");
    const arn = await queueArn(QueueUrl);
    const id = sandbox.context.internals.sendSqsMessage(arn, "from a service", { RequestID: { DataType: "String", StringValue: "r-1" } });
    const [m] = await receive(QueueUrl, { MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["SenderId"] });
    expect(m).toMatchObject({ MessageId: id, Body: "from a service", MessageAttributes: { RequestID: { DataType: "String", StringValue: "r-1" } } });
    expect(() => sandbox.context.internals.sendSqsMessage(`arn:aws:sqs:us-east-1:${ACCOUNT}:ghost`, "x")).toThrow(/does not exist/);

    const service = sandbox.services.find((s) => s.signingName === "sqs") as SqsService;
    const published: { MetricName: string; Value?: number; Dimensions?: { Value: string }[] }[] = [];
    const original = sandbox.context.internals.putMetricData;
    sandbox.context.internals.putMetricData = (ns, data) => {
      if (ns === "AWS/SQS") published.push(...data);
    };
    try {
      service.publishQueueMetrics();
    } finally {
      sandbox.context.internals.putMetricData = original;
    }
    const mine = published.filter((d) => d.Dimensions?.[0]?.Value === QueueUrl.split("/").pop());
    expect(Object.fromEntries(mine.map((d) => [d.MetricName, d.Value]))).toMatchObject({
      ApproximateNumberOfMessagesVisible: 0,
      ApproximateNumberOfMessagesNotVisible: 1,
      NumberOfMessagesSent: 1,
      NumberOfMessagesReceived: 1,
    });
  });

  it("snapshots to plain JSON and restores queues, messages and receipt handles", async () => {
    const QueueUrl = await createQueue("snap");
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "keep me" }));
    const [m] = await receive(QueueUrl);
    const service = sandbox.services.find((s) => s.signingName === "sqs") as SqsService;
    const json = JSON.parse(JSON.stringify(service.snapshot()));
    await sqs.send(new DeleteQueueCommand({ QueueUrl }));
    service.restore(json);
    expect(await counts(QueueUrl)).toEqual({ visible: 0, inFlight: 1, delayed: 0 });
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m!.ReceiptHandle }));
    expect(await counts(QueueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });
});
