import type { ReactNode } from "react";
import Link from "next/link";

/** Nothing to show, and what to do about it. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty" role="status">
      <strong>{title}</strong>
      {children}
    </div>
  );
}

/** A friendly message for a bad query string (the API answers the same with a 400). */
export function QueryProblem({ message, resetHref }: { message: string; resetHref: string }) {
  return (
    <div className="notice warn" role="alert" data-testid="query-problem">
      <h2>This link has a problem</h2>
      <p>
        The address contains a value Faasight cannot use: <code>{message}</code>.
      </p>
      <p>
        <Link href={resetHref}>Open this page with the default time range and filters</Link>, or fix the value in the address bar.
      </p>
    </div>
  );
}

/** Something named in the URL does not exist in the store. */
export function NotInStore({ what, backHref, backLabel, hint }: { what: string; backHref: string; backLabel: string; hint?: string }) {
  return (
    <div className="notice warn" role="alert" data-testid="not-found">
      <h2>{what} is not in the store</h2>
      <p>{hint ?? "It may have been deleted, renamed, or not collected yet (the next collection cycle runs within a minute)."}</p>
      <p>
        <Link href={backHref}>{backLabel}</Link>
      </p>
    </div>
  );
}
