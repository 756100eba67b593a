/**
 * Pure request/response helpers of sign-in: which paths need a session, where to send the
 * browser after login, cookie attributes, the client address. No I/O, so the proxy, the
 * auth routes and the tests share them.
 */

export const LOGIN_PATH = "/login";
/** Request header the proxy sets to the page's path + query, for the layout's session check. */
export const PATH_HEADER = "x-faasight-path";

/** Paths reachable without signing in (exact match or, with a trailing slash, a prefix). */
const PUBLIC_EXACT = new Set(["/login", "/api/v1/auth/login", "/api/v1/health", "/api/v1/openapi.json", "/favicon.svg", "/favicon.ico", "/robots.txt"]);
const PUBLIC_PREFIXES = ["/_next/", "/api/v1/ingest/"];

/** Whether a path is reachable without a session or API token. */
export function isPublicPath(pathname: string): boolean {
  if (PUBLIC_EXACT.has(pathname) || PUBLIC_PREFIXES.some((p) => pathname.startsWith(p))) return true;
  // Static files from public/ (a last segment with an extension), never under /api.
  return !pathname.startsWith("/api/") && /\/[^/]+\.(svg|png|ico|jpg|jpeg|webp|css|js|txt|woff2?)$/i.test(pathname);
}

export type ProxyDecision = { kind: "next" } | { kind: "unauthorized" } | { kind: "redirect"; location: string };

/**
 * What the proxy does with a request: only the presence of credentials is checked here;
 * routes (`authorize`) and the root layout verify them against the store.
 */
export function proxyDecision(pathname: string, search: string, creds: { sessionCookie: boolean; bearer: boolean }): ProxyDecision {
  if (isPublicPath(pathname)) return { kind: "next" };
  if (pathname.startsWith("/api/")) return creds.sessionCookie || creds.bearer ? { kind: "next" } : { kind: "unauthorized" };
  if (creds.sessionCookie) return { kind: "next" };
  return { kind: "redirect", location: loginUrl(pathname + search) };
}

/** The login page URL that returns to `next` afterwards. */
export function loginUrl(next: string): string {
  const safe = safeNextPath(next);
  return safe === "/" ? LOGIN_PATH : `${LOGIN_PATH}?next=${encodeURIComponent(safe)}`;
}

/**
 * A same-site relative return path, or "/" when the value could leave the site
 * (absolute URLs, protocol-relative `//host`, backslashes, control characters) or loop to /login.
 */
export function safeNextPath(raw: string | null | undefined): string {
  if (!raw || raw.length > 2000) return "/";
  if (!raw.startsWith("/") || raw.startsWith("//") || raw.includes("\\")) return "/";
  if (/[\u0000-\u001f\u007f]/.test(raw)) return "/";
  let url: URL;
  try {
    url = new URL(raw, "http://faasight.invalid");
  } catch {
    return "/";
  }
  if (url.origin !== "http://faasight.invalid") return "/";
  if (url.pathname === LOGIN_PATH || url.pathname.startsWith("/api/")) return "/";
  return url.pathname + url.search + url.hash;
}

/** Whether the request reached us over https (directly or through a proxy that says so). */
export function isHttps(url: string, forwardedProto: string | null | undefined): boolean {
  const first = forwardedProto?.split(",")[0]?.trim().toLowerCase();
  if (first) return first === "https";
  return url.startsWith("https:");
}

/** The client address for rate limiting: the address the nearest proxy saw, else unknown. */
export function clientAddress(headers: { get(name: string): string | null }): string {
  const xff = headers.get("x-forwarded-for");
  const last = xff?.split(",").map((s) => s.trim()).filter(Boolean).pop();
  return last || headers.get("x-real-ip")?.trim() || "unknown";
}

export interface CookieSpec {
  name: string;
  value: string;
  httpOnly: boolean;
  secure: boolean;
  sameSite: "lax";
  path: "/";
  expires: Date;
}

/** The session (httpOnly) and CSRF (readable, double-submit) cookies of a new session. */
export function sessionCookies(input: { sessionToken: string; csrfToken: string; expiresAt: Date; secure: boolean; sessionName: string; csrfName: string }): CookieSpec[] {
  const base = { secure: input.secure, sameSite: "lax" as const, path: "/" as const, expires: input.expiresAt };
  return [
    { ...base, name: input.sessionName, value: input.sessionToken, httpOnly: true },
    { ...base, name: input.csrfName, value: input.csrfToken, httpOnly: false },
  ];
}

/** A Set-Cookie header value for a cookie spec (also used to clear cookies with an epoch expiry). */
export function serializeCookie(c: CookieSpec): string {
  const parts = [`${c.name}=${encodeURIComponent(c.value)}`, `Path=${c.path}`, `Expires=${c.expires.toUTCString()}`, "SameSite=Lax"];
  if (c.httpOnly) parts.push("HttpOnly");
  if (c.secure) parts.push("Secure");
  return parts.join("; ");
}
