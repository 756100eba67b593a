/**
 * Alerts end to end on SQLite and PostgreSQL: a canary regression seeded into the rollups
 * fires (pending -> firing), its SNS message reaches an SQS queue subscribed to a sandbox
 * topic through the real SDK, a local webhook receives a verified signed payload, the alert
 * resolves when the condition clears, a failing webhook is disabled with a visible reason,
 * and the SSRF guard refuses 127.0.0.1 unless allowed.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateTopicCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message } from "@aws-sdk/client-sqs";
import { startSandbox, type Sandbox } from "../../../lib/sandbox/server.ts";
import { SANDBOX_ACCOUNT_ID } from "../../../lib/sandbox/core.ts";
import { createAwsClients, sandboxTarget, type AwsClients } from "../../../lib/aws/clients.ts";
import { resetEnvCache } from "../../../lib/env.ts";
import { addValue, createHistogram, serializeHistogram } from "../../../lib/histogram/histogram.ts";
import type { Db } from "../../../lib/db.ts";
import { ForbiddenError, type Principal } from "../../../lib/auth/permissions.ts";
import { DATABASES, type TestDatabase } from "../helpers/databases.ts";
import { evaluateAlerts } from "../../../lib/alerts/evaluate-alerts.ts";
import { createNotifier, sendTestNotification, type Notifier } from "../../../lib/alerts/notify.ts";
import { acknowledgeEvent, AlertsManageError, createChannel, createRule, listChannels, listEvents, listRules, updateChannel } from "../../../lib/alerts/manage.ts";
import { verifyWebhookSignature } from "../../../lib/alerts/signature.ts";
import { INSTANCE_SECRET_SETTING } from "../../../lib/alerts/secrets.ts";
import { twoProportionZ } from "../../../lib/alerts/stats.ts";

const MINUTE = 60_000;
const T0 = new Date("2026-11-02T10:00:00.000Z").getTime();
const at = (minutes: number) => new Date(T0 + minutes * MINUTE);
const iso = (d: Date) => `${d.toISOString().slice(0, 16)}Z`;
const admin: Principal = { userId: 1, email: "admin@faasight.test", role: "admin", via: "session" };
const operator: Principal = { userId: 2, email: "oncall@faasight.test", role: "operator", via: "session" };
const viewer: Principal = { userId: 3, email: "viewer@faasight.test", role: "viewer", via: "session" };
const PUBLIC_URL = "https://faasight.test";

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const saved: Record<string, string | undefined> = {};
const ENV_KEYS = ["FAASIGHT_PUBLIC_URL", "FAASIGHT_SECRET", "FAASIGHT_WEBHOOK_ALLOW_PRIVATE", "FAASIGHT_WEBHOOK_ALLOWLIST", "FAASIGHT_CHANNEL_DISABLE_AFTER"];
function setEnv(name: string, value: string | undefined) {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
  resetEnvCache();
}

let sandbox: Sandbox;
let aws: AwsClients;
let server: http.Server;
let hookBase: string;
const received: Received[] = [];

beforeAll(async () => {
  for (const k of ENV_KEYS) saved[k] = process.env[k];
  setEnv("FAASIGHT_PUBLIC_URL", PUBLIC_URL);
  setEnv("FAASIGHT_SECRET", undefined);
  setEnv("FAASIGHT_WEBHOOK_ALLOWLIST", undefined);
  setEnv("FAASIGHT_WEBHOOK_ALLOW_PRIVATE", "1");
  setEnv("FAASIGHT_CHANNEL_DISABLE_AFTER", "3");
  sandbox = await startSandbox({ port: 0, seed: 7 });
  aws = createAwsClients(sandboxTarget(sandbox.url));
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(req.url?.startsWith("/broken") ? 500 : 204);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  hookBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  aws?.destroy();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await sandbox?.close();
  for (const k of ENV_KEYS) setEnv(k, saved[k]);
});

/** A 90/10 alias: v7 and v8 version rollups per minute (errors in the first `errors` minutes). */
async function seedVersions(db: Db, functionId: number, fromMinute: number, minutes: number, v: Record<string, { perMinute: number; errors: number; ms: number }>) {
  const rows = [];
  for (const [version, s] of Object.entries(v)) {
    for (let i = 0; i < minutes; i++) {
      const h = createHistogram();
      addValue(h, s.ms, s.perMinute);
      rows.push({ functionId, qualifier: version, bucketStart: at(fromMinute + i), invocations: s.perMinute, errors: i < s.errors ? 1 : 0, durationSumMs: s.ms * s.perMinute, hist: serializeHistogram(h) });
    }
  }
  await db.minuteRollup.createMany({ data: rows });
}

async function drain(queueUrl: string, expected: number, waitSeconds = 1): Promise<Message[]> {
  const out: Message[] = [];
  const deadline = Date.now() + 5000;
  while (out.length < expected && Date.now() < deadline) {
    const { Messages } = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds, MessageAttributeNames: ["All"] }));
    for (const m of Messages ?? []) {
      out.push(m);
      await aws.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
    }
    if (expected === 0) break;
  }
  return out;
}

let counter = 0;
async function subscribedQueue(topicArn: string, filterPolicy: object): Promise<string> {
  const { QueueUrl } = await aws.sqs.send(new CreateQueueCommand({ QueueName: `alerts-inbox-${++counter}` }));
  const { Attributes } = await aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  await aws.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: Attributes!.QueueArn!, Attributes: { FilterPolicy: JSON.stringify(filterPolicy) } }));
  return QueueUrl!;
}

const hooks = (path: string) => received.filter((r) => r.path.split("?")[0] === path);

describe.each(DATABASES)("alerts on $name", ({ name, create }) => {
  let h: TestDatabase;
  let db: Db;
  let notifier: Notifier;
  let fnId: number;
  let topicArn: string;
  let criticalQueue: string;
  let infoQueue: string;
  let snsId: number;
  let hookId: number;
  let hookSecret: string;
  const hookPath = `/hook-${name}`;
  const brokenPath = `/broken-${name}`;

  beforeAll(async () => {
    h = await create();
    db = h.db;
    // The default notifier finds the topic's account in the Source rows and publishes to its endpoint (the sandbox).
    notifier = createNotifier({ db, config: { webhookBackoffMs: 5, webhookMaxAttempts: 2 } });
    const source = await db.source.create({ data: { name: "sandbox", accountId: SANDBOX_ACCOUNT_ID, region: "us-east-1", endpoint: sandbox.url } });
    const fn = await db.lambdaFunction.create({
      data: { sourceId: source.id, name: "checkout", arn: `arn:aws:lambda:us-east-1:${SANDBOX_ACCOUNT_ID}:function:checkout`, memoryMb: 512, timeoutSec: 10, logGroup: "/aws/lambda/checkout", tagsJson: '{"team":"payments"}' },
    });
    fnId = fn.id;
    await db.functionAlias.create({ data: { functionId: fn.id, name: "live", functionVersion: "7", routingJson: '{"8":0.1}' } });
    topicArn = (await aws.sns.send(new CreateTopicCommand({ Name: `faasight-alerts-${name}` }))).TopicArn!;
    criticalQueue = await subscribedQueue(topicArn, { severity: ["critical"] });
    infoQueue = await subscribedQueue(topicArn, { severity: ["info"] });
  });

  afterAll(async () => {
    notifier?.close();
    await h?.drop();
  });

  it("manages channels and rules: validation, permissions, secrets never shown", async () => {
    const sns = await createChannel(db, { principal: admin }, { name: "pager topic", type: "sns", target: topicArn });
    snsId = sns.channel.id;
    expect(sns.secret).toBeUndefined();
    const hook = await createChannel(db, { principal: admin }, { name: "incident webhook", type: "webhook", target: `${hookBase}${hookPath}?token=abcdefghijklmnopqrstuvwxyz` });
    hookId = hook.channel.id;
    hookSecret = hook.secret!;
    expect(hookSecret).toMatch(/^whsec_/);
    expect(hook.channel).toMatchObject({ type: "webhook", hasSecret: true, enabled: true, target: `${hookBase}${hookPath}?token=…` });

    const stored = await db.alertChannel.findUniqueOrThrow({ where: { id: hookId } });
    expect(stored.secretEnc).toMatch(/^v1\./);
    expect(stored.secretEnc).not.toContain(hookSecret.slice(6));
    expect(await db.setting.findUnique({ where: { key: INSTANCE_SECRET_SETTING } })).not.toBeNull();
    const listed = JSON.stringify(await listChannels(db));
    expect(listed).not.toContain(hookSecret);
    expect(listed).not.toContain("abcdefghijklmnopqrstuvwxyz");
    expect(listed).not.toContain("secretEnc");

    await expect(createChannel(db, { principal: admin }, { name: "bad", type: "sns", target: "arn:aws:sqs:us-east-1:123456789012:q" })).rejects.toThrow(/SNS topic ARN/);
    await expect(createChannel(db, { principal: admin }, { name: "pager topic", type: "sns", target: topicArn })).rejects.toMatchObject({ status: 409 });
    await expect(createRule(db, { principal: viewer }, { name: "x", kind: "throttles" })).rejects.toThrow(ForbiddenError);
    await expect(createRule(db, { principal: operator }, { name: "x", kind: "throttles" })).rejects.toThrow(ForbiddenError);
    await expect(createRule(db, { principal: admin }, { name: "x", kind: "error_rate", threshold: 5 })).rejects.toThrow(/fraction/);
    await expect(createRule(db, { principal: admin }, { name: "x", kind: "error_rate", scope: { function: "checkout" } })).rejects.toBeInstanceOf(AlertsManageError);

    const rule = await createRule(db, { principal: admin }, {
      name: "checkout canary",
      kind: "canary_regression",
      scope: { functions: ["checkout"], aliases: ["live"] },
      threshold: 2.33,
      windowMinutes: 15,
      pendingPeriods: 2,
      cooldownMinutes: 30,
      severity: "critical",
      channelIds: [snsId, hookId],
    });
    expect(rule).toMatchObject({ kind: "canary_regression", unit: "z", params: { minSamples: 100 }, channels: [{ name: "incident webhook" }, { name: "pager topic" }], configError: null });
    const audit = await db.auditLog.findMany({ where: { resourceType: { in: ["alert_rule", "alert_channel"] } }, orderBy: { id: "asc" } });
    expect(audit.map((a) => `${a.action}:${a.outcome}`)).toEqual(["alerts.channel.create:ok", "alerts.channel.create:ok", "alerts.rule.create:denied", "alerts.rule.create:denied", "alerts.rule.create:ok"]);
    expect(audit.map((a) => a.detailsJson).join()).not.toContain(hookSecret);
  });

  it("a canary regression goes pending, then fires once to SNS and the webhook", async () => {
    // Last 10 minutes before T0: v7 900 invocations with 9 errors (1%), v8 100 with 8 (8%).
    await seedVersions(db, fnId, -10, 10, { "7": { perMinute: 90, errors: 9, ms: 100 }, "8": { perMinute: 10, errors: 8, ms: 105 } });

    const first = await evaluateAlerts(db, { now: at(0), notifier });
    expect(first.rules[0]).toMatchObject({ rule: "checkout canary", scopes: 1, breached: 1, transitions: [{ scopeKey: "alias:checkout:live", state: "pending", notified: null }] });
    expect(first.notifications).toEqual({ sent: 0, failed: 0 });

    const again = await evaluateAlerts(db, { now: at(0), notifier });
    expect(again.rules[0].transitions).toEqual([]);
    expect(await db.alertEvent.count()).toBe(1);

    const fired = await evaluateAlerts(db, { now: at(1), notifier });
    expect(fired.rules[0].transitions).toHaveLength(1);
    expect(fired.rules[0].transitions[0]).toMatchObject({ state: "firing", notified: "firing" });
    expect(fired.rules[0].transitions[0].deliveries.map((d) => [d.channel, d.ok, d.attempts])).toEqual([
      ["pager topic", true, 1],
      ["incident webhook", true, 1],
    ]);
    const z = twoProportionZ(9, 900, 8, 100)!;
    const [event] = await listEvents(db, { state: "open" });
    expect(event).toMatchObject({ rule: "checkout canary", scopeKey: "alias:checkout:live", state: "firing", pendingCount: 2, threshold: 2.33, startedAt: at(0).toISOString(), firedAt: at(1).toISOString() });
    expect(event.value).toBeCloseTo(z, 3);
    expect(event.link).toBe(`/functions/checkout?qualifier=live&from=${encodeURIComponent(iso(at(-58)))}&to=${encodeURIComponent(iso(at(2)))}`);

    // SNS -> SQS, through the real SDK, with the deep link and filterable attributes.
    const [msg, ...more] = await drain(criticalQueue, 1);
    expect(more).toEqual([]);
    const envelope = JSON.parse(msg.Body!) as { Type: string; TopicArn: string; Subject: string; Message: string; MessageAttributes: Record<string, { Type: string; Value: string }> };
    expect(envelope).toMatchObject({ Type: "Notification", TopicArn: topicArn });
    expect(envelope.Subject).toMatch(/^\[FIRING\] checkout canary: checkout:live canary regressed: v8 error rate 8\.0% vs v7 1\.0% \(z=5\.14\)/);
    expect(envelope.Subject.length).toBeLessThanOrEqual(100);
    expect(envelope.MessageAttributes).toEqual({
      severity: { Type: "String", Value: "critical" },
      rule: { Type: "String", Value: "checkout canary" },
      state: { Type: "String", Value: "firing" },
      kind: { Type: "String", Value: "canary_regression" },
      scope: { Type: "String", Value: "alias:checkout:live" },
    });
    const message = JSON.parse(envelope.Message);
    expect(message).toMatchObject({
      type: "alert",
      state: "firing",
      severity: "critical",
      rule: { name: "checkout canary", kind: "canary_regression" },
      scope: { key: "alias:checkout:live", target: { type: "alias", function: "checkout", alias: "live" } },
      threshold: 2.33,
      unit: "z",
      window: { minutes: 15, from: at(-14).toISOString(), to: at(1).toISOString() },
      details: { baseVersion: "7", canaryVersion: "8", base: { invocations: 900, errors: 9 }, canary: { invocations: 100, errors: 8 } },
      links: { faasight: `${PUBLIC_URL}/functions/checkout?qualifier=live&from=${encodeURIComponent(iso(at(-58)))}&to=${encodeURIComponent(iso(at(2)))}`, alerts: `${PUBLIC_URL}/alerts` },
    });
    expect(message.value).toBeCloseTo(z, 3);
    expect(await drain(infoQueue, 0, 0)).toEqual([]);

    // The webhook got the same payload, signed with the channel's secret.
    const [delivery] = hooks(hookPath);
    expect(hooks(hookPath)).toHaveLength(1);
    expect(delivery.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(delivery.headers["x-faasight-event"]).toBe("alert.firing");
    expect(delivery.headers["x-faasight-delivery"]).toBe(message.id);
    expect(delivery.path).toBe(`${hookPath}?token=abcdefghijklmnopqrstuvwxyz`);
    const signature = delivery.headers["x-faasight-signature"] as string;
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(hookSecret, signature, delivery.body, 300)).toBe(true);
    expect(verifyWebhookSignature(hookSecret, signature, delivery.body.replace("firing", "resolved"), 300)).toBe(false);
    expect(verifyWebhookSignature("whsec_someone_else_entirely", signature, delivery.body, 300)).toBe(false);
    expect(JSON.parse(delivery.body)).toEqual(message);
  });

  it("does not notify twice for the same instant or within the cooldown", async () => {
    const before = hooks(hookPath).length;
    const same = await evaluateAlerts(db, { now: at(1), notifier });
    const later = await evaluateAlerts(db, { now: at(5), notifier });
    expect(same.rules[0].transitions).toEqual([]);
    expect(later.rules[0].transitions).toEqual([]);
    expect(hooks(hookPath)).toHaveLength(before);
    expect(await drain(criticalQueue, 0, 0)).toEqual([]);
    expect(await db.alertEvent.count({ where: { state: { in: ["pending", "firing"] } } })).toBe(1);
    const [open] = await listEvents(db, { state: "open" });
    expect((await acknowledgeEvent(db, { principal: operator }, open.id)).acknowledgedBy).toBe("oncall@faasight.test");
    await expect(acknowledgeEvent(db, { principal: viewer }, open.id)).rejects.toThrow(ForbiddenError);
  });

  it("resolves when the condition clears, and notifies the resolution", async () => {
    // Minutes 15..29: v8 down to 1 error in 150 (0.7%), v7 at 9 in 1350.
    await seedVersions(db, fnId, 15, 15, { "7": { perMinute: 90, errors: 9, ms: 100 }, "8": { perMinute: 10, errors: 1, ms: 100 } });
    const r = await evaluateAlerts(db, { now: at(30), notifier });
    expect(r.rules[0].transitions).toMatchObject([{ scopeKey: "alias:checkout:live", state: "resolved", notified: "resolved" }]);
    expect(r.notifications).toEqual({ sent: 2, failed: 0 });
    const [msg] = await drain(criticalQueue, 1);
    const envelope = JSON.parse(msg.Body!);
    expect(envelope.Subject).toMatch(/^\[RESOLVED\] checkout canary: Resolved: checkout:live canary holds/);
    expect(envelope.MessageAttributes.state).toEqual({ Type: "String", Value: "resolved" });
    expect(JSON.parse(envelope.Message)).toMatchObject({ state: "resolved", details: { canary: { invocations: 150, errors: 1 }, base: { invocations: 1350, errors: 9 } } });
    const last = hooks(hookPath).at(-1)!;
    expect(JSON.parse(last.body).state).toBe("resolved");
    expect(verifyWebhookSignature(hookSecret, last.headers["x-faasight-signature"] as string, last.body)).toBe(true);

    const [event] = await listEvents(db, { ruleId: (await listRules(db))[0].id });
    expect(event).toMatchObject({ state: "resolved", resolution: "cleared", resolvedAt: at(30).toISOString(), acknowledgedBy: "oncall@faasight.test" });
    expect(event.deliveries.map((d) => `${d.channel}:${d.ok}`)).toEqual(["pager topic:true", "incident webhook:true", "pager topic:true", "incident webhook:true"]);
    expect((await evaluateAlerts(db, { now: at(30), notifier })).rules[0].transitions).toEqual([]);
    expect(await db.alertEvent.count()).toBe(1);
  });

  it("disables a webhook that keeps failing, with a visible reason", async () => {
    const broken = await createChannel(db, { principal: admin }, { name: "broken webhook", type: "webhook", target: `${hookBase}${brokenPath}` });
    await createRule(db, { principal: admin }, { name: "checkout throttles", kind: "throttles", scope: { tags: { team: "payments" } }, threshold: 0, windowMinutes: 5, cooldownMinutes: 1, channelIds: [broken.channel.id] });
    await db.minuteRollup.createMany({ data: [60, 61, 62, 63].map((m) => ({ functionId: fnId, qualifier: "$ALL", bucketStart: at(m), throttles: 2 })) });

    const outcomes = [];
    for (const m of [61, 62, 63, 64]) outcomes.push((await evaluateAlerts(db, { now: at(m), notifier })).rules.find((o) => o.rule === "checkout throttles")!);
    // Fired, reminded, reminded: three failed deliveries of two attempts each, then disabled.
    expect(outcomes.map((o) => o.transitions.map((t) => `${t.state}:${t.notified}:${t.deliveries.map((d) => `${d.ok}/${d.attempts}${d.disabled ? "/disabled" : ""}`).join()}`))).toEqual([
      ["firing:firing:false/2"],
      ["firing:reminder:false/2"],
      ["firing:reminder:false/2/disabled"],
      ["firing:reminder:"],
    ]);
    expect(hooks(brokenPath)).toHaveLength(6);
    const ch = (await listChannels(db)).find((c) => c.name === "broken webhook")!;
    expect(ch).toMatchObject({ enabled: false, failureCount: 3 });
    expect(ch.disabledReason).toMatch(/^Disabled automatically after 3 consecutive failed deliveries \(last at 2026-11-02T11:03:00\.000Z: HTTP 500 from 127\.0\.0\.1\)/);

    const reenabled = await updateChannel(db, { principal: admin }, broken.channel.id, { enabled: true });
    expect(reenabled.channel).toMatchObject({ enabled: true, failureCount: 0, disabledReason: null });
  });

  it("the SSRF guard refuses 127.0.0.1 unless allowed", async () => {
    setEnv("FAASIGHT_WEBHOOK_ALLOW_PRIVATE", undefined);
    try {
      await expect(createChannel(db, { principal: admin }, { name: "local", type: "webhook", target: `${hookBase}/local` })).rejects.toThrow(/resolves to 127\.0\.0\.1, a loopback address/);
      await expect(createChannel(db, { principal: admin }, { name: "metadata", type: "webhook", target: "https://169.254.169.254/latest" })).rejects.toThrow(/metadata/);
      const before = received.length;
      const refused = await sendTestNotification(db, hookId, { notifier });
      expect(refused).toMatchObject({ ok: false, attempts: 0, status: null });
      expect(refused.error).toMatch(/Refused: 127\.0\.0\.1 resolves to 127\.0\.0\.1, a loopback address/);
      expect(received.length).toBe(before);
      // An allowlist entry opens exactly that receiver.
      setEnv("FAASIGHT_WEBHOOK_ALLOWLIST", "127.0.0.1/32");
      expect((await sendTestNotification(db, hookId, { notifier })).ok).toBe(true);
    } finally {
      setEnv("FAASIGHT_WEBHOOK_ALLOWLIST", undefined);
      setEnv("FAASIGHT_WEBHOOK_ALLOW_PRIVATE", "1");
    }
    const ok = await sendTestNotification(db, hookId, { notifier });
    expect(ok).toMatchObject({ ok: true, status: 204, attempts: 1, channel: "incident webhook" });
    const test = hooks(hookPath).at(-1)!;
    expect(test.headers["x-faasight-event"]).toBe("test");
    expect(verifyWebhookSignature(hookSecret, test.headers["x-faasight-signature"] as string, test.body)).toBe(true);
    expect(JSON.parse(test.body)).toMatchObject({ type: "test", state: "test", severity: "info" });
    // The SNS test carries severity=info: only the info-filtered subscription gets it.
    expect((await sendTestNotification(db, snsId, { notifier })).ok).toBe(true);
    const [info] = await drain(infoQueue, 1);
    expect(JSON.parse(info.Body!).Subject).toBe('[TEST] Test notification: Test notification from Faasight to channel "pager topic"');
    expect(await drain(criticalQueue, 0, 0)).toEqual([]);
  });

  it("prefers an alias's exact per-version metrics for the canary counts", async () => {
    const fn = await db.lambdaFunction.findUniqueOrThrow({ where: { id: fnId } });
    await db.functionAlias.create({ data: { functionId: fnId, name: "beta", functionVersion: "7", routingJson: '{"9":0.5}' } });
    const points = [];
    for (let m = 100; m < 110; m++) {
      for (const [version, inv, err] of [["7", 50, m < 102 ? 1 : 0], ["9", 50, m < 104 ? 5 : 4]] as const) {
        const dimensions = `ExecutedVersion=${version},FunctionName=checkout,Resource=checkout:beta`;
        points.push({ sourceId: fn.sourceId, namespace: "AWS/Lambda", metricName: "Invocations", dimensions, stat: "Sum", period: 60, timestamp: at(m), value: inv });
        points.push({ sourceId: fn.sourceId, namespace: "AWS/Lambda", metricName: "Errors", dimensions, stat: "Sum", period: 60, timestamp: at(m), value: err });
      }
    }
    await db.metricPoint.createMany({ data: points });
    const rule = await createRule(db, { principal: admin }, { name: "beta canary", kind: "canary_regression", scope: { aliases: ["beta"] }, windowMinutes: 10 });
    const r = await evaluateAlerts(db, { now: at(110), notifier, ruleIds: [rule.id] });
    expect(r.rules).toMatchObject([{ rule: "beta canary", scopes: 1, breached: 1, transitions: [{ scopeKey: "alias:checkout:beta", state: "firing", notified: "firing", deliveries: [] }] }]);
    const [event] = await listEvents(db, { ruleId: rule.id });
    expect(event.summary).toMatch(/^checkout:beta canary regressed: v9 error rate 8\.8% vs v7 0\.40%/);
    expect(event.value).toBeCloseTo(twoProportionZ(2, 500, 44, 500)!, 3);
    expect(event.link).toBe(`/functions/checkout?qualifier=beta&from=${encodeURIComponent(iso(at(110 - 60 + 1)))}&to=${encodeURIComponent(iso(at(111)))}`);
  });

  it("one evaluator at a time: a live lease held elsewhere skips the run", async () => {
    await db.setting.create({ data: { key: "alerts.evaluator.lease", value: JSON.stringify({ owner: "other-worker", until: Date.now() + 60_000 }) } });
    expect(await evaluateAlerts(db, { now: at(90), notifier })).toMatchObject({ skipped: "locked", rules: [] });
    // An expired lease is taken over, and released afterwards.
    await db.setting.update({ where: { key: "alerts.evaluator.lease" }, data: { value: JSON.stringify({ owner: "other-worker", until: Date.now() - 1 }) } });
    const r = await evaluateAlerts(db, { now: at(90), notifier });
    expect(r.skipped).toBeUndefined();
    expect(r.rules.map((o) => o.rule)).toEqual(["checkout canary", "checkout throttles", "beta canary"]);
    expect(await db.setting.findUnique({ where: { key: "alerts.evaluator.lease" } })).toBeNull();
  });
});
