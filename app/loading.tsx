/** Shown while a page reads the store. */
export default function Loading() {
  return (
    <div aria-busy="true" aria-live="polite">
      <p className="muted">Loading from the store…</p>
      <div className="stats">
        {Array.from({ length: 6 }, (_, i) => (
          <div key={i} className="skeleton" style={{ height: 72 }} />
        ))}
      </div>
      <div className="skeleton" style={{ height: 240, marginTop: 16 }} />
    </div>
  );
}
