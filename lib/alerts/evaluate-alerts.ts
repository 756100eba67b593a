/**
 * The entry point the worker calls after each cycle: every rule is read from the store,
 * evaluated (pure), stepped through the state machine (pure), persisted as AlertEvent rows,
 * and notified to its channels. Idempotent for the same `now`; one evaluator at a time
 * across processes (a lease in the Setting table).
 */
import crypto from "node:crypto";
import type { Db } from "../db.ts";
import { redactString } from "../redact.ts";
import { evaluateRule, type AlertTarget, type ScopeResult } from "./evaluators.ts";
import { readRuleInputs, windowOf, withReadCache } from "./readers.ts";
import { parseRuleRow, type RuleSpec } from "./rules.ts";
import { nextStep, type Notice, type OpenEvent, type Step } from "./state.ts";
import { buildAlertMessage, type AlertMessage } from "./payload.ts";
import { createNotifier, deliverToRuleChannels, type DeliveryRecord, type Notifier } from "./notify.ts";
import { alertsConfig } from "./config.ts";

export interface EvaluateAlertsOptions {
  /** The evaluation instant (default: the current time). */
  now?: Date;
  /** Where notifications go (default: createNotifier() with the environment's settings). */
  notifier?: Notifier;
  /** Evaluate only these rules. */
  ruleIds?: number[];
  log?: (line: string) => void;
}

export interface Transition {
  scopeKey: string;
  action: Exclude<Step["action"], "none">;
  state: "pending" | "firing" | "resolved" | "cancelled";
  value: number | null;
  notified: Notice | null;
  deliveries: DeliveryRecord[];
}

export interface RuleOutcome {
  ruleId: number;
  rule: string;
  kind: string;
  scopes: number;
  breached: number;
  transitions: Transition[];
  error?: string;
}

export interface EvaluateAlertsResult {
  now: string;
  /** Set when another process holds the evaluation lease. */
  skipped?: "locked";
  rules: RuleOutcome[];
  notifications: { sent: number; failed: number };
}

const LEASE_KEY = "alerts.evaluator.lease";
const LEASE_MS = 5 * 60_000;
const MAX_DELIVERY_HISTORY = 20;
/** Scope keys notified in parallel (each delivery already fans out to the rule's channels). */
const DELIVERY_CONCURRENCY = 4;

/** Takes the evaluation lease (a Setting row, compare-and-set); false when another live owner holds it. */
async function acquireLease(db: Db, owner: string): Promise<boolean> {
  const value = JSON.stringify({ owner, until: Date.now() + LEASE_MS });
  try {
    await db.setting.create({ data: { key: LEASE_KEY, value } });
    return true;
  } catch {
    const row = await db.setting.findUnique({ where: { key: LEASE_KEY } });
    if (!row) return false;
    let held: { owner?: string; until?: number } = {};
    try {
      held = JSON.parse(row.value) as typeof held;
    } catch {
      // A damaged lease is treated as expired.
    }
    if (held.owner !== owner && typeof held.until === "number" && held.until > Date.now()) return false;
    const n = await db.setting.updateMany({ where: { key: LEASE_KEY, value: row.value }, data: { value } });
    return n.count === 1;
  }
}

async function releaseLease(db: Db, owner: string): Promise<void> {
  const row = await db.setting.findUnique({ where: { key: LEASE_KEY } });
  if (row && row.value.includes(JSON.stringify(owner))) await db.setting.deleteMany({ where: { key: LEASE_KEY, value: row.value } });
}

/** The stored details of an event (evaluation bookkeeping + the last result). */
interface EventDetails {
  summary?: string;
  target?: AlertTarget;
  threshold?: number;
  windowMinutes?: number;
  windowFrom?: string;
  windowTo?: string;
  lastEvaluatedAt?: string;
  noDataSince?: string | null;
  result?: Record<string, unknown>;
  resolution?: string;
  deliveries?: DeliveryRecord[];
}

function parseDetails(text: string): EventDetails {
  try {
    const v: unknown = JSON.parse(text || "{}");
    return v && typeof v === "object" && !Array.isArray(v) ? (v as EventDetails) : {};
  } catch {
    return {};
  }
}

const date = (s: string | null | undefined) => (s ? new Date(s) : null);

function openEventOf(row: { state: string; pendingCount: number; startedAt: Date; firedAt: Date | null; lastNotifiedAt: Date | null; acknowledgedBy: string | null; detailsJson: string }): OpenEvent {
  const d = parseDetails(row.detailsJson);
  return {
    state: row.state === "firing" ? "firing" : "pending",
    pendingCount: row.pendingCount,
    startedAt: row.startedAt,
    firedAt: row.firedAt,
    lastNotifiedAt: row.lastNotifiedAt,
    lastEvaluatedAt: date(d.lastEvaluatedAt),
    noDataSince: date(d.noDataSince ?? null),
    acknowledged: row.acknowledgedBy !== null,
  };
}

function detailsFor(spec: RuleSpec, r: ScopeResult | undefined, previous: EventDetails, now: Date, extra: Partial<EventDetails>): string {
  const w = windowOf(now, spec.windowMinutes);
  const d: EventDetails = {
    ...previous,
    ...(r ? { summary: r.summary, target: r.target, threshold: r.threshold, result: r.details } : {}),
    windowMinutes: spec.windowMinutes,
    windowFrom: w.from.toISOString(),
    windowTo: w.to.toISOString(),
    lastEvaluatedAt: now.toISOString(),
    ...extra,
  };
  return JSON.stringify(d);
}

/** Evaluates every enabled rule at `now`, moves alert states, and notifies routed channels. */
export async function evaluateAlerts(db: Db, opts: EvaluateAlertsOptions = {}): Promise<EvaluateAlertsResult> {
  const now = opts.now ?? new Date();
  const log = opts.log ?? (() => {});
  const owner = `${process.pid}-${crypto.randomBytes(6).toString("hex")}`;
  const result: EvaluateAlertsResult = { now: now.toISOString(), rules: [], notifications: { sent: 0, failed: 0 } };
  if (!(await acquireLease(db, owner))) return { ...result, skipped: "locked" };
  const notifier = opts.notifier ?? createNotifier({ db });
  try {
    const disableAfter = alertsConfig().disableAfterFailures;
    const rows = await db.alertRule.findMany({ where: opts.ruleIds ? { id: { in: opts.ruleIds } } : {}, orderBy: { id: "asc" } });
    await withReadCache(db, async () => {
      for (const row of rows) {
        const outcome: RuleOutcome = { ruleId: row.id, rule: row.name, kind: row.kind, scopes: 0, breached: 0, transitions: [] };
        result.rules.push(outcome);
        try {
          const spec = parseRuleRow(row);
          const results = spec.enabled ? await evaluateRule(spec, await readRuleInputs(db, spec, now), now) : [];
          outcome.scopes = results.length;
          outcome.breached = results.filter((r) => r.breached === true).length;
          await applyResults(db, spec, results, now, notifier, disableAfter, outcome, log);
        } catch (err) {
          outcome.error = redactString((err as Error).message ?? String(err)).slice(0, 500);
          log(`alerts: rule "${row.name}" failed: ${outcome.error}`);
        }
        for (const t of outcome.transitions) for (const d of t.deliveries) {
          if (d.ok) result.notifications.sent++;
          else result.notifications.failed++;
        }
      }
    });
    return result;
  } finally {
    if (!opts.notifier) notifier.close();
    await releaseLease(db, owner).catch(() => {});
  }
}

async function applyResults(db: Db, spec: RuleSpec, results: ScopeResult[], now: Date, notifier: Notifier, disableAfter: number, outcome: RuleOutcome, log: (line: string) => void): Promise<void> {
  const open = await db.alertEvent.findMany({ where: { ruleId: spec.id, state: { in: ["pending", "firing"] } }, orderBy: [{ startedAt: "desc" }, { id: "desc" }] });
  // Dedup: one open event per scope key; older duplicates (from a crash or a race) are closed.
  const openByKey = new Map<string, (typeof open)[number]>();
  for (const e of open) {
    if (!openByKey.has(e.scopeKey)) openByKey.set(e.scopeKey, e);
    else await db.alertEvent.update({ where: { id: e.id }, data: { state: "resolved", resolvedAt: now, detailsJson: JSON.stringify({ ...parseDetails(e.detailsJson), resolution: "duplicate" }) } });
  }
  const recentlyClosed = await db.alertEvent.findMany({ where: { ruleId: spec.id, state: "resolved", resolvedAt: { gte: now } }, select: { scopeKey: true, resolvedAt: true } });
  const closedAt = new Map(recentlyClosed.map((e) => [e.scopeKey, e.resolvedAt!]));
  const byKey = new Map(results.map((r) => [r.key, r]));
  const keys = [...new Set([...byKey.keys(), ...openByKey.keys()])].sort();
  const policy = { pendingPeriods: spec.pendingPeriods, cooldownMinutes: spec.cooldownMinutes, windowMinutes: spec.windowMinutes };
  const outbox: Array<{ transition: Transition; eventId: number; message: AlertMessage }> = [];

  for (const key of keys) {
    const r = byKey.get(key);
    const row = openByKey.get(key) ?? null;
    // A disabled rule closes its alerts quietly.
    const step: Step = !spec.enabled
      ? row
        ? row.state === "firing"
          ? { action: "resolve", reason: "out_of_scope", notify: null }
          : { action: "cancel", reason: "out_of_scope" }
        : { action: "none" }
      : nextStep(row ? openEventOf(row) : null, { present: r !== undefined, breached: r?.breached ?? null }, policy, now, closedAt.get(key) ?? null);
    if (step.action === "none") continue;
    const previous = row ? parseDetails(row.detailsJson) : {};
    const value = r?.value ?? row?.value ?? null;
    let event: { id: number; startedAt: Date; firedAt: Date | null; resolvedAt: Date | null; detailsJson: string } | null = null;
    let state: Transition["state"];
    let notice: Notice | null = null;

    if (step.action === "open") {
      try {
        event = await db.alertEvent.create({
          data: {
            ruleId: spec.id,
            scopeKey: key,
            state: step.state,
            value,
            pendingCount: step.pendingCount,
            startedAt: now,
            firedAt: step.state === "firing" ? now : null,
            lastNotifiedAt: step.notify ? now : null,
            detailsJson: detailsFor(spec, r, {}, now, { noDataSince: null }),
          },
        });
      } catch {
        continue; // Same rule, key and start already written: this instant was evaluated.
      }
      state = step.state;
      notice = step.notify;
    } else if (step.action === "update") {
      const n = await db.alertEvent.updateMany({
        where: { id: row!.id, state: row!.state, pendingCount: row!.pendingCount },
        data: {
          state: step.state,
          value,
          pendingCount: step.pendingCount,
          ...(step.fired ? { firedAt: now } : {}),
          ...(step.notify ? { lastNotifiedAt: now } : {}),
          detailsJson: detailsFor(spec, r, previous, now, { noDataSince: step.noDataSince?.toISOString() ?? null }),
        },
      });
      if (n.count === 0) continue;
      event = { ...row!, firedAt: step.fired ? now : row!.firedAt };
      state = step.state;
      notice = step.notify;
      // Quiet updates (value refreshes) are not transitions worth reporting.
      if (!step.fired && !notice && step.state === row!.state && (step.state === "firing" || step.pendingCount === row!.pendingCount)) continue;
    } else if (step.action === "resolve") {
      const n = await db.alertEvent.updateMany({
        where: { id: row!.id, state: "firing" },
        data: { state: "resolved", value, resolvedAt: now, ...(step.notify ? { lastNotifiedAt: now } : {}), detailsJson: detailsFor(spec, r, previous, now, { resolution: step.reason, noDataSince: null }) },
      });
      if (n.count === 0) continue;
      event = { ...row!, resolvedAt: now };
      state = "resolved";
      notice = step.notify;
    } else {
      await db.alertEvent.deleteMany({ where: { id: row!.id, state: "pending" } });
      outcome.transitions.push({ scopeKey: key, action: "cancel", state: "cancelled", value, notified: null, deliveries: [] });
      continue;
    }

    const transition: Transition = { scopeKey: key, action: step.action, state, value, notified: notice, deliveries: [] };
    outcome.transitions.push(transition);
    log(`alerts: ${spec.name} ${key} -> ${state}${notice ? ` (notify ${notice})` : ""}`);
    if (!notice || !event) continue;

    const details = parseDetails(event.detailsJson);
    const w = windowOf(now, spec.windowMinutes);
    const message = buildAlertMessage({
      state: notice === "resolved" ? "resolved" : "firing",
      reminder: notice === "reminder",
      severity: spec.severity,
      rule: { id: spec.id, name: spec.name, kind: spec.kind },
      scopeKey: key,
      target: r?.target ?? details.target ?? previous.target ?? { type: "cost", function: null },
      value,
      threshold: r?.threshold ?? previous.threshold ?? spec.threshold,
      windowMinutes: spec.windowMinutes,
      windowFrom: w.from,
      windowTo: w.to,
      summary:
        notice === "resolved"
          ? `Resolved${step.action === "resolve" && step.reason !== "cleared" ? ` (${step.reason === "no_data" ? "no data" : "no longer in scope"})` : ""}: ${r?.summary ?? previous.summary ?? key}`
          : (r?.summary ?? key),
      details: r?.details ?? previous.result ?? {},
      event: { id: event.id, startedAt: event.startedAt, firedAt: event.firedAt, resolvedAt: event.resolvedAt },
      now,
    });
    outbox.push({ transition, eventId: event.id, message });
  }

  // State is persisted first (a crash never re-sends); then notifications go out, a few at a time.
  await forEachLimit(outbox, DELIVERY_CONCURRENCY, async ({ transition, eventId, message }) => {
    transition.deliveries = await deliverToRuleChannels(db, notifier, spec.id, message, { now, disableAfter });
    const current = await db.alertEvent.findUnique({ where: { id: eventId }, select: { detailsJson: true } });
    if (current) {
      const d = parseDetails(current.detailsJson);
      d.deliveries = [...(d.deliveries ?? []), ...transition.deliveries].slice(-MAX_DELIVERY_HISTORY);
      await db.alertEvent.update({ where: { id: eventId }, data: { detailsJson: JSON.stringify(d) } });
    }
  });
}

async function forEachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  });
  await Promise.all(workers);
}
