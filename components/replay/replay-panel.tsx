"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useRef, useState, type ReactNode } from "react";
import { apiFetch } from "@/lib/api/client-fetch";

export interface QualifierChoice {
  value: string;
  label: string;
}

interface Plan {
  ok: boolean;
  action: "reinvoke" | "redrive";
  refusal?: { code: string; message: string };
  warnings: string[];
  idempotencyKey: string;
  functionName?: string | null;
  qualifier?: string | null;
  qualifierSource?: string;
  invocationType?: string;
  payload?: string;
  payloadBytes?: number;
  limitBytes?: number;
  payloadSha256?: string;
  destinationQueueArn?: string | null;
  body?: string;
  messageAttributes?: Record<string, string>;
  estimatedBytes?: number;
}

interface Result {
  outcome: string;
  requestId?: string | null;
  error?: string;
  messageDeleted?: boolean;
  attempt?: { id: number; status: string };
  warnings: string[];
}

const REPLAYABLE = ["new", "failed_again"];

function pretty(text: string | undefined): string {
  if (text === undefined) return "";
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** Replay / redrive / discard controls of one failed event, with the dry-run preview and the outcome. */
export function ReplayPanel(props: { eventId: number; status: string; sourceKind: string; originalQualifier: string | null; qualifiers: QualifierChoice[]; inDoubt?: boolean }) {
  const router = useRouter();
  const redriveOnly = props.sourceKind === "esm_dlq";
  const [action, setAction] = useState<"invoke" | "redrive">(redriveOnly ? "redrive" : "invoke");
  const [qualifier, setQualifier] = useState("");
  const [invocationType, setInvocationType] = useState<"RequestResponse" | "Event">("RequestResponse");
  const [plan, setPlan] = useState<Plan | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<"preview" | "replay" | "discard" | "resolve" | null>(null);
  const [reason, setReason] = useState("");
  const inFlight = useRef(false);
  const eligible = REPLAYABLE.includes(props.status);
  const body = () => (action === "invoke" ? { action, invocationType, ...(qualifier ? { qualifier } : {}) } : { action });

  async function run(kind: "preview" | "replay" | "discard" | "resolve", resolution?: "ran" | "did_not_run") {
    // A ref, not only state: a double click arrives before React re-renders the disabled button.
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy(kind);
    setError(null);
    try {
      if (kind === "preview") setPlan(await apiFetch<Plan>(`/api/v1/failures/${props.eventId}/preview`, { body: body() }));
      else if (kind === "resolve") {
        await apiFetch(`/api/v1/failures/${props.eventId}/resolve`, { body: { resolution, reason } });
        setResult(null);
        router.refresh();
      } else {
        const path = kind === "replay" ? "replay" : "discard";
        const r = await apiFetch<Result>(`/api/v1/failures/${props.eventId}/${path}`, { body: kind === "replay" ? body() : { reason } });
        setResult(r);
        router.refresh();
      }
    } catch (err) {
      setError((err as Error).message);
      router.refresh();
    } finally {
      inFlight.current = false;
      setBusy(null);
    }
  }

  return (
    <div data-testid="replay-panel">
      <div className="filters" style={{ display: "flex", flexWrap: "wrap", gap: 12, alignItems: "end" }}>
        <label>
          <div className="small muted">Action</div>
          <select value={action} onChange={(e) => (setAction(e.target.value as "invoke" | "redrive"), setPlan(null))} aria-label="Action" disabled={redriveOnly}>
            {!redriveOnly && <option value="invoke">Re-invoke the function</option>}
            <option value="redrive">Redrive to the source queue</option>
          </select>
        </label>
        {action === "invoke" && (
          <>
            <label>
              <div className="small muted">Target version or alias</div>
              <select value={qualifier} onChange={(e) => (setQualifier(e.target.value), setPlan(null))} aria-label="Target qualifier" data-testid="qualifier-select">
                <option value="">Original{props.originalQualifier ? ` (${props.originalQualifier})` : " (unqualified)"}</option>
                {props.qualifiers.map((q) => (
                  <option key={q.value} value={q.value}>
                    {q.label}
                  </option>
                ))}
              </select>
            </label>
            <label>
              <div className="small muted">Invocation type</div>
              <select value={invocationType} onChange={(e) => (setInvocationType(e.target.value as "RequestResponse" | "Event"), setPlan(null))} aria-label="Invocation type">
                <option value="RequestResponse">RequestResponse (wait for the result)</option>
                <option value="Event">Event (asynchronous)</option>
              </select>
            </label>
          </>
        )}
        <button type="button" className="btn" onClick={() => run("preview")} disabled={busy !== null}>
          {busy === "preview" ? "Checking…" : "Dry run"}
        </button>
        <button type="button" className="btn primary" onClick={() => run("replay")} disabled={busy !== null || !eligible} data-testid="replay-button" title={eligible ? undefined : `Not replayable while ${props.status}`}>
          {busy === "replay" ? "Replaying…" : action === "invoke" ? "Replay" : "Redrive"}
        </button>
      </div>

      {error && (
        <p className="notice" role="alert" data-testid="replay-error">
          {error}
        </p>
      )}

      {plan && (
        <div className="section" data-testid="dry-run">
          <h3>Dry run {plan.ok ? <span className="badge good">would send</span> : <span className="badge bad">refused</span>}</h3>
          {plan.refusal && <p className="notice">{plan.refusal.message}</p>}
          {plan.action === "reinvoke" ? (
            <dl className="facts small">
              <dt>Invoke</dt>
              <dd className="mono" data-testid="dry-run-target">
                {plan.functionName ?? "?"}:{plan.qualifier ?? "$LATEST"} ({plan.qualifierSource}), {plan.invocationType}
              </dd>
              <dt>Payload</dt>
              <dd>
                {plan.payloadBytes?.toLocaleString("en-US")} bytes of at most {plan.limitBytes?.toLocaleString("en-US")}; sha256 <span className="mono">{plan.payloadSha256?.slice(0, 16)}…</span>
              </dd>
              <dt>Idempotency key</dt>
              <dd className="mono wrap-anywhere">{plan.idempotencyKey}</dd>
            </dl>
          ) : (
            <dl className="facts small">
              <dt>Send to</dt>
              <dd className="mono wrap-anywhere">{plan.destinationQueueArn ?? "unknown source queue"}</dd>
              <dt>Message</dt>
              <dd>
                about {plan.estimatedBytes?.toLocaleString("en-US")} bytes; attributes {Object.keys(plan.messageAttributes ?? {}).join(", ") || "none"}
              </dd>
            </dl>
          )}
          <pre className="payload" data-testid="dry-run-payload">
            {pretty(plan.action === "reinvoke" ? plan.payload : plan.body)}
          </pre>
          {plan.warnings.map((w) => (
            <p key={w} className="small muted">
              {w}
            </p>
          ))}
        </div>
      )}

      {result && <Outcome result={result} />}

      {props.inDoubt && (
        <div className="notice section" data-testid="in-doubt">
          <p>
            The last replay got no answer from AWS: it may or may not have run. Check the function&apos;s logs or downstream effects, then say what you found (recorded with
            your reason).
          </p>
          <div style={{ display: "flex", gap: 8, alignItems: "center" }}>
            <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="What you checked" aria-label="Resolution reason" style={{ minWidth: 280 }} />
            <button type="button" className="btn" disabled={busy !== null || reason.trim().length < 3} onClick={() => run("resolve", "ran")}>
              It ran
            </button>
            <button type="button" className="btn" disabled={busy !== null || reason.trim().length < 3} onClick={() => run("resolve", "did_not_run")}>
              It did not run
            </button>
          </div>
        </div>
      )}

      <details className="section">
        <summary className="small">Discard this event…</summary>
        <div style={{ display: "flex", gap: 8, alignItems: "center", marginTop: 8 }}>
          <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="Why (recorded in the audit log)" aria-label="Discard reason" style={{ minWidth: 320 }} />
          <button type="button" className="btn" onClick={() => run("discard")} disabled={busy !== null || reason.trim().length < 3 || !["new", "failed_again", "gone"].includes(props.status)}>
            {busy === "discard" ? "Discarding…" : "Discard"}
          </button>
        </div>
      </details>
    </div>
  );
}

function Outcome({ result }: { result: Result }) {
  const link = result.requestId ? (
    <Link href={`/invocations/${encodeURIComponent(result.requestId)}`} className="mono" data-testid="replay-request-id">
      {result.requestId}
    </Link>
  ) : null;
  const text: Record<string, ReactNode> = {
    replayed: <>Replayed. New request: {link ?? "—"}. {result.messageDeleted === false ? "The message is still in the queue; its deletion will be retried." : "The message was deleted from the queue."}</>,
    failed_again: <>Failed again (request {link ?? "—"}): {result.error}. The message stays in the queue.</>,
    failed: <>Not replayed: {result.error}. The message stays in the queue.</>,
    in_doubt: <>Outcome unknown: {result.error}. Resolve it before replaying again.</>,
    duplicate: <>Already requested (attempt {result.attempt?.id}, {result.attempt?.status}); nothing was sent again.</>,
    discarded: <>Discarded{result.messageDeleted ? "; the message was deleted from the queue" : ""}.</>,
  };
  const tone = result.outcome === "replayed" || result.outcome === "discarded" ? "good" : result.outcome === "duplicate" ? "" : "bad";
  return (
    <div className="section" data-testid="replay-outcome" data-outcome={result.outcome}>
      <p>
        <span className={`badge ${tone}`}>{result.outcome.replace("_", " ")}</span> {text[result.outcome] ?? result.error}
      </p>
      {result.warnings
        .filter((w) => result.outcome !== "duplicate" || !w.startsWith("Already"))
        .map((w) => (
          <p key={w} className="small muted">
            {w}
          </p>
        ))}
    </div>
  );
}
