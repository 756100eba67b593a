/**
 * Amazon SNS over awsQuery: topics (standard and FIFO), subscriptions (sqs, lambda,
 * http/https with confirmation, email and others stored only), filter policies, and
 * Publish/PublishBatch fan-out with AWS's envelopes, raw delivery, retries and DLQs.
 *
 * HTTP/S subscriptions behave as on AWS: SNS POSTs a SubscriptionConfirmation and the
 * subscription stays PendingConfirmation until ConfirmSubscription is called with the
 * token, e.g. by GETting the SubscribeURL, which points at the sandbox itself.
 */
import { createHash } from "node:crypto";
import { AwsServiceError, decodeToken, encodeToken, hexId, newRequestId, type SandboxContext, type SandboxRequest, type SandboxService, type SqsMessageAttribute } from "../core.ts";
import { QueryParams, queryProtocol, XmlMap } from "../protocols.ts";
import {
  MANAGED_ENDPOINT_RETRY,
  buildEnvelope,
  buildLambdaEvent,
  deliveryPolicyError,
  effectiveHttpPolicy,
  postNotification,
  retryDelays,
  type EnvelopeInput,
  type NotificationType,
} from "./sns-delivery.ts";
import { PatternSyntaxError, matchesPattern, validatePattern } from "./sns-filter-policy.ts";

interface SnsTopic {
  arn: string;
  name: string;
  attributes: Record<string, string>;
  tags: Record<string, string>;
  createdAt: number;
  subscriptionsDeleted: number;
  nextSequence: number;
  deduplication: Record<string, { messageId: string; expiresAt: number }>;
}

interface SnsSubscription {
  arn: string;
  topicArn: string;
  protocol: string;
  endpoint: string;
  attributes: Record<string, string>;
  pending: boolean;
  token?: string;
  /** Scheme://host the subscriber used, for SubscribeURL / UnsubscribeURL. */
  baseUrl: string;
  seq: number;
}

interface SnsState {
  topics: Record<string, SnsTopic>;
  subscriptions: Record<string, SnsSubscription>;
  nextSubscriptionSeq: number;
}

interface PublishInput {
  topicArn: string;
  message: string;
  subject?: string;
  messageAttributes?: Record<string, SqsMessageAttribute>;
  messageStructure?: string;
  groupId?: string;
  deduplicationId?: string;
}

const PROTOCOLS = new Set(["http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose"]);
const CONFIRMED_ON_SUBSCRIBE = new Set(["sqs", "lambda", "application", "firehose", "sms"]);
const TOPIC_ATTRIBUTES = new Set([
  "DeliveryPolicy",
  "DisplayName",
  "Policy",
  "KmsMasterKeyId",
  "SignatureVersion",
  "TracingConfig",
  "FifoTopic",
  "ContentBasedDeduplication",
  "ArchivePolicy",
  "DataProtectionPolicy",
  "MaximumMessageSize",
  "FifoThroughputScope",
]);
const SUBSCRIPTION_ATTRIBUTES = new Set(["DeliveryPolicy", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy", "SubscriptionRoleArn", "ReplayPolicy"]);
const DEFAULT_MAX_MESSAGE_BYTES = 262_144;
const PAGE_SIZE = 100;
const DEDUP_WINDOW_MS = 5 * 60_000;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

/** A record without a prototype, so user-chosen keys such as "constructor" or "__proto__" are plain keys. */
function dict<T>(entries?: Record<string, T>): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  for (const [k, v] of Object.entries(entries ?? {})) out[k] = v;
  return out;
}

const snsError = (code: string, message: string, status = 400) => new AwsServiceError(code, message, status, { fault: "Sender" });
const invalid = (message: string) => snsError("InvalidParameter", `Invalid parameter: ${message}`);
const notFound = (message: string) => snsError("NotFound", message, 404);

/** The SNS service of the sandbox. */
export class SnsService implements SandboxService {
  readonly signingName: string;
  readonly matches: SandboxService["matches"];
  readonly resolve: SandboxService["resolve"];
  readonly renderError: SandboxService["renderError"];
  readonly throttlingError: SandboxService["throttlingError"];

  private state: SnsState = { topics: dict(), subscriptions: dict(), nextSubscriptionSeq: 1 };
  private lastBaseUrl: string | undefined;

  constructor(private readonly ctx: SandboxContext) {
    const op =
      (fn: (p: QueryParams, req: SandboxRequest) => unknown) =>
      (p: QueryParams, _ctx: SandboxContext, req: SandboxRequest) => {
        this.lastBaseUrl = baseUrlOf(req) ?? this.lastBaseUrl;
        return fn.call(this, p, req);
      };
    const proto = queryProtocol({
      signingName: "sns",
      xmlns: "http://sns.amazonaws.com/doc/2010-03-31/",
      throttlingError: () => snsError("Throttled", "Rate exceeded", 429),
      operations: {
        CreateTopic: op(this.createTopic),
        DeleteTopic: op(this.deleteTopic),
        ListTopics: op(this.listTopics),
        GetTopicAttributes: op(this.getTopicAttributes),
        SetTopicAttributes: op(this.setTopicAttributes),
        Subscribe: op(this.subscribe),
        ConfirmSubscription: op(this.confirmSubscription),
        Unsubscribe: op(this.unsubscribe),
        ListSubscriptions: op(this.listSubscriptions),
        ListSubscriptionsByTopic: op(this.listSubscriptionsByTopic),
        GetSubscriptionAttributes: op(this.getSubscriptionAttributes),
        SetSubscriptionAttributes: op(this.setSubscriptionAttributes),
        Publish: op(this.publish),
        PublishBatch: op(this.publishBatch),
        TagResource: op(this.tagResource),
        UntagResource: op(this.untagResource),
        ListTagsForResource: op(this.listTagsForResource),
      },
    });
    this.signingName = proto.signingName;
    this.matches = proto.matches;
    this.resolve = proto.resolve;
    this.renderError = proto.renderError;
    this.throttlingError = proto.throttlingError;
  }

  // ------------------------------------------------------------ internals

  /** Publishes to a topic in-process (CloudWatch alarms, EventBridge targets); returns the message id. */
  publishInternal(topicArn: string, message: string, subject?: string, messageAttributes?: Record<string, SqsMessageAttribute>): string {
    const topic = this.state.topics[topicArn];
    if (!topic) throw notFound("Topic does not exist");
    const fifo = topic.attributes.FifoTopic === "true";
    return this.publishValidated(topic, {
      topicArn,
      message,
      subject,
      messageAttributes: validateAttributes(messageAttributes),
      groupId: fifo ? "sandbox" : undefined,
      deduplicationId: fifo ? newRequestId(this.ctx.random) : undefined,
    }).MessageId;
  }

  snapshot(): unknown {
    return this.state;
  }

  restore(state: unknown): void {
    const s = structuredClone(state as SnsState);
    const topics = dict<SnsTopic>();
    for (const [arn, t] of Object.entries(s.topics ?? {})) topics[arn] = { ...t, tags: dict(t.tags), deduplication: dict(t.deduplication) };
    this.state = { topics, subscriptions: dict(s.subscriptions), nextSubscriptionSeq: s.nextSubscriptionSeq ?? 1 };
  }

  // ------------------------------------------------------------ topics

  private createTopic(p: QueryParams) {
    const name = p.get("Name") ?? "";
    const attributes = flatMap(p.map("Attributes"));
    const tags = dict(Object.fromEntries(p.list("Tags").map((t) => [t.Key ?? "", t.Value ?? ""])));
    const fifo = attributes.FifoTopic === "true";
    const base = fifo ? name.replace(/\.fifo$/, "") : name;
    if (!/^[A-Za-z0-9_-]{1,256}$/.test(base) || name.length > 256 || fifo !== name.endsWith(".fifo")) throw invalid("Topic Name");
    for (const [key, value] of Object.entries(attributes)) this.checkTopicAttribute(key, value, fifo);
    const arn = `arn:aws:sns:${this.ctx.region}:${this.ctx.accountId}:${name}`;
    const existing = this.state.topics[arn];
    if (existing) {
      for (const [key, value] of Object.entries(attributes)) {
        if ((existing.attributes[key] ?? "") !== value) throw invalid("Attributes Reason: Topic already exists with different attributes");
      }
      for (const [key, value] of Object.entries(tags)) {
        if (existing.tags[key] !== value) throw invalid("Tags Reason: Topic already exists with different tags");
      }
      return { TopicArn: arn };
    }
    if (attributes.FifoTopic === "false") delete attributes.FifoTopic;
    this.state.topics[arn] = { arn, name, attributes, tags, createdAt: this.ctx.now(), subscriptionsDeleted: 0, nextSequence: 1, deduplication: dict() };
    this.ctx.touch();
    return { TopicArn: arn };
  }

  private checkTopicAttribute(name: string, value: string, fifo: boolean): void {
    const feedback = /^(HTTP|HTTPS|Lambda|SQS|Application|Firehose)(SuccessFeedbackRoleArn|FailureFeedbackRoleArn|SuccessFeedbackSampleRate)$/.test(name);
    if (!TOPIC_ATTRIBUTES.has(name) && !feedback) throw invalid("AttributeName");
    if ((name === "ContentBasedDeduplication" || name === "FifoThroughputScope") && !fifo) throw invalid(`Attributes Reason: ${name} is only valid for FIFO topics`);
    if ((name === "FifoTopic" || name === "ContentBasedDeduplication") && value !== "true" && value !== "false") throw invalid(`Attributes Reason: ${name}: Invalid value [${value}]`);
    if (name === "SignatureVersion" && value !== "1" && value !== "2") throw invalid("Attributes Reason: SignatureVersion: Invalid value");
    if (name === "MaximumMessageSize" && !(/^\d+$/.test(value) && Number(value) >= 1024 && Number(value) <= 1_048_576)) {
      throw invalid("Attributes Reason: MaximumMessageSize must be between 1024 and 1048576");
    }
    if (name === "DeliveryPolicy") {
      const error = deliveryPolicyError(value, "topic");
      if (error) throw invalid(error);
    }
    if (name === "Policy" || name === "DataProtectionPolicy" || name === "ArchivePolicy") {
      try {
        JSON.parse(value);
      } catch {
        throw invalid(`${name}: failed to parse JSON`);
      }
    }
  }

  private deleteTopic(p: QueryParams) {
    const arn = this.requireTopicArn(p.get("TopicArn"));
    // Deleting a topic that does not exist is not an error on AWS.
    if (!this.state.topics[arn]) return undefined;
    delete this.state.topics[arn];
    for (const sub of Object.values(this.state.subscriptions)) if (sub.topicArn === arn) delete this.state.subscriptions[sub.arn];
    this.ctx.touch();
    return undefined;
  }

  private listTopics(p: QueryParams) {
    const arns = Object.keys(this.state.topics).sort();
    const after = this.cursor(p.get("NextToken"));
    const start = after === undefined ? 0 : arns.findIndex((a) => a > after);
    const from = start < 0 ? arns.length : start;
    const size = this.ctx.pageSize("sns", "ListTopics", PAGE_SIZE);
    const page = arns.slice(from, from + size);
    return {
      Topics: page.map((TopicArn) => ({ TopicArn })),
      ...(from + size < arns.length ? { NextToken: encodeToken({ after: page[page.length - 1] }) } : {}),
    };
  }

  private getTopicAttributes(p: QueryParams) {
    const topic = this.topic(p.get("TopicArn"));
    const subs = Object.values(this.state.subscriptions).filter((s) => s.topicArn === topic.arn);
    const attributes: Record<string, string> = {
      Policy: topic.attributes.Policy ?? this.defaultPolicy(topic.arn),
      Owner: this.ctx.accountId,
      SubscriptionsPending: String(subs.filter((s) => s.pending).length),
      TopicArn: topic.arn,
      EffectiveDeliveryPolicy: JSON.stringify({
        http: {
          defaultHealthyRetryPolicy: { minDelayTarget: 20, maxDelayTarget: 20, numRetries: 3, numMaxDelayRetries: 0, numNoDelayRetries: 0, numMinDelayRetries: 0, backoffFunction: "linear" },
          disableSubscriptionOverrides: false,
          defaultRequestPolicy: { headerContentType: "text/plain; charset=UTF-8" },
        },
      }),
      SubscriptionsConfirmed: String(subs.filter((s) => !s.pending).length),
      DisplayName: "",
      SubscriptionsDeleted: String(topic.subscriptionsDeleted),
      ...topic.attributes,
    };
    if (topic.attributes.FifoTopic === "true") attributes.ContentBasedDeduplication ??= "false";
    return { Attributes: new XmlMap(attributes) };
  }

  private defaultPolicy(topicArn: string): string {
    return JSON.stringify({
      Version: "2008-10-17",
      Id: "__default_policy_ID",
      Statement: [
        {
          Sid: "__default_statement_ID",
          Effect: "Allow",
          Principal: { AWS: "*" },
          Action: ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
          Resource: topicArn,
          Condition: { StringEquals: { "AWS:SourceOwner": this.ctx.accountId } },
        },
      ],
    });
  }

  private setTopicAttributes(p: QueryParams) {
    const topic = this.topic(p.get("TopicArn"));
    const name = p.require("AttributeName");
    const value = p.get("AttributeValue") ?? "";
    if (name === "FifoTopic") throw invalid("AttributeName Reason: FifoTopic cannot be changed");
    this.checkTopicAttribute(name, value, topic.attributes.FifoTopic === "true");
    if (value === "" && name !== "DisplayName") delete topic.attributes[name];
    else topic.attributes[name] = value;
    this.ctx.touch();
    return undefined;
  }

  private taggedTopic(arn: string | undefined): SnsTopic {
    const topic = arn ? this.state.topics[arn] : undefined;
    if (!topic) throw snsError("ResourceNotFound", "Resource does not exist", 404);
    return topic;
  }

  private tagResource(p: QueryParams) {
    const topic = this.taggedTopic(p.get("ResourceArn"));
    const tags = p.list("Tags");
    if (tags.some((t) => !t.Key)) throw invalid("Tags Reason: Tag key must not be empty");
    const merged = dict({ ...topic.tags, ...Object.fromEntries(tags.map((t) => [t.Key!, t.Value ?? ""])) });
    if (Object.keys(merged).length > 50) throw snsError("TagLimitExceeded", "Could not complete request: tag quota of per resource exceeded");
    topic.tags = merged;
    this.ctx.touch();
    return {};
  }

  private untagResource(p: QueryParams) {
    const topic = this.taggedTopic(p.get("ResourceArn"));
    for (const key of p.list("TagKeys").map((k) => k[""] ?? "")) delete topic.tags[key];
    this.ctx.touch();
    return {};
  }

  private listTagsForResource(p: QueryParams) {
    const topic = this.taggedTopic(p.get("ResourceArn"));
    return { Tags: Object.entries(topic.tags).map(([Key, Value]) => ({ Key, Value })) };
  }

  // ------------------------------------------------------------ subscriptions

  private subscribe(p: QueryParams, req: SandboxRequest) {
    const topic = this.topic(p.get("TopicArn"));
    const protocol = (p.get("Protocol") ?? "").toLowerCase();
    const endpoint = p.get("Endpoint") ?? "";
    if (!PROTOCOLS.has(protocol)) throw invalid(`Invalid protocol type: ${protocol}`);
    this.checkEndpoint(protocol, endpoint);
    if (topic.attributes.FifoTopic === "true" && protocol !== "sqs") throw invalid(`Invalid protocol type: ${protocol}`);
    const attributes = flatMap(p.map("Attributes"));
    for (const [name, value] of Object.entries(attributes)) this.checkSubscriptionAttribute(name, value, protocol);
    const returnArn = p.get("ReturnSubscriptionArn") === "true";

    const existing = Object.values(this.state.subscriptions).find((s) => s.topicArn === topic.arn && s.protocol === protocol && s.endpoint === endpoint);
    if (existing) {
      for (const [name, value] of Object.entries(attributes)) {
        if (existing.attributes[name] !== value) throw invalid("Attributes Reason: Subscription already exists with different attributes");
      }
      return { SubscriptionArn: existing.pending && !returnArn ? "pending confirmation" : existing.arn };
    }
    const sub: SnsSubscription = {
      arn: `${topic.arn}:${newRequestId(this.ctx.random)}`,
      topicArn: topic.arn,
      protocol,
      endpoint,
      attributes,
      pending: !CONFIRMED_ON_SUBSCRIBE.has(protocol),
      baseUrl: baseUrlOf(req) ?? this.fallbackBaseUrl(),
      seq: this.state.nextSubscriptionSeq++,
    };
    if (sub.pending) sub.token = hexId(this.ctx.random, 128);
    this.state.subscriptions[sub.arn] = sub;
    this.ctx.touch();
    if (protocol === "http" || protocol === "https") this.sendConfirmation(topic, sub, "SubscriptionConfirmation");
    return { SubscriptionArn: sub.pending && !returnArn ? "pending confirmation" : sub.arn };
  }

  private checkEndpoint(protocol: string, endpoint: string): void {
    const ok =
      protocol === "sqs"
        ? /^arn:aws[\w-]*:sqs:[\w-]+:\d{12}:[\w.-]+$/.test(endpoint)
        : protocol === "lambda"
          ? /^arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:[\w-]+(:[\w$-]+)?$/.test(endpoint)
          : protocol === "http" || protocol === "https"
            ? endpoint.toLowerCase().startsWith(`${protocol}://`)
            : protocol === "email" || protocol === "email-json"
              ? /^[^@\s]+@[^@\s]+$/.test(endpoint)
              : protocol === "sms"
                ? /^\+?\d{7,15}$/.test(endpoint)
                : endpoint.startsWith("arn:");
    if (!ok) {
      throw invalid(protocol === "sqs" ? "SQS endpoint ARN" : protocol === "lambda" ? "Lambda endpoint ARN" : protocol.startsWith("email") ? "Email address" : "Endpoint must match the specified protocol");
    }
  }

  private checkSubscriptionAttribute(name: string, value: string, protocol: string): void {
    if (!SUBSCRIPTION_ATTRIBUTES.has(name)) throw invalid(`Attributes Reason: Unknown attribute ${name}`);
    if (name === "RawMessageDelivery") {
      if (value !== "true" && value !== "false") throw invalid("Attributes Reason: RawMessageDelivery: Invalid value [" + value + "]. Must be true or false.");
      if (value === "true" && !["sqs", "http", "https", "firehose"].includes(protocol)) throw invalid("Attributes Reason: Delivery protocol [" + protocol + "] does not support raw message delivery.");
    }
    if (name === "FilterPolicy" && value !== "") {
      let policy: unknown;
      try {
        policy = JSON.parse(value);
        validatePattern(policy);
      } catch (err) {
        throw invalid(`FilterPolicy: ${err instanceof PatternSyntaxError ? err.message : "failed to parse JSON"}`);
      }
    }
    if (name === "FilterPolicyScope" && value !== "MessageAttributes" && value !== "MessageBody") throw invalid("Attributes Reason: FilterPolicyScope: Invalid value [" + value + "]");
    if (name === "DeliveryPolicy") {
      const error = deliveryPolicyError(value, "subscription");
      if (error) throw invalid(error);
    }
    if (name === "RedrivePolicy" && value !== "") {
      let target: unknown;
      try {
        target = (JSON.parse(value) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn;
      } catch {
        throw invalid("RedrivePolicy: failed to parse JSON");
      }
      if (typeof target !== "string" || !target.startsWith("arn:aws:sqs:")) throw invalid("RedrivePolicy: deadLetterTargetArn is invalid");
    }
  }

  private confirmSubscription(p: QueryParams) {
    const topic = this.topic(p.get("TopicArn"));
    const token = p.require("Token");
    const sub = Object.values(this.state.subscriptions).find((s) => s.topicArn === topic.arn && s.token === token);
    if (!sub) throw invalid("Token");
    if (sub.pending) {
      sub.pending = false;
      if (p.get("AuthenticateOnUnsubscribe") === "true") sub.attributes.ConfirmationWasAuthenticated = "true";
      this.ctx.touch();
    }
    return { SubscriptionArn: sub.arn };
  }

  private unsubscribe(p: QueryParams) {
    const arn = p.require("SubscriptionArn");
    const sub = this.state.subscriptions[arn];
    if (!sub) throw notFound("Subscription does not exist");
    delete this.state.subscriptions[arn];
    const topic = this.state.topics[sub.topicArn];
    if (topic) {
      topic.subscriptionsDeleted++;
      if ((sub.protocol === "http" || sub.protocol === "https") && !sub.pending) this.sendConfirmation(topic, sub, "UnsubscribeConfirmation");
    }
    this.ctx.touch();
    return undefined;
  }

  private listSubscriptions(p: QueryParams) {
    return this.subscriptionPage(Object.values(this.state.subscriptions), p.get("NextToken"), "ListSubscriptions");
  }

  private listSubscriptionsByTopic(p: QueryParams) {
    const topic = this.topic(p.get("TopicArn"));
    return this.subscriptionPage(
      Object.values(this.state.subscriptions).filter((s) => s.topicArn === topic.arn),
      p.get("NextToken"),
      "ListSubscriptionsByTopic",
    );
  }

  private subscriptionPage(subs: SnsSubscription[], token: string | undefined, operation: string) {
    const after = this.cursor(token);
    const sorted = subs.sort((a, b) => a.seq - b.seq).filter((s) => after === undefined || s.seq > Number(after));
    const size = this.ctx.pageSize("sns", operation, PAGE_SIZE);
    const page = sorted.slice(0, size);
    return {
      Subscriptions: page.map((s) => ({
        SubscriptionArn: s.pending ? "PendingConfirmation" : s.arn,
        Owner: this.ctx.accountId,
        Protocol: s.protocol,
        Endpoint: s.endpoint,
        TopicArn: s.topicArn,
      })),
      ...(sorted.length > size ? { NextToken: encodeToken({ after: String(page[page.length - 1]!.seq) }) } : {}),
    };
  }

  private getSubscriptionAttributes(p: QueryParams) {
    const sub = this.subscription(p.get("SubscriptionArn"));
    const attributes: Record<string, string> = {
      Owner: this.ctx.accountId,
      RawMessageDelivery: "false",
      TopicArn: sub.topicArn,
      Endpoint: sub.endpoint,
      Protocol: sub.protocol,
      PendingConfirmation: String(sub.pending),
      ConfirmationWasAuthenticated: String(!sub.pending && CONFIRMED_ON_SUBSCRIBE.has(sub.protocol)),
      SubscriptionArn: sub.arn,
      SubscriptionPrincipal: `arn:aws:iam::${this.ctx.accountId}:user/sandbox`,
      ...sub.attributes,
    };
    if (sub.attributes.FilterPolicy) attributes.FilterPolicyScope ??= "MessageAttributes";
    if (sub.protocol === "http" || sub.protocol === "https") {
      const policy = effectiveHttpPolicy(this.state.topics[sub.topicArn]?.attributes.DeliveryPolicy, sub.attributes.DeliveryPolicy);
      attributes.EffectiveDeliveryPolicy = JSON.stringify({ healthyRetryPolicy: policy.retry, requestPolicy: { headerContentType: policy.contentType } });
    }
    return { Attributes: new XmlMap(attributes) };
  }

  private setSubscriptionAttributes(p: QueryParams) {
    const sub = this.subscription(p.get("SubscriptionArn"));
    const name = p.require("AttributeName");
    const value = p.get("AttributeValue") ?? "";
    this.checkSubscriptionAttribute(name, value, sub.protocol);
    if (value === "") delete sub.attributes[name];
    else sub.attributes[name] = value;
    this.ctx.touch();
    return undefined;
  }

  // ------------------------------------------------------------ publishing

  private publish(p: QueryParams) {
    const topicArn = p.get("TopicArn") ?? p.get("TargetArn");
    if (!topicArn) {
      // SMS to a phone number: accepted, not delivered anywhere.
      if (p.get("PhoneNumber")) return { MessageId: newRequestId(this.ctx.random) };
      throw invalid("TopicArn or TargetArn Reason: no value for required parameter");
    }
    if (/:endpoint\//.test(topicArn)) throw notFound("Endpoint does not exist");
    const topic = this.topic(topicArn);
    const input = this.publishInput(topic, p);
    return this.publishValidated(topic, input);
  }

  private publishInput(topic: SnsTopic, p: QueryParams): PublishInput {
    return {
      topicArn: topic.arn,
      message: p.get("Message") ?? "",
      subject: p.get("Subject"),
      messageStructure: p.get("MessageStructure"),
      messageAttributes: validateAttributes(parseQueryAttributes(p)),
      groupId: p.get("MessageGroupId"),
      deduplicationId: p.get("MessageDeduplicationId"),
    };
  }

  private publishBatch(p: QueryParams) {
    const topic = this.topic(p.get("TopicArn"));
    const entries = p.list("PublishBatchRequestEntries").map((flat) => new QueryParams(new URLSearchParams(flat)));
    if (entries.length === 0) throw snsError("EmptyBatchRequest", "The batch request doesn't contain any entries.");
    if (entries.length > 10) throw snsError("TooManyEntriesInBatchRequest", "The batch request contains more entries than permissible.");
    const ids = new Set<string>();
    for (const e of entries) {
      const id = e.get("Id") ?? "";
      if (!BATCH_ENTRY_ID.test(id)) throw snsError("InvalidBatchEntryId", "The Id of a batch entry in a batch request doesn't abide by the specification.");
      if (ids.has(id)) throw snsError("BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id.");
      ids.add(id);
    }
    const total = entries.reduce((sum, e) => sum + Buffer.byteLength(e.get("Message") ?? ""), 0);
    if (total > this.maxMessageBytes(topic)) throw snsError("BatchRequestTooLong", "The length of all the messages put together is more than the limit.");
    const Successful: Record<string, string>[] = [];
    const Failed: Record<string, unknown>[] = [];
    for (const e of entries) {
      try {
        const result = this.publishValidated(topic, this.publishInput(topic, e));
        Successful.push({ Id: e.get("Id")!, ...result });
      } catch (err) {
        if (!(err instanceof AwsServiceError)) throw err;
        Failed.push({ Id: e.get("Id"), Code: err.code, Message: err.message, SenderFault: true });
      }
    }
    return { Successful, Failed };
  }

  private maxMessageBytes(topic: SnsTopic): number {
    return Number(topic.attributes.MaximumMessageSize ?? DEFAULT_MAX_MESSAGE_BYTES);
  }

  private publishValidated(topic: SnsTopic, input: PublishInput): { MessageId: string; SequenceNumber?: string } {
    const { message, subject } = input;
    if (message === "") throw invalid("Empty message");
    const attributeBytes = Object.entries(input.messageAttributes ?? {}).reduce(
      (sum, [k, a]) => sum + Buffer.byteLength(k) + Buffer.byteLength(a.DataType) + Buffer.byteLength(a.StringValue ?? a.BinaryValue ?? ""),
      0,
    );
    if (Buffer.byteLength(message) + attributeBytes > this.maxMessageBytes(topic)) throw invalid("Message too long");
    if (subject !== undefined && (subject === "" || subject.length > 100 || !/^[\x20-\x7e]*$/.test(subject))) throw invalid("Subject");
    let perProtocol: Record<string, string> | undefined;
    if (input.messageStructure !== undefined) {
      if (input.messageStructure !== "json") throw invalid("MessageStructure");
      try {
        perProtocol = JSON.parse(message) as Record<string, string>;
      } catch {
        throw invalid("Message Structure - JSON message body failed to parse");
      }
      if (typeof perProtocol !== "object" || perProtocol === null || typeof perProtocol.default !== "string") {
        throw invalid("Message Structure - No default entry in JSON message body");
      }
      for (const protocol of PROTOCOLS) {
        if (Object.hasOwn(perProtocol, protocol) && typeof perProtocol[protocol] !== "string") {
          throw invalid(`Message Structure - The value for key ${protocol} must be a string`);
        }
      }
    }
    const now = this.ctx.now();
    const fifo = topic.attributes.FifoTopic === "true";
    let sequenceNumber: string | undefined;
    let dedupId: string | undefined;
    if (fifo) {
      if (!input.groupId) throw invalid("The MessageGroupId parameter is required for FIFO topics");
      dedupId = input.deduplicationId;
      if (!dedupId) {
        if (topic.attributes.ContentBasedDeduplication !== "true") {
          throw invalid("The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
        }
        dedupId = createHash("sha256").update(message).digest("hex");
      }
      for (const [key, entry] of Object.entries(topic.deduplication)) if (entry.expiresAt <= now) delete topic.deduplication[key];
      const previous = topic.deduplication[dedupId];
      if (previous) return { MessageId: previous.messageId };
      sequenceNumber = (BigInt("10000000000000000000") + BigInt(topic.nextSequence++)).toString();
    } else if (input.groupId !== undefined || input.deduplicationId !== undefined) {
      throw invalid("MessageGroupId and MessageDeduplicationId are only valid for FIFO topics");
    }
    const messageId = newRequestId(this.ctx.random);
    if (dedupId) topic.deduplication[dedupId] = { messageId, expiresAt: now + DEDUP_WINDOW_MS };
    const timestamp = new Date(now).toISOString();
    this.metric(topic, "NumberOfMessagesPublished", 1, "Count");
    this.metric(topic, "PublishSize", Buffer.byteLength(message), "Bytes");
    for (const sub of Object.values(this.state.subscriptions).sort((a, b) => a.seq - b.seq)) {
      if (sub.topicArn !== topic.arn || sub.pending) continue;
      const body = perProtocol ? (Object.hasOwn(perProtocol, sub.protocol) ? perProtocol[sub.protocol]! : perProtocol.default!) : message;
      if (!this.passesFilter(sub, body, input.messageAttributes)) {
        this.metric(topic, "NumberOfNotificationsFilteredOut", 1, "Count");
        continue;
      }
      this.deliver(topic, sub, {
        type: "Notification",
        messageId,
        topicArn: topic.arn,
        message: body,
        timestamp,
        subject,
        unsubscribeUrl: `${sub.baseUrl}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(sub.arn)}`,
        messageAttributes: input.messageAttributes,
        sequenceNumber,
        signatureVersion: topic.attributes.SignatureVersion ?? "1",
        signingCertUrl: this.signingCertUrl(),
      });
    }
    this.ctx.touch();
    return { MessageId: messageId, ...(sequenceNumber ? { SequenceNumber: sequenceNumber } : {}) };
  }

  private passesFilter(sub: SnsSubscription, message: string, attributes: Record<string, SqsMessageAttribute> | undefined): boolean {
    const text = sub.attributes.FilterPolicy;
    if (!text) return true;
    const policy = JSON.parse(text) as Record<string, unknown>;
    if (sub.attributes.FilterPolicyScope === "MessageBody") {
      try {
        return matchesPattern(policy, JSON.parse(message));
      } catch {
        return false;
      }
    }
    const doc = dict<unknown>();
    for (const [name, a] of Object.entries(attributes ?? {})) {
      if (a.DataType.startsWith("Number")) doc[name] = Number(a.StringValue);
      else if (a.DataType === "String.Array") doc[name] = safeJson(a.StringValue ?? "[]");
      else if (a.StringValue !== undefined) doc[name] = a.StringValue;
    }
    return matchesPattern(policy, doc);
  }

  // ------------------------------------------------------------ delivery

  private deliver(topic: SnsTopic, sub: SnsSubscription, envelope: EnvelopeInput): void {
    const raw = sub.attributes.RawMessageDelivery === "true";
    const envelopeJson = JSON.stringify(buildEnvelope(envelope));
    switch (sub.protocol) {
      case "sqs":
        try {
          this.ctx.internals.sendSqsMessage(sub.endpoint, raw ? envelope.message : envelopeJson, raw ? envelope.messageAttributes : undefined);
          this.metric(topic, "NumberOfNotificationsDelivered", 1, "Count");
        } catch (err) {
          this.failed(topic, sub, raw ? envelope.message : envelopeJson, err);
        }
        return;
      case "lambda":
        void this.deliverToLambda(topic, sub, buildLambdaEvent(envelope, sub.arn), envelopeJson);
        return;
      case "http":
      case "https": {
        const headers: Record<string, string> = {
          "x-amz-sns-message-type": envelope.type,
          "x-amz-sns-message-id": envelope.messageId,
          "x-amz-sns-topic-arn": topic.arn,
          "x-amz-sns-subscription-arn": sub.arn,
        };
        if (raw) headers["x-amz-sns-rawdelivery"] = "true";
        void this.deliverToHttp(topic, sub, raw ? envelope.message : envelopeJson, headers);
        return;
      }
      default:
        // email, sms, application, firehose: accepted and counted, not delivered anywhere.
        this.metric(topic, "NumberOfNotificationsDelivered", 1, "Count");
    }
  }

  private async deliverToLambda(topic: SnsTopic, sub: SnsSubscription, event: string, envelopeJson: string): Promise<void> {
    const delays = retryDelays(MANAGED_ENDPOINT_RETRY);
    let lastError: unknown;
    for (let attempt = 0; attempt <= delays.length; attempt++) {
      if (attempt > 0) await sleep(delays[attempt - 1]!);
      try {
        await this.ctx.internals.invokeLambda(sub.endpoint, event, "Event");
        this.metric(topic, "NumberOfNotificationsDelivered", 1, "Count");
        return;
      } catch (err) {
        lastError = err;
        if (!isRetryableInvokeError(err)) break;
      }
    }
    this.failed(topic, sub, envelopeJson, lastError);
  }

  private async deliverToHttp(topic: SnsTopic, sub: SnsSubscription, body: string, headers: Record<string, string>): Promise<void> {
    const policy = effectiveHttpPolicy(topic.attributes.DeliveryPolicy, sub.attributes.DeliveryPolicy);
    const delays = retryDelays(policy.retry);
    let detail = "";
    for (let attempt = 0; attempt <= delays.length; attempt++) {
      if (attempt > 0) await sleep(delays[attempt - 1]!);
      // Unsubscribed meanwhile: stop retrying.
      if (headers["x-amz-sns-message-type"] === "Notification" && !this.state.subscriptions[sub.arn]) return;
      const result = await postNotification(sub.endpoint, body, { ...headers, "content-type": policy.contentType });
      if (result.ok) {
        if (headers["x-amz-sns-message-type"] === "Notification") this.metric(topic, "NumberOfNotificationsDelivered", 1, "Count");
        return;
      }
      detail = result.detail;
      if (!result.retryable) break;
    }
    if (headers["x-amz-sns-message-type"] === "Notification") this.failed(topic, sub, body, new Error(detail));
  }

  private sendConfirmation(topic: SnsTopic, sub: SnsSubscription, type: NotificationType): void {
    const token = sub.token ?? hexId(this.ctx.random, 128);
    const subscribeUrl = `${sub.baseUrl}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topic.arn)}&Token=${token}`;
    const message =
      type === "SubscriptionConfirmation"
        ? `You have chosen to subscribe to the topic ${topic.arn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`
        : `You have chosen to deactivate subscription ${sub.arn}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.`;
    const envelope: EnvelopeInput = {
      type,
      messageId: newRequestId(this.ctx.random),
      topicArn: topic.arn,
      message,
      timestamp: new Date(this.ctx.now()).toISOString(),
      token,
      subscribeUrl,
      signatureVersion: topic.attributes.SignatureVersion ?? "1",
      signingCertUrl: this.signingCertUrl(),
    };
    void this.deliverToHttp(topic, sub, JSON.stringify(buildEnvelope(envelope)), {
      "x-amz-sns-message-type": type,
      "x-amz-sns-message-id": envelope.messageId,
      "x-amz-sns-topic-arn": topic.arn,
    });
  }

  /** A delivery that exhausted its retries: counted, and sent to the subscription's DLQ if any. */
  private failed(topic: SnsTopic, sub: SnsSubscription, body: string, err: unknown): void {
    this.metric(topic, "NumberOfNotificationsFailed", 1, "Count");
    const dlq = safeJson(sub.attributes.RedrivePolicy ?? "") as { deadLetterTargetArn?: string } | undefined;
    if (!dlq?.deadLetterTargetArn) return;
    try {
      this.ctx.internals.sendSqsMessage(dlq.deadLetterTargetArn, body, {
        ErrorCode: { DataType: "String", StringValue: err instanceof AwsServiceError ? err.code : "DeliveryFailed" },
        ErrorMessage: { DataType: "String", StringValue: String((err as Error)?.message ?? err ?? "delivery failed").slice(0, 1024) || "delivery failed" },
      });
      this.metric(topic, "NumberOfNotificationsRedrivenToDlq", 1, "Count");
    } catch {
      this.metric(topic, "NumberOfNotificationsFailedToRedriveToDlq", 1, "Count");
    }
  }

  private metric(topic: SnsTopic, name: string, value: number, unit: string): void {
    try {
      this.ctx.internals.putMetricData("AWS/SNS", [{ MetricName: name, Dimensions: [{ Name: "TopicName", Value: topic.name }], Timestamp: this.ctx.now(), Value: value, Unit: unit }]);
    } catch {
      // Metrics are best effort; delivery does not depend on them.
    }
  }

  // ------------------------------------------------------------ helpers

  private signingCertUrl(): string {
    return `https://sns.${this.ctx.region}.amazonaws.com/SimpleNotificationService-sandbox.pem`;
  }

  private fallbackBaseUrl(): string {
    return this.lastBaseUrl ?? `https://sns.${this.ctx.region}.amazonaws.com`;
  }

  private requireTopicArn(arn: string | undefined): string {
    if (!arn) throw invalid("TopicArn");
    if (!/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w.-]+$/.test(arn)) throw invalid("TopicArn");
    return arn;
  }

  private topic(arn: string | undefined): SnsTopic {
    const topic = this.state.topics[this.requireTopicArn(arn)];
    if (!topic) throw notFound("Topic does not exist");
    return topic;
  }

  private subscription(arn: string | undefined): SnsSubscription {
    if (!arn) throw invalid("SubscriptionArn");
    const sub = this.state.subscriptions[arn];
    if (!sub) throw notFound("Subscription does not exist");
    return sub;
  }

  private cursor(token: string | undefined): string | undefined {
    if (!token) return undefined;
    let cursor: { after?: unknown } | undefined;
    try {
      cursor = decodeToken<{ after?: unknown }>(token);
    } catch {
      cursor = undefined;
    }
    if (typeof cursor?.after !== "string") throw invalid("NextToken");
    return cursor.after;
  }
}

/** Flattens QueryParams.map output ({ key: { "": value } }) to { key: value }. */
function flatMap(map: Record<string, Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, v[""] ?? ""]));
}

function parseQueryAttributes(p: QueryParams): Record<string, SqsMessageAttribute> | undefined {
  const map = p.map("MessageAttributes", "Name", "Value");
  const entries = Object.entries(map);
  if (!entries.length) return undefined;
  return Object.fromEntries(
    entries.map(([name, v]) => [
      name,
      { DataType: v.DataType ?? "", ...(v.StringValue !== undefined ? { StringValue: v.StringValue } : {}), ...(v.BinaryValue !== undefined ? { BinaryValue: v.BinaryValue } : {}) },
    ]),
  );
}

/** Validates SNS message attributes (String, String.Array, Number, Binary). */
function validateAttributes(attributes: Record<string, SqsMessageAttribute> | undefined): Record<string, SqsMessageAttribute> | undefined {
  if (!attributes || Object.keys(attributes).length === 0) return undefined;
  const out = dict<SqsMessageAttribute>();
  for (const [name, a] of Object.entries(attributes)) {
    if (!/^[A-Za-z0-9_.-]{1,256}$/.test(name) || name.startsWith(".") || name.endsWith(".") || name.includes("..") || /^(aws|amazon)\./i.test(name)) {
      throw invalid(`MessageAttributes Reason: Invalid attribute name: ${name}`);
    }
    const type = a.DataType;
    if (!/^(String|Number|Binary)(\..+)?$/.test(type ?? "")) {
      throw invalid(`MessageAttributes Reason: The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
    }
    if (type.startsWith("Binary")) {
      if (!a.BinaryValue) throw invalid(`MessageAttributes Reason: The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
      out[name] = { DataType: type, BinaryValue: a.BinaryValue };
      continue;
    }
    const value = a.StringValue;
    if (value === undefined || value === "") {
      throw invalid(`MessageAttributes Reason: The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
    }
    if (type.startsWith("Number") && !Number.isFinite(Number(value))) {
      throw invalid(`MessageAttributes Reason: An error occurred while parsing the attribute value for attribute '${name}' of type '${type}' as number.`);
    }
    if (type === "String.Array" && !Array.isArray(safeJson(value))) {
      throw invalid(`MessageAttributes Reason: The message attribute '${name}' with type 'String.Array' must be an array.`);
    }
    out[name] = { DataType: type, StringValue: value };
  }
  return out;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function baseUrlOf(req: SandboxRequest): string | undefined {
  const host = req.headers.host;
  return host ? `${req.headers["x-forwarded-proto"] ?? "http"}://${host}` : undefined;
}

function isRetryableInvokeError(err: unknown): boolean {
  const code = (err as { code?: string; name?: string })?.code ?? (err as { name?: string })?.name ?? "";
  const status = err instanceof AwsServiceError ? err.status : 0;
  return status >= 500 || status === 429 || /Throttl|TooManyRequests|ServiceException|Unavailable/i.test(code);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0) return setImmediate(resolve);
    setTimeout(resolve, ms).unref();
  });
}
