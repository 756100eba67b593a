/** SNS channel: Publish with a Subject, the JSON message and filterable message attributes. */
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { messageAttributesOf, subjectOf, type AlertMessage } from "../payload.ts";

export const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):([A-Za-z0-9_-]{1,256}(?:\.fifo)?)$/;

/** Region, account and name of a topic ARN, or null when it is not one. */
export function parseTopicArn(arn: string): { region: string; accountId: string; name: string; fifo: boolean } | null {
  const m = SNS_TOPIC_ARN.exec(arn);
  return m ? { region: m[1], accountId: m[2], name: m[3], fifo: m[3].endsWith(".fifo") } : null;
}

/** Publishes one notification; throws the SDK error when SNS refuses it. */
export async function publishAlert(client: SNSClient, topicArn: string, message: AlertMessage): Promise<{ messageId: string | undefined }> {
  const fifo = topicArn.endsWith(".fifo");
  const out = await client.send(
    new PublishCommand({
      TopicArn: topicArn,
      Subject: subjectOf(message),
      Message: JSON.stringify(message),
      MessageAttributes: messageAttributesOf(message),
      // FIFO topics need a group (one per rule keeps its notifications ordered) and a deduplication id.
      ...(fifo ? { MessageGroupId: `rule-${message.rule.id ?? "test"}`, MessageDeduplicationId: message.id.slice(0, 128) } : {}),
    }),
  );
  return { messageId: out.MessageId };
}
