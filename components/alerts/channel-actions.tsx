"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch } from "@/lib/api/client-fetch";

interface TestResult {
  ok: boolean;
  attempts: number;
  status: number | null;
  messageId: string | null;
  error: string | null;
}

/** "Send test", enable/disable, rotate secret and delete of one channel (admins). */
export function ChannelActions({ channel }: { channel: { id: number; name: string; type: string; enabled: boolean } }) {
  const router = useRouter();
  const [test, setTest] = useState<TestResult | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function run(fn: () => Promise<void>) {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <div>
      <div style={{ display: "flex", gap: 6, flexWrap: "wrap" }}>
        <button type="button" className="btn small" disabled={busy} data-testid="channel-test" onClick={() => run(async () => setTest(await apiFetch<TestResult>(`/api/v1/channels/${channel.id}/test`, { body: {} })))}>
          {busy ? "Sending…" : "Send test"}
        </button>
        <button
          type="button"
          className="btn small"
          disabled={busy}
          onClick={() =>
            run(async () => {
              await apiFetch(`/api/v1/channels/${channel.id}`, { method: "PATCH", body: { enabled: !channel.enabled } });
              router.refresh();
            })
          }
        >
          {channel.enabled ? "Disable" : "Enable"}
        </button>
        {channel.type === "webhook" && (
          <button
            type="button"
            className="btn small"
            disabled={busy}
            onClick={() =>
              run(async () => {
                const r = await apiFetch<{ secret?: string }>(`/api/v1/channels/${channel.id}`, { method: "PATCH", body: { rotateSecret: true } });
                setSecret(r.secret ?? null);
              })
            }
          >
            Rotate secret
          </button>
        )}
        <button
          type="button"
          className="btn small"
          disabled={busy}
          onClick={() =>
            window.confirm(`Delete channel "${channel.name}"?`) &&
            run(async () => {
              await apiFetch(`/api/v1/channels/${channel.id}`, { method: "DELETE" });
              router.refresh();
            })
          }
        >
          Delete
        </button>
      </div>
      {test && (
        <p className="small" data-testid="channel-test-result" data-ok={test.ok ? "true" : "false"}>
          {test.ok ? <span className="badge good">delivered</span> : <span className="badge bad">failed</span>} {test.status ? `HTTP ${test.status}` : ""} {test.messageId ? `message ${test.messageId}` : ""} after {test.attempts} attempt(s){test.error ? `: ${test.error}` : ""}
        </p>
      )}
      {secret && (
        <p className="notice small" role="status">
          New signing secret (shown once): <code className="mono">{secret}</code>
        </p>
      )}
      {error && (
        <p className="notice small" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
