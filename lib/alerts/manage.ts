/**
 * What the Alerts page and /api/v1 routes call: list, create, update and delete rules and
 * channels (inputs validated with zod), list and acknowledge events, send a test. Mutations
 * check the principal's scope (defence in depth; routes check first) and write the audit log.
 * Channel views never carry the secret, and webhook URLs are shown with token-like parts masked.
 */
import { z } from "zod";
import type { Db } from "../db.ts";
import { writeAudit } from "../auth/audit.ts";
import { ForbiddenError, requireScope, type Principal, type Scope } from "../auth/permissions.ts";
import { alertsConfig } from "./config.ts";
import { deepLink, linkRange } from "./payload.ts";
import type { AlertTarget } from "./evaluators.ts";
import {
  RULE_KIND_INFO,
  RULE_KINDS,
  SEVERITIES,
  parseRuleRow,
  ruleDefinitionSchema,
  scopeJsonOf,
  splitScopeJson,
  thresholdProblem,
  zodMessage,
  type RuleKind,
  type RuleUnit,
} from "./rules.ts";
import { parseTopicArn } from "./channels/sns.ts";
import { vetWebhookUrl, WebhookTargetError, type Resolver } from "./ssrf.ts";
import { channelKey, encryptSecret, newWebhookSecret } from "./secrets.ts";
import { sendTestNotification, type Notifier, type TestNotificationResult } from "./notify.ts";

/** Who acts. `principal: null` is the local system (CLI, worker): no scope check, audited as "anonymous" with via=system. */
export interface ManageContext {
  principal: Principal | null;
  ip?: string;
}

export type ManageErrorCode = "invalid_request" | "not_found" | "conflict";

/** A refused management call; routes answer with `status` and `{ error: { code, message } }`. */
export class AlertsManageError extends Error {
  constructor(
    public readonly status: 400 | 404 | 409,
    public readonly code: ManageErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "AlertsManageError";
  }
}

const invalid = (message: string) => new AlertsManageError(400, "invalid_request", message);
const notFound = (what: string) => new AlertsManageError(404, "not_found", `${what} was not found`);

async function authorize(db: Db, ctx: ManageContext, scope: Scope, action: string, resourceType: string, resourceId?: number | string): Promise<void> {
  if (!ctx.principal) return;
  try {
    requireScope(ctx.principal, scope);
  } catch (err) {
    if (err instanceof ForbiddenError) await writeAudit(db, { principal: ctx.principal, action, resourceType, resourceId, outcome: "denied", ip: ctx.ip });
    throw err;
  }
}

async function audit(db: Db, ctx: ManageContext, action: string, resourceType: string, resourceId: number | string, details: Record<string, unknown>, outcome: "ok" | "failed" = "ok"): Promise<void> {
  await writeAudit(db, { principal: ctx.principal, action, resourceType, resourceId, outcome, details: ctx.principal ? details : { ...details, via: "system" }, ip: ctx.ip });
}

function parse<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const r = schema.safeParse(input);
  if (!r.success) throw invalid(zodMessage(r.error));
  return r.data;
}

const isUniqueViolation = (err: unknown) => (err as { code?: string })?.code === "P2002";

// ---------------------------------------------------------------- rules

const ruleName = z.string().trim().min(1).max(100);
const idList = z.array(z.number().int().positive()).max(50);

/** Body of "create rule". Scope and params depend on the kind (see RULE_KIND_INFO and rules.ts). */
export const createRuleInputSchema = z
  .object({
    name: ruleName,
    kind: z.enum(RULE_KINDS),
    scope: z.record(z.string(), z.unknown()).optional(),
    params: z.record(z.string(), z.unknown()).optional(),
    /** Defaults to the kind's default threshold. Ratios are fractions (0.05 = 5%). */
    threshold: z.number().finite().optional(),
    windowMinutes: z.number().int().min(1).max(1440).default(5),
    pendingPeriods: z.number().int().min(1).max(60).default(1),
    cooldownMinutes: z.number().int().min(0).max(10_080).default(30),
    severity: z.enum(SEVERITIES).default("warning"),
    enabled: z.boolean().default(true),
    channelIds: idList.default([]),
  })
  .strict();
export type CreateRuleInput = z.input<typeof createRuleInputSchema>;

/** Body of "update rule": any subset; the kind cannot change (create a new rule instead). */
export const updateRuleInputSchema = z
  .object({
    name: ruleName.optional(),
    scope: z.record(z.string(), z.unknown()).optional(),
    params: z.record(z.string(), z.unknown()).optional(),
    threshold: z.number().finite().optional(),
    windowMinutes: z.number().int().min(1).max(1440).optional(),
    pendingPeriods: z.number().int().min(1).max(60).optional(),
    cooldownMinutes: z.number().int().min(0).max(10_080).optional(),
    severity: z.enum(SEVERITIES).optional(),
    enabled: z.boolean().optional(),
    /** Replaces the rule's channels when given. */
    channelIds: idList.optional(),
  })
  .strict();
export type UpdateRuleInput = z.input<typeof updateRuleInputSchema>;

export interface RuleView {
  id: number;
  name: string;
  kind: string;
  label: string;
  unit: RuleUnit | null;
  scope: Record<string, unknown>;
  params: Record<string, unknown>;
  threshold: number;
  windowMinutes: number;
  pendingPeriods: number;
  cooldownMinutes: number;
  severity: string;
  enabled: boolean;
  channels: Array<{ id: number; name: string; type: string; enabled: boolean }>;
  openEvents: number;
  /** Set when the stored configuration does not validate (the rule is skipped until fixed). */
  configError: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

function definitionOf(kind: RuleKind, scope: unknown, params: unknown) {
  const r = ruleDefinitionSchema.safeParse({ kind, scope: scope ?? {}, params: params ?? {} });
  if (!r.success) throw invalid(zodMessage(r.error));
  return r.data;
}

function checkThreshold(kind: RuleKind, threshold: number): void {
  const problem = thresholdProblem(kind, threshold);
  if (problem) throw invalid(`threshold: ${problem}`);
}

async function checkChannels(db: Db, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await db.alertChannel.findMany({ where: { id: { in: ids } }, select: { id: true } });
  const missing = ids.filter((id) => !found.some((f) => f.id === id));
  if (missing.length) throw invalid(`channelIds: channel ${missing.join(", ")} does not exist`);
}

const ruleInclude = {
  channels: { include: { channel: { select: { id: true as const, name: true as const, type: true as const, enabled: true as const } } } },
  _count: { select: { events: { where: { state: { in: ["pending", "firing"] } } } } },
};

type RuleRow = Awaited<ReturnType<Db["alertRule"]["findMany"]>>[number] & {
  channels: Array<{ channel: { id: number; name: string; type: string; enabled: boolean } }>;
  _count: { events: number };
};

function ruleView(row: RuleRow): RuleView {
  let scope: Record<string, unknown> = {};
  let params: Record<string, unknown> = {};
  let configError: string | null = null;
  try {
    const spec = parseRuleRow(row);
    scope = spec.definition.scope as Record<string, unknown>;
    params = spec.definition.params as Record<string, unknown>;
  } catch (err) {
    configError = (err as Error).message;
    try {
      const raw = splitScopeJson(row.scopeJson);
      scope = raw.scope as Record<string, unknown>;
      params = (raw.params ?? {}) as Record<string, unknown>;
    } catch {
      // Unreadable JSON: shown as empty with the error.
    }
  }
  const info = (RULE_KINDS as readonly string[]).includes(row.kind) ? RULE_KIND_INFO[row.kind as RuleKind] : null;
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    label: info?.label ?? row.kind,
    unit: info?.unit ?? null,
    scope,
    params,
    threshold: row.threshold,
    windowMinutes: row.windowMinutes,
    pendingPeriods: row.pendingPeriods,
    cooldownMinutes: row.cooldownMinutes,
    severity: row.severity,
    enabled: row.enabled,
    channels: row.channels.map((c) => c.channel).sort((a, b) => a.name.localeCompare(b.name)),
    openEvents: row._count.events,
    configError,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Every rule with its channels and open-event count, by name. */
export async function listRules(db: Db): Promise<RuleView[]> {
  const rows = await db.alertRule.findMany({ include: ruleInclude, orderBy: { name: "asc" } });
  return rows.map((r) => ruleView(r as RuleRow));
}

/** One rule, or null. */
export async function getRule(db: Db, id: number): Promise<RuleView | null> {
  const row = await db.alertRule.findUnique({ where: { id }, include: ruleInclude });
  return row ? ruleView(row as RuleRow) : null;
}

/** Creates a rule (alerts:manage). */
export async function createRule(db: Db, ctx: ManageContext, input: unknown): Promise<RuleView> {
  await authorize(db, ctx, "alerts:manage", "alerts.rule.create", "alert_rule");
  const body = parse(createRuleInputSchema, input);
  const definition = definitionOf(body.kind, body.scope, body.params);
  const threshold = body.threshold ?? RULE_KIND_INFO[body.kind].defaultThreshold;
  checkThreshold(body.kind, threshold);
  await checkChannels(db, body.channelIds);
  let id: number;
  try {
    const row = await db.alertRule.create({
      data: {
        name: body.name,
        kind: body.kind,
        scopeJson: scopeJsonOf(definition),
        threshold,
        windowMinutes: body.windowMinutes,
        pendingPeriods: body.pendingPeriods,
        cooldownMinutes: body.cooldownMinutes,
        severity: body.severity,
        enabled: body.enabled,
        createdBy: ctx.principal?.email ?? "system",
        channels: { create: [...new Set(body.channelIds)].map((channelId) => ({ channelId })) },
      },
    });
    id = row.id;
  } catch (err) {
    if (isUniqueViolation(err)) throw new AlertsManageError(409, "conflict", `A rule named "${body.name}" already exists.`);
    throw err;
  }
  await audit(db, ctx, "alerts.rule.create", "alert_rule", id, { name: body.name, kind: body.kind, threshold, channelIds: body.channelIds });
  return (await getRule(db, id))!;
}

/** Updates a rule (alerts:manage); open events continue under the new settings. */
export async function updateRule(db: Db, ctx: ManageContext, id: number, input: unknown): Promise<RuleView> {
  await authorize(db, ctx, "alerts:manage", "alerts.rule.update", "alert_rule", id);
  const body = parse(updateRuleInputSchema, input);
  const row = await db.alertRule.findUnique({ where: { id } });
  if (!row) throw notFound(`Alert rule ${id}`);
  if (!(RULE_KINDS as readonly string[]).includes(row.kind)) throw invalid(`the rule's kind "${row.kind}" is unknown`);
  const kind = row.kind as RuleKind;
  let scopeJson: string | undefined;
  if (body.scope !== undefined || body.params !== undefined) {
    let stored: { scope: unknown; params: unknown } = { scope: {}, params: {} };
    try {
      stored = splitScopeJson(row.scopeJson);
    } catch {
      // A damaged stored scope is replaced by what is given.
    }
    scopeJson = scopeJsonOf(definitionOf(kind, body.scope ?? stored.scope, body.params ?? stored.params));
  }
  if (body.threshold !== undefined) checkThreshold(kind, body.threshold);
  if (body.channelIds) await checkChannels(db, body.channelIds);
  try {
    await db.$transaction([
      db.alertRule.update({
        where: { id },
        data: {
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(scopeJson !== undefined ? { scopeJson } : {}),
          ...(body.threshold !== undefined ? { threshold: body.threshold } : {}),
          ...(body.windowMinutes !== undefined ? { windowMinutes: body.windowMinutes } : {}),
          ...(body.pendingPeriods !== undefined ? { pendingPeriods: body.pendingPeriods } : {}),
          ...(body.cooldownMinutes !== undefined ? { cooldownMinutes: body.cooldownMinutes } : {}),
          ...(body.severity !== undefined ? { severity: body.severity } : {}),
          ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
        },
      }),
      ...(body.channelIds
        ? [db.alertRuleChannel.deleteMany({ where: { ruleId: id } }), db.alertRuleChannel.createMany({ data: [...new Set(body.channelIds)].map((channelId) => ({ ruleId: id, channelId })) })]
        : []),
    ]);
  } catch (err) {
    if (isUniqueViolation(err)) throw new AlertsManageError(409, "conflict", `A rule named "${body.name}" already exists.`);
    throw err;
  }
  await audit(db, ctx, "alerts.rule.update", "alert_rule", id, { name: body.name ?? row.name, changed: Object.keys(body) });
  return (await getRule(db, id))!;
}

/** Deletes a rule and its event history (alerts:manage). */
export async function deleteRule(db: Db, ctx: ManageContext, id: number): Promise<void> {
  await authorize(db, ctx, "alerts:manage", "alerts.rule.delete", "alert_rule", id);
  const row = await db.alertRule.findUnique({ where: { id }, select: { name: true, kind: true } });
  if (!row) throw notFound(`Alert rule ${id}`);
  await db.alertRule.delete({ where: { id } });
  await audit(db, ctx, "alerts.rule.delete", "alert_rule", id, { name: row.name, kind: row.kind });
}

// ---------------------------------------------------------------- channels

const channelName = z.string().trim().min(1).max(100);
const webhookSecret = z.string().min(16, { error: () => "must be at least 16 characters" }).max(256);

/** Body of "create channel". For webhooks a signing secret is generated unless one is given; it is returned once. */
export const createChannelInputSchema = z
  .object({
    name: channelName,
    type: z.enum(["sns", "webhook"]),
    /** An SNS topic ARN, or an https:// URL. */
    target: z.string().trim().min(1).max(2048),
    secret: webhookSecret.optional(),
    enabled: z.boolean().default(true),
  })
  .strict();
export type CreateChannelInput = z.input<typeof createChannelInputSchema>;

/** Body of "update channel". `enabled: true` re-enables a disabled channel and clears its failures. */
export const updateChannelInputSchema = z
  .object({
    name: channelName.optional(),
    target: z.string().trim().min(1).max(2048).optional(),
    enabled: z.boolean().optional(),
    /** Replace the webhook secret with this one … */
    secret: webhookSecret.optional(),
    /** … or with a new generated one (returned once). */
    rotateSecret: z.boolean().optional(),
  })
  .strict()
  .refine((b) => !(b.secret && b.rotateSecret), { message: "give secret or rotateSecret, not both" });
export type UpdateChannelInput = z.input<typeof updateChannelInputSchema>;

export interface ChannelView {
  id: number;
  name: string;
  type: string;
  /** Topic ARN, or the webhook URL with its query values and token-like path parts masked. */
  target: string;
  hasSecret: boolean;
  enabled: boolean;
  disabledReason: string | null;
  failureCount: number;
  rules: Array<{ id: number; name: string }>;
  createdAt: string;
  updatedAt: string;
}

/** A webhook URL safe to show: origin, path with long token-like segments shortened, query values hidden. */
export function maskWebhookUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "(invalid URL)";
  }
  const path = url.pathname
    .split("/")
    .map((seg) => (/^[A-Za-z0-9_\-.~%]{16,}$/.test(seg) ? `${seg.slice(0, 4)}…` : seg))
    .join("/");
  const query = [...url.searchParams.keys()].map((k) => `${encodeURIComponent(k)}=…`).join("&");
  return `${url.protocol}//${url.host}${path}${query ? `?${query}` : ""}`;
}

type ChannelRow = { id: number; name: string; type: string; target: string; secretEnc: string | null; enabled: boolean; disabledReason: string | null; failureCount: number; createdAt: Date; updatedAt: Date; rules: Array<{ rule: { id: number; name: string } }> };

function channelView(row: ChannelRow): ChannelView {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    target: row.type === "webhook" ? maskWebhookUrl(row.target) : row.target,
    hasSecret: row.secretEnc !== null,
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    failureCount: row.failureCount,
    rules: row.rules.map((r) => r.rule).sort((a, b) => a.name.localeCompare(b.name)),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const channelInclude = { rules: { include: { rule: { select: { id: true, name: true } } } } } as const;

/** Every channel (never with its secret), by name. */
export async function listChannels(db: Db): Promise<ChannelView[]> {
  const rows = await db.alertChannel.findMany({ include: channelInclude, orderBy: { name: "asc" } });
  return rows.map(channelView);
}

/** One channel (never with its secret), or null. */
export async function getChannel(db: Db, id: number): Promise<ChannelView | null> {
  const row = await db.alertChannel.findUnique({ where: { id }, include: channelInclude });
  return row ? channelView(row) : null;
}

async function checkTarget(type: "sns" | "webhook", target: string, resolver?: Resolver): Promise<void> {
  if (type === "sns") {
    if (!parseTopicArn(target)) throw invalid("target: must be an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:alerts");
    return;
  }
  try {
    await vetWebhookUrl(target, alertsConfig(), resolver);
  } catch (err) {
    if (err instanceof WebhookTargetError) throw invalid(`target: ${err.message}`);
    throw err;
  }
}

export interface ChannelWithSecret {
  channel: ChannelView;
  /** The webhook signing secret, present only when it was just generated (show it once). */
  secret?: string;
}

/** Creates a channel (channels:manage). Webhook URLs pass the SSRF guard first. */
export async function createChannel(db: Db, ctx: ManageContext, input: unknown, opts: { resolver?: Resolver } = {}): Promise<ChannelWithSecret> {
  await authorize(db, ctx, "channels:manage", "alerts.channel.create", "alert_channel");
  const body = parse(createChannelInputSchema, input);
  if (body.type === "sns" && body.secret) throw invalid("secret: SNS channels have no secret");
  await checkTarget(body.type, body.target, opts.resolver);
  const generated = body.type === "webhook" && !body.secret ? newWebhookSecret() : undefined;
  const secret = body.type === "webhook" ? (body.secret ?? generated!) : null;
  let id: number;
  try {
    const row = await db.alertChannel.create({
      data: { name: body.name, type: body.type, target: body.target, secretEnc: secret ? encryptSecret(await channelKey(db), secret) : null, enabled: body.enabled },
    });
    id = row.id;
  } catch (err) {
    if (isUniqueViolation(err)) throw new AlertsManageError(409, "conflict", `A channel named "${body.name}" already exists.`);
    throw err;
  }
  const channel = (await getChannel(db, id))!;
  await audit(db, ctx, "alerts.channel.create", "alert_channel", id, { name: body.name, type: body.type, target: channel.target });
  return generated ? { channel, secret: generated } : { channel };
}

/** Updates a channel (channels:manage). */
export async function updateChannel(db: Db, ctx: ManageContext, id: number, input: unknown, opts: { resolver?: Resolver } = {}): Promise<ChannelWithSecret> {
  await authorize(db, ctx, "channels:manage", "alerts.channel.update", "alert_channel", id);
  const body = parse(updateChannelInputSchema, input);
  const row = await db.alertChannel.findUnique({ where: { id } });
  if (!row) throw notFound(`Alert channel ${id}`);
  const type = row.type === "sns" ? "sns" : "webhook";
  if (type === "sns" && (body.secret || body.rotateSecret)) throw invalid("secret: SNS channels have no secret");
  if (body.target !== undefined) await checkTarget(type, body.target, opts.resolver);
  const generated = body.rotateSecret ? newWebhookSecret() : undefined;
  const newSecret = body.secret ?? generated;
  try {
    await db.alertChannel.update({
      where: { id },
      data: {
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.target !== undefined ? { target: body.target } : {}),
        ...(newSecret ? { secretEnc: encryptSecret(await channelKey(db), newSecret) } : {}),
        ...(body.enabled === true ? { enabled: true, disabledReason: null, failureCount: 0 } : body.enabled === false ? { enabled: false, disabledReason: "Disabled by a user." } : {}),
      },
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AlertsManageError(409, "conflict", `A channel named "${body.name}" already exists.`);
    throw err;
  }
  const channel = (await getChannel(db, id))!;
  await audit(db, ctx, "alerts.channel.update", "alert_channel", id, {
    name: channel.name,
    changed: Object.keys(body).filter((k) => k !== "secret"),
    ...(newSecret ? { secretReplaced: true } : {}),
  });
  return generated ? { channel, secret: generated } : { channel };
}

/** Deletes a channel (channels:manage); its rule routes go with it. */
export async function deleteChannel(db: Db, ctx: ManageContext, id: number): Promise<void> {
  await authorize(db, ctx, "channels:manage", "alerts.channel.delete", "alert_channel", id);
  const row = await db.alertChannel.findUnique({ where: { id }, select: { name: true, type: true } });
  if (!row) throw notFound(`Alert channel ${id}`);
  await db.alertChannel.delete({ where: { id } });
  await audit(db, ctx, "alerts.channel.delete", "alert_channel", id, { name: row.name, type: row.type });
}

/** The "send test" button (channels:manage): one test notification; the outcome is audited and returned. */
export async function testChannel(db: Db, ctx: ManageContext, id: number, opts: { notifier?: Notifier } = {}): Promise<TestNotificationResult> {
  await authorize(db, ctx, "channels:manage", "alerts.channel.test", "alert_channel", id);
  if (!(await db.alertChannel.findUnique({ where: { id }, select: { id: true } }))) throw notFound(`Alert channel ${id}`);
  const r = await sendTestNotification(db, id, opts);
  await audit(db, ctx, "alerts.channel.test", "alert_channel", id, { name: r.channel, ok: r.ok, status: r.status, error: r.error }, r.ok ? "ok" : "failed");
  return r;
}

// ---------------------------------------------------------------- events

/** Query of "list events". */
export const listEventsInputSchema = z
  .object({
    state: z.enum(["open", "pending", "firing", "resolved", "all"]).default("all"),
    ruleId: z.coerce.number().int().positive().optional(),
    /** Exact scope key, or a prefix ending in "*" (e.g. "function:checkout*"). */
    scope: z.string().min(1).max(300).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    /** Keyset paging: events with a smaller id than this. */
    before: z.coerce.number().int().positive().optional(),
  })
  .strict();
export type ListEventsInput = z.input<typeof listEventsInputSchema>;

export interface DeliveryView {
  channelId: number;
  channel: string;
  type: string;
  ok: boolean;
  attempts: number;
  status: number | null;
  error: string | null;
  at: string;
  disabled?: boolean;
}

export interface EventView {
  id: number;
  ruleId: number;
  rule: string;
  kind: string;
  severity: string;
  scopeKey: string;
  target: AlertTarget | null;
  state: string;
  value: number | null;
  threshold: number;
  unit: RuleUnit | null;
  summary: string | null;
  pendingCount: number;
  startedAt: string;
  firedAt: string | null;
  resolvedAt: string | null;
  lastNotifiedAt: string | null;
  acknowledgedBy: string | null;
  /** cleared | no_data | out_of_scope | duplicate, for resolved events. */
  resolution: string | null;
  /** Relative link to the affected page over the alert's time range. */
  link: string | null;
  deliveries: DeliveryView[];
}

type EventRow = Awaited<ReturnType<Db["alertEvent"]["findMany"]>>[number] & { rule: { name: string; kind: string; severity: string; threshold: number; windowMinutes: number } };

function eventView(e: EventRow): EventView {
  let d: { summary?: string; target?: AlertTarget; threshold?: number; resolution?: string; deliveries?: DeliveryView[] } = {};
  try {
    d = JSON.parse(e.detailsJson || "{}") as typeof d;
  } catch {
    // Unreadable details: the row's columns are still shown.
  }
  const kind = (RULE_KINDS as readonly string[]).includes(e.rule.kind) ? (e.rule.kind as RuleKind) : null;
  const range = linkRange({ now: e.resolvedAt ?? e.lastNotifiedAt ?? e.startedAt, startedAt: e.startedAt, windowMinutes: e.rule.windowMinutes, kind: kind ?? "test" });
  return {
    id: e.id,
    ruleId: e.ruleId,
    rule: e.rule.name,
    kind: e.rule.kind,
    severity: e.rule.severity,
    scopeKey: e.scopeKey,
    target: d.target ?? null,
    state: e.state,
    value: e.value,
    threshold: d.threshold ?? e.rule.threshold,
    unit: kind ? RULE_KIND_INFO[kind].unit : null,
    summary: d.summary ?? null,
    pendingCount: e.pendingCount,
    startedAt: e.startedAt.toISOString(),
    firedAt: e.firedAt?.toISOString() ?? null,
    resolvedAt: e.resolvedAt?.toISOString() ?? null,
    lastNotifiedAt: e.lastNotifiedAt?.toISOString() ?? null,
    acknowledgedBy: e.acknowledgedBy,
    resolution: d.resolution ?? null,
    link: d.target ? deepLink("", d.target, range.from, range.to) : null,
    deliveries: d.deliveries ?? [],
  };
}

const eventInclude = { rule: { select: { name: true, kind: true, severity: true, threshold: true, windowMinutes: true } } } as const;

/** Alert history, newest first: open ones (state=open), one state, a rule, a scope key or prefix. */
export async function listEvents(db: Db, input: unknown = {}): Promise<EventView[]> {
  const q = parse(listEventsInputSchema, input);
  const rows = await db.alertEvent.findMany({
    where: {
      ...(q.state === "open" ? { state: { in: ["pending", "firing"] } } : q.state === "all" ? {} : { state: q.state }),
      ...(q.ruleId ? { ruleId: q.ruleId } : {}),
      ...(q.scope ? (q.scope.endsWith("*") ? { scopeKey: { startsWith: q.scope.slice(0, -1) } } : { scopeKey: q.scope }) : {}),
      ...(q.before ? { id: { lt: q.before } } : {}),
    },
    include: eventInclude,
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    take: q.limit,
  });
  return rows.map((r) => eventView(r as EventRow));
}

/** One event, or null. */
export async function getEvent(db: Db, id: number): Promise<EventView | null> {
  const row = await db.alertEvent.findUnique({ where: { id }, include: eventInclude });
  return row ? eventView(row as EventRow) : null;
}

/**
 * Open alerts affecting a function (its $ALL, qualifiers, aliases and cost) or an API stage,
 * for the badges on the overview, function and stage pages.
 */
export async function openAlertsFor(db: Db, what: { function?: string; api?: string; stage?: string }): Promise<EventView[]> {
  const open = await listEvents(db, { state: "open", limit: 500 });
  return open.filter((e) => {
    const t = e.target;
    if (!t) return false;
    if (what.function !== undefined) return (t.type === "function" || t.type === "alias") && t.function === what.function ? true : t.type === "cost" && t.function === what.function;
    if (what.api !== undefined && what.stage !== undefined) return t.type === "stage" && t.api === what.api && t.stage === what.stage;
    return true;
  });
}

/** Acknowledges an open alert (alerts:acknowledge): no more reminders until it resolves. */
export async function acknowledgeEvent(db: Db, ctx: ManageContext, id: number): Promise<EventView> {
  await authorize(db, ctx, "alerts:acknowledge", "alerts.event.acknowledge", "alert_event", id);
  const row = await db.alertEvent.findUnique({ where: { id }, select: { state: true } });
  if (!row) throw notFound(`Alert event ${id}`);
  if (row.state !== "firing" && row.state !== "pending") throw invalid(`alert event ${id} is ${row.state}; only open alerts can be acknowledged`);
  await db.alertEvent.update({ where: { id }, data: { acknowledgedBy: ctx.principal?.email ?? "system" } });
  await audit(db, ctx, "alerts.event.acknowledge", "alert_event", id, {});
  return (await getEvent(db, id))!;
}

/** The kinds, units, scope types and default thresholds (for the rule editor). */
export function listRuleKinds() {
  return RULE_KINDS.map((k) => RULE_KIND_INFO[k]);
}
