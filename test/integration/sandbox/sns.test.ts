import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  BatchEntryIdsNotDistinctException,
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  DeleteTopicCommand,
  EmptyBatchRequestException,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  InvalidParameterException,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  NotFoundException,
  PublishBatchCommand,
  PublishCommand,
  SNSClient,
  SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand,
  SubscribeCommand,
  TagResourceCommand,
  TooManyEntriesInBatchRequestException,
  UnsubscribeCommand,
  UntagResourceCommand,
  paginateListSubscriptionsByTopic,
  paginateListTopics,
} from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, type Message } from "@aws-sdk/client-sqs";
import { CreateFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { startSandbox, type Sandbox } from "../../../lib/sandbox/server.ts";
import type { InvocationRunner } from "../../../lib/sandbox/core.ts";
import type { SnsService } from "../../../lib/sandbox/services/sns.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const ACCOUNT = "123456789012";

let sandbox: Sandbox;
let sns: SNSClient;
let sqs: SQSClient;
let lambda: LambdaClient;
const invocations: { functionName: string; payload: string }[] = [];
const runInvocation: InvocationRunner = async (target, payload, invocation) => {
  invocations.push({ functionName: target.functionName, payload });
  return { statusCode: invocation.invocationType === "Event" ? 202 : 200, requestId: invocation.requestId, executedVersion: target.version, payload: "" };
};

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}
/** A webhook endpoint: records every POST, answers with queued statuses (200 when none). */
let endpoint: { url: string; received: Received[]; statuses: number[]; server: http.Server };

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: 11, runInvocation });
  const config = { endpoint: sandbox.url, region: "us-east-1", credentials };
  sns = new SNSClient(config);
  sqs = new SQSClient(config);
  lambda = new LambdaClient(config);
  const received: Received[] = [];
  const statuses: number[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(statuses.shift() ?? 200);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  endpoint = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, statuses, server };
});

afterAll(async () => {
  for (const c of [sns, sqs, lambda]) c.destroy();
  endpoint.server.closeAllConnections();
  await new Promise((r) => endpoint.server.close(r));
  await sandbox.close();
});

beforeEach(() => {
  sandbox.setFaults({});
  endpoint.received.length = 0;
  endpoint.statuses.length = 0;
  invocations.length = 0;
});

/** The URL a `faasight sandbox` child process prints once it listens. */
function childUrl(child: ReturnType<typeof spawn>): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
      if (m) resolve(m[0]);
    });
    child.once("exit", (code) => reject(new Error(`sandbox exited early (${code})`)));
  });
}

let counter = 0;
async function topic(name = `topic-${++counter}`, Attributes?: Record<string, string>): Promise<string> {
  return (await sns.send(new CreateTopicCommand({ Name: name, Attributes }))).TopicArn!;
}

async function queue(): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `sns-target-${++counter}` }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

async function drain(QueueUrl: string, expected: number): Promise<Message[]> {
  const out: Message[] = [];
  const deadline = Date.now() + 5000;
  while (out.length < expected && Date.now() < deadline) {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ["All"] }));
    out.push(...(Messages ?? []));
  }
  return out;
}

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
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

describe("topics", () => {
  it("creates topics idempotently and rejects conflicting attributes", async () => {
    const arn = await topic("alerts", { DisplayName: "Alerts" });
    expect(arn).toBe(`arn:aws:sns:us-east-1:${ACCOUNT}:alerts`);
    expect(await topic("alerts", { DisplayName: "Alerts" })).toBe(arn);
    await expect(sns.send(new CreateTopicCommand({ Name: "alerts", Attributes: { DisplayName: "Other" } }))).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(sns.send(new CreateTopicCommand({ Name: "bad name!" }))).rejects.toMatchObject({ name: "InvalidParameterException", message: "Invalid parameter: Topic Name" });
  });

  it("reports and updates topic attributes; DeleteTopic is idempotent", async () => {
    const arn = await topic();
    await sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: "DisplayName", AttributeValue: "Pager" }));
    const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }));
    expect(Attributes).toMatchObject({ TopicArn: arn, Owner: ACCOUNT, DisplayName: "Pager", SubscriptionsConfirmed: "0", SubscriptionsPending: "0", SubscriptionsDeleted: "0" });
    expect(JSON.parse(Attributes!.Policy!).Statement[0].Resource).toBe(arn);
    await expect(sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: "Colour", AttributeValue: "x" }))).rejects.toBeInstanceOf(InvalidParameterException);
    await sns.send(new DeleteTopicCommand({ TopicArn: arn }));
    await sns.send(new DeleteTopicCommand({ TopicArn: arn }));
    const err = await sns.send(new GetTopicAttributesCommand({ TopicArn: arn })).catch((e) => e);
    expect(err).toBeInstanceOf(NotFoundException);
    expect(err.$metadata.httpStatusCode).toBe(404);
  });

  it("lists topics 100 per page, and by an injected page size", async () => {
    const created = new Set<string>();
    for (let i = 0; i < 101; i++) created.add(await topic(`page-${String(i).padStart(3, "0")}`));
    const first = await sns.send(new ListTopicsCommand({}));
    expect(first.Topics).toHaveLength(100);
    expect(first.NextToken).toBeTruthy();
    const rest = await sns.send(new ListTopicsCommand({ NextToken: first.NextToken }));
    const all = [...first.Topics!, ...rest.Topics!].map((t) => t.TopicArn!);
    expect(rest.NextToken).toBeUndefined();
    for (const arn of created) expect(all).toContain(arn);
    expect(new Set(all).size).toBe(all.length);

    sandbox.setFaults({ "sns:ListTopics": { pageSize: 40 } });
    const pages: number[] = [];
    for await (const page of paginateListTopics({ client: sns }, {})) pages.push(page.Topics!.length);
    expect(pages.length).toBe(Math.ceil(all.length / 40));
    expect(pages.reduce((a, b) => a + b, 0)).toBe(all.length);
    await expect(sns.send(new ListTopicsCommand({ NextToken: "garbage" }))).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it("tags topics", async () => {
    const arn = await topic();
    await sns.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: "team", Value: "sre" }, { Key: "tier", Value: "1" }] }));
    await sns.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ["tier"] }));
    expect((await sns.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags).toEqual([{ Key: "team", Value: "sre" }]);
    await expect(sns.send(new ListTagsForResourceCommand({ ResourceArn: `${arn}-ghost` }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });
});

describe("SQS subscriptions", () => {
  it("delivers the standard notification envelope with message attributes", async () => {
    const arn = await topic();
    const q = await queue();
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "sqs", Endpoint: q.arn }));
    expect(SubscriptionArn).toMatch(new RegExp(`^${arn}:[0-9a-f-]{36}$`));
    const { MessageId } = await sns.send(
      new PublishCommand({
        TopicArn: arn,
        Subject: "Canary failing",
        Message: "p99 above threshold",
        MessageAttributes: {
          severity: { DataType: "String", StringValue: "high" },
          count: { DataType: "Number", StringValue: "3" },
          blob: { DataType: "Binary", BinaryValue: Uint8Array.from([1, 2, 3]) },
          regions: { DataType: "String.Array", StringValue: '["us-east-1","eu-west-1"]' },
        },
      }),
    );
    const [message] = await drain(q.url, 1);
    const envelope = JSON.parse(message!.Body!);
    expect(Object.keys(envelope)).toEqual(["Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL", "MessageAttributes"]);
    expect(envelope).toMatchObject({
      Type: "Notification",
      MessageId,
      TopicArn: arn,
      Subject: "Canary failing",
      Message: "p99 above threshold",
      SignatureVersion: "1",
      MessageAttributes: {
        severity: { Type: "String", Value: "high" },
        count: { Type: "Number", Value: "3" },
        blob: { Type: "Binary", Value: "AQID" },
        regions: { Type: "String.Array", Value: '["us-east-1","eu-west-1"]' },
      },
    });
    expect(envelope.Timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Buffer.from(envelope.Signature, "base64")).toHaveLength(256);
    expect(envelope.UnsubscribeURL).toBe(`${sandbox.url}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(SubscriptionArn!)}`);
    expect(message!.MessageAttributes).toBeUndefined();
  });

  it("delivers raw messages with SNS attributes as SQS message attributes", async () => {
    const arn = await topic();
    const q = await queue();
    await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "sqs", Endpoint: q.arn, Attributes: { RawMessageDelivery: "true" } }));
    await sns.send(
      new PublishCommand({
        TopicArn: arn,
        Message: '{"alarm":"ok"}',
        MessageAttributes: { severity: { DataType: "String", StringValue: "low" }, blob: { DataType: "Binary", BinaryValue: Uint8Array.from([9]) } },
      }),
    );
    const [message] = await drain(q.url, 1);
    expect(message!.Body).toBe('{"alarm":"ok"}');
    expect(message!.MessageAttributes).toEqual({
      severity: { DataType: "String", StringValue: "low" },
      blob: { DataType: "Binary", BinaryValue: Uint8Array.from([9]) },
    });
  });

  it("applies filter policies on attributes (exact, anything-but, prefix, numeric, exists, arrays) and on the body", async () => {
    const arn = await topic();
    const policies: Record<string, { policy: object; scope?: string }> = {
      exact: { policy: { severity: ["high", "critical"] } },
      anythingBut: { policy: { severity: [{ "anything-but": ["low"] }] } },
      prefix: { policy: { service: [{ prefix: "pay" }] } },
      numeric: { policy: { count: [{ numeric: [">", 5, "<=", 10] }] } },
      notExists: { policy: { debug: [{ exists: false }] } },
      array: { policy: { regions: ["eu-west-1"] } },
      body: { policy: { detail: { state: ["ALARM"] } }, scope: "MessageBody" },
    };
    const queues: Record<string, string> = {};
    for (const [name, { policy, scope }] of Object.entries(policies)) {
      const q = await queue();
      queues[name] = q.url;
      await sns.send(
        new SubscribeCommand({
          TopicArn: arn,
          Protocol: "sqs",
          Endpoint: q.arn,
          Attributes: { RawMessageDelivery: "true", FilterPolicy: JSON.stringify(policy), ...(scope ? { FilterPolicyScope: scope } : {}) },
        }),
      );
    }
    const publish = (label: string, attrs: Record<string, [string, string]>, message = label) =>
      sns.send(
        new PublishCommand({
          TopicArn: arn,
          Message: message,
          MessageAttributes: Object.fromEntries(Object.entries(attrs).map(([k, [DataType, StringValue]]) => [k, { DataType, StringValue }])),
        }),
      );
    await publish("m1", { severity: ["String", "high"], count: ["Number", "7"], service: ["String", "payments"] });
    await publish("m2", { severity: ["String", "low"], count: ["Number", "11"], debug: ["String", "1"], regions: ["String.Array", '["us-east-1","eu-west-1"]'] });
    await publish("m3", { severity: ["String", "7"], count: ["String", "7"] }, JSON.stringify({ detail: { state: "ALARM" } }));

    const bodies = async (url: string) => {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
      return (Messages ?? []).map((m) => (m.Body!.startsWith("{") ? "m3" : m.Body)).sort();
    };
    expect(await bodies(queues.exact!)).toEqual(["m1"]);
    expect(await bodies(queues.anythingBut!)).toEqual(["m1", "m3"]);
    expect(await bodies(queues.prefix!)).toEqual(["m1"]);
    // A String attribute does not satisfy a numeric condition.
    expect(await bodies(queues.numeric!)).toEqual(["m1"]);
    expect(await bodies(queues.notExists!)).toEqual(["m1", "m3"]);
    expect(await bodies(queues.array!)).toEqual(["m2"]);
    expect(await bodies(queues.body!)).toEqual(["m3"]);

    await expect(
      sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "sqs", Endpoint: (await queue()).arn, Attributes: { FilterPolicy: '{"a": "not-an-array"}' } })),
    ).rejects.toMatchObject({ name: "InvalidParameterException", message: expect.stringContaining("FilterPolicy") });
  });

  it("sends each protocol its entry of a MessageStructure=json message", async () => {
    const arn = await topic();
    const q = await queue();
    await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "sqs", Endpoint: q.arn, Attributes: { RawMessageDelivery: "true" } }));
    await sns.send(new PublishCommand({ TopicArn: arn, MessageStructure: "json", Message: JSON.stringify({ default: "for everyone", sqs: "for queues" }) }));
    expect((await drain(q.url, 1)).map((m) => m.Body)).toEqual(["for queues"]);
    await expect(sns.send(new PublishCommand({ TopicArn: arn, MessageStructure: "json", Message: JSON.stringify({ sqs: "x" }) }))).rejects.toMatchObject({
      name: "InvalidParameterException",
      message: "Invalid parameter: Message Structure - No default entry in JSON message body",
    });
    await expect(sns.send(new PublishCommand({ TopicArn: arn, MessageStructure: "json", Message: JSON.stringify({ default: "d", sqs: { nested: true } }) }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
  });

  it("subscribes idempotently, lists subscriptions across pages, and unsubscribes", async () => {
    const arn = await topic();
    const arns: string[] = [];
    for (let i = 0; i < 5; i++) arns.push((await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "sqs", Endpoint: (await queue()).arn }))).SubscriptionArn!);
    const email = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "email", Endpoint: "oncall@example.com" }));
    expect(email.SubscriptionArn).toBe("pending confirmation");
    const { Subscriptions: firstQueue } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }));
    const again = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "sqs", Endpoint: firstQueue![0]!.Endpoint }));
    expect(again.SubscriptionArn).toBe(arns[0]);

    sandbox.setFaults({ "sns:ListSubscriptionsByTopic": { pageSize: 2 } });
    const listed: string[] = [];
    let pages = 0;
    for await (const page of paginateListSubscriptionsByTopic({ client: sns }, { TopicArn: arn })) {
      pages++;
      listed.push(...page.Subscriptions!.map((s) => s.SubscriptionArn!));
    }
    expect(pages).toBe(3);
    expect(listed).toEqual([...arns, "PendingConfirmation"]);

    const all = await sns.send(new ListSubscriptionsCommand({}));
    expect(all.Subscriptions!.filter((s) => s.TopicArn === arn)).toHaveLength(6);

    await sns.send(new UnsubscribeCommand({ SubscriptionArn: arns[0] }));
    await expect(sns.send(new UnsubscribeCommand({ SubscriptionArn: arns[0] }))).rejects.toBeInstanceOf(NotFoundException);
    const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }));
    expect(Attributes).toMatchObject({ SubscriptionsConfirmed: "4", SubscriptionsPending: "1", SubscriptionsDeleted: "1" });
  });

  it("validates endpoints and subscription attributes", async () => {
    const arn = await topic();
    await expect(sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "sqs", Endpoint: "https://example.com" }))).rejects.toMatchObject({ message: "Invalid parameter: SQS endpoint ARN" });
    await expect(sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "pigeon", Endpoint: "x" }))).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(sns.send(new SubscribeCommand({ TopicArn: `${arn}-ghost`, Protocol: "sqs", Endpoint: (await queue()).arn }))).rejects.toBeInstanceOf(NotFoundException);
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "sqs", Endpoint: (await queue()).arn }));
    await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: "RawMessageDelivery", AttributeValue: "true" }));
    const { Attributes } = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }));
    expect(Attributes).toMatchObject({ SubscriptionArn, TopicArn: arn, Protocol: "sqs", RawMessageDelivery: "true", PendingConfirmation: "false", Owner: ACCOUNT });
    await expect(sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: "RawMessageDelivery", AttributeValue: "yes" }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
  });
});

describe("HTTP/S subscriptions", () => {
  it("confirms through the SubscribeURL, then POSTs notifications with SNS headers", async () => {
    const arn = await topic();
    const { SubscriptionArn: pending } = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "http", Endpoint: `${endpoint.url}/hook` }));
    expect(pending).toBe("pending confirmation");
    const confirmation = await waitFor(() => endpoint.received[0]);
    expect(confirmation.headers).toMatchObject({ "x-amz-sns-message-type": "SubscriptionConfirmation", "x-amz-sns-topic-arn": arn, "content-type": "text/plain; charset=UTF-8" });
    const body = JSON.parse(confirmation.body);
    expect(body).toMatchObject({ Type: "SubscriptionConfirmation", TopicArn: arn, Token: expect.stringMatching(/^[0-9a-f]+$/) });
    expect(body.SubscribeURL).toMatch(new RegExp(`^${sandbox.url}/\\?Action=ConfirmSubscription&`));
    expect((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }))).Subscriptions![0]!.SubscriptionArn).toBe("PendingConfirmation");

    // Publishing before confirmation delivers nothing to the pending endpoint.
    await sns.send(new PublishCommand({ TopicArn: arn, Message: "too early" }));

    // What a real endpoint does: GET the SubscribeURL (unsigned, answered by the sandbox).
    const visit = await fetch(body.SubscribeURL);
    expect(visit.status).toBe(200);
    expect(await visit.text()).toContain("<ConfirmSubscriptionResult><SubscriptionArn>");
    const [sub] = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }))).Subscriptions!;
    expect(sub!.SubscriptionArn).toMatch(new RegExp(`^${arn}:`));

    endpoint.received.length = 0;
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn: arn, Message: "deploy finished", Subject: "Deploy" }));
    const notification = await waitFor(() => endpoint.received[0]);
    expect(notification.headers).toMatchObject({
      "x-amz-sns-message-type": "Notification",
      "x-amz-sns-message-id": MessageId,
      "x-amz-sns-topic-arn": arn,
      "x-amz-sns-subscription-arn": sub!.SubscriptionArn,
      "user-agent": "Amazon Simple Notification Service Agent",
    });
    expect(JSON.parse(notification.body)).toMatchObject({ Type: "Notification", MessageId, Message: "deploy finished", Subject: "Deploy" });
    expect(endpoint.received).toHaveLength(1);
  });

  it("delivers to https endpoints whose certificate the sandbox trusts, and to no other", async () => {
    // A certificate for 127.0.0.1; the sandbox command trusts it through NODE_EXTRA_CA_CERTS, as Node does any extra CA.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faasight-sns-tls-"));
    const [key, cert] = [path.join(dir, "key.pem"), path.join(dir, "cert.pem")];
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
    const received: (Received & { encrypted: boolean })[] = [];
    const server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), encrypted: "encrypted" in req.socket });
        res.writeHead(200);
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const hook = `https://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const root = path.resolve(import.meta.dirname, "../../..");
    const child = spawn(process.execPath, [path.join(root, "bin/faasight.js"), "sandbox", "--port", "0"], {
      cwd: root,
      env: { ...process.env, NODE_EXTRA_CA_CERTS: cert },
      stdio: ["ignore", "pipe", "ignore"],
    });
    const trusting = new SNSClient({ endpoint: await childUrl(child), region: "us-east-1", credentials });
    try {
      // The in-process sandbox does not trust the certificate: its confirmation never arrives.
      const untrustedTopic = await topic();
      await sns.send(new SubscribeCommand({ TopicArn: untrustedTopic, Protocol: "https", Endpoint: `${hook}?untrusted` }));
      const TopicArn = (await trusting.send(new CreateTopicCommand({ Name: "tls-topic" }))).TopicArn!;
      const { SubscriptionArn: pending } = await trusting.send(new SubscribeCommand({ TopicArn, Protocol: "https", Endpoint: hook }));
      expect(pending).toBe("pending confirmation");
      const confirmation = await waitFor(() => received.find((r) => r.headers["x-amz-sns-message-type"] === "SubscriptionConfirmation"));
      expect(confirmation.encrypted).toBe(true);
      const { SubscriptionArn } = await trusting.send(new ConfirmSubscriptionCommand({ TopicArn, Token: JSON.parse(confirmation.body).Token }));
      const { MessageId } = await trusting.send(new PublishCommand({ TopicArn, Message: "over TLS" }));
      const notification = await waitFor(() => received.find((r) => r.headers["x-amz-sns-message-type"] === "Notification"));
      expect(notification.headers).toMatchObject({ "x-amz-sns-message-id": MessageId, "x-amz-sns-subscription-arn": SubscriptionArn });
      expect(JSON.parse(notification.body)).toMatchObject({ Type: "Notification", TopicArn, Message: "over TLS" });
      expect(received.filter((r) => r.headers["x-amz-sns-topic-arn"] === untrustedTopic)).toEqual([]);
      const [sub] = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: untrustedTopic }))).Subscriptions!;
      expect(sub!.SubscriptionArn).toBe("PendingConfirmation");
    } finally {
      trusting.destroy();
      child.kill("SIGTERM");
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("confirms with ConfirmSubscription and the token; rejects a wrong token", async () => {
    const arn = await topic();
    await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "http", Endpoint: `${endpoint.url}/confirm-api` }));
    const { Token } = JSON.parse((await waitFor(() => endpoint.received[0])).body);
    await expect(sns.send(new ConfirmSubscriptionCommand({ TopicArn: arn, Token: "0000" }))).rejects.toBeInstanceOf(InvalidParameterException);
    const { SubscriptionArn } = await sns.send(new ConfirmSubscriptionCommand({ TopicArn: arn, Token }));
    expect(SubscriptionArn).toMatch(new RegExp(`^${arn}:`));
    const { Attributes } = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }));
    expect(Attributes).toMatchObject({ PendingConfirmation: "false", Endpoint: `${endpoint.url}/confirm-api` });
  });

  it("retries failed HTTP deliveries by the delivery policy", async () => {
    const arn = await topic();
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "http", Endpoint: `${endpoint.url}/flaky`, ReturnSubscriptionArn: true }));
    const { Token } = JSON.parse((await waitFor(() => endpoint.received[0])).body);
    await sns.send(new ConfirmSubscriptionCommand({ TopicArn: arn, Token }));
    await sns.send(
      new SetSubscriptionAttributesCommand({
        SubscriptionArn,
        AttributeName: "DeliveryPolicy",
        AttributeValue: JSON.stringify({ healthyRetryPolicy: { numRetries: 3, numNoDelayRetries: 3, minDelayTarget: 1, maxDelayTarget: 1 } }),
      }),
    );
    endpoint.received.length = 0;
    endpoint.statuses.push(500, 503);
    await sns.send(new PublishCommand({ TopicArn: arn, Message: "eventually" }));
    await waitFor(() => (endpoint.received.length >= 3 ? true : undefined));
    await new Promise((r) => setTimeout(r, 100));
    expect(endpoint.received).toHaveLength(3);
    expect(new Set(endpoint.received.map((r) => r.headers["x-amz-sns-message-id"])).size).toBe(1);

    // 4xx (other than 429) is not retried.
    endpoint.received.length = 0;
    endpoint.statuses.push(400);
    await sns.send(new PublishCommand({ TopicArn: arn, Message: "rejected" }));
    await waitFor(() => endpoint.received[0]);
    await new Promise((r) => setTimeout(r, 100));
    expect(endpoint.received).toHaveLength(1);
  });
});

describe("Lambda subscriptions", () => {
  it("invokes the function asynchronously with the SNS event record", async () => {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: "alert-handler",
        Runtime: "nodejs20.x",
        Role: `arn:aws:iam::${ACCOUNT}:role/lambda`,
        Handler: "index.handler",
        Code: { ZipFile: Buffer.from("not really a zip") },
      }),
    );
    const arn = await topic();
    const fnArn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:alert-handler`;
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "lambda", Endpoint: fnArn }));
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn: arn, Message: "hello lambda", MessageAttributes: { k: { DataType: "String", StringValue: "v" } } }));
    const call = await waitFor(() => invocations.find((i) => i.functionName === "alert-handler"));
    const event = JSON.parse(call.payload);
    expect(event.Records).toHaveLength(1);
    expect(event.Records[0]).toMatchObject({ EventSource: "aws:sns", EventVersion: "1.0", EventSubscriptionArn: SubscriptionArn });
    expect(event.Records[0].Sns).toMatchObject({
      Type: "Notification",
      MessageId,
      TopicArn: arn,
      Subject: null,
      Message: "hello lambda",
      SignatureVersion: "1",
      MessageAttributes: { k: { Type: "String", Value: "v" } },
    });
    expect(event.Records[0].Sns.SigningCertUrl).toMatch(/^https:\/\//);
    expect(event.Records[0].Sns.UnsubscribeUrl).toContain("Action=Unsubscribe");
  });

  it("sends deliveries that fail to the subscription's dead-letter queue", async () => {
    const arn = await topic();
    const dlq = await queue();
    await sns.send(
      new SubscribeCommand({
        TopicArn: arn,
        Protocol: "lambda",
        Endpoint: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:missing-function`,
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }) },
      }),
    );
    await sns.send(new PublishCommand({ TopicArn: arn, Message: "nobody home" }));
    const [dead] = await drain(dlq.url, 1);
    expect(JSON.parse(dead!.Body!)).toMatchObject({ Type: "Notification", Message: "nobody home", TopicArn: arn });
    expect(dead!.MessageAttributes!.ErrorCode).toEqual({ DataType: "String", StringValue: "ResourceNotFoundException" });
  });
});

describe("publishing", () => {
  it("validates Publish input", async () => {
    const arn = await topic();
    await expect(sns.send(new PublishCommand({ TopicArn: arn, Message: "" }))).rejects.toMatchObject({ message: "Invalid parameter: Empty message" });
    await expect(sns.send(new PublishCommand({ TopicArn: arn, Message: "x".repeat(262_145) }))).rejects.toMatchObject({ message: "Invalid parameter: Message too long" });
    await expect(sns.send(new PublishCommand({ TopicArn: arn, Message: "x", Subject: "line\nbreak" }))).rejects.toMatchObject({ message: "Invalid parameter: Subject" });
    await expect(sns.send(new PublishCommand({ TopicArn: `${arn}-ghost`, Message: "x" }))).rejects.toBeInstanceOf(NotFoundException);
    await expect(
      sns.send(new PublishCommand({ TopicArn: arn, Message: "x", MessageAttributes: { n: { DataType: "Number", StringValue: "abc" } } })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(sns.send(new PublishCommand({ TopicArn: arn, Message: "x", MessageGroupId: "g" }))).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it("publishes batches with per-entry results", async () => {
    const arn = await topic();
    const q = await queue();
    await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "sqs", Endpoint: q.arn, Attributes: { RawMessageDelivery: "true" } }));
    const result = await sns.send(
      new PublishBatchCommand({
        TopicArn: arn,
        PublishBatchRequestEntries: [
          { Id: "a", Message: "first", MessageAttributes: { k: { DataType: "String", StringValue: "v" } } },
          { Id: "b", Message: "" },
          { Id: "c", Message: "third" },
        ],
      }),
    );
    expect(result.Successful!.map((s) => s.Id)).toEqual(["a", "c"]);
    expect(result.Successful![0]!.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.Failed).toEqual([{ Id: "b", Code: "InvalidParameter", Message: "Invalid parameter: Empty message", SenderFault: true }]);
    const delivered = await drain(q.url, 2);
    expect(delivered.map((m) => m.Body).sort()).toEqual(["first", "third"]);
    expect(delivered.find((m) => m.Body === "first")!.MessageAttributes).toEqual({ k: { DataType: "String", StringValue: "v" } });

    await expect(sns.send(new PublishBatchCommand({ TopicArn: arn, PublishBatchRequestEntries: [] }))).rejects.toBeInstanceOf(EmptyBatchRequestException);
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, Message: "x" }));
    await expect(sns.send(new PublishBatchCommand({ TopicArn: arn, PublishBatchRequestEntries: eleven }))).rejects.toBeInstanceOf(TooManyEntriesInBatchRequestException);
    await expect(
      sns.send(new PublishBatchCommand({ TopicArn: arn, PublishBatchRequestEntries: [{ Id: "d", Message: "x" }, { Id: "d", Message: "y" }] })),
    ).rejects.toBeInstanceOf(BatchEntryIdsNotDistinctException);
  });

  it("orders and de-duplicates on FIFO topics", async () => {
    const arn = await topic("orders.fifo", { FifoTopic: "true", ContentBasedDeduplication: "true" });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "orders-sink.fifo", Attributes: { FifoQueue: "true", ContentBasedDeduplication: "true" } }));
    const qArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
    await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "sqs", Endpoint: qArn, Attributes: { RawMessageDelivery: "true" } }));
    await expect(sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "http", Endpoint: endpoint.url }))).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(sns.send(new PublishCommand({ TopicArn: arn, Message: "no group" }))).rejects.toBeInstanceOf(InvalidParameterException);
    const first = await sns.send(new PublishCommand({ TopicArn: arn, Message: "one", MessageGroupId: "g" }));
    const dup = await sns.send(new PublishCommand({ TopicArn: arn, Message: "one", MessageGroupId: "g" }));
    const second = await sns.send(new PublishCommand({ TopicArn: arn, Message: "two", MessageGroupId: "g" }));
    expect(dup.MessageId).toBe(first.MessageId);
    expect(BigInt(second.SequenceNumber!)).toBeGreaterThan(BigInt(first.SequenceNumber!));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    expect(Messages!.map((m) => m.Body)).toEqual(["one", "two"]);
  });

  it("publishes in-process for other services and counts delivery metrics", async () => {
    const arn = await topic("internal-alerts");
    const q = await queue();
    await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "sqs", Endpoint: q.arn, Attributes: { RawMessageDelivery: "true" } }));
    await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "sqs", Endpoint: `arn:aws:sqs:us-east-1:${ACCOUNT}:ghost-queue` }));
    const metrics: { MetricName: string; Value?: number }[] = [];
    const original = sandbox.context.internals.putMetricData;
    sandbox.context.internals.putMetricData = (ns, data) => {
      if (ns === "AWS/SNS" && data[0]?.Dimensions?.[0]?.Value === "internal-alerts") metrics.push(...data);
    };
    try {
      const id = sandbox.context.internals.publishSns(arn, "from an alarm", "ALARM", { state: { DataType: "String", StringValue: "ALARM" } });
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      sandbox.context.internals.putMetricData = original;
    }
    expect((await drain(q.url, 1)).map((m) => [m.Body, m.MessageAttributes?.state?.StringValue])).toEqual([["from an alarm", "ALARM"]]);
    const total = (name: string) => metrics.filter((m) => m.MetricName === name).reduce((s, m) => s + (m.Value ?? 0), 0);
    expect(total("NumberOfMessagesPublished")).toBe(1);
    expect(total("NumberOfNotificationsDelivered")).toBe(1);
    expect(total("NumberOfNotificationsFailed")).toBe(1);
    expect(() => sandbox.context.internals.publishSns(`${arn}-ghost`, "x")).toThrow(/Topic does not exist/);
  });

  it("answers injected throttling with Throttled (429), which the SDK retries", async () => {
    const arn = await topic();
    const patient = new SNSClient({ endpoint: sandbox.url, region: "us-east-1", credentials, maxAttempts: 10 });
    sandbox.resetStats();
    sandbox.setFaults({ "sns:Publish": { throttleRate: 0.3 } });
    const sent = await sendUntilThrottled("sns:Publish", (i) => patient.send(new PublishCommand({ TopicArn: arn, Message: `m${i}` })));
    const stats = sandbox.stats()["sns:Publish"]!;
    expect(stats.throttled).toBeGreaterThan(0);
    expect(stats.calls - stats.throttled).toBe(sent);
    sandbox.setFaults({ "sns:Publish": { throttleRate: 1 } });
    const err = await sns.send(new PublishCommand({ TopicArn: arn, Message: "x" })).catch((e) => e);
    expect(err.name).toBe("ThrottledException");
    expect(err.$metadata).toMatchObject({ httpStatusCode: 429, attempts: 3 });
    patient.destroy();
  }, 60_000);

  it("snapshots to plain JSON and restores topics and subscriptions", async () => {
    const arn = await topic("snapshot-topic", { DisplayName: "Snap" });
    const q = await queue();
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "sqs", Endpoint: q.arn, Attributes: { RawMessageDelivery: "true" } }));
    const service = sandbox.services.find((s) => s.signingName === "sns") as SnsService;
    const json = JSON.parse(JSON.stringify(service.snapshot()));
    await sns.send(new DeleteTopicCommand({ TopicArn: arn }));
    service.restore(json);
    expect((await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes!.DisplayName).toBe("Snap");
    expect((await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes!.RawMessageDelivery).toBe("true");
    await sns.send(new PublishCommand({ TopicArn: arn, Message: "after restore" }));
    expect((await drain(q.url, 1)).map((m) => m.Body)).toEqual(["after restore"]);
  });
});
