import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, type MessageAttributeValue } from "@aws-sdk/client-sqs";
import { DATABASES } from "../helpers/databases.ts";
import { startMoto, type MotoServer } from "../helpers/moto.ts";
import { createAwsClients, type AwsClients } from "../../../lib/aws/clients.ts";
import { redriveQueue } from "../../../lib/replay/index.ts";
import { ACCOUNT, REGION, captureQueue, depth, operator, peekAll } from "./helpers.ts";

/**
 * moto does not implement StartMessageMoveTask (it answers an HTML 500): the queue redrive
 * must fall back to receive, SendMessageBatch, and DeleteMessageBatch of confirmed sends only.
 */
let moto: MotoServer | null = null;
let clients: AwsClients;

beforeAll(async () => {
  moto = await startMoto();
  if (moto) clients = createAwsClients({ region: REGION, endpoint: moto.url, credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
});
afterAll(async () => {
  clients?.destroy();
  await moto?.stop();
});

const attributes = (i: number): Record<string, MessageAttributeValue> => ({
  tenant: { DataType: "String", StringValue: `t-${i}` },
  priority: { DataType: "Number", StringValue: String(i) },
});

// The fallback is about SQS, not the store (redrive.test.ts covers both databases): SQLite only.
describe.each(DATABASES.filter((d) => d.name === "sqlite"))("queue redrive without StartMessageMoveTask, against moto ($name)", ({ name, create }) => {
  it("moves every message with send-then-delete and settles the events", async (ctx) => {
    if (!moto) return ctx.skip();
    const t = await create();
    try {
      const sqs = clients.sqs;
      const queue = async (q: string, attrs?: Record<string, string>) => {
        const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: q, Attributes: attrs }));
        const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
        return { url: QueueUrl!, arn: Attributes!.QueueArn! };
      };
      const dlq = await queue(`jobs-dlq-${name}`);
      const src = await queue(`jobs-${name}`, { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 1 }) });
      await sqs.send(new SendMessageBatchCommand({ QueueUrl: src.url, Entries: Array.from({ length: 4 }, (_, i) => ({ Id: `j${i}`, MessageBody: JSON.stringify({ job: i }), MessageAttributes: attributes(i) })) }));
      for (let i = 0; i < 3; i++) await sqs.send(new ReceiveMessageCommand({ QueueUrl: src.url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
      expect(await depth(sqs, dlq.url)).toBe(4);

      const source = await t.db.source.create({ data: { name: "moto", accountId: ACCOUNT, region: REGION, endpoint: moto.url } });
      const dlqRow = await t.db.queue.create({ data: { sourceId: source.id, name: `jobs-dlq-${name}`, url: dlq.url, arn: dlq.arn, role: "dlq", feedsJson: JSON.stringify([src.arn]) } });
      const ids = await captureQueue(t.db, { sqs }, { id: dlqRow.id, url: dlq.url });
      expect(ids.size).toBe(4);

      const r = await redriveQueue(t.db, clients, operator, { queueId: dlqRow.id, destinationQueueArn: src.arn });
      expect(r).toMatchObject({ outcome: "completed", method: "send-then-delete", events: 4, replayed: 4, notMoved: 0, moved: 4 });
      expect(await depth(sqs, dlq.url)).toBe(0);
      const moved = await peekAll(sqs, src.url);
      expect(moved.map((m) => m.Body).sort()).toEqual([0, 1, 2, 3].map((i) => JSON.stringify({ job: i })));
      for (const m of moved) expect(m.MessageAttributes).toEqual(attributes((JSON.parse(m.Body!) as { job: number }).job));
      const attempts = await t.db.replayAttempt.findMany({ where: { failedEvent: { queueId: dlqRow.id } } });
      expect(attempts.map((a) => `${a.invocationType}:${a.status}`)).toEqual(Array(4).fill("send:succeeded"));
      expect(new Set(attempts.map((a) => a.resultRequestId))).toEqual(new Set(moved.map((m) => m.MessageId)));
    } finally {
      await t.drop();
    }
  });
});
