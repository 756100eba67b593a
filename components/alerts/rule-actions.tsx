"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch } from "@/lib/api/client-fetch";
import { RuleEditor, type KindInfo, type RuleValues } from "./rule-editor";

/** Edit, enable/disable and delete buttons of one rule (admins). */
export function RuleActions({ rule, kinds, channels }: { rule: RuleValues; kinds: KindInfo[]; channels: Array<{ id: number; name: string; type: string }> }) {
  const router = useRouter();
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function call(method: "PATCH" | "DELETE", body?: unknown) {
    if (busy) return;
    if (method === "DELETE" && !window.confirm(`Delete rule "${rule.name}" and its history?`)) return;
    setBusy(true);
    setError(null);
    try {
      await apiFetch(`/api/v1/alerts/rules/${rule.id}`, { method, ...(body ? { body } : {}) });
      router.refresh();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <div>
      <div style={{ display: "flex", gap: 6 }}>
        <button type="button" className="btn small" onClick={() => setEditing(!editing)} aria-expanded={editing}>
          Edit
        </button>
        <button type="button" className="btn small" onClick={() => call("PATCH", { enabled: !rule.enabled })} disabled={busy}>
          {rule.enabled ? "Disable" : "Enable"}
        </button>
        <button type="button" className="btn small" onClick={() => call("DELETE")} disabled={busy}>
          Delete
        </button>
      </div>
      {error && (
        <p className="notice small" role="alert">
          {error}
        </p>
      )}
      {editing && (
        <div className="section">
          <RuleEditor kinds={kinds} channels={channels} rule={rule} onDone={() => setEditing(false)} />
        </div>
      )}
    </div>
  );
}
