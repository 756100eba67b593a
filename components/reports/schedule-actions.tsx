"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { apiFetch } from "@/lib/api/client-fetch";
import { ScheduleForm, type ScheduleFormValue } from "./schedule-form";

/** Run now / edit / delete for one schedule (rendered only for principals with reports:manage). */
export function ScheduleActions({ schedule }: { schedule: ScheduleFormValue & { id: number } }) {
  const router = useRouter();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);

  async function act(what: string, fn: () => Promise<void>) {
    setBusy(what);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError((err as Error).message);
    }
    setBusy(null);
  }

  const runNow = () =>
    act("run", async () => {
      const r = await apiFetch<{ runId: number | null; status: string | null; error?: string }>(`/api/v1/reports/schedules/${schedule.id}/run`, { method: "POST" });
      if (r.runId !== null) router.push(`/reports/runs/${r.runId}`);
      else router.refresh();
    });
  const remove = () =>
    act("delete", async () => {
      if (!window.confirm(`Delete the schedule "${schedule.name}"? Its past runs stay.`)) return;
      await apiFetch(`/api/v1/reports/schedules/${schedule.id}`, { method: "DELETE" });
      router.refresh();
    });

  return (
    <>
      <div style={{ display: "flex", gap: 6, flexWrap: "wrap" }}>
        <button type="button" className="btn primary" onClick={runNow} disabled={busy !== null} data-testid={`run-now-${schedule.id}`}>
          {busy === "run" ? "Running…" : "Run now"}
        </button>
        <button type="button" className="btn" onClick={() => setEditing((v) => !v)} aria-expanded={editing} disabled={busy !== null}>
          Edit
        </button>
        <button type="button" className="btn" onClick={remove} disabled={busy !== null}>
          Delete
        </button>
      </div>
      {error && (
        <p role="alert" className="small" style={{ color: "var(--bad)", margin: "6px 0 0" }}>
          {error}
        </p>
      )}
      {editing && (
        <div className="card" style={{ marginTop: 8 }}>
          <ScheduleForm initial={schedule} onDone={() => setEditing(false)} />
        </div>
      )}
    </>
  );
}
