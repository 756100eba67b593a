import type { ReactNode } from "react";
import Link from "next/link";

/** Title, breadcrumbs, a subtitle and a toolbar on the right. */
export function PageHeader({ title, crumbs, subtitle, children }: { title: ReactNode; crumbs?: Array<{ href: string; label: string }>; subtitle?: ReactNode; children?: ReactNode }) {
  return (
    <header className="page-head">
      <div style={{ minWidth: 0 }}>
        {crumbs && crumbs.length > 0 && (
          <nav className="crumbs" aria-label="Breadcrumb">
            {crumbs.map((c, i) => (
              <span key={c.href}>
                {i > 0 && " / "}
                <Link href={c.href}>{c.label}</Link>
              </span>
            ))}
          </nav>
        )}
        <h1 className="wrap-anywhere">{title}</h1>
        {subtitle && <div className="subtitle">{subtitle}</div>}
      </div>
      {children && <div className="toolbar">{children}</div>}
    </header>
  );
}
