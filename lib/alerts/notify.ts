/**
 * Delivering notifications: a Notifier sends one message to one channel (SNS or webhook);
 * deliverToRuleChannels routes a rule's message to its enabled channels and keeps each
 * channel's failure count, disabling it (with a visible reason) after repeated failures.
 */
import type { SNSClient } from "@aws-sdk/client-sns";
import type { Db } from "../db.ts";
import { env } from "../env.ts";
import { redactString } from "../redact.ts";
import { createAwsClients, SANDBOX_CREDENTIALS, type AwsClients, type AwsTarget } from "../aws/clients.ts";
import { hasAwsCredentials, sandboxUrl } from "../worker/sources.ts";
import { alertsConfig, type AlertsConfig } from "./config.ts";
import { buildAlertMessage, type AlertMessage } from "./payload.ts";
import { parseTopicArn, publishAlert } from "./channels/sns.ts";
import { deliverWebhook } from "./channels/webhook.ts";
import { channelKey, decryptSecret } from "./secrets.ts";
import type { Resolver } from "./ssrf.ts";

export type ChannelType = "sns" | "webhook";

/** A channel ready to send to; `secret` is the decrypted webhook secret (never log this object). */
export interface DeliveryChannel {
  id: number;
  name: string;
  type: ChannelType;
  target: string;
  secret: string | null;
}

export interface DeliveryResult {
  ok: boolean;
  attempts: number;
  /** HTTP status of the last webhook attempt. */
  status: number | null;
  /** SNS MessageId. */
  messageId: string | null;
  error: string | null;
  ms: number;
}

/** Sends one message to one channel (with the channel's own retries); never throws. */
export interface Notifier {
  send(channel: DeliveryChannel, message: AlertMessage): Promise<DeliveryResult>;
  close(): void;
}

export interface NotifierOptions {
  /** The SNS client for a topic (default: the topic's Source row, else the environment, else the sandbox). */
  snsClientFor?: (topicArn: string) => SNSClient | Promise<SNSClient>;
  /** Used by the default SNS client factory to find the source (endpoint, role) of the topic's account. */
  db?: Db;
  /** Overrides of the environment's settings (tests use short backoffs). */
  config?: Partial<AlertsConfig>;
  resolver?: Resolver;
  sleep?: (ms: number) => Promise<void>;
}

/** The AWS target for publishing to a topic (pure apart from the environment it is given). */
export function snsTargetFor(
  arn: { region: string; accountId: string },
  source: { endpoint: string | null; roleArn: string | null; externalId: string | null } | null,
  e: Pick<ReturnType<typeof env>, "AWS_ENDPOINT_URL" | "AWS_ACCESS_KEY_ID" | "AWS_PROFILE" | "FAASIGHT_SANDBOX_PORT">,
  processEnv: Record<string, string | undefined> = process.env,
): AwsTarget {
  const credentialed = hasAwsCredentials(e, processEnv);
  const endpoint = source?.endpoint ?? processEnv.AWS_ENDPOINT_URL_SNS ?? e.AWS_ENDPOINT_URL ?? (credentialed ? undefined : sandboxUrl(e));
  return {
    region: arn.region,
    endpoint,
    ...(credentialed ? {} : { credentials: SANDBOX_CREDENTIALS }),
    ...(source?.roleArn ? { roleArn: source.roleArn, externalId: source.externalId ?? undefined } : {}),
    maxAttempts: 3,
    requestTimeoutMs: 10_000,
  };
}

/** The notifier the worker uses: real SNS clients and webhooks under the environment's settings. */
export function createNotifier(options: NotifierOptions = {}): Notifier {
  const clients = new Map<string, AwsClients>();
  const snsFor =
    options.snsClientFor ??
    (async (topicArn: string) => {
      const arn = parseTopicArn(topicArn)!;
      const source = options.db ? await options.db.source.findFirst({ where: { accountId: arn.accountId, region: arn.region }, select: { endpoint: true, roleArn: true, externalId: true } }) : null;
      const target = snsTargetFor(arn, source, env());
      const key = JSON.stringify([target.region, target.endpoint, target.roleArn, target.externalId]);
      let c = clients.get(key);
      if (!c) clients.set(key, (c = createAwsClients(target)));
      return c.sns;
    });
  return {
    async send(channel, message) {
      const started = Date.now();
      const config = { ...alertsConfig(), ...options.config };
      if (channel.type === "sns") {
        if (!parseTopicArn(channel.target)) return { ok: false, attempts: 0, status: null, messageId: null, error: "The target is not an SNS topic ARN.", ms: 0 };
        try {
          const client = await snsFor(channel.target);
          const out = await publishAlert(client, channel.target, message);
          return { ok: true, attempts: 1, status: null, messageId: out.messageId ?? null, error: null, ms: Date.now() - started };
        } catch (err) {
          const e = err as { name?: string; message?: string };
          return { ok: false, attempts: 1, status: null, messageId: null, error: redactString(`${e.name ?? "Error"}: ${e.message ?? String(err)}`).slice(0, 500), ms: Date.now() - started };
        }
      }
      if (!channel.secret) return { ok: false, attempts: 0, status: null, messageId: null, error: "The webhook channel has no signing secret.", ms: 0 };
      const body = JSON.stringify(message);
      const r = await deliverWebhook(channel.target, channel.secret, body, {
        config,
        resolver: options.resolver,
        sleep: options.sleep,
        headers: { "x-faasight-event": message.type === "test" ? "test" : `alert.${message.state}`, "x-faasight-delivery": message.id },
      });
      return { ok: r.ok, attempts: r.attempts, status: r.status, messageId: null, error: r.error === null ? null : redactString(r.error).slice(0, 500), ms: r.ms };
    },
    close() {
      for (const c of clients.values()) c.destroy();
      clients.clear();
    },
  };
}

/** One delivery, as kept in the event's history (no secrets, no URL paths). */
export interface DeliveryRecord {
  channelId: number;
  channel: string;
  type: ChannelType;
  ok: boolean;
  attempts: number;
  status: number | null;
  error: string | null;
  at: string;
  /** Set when this failure disabled the channel. */
  disabled?: boolean;
}

async function toDeliveryChannel(db: Db, row: { id: number; name: string; type: string; target: string; secretEnc: string | null }, key: () => Promise<Buffer>): Promise<DeliveryChannel | { error: string }> {
  if (row.type !== "sns" && row.type !== "webhook") return { error: `unknown channel type "${row.type}"` };
  let secret: string | null = null;
  if (row.type === "webhook" && row.secretEnc) {
    try {
      secret = decryptSecret(await key(), row.secretEnc);
    } catch (err) {
      return { error: (err as Error).message };
    }
  }
  return { id: row.id, name: row.name, type: row.type, target: row.target, secret };
}

/** Counts a delivery's outcome on the channel: resets on success; disables after `disableAfter` failures in a row. */
export async function recordDeliveryOutcome(db: Db, channelId: number, result: { ok: boolean; error: string | null }, at: Date, disableAfter: number): Promise<{ disabled: boolean }> {
  if (result.ok) {
    await db.alertChannel.updateMany({ where: { id: channelId, failureCount: { gt: 0 } }, data: { failureCount: 0 } });
    return { disabled: false };
  }
  const row = await db.alertChannel.update({ where: { id: channelId }, data: { failureCount: { increment: 1 } }, select: { failureCount: true, enabled: true } });
  if (row.enabled && row.failureCount >= disableAfter) {
    const reason = `Disabled automatically after ${row.failureCount} consecutive failed deliveries (last at ${at.toISOString()}: ${result.error ?? "unknown error"}). Fix the receiver, then re-enable the channel.`;
    const n = await db.alertChannel.updateMany({ where: { id: channelId, enabled: true }, data: { enabled: false, disabledReason: reason.slice(0, 1000) } });
    return { disabled: n.count > 0 };
  }
  return { disabled: false };
}

/** Sends a message to every enabled channel routed from a rule, in parallel; records each outcome. */
export async function deliverToRuleChannels(db: Db, notifier: Notifier, ruleId: number, message: AlertMessage, opts: { now: Date; disableAfter?: number }): Promise<DeliveryRecord[]> {
  const links = await db.alertRuleChannel.findMany({ where: { ruleId, channel: { enabled: true } }, include: { channel: true }, orderBy: { channelId: "asc" } });
  const disableAfter = opts.disableAfter ?? alertsConfig().disableAfterFailures;
  let keyPromise: Promise<Buffer> | null = null;
  const key = () => (keyPromise ??= channelKey(db));
  return Promise.all(
    links.map(async ({ channel: row }): Promise<DeliveryRecord> => {
      const ch = await toDeliveryChannel(db, row, key);
      const result: DeliveryResult = "error" in ch ? { ok: false, attempts: 0, status: null, messageId: null, error: ch.error, ms: 0 } : await notifier.send(ch, message);
      const { disabled } = await recordDeliveryOutcome(db, row.id, result, opts.now, disableAfter);
      return {
        channelId: row.id,
        channel: row.name,
        type: row.type as ChannelType,
        ok: result.ok,
        attempts: result.attempts,
        status: result.status,
        error: result.error,
        at: opts.now.toISOString(),
        ...(disabled ? { disabled: true } : {}),
      };
    }),
  );
}

export interface TestNotificationResult {
  ok: boolean;
  channelId: number;
  channel: string;
  type: ChannelType;
  attempts: number;
  status: number | null;
  messageId: string | null;
  error: string | null;
}

/** Raised when a channel id does not exist. */
export class ChannelNotFoundError extends Error {
  constructor(id: number) {
    super(`Alert channel ${id} does not exist.`);
    this.name = "ChannelNotFoundError";
  }
}

/**
 * The "send test" button: one test notification to a channel, enabled or not. The outcome is
 * returned and does not count towards automatic disabling.
 */
export async function sendTestNotification(db: Db, channelId: number, opts: { notifier?: Notifier; now?: Date } = {}): Promise<TestNotificationResult> {
  const row = await db.alertChannel.findUnique({ where: { id: channelId } });
  if (!row) throw new ChannelNotFoundError(channelId);
  const now = opts.now ?? new Date();
  const notifier = opts.notifier ?? createNotifier({ db });
  try {
    const ch = await toDeliveryChannel(db, row, () => channelKey(db));
    const message = buildAlertMessage({
      type: "test",
      state: "test",
      reminder: false,
      severity: "info",
      rule: { id: null, name: "Test notification", kind: "test" },
      scopeKey: "test",
      target: { type: "test" },
      value: null,
      threshold: null,
      windowMinutes: 0,
      windowFrom: now,
      windowTo: now,
      summary: `Test notification from Faasight to channel "${row.name}"`,
      details: {},
      event: { id: null, startedAt: null, firedAt: null, resolvedAt: null },
      now,
    });
    const result: DeliveryResult = "error" in ch ? { ok: false, attempts: 0, status: null, messageId: null, error: ch.error, ms: 0 } : await notifier.send(ch, message);
    return { ok: result.ok, channelId: row.id, channel: row.name, type: row.type as ChannelType, attempts: result.attempts, status: result.status, messageId: result.messageId, error: result.error };
  } finally {
    if (!opts.notifier) notifier.close();
  }
}
