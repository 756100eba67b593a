/**
 * Request interception (Next.js 16 `proxy`, formerly middleware): pages without a session
 * cookie redirect to /login?next=…, /api/v1 without a session cookie or Bearer token gets
 * 401. Only presence is checked here; routes (`authorize`) and the root layout verify it.
 */
import { NextResponse, type NextRequest } from "next/server";
import { apiError } from "@/lib/api/errors";
import { PATH_HEADER, proxyDecision } from "@/lib/auth/http";
import { SESSION_COOKIE } from "@/lib/auth/sessions-names";

export function proxy(req: NextRequest) {
  const { pathname, search } = req.nextUrl;
  const decision = proxyDecision(pathname, search, {
    sessionCookie: !!req.cookies.get(SESSION_COOKIE)?.value,
    bearer: /^Bearer\s+\S+$/i.test(req.headers.get("authorization") ?? ""),
  });
  if (decision.kind === "unauthorized") return apiError(401, "unauthorized", "Sign in, or send an API token as `Authorization: Bearer fsk_…`.");
  if (decision.kind === "redirect") return NextResponse.redirect(new URL(decision.location, req.url));
  // Tell the root layout which page is rendering, so its session check can return here after login.
  const headers = new Headers(req.headers);
  headers.set(PATH_HEADER, pathname + search);
  return NextResponse.next({ request: { headers } });
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.svg|favicon.ico).*)"],
};
