/**
 * Amazon SQS over awsJson1_0 (X-Amz-Target AmazonSQS.*, awsQueryCompatible errors):
 * standard and FIFO queues, visibility timeouts, long polling, delays, retention,
 * redrive to dead-letter queues, and DLQ redrive (message move tasks).
 */
import { createHash } from "node:crypto";
import { AwsServiceError, decodeToken, encodeToken, hexId, newRequestId, type SandboxContext, type SandboxRequest, type SandboxService, type SqsMessageAttribute } from "../core.ts";
import { jsonProtocol } from "../protocols.ts";
import { md5Hex, md5OfMessageAttributes } from "./sqs-md5.ts";
import { decodeSqsQuery, renderSqsQueryError, renderSqsQueryResult } from "./sqs-query.ts";
import { sandboxUserId } from "./sts.ts";
import {
  DEFAULT_ATTRIBUTES,
  dict,
  FIFO_DEFAULT_ATTRIBUTES,
  SQS_LIMITS,
  batchErrorCode,
  intParam,
  invalidParameter,
  isFifoQueue,
  isKnownAttribute,
  messageSize,
  normaliseMessageAttributes,
  normaliseQueueAttributes,
  parseRedrivePolicy,
  queueAttribute,
  queueNumber,
  sqsError,
  validateBatchEntries,
  validateBody,
  validateQueueName,
  type SqsMessage,
  type SqsMoveTask,
  type SqsQueue,
  type SqsState,
} from "./sqs-model.ts";

/** Sender id recorded for messages that AWS services (SNS, EventBridge, Lambda) send. */
const SERVICE_SENDER_ID = "AIDAIT2UOQQY3AUEKVGXU";

const MOVE_TICK_MS = 100;
/** Query actions other services also have: unsigned requests naming them are not claimed. */
const SHARED_QUERY_ACTIONS = new Set(["AddPermission", "RemovePermission"]);
/** Long polls re-check at least this often, so a jumped test clock is noticed. */
const LONG_POLL_RECHECK_MS = 1000;

interface SendOptions {
  delaySeconds?: number;
  messageAttributes?: Record<string, SqsMessageAttribute>;
  systemAttributes?: Record<string, SqsMessageAttribute>;
  groupId?: string;
  deduplicationId?: string;
  senderId: string;
}

interface SendResult {
  MessageId: string;
  MD5OfMessageBody: string;
  MD5OfMessageAttributes?: string;
  MD5OfMessageSystemAttributes?: string;
  SequenceNumber?: string;
}

type Json = Record<string, any>;

/** The SQS service of the sandbox. */
export class SqsService implements SandboxService {
  readonly signingName: string;
  readonly matches: SandboxService["matches"];
  readonly resolve: SandboxService["resolve"];
  readonly renderError: SandboxService["renderError"];
  readonly throttlingError: SandboxService["throttlingError"];

  private state: SqsState = { queues: dict(), deletedAt: dict(), moveTasks: [] };
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly moveTimers = new Map<string, NodeJS.Timeout>();
  /** Scheme://host of the most recent request, for URLs built outside a request. */
  private lastBaseUrl: string | undefined;

  constructor(private readonly ctx: SandboxContext) {
    const handlers: Record<string, (input: Json, req: SandboxRequest) => unknown> = {
      CreateQueue: this.createQueue,
      GetQueueUrl: this.getQueueUrl,
      GetQueueAttributes: this.getQueueAttributes,
      SetQueueAttributes: this.setQueueAttributes,
      ListQueues: this.listQueues,
      ListDeadLetterSourceQueues: this.listDeadLetterSourceQueues,
      DeleteQueue: this.deleteQueue,
      PurgeQueue: this.purgeQueue,
      TagQueue: this.tagQueue,
      UntagQueue: this.untagQueue,
      ListQueueTags: this.listQueueTags,
      AddPermission: this.addPermission,
      RemovePermission: this.removePermission,
      SendMessage: this.sendMessage,
      SendMessageBatch: this.sendMessageBatch,
      ReceiveMessage: this.receiveMessage,
      DeleteMessage: this.deleteMessage,
      DeleteMessageBatch: this.deleteMessageBatch,
      ChangeMessageVisibility: this.changeMessageVisibility,
      ChangeMessageVisibilityBatch: this.changeMessageVisibilityBatch,
      StartMessageMoveTask: this.startMessageMoveTask,
      ListMessageMoveTasks: this.listMessageMoveTasks,
      CancelMessageMoveTask: this.cancelMessageMoveTask,
    };
    const run = (name: string, input: Json, req: SandboxRequest) => {
      this.rememberBaseUrl(req);
      return handlers[name]!.call(this, input ?? {}, req);
    };
    const json = jsonProtocol({
      signingName: "sqs",
      targetPrefix: "AmazonSQS",
      jsonVersion: "1.0",
      errorNamespace: "com.amazonaws.sqs",
      throttlingError: () => sqsError("RequestThrottled", "Rate exceeded"),
      operations: Object.fromEntries(Object.keys(handlers).map((name) => [name, (input: Json, _ctx: SandboxContext, req: SandboxRequest) => run(name, input, req)])),
    });
    // JSON requests carry X-Amz-Target (on any path, e.g. the queue URL); the rest is awsQuery.
    const isJson = (req: Pick<SandboxRequest, "headers">) => req.headers["x-amz-target"] !== undefined;
    this.signingName = json.signingName;
    this.throttlingError = json.throttlingError;
    this.matches = (req) => {
      if (isJson(req)) return json.matches!(req);
      const action = formParams(req).get("Action") ?? "";
      return Object.hasOwn(handlers, action) && !SHARED_QUERY_ACTIONS.has(action);
    };
    this.resolve = (req, ctx) => {
      if (isJson(req)) return json.resolve(req, ctx);
      const { action, input } = decodeSqsQuery(formParams(req));
      if (!action) return null;
      return {
        operation: action,
        run: async () => {
          if (!Object.hasOwn(handlers, action)) throw new AwsServiceError("InvalidAction", `The action ${action} is not valid for this web service.`);
          const output = ((await run(action, input, req)) ?? {}) as Json;
          return { status: 200, headers: { "content-type": "text/xml" }, body: renderSqsQueryResult(action, output, req.requestId) };
        },
      };
    };
    this.renderError = (err, req) =>
      isJson(req) ? json.renderError(err, req) : { status: err.status, headers: { "content-type": "text/xml" }, body: renderSqsQueryError(err, req.requestId) };
  }

  // ------------------------------------------------------------ internals

  /** Sends a message to a queue named by ARN or URL (AWS services delivering in-process); returns the message id. */
  sendMessageInternal(queueArnOrUrl: string, body: string, messageAttributes?: Record<string, SqsMessageAttribute>): string {
    const queue = this.queueFromRef(queueArnOrUrl);
    validateBody(body);
    const attributes = normaliseMessageAttributes(messageAttributes);
    const fifo = isFifoQueue(queue);
    const id = newRequestId(this.ctx.random);
    const result = this.enqueue(queue, body, {
      messageAttributes: attributes,
      senderId: SERVICE_SENDER_ID,
      // Services reach FIFO queues with a group id of their own; the sandbox uses one group.
      groupId: fifo ? "sandbox" : undefined,
      deduplicationId: fifo ? id : undefined,
    });
    return result.MessageId;
  }

  /**
   * Emits the AWS/SQS CloudWatch metrics per queue (gauges now, counters since the last
   * call) through ctx.internals.putMetricData. The sandbox does not emit them on its own:
   * the simulator calls this once per (simulated) minute, as CloudWatch samples SQS.
   */
  publishQueueMetrics(at = this.ctx.now()): void {
    for (const queue of Object.values(this.state.queues)) {
      this.expireMessages(queue, at);
      const counts = this.messageCounts(queue, at);
      const oldest = queue.messages.reduce((min, m) => Math.min(min, m.sentAt), Infinity);
      const dims = [{ Name: "QueueName", Value: queue.name }];
      const c = queue.counters;
      const datum = (MetricName: string, Value: number, Unit: string) => ({ MetricName, Dimensions: dims, Timestamp: at, Value, Unit });
      this.ctx.internals.putMetricData("AWS/SQS", [
        datum("ApproximateNumberOfMessagesVisible", counts.visible, "Count"),
        datum("ApproximateNumberOfMessagesNotVisible", counts.notVisible, "Count"),
        datum("ApproximateNumberOfMessagesDelayed", counts.delayed, "Count"),
        datum("ApproximateAgeOfOldestMessage", oldest === Infinity ? 0 : Math.max(0, Math.floor((at - oldest) / 1000)), "Seconds"),
        datum("NumberOfMessagesSent", c.sent, "Count"),
        datum("NumberOfMessagesReceived", c.received, "Count"),
        datum("NumberOfMessagesDeleted", c.deleted, "Count"),
        datum("NumberOfEmptyReceives", c.emptyReceives, "Count"),
        datum("SentMessageSize", c.sent ? c.sentBytes / c.sent : 0, "Bytes"),
      ]);
      queue.counters = { sent: 0, received: 0, deleted: 0, emptyReceives: 0, sentBytes: 0 };
    }
    this.ctx.touch();
  }

  snapshot(): unknown {
    return this.state;
  }

  restore(state: unknown): void {
    for (const timer of this.moveTimers.values()) clearTimeout(timer);
    this.moveTimers.clear();
    const s = structuredClone(state as SqsState);
    const queues = dict<SqsQueue>();
    for (const [name, q] of Object.entries(s.queues ?? {})) queues[name] = { ...q, tags: dict(q.tags), deduplication: dict(q.deduplication) };
    this.state = { queues, deletedAt: dict(s.deletedAt), moveTasks: s.moveTasks ?? [] };
    for (const task of this.state.moveTasks) if (task.status === "RUNNING") this.scheduleMove(task, undefined);
  }

  // ------------------------------------------------------------ queue operations

  private createQueue(input: Json, req: SandboxRequest) {
    const attributesIn = (input.Attributes ?? {}) as Record<string, unknown>;
    const fifo = String(attributesIn.FifoQueue ?? "") === "true";
    const name = validateQueueName(input.QueueName, fifo);
    const attributes = normaliseQueueAttributes(attributesIn, fifo, true);
    if (attributes.RedrivePolicy) this.checkRedriveTarget(name, fifo, attributes.RedrivePolicy);
    const existing = this.state.queues[name];
    if (existing) {
      for (const [key, value] of Object.entries(attributes)) {
        if ((queueAttribute(existing, key) ?? "") !== value) {
          throw sqsError("QueueNameExists", `A queue already exists with the same name and a different value for attribute ${key}`);
        }
      }
      return { QueueUrl: this.urlOf(existing, req) };
    }
    const now = this.ctx.now();
    const deletedAt = this.state.deletedAt[name];
    if (deletedAt !== undefined && now - deletedAt < SQS_LIMITS.recreateCooldownMs) {
      throw sqsError("QueueDeletedRecently", "You must wait 60 seconds after deleting a queue before you can create another with the same name.");
    }
    delete this.state.deletedAt[name];
    const queue: SqsQueue = {
      name,
      createdAt: now,
      lastModifiedAt: now,
      attributes: Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== "")),
      tags: dict((input.tags ?? {}) as Record<string, string>),
      messages: [],
      nextSequence: 1,
      deduplication: dict(),
      counters: { sent: 0, received: 0, deleted: 0, emptyReceives: 0, sentBytes: 0 },
    };
    this.state.queues[name] = queue;
    this.ctx.touch();
    return { QueueUrl: this.urlOf(queue, req) };
  }

  private getQueueUrl(input: Json, req: SandboxRequest) {
    if (typeof input.QueueName !== "string" || input.QueueName === "") throw sqsError("MissingParameter", "The request must contain the parameter QueueName.");
    const owner = input.QueueOwnerAWSAccountId;
    const queue = this.state.queues[input.QueueName];
    if (!queue || (owner !== undefined && owner !== this.ctx.accountId)) throw sqsError("QueueDoesNotExist", "The specified queue does not exist.");
    return { QueueUrl: this.urlOf(queue, req) };
  }

  private getQueueAttributes(input: Json) {
    const queue = this.queueFromRef(input.QueueUrl);
    const requested = (input.AttributeNames ?? []) as string[];
    for (const name of requested) {
      if (name !== "All" && !isKnownAttribute(name)) throw sqsError("InvalidAttributeName", `Unknown Attribute ${name}.`);
    }
    const all = this.allAttributes(queue);
    const wanted = requested.includes("All") ? Object.keys(all) : requested;
    const Attributes: Record<string, string> = {};
    for (const name of wanted) if (all[name] !== undefined) Attributes[name] = all[name]!;
    return Object.keys(Attributes).length ? { Attributes } : {};
  }

  private allAttributes(queue: SqsQueue): Record<string, string> {
    const now = this.ctx.now();
    this.expireMessages(queue, now);
    const counts = this.messageCounts(queue, now);
    const out: Record<string, string> = {
      QueueArn: this.arnOf(queue),
      ApproximateNumberOfMessages: String(counts.visible),
      ApproximateNumberOfMessagesNotVisible: String(counts.notVisible),
      ApproximateNumberOfMessagesDelayed: String(counts.delayed),
      CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
      LastModifiedTimestamp: String(Math.floor(queue.lastModifiedAt / 1000)),
      ...DEFAULT_ATTRIBUTES,
      ...(isFifoQueue(queue) ? FIFO_DEFAULT_ATTRIBUTES : {}),
      ...queue.attributes,
    };
    if (out.KmsMasterKeyId) {
      out.KmsDataKeyReusePeriodSeconds ??= "300";
      delete out.SqsManagedSseEnabled;
    }
    return out;
  }

  private setQueueAttributes(input: Json) {
    const queue = this.queueFromRef(input.QueueUrl);
    if (!input.Attributes || typeof input.Attributes !== "object") throw sqsError("MissingParameter", "The request must contain the parameter Attributes.");
    const fifo = isFifoQueue(queue);
    const attributes = normaliseQueueAttributes(input.Attributes as Record<string, unknown>, fifo, false);
    if (attributes.RedrivePolicy) this.checkRedriveTarget(queue.name, fifo, attributes.RedrivePolicy);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === "" && name !== "Policy") delete queue.attributes[name];
      else queue.attributes[name] = value;
    }
    queue.lastModifiedAt = this.ctx.now();
    this.ctx.touch();
    // A shorter delay or a new redrive policy can make messages receivable now.
    this.notify(queue.name);
    return {};
  }

  private checkRedriveTarget(sourceName: string, fifo: boolean, policyText: string): void {
    const policy = parseRedrivePolicy(policyText)!;
    const target = this.tryQueueFromArn(policy.deadLetterTargetArn);
    if (!target) throw invalidParameter("RedrivePolicy", policyText, "Dead letter target does not exist");
    if (isFifoQueue(target) !== fifo) throw invalidParameter("RedrivePolicy", policyText, "Dead-letter queue must be same type of queue as the source");
    const allow = target.attributes.RedriveAllowPolicy ? (JSON.parse(target.attributes.RedriveAllowPolicy) as { redrivePermission?: string; sourceQueueArns?: string[] }) : undefined;
    const sourceArn = this.arnFor(sourceName);
    if (allow?.redrivePermission === "denyAll" || (allow?.redrivePermission === "byQueue" && !(allow.sourceQueueArns ?? []).includes(sourceArn))) {
      throw invalidParameter("RedrivePolicy", policyText, "Dead-letter queue does not allow this source queue");
    }
  }

  private listQueues(input: Json, req: SandboxRequest) {
    const max = intParam("MaxResults", input.MaxResults, 1, SQS_LIMITS.listQueuesMax);
    const prefix = typeof input.QueueNamePrefix === "string" ? input.QueueNamePrefix : "";
    const names = Object.keys(this.state.queues)
      .filter((n) => n.startsWith(prefix))
      .sort();
    const page = this.page(names, input.NextToken, max, "ListQueues");
    const out: Json = {};
    if (page.items.length) out.QueueUrls = page.items.map((n) => this.urlOf(this.state.queues[n]!, req));
    if (page.nextToken) out.NextToken = page.nextToken;
    return out;
  }

  private listDeadLetterSourceQueues(input: Json, req: SandboxRequest) {
    const dlq = this.queueFromRef(input.QueueUrl);
    const max = intParam("MaxResults", input.MaxResults, 1, SQS_LIMITS.listQueuesMax);
    const dlqArn = this.arnOf(dlq);
    const sources = Object.values(this.state.queues)
      .filter((q) => parseRedrivePolicy(q.attributes.RedrivePolicy)?.deadLetterTargetArn === dlqArn)
      .map((q) => q.name)
      .sort();
    const page = this.page(sources, input.NextToken, max, "ListDeadLetterSourceQueues");
    return { queueUrls: page.items.map((n) => this.urlOf(this.state.queues[n]!, req)), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
  }

  /** Name-ordered pages; a NextToken only when MaxResults was given, as AWS does. */
  private page(names: string[], token: unknown, max: number | undefined, operation: string): { items: string[]; nextToken?: string } {
    const cursor = this.decodeCursor(token);
    const start = cursor ? names.findIndex((n) => n > cursor) : 0;
    const size = Math.min(max ?? SQS_LIMITS.listQueuesMax, this.ctx.pageSize("sqs", operation, SQS_LIMITS.listQueuesMax));
    const from = start < 0 ? names.length : start;
    const items = names.slice(from, from + size);
    const more = from + size < names.length;
    return { items, nextToken: more && max !== undefined ? encodeToken({ after: items[items.length - 1] }) : undefined };
  }

  private decodeCursor(token: unknown): string | undefined {
    if (token === undefined || token === null || token === "") return undefined;
    const cursor = (() => {
      try {
        return decodeToken<{ after?: unknown }>(String(token));
      } catch {
        return undefined;
      }
    })();
    if (!cursor || typeof cursor.after !== "string") throw invalidParameter("NextToken", token, "Invalid or expired next token");
    return cursor.after;
  }

  private deleteQueue(input: Json) {
    const queue = this.queueFromRef(input.QueueUrl);
    delete this.state.queues[queue.name];
    this.state.deletedAt[queue.name] = this.ctx.now();
    this.ctx.touch();
    this.notify(queue.name);
    return {};
  }

  private purgeQueue(input: Json) {
    const queue = this.queueFromRef(input.QueueUrl);
    const now = this.ctx.now();
    if (queue.purgedAt !== undefined && now - queue.purgedAt < SQS_LIMITS.purgeCooldownMs) {
      throw sqsError("PurgeQueueInProgress", `Only one PurgeQueue operation on ${queue.name} is allowed every 60 seconds.`);
    }
    queue.purgedAt = now;
    queue.messages = [];
    this.ctx.touch();
    return {};
  }

  private tagQueue(input: Json) {
    const queue = this.queueFromRef(input.QueueUrl);
    const tags = (input.Tags ?? {}) as Record<string, string>;
    if (Object.keys(tags).length === 0) throw sqsError("MissingParameter", "The request must contain the parameter Tags.");
    Object.assign(queue.tags, tags);
    if (Object.keys(queue.tags).length > 50) throw sqsError("InvalidParameterValue", "Too many tags added for queue. Maximum number of tags is 50.");
    this.ctx.touch();
    return {};
  }

  private untagQueue(input: Json) {
    const queue = this.queueFromRef(input.QueueUrl);
    for (const key of (input.TagKeys ?? []) as string[]) delete queue.tags[key];
    this.ctx.touch();
    return {};
  }

  private listQueueTags(input: Json) {
    const queue = this.queueFromRef(input.QueueUrl);
    return Object.keys(queue.tags).length ? { Tags: { ...queue.tags } } : {};
  }

  private addPermission(input: Json) {
    const queue = this.queueFromRef(input.QueueUrl);
    const label = String(input.Label ?? "");
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(label)) throw invalidParameter("Label", label, "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
    const accounts = (input.AWSAccountIds ?? []) as string[];
    const actions = (input.Actions ?? []) as string[];
    if (!accounts.length) throw sqsError("MissingParameter", "The request must contain the parameter AWSAccountIds.");
    if (!actions.length) throw sqsError("MissingParameter", "The request must contain the parameter Actions.");
    const policy = queue.attributes.Policy ? (JSON.parse(queue.attributes.Policy) as { Version: string; Id?: string; Statement: Json[] }) : { Version: "2012-10-17", Id: `${this.arnOf(queue)}/SQSDefaultPolicy`, Statement: [] };
    if (policy.Statement.some((s) => s.Sid === label)) throw invalidParameter("Label", label, "Already exists");
    policy.Statement.push({
      Sid: label,
      Effect: "Allow",
      Principal: { AWS: accounts.map((a) => `arn:aws:iam::${a}:root`) },
      Action: actions.map((a) => `SQS:${a}`),
      Resource: this.arnOf(queue),
    });
    queue.attributes.Policy = JSON.stringify(policy);
    this.ctx.touch();
    return {};
  }

  private removePermission(input: Json) {
    const queue = this.queueFromRef(input.QueueUrl);
    const label = String(input.Label ?? "");
    const policy = queue.attributes.Policy ? (JSON.parse(queue.attributes.Policy) as { Statement: Json[] }) : { Statement: [] };
    const remaining = policy.Statement.filter((s) => s.Sid !== label);
    if (remaining.length === policy.Statement.length) throw invalidParameter("Label", label, "can't find label");
    if (remaining.length) queue.attributes.Policy = JSON.stringify({ ...policy, Statement: remaining });
    else delete queue.attributes.Policy;
    this.ctx.touch();
    return {};
  }

  // ------------------------------------------------------------ sending

  private sendMessage(input: Json) {
    const queue = this.queueFromRef(input.QueueUrl);
    return this.sendValidated(queue, input, sandboxUserId(this.ctx.accountId));
  }

  private sendMessageBatch(input: Json) {
    const queue = this.queueFromRef(input.QueueUrl);
    const entries = validateBatchEntries<Json>(input.Entries, "SendMessageBatch");
    const total = entries.reduce((sum, e) => sum + messageSize(String(e.MessageBody ?? ""), e.MessageAttributes), 0);
    if (total > SQS_LIMITS.maxBatchBytes) {
      throw sqsError("BatchRequestTooLong", `Batch requests cannot be longer than ${SQS_LIMITS.maxBatchBytes} bytes. You have sent ${total} bytes.`);
    }
    const Successful: Json[] = [];
    const Failed: Json[] = [];
    for (const entry of entries) {
      try {
        Successful.push({ Id: entry.Id, ...this.sendValidated(queue, entry, sandboxUserId(this.ctx.accountId)) });
      } catch (err) {
        if (!(err instanceof AwsServiceError)) throw err;
        Failed.push({ Id: entry.Id, SenderFault: true, Code: batchErrorCode(err), Message: err.message });
      }
    }
    return { Successful, Failed };
  }

  private sendValidated(queue: SqsQueue, input: Json, senderId: string): SendResult {
    const body = validateBody(input.MessageBody);
    const messageAttributes = normaliseMessageAttributes(input.MessageAttributes);
    const systemAttributes = normaliseMessageAttributes(input.MessageSystemAttributes, true);
    const fifo = isFifoQueue(queue);
    const delaySeconds = intParam("DelaySeconds", input.DelaySeconds, 0, SQS_LIMITS.maxDelaySeconds, `Must be >= 0 and <= ${SQS_LIMITS.maxDelaySeconds}, if provided`);
    const maxSize = queueNumber(queue, "MaximumMessageSize");
    if (messageSize(body, messageAttributes) > maxSize) {
      throw sqsError("InvalidParameterValue", `One or more parameters are invalid. Reason: Message must be shorter than ${maxSize} bytes.`);
    }
    let groupId: string | undefined;
    let deduplicationId: string | undefined;
    if (fifo) {
      if (delaySeconds) throw invalidParameter("DelaySeconds", delaySeconds, "The request include parameter that is not valid for this queue type");
      groupId = input.MessageGroupId;
      if (typeof groupId !== "string" || groupId === "") throw sqsError("MissingParameter", "The request must contain the parameter MessageGroupId.");
      deduplicationId = input.MessageDeduplicationId;
      if (deduplicationId === undefined) {
        if (queueAttribute(queue, "ContentBasedDeduplication") !== "true") {
          throw sqsError("InvalidParameterValue", "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
        }
        deduplicationId = createSha256(body);
      }
    } else {
      if (input.MessageDeduplicationId !== undefined) {
        throw invalidParameter("MessageDeduplicationId", input.MessageDeduplicationId, "The request includes a parameter that is not valid for this queue type");
      }
      // Standard queues accept a group id (fair queues).
      if (typeof input.MessageGroupId === "string") groupId = input.MessageGroupId;
    }
    return this.enqueue(queue, body, { delaySeconds, messageAttributes, systemAttributes, groupId, deduplicationId, senderId });
  }

  private enqueue(queue: SqsQueue, body: string, options: SendOptions): SendResult {
    const now = this.ctx.now();
    const fifo = isFifoQueue(queue);
    const md5Attrs = md5OfMessageAttributes(options.messageAttributes);
    const md5Sys = md5OfMessageAttributes(options.systemAttributes);
    if (fifo && options.deduplicationId !== undefined) {
      for (const [key, entry] of Object.entries(queue.deduplication)) if (entry.expiresAt <= now) delete queue.deduplication[key];
      const scope = queueAttribute(queue, "DeduplicationScope") === "messageGroup" ? `${options.groupId}\u0000` : "";
      const dedupKey = scope + options.deduplicationId;
      const previous = queue.deduplication[dedupKey];
      if (previous) {
        const original = queue.messages.find((m) => m.id === previous.messageId);
        return {
          MessageId: previous.messageId,
          MD5OfMessageBody: md5Hex(body),
          ...(md5Attrs ? { MD5OfMessageAttributes: md5Attrs } : {}),
          ...(md5Sys ? { MD5OfMessageSystemAttributes: md5Sys } : {}),
          ...(original?.sequenceNumber ? { SequenceNumber: original.sequenceNumber } : {}),
        };
      }
      queue.deduplication[dedupKey] = { messageId: "", expiresAt: now + SQS_LIMITS.deduplicationWindowMs };
    }
    const delay = options.delaySeconds ?? queueNumber(queue, "DelaySeconds");
    const message: SqsMessage = {
      id: newRequestId(this.ctx.random),
      body,
      md5OfBody: md5Hex(body),
      senderId: options.senderId,
      sentAt: now,
      visibleAt: now + delay * 1000,
      receiveCount: 0,
    };
    if (options.messageAttributes) message.messageAttributes = options.messageAttributes;
    if (options.systemAttributes) message.systemAttributes = options.systemAttributes;
    if (options.groupId !== undefined) message.groupId = options.groupId;
    if (fifo) {
      message.deduplicationId = options.deduplicationId;
      message.sequenceNumber = this.nextSequenceNumber(queue);
      const scope = queueAttribute(queue, "DeduplicationScope") === "messageGroup" ? `${options.groupId}\u0000` : "";
      queue.deduplication[scope + options.deduplicationId]!.messageId = message.id;
    }
    queue.messages.push(message);
    queue.counters.sent++;
    queue.counters.sentBytes += messageSize(body, options.messageAttributes);
    this.ctx.touch();
    if (delay === 0) this.notify(queue.name);
    return {
      MessageId: message.id,
      MD5OfMessageBody: message.md5OfBody,
      ...(md5Attrs ? { MD5OfMessageAttributes: md5Attrs } : {}),
      ...(md5Sys ? { MD5OfMessageSystemAttributes: md5Sys } : {}),
      ...(message.sequenceNumber ? { SequenceNumber: message.sequenceNumber } : {}),
    };
  }

  private nextSequenceNumber(queue: SqsQueue): string {
    // AWS sequence numbers are 20+ digit, increasing per queue.
    return (BigInt("18800000000000000000") + BigInt(queue.nextSequence++)).toString();
  }

  // ------------------------------------------------------------ receiving

  private async receiveMessage(input: Json) {
    const queue = this.queueFromRef(input.QueueUrl);
    const max = intParam("MaxNumberOfMessages", input.MaxNumberOfMessages, 1, SQS_LIMITS.maxReceiveMessages) ?? 1;
    const visibility = intParam("VisibilityTimeout", input.VisibilityTimeout, 0, SQS_LIMITS.maxVisibilitySeconds);
    const wait =
      intParam("WaitTimeSeconds", input.WaitTimeSeconds, 0, SQS_LIMITS.maxWaitSeconds, `Must be >= 0 and <= ${SQS_LIMITS.maxWaitSeconds}, if provided`) ??
      queueNumber(queue, "ReceiveMessageWaitTimeSeconds");
    const systemNames = new Set<string>([...((input.AttributeNames ?? []) as string[]), ...((input.MessageSystemAttributeNames ?? []) as string[])]);
    const attributeNames = (input.MessageAttributeNames ?? []) as string[];

    const deadline = Date.now() + wait * 1000;
    let received = this.receiveNow(queue.name, max, visibility);
    while (received.length === 0 && Date.now() < deadline) {
      await this.waitForMessages(queue.name, deadline - Date.now());
      if (!this.state.queues[queue.name]) break;
      received = this.receiveNow(queue.name, max, visibility);
    }
    const live = this.state.queues[queue.name];
    if (live) {
      if (received.length === 0) live.counters.emptyReceives++;
      live.counters.received += received.length;
    }
    const Messages = received.map((m) => this.renderMessage(m, systemNames, attributeNames));
    return Messages.length ? { Messages } : {};
  }

  /** One receive pass: returns the messages now in flight for this caller. */
  private receiveNow(queueName: string, max: number, visibilityOverride: number | undefined): SqsMessage[] {
    const queue = this.state.queues[queueName];
    if (!queue) return [];
    const now = this.ctx.now();
    this.expireMessages(queue, now);
    const fifo = isFifoQueue(queue);
    const redrive = parseRedrivePolicy(queue.attributes.RedrivePolicy);
    const dlq = redrive ? this.tryQueueFromArn(redrive.deadLetterTargetArn) : undefined;
    const visibility = visibilityOverride ?? queueNumber(queue, "VisibilityTimeout");
    const blockedGroups = new Set<string>();
    const out: SqsMessage[] = [];
    for (const message of [...queue.messages]) {
      if (out.length >= max) break;
      const group = message.groupId ?? "";
      if (fifo && blockedGroups.has(group)) continue;
      if (message.visibleAt > now) {
        // FIFO: a message in flight (or delayed) holds back the rest of its group.
        if (fifo) blockedGroups.add(group);
        continue;
      }
      if (redrive && dlq && dlq !== queue && message.receiveCount >= redrive.maxReceiveCount) {
        this.moveToDeadLetterQueue(queue, message, dlq, now);
        continue;
      }
      message.receiveCount++;
      message.firstReceiveAt ??= now;
      message.receivedAt = now;
      message.receipt = hexId(this.ctx.random, 32);
      message.visibleAt = now + visibility * 1000;
      out.push(message);
    }
    if (out.length) this.ctx.touch();
    return out;
  }

  private moveToDeadLetterQueue(source: SqsQueue, message: SqsMessage, dlq: SqsQueue, now: number): void {
    source.messages = source.messages.filter((m) => m !== message);
    const moved: SqsMessage = { ...message, visibleAt: now, deadLetterSourceArn: this.arnOf(source) };
    delete moved.receipt;
    delete moved.receivedAt;
    if (isFifoQueue(dlq)) {
      // FIFO dead-letter queues reset the enqueue time; standard ones keep it.
      moved.sentAt = now;
      moved.sequenceNumber = this.nextSequenceNumber(dlq);
    }
    dlq.messages.push(moved);
    this.ctx.touch();
    this.notify(dlq.name);
  }

  private renderMessage(m: SqsMessage, systemNames: Set<string>, attributeNames: string[]): Json {
    const out: Json = {
      MessageId: m.id,
      ReceiptHandle: this.receiptHandle(m),
      MD5OfBody: m.md5OfBody,
      Body: m.body,
    };
    const system: Record<string, string | undefined> = {
      SenderId: m.senderId,
      SentTimestamp: String(m.sentAt),
      ApproximateReceiveCount: String(m.receiveCount),
      ApproximateFirstReceiveTimestamp: m.firstReceiveAt === undefined ? undefined : String(m.firstReceiveAt),
      SequenceNumber: m.sequenceNumber,
      MessageDeduplicationId: m.deduplicationId,
      MessageGroupId: m.groupId,
      AWSTraceHeader: m.systemAttributes?.AWSTraceHeader?.StringValue,
      DeadLetterQueueSourceArn: m.deadLetterSourceArn,
    };
    const all = systemNames.has("All");
    const Attributes: Record<string, string> = {};
    for (const [name, value] of Object.entries(system)) if (value !== undefined && (all || systemNames.has(name))) Attributes[name] = value;
    if (Object.keys(Attributes).length) out.Attributes = Attributes;
    const selected = dict<SqsMessageAttribute>();
    for (const [name, value] of Object.entries(m.messageAttributes ?? {})) {
      if (attributeNames.some((pattern) => attributeNameMatches(pattern, name))) selected[name] = value;
    }
    const md5 = md5OfMessageAttributes(selected);
    if (md5) {
      out.MD5OfMessageAttributes = md5;
      out.MessageAttributes = selected;
    }
    return out;
  }

  // ------------------------------------------------------------ receipt handles

  private receiptHandle(m: SqsMessage): string {
    return "AQEB" + Buffer.from(`${m.id}\u0000${m.receipt}`, "utf8").toString("base64");
  }

  /** Parses a receipt handle; ReceiptHandleIsInvalid when it is not one the sandbox issued. */
  private parseReceipt(handle: unknown): { messageId: string; nonce: string } {
    if (typeof handle !== "string" || handle === "") throw sqsError("MissingParameter", "The request must contain the parameter ReceiptHandle.");
    const invalid = () => sqsError("ReceiptHandleIsInvalid", `The input receipt handle "${handle}" is not a valid receipt handle.`);
    if (!handle.startsWith("AQEB")) throw invalid();
    const [messageId, nonce, ...rest] = Buffer.from(handle.slice(4), "base64").toString("utf8").split("\u0000");
    if (!messageId || !nonce || rest.length || !/^[0-9a-f-]{36}$/.test(messageId) || !/^[0-9a-f]{32}$/.test(nonce)) throw invalid();
    return { messageId, nonce };
  }

  private deleteMessage(input: Json) {
    const queue = this.queueFromRef(input.QueueUrl);
    this.deleteByReceipt(queue, input.ReceiptHandle);
    return {};
  }

  private deleteByReceipt(queue: SqsQueue, handle: unknown): void {
    const { messageId, nonce } = this.parseReceipt(handle);
    const message = queue.messages.find((m) => m.id === messageId);
    // A stale handle (the message was received again since) succeeds without deleting, as on AWS.
    if (!message || message.receipt !== nonce) return;
    queue.messages = queue.messages.filter((m) => m !== message);
    queue.counters.deleted++;
    this.ctx.touch();
  }

  private deleteMessageBatch(input: Json) {
    const queue = this.queueFromRef(input.QueueUrl);
    const entries = validateBatchEntries<Json>(input.Entries, "DeleteMessageBatch");
    return this.batch(entries, (entry) => this.deleteByReceipt(queue, entry.ReceiptHandle));
  }

  private changeMessageVisibility(input: Json) {
    const queue = this.queueFromRef(input.QueueUrl);
    this.changeVisibility(queue, input.ReceiptHandle, input.VisibilityTimeout);
    return {};
  }

  private changeVisibility(queue: SqsQueue, handle: unknown, timeout: unknown): void {
    const { messageId, nonce } = this.parseReceipt(handle);
    const seconds = intParam("VisibilityTimeout", timeout, 0, SQS_LIMITS.maxVisibilitySeconds);
    if (seconds === undefined) throw sqsError("MissingParameter", "The request must contain the parameter VisibilityTimeout.");
    const now = this.ctx.now();
    const message = queue.messages.find((m) => m.id === messageId);
    if (!message) {
      throw invalidParameter("ReceiptHandle", handle, "Message does not exist or is not available for visibility timeout change");
    }
    if (message.receipt !== nonce || message.visibleAt <= now) {
      throw sqsError("MessageNotInflight", "Message is not in flight.");
    }
    const limit = (message.receivedAt ?? now) + SQS_LIMITS.maxVisibilitySeconds * 1000;
    if (now + seconds * 1000 > limit) {
      throw invalidParameter("VisibilityTimeout", seconds, `Total VisibilityTimeout for the message is beyond the limit [${SQS_LIMITS.maxVisibilitySeconds} seconds]`);
    }
    message.visibleAt = now + seconds * 1000;
    this.ctx.touch();
    if (seconds === 0) this.notify(queue.name);
  }

  private changeMessageVisibilityBatch(input: Json) {
    const queue = this.queueFromRef(input.QueueUrl);
    const entries = validateBatchEntries<Json>(input.Entries, "ChangeMessageVisibilityBatch");
    return this.batch(entries, (entry) => this.changeVisibility(queue, entry.ReceiptHandle, entry.VisibilityTimeout));
  }

  private batch(entries: Json[], run: (entry: Json) => void) {
    const Successful: Json[] = [];
    const Failed: Json[] = [];
    for (const entry of entries) {
      try {
        run(entry);
        Successful.push({ Id: entry.Id });
      } catch (err) {
        if (!(err instanceof AwsServiceError)) throw err;
        Failed.push({ Id: entry.Id, SenderFault: true, Code: batchErrorCode(err), Message: err.message });
      }
    }
    return { Successful, Failed };
  }

  // ------------------------------------------------------------ dead-letter queue redrive

  private startMessageMoveTask(input: Json) {
    if (typeof input.SourceArn !== "string" || input.SourceArn === "") throw sqsError("MissingParameter", "The request must contain the parameter SourceArn.");
    const source = this.tryQueueFromArn(input.SourceArn);
    if (!source) throw sqsError("ResourceNotFoundException", "The resource that you specified for the SourceArn parameter doesn't exist.");
    const sourceArn = this.arnOf(source);
    const isDlq = Object.values(this.state.queues).some((q) => parseRedrivePolicy(q.attributes.RedrivePolicy)?.deadLetterTargetArn === sourceArn);
    if (!isDlq) throw invalidParameter("SourceArn", input.SourceArn, "Source queue must be configured as a Dead Letter Queue.");
    let destinationArn: string | undefined;
    if (input.DestinationArn !== undefined) {
      const destination = this.tryQueueFromArn(String(input.DestinationArn));
      if (!destination) throw sqsError("ResourceNotFoundException", "The resource that you specified for the DestinationArn parameter doesn't exist.");
      destinationArn = this.arnOf(destination);
    }
    const maxPerSecond = intParam("MaxNumberOfMessagesPerSecond", input.MaxNumberOfMessagesPerSecond, 1, SQS_LIMITS.maxMoveRatePerSecond);
    if (this.state.moveTasks.some((t) => t.sourceArn === sourceArn && t.status === "RUNNING")) {
      throw sqsError("UnsupportedOperation", "There is already a task running. Only one active task is allowed for each source queue arn at a given time.");
    }
    const now = this.ctx.now();
    this.expireMessages(source, now);
    const task: SqsMoveTask = {
      taskHandle: Buffer.from(JSON.stringify({ taskId: newRequestId(this.ctx.random), sourceArn })).toString("base64"),
      sourceArn,
      status: "RUNNING",
      moved: 0,
      toMove: this.messageCounts(source, now).visible,
      startedAt: now,
    };
    if (destinationArn) task.destinationArn = destinationArn;
    if (maxPerSecond !== undefined) task.maxPerSecond = maxPerSecond;
    this.state.moveTasks.push(task);
    this.ctx.touch();
    this.scheduleMove(task, 0);
    return { TaskHandle: task.taskHandle };
  }

  private scheduleMove(task: SqsMoveTask, credit: number | undefined): void {
    const timer = setTimeout(() => this.runMoveTick(task, credit ?? 0), credit === undefined ? MOVE_TICK_MS : 0);
    timer.unref();
    this.moveTimers.set(task.taskHandle, timer);
  }

  /** Moves up to rate x tick of messages; moves happen on timers, as AWS runs them in the background. */
  private runMoveTick(task: SqsMoveTask, credit: number): void {
    this.moveTimers.delete(task.taskHandle);
    if (task.status !== "RUNNING") return;
    const rate = task.maxPerSecond ?? SQS_LIMITS.maxMoveRatePerSecond;
    let budget = credit + (rate * MOVE_TICK_MS) / 1000;
    const source = this.tryQueueFromArn(task.sourceArn);
    if (!source) return this.finishMove(task, "FAILED", "AWS.SimpleQueueService.NonExistentQueue");
    const now = this.ctx.now();
    this.expireMessages(source, now);
    while (budget >= 1 && task.moved < task.toMove) {
      const message = source.messages.find((m) => m.visibleAt <= now);
      if (!message) break;
      const destinationArn = task.destinationArn ?? message.deadLetterSourceArn;
      if (!destinationArn) return this.finishMove(task, "FAILED", "CouldNotDetermineMessageSource");
      const destination = this.tryQueueFromArn(destinationArn);
      if (!destination) return this.finishMove(task, "FAILED", "AWS.SimpleQueueService.NonExistentQueue");
      source.messages = source.messages.filter((m) => m !== message);
      const moved: SqsMessage = { ...message, sentAt: now, visibleAt: now + queueNumber(destination, "DelaySeconds") * 1000, receiveCount: 0 };
      for (const key of ["receipt", "receivedAt", "firstReceiveAt", "deadLetterSourceArn"] as const) delete moved[key];
      if (isFifoQueue(destination)) {
        moved.sequenceNumber = this.nextSequenceNumber(destination);
        moved.groupId ??= "sandbox";
      }
      destination.messages.push(moved);
      this.notify(destination.name);
      task.moved++;
      budget--;
    }
    this.ctx.touch();
    const remaining = source.messages.some((m) => m.visibleAt <= now);
    if (task.moved >= task.toMove || !remaining) return this.finishMove(task, "COMPLETED");
    this.scheduleMove(task, budget);
  }

  private finishMove(task: SqsMoveTask, status: "COMPLETED" | "FAILED" | "CANCELLED", reason?: string): void {
    task.status = status;
    if (reason) task.failureReason = reason;
    const timer = this.moveTimers.get(task.taskHandle);
    if (timer) clearTimeout(timer);
    this.moveTimers.delete(task.taskHandle);
    this.ctx.touch();
  }

  private listMessageMoveTasks(input: Json) {
    if (typeof input.SourceArn !== "string" || input.SourceArn === "") throw sqsError("MissingParameter", "The request must contain the parameter SourceArn.");
    const source = this.tryQueueFromArn(input.SourceArn);
    if (!source) throw sqsError("ResourceNotFoundException", "The resource that you specified for the SourceArn parameter doesn't exist.");
    const max = intParam("MaxResults", input.MaxResults, 1, 10) ?? 1;
    const sourceArn = this.arnOf(source);
    const Results = this.state.moveTasks
      .filter((t) => t.sourceArn === sourceArn)
      .sort((a, b) => b.startedAt - a.startedAt)
      .slice(0, max)
      .map((t) => ({
        ...(t.status === "RUNNING" ? { TaskHandle: t.taskHandle } : {}),
        Status: t.status,
        SourceArn: t.sourceArn,
        ...(t.destinationArn ? { DestinationArn: t.destinationArn } : {}),
        ...(t.maxPerSecond !== undefined ? { MaxNumberOfMessagesPerSecond: t.maxPerSecond } : {}),
        ApproximateNumberOfMessagesMoved: t.moved,
        ApproximateNumberOfMessagesToMove: t.toMove,
        ...(t.failureReason ? { FailureReason: t.failureReason } : {}),
        StartedTimestamp: t.startedAt,
      }));
    return { Results };
  }

  private cancelMessageMoveTask(input: Json) {
    if (typeof input.TaskHandle !== "string" || input.TaskHandle === "") throw sqsError("MissingParameter", "The request must contain the parameter TaskHandle.");
    const task = this.state.moveTasks.find((t) => t.taskHandle === input.TaskHandle);
    if (!task) throw sqsError("ResourceNotFoundException", "The resource that you specified for the TaskHandle parameter doesn't exist.");
    if (task.status !== "RUNNING") throw sqsError("UnsupportedOperation", `Only tasks in RUNNING status can be cancelled; this task is ${task.status}.`);
    this.finishMove(task, "CANCELLED");
    return { ApproximateNumberOfMessagesMoved: task.moved };
  }

  // ------------------------------------------------------------ helpers

  private messageCounts(queue: SqsQueue, now: number): { visible: number; notVisible: number; delayed: number } {
    let visible = 0;
    let notVisible = 0;
    let delayed = 0;
    for (const m of queue.messages) {
      if (m.visibleAt <= now) visible++;
      else if (m.receipt !== undefined) notVisible++;
      else delayed++;
    }
    return { visible, notVisible, delayed };
  }

  private expireMessages(queue: SqsQueue, now: number): void {
    const retentionMs = queueNumber(queue, "MessageRetentionPeriod") * 1000;
    const kept = queue.messages.filter((m) => m.sentAt + retentionMs > now);
    if (kept.length !== queue.messages.length) {
      queue.messages = kept;
      this.ctx.touch();
    }
  }

  private waitForMessages(queueName: string, remainingMs: number): Promise<void> {
    const queue = this.state.queues[queueName];
    const now = this.ctx.now();
    const nextVisible = queue ? queue.messages.reduce((min, m) => (m.visibleAt > now ? Math.min(min, m.visibleAt - now) : min), Infinity) : Infinity;
    const ms = Math.max(1, Math.min(remainingMs, nextVisible, LONG_POLL_RECHECK_MS));
    return new Promise((resolve) => {
      const set = this.waiters.get(queueName) ?? new Set<() => void>();
      this.waiters.set(queueName, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      set.add(done);
    });
  }

  /** Wakes long polls waiting on a queue. */
  private notify(queueName: string): void {
    const set = this.waiters.get(queueName);
    if (!set) return;
    this.waiters.delete(queueName);
    for (const wake of set) wake();
  }

  private rememberBaseUrl(req: SandboxRequest): void {
    const host = req.headers.host;
    if (host) this.lastBaseUrl = `${req.headers["x-forwarded-proto"] ?? "http"}://${host}`;
  }

  private urlOf(queue: SqsQueue, req?: SandboxRequest): string {
    const host = req?.headers.host;
    const base = host ? `${req!.headers["x-forwarded-proto"] ?? "http"}://${host}` : (this.lastBaseUrl ?? `https://sqs.${this.ctx.region}.amazonaws.com`);
    return `${base}/${this.ctx.accountId}/${queue.name}`;
  }

  private arnFor(name: string): string {
    return `arn:aws:sqs:${this.ctx.region}:${this.ctx.accountId}:${name}`;
  }

  private arnOf(queue: SqsQueue): string {
    return this.arnFor(queue.name);
  }

  private tryQueueFromArn(arn: string): SqsQueue | undefined {
    const m = /^arn:aws[\w-]*:sqs:[^:]*:(\d{12}):([^:/]+)$/.exec(arn);
    if (!m || m[1] !== this.ctx.accountId) return undefined;
    return this.state.queues[m[2]!];
  }

  /** Resolves a QueueUrl (any host; the path ends in /<account>/<name>) or a queue ARN. */
  private queueFromRef(ref: unknown): SqsQueue {
    if (typeof ref !== "string" || ref === "") throw sqsError("MissingParameter", "The request must contain the parameter QueueUrl.");
    const missing = () => sqsError("QueueDoesNotExist", "The specified queue does not exist.");
    if (ref.startsWith("arn:")) {
      const queue = this.tryQueueFromArn(ref);
      if (!queue) throw missing();
      return queue;
    }
    let path: string;
    try {
      path = new URL(ref).pathname;
    } catch {
      path = ref.startsWith("/") ? ref : "";
    }
    const m = /\/(\d{12})\/([^/]+)\/?$/.exec(path);
    if (!m) throw sqsError("InvalidAddress", `The address ${ref} is not valid for this endpoint.`);
    const queue = m[1] === this.ctx.accountId ? this.state.queues[decodeURIComponent(m[2]!)] : undefined;
    if (!queue) throw missing();
    return queue;
  }
}

function attributeNameMatches(pattern: string, name: string): boolean {
  if (pattern === "All" || pattern === ".*") return true;
  if (pattern.endsWith(".*")) return name.startsWith(pattern.slice(0, -1));
  return pattern === name;
}

function createSha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** Form body parameters, with query-string parameters the body does not set. */
function formParams(req: Pick<SandboxRequest, "body" | "query">): URLSearchParams {
  const form = new URLSearchParams(req.body.toString("utf8"));
  for (const [k, v] of req.query) if (!form.has(k)) form.set(k, v);
  return form;
}
