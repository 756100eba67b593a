import type { Db } from "../../db.ts";

export interface AlertEventRow {
  id: number;
  rule: string;
  kind: string;
  severity: string;
  scopeKey: string;
  state: string;
  value: number | null;
  threshold: number;
  startedAt: string;
  firedAt: string | null;
  resolvedAt: string | null;
  acknowledgedBy: string | null;
}

export interface AlertRuleRow {
  name: string;
  kind: string;
  threshold: number;
  windowMinutes: number;
  severity: string;
  enabled: boolean;
  channels: string[];
}

/** Alert rules and events (open ones first, then the most recent). */
export async function listAlerts(db: Db, opts: { openOnly?: boolean; limit?: number } = {}): Promise<{ rules: AlertRuleRow[]; events: AlertEventRow[] }> {
  const [rules, events] = await Promise.all([
    opts.openOnly ? Promise.resolve([]) : db.alertRule.findMany({ include: { channels: { include: { channel: { select: { name: true } } } } }, orderBy: { name: "asc" } }),
    db.alertEvent.findMany({
      where: opts.openOnly ? { state: { in: ["firing", "pending"] } } : {},
      include: { rule: { select: { name: true, kind: true, severity: true, threshold: true } } },
      orderBy: [{ startedAt: "desc" }],
      take: opts.limit ?? 100,
    }),
  ]);
  const order = { firing: 0, pending: 1, resolved: 2 } as Record<string, number>;
  return {
    rules: rules.map((r) => ({ name: r.name, kind: r.kind, threshold: r.threshold, windowMinutes: r.windowMinutes, severity: r.severity, enabled: r.enabled, channels: r.channels.map((c) => c.channel.name) })),
    events: events
      .map((e) => ({
        id: e.id,
        rule: e.rule.name,
        kind: e.rule.kind,
        severity: e.rule.severity,
        scopeKey: e.scopeKey,
        state: e.state,
        value: e.value,
        threshold: e.rule.threshold,
        startedAt: e.startedAt.toISOString(),
        firedAt: e.firedAt?.toISOString() ?? null,
        resolvedAt: e.resolvedAt?.toISOString() ?? null,
        acknowledgedBy: e.acknowledgedBy,
      }))
      .sort((a, b) => (order[a.state] ?? 3) - (order[b.state] ?? 3)),
  };
}
