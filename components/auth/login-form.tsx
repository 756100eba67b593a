"use client";

import { useState } from "react";
import styles from "./login-form.module.css";

/** Email + password sign-in; on success goes to `next` (already validated as a same-site path). */
export function LoginForm({ next }: { next: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const res = await fetch("/api/v1/auth/login", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: String(form.get("email") ?? ""), password: String(form.get("password") ?? "") }),
        credentials: "same-origin",
      });
      if (res.ok) {
        window.location.assign(next);
        return;
      }
      const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
      setError(body?.error?.message ?? `Sign-in failed (${res.status}).`);
    } catch {
      setError("Faasight could not be reached. Check that the server is running.");
    }
    setBusy(false);
  }

  return (
    <div className={styles.wrap}>
      <form className={`card ${styles.form}`} onSubmit={onSubmit} aria-labelledby="login-title" noValidate>
        <h1 id="login-title">Sign in to Faasight</h1>
        <label className={styles.field}>
          <span>Email</span>
          <input name="email" type="email" autoComplete="username" required autoFocus />
        </label>
        <label className={styles.field}>
          <span>Password</span>
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        {error ? (
          <p role="alert" className={styles.error} data-testid="login-error">
            {error}
          </p>
        ) : null}
        <button type="submit" className="btn primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
        <p className={styles.hint}>
          First run: the admin&apos;s password is printed by <code>faasight demo</code> (or set with FAASIGHT_ADMIN_PASSWORD). Forgot it? <code>faasight users reset-password EMAIL</code>.
        </p>
      </form>
    </div>
  );
}
