"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch } from "@/lib/api/client-fetch";

/** Acknowledges an open alert (operators and admins). */
export function AckButton({ eventId }: { eventId: number }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <button
        type="button"
        className="btn small"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            await apiFetch(`/api/v1/alerts/events/${eventId}/acknowledge`, { body: {} });
            router.refresh();
          } catch (err) {
            setError((err as Error).message);
          } finally {
            setBusy(false);
          }
        }}
      >
        Acknowledge
      </button>
      {error && <span className="small" role="alert"> {error}</span>}
    </>
  );
}
