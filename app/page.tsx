import { getFleetStatus } from "@/lib/queries/fleet/get-fleet-status";

export const dynamic = "force-dynamic";

export default async function HomePage() {
  const status = await getFleetStatus();
  return (
    <main style={{ maxWidth: 960, margin: "0 auto", padding: "32px 24px" }}>
      <h1 style={{ marginTop: 0 }}>Faasight</h1>
      <p style={{ color: "var(--muted)" }}>Observability and cost for AWS serverless applications.</p>
      <section aria-label="Store status" style={{ background: "var(--panel)", border: "1px solid var(--border)", borderRadius: 8, padding: 16 }}>
        <dl style={{ display: "grid", gridTemplateColumns: "max-content 1fr", gap: "6px 16px", margin: 0 }}>
          <dt>Sources</dt>
          <dd className="num" data-testid="sources-count" style={{ margin: 0 }}>{status.sources}</dd>
          <dt>Functions</dt>
          <dd className="num" data-testid="functions-count" style={{ margin: 0 }}>{status.functions}</dd>
          <dt>Invocations stored</dt>
          <dd className="num" data-testid="invocations-count" style={{ margin: 0 }}>{status.invocations.toLocaleString("en-US")}</dd>
        </dl>
        {status.functions === 0 && <p style={{ marginBottom: 0 }}>No data collected yet. Start the demo with <code>npm start</code>, or point Faasight at an AWS account (see the README).</p>}
      </section>
    </main>
  );
}
