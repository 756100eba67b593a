import type { Metadata, Viewport } from "next";
import { cookies } from "next/headers";
import Link from "next/link";
import { Suspense } from "react";
import "./globals.css";
import { NavLinks } from "@/components/shell/nav-links";
import { ThemeToggle } from "@/components/shell/theme-toggle";
import { THEME_COOKIE, type ThemeChoice } from "@/components/shell/theme";
import { UserMenu } from "@/components/auth/user-menu";
import { pagePrincipal } from "@/lib/auth/current";
import { hasScope } from "@/lib/auth/permissions";

export const metadata: Metadata = {
  title: { default: "Faasight", template: "%s · Faasight" },
  description: "Observability and cost for AWS serverless applications",
  icons: { icon: "/favicon.svg" },
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const raw = (await cookies()).get(THEME_COOKIE)?.value;
  const theme: ThemeChoice = raw === "light" || raw === "dark" ? raw : "system";
  // Verifies the session (the proxy only saw a cookie); redirects to /login when signed out.
  const principal = await pagePrincipal();
  return (
    <html lang="en" data-theme={theme === "system" ? undefined : theme} suppressHydrationWarning>
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="topbar">
          <div className="topbar-inner">
            <Link href="/" className="brand" aria-label="Faasight overview">
              <span className="brand-mark" aria-hidden="true" />
              <span className="word">Faasight</span>
            </Link>
            <Suspense fallback={<nav className="nav" aria-label="Main" />}>
              <NavLinks />
            </Suspense>
            <ThemeToggle initial={theme} />
            {principal ? <UserMenu email={principal.email} role={principal.role} isAdmin={hasScope(principal.role, "users:manage")} /> : null}
          </div>
        </header>
        <main id="main" className="page">
          {children}
        </main>
      </body>
    </html>
  );
}
