/**
 * Alert delivery settings. These read process.env directly (not lib/env.ts, which other
 * engineers own) and on every call, so a test can switch the SSRF override on and off.
 *
 *   FAASIGHT_WEBHOOK_ALLOW_PRIVATE=1     webhooks may reach private, loopback and link-local
 *                                        addresses (a lab or an internal receiver)
 *   FAASIGHT_WEBHOOK_ALLOWLIST=a,b       host names and CIDRs allowed even when private
 *                                        (e.g. "hooks.internal.example,10.20.0.0/16")
 *   FAASIGHT_WEBHOOK_TIMEOUT_MS          per attempt (default 5000)
 *   FAASIGHT_WEBHOOK_MAX_ATTEMPTS        attempts per delivery, retries on 5xx/429/network (default 3)
 *   FAASIGHT_CHANNEL_DISABLE_AFTER       consecutive failed deliveries before a channel is disabled (default 5)
 */

export interface AlertsConfig {
  allowPrivate: boolean;
  /** Lower-case host names and CIDRs whose addresses pass the SSRF guard. */
  allowlist: string[];
  webhookTimeoutMs: number;
  webhookMaxAttempts: number;
  /** First retry delay; doubles per attempt (with jitter). */
  webhookBackoffMs: number;
  disableAfterFailures: number;
}

const TRUE = new Set(["1", "true", "yes", "on"]);

function intFrom(value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value.trim() === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`expected a whole number between ${min} and ${max}, got "${value}"`);
  return n;
}

/** The current alert delivery settings from an environment record (default process.env). */
export function alertsConfig(source: Record<string, string | undefined> = process.env): AlertsConfig {
  const named = (name: string, fallback: number, min: number, max: number) => {
    try {
      return intFrom(source[name], fallback, min, max);
    } catch (err) {
      throw new Error(`${name}: ${(err as Error).message}`);
    }
  };
  return {
    allowPrivate: TRUE.has((source.FAASIGHT_WEBHOOK_ALLOW_PRIVATE ?? "").trim().toLowerCase()),
    allowlist: (source.FAASIGHT_WEBHOOK_ALLOWLIST ?? "")
      .split(",")
      .map((s) => s.trim().toLowerCase())
      .filter((s) => s !== ""),
    webhookTimeoutMs: named("FAASIGHT_WEBHOOK_TIMEOUT_MS", 5_000, 100, 60_000),
    webhookMaxAttempts: named("FAASIGHT_WEBHOOK_MAX_ATTEMPTS", 3, 1, 10),
    webhookBackoffMs: 500,
    disableAfterFailures: named("FAASIGHT_CHANNEL_DISABLE_AFTER", 5, 1, 1000),
  };
}
