"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

const KEY = "faasight-auto-refresh";
const INTERVAL_MS = 30_000;

/** Re-renders the page from the store every 30 s while on (remembered in this browser). */
export function AutoRefresh() {
  const router = useRouter();
  const [on, setOn] = useState(false);
  useEffect(() => {
    // Read the saved choice after mount so server and client render the same markup first.
    if (window.localStorage.getItem(KEY) === "1") setOn(true);
  }, []);
  useEffect(() => {
    if (!on) return;
    const id = window.setInterval(() => {
      if (document.visibilityState === "visible") router.refresh();
    }, INTERVAL_MS);
    return () => window.clearInterval(id);
  }, [on, router]);
  const toggle = () => {
    const next = !on;
    setOn(next);
    window.localStorage.setItem(KEY, next ? "1" : "0");
  };
  return (
    <button type="button" className="btn" aria-pressed={on} onClick={toggle} title="Reload the data every 30 seconds" data-testid="auto-refresh">
      <span aria-hidden="true">⟳</span> Auto-refresh {on ? "on" : "off"}
    </button>
  );
}
