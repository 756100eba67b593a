/**
 * Browser-side fetch for state-changing /api/v1 calls: sends the session's CSRF token
 * (the readable faasight_csrf cookie, double-submit) in the x-csrf-token header.
 */
const CSRF_COOKIE = "faasight_csrf";
const CSRF_HEADER = "x-csrf-token";

function csrfToken(): string {
  const m = document.cookie.split(";").map((c) => c.trim()).find((c) => c.startsWith(`${CSRF_COOKIE}=`));
  return m ? decodeURIComponent(m.slice(CSRF_COOKIE.length + 1)) : "";
}

/** fetch() with JSON body handling and the CSRF header; resolves to the parsed JSON or throws an Error with the API's message. */
export async function apiFetch<T = unknown>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const res = await fetch(path, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: { "content-type": "application/json", [CSRF_HEADER]: csrfToken() },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    credentials: "same-origin",
    signal: init.signal,
  });
  const text = await res.text();
  const data = text ? (JSON.parse(text) as unknown) : null;
  if (!res.ok) {
    const message = (data as { error?: { message?: string } } | null)?.error?.message ?? `${res.status} ${res.statusText}`;
    throw Object.assign(new Error(message), { status: res.status });
  }
  return data as T;
}
