"use client";

import Link from "next/link";
import { useState } from "react";
import { apiFetch } from "@/lib/api/client-fetch";
import styles from "./user-menu.module.css";

/** The signed-in user's email and role, the admin's Settings link, and Sign out. */
export function UserMenu({ email, role, isAdmin }: { email: string; role: string; isAdmin: boolean }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function signOut() {
    setBusy(true);
    setError(null);
    try {
      await apiFetch("/api/v1/auth/logout", { method: "POST", body: {} });
      window.location.assign("/login");
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  }
  return (
    <div className={styles.menu} data-testid="user-menu">
      <span className={styles.who} title={`${email} (${role})`}>
        <span data-testid="user-email">{email}</span> <span className="badge" data-testid="user-role">{role}</span>
      </span>
      {isAdmin ? (
        <Link href="/settings" className={styles.link} data-testid="settings-link">
          Settings
        </Link>
      ) : null}
      <button type="button" className="btn" onClick={signOut} disabled={busy}>
        {busy ? "Signing out…" : "Sign out"}
      </button>
      {error ? (
        <span role="alert" className={styles.error}>
          {error}
        </span>
      ) : null}
    </div>
  );
}
