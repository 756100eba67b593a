/** Display formatting: numbers with units and sensible rounding. Null shows as an em dash. */
import type { Unit } from "./prepare-time-series.ts";

export const DASH = "—";

/** 1234567 -> "1,234,567"; 12345678 -> "12.3M" when compact. */
export function formatCount(n: number | null | undefined, compact = false): string {
  if (n == null || !Number.isFinite(n)) return DASH;
  if (compact && Math.abs(n) >= 10_000) {
    const units: Array<[number, string]> = [
      [1e9, "B"],
      [1e6, "M"],
      [1e3, "k"],
    ];
    for (const [v, s] of units) if (Math.abs(n) >= v) return `${trim((n / v).toFixed(Math.abs(n) / v >= 100 ? 0 : 1))}${s}`;
  }
  return Math.round(n).toLocaleString("en-US");
}

function trim(s: string): string {
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}

/** A ratio 0..1 as a percentage: 0.0612 -> "6.1%", 0.00042 -> "0.04%", 0 -> "0%". */
export function formatPercent(r: number | null | undefined): string {
  if (r == null || !Number.isFinite(r)) return DASH;
  const p = r * 100;
  if (p === 0) return "0%";
  if (Math.abs(p) < 0.01) return "<0.01%";
  if (Math.abs(p) < 1) return `${trim(p.toFixed(2))}%`;
  if (Math.abs(p) < 10) return `${trim(p.toFixed(1))}%`;
  return `${Math.round(p)}%`;
}

/** Milliseconds: 0.8 -> "0.8 ms", 123.4 -> "123 ms", 2345 -> "2.35 s", 125000 -> "2.1 min". */
export function formatMs(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return DASH;
  const a = Math.abs(ms);
  if (a < 10) return `${trim(ms.toFixed(1))} ms`;
  if (a < 1000) return `${Math.round(ms)} ms`;
  if (a < 60_000) return `${trim((ms / 1000).toFixed(a < 10_000 ? 2 : 1))} s`;
  return `${trim((ms / 60_000).toFixed(1))} min`;
}

/** Megabytes as Lambda states memory: 400 -> "400 MB", 3008 -> "3,008 MB"; beyond 10 GB in GB. */
export function formatMb(mb: number | null | undefined): string {
  if (mb == null || !Number.isFinite(mb)) return DASH;
  if (Math.abs(mb) <= 10240) return `${Math.round(mb).toLocaleString("en-US")} MB`;
  return `${trim((mb / 1024).toFixed(2))} GB`;
}

/** Bytes: 52428800 -> "50 MB". */
export function formatBytes(b: number | null | undefined): string {
  if (b == null || !Number.isFinite(b)) return DASH;
  if (Math.abs(b) < 1024) return `${b} B`;
  if (Math.abs(b) < 1024 * 1024) return `${trim((b / 1024).toFixed(1))} KB`;
  return formatMb(b / 1024 / 1024);
}

/** GB-seconds with 3 significant-ish decimals: 1234.5678 -> "1,234.6 GB-s". */
export function formatGbSeconds(gbs: number | null | undefined): string {
  if (gbs == null || !Number.isFinite(gbs)) return DASH;
  if (gbs === 0) return "0 GB-s";
  if (Math.abs(gbs) < 1) return `${trim(gbs.toFixed(3))} GB-s`;
  if (Math.abs(gbs) < 100) return `${trim(gbs.toFixed(2))} GB-s`;
  return `${Math.round(gbs).toLocaleString("en-US")} GB-s`;
}

/** Micro-dollars to dollars: under a cent shows 4 decimals, else 2. */
export function formatUsd(micros: number | bigint | null | undefined): string {
  if (micros == null) return DASH;
  const usd = Number(micros) / 1e6;
  if (!Number.isFinite(usd)) return DASH;
  if (usd === 0) return "$0.00";
  if (Math.abs(usd) < 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A UTC timestamp: "2026-01-31 14:05:09 UTC" (seconds optional). */
export function formatTime(d: Date | string | number | null | undefined, seconds = true): string {
  if (d == null) return DASH;
  const date = d instanceof Date ? d : new Date(d);
  if (Number.isNaN(date.getTime())) return DASH;
  return `${date.toISOString().replace("T", " ").slice(0, seconds ? 19 : 16)} UTC`;
}

/** Relative age: 42 s ago, 5 min ago, 3 h ago, 2 d ago. */
export function formatAgo(d: Date | null | undefined, now: Date): string {
  if (!d) return DASH;
  const s = Math.max(0, Math.round((now.getTime() - d.getTime()) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${trim((s / 3600).toFixed(1))} h ago`;
  return `${trim((s / 86400).toFixed(1))} d ago`;
}

/** Axis tick label for a bucket start, precise enough for the step. */
export function formatTick(ms: number, stepMs: number): string {
  const iso = new Date(ms).toISOString();
  if (stepMs >= 6 * 3_600_000) return `${iso.slice(5, 10)} ${iso.slice(11, 13)}h`;
  if (stepMs >= 3_600_000) return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
  return iso.slice(11, 16);
}

/** A chart value in its unit; null is "no data" (a gap). */
export function formatValue(v: number | null | undefined, unit: Unit): string {
  if (v == null) return "no data";
  switch (unit) {
    case "ms":
      return formatMs(v);
    case "percent":
      return formatPercent(v);
    case "gbs":
      return formatGbSeconds(v);
    case "usd":
      return formatUsd(Math.round(v * 1e6));
    default:
      return formatCount(v);
  }
}


/** A bucket width: "1 min", "5 min", "1 h", "6 h". */
export function formatStep(stepMs: number): string {
  return stepMs >= 3_600_000 ? `${stepMs / 3_600_000} h` : `${stepMs / 60_000} min`;
}

/** A version or qualifier as people say it: "7" -> "v7", "$LATEST" and alias names as they are. */
export function formatVersion(v: string): string {
  return /^\d+$/.test(v) ? `v${v}` : v;
}
