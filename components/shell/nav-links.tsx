"use client";

import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";

const LINKS = [
  { href: "/", label: "Overview" },
  { href: "/functions", label: "Functions" },
  { href: "/apis", label: "APIs" },
  { href: "/failures", label: "Failures" },
  { href: "/cost", label: "Cost" },
  { href: "/alerts", label: "Alerts" },
  { href: "/reports", label: "Reports" },
];

/** Main navigation; keeps the time range when moving between sections. */
export function NavLinks() {
  const pathname = usePathname();
  const params = useSearchParams();
  const keep = new URLSearchParams();
  for (const k of ["range", "from", "to"]) {
    const v = params.get(k);
    if (v) keep.set(k, v);
  }
  const qs = keep.toString() ? `?${keep}` : "";
  return (
    <nav className="nav" aria-label="Main">
      {LINKS.map((l) => {
        const active = l.href === "/" ? pathname === "/" : pathname.startsWith(l.href) || (l.href === "/functions" && /^\/(invocations|traces)\//.test(pathname));
        return (
          <Link key={l.href} href={`${l.href}${qs}`} aria-current={active ? "page" : undefined}>
            {l.label}
          </Link>
        );
      })}
    </nav>
  );
}
