"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch } from "@/lib/api/client-fetch";
import type { PublicToken, PublicUser } from "@/lib/auth/users";
import styles from "./users-admin.module.css";

const ROLES = ["viewer", "operator", "admin"] as const;

/** The admin's Users & API tokens screen: every change goes through /api/v1/users and /api/v1/tokens. */
export function UsersAdmin({ users, tokens, meId }: { users: PublicUser[]; tokens: PublicToken[]; meId: number }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [newToken, setNewToken] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function act(fn: () => Promise<void>) {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await fn();
      router.refresh();
    } catch (err) {
      setError((err as Error).message);
    }
    setBusy(false);
  }

  function addUser(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    void act(async () => {
      await apiFetch("/api/v1/users", { body: { email: f.get("email"), password: f.get("password"), role: f.get("role") } });
      setNotice(`Created ${String(f.get("email"))}.`);
      form.reset();
    });
  }

  function createToken(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const days = String(f.get("expiresInDays") ?? "");
    void act(async () => {
      const r = await apiFetch<{ token: string }>("/api/v1/tokens", { body: { name: f.get("name"), userId: Number(f.get("userId")), ...(days ? { expiresInDays: Number(days) } : {}) } });
      setNewToken(r.token);
      form.reset();
    });
  }

  return (
    <div className={styles.stack}>
      {error ? (
        <p role="alert" className={styles.error} data-testid="settings-error">
          {error}
        </p>
      ) : null}
      {notice ? (
        <p role="status" className={styles.notice}>
          {notice}
        </p>
      ) : null}

      <section className="card" aria-labelledby="users-title">
        <h2 id="users-title">Users</h2>
        <div className="table-wrap">
          <table className="table" data-testid="users-table">
            <thead>
              <tr>
                <th>Email</th>
                <th>Role</th>
                <th>Status</th>
                <th>Created</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.id} data-testid="user-row">
                  <td>{u.email}</td>
                  <td>
                    <select
                      aria-label={`Role of ${u.email}`}
                      value={u.role}
                      disabled={busy}
                      onChange={(e) => void act(async () => void (await apiFetch(`/api/v1/users/${u.id}`, { method: "PATCH", body: { role: e.target.value } })))}
                    >
                      {ROLES.map((r) => (
                        <option key={r}>{r}</option>
                      ))}
                    </select>
                  </td>
                  <td>{u.disabledAt ? <span className="badge bad">disabled</span> : <span className="badge good">active</span>}</td>
                  <td className="mono">{u.createdAt.slice(0, 16).replace("T", " ")}</td>
                  <td>
                    {u.id === meId ? (
                      <span className="small">you</span>
                    ) : (
                      <button type="button" className="btn" disabled={busy} onClick={() => void act(async () => void (await apiFetch(`/api/v1/users/${u.id}`, { method: "PATCH", body: { disabled: !u.disabledAt } })))}>
                        {u.disabledAt ? "Enable" : "Disable"}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <form className={styles.row} onSubmit={addUser} aria-label="Add a user">
          <input name="email" type="email" placeholder="email" aria-label="New user's email" required />
          <input name="password" type="password" placeholder="password (12+ characters)" aria-label="New user's password" autoComplete="new-password" required />
          <select name="role" aria-label="New user's role" defaultValue="viewer">
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
          <button type="submit" className="btn primary" disabled={busy}>
            Add user
          </button>
        </form>
      </section>

      <section className="card" aria-labelledby="tokens-title">
        <h2 id="tokens-title">API tokens</h2>
        <p className="small">
          Send a token as <code>Authorization: Bearer fsk_…</code> to /api/v1. It acts with its user&apos;s role. Only its prefix is stored in readable form.
        </p>
        {newToken ? (
          <div className={styles.newToken} role="status" data-testid="new-token">
            <strong>Copy this token now; it is not shown again:</strong>
            <code data-testid="new-token-value">{newToken}</code>
          </div>
        ) : null}
        <div className="table-wrap">
          <table className="table" data-testid="tokens-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Prefix</th>
                <th>User</th>
                <th>Last used</th>
                <th>Expires</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {tokens.map((t) => (
                <tr key={t.id} data-testid="token-row">
                  <td>{t.name}</td>
                  <td className="mono">{t.prefix}…</td>
                  <td>{t.userEmail}</td>
                  <td className="mono">{t.lastUsedAt?.slice(0, 16).replace("T", " ") ?? "never"}</td>
                  <td className="mono">{t.expiresAt?.slice(0, 10) ?? "never"}</td>
                  <td>
                    {t.revokedAt ? (
                      <span className="badge">revoked</span>
                    ) : (
                      <button type="button" className="btn" disabled={busy} onClick={() => void act(async () => void (await apiFetch(`/api/v1/tokens/${t.id}`, { method: "DELETE" })))}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <form className={styles.row} onSubmit={createToken} aria-label="Create an API token">
          <input name="name" placeholder="token name (e.g. ci)" aria-label="Token name" required />
          <select name="userId" aria-label="Token user" defaultValue={String(meId)}>
            {users
              .filter((u) => !u.disabledAt)
              .map((u) => (
                <option key={u.id} value={u.id}>
                  {u.email}
                </option>
              ))}
          </select>
          <input name="expiresInDays" type="number" min={1} max={3650} placeholder="expires in days" aria-label="Expires in days" />
          <button type="submit" className="btn primary" disabled={busy}>
            Create token
          </button>
        </form>
      </section>
    </div>
  );
}
