/**
 * Delivering a stored report: an SNS publish (a plain-text summary with a link to the full
 * report in Faasight) and webhook POSTs (a JSON payload, validated before it leaves). Each
 * outcome is recorded for ReportRun.deliveredJson; a failed channel never stops the others.
 */
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { z } from "zod";
import { createAwsClients, SANDBOX_CREDENTIALS, type AwsClients } from "../aws/clients.ts";
import { redactString } from "../redact.ts";
import type { CostReport } from "./model.ts";
import { pctChange, usdChange, usdDisplay } from "./money-format.ts";
import type { ReportChannel } from "./schedules.ts";

/** SNS requires a Subject under 100 characters, without line breaks. */
export const SNS_SUBJECT_MAX = 99;
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;

/** How deliveries reach AWS: an SNS client per topic region. */
export interface ReportClients {
  /** Used for every topic when snsForRegion is not given. */
  sns?: SNSClient;
  snsForRegion?: (region: string) => SNSClient;
}

/** One delivery attempt's outcome (stored in ReportRun.deliveredJson). */
export interface DeliveryOutcome {
  type: "sns" | "webhook";
  /** Topic ARN, or the webhook URL with credentials redacted. */
  target: string;
  ok: boolean;
  at: string;
  ms: number;
  messageId?: string;
  status?: number;
  error?: string;
}

export const deliveryOutcomeSchema = z.object({
  type: z.enum(["sns", "webhook"]),
  target: z.string(),
  ok: z.boolean(),
  at: z.string(),
  ms: z.number(),
  messageId: z.string().optional(),
  status: z.number().optional(),
  error: z.string().optional(),
});

export interface ReportLink {
  /** The run's page in Faasight. */
  url: string;
  runId: number;
  scheduleName: string;
  scheduleId: number;
  fireTime: string;
  formats: string[];
}

const ascii = (s: string) => s.normalize("NFKD").replace(/[^\x20-\x7e]/g, "");

/** "Faasight cost report weekly-finance: 2026-03-02 to 2026-03-08 $1,234.56 (+4.2%)", ASCII, at most 99 chars. */
export function snsSubject(report: CostReport, scheduleName: string): string {
  const t = report.totals;
  const tail = ` ${usdDisplay(t.current.totalMicroUsd)} (${pctChange(t.changePct, t.previous.totalMicroUsd, t.current.totalMicroUsd)})`;
  const head = ascii(`Faasight cost report ${scheduleName}: ${report.period.label}`).replace(/\s+/g, " ").trim();
  const room = SNS_SUBJECT_MAX - tail.length;
  const cut = head.length > room ? `${head.slice(0, Math.max(0, room - 3)).trimEnd()}...` : head;
  return `${cut}${tail}`.slice(0, SNS_SUBJECT_MAX);
}

/** The plain-text summary: totals, top 3 movers, savings, and the link to the full report. */
export function reportSummaryText(report: CostReport, link: Pick<ReportLink, "url" | "scheduleName">): string {
  const t = report.totals;
  const c = t.current;
  const lines = [
    `Faasight cost report "${link.scheduleName}": ${report.period.title}`,
    `${report.period.label} (${report.period.timezone})`,
    "",
    `Total: ${usdDisplay(c.totalMicroUsd)} (${usdChange(t.changeMicroUsd)}, ${pctChange(t.changePct, t.previous.totalMicroUsd, c.totalMicroUsd)} vs ${report.previousPeriod.label})`,
    `  Lambda compute ${usdDisplay(c.computeMicroUsd)}, Lambda requests ${usdDisplay(c.lambdaRequestsMicroUsd)}, API Gateway ${usdDisplay(c.apiGatewayMicroUsd)}`,
    `  ${c.invocations.toLocaleString("en-US")} invocations, ${Number(c.gbSeconds).toLocaleString("en-US", { maximumFractionDigits: 1 })} GB-s, ${c.apiRequests.toLocaleString("en-US")} API requests`,
    "",
    "Top movers:",
    ...(report.topMovers.length === 0
      ? ["  none"]
      : report.topMovers.slice(0, 3).map((m, i) => `  ${i + 1}. ${m.label}: ${usdDisplay(m.totalMicroUsd)} (${usdChange(m.changeMicroUsd)}, ${pctChange(m.changePct, m.previousTotalMicroUsd, m.totalMicroUsd)})`)),
    "",
    "Savings available (per month):",
    `  Memory right-sizing: ${usdDisplay(report.savings.rightSizingMonthlyMicroUsd)} (${report.savings.rightSizing.filter((r) => r.monthlySavingMicroUsd > 0n).length} functions)`,
    `  arm64 migration: ${usdDisplay(report.savings.arm64MonthlyMicroUsd)} (${report.savings.arm64.length} functions)`,
  ];
  if (report.anomalies.length > 0) lines.push("", `Anomalies: ${report.anomalies.map((a) => `${a.date} ${usdDisplay(a.microUsd)}`).join(", ")}`);
  if (report.projection) lines.push("", `Projection for ${report.projection.month}: ${usdDisplay(report.projection.projectedMicroUsd)} (${usdDisplay(report.projection.lowMicroUsd)} to ${usdDisplay(report.projection.highMicroUsd)})`);
  lines.push(`Faasight's own monitoring cost: ${usdDisplay(report.monitoring.totalMicroUsd)}`, "", `Full report: ${link.url}`);
  return lines.join("\n");
}

const micro = z.number().int();

/** The webhook body (validated before sending; stable field names, version 1). */
export const reportWebhookPayloadSchema = z.strictObject({
  type: z.literal("faasight.cost_report"),
  version: z.literal(1),
  schedule: z.strictObject({ id: z.number().int(), name: z.string() }),
  run: z.strictObject({ id: z.number().int(), url: z.string().url(), fireTime: z.string(), formats: z.array(z.string()) }),
  period: z.strictObject({ preset: z.string(), title: z.string(), label: z.string(), timezone: z.string(), start: z.string(), end: z.string() }),
  previousPeriod: z.strictObject({ label: z.string(), start: z.string(), end: z.string() }),
  totals: z.strictObject({
    totalMicroUsd: micro,
    previousTotalMicroUsd: micro,
    changeMicroUsd: micro,
    changePct: z.number().nullable(),
    computeMicroUsd: micro,
    lambdaRequestsMicroUsd: micro,
    apiGatewayMicroUsd: micro,
    invocations: z.number().int(),
    apiRequests: z.number().int(),
    gbSeconds: z.string(),
  }),
  topMovers: z.array(z.strictObject({ key: z.string(), label: z.string(), totalMicroUsd: micro, changeMicroUsd: micro, changePct: z.number().nullable() })).max(3),
  savings: z.strictObject({ rightSizingMonthlyMicroUsd: micro, arm64MonthlyMicroUsd: micro }),
  monitoringMicroUsd: micro,
  text: z.string(),
});

export type ReportWebhookPayload = z.infer<typeof reportWebhookPayloadSchema>;

/** Builds and validates the webhook payload. */
export function reportWebhookPayload(report: CostReport, link: ReportLink): ReportWebhookPayload {
  const n = (v: bigint) => Number(v);
  const t = report.totals;
  return reportWebhookPayloadSchema.parse({
    type: "faasight.cost_report",
    version: 1,
    schedule: { id: link.scheduleId, name: link.scheduleName },
    run: { id: link.runId, url: link.url, fireTime: link.fireTime, formats: link.formats },
    period: { preset: report.period.preset, title: report.period.title, label: report.period.label, timezone: report.period.timezone, start: report.period.start, end: report.period.end },
    previousPeriod: report.previousPeriod,
    totals: {
      totalMicroUsd: n(t.current.totalMicroUsd),
      previousTotalMicroUsd: n(t.previous.totalMicroUsd),
      changeMicroUsd: n(t.changeMicroUsd),
      changePct: t.changePct,
      computeMicroUsd: n(t.current.computeMicroUsd),
      lambdaRequestsMicroUsd: n(t.current.lambdaRequestsMicroUsd),
      apiGatewayMicroUsd: n(t.current.apiGatewayMicroUsd),
      invocations: t.current.invocations,
      apiRequests: t.current.apiRequests,
      gbSeconds: t.current.gbSeconds,
    },
    topMovers: report.topMovers.slice(0, 3).map((m) => ({ key: m.key, label: m.label, totalMicroUsd: n(m.totalMicroUsd), changeMicroUsd: n(m.changeMicroUsd), changePct: m.changePct })),
    savings: { rightSizingMonthlyMicroUsd: n(report.savings.rightSizingMonthlyMicroUsd), arm64MonthlyMicroUsd: n(report.savings.arm64MonthlyMicroUsd) },
    monitoringMicroUsd: n(report.monitoring.totalMicroUsd),
    text: reportSummaryText(report, link),
  });
}

/** The region of a topic ARN (arn:aws:sns:<region>:<account>:<name>). */
export function topicRegion(topicArn: string): string {
  return topicArn.split(":")[3] ?? "";
}

const errorText = (err: unknown) => redactString(`${(err as Error)?.name ?? "Error"}: ${(err as Error)?.message ?? String(err)}`).slice(0, 500);

/** Publishes the summary to an SNS topic. */
export async function deliverToSns(clients: ReportClients, topicArn: string, report: CostReport, link: ReportLink, now: () => Date): Promise<DeliveryOutcome> {
  const started = Date.now();
  const at = now().toISOString();
  try {
    const sns = clients.snsForRegion?.(topicRegion(topicArn)) ?? clients.sns;
    if (!sns) throw new Error("no SNS client configured for report delivery");
    const out = await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: snsSubject(report, link.scheduleName),
        Message: reportSummaryText(report, link),
        MessageAttributes: { "faasight.type": { DataType: "String", StringValue: "cost_report" }, "faasight.run_id": { DataType: "Number", StringValue: String(link.runId) } },
      }),
    );
    return { type: "sns", target: topicArn, ok: true, at, ms: Date.now() - started, messageId: out.MessageId };
  } catch (err) {
    return { type: "sns", target: topicArn, ok: false, at, ms: Date.now() - started, error: errorText(err) };
  }
}

/** POSTs the JSON payload to a webhook with a timeout; any 2xx is success. */
export async function deliverToWebhook(url: string, payload: ReportWebhookPayload, options: { fetch?: typeof fetch; timeoutMs?: number; now: () => Date }): Promise<DeliveryOutcome> {
  const started = Date.now();
  const at = options.now().toISOString();
  const target = redactString(url).replace(/\?.*$/, "?…");
  try {
    const res = await (options.fetch ?? fetch)(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "Faasight-Reports/1" },
      body: JSON.stringify(payload),
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS),
    });
    await res.body?.cancel().catch(() => undefined);
    const ok = res.status >= 200 && res.status < 300;
    return { type: "webhook", target, ok, at, ms: Date.now() - started, status: res.status, ...(ok ? {} : { error: `HTTP ${res.status}` }) };
  } catch (err) {
    const timedOut = (err as Error)?.name === "TimeoutError";
    return { type: "webhook", target, ok: false, at, ms: Date.now() - started, error: timedOut ? `timed out after ${options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS} ms` : errorText(err) };
  }
}

/** Delivers to every channel (in order); outcomes in the same order. */
export async function deliverReport(
  channels: ReportChannel[],
  report: CostReport,
  link: ReportLink,
  clients: ReportClients,
  options: { fetch?: typeof fetch; webhookTimeoutMs?: number; now: () => Date },
): Promise<DeliveryOutcome[]> {
  const outcomes: DeliveryOutcome[] = [];
  let payload: ReportWebhookPayload | undefined;
  for (const ch of channels) {
    if (ch.type === "sns") outcomes.push(await deliverToSns(clients, ch.topicArn, report, link, options.now));
    else outcomes.push(await deliverToWebhook(ch.url, (payload ??= reportWebhookPayload(report, link)), { fetch: options.fetch, timeoutMs: options.webhookTimeoutMs, now: options.now }));
  }
  return outcomes;
}

/**
 * SNS clients for report delivery from the environment: the standard credential chain, the
 * topic's region, and AWS_ENDPOINT_URL when set (the sandbox). Call destroy() when done.
 */
export function reportClientsFromEnv(env: Record<string, string | undefined> = process.env): ReportClients & { destroy(): void } {
  const sets = new Map<string, AwsClients>();
  const endpoint = env.AWS_ENDPOINT_URL?.trim() || undefined;
  // An endpoint override without credentials is the local sandbox, which checks no signatures.
  const credentials = endpoint && !env.AWS_ACCESS_KEY_ID?.trim() && !env.AWS_PROFILE?.trim() ? SANDBOX_CREDENTIALS : undefined;
  return {
    snsForRegion(region: string) {
      const r = region || env.AWS_REGION?.trim() || "us-east-1";
      let c = sets.get(r);
      if (!c) sets.set(r, (c = createAwsClients({ region: r, endpoint, credentials, maxAttempts: 3, requestTimeoutMs: 15_000 })));
      return c.sns;
    },
    destroy() {
      for (const c of sets.values()) c.destroy();
      sets.clear();
    },
  };
}
