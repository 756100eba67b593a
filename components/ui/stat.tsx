import type { ReactNode } from "react";

/** One figure with its label and an optional line below. */
export function Stat({ label, value, sub, tone, testId }: { label: string; value: ReactNode; sub?: ReactNode; tone?: "bad" | "warn"; testId?: string }) {
  return (
    <div className={`stat${tone ? ` ${tone}` : ""}`} data-testid={testId}>
      <div className="label">{label}</div>
      <div className="value">{value}</div>
      {sub !== undefined && <div className="sub">{sub}</div>}
    </div>
  );
}
