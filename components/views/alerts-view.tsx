import Link from "next/link";
import { getDb } from "@/lib/db";
import { currentCan } from "@/lib/auth/current";
import { listChannels, listEvents, listRuleKinds, listRules } from "@/lib/alerts/manage";
import { formatTime } from "@/lib/charts/format";
import { PageHeader } from "../shell/page-header";
import { EmptyState } from "../ui/notices";
import { StatusBadge } from "../ui/status-badge";
import { RuleEditor } from "../alerts/rule-editor";
import { RuleActions } from "../alerts/rule-actions";
import { ChannelEditor } from "../alerts/channel-editor";
import { ChannelActions } from "../alerts/channel-actions";
import { AckButton } from "../alerts/ack-button";

function formatValue(v: number | null, unit: string | null): string {
  if (v === null) return "—";
  if (unit === "ratio") return `${(v * 100).toFixed(2)}%`;
  if (unit === "ms") return `${Math.round(v)} ms`;
  if (unit === "usd") return `$${v.toFixed(2)}`;
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

function scopeText(scope: Record<string, unknown>): string {
  const parts = Object.entries(scope)
    .filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(", ") : typeof v === "object" ? Object.entries(v as Record<string, unknown>).map(([a, b]) => `${a}=${String(b)}`).join(", ") : String(v)}`);
  return parts.length ? parts.join("; ") : "everything";
}

/** Alert rules with their state, the alert history (acknowledge for operators), and channels; admins create and edit rules and channels. */
export async function AlertsView() {
  const { db } = getDb();
  const [rules, channels, events, canManage, canChannels, canAck] = await Promise.all([
    listRules(db),
    listChannels(db),
    listEvents(db, { limit: 100 }),
    currentCan("alerts:manage"),
    currentCan("channels:manage"),
    currentCan("alerts:acknowledge"),
  ]);
  const kinds = listRuleKinds();
  const open = events.filter((e) => e.state !== "resolved");
  const stateOf = (ruleId: number) => (open.some((e) => e.ruleId === ruleId && e.state === "firing") ? "firing" : open.some((e) => e.ruleId === ruleId) ? "pending" : "ok");
  const channelChoices = channels.map((c) => ({ id: c.id, name: c.name, type: c.type }));
  return (
    <>
      <PageHeader title="Alerts" subtitle={`${rules.length} rules · ${open.length} open · ${channels.length} channels`} />
      <section className="card" aria-labelledby="ae-h">
        <h2 id="ae-h">Alert history</h2>
        {events.length === 0 ? (
          <EmptyState title="No alert has fired">Rules notify SNS topics and webhooks when a condition holds for the pending periods.</EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="alert-events">
              <thead>
                <tr>
                  <th scope="col">State</th>
                  <th scope="col">Rule</th>
                  <th scope="col">Scope</th>
                  <th scope="col" className="r">Value / threshold</th>
                  <th scope="col">Started</th>
                  <th scope="col">Fired</th>
                  <th scope="col">Resolved</th>
                  <th scope="col">Notified</th>
                  <th scope="col">Acknowledged</th>
                </tr>
              </thead>
              <tbody>
                {events.map((e) => (
                  <tr key={e.id} data-testid="alert-event-row">
                    <td>
                      <StatusBadge status={e.state} />
                    </td>
                    <td>
                      {e.rule} <span className="muted small">{e.kind}</span>
                      {e.summary && <div className="sub">{e.summary}</div>}
                    </td>
                    <td>{e.link ? <Link href={e.link}>{e.scopeKey}</Link> : e.scopeKey}</td>
                    <td className="r nowrap">
                      {formatValue(e.value, e.unit)} / {formatValue(e.threshold, e.unit)}
                    </td>
                    <td className="nowrap">{formatTime(e.startedAt, false)}</td>
                    <td className="nowrap">{formatTime(e.firedAt, false)}</td>
                    <td className="nowrap">
                      {formatTime(e.resolvedAt, false)}
                      {e.resolution && <div className="sub">{e.resolution.replace("_", " ")}</div>}
                    </td>
                    <td className="small">
                      {e.deliveries.length === 0
                        ? "—"
                        : e.deliveries.map((d) => (
                            <div key={`${d.channelId}-${d.at}`}>
                              {d.channel}: {d.ok ? "sent" : `failed${d.error ? ` (${d.error})` : ""}`}
                            </div>
                          ))}
                    </td>
                    <td>{e.acknowledgedBy ?? (canAck && e.state !== "resolved" ? <AckButton eventId={e.id} /> : "—")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="card section" aria-labelledby="ar-h">
        <h2 id="ar-h">Rules</h2>
        {rules.length === 0 ? (
          <EmptyState title="No alert rules yet">{canManage ? "Create one below." : "An admin creates rules and routes them to SNS topics and webhooks."}</EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="alert-rules">
              <thead>
                <tr>
                  <th scope="col">Rule</th>
                  <th scope="col">State</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Scope</th>
                  <th scope="col" className="r">Threshold</th>
                  <th scope="col" className="r">Window</th>
                  <th scope="col" className="r">Pending / cooldown</th>
                  <th scope="col">Severity</th>
                  <th scope="col">Channels</th>
                  {canManage && <th scope="col">Actions</th>}
                </tr>
              </thead>
              <tbody>
                {rules.map((r) => (
                  <tr key={r.id} data-testid="alert-rule-row" data-rule={r.name}>
                    <td>
                      {r.name}
                      {!r.enabled && <span className="badge"> disabled</span>}
                      {r.configError && <div className="sub">{r.configError}</div>}
                    </td>
                    <td>
                      <StatusBadge status={r.enabled ? stateOf(r.id) : "disabled"} />
                    </td>
                    <td>{r.label}</td>
                    <td className="small wrap-anywhere">{scopeText(r.scope)}</td>
                    <td className="r">{formatValue(r.threshold, r.unit)}</td>
                    <td className="r">{r.windowMinutes} min</td>
                    <td className="r">
                      {r.pendingPeriods} / {r.cooldownMinutes} min
                    </td>
                    <td>{r.severity}</td>
                    <td>{r.channels.map((c) => c.name).join(", ") || "—"}</td>
                    {canManage && (
                      <td>
                        <RuleActions
                          rule={{ id: r.id, name: r.name, kind: r.kind, scope: r.scope, threshold: r.threshold, windowMinutes: r.windowMinutes, pendingPeriods: r.pendingPeriods, cooldownMinutes: r.cooldownMinutes, severity: r.severity, enabled: r.enabled, channelIds: r.channels.map((c) => c.id) }}
                          kinds={kinds}
                          channels={channelChoices}
                        />
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {canManage && (
          <div className="section">
            <h3>New rule</h3>
            <RuleEditor kinds={kinds} channels={channelChoices} />
          </div>
        )}
      </section>
      <section className="card section" aria-labelledby="ch-h">
        <h2 id="ch-h">Channels</h2>
        {channels.length === 0 ? (
          <EmptyState title="No channels yet">SNS topics and HTTPS webhooks (signed with HMAC-SHA256) receive the alerts routed to them.</EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="alert-channels">
              <thead>
                <tr>
                  <th scope="col">Channel</th>
                  <th scope="col">Type</th>
                  <th scope="col">Target</th>
                  <th scope="col">Status</th>
                  <th scope="col">Rules</th>
                  {canChannels && <th scope="col">Actions</th>}
                </tr>
              </thead>
              <tbody>
                {channels.map((c) => (
                  <tr key={c.id} data-testid="alert-channel-row" data-channel={c.name}>
                    <td>{c.name}</td>
                    <td>{c.type}</td>
                    <td className="mono small wrap-anywhere">{c.target}</td>
                    <td>
                      <StatusBadge status={c.enabled ? "enabled" : "disabled"} />
                      {c.disabledReason && <div className="sub">{c.disabledReason}</div>}
                      {c.failureCount > 0 && <div className="sub">{c.failureCount} failed deliveries in a row</div>}
                    </td>
                    <td>{c.rules.map((r) => r.name).join(", ") || "—"}</td>
                    {canChannels && (
                      <td>
                        <ChannelActions channel={{ id: c.id, name: c.name, type: c.type, enabled: c.enabled }} />
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {canChannels && (
          <div className="section">
            <h3>New channel</h3>
            <ChannelEditor />
          </div>
        )}
      </section>
    </>
  );
}
