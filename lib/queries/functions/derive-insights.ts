/**
 * Configuration insights for a function: pure rules over its configuration and figures.
 * Each says what is wrong and what to do.
 */

export interface Insight {
  id: "runtime-deprecated" | "tracing-off" | "near-timeout" | "memory-over-provisioned" | "package-size" | "no-logs" | "malformed-lines";
  severity: "critical" | "warning" | "info";
  title: string;
  detail: string;
}

/** Runtimes past AWS's deprecation date (data: extend as AWS deprecates more). */
export const DEPRECATED_RUNTIMES: Record<string, string> = {
  "nodejs12.x": "2023-03-31",
  "nodejs14.x": "2023-12-04",
  "nodejs16.x": "2024-06-12",
  "python3.6": "2022-07-18",
  "python3.7": "2023-12-04",
  "python3.8": "2024-10-14",
  "java8": "2024-01-08",
  "go1.x": "2023-12-31",
  "ruby2.7": "2023-12-07",
  "dotnetcore3.1": "2023-04-03",
  "dotnet6": "2024-12-20",
  "provided": "2023-12-31",
};

/** Lambda's deployment package limits. */
export const ZIP_LIMIT_BYTES = 50 * 1024 * 1024;
export const UNZIPPED_LIMIT_BYTES = 250 * 1024 * 1024;

export interface InsightInput {
  runtime: string | null;
  packageType: string;
  tracingMode: string;
  memoryMb: number;
  timeoutSec: number;
  codeSizeBytes: number;
  invocations: number;
  timeouts: number;
  p99Ms: number | null;
  maxMemoryUsedMb: number | null;
  malformedLines: number;
  /** Invocations CloudWatch metrics counted in the window (null when not collected). */
  metricInvocations: number | null;
  /** Log events stored for the window. */
  logEvents: number;
}

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;

/** The insights that apply, most severe first. */
export function deriveInsights(i: InsightInput): Insight[] {
  const out: Insight[] = [];
  if (i.runtime && DEPRECATED_RUNTIMES[i.runtime]) {
    out.push({
      id: "runtime-deprecated",
      severity: "critical",
      title: `Runtime ${i.runtime} is deprecated`,
      detail: `AWS deprecated ${i.runtime} on ${DEPRECATED_RUNTIMES[i.runtime]}: it gets no security patches and updates will be blocked. Move to a supported runtime.`,
    });
  }
  if ((i.metricInvocations ?? 0) > 0 && i.logEvents === 0) {
    out.push({
      id: "no-logs",
      severity: "critical",
      title: "Invocations but no logs",
      detail: `CloudWatch counted ${i.metricInvocations} invocations in this window but no log events were collected. The execution role probably lacks logs:CreateLogStream / logs:PutLogEvents (AWSLambdaBasicExecutionRole).`,
    });
  }
  const timeoutMs = i.timeoutSec * 1000;
  if (i.timeouts > 0) {
    out.push({
      id: "near-timeout",
      severity: "warning",
      title: `${i.timeouts} invocation${i.timeouts === 1 ? "" : "s"} timed out`,
      detail: `The timeout is ${i.timeoutSec} s. Find the slow downstream call in a trace, or raise the timeout if the work is legitimately long.`,
    });
  } else if (i.p99Ms !== null && i.invocations >= 20 && i.p99Ms >= 0.8 * timeoutMs) {
    out.push({
      id: "near-timeout",
      severity: "warning",
      title: "Duration close to the timeout",
      detail: `p99 is ${Math.round(i.p99Ms)} ms, ${Math.round((i.p99Ms / timeoutMs) * 100)}% of the ${i.timeoutSec} s timeout: a slightly slower dependency will cause timeouts.`,
    });
  }
  if (i.maxMemoryUsedMb !== null && i.invocations >= 20 && i.memoryMb > 256 && i.maxMemoryUsedMb < 0.5 * i.memoryMb) {
    out.push({
      id: "memory-over-provisioned",
      severity: "info",
      title: "Memory over-provisioned",
      detail: `Configured ${i.memoryMb} MB but at most ${i.maxMemoryUsedMb} MB used (${Math.round((i.maxMemoryUsedMb / i.memoryMb) * 100)}%). Lower memory to pay less, checking duration (CPU scales with memory).`,
    });
  }
  if (i.packageType === "Zip" && i.codeSizeBytes >= 0.8 * ZIP_LIMIT_BYTES) {
    out.push({
      id: "package-size",
      severity: "warning",
      title: "Package size near the limit",
      detail: `The zipped package is ${mb(i.codeSizeBytes)} of the 50 MB limit for direct upload (250 MB unzipped including layers). Trim dependencies or move to a container image.`,
    });
  }
  if (i.tracingMode !== "Active") {
    out.push({
      id: "tracing-off",
      severity: "info",
      title: "X-Ray tracing is off",
      detail: `Tracing mode is ${i.tracingMode}: invocations have no trace waterfall unless a caller samples them. Enable Active tracing to see downstream calls.`,
    });
  }
  if (i.malformedLines > 0) {
    out.push({
      id: "malformed-lines",
      severity: "info",
      title: `${i.malformedLines} log line${i.malformedLines === 1 ? "" : "s"} could not be parsed`,
      detail: "They were skipped; the figures here may miss some invocations. Check the log format setting (Text or JSON).",
    });
  }
  const rank = { critical: 0, warning: 1, info: 2 } as const;
  return out.sort((a, b) => rank[a.severity] - rank[b.severity]);
}
