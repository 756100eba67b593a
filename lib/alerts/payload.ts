/**
 * The notification an alert sends: one JSON document (validated with zod before it leaves)
 * for SNS messages and webhook bodies, an SNS Subject, message attributes for subscription
 * filter policies, and deep links into Faasight.
 */
import { z } from "zod";
import { env } from "../env.ts";
import { isoMinute } from "../time-range.ts";
import type { AlertTarget } from "./evaluators.ts";
import { RULE_KIND_INFO, RULE_KINDS, SEVERITIES, type RuleKind, type Severity } from "./rules.ts";

export const NOTIFICATION_STATES = ["firing", "resolved", "test"] as const;
export type NotificationState = (typeof NOTIFICATION_STATES)[number];

const targetSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("function"), source: z.string(), function: z.string(), qualifier: z.string() }),
  z.object({ type: z.literal("alias"), source: z.string(), function: z.string(), alias: z.string() }),
  z.object({ type: z.literal("stage"), source: z.string(), api: z.string(), stage: z.string() }),
  z.object({ type: z.literal("queue"), source: z.string(), queue: z.string() }),
  z.object({ type: z.literal("collector"), source: z.string(), collector: z.string().nullable() }),
  z.object({ type: z.literal("cost"), function: z.string().nullable() }),
  z.object({ type: z.literal("test") }),
]);

/** The outgoing payload (SNS Message and webhook body). */
export const alertMessageSchema = z
  .object({
    version: z.literal(1),
    type: z.enum(["alert", "test"]),
    /** Unique per delivery attempt set: receivers can drop duplicates by it. */
    id: z.string().min(1).max(200),
    state: z.enum(NOTIFICATION_STATES),
    /** A repeated "still firing" notification (after the cooldown). */
    reminder: z.boolean(),
    severity: z.enum(SEVERITIES),
    rule: z.object({ id: z.number().int().nullable(), name: z.string(), kind: z.enum([...RULE_KINDS, "test"]) }),
    scope: z.object({ key: z.string(), target: targetSchema }),
    value: z.number().nullable(),
    threshold: z.number().nullable(),
    unit: z.string(),
    window: z.object({ minutes: z.number().int(), from: z.string(), to: z.string() }),
    summary: z.string().max(2000),
    details: z.record(z.string(), z.unknown()),
    event: z.object({ id: z.number().int().nullable(), startedAt: z.string().nullable(), firedAt: z.string().nullable(), resolvedAt: z.string().nullable() }),
    links: z.object({ faasight: z.string().url(), alerts: z.string().url() }),
    sentAt: z.string(),
  })
  .strict();
export type AlertMessage = z.infer<typeof alertMessageSchema>;

/** Faasight's public base URL for links (FAASIGHT_PUBLIC_URL, else localhost on FAASIGHT_PORT), without a trailing slash. */
export function publicBaseUrl(): string {
  const e = env();
  return (e.FAASIGHT_PUBLIC_URL ?? `http://localhost:${e.FAASIGHT_PORT}`).replace(/\/+$/, "");
}

const enc = encodeURIComponent;

function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** The Faasight page showing a target over [from, to). */
export function deepLink(base: string, target: AlertTarget | { type: "test" }, from: Date, to: Date): string {
  const range = { from: isoMinute(from), to: isoMinute(to) };
  switch (target.type) {
    case "function":
      return `${base}/functions/${enc(target.function)}${query({ qualifier: target.qualifier === "$ALL" ? undefined : target.qualifier, ...range })}`;
    case "alias":
      return `${base}/functions/${enc(target.function)}${query({ qualifier: target.alias, ...range })}`;
    case "stage":
      return `${base}/apis/${enc(target.api)}/${enc(target.stage)}${query(range)}`;
    case "queue":
      return `${base}/failures${query({ queue: target.queue, ...range })}`;
    case "cost":
      return `${base}/cost${query(range)}`;
    case "collector":
      return `${base}/${query(range)}`;
    case "test":
      return `${base}/alerts`;
  }
}

/** The time range a link shows: some context before the alert started, up to now (or the resolution). */
export function linkRange(opts: { now: Date; startedAt: Date | null; windowMinutes: number; kind: RuleKind | "test" }): { from: Date; to: Date } {
  const MINUTE = 60_000;
  const to = Math.ceil((opts.now.getTime() + MINUTE) / MINUTE) * MINUTE;
  const cost = opts.kind === "cost_anomaly" || opts.kind === "projected_overspend";
  const span = cost ? 30 * 24 * 60 : Math.max(60, opts.windowMinutes * 3);
  const start = Math.min(opts.startedAt?.getTime() ?? Infinity, opts.now.getTime()) - opts.windowMinutes * MINUTE;
  const from = Math.floor(Math.min(start, to - span * MINUTE) / MINUTE) * MINUTE;
  return { from: new Date(from), to: new Date(to) };
}

/** ASCII-only, one line, at most `max` characters (what SNS accepts as a Subject). */
export function toSubject(text: string, max = 100): string {
  const ascii = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[\u2012-\u2015]/g, "-")
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\u2026/g, "...")
    .replace(/[\u2264]/g, "<=")
    .replace(/[\u2265]/g, ">=")
    .replace(/\s+/g, " ")
    .replace(/[^\x20-\x7e]/gu, "?")
    .trim();
  const safe = /^[A-Za-z0-9\p{P}]/u.test(ascii) ? ascii : `- ${ascii}`;
  return safe.length <= max ? safe : `${safe.slice(0, max - 3).trimEnd()}...`;
}

/** The SNS Subject of a notification, e.g. "[FIRING] checkout canary: checkout:live canary regressed: …". */
export function subjectOf(m: Pick<AlertMessage, "state" | "reminder" | "rule" | "summary">): string {
  const tag = m.state === "test" ? "[TEST]" : m.state === "resolved" ? "[RESOLVED]" : m.reminder ? "[FIRING, reminder]" : "[FIRING]";
  return toSubject(`${tag} ${m.rule.name}: ${m.summary}`);
}

/** SNS message attributes for subscription filter policies. */
export function messageAttributesOf(m: AlertMessage): Record<string, { DataType: "String"; StringValue: string }> {
  const attr = (v: string) => ({ DataType: "String" as const, StringValue: v.slice(0, 256) || "-" });
  return { severity: attr(m.severity), rule: attr(m.rule.name), state: attr(m.state), kind: attr(m.rule.kind), scope: attr(m.scope.key) };
}

export interface BuildMessageInput {
  type?: "alert" | "test";
  state: NotificationState;
  reminder: boolean;
  severity: Severity;
  rule: { id: number | null; name: string; kind: RuleKind | "test" };
  scopeKey: string;
  target: AlertTarget | { type: "test" };
  value: number | null;
  threshold: number | null;
  windowMinutes: number;
  windowFrom: Date;
  windowTo: Date;
  summary: string;
  details: Record<string, unknown>;
  event: { id: number | null; startedAt: Date | null; firedAt: Date | null; resolvedAt: Date | null };
  now: Date;
  baseUrl?: string;
}

const MAX_DETAILS_CHARS = 100_000;

/** Builds and validates a notification (throws when it would not validate: a bug, not a delivery failure). */
export function buildAlertMessage(input: BuildMessageInput): AlertMessage {
  const base = input.baseUrl ?? publicBaseUrl();
  const range = linkRange({ now: input.now, startedAt: input.event.startedAt, windowMinutes: input.windowMinutes, kind: input.rule.kind });
  const detailsText = JSON.stringify(input.details);
  const message: AlertMessage = {
    version: 1,
    type: input.type ?? "alert",
    id: `${input.rule.id ?? "test"}-${input.event.id ?? 0}-${input.state}${input.reminder ? "-reminder" : ""}-${input.now.getTime()}`,
    state: input.state,
    reminder: input.reminder,
    severity: input.severity,
    rule: input.rule,
    scope: { key: input.scopeKey, target: input.target },
    value: input.value,
    threshold: input.threshold,
    unit: input.rule.kind === "test" ? "none" : RULE_KIND_INFO[input.rule.kind].unit,
    window: { minutes: input.windowMinutes, from: input.windowFrom.toISOString(), to: input.windowTo.toISOString() },
    summary: input.summary.slice(0, 2000),
    details: detailsText.length > MAX_DETAILS_CHARS ? { truncated: true } : input.details,
    event: {
      id: input.event.id,
      startedAt: input.event.startedAt?.toISOString() ?? null,
      firedAt: input.event.firedAt?.toISOString() ?? null,
      resolvedAt: input.event.resolvedAt?.toISOString() ?? null,
    },
    links: { faasight: deepLink(base, input.target, range.from, range.to), alerts: `${base}/alerts` },
    sentAt: input.now.toISOString(),
  };
  return alertMessageSchema.parse(message);
}
