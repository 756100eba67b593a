"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { apiFetch } from "@/lib/api/client-fetch";

export interface ScheduleFormValue {
  id?: number;
  name: string;
  cron: string;
  timezone: string;
  period: string;
  formats: string[];
  channels: Array<{ type: "sns"; topicArn: string } | { type: "webhook"; url: string }>;
  enabled: boolean;
}

const PERIODS = ["last-7d", "last-30d", "previous-week", "previous-month", "month-to-date"];
const FORMATS = ["html", "csv", "json"];

const channelText = (c: ScheduleFormValue["channels"][number]) => (c.type === "sns" ? c.topicArn : c.url);

/** Create or edit a report schedule (admins: reports:manage). Validation errors come back from the API by field. */
export function ScheduleForm({ initial, onDone }: { initial?: ScheduleFormValue; onDone?: () => void }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const editing = initial?.id !== undefined;
  const prefix = editing ? `schedule-${initial!.id}` : "schedule-new";

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const el = e.currentTarget;
    const form = new FormData(el);
    const body = {
      name: String(form.get("name") ?? ""),
      cron: String(form.get("cron") ?? ""),
      timezone: String(form.get("timezone") ?? "UTC"),
      period: String(form.get("period") ?? "last-7d"),
      formats: FORMATS.filter((f) => form.get(`format-${f}`) === "on"),
      channels: String(form.get("channels") ?? "")
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean),
      enabled: form.get("enabled") === "on",
    };
    setBusy(true);
    setError(null);
    try {
      if (editing) await apiFetch(`/api/v1/reports/schedules/${initial!.id}`, { method: "PATCH", body });
      else await apiFetch("/api/v1/reports/schedules", { method: "POST", body });
      if (!editing) el.reset();
      onDone?.();
      router.refresh();
    } catch (err) {
      setError((err as Error).message);
    }
    setBusy(false);
  }

  return (
    <form onSubmit={onSubmit} className="schedule-form" aria-label={editing ? `Edit schedule ${initial!.name}` : "New report schedule"} data-testid={`${prefix}-form`}>
      <div style={{ display: "grid", gap: 10, gridTemplateColumns: "repeat(auto-fit, minmax(200px, 1fr))" }}>
        <label>
          <div className="small muted">Name</div>
          <input name="name" required defaultValue={initial?.name ?? ""} style={{ width: "100%" }} />
        </label>
        <label>
          <div className="small muted">Cron (5 fields, at most hourly)</div>
          <input name="cron" required defaultValue={initial?.cron ?? "0 7 * * 1"} className="mono" style={{ width: "100%" }} />
        </label>
        <label>
          <div className="small muted">Time zone (IANA)</div>
          <input name="timezone" defaultValue={initial?.timezone ?? "UTC"} style={{ width: "100%" }} />
        </label>
        <label>
          <div className="small muted">Period</div>
          <select name="period" defaultValue={initial?.period ?? "last-7d"} style={{ width: "100%" }}>
            {PERIODS.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
      </div>
      <fieldset style={{ border: 0, padding: 0, margin: "10px 0 0", display: "flex", gap: 14, flexWrap: "wrap", alignItems: "center" }}>
        <legend className="small muted" style={{ float: "left", marginRight: 8 }}>
          Formats
        </legend>
        {FORMATS.map((f) => (
          <label key={f} className="nowrap">
            <input type="checkbox" name={`format-${f}`} defaultChecked={initial ? initial.formats.includes(f) : f !== "json"} /> {f.toUpperCase()}
          </label>
        ))}
        <label className="nowrap">
          <input type="checkbox" name="enabled" defaultChecked={initial?.enabled ?? true} /> Enabled
        </label>
      </fieldset>
      <label style={{ display: "block", marginTop: 10 }}>
        <div className="small muted">Deliver to (one per line: an SNS topic ARN or a webhook URL; the report is always stored here)</div>
        <textarea name="channels" rows={2} defaultValue={(initial?.channels ?? []).map(channelText).join("\n")} className="mono" style={{ width: "100%", font: "inherit" }} />
      </label>
      {error && (
        <p role="alert" className="small" style={{ color: "var(--bad)" }} data-testid={`${prefix}-error`}>
          {error}
        </p>
      )}
      <div style={{ display: "flex", gap: 8, marginTop: 10 }}>
        <button type="submit" className="btn primary" disabled={busy}>
          {busy ? "Saving…" : editing ? "Save changes" : "Create schedule"}
        </button>
        {onDone && (
          <button type="button" className="btn" onClick={onDone}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
