"use client";

/** A page failed to read the store: say so and offer a retry. */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="notice bad" role="alert">
      <h2>This page could not be loaded</h2>
      <p>Faasight could not read its store. Check that the database in DATABASE_URL is reachable and migrated (<code>faasight migrate</code>), then try again.</p>
      {error.digest && <p className="small muted">Reference: {error.digest} (also in the server log).</p>}
      <p>
        <button type="button" className="btn" onClick={reset}>
          Try again
        </button>
      </p>
    </div>
  );
}
