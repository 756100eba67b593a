"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent, type ReactNode } from "react";
import { apiFetch } from "@/lib/api/client-fetch";
import { fieldsFromScope, namesLabel, scopeFromFields, type ScopeType } from "@/lib/alerts/scope-form";

export interface KindInfo {
  kind: string;
  label: string;
  unit: string;
  scope: ScopeType;
  defaultThreshold: number;
  description: string;
}

export interface RuleValues {
  id: number;
  name: string;
  kind: string;
  scope: Record<string, unknown>;
  threshold: number;
  windowMinutes: number;
  pendingPeriods: number;
  cooldownMinutes: number;
  severity: string;
  enabled: boolean;
  channelIds: number[];
}

const UNIT_HINT: Record<string, string> = { ratio: "fraction, 0.05 = 5%", ms: "milliseconds", count: "count", z: "z score", usd: "USD", minutes: "minutes", mad: "MADs" };

/** Create or edit an alert rule (admins): kind, scope by name/glob or tag, threshold, window, pending periods, cooldown, severity, channels. */
export function RuleEditor({ kinds, channels, rule, onDone }: { kinds: KindInfo[]; channels: Array<{ id: number; name: string; type: string }>; rule?: RuleValues; onDone?: () => void }) {
  const router = useRouter();
  const [kind, setKind] = useState(rule?.kind ?? kinds[0]?.kind ?? "error_rate");
  const info = kinds.find((k) => k.kind === kind);
  const scopeType = info?.scope ?? "functions";
  const initial = rule ? fieldsFromScope(scopeType, rule.scope) : { names: "", aliases: "", tags: "" };
  const [name, setName] = useState(rule?.name ?? "");
  const [names, setNames] = useState(initial.names);
  const [aliases, setAliases] = useState(initial.aliases);
  const [tags, setTags] = useState(initial.tags);
  const [threshold, setThreshold] = useState(String(rule?.threshold ?? info?.defaultThreshold ?? 0));
  const [windowMinutes, setWindow] = useState(String(rule?.windowMinutes ?? 5));
  const [pendingPeriods, setPending] = useState(String(rule?.pendingPeriods ?? 1));
  const [cooldownMinutes, setCooldown] = useState(String(rule?.cooldownMinutes ?? 30));
  const [severity, setSeverity] = useState(rule?.severity ?? "warning");
  const [channelIds, setChannelIds] = useState<number[]>(rule?.channelIds ?? []);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function save(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const body = {
      name: name.trim(),
      scope: scopeFromFields(scopeType, { names, aliases, tags }),
      threshold: Number(threshold),
      windowMinutes: Number(windowMinutes),
      pendingPeriods: Number(pendingPeriods),
      cooldownMinutes: Number(cooldownMinutes),
      severity,
      channelIds,
    };
    try {
      if (rule) await apiFetch(`/api/v1/alerts/rules/${rule.id}`, { method: "PATCH", body });
      else await apiFetch("/api/v1/alerts/rules", { body: { ...body, kind } });
      if (!rule) {
        setName("");
        setNames("");
        setAliases("");
        setTags("");
        setChannelIds([]);
      }
      onDone?.();
      router.refresh();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const field = (label: string, node: ReactNode) => (
    <label>
      <div className="small muted">{label}</div>
      {node}
    </label>
  );
  return (
    <form onSubmit={save} data-testid={rule ? "rule-edit-form" : "rule-create-form"}>
      <div style={{ display: "flex", flexWrap: "wrap", gap: 12, alignItems: "end" }}>
        {field("Name", <input value={name} onChange={(e) => setName(e.target.value)} aria-label="Rule name" required maxLength={100} />)}
        {field(
          "Kind",
          <select
            value={kind}
            onChange={(e) => {
              setKind(e.target.value);
              const k = kinds.find((x) => x.kind === e.target.value);
              if (k) setThreshold(String(k.defaultThreshold));
            }}
            aria-label="Rule kind"
            disabled={!!rule}
          >
            {kinds.map((k) => (
              <option key={k.kind} value={k.kind}>
                {k.label}
              </option>
            ))}
          </select>,
        )}
        {field(`${namesLabel(scopeType)} (comma-separated, * globs; empty = all)`, <input value={names} onChange={(e) => setNames(e.target.value)} aria-label="Scope names" />)}
        {scopeType === "aliases" && field("Aliases", <input value={aliases} onChange={(e) => setAliases(e.target.value)} aria-label="Scope aliases" size={10} />)}
        {(scopeType === "functions" || scopeType === "aliases" || scopeType === "cost") && field("Tags (key=value)", <input value={tags} onChange={(e) => setTags(e.target.value)} aria-label="Scope tags" size={14} />)}
        {field(`Threshold (${UNIT_HINT[info?.unit ?? "count"] ?? info?.unit})`, <input type="number" step="any" value={threshold} onChange={(e) => setThreshold(e.target.value)} aria-label="Threshold" style={{ width: 100 }} />)}
        {field("Window (min)", <input type="number" min={1} max={1440} value={windowMinutes} onChange={(e) => setWindow(e.target.value)} aria-label="Window minutes" style={{ width: 80 }} />)}
        {field("Pending periods", <input type="number" min={1} max={60} value={pendingPeriods} onChange={(e) => setPending(e.target.value)} aria-label="Pending periods" style={{ width: 70 }} />)}
        {field("Cooldown (min)", <input type="number" min={0} max={10080} value={cooldownMinutes} onChange={(e) => setCooldown(e.target.value)} aria-label="Cooldown minutes" style={{ width: 80 }} />)}
        {field(
          "Severity",
          <select value={severity} onChange={(e) => setSeverity(e.target.value)} aria-label="Severity">
            <option>info</option>
            <option>warning</option>
            <option>critical</option>
          </select>,
        )}
      </div>
      {channels.length > 0 && (
        <fieldset style={{ border: 0, padding: 0, marginTop: 8 }}>
          <legend className="small muted">Notify</legend>
          {channels.map((c) => (
            <label key={c.id} style={{ marginRight: 12 }}>
              <input
                type="checkbox"
                checked={channelIds.includes(c.id)}
                onChange={(e) => setChannelIds(e.target.checked ? [...channelIds, c.id] : channelIds.filter((x) => x !== c.id))}
                aria-label={`Notify ${c.name}`}
              />{" "}
              {c.name} <span className="muted small">{c.type}</span>
            </label>
          ))}
        </fieldset>
      )}
      {info && <p className="small muted">{info.description}</p>}
      <div style={{ display: "flex", gap: 8 }}>
        <button type="submit" className="btn primary" disabled={busy}>
          {rule ? "Save rule" : "Create rule"}
        </button>
        {onDone && rule && (
          <button type="button" className="btn" onClick={onDone}>
            Cancel
          </button>
        )}
      </div>
      {error && (
        <p className="notice" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
