"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { apiFetch } from "@/lib/api/client-fetch";

interface Created {
  channel: { id: number; name: string };
  secret?: string;
}

/** Add an SNS topic or HTTPS webhook channel (admins); a generated webhook signing secret is shown once. */
export function ChannelEditor() {
  const router = useRouter();
  const [name, setName] = useState("");
  const [type, setType] = useState<"sns" | "webhook">("webhook");
  const [target, setTarget] = useState("");
  const [secret, setSecret] = useState<{ channel: string; value: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function save(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const r = await apiFetch<Created>("/api/v1/channels", { body: { name: name.trim(), type, target: target.trim() } });
      setSecret(r.secret ? { channel: r.channel.name, value: r.secret } : null);
      setName("");
      setTarget("");
      router.refresh();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={save} data-testid="channel-create-form">
      <div style={{ display: "flex", flexWrap: "wrap", gap: 12, alignItems: "end" }}>
        <label>
          <div className="small muted">Name</div>
          <input value={name} onChange={(e) => setName(e.target.value)} aria-label="Channel name" required maxLength={100} />
        </label>
        <label>
          <div className="small muted">Type</div>
          <select value={type} onChange={(e) => setType(e.target.value as "sns" | "webhook")} aria-label="Channel type">
            <option value="webhook">HTTPS webhook</option>
            <option value="sns">SNS topic</option>
          </select>
        </label>
        <label style={{ flex: 1, minWidth: 320 }}>
          <div className="small muted">{type === "sns" ? "Topic ARN" : "Webhook URL (https://…)"}</div>
          <input value={target} onChange={(e) => setTarget(e.target.value)} aria-label="Channel target" required style={{ width: "100%" }} placeholder={type === "sns" ? "arn:aws:sns:us-east-1:123456789012:alerts" : "https://hooks.example.com/faasight"} />
        </label>
        <button type="submit" className="btn primary" disabled={busy}>
          Add channel
        </button>
      </div>
      {error && (
        <p className="notice" role="alert">
          {error}
        </p>
      )}
      {secret && (
        <div className="notice" data-testid="channel-secret" role="status">
          Signing secret of <strong>{secret.channel}</strong> (shown once; Faasight never shows it again):{" "}
          <code className="mono" data-testid="channel-secret-value">
            {secret.value}
          </code>
          <div className="small">Receivers verify the X-Faasight-Signature header: t=&lt;unix seconds&gt;,v1=hex HMAC-SHA256 of &quot;&lt;t&gt;.&lt;body&gt;&quot;.</div>
        </div>
      )}
    </form>
  );
}
