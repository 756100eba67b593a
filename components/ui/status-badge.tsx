/** An invocation or run status as a coloured badge. */
export function StatusBadge({ status }: { status: string }) {
  const tone = ["error", "timeout", "oom", "failed", "firing", "failed_again"].includes(status)
    ? "bad"
    : ["throttle", "partial", "pending", "running", "replaying"].includes(status)
      ? "warn"
      : ["ok", "resolved", "replayed", "succeeded"].includes(status)
        ? "good"
        : "";
  return <span className={`badge ${tone}`}>{status}</span>;
}
