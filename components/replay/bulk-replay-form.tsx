"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { apiFetch } from "@/lib/api/client-fetch";

interface Job {
  id: string;
  status: string;
  total: number;
  done: number;
  counts: Record<string, number> | null;
  outcomes: Array<{ eventId: number; outcome: string; requestId?: string | null; error?: string }>;
  inDoubt: number[];
  error: string | null;
}

interface DryRun {
  total: number;
  outcomes: Array<{ eventId: number; outcome: string; error?: string }>;
}

const POLL_MS = 1000;

/** Bulk replay: filters (function, error type, time range), target, rate limit; a dry run, then a job with live progress. */
export function BulkReplayForm({ functions }: { functions: string[] }) {
  const router = useRouter();
  const [functionName, setFunctionName] = useState(functions[0] ?? "");
  const [errorType, setErrorType] = useState("");
  const [since, setSince] = useState("");
  const [until, setUntil] = useState("");
  const [qualifier, setQualifier] = useState("");
  const [invocationType, setInvocationType] = useState("RequestResponse");
  const [rate, setRate] = useState("5");
  const [job, setJob] = useState<Job | null>(null);
  const [dry, setDry] = useState<DryRun | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const timer = useRef<number | null>(null);

  const filter = () => ({
    functionName,
    ...(errorType ? { errorType } : {}),
    ...(since ? { since: new Date(`${since}Z`).toISOString() } : {}),
    ...(until ? { until: new Date(`${until}Z`).toISOString() } : {}),
    ...(qualifier ? { qualifier } : {}),
    invocationType,
    ratePerSecond: Number(rate),
  });

  useEffect(() => {
    if (!job || job.status !== "running") return;
    timer.current = window.setTimeout(async () => {
      try {
        const next = await apiFetch<Job>(`/api/v1/replay/jobs/${job.id}`);
        setJob(next);
        if (next.status !== "running") router.refresh();
      } catch (err) {
        setError((err as Error).message);
      }
    }, POLL_MS);
    return () => {
      if (timer.current) window.clearTimeout(timer.current);
    };
  }, [job, router]);

  async function submit(dryRun: boolean) {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      if (dryRun) {
        setDry(await apiFetch<DryRun>("/api/v1/replay/bulk", { body: { ...filter(), dryRun: true } }));
      } else {
        setDry(null);
        setJob(await apiFetch<Job>("/api/v1/replay/bulk", { body: filter() }));
      }
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  async function stop() {
    if (!job) return;
    try {
      setJob(await apiFetch<Job>(`/api/v1/replay/jobs/${job.id}/stop`, { body: {} }));
    } catch (err) {
      setError((err as Error).message);
    }
  }

  const running = job?.status === "running";
  const pct = job && job.total ? Math.round((job.done / job.total) * 100) : 0;
  return (
    <div data-testid="bulk-replay">
      <div style={{ display: "flex", flexWrap: "wrap", gap: 12, alignItems: "end" }}>
        <label>
          <div className="small muted">Function</div>
          <select value={functionName} onChange={(e) => setFunctionName(e.target.value)} aria-label="Bulk function">
            {functions.map((f) => (
              <option key={f}>{f}</option>
            ))}
          </select>
        </label>
        <label>
          <div className="small muted">Error type (code or text)</div>
          <input value={errorType} onChange={(e) => setErrorType(e.target.value)} aria-label="Bulk error type" placeholder="any" />
        </label>
        <label>
          <div className="small muted">Sent from (UTC)</div>
          <input type="datetime-local" value={since} onChange={(e) => setSince(e.target.value)} aria-label="Bulk since" />
        </label>
        <label>
          <div className="small muted">to (UTC)</div>
          <input type="datetime-local" value={until} onChange={(e) => setUntil(e.target.value)} aria-label="Bulk until" />
        </label>
        <label>
          <div className="small muted">Version or alias</div>
          <input value={qualifier} onChange={(e) => setQualifier(e.target.value)} aria-label="Bulk qualifier" placeholder="original" size={10} />
        </label>
        <label>
          <div className="small muted">Invocation</div>
          <select value={invocationType} onChange={(e) => setInvocationType(e.target.value)} aria-label="Bulk invocation type">
            <option>RequestResponse</option>
            <option>Event</option>
          </select>
        </label>
        <label>
          <div className="small muted">Events / second</div>
          <input type="number" min="0.1" max="1000" step="0.1" value={rate} onChange={(e) => setRate(e.target.value)} aria-label="Bulk rate" style={{ width: 90 }} />
        </label>
        <button type="button" className="btn" onClick={() => submit(true)} disabled={busy || running || !functionName}>
          Dry run
        </button>
        <button type="button" className="btn primary" onClick={() => submit(false)} disabled={busy || running || !functionName} data-testid="bulk-start">
          Start bulk replay
        </button>
        {running && (
          <button type="button" className="btn" onClick={stop}>
            Stop
          </button>
        )}
      </div>
      {error && (
        <p className="notice" role="alert">
          {error}
        </p>
      )}
      {dry && (
        <p className="small" data-testid="bulk-dry-run">
          Dry run: {dry.total} event(s) selected; {dry.outcomes.filter((o) => o.outcome === "dry_run").length} would be sent, {dry.outcomes.filter((o) => o.outcome === "refused").length} refused. Nothing was sent.
        </p>
      )}
      {job && (
        <div className="section" data-testid="bulk-job" data-status={job.status}>
          <p>
            Job <span className="mono small">{job.id.slice(0, 8)}</span> <span className="badge">{job.status}</span> — {job.done} / {job.total} ({pct}%)
          </p>
          <progress max={job.total || 1} value={job.done} style={{ width: "100%" }} aria-label="Bulk replay progress" />
          {job.counts && (
            <p className="small">
              {Object.entries(job.counts)
                .filter(([, n]) => n > 0)
                .map(([k, n]) => `${k.replace("_", " ")} ${n}`)
                .join(" · ")}
            </p>
          )}
          {job.error && <p className="notice">{job.error}</p>}
          {job.outcomes.length > 0 && (
            <div className="table-wrap">
              <table className="table small">
                <thead>
                  <tr>
                    <th scope="col">Event</th>
                    <th scope="col">Outcome</th>
                    <th scope="col">New request</th>
                    <th scope="col">Error</th>
                  </tr>
                </thead>
                <tbody>
                  {job.outcomes.slice(-20).reverse().map((o) => (
                    <tr key={`${o.eventId}-${o.outcome}`}>
                      <td>
                        <a href={`/failures/${o.eventId}`}>{o.eventId}</a>
                      </td>
                      <td>{o.outcome}</td>
                      <td className="mono">{o.requestId ?? "—"}</td>
                      <td className="wrap-anywhere">{o.error ?? ""}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </div>
  );
}
