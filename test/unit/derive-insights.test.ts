import { describe, expect, it } from "vitest";
import { deriveInsights, type InsightInput } from "../../lib/queries/functions/derive-insights.ts";
import { statusCause } from "../../lib/queries/stages/status-causes.ts";

const base: InsightInput = {
  runtime: "nodejs20.x",
  packageType: "Zip",
  tracingMode: "Active",
  memoryMb: 1024,
  timeoutSec: 10,
  codeSizeBytes: 5_000_000,
  invocations: 1000,
  timeouts: 0,
  p99Ms: 300,
  maxMemoryUsedMb: 600,
  malformedLines: 0,
  metricInvocations: 1000,
  logEvents: 4000,
};

describe("deriveInsights", () => {
  it.each([
    ["a healthy function has none", {}, []],
    ["deprecated runtime", { runtime: "nodejs16.x" }, ["runtime-deprecated"]],
    ["tracing off", { tracingMode: "PassThrough" }, ["tracing-off"]],
    ["p99 close to the timeout", { p99Ms: 8500 }, ["near-timeout"]],
    ["timeouts happened", { timeouts: 3 }, ["near-timeout"]],
    ["over-provisioned memory (image-resize: 3008 MB, 400 used)", { memoryMb: 3008, maxMemoryUsedMb: 400 }, ["memory-over-provisioned"]],
    ["small functions are not flagged", { memoryMb: 256, maxMemoryUsedMb: 60 }, []],
    ["package near 50 MB zipped", { codeSizeBytes: 45 * 1024 * 1024 }, ["package-size"]],
    ["invocations but no logs", { logEvents: 0 }, ["no-logs"]],
    ["no metric means no verdict on logs", { logEvents: 0, metricInvocations: null }, []],
    ["malformed lines", { malformedLines: 2 }, ["malformed-lines"]],
    ["most severe first", { tracingMode: "PassThrough", runtime: "python3.8", timeouts: 1 }, ["runtime-deprecated", "near-timeout", "tracing-off"]],
  ])("%s", (_n, patch, ids) => {
    expect(deriveInsights({ ...base, ...patch }).map((i) => i.id)).toEqual(ids);
  });

  it("says what to do", () => {
    const [i] = deriveInsights({ ...base, logEvents: 0 });
    expect(i!.detail).toMatch(/execution role probably lacks/);
  });
});

describe("statusCause", () => {
  it.each([
    [400, "Invalid request"],
    [403, "Authentication or authorization failed"],
    [429, "Throttled"],
    [502, "Backend (Lambda) error or malformed response"],
    [503, "Service issue"],
    [504, "Integration timeout (29 s)"],
    [599, "Server error"],
    [418, "Client error"],
  ])("%d -> %s", (code, cause) => expect(statusCause(code).cause).toBe(cause));
});
