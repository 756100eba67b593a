/** `faasight parse-logs` as a user runs it: the real binary, stdin in, JSON lines out. */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { messageOfInputLine } from "../../lib/cli/parse-logs.ts";

const BIN = path.resolve(import.meta.dirname, "../../bin/faasight.js");
const RID = "8f5c1a0e-1111-4000-8000-000000000001";

function runParseLogs(input: string): Record<string, unknown>[] {
  const res = spawnSync(process.execPath, [BIN, "parse-logs"], { input, encoding: "utf8" });
  expect(res.status, res.stderr).toBe(0);
  return res.stdout.trim().split("\n").map((l) => JSON.parse(l));
}

describe("faasight parse-logs", () => {
  it("prints one object per input line with numbers as numbers", () => {
    const out = runParseLogs(
      [
        `START RequestId: ${RID} Version: 7`,
        `REPORT RequestId: ${RID}\tDuration: 12.34 ms\tBilled Duration: 263 ms\tMemory Size: 512 MB\tMax Memory Used: 80 MB\tInit Duration: 250.12 ms\t`,
        JSON.stringify({ timestamp: 1700000000000, message: `2024-01-01T00:00:03.012Z ${RID} Task timed out after 3.00 seconds\n`, eventId: "37" }),
        JSON.stringify({ logStreamName: "2024/01/01/[$LATEST]abc", message: `REPORT RequestId: ${RID}\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t\nXRAY TraceId: 1-5e1b4151-5ac6c58f5b1a4b3c8e7f6a1b\tSegmentId: 0af1b2c3d4e5f607\tSampled: true\t` }),
        JSON.stringify({ time: "2024-01-01T00:00:00Z", type: "platform.report", record: { requestId: RID, status: "timeout", metrics: { durationMs: 3000.5, billedDurationMs: 3001, memorySizeMB: 128, maxMemoryUsedMB: 60 } } }),
        JSON.stringify({ timestamp: "2024-01-01T00:00:00Z", level: "INFO", requestId: RID, message: "order placed" }),
        "this is not a Lambda line",
      ].join("\n") + "\n",
    );
    expect(out).toHaveLength(7);
    expect(out[0]).toEqual({ kind: "start", requestId: RID, version: "7" });
    expect(out[1]).toEqual({ kind: "report", requestId: RID, durationMs: 12.34, billedDurationMs: 263, memorySizeMb: 512, maxMemoryUsedMb: 80, initDurationMs: 250.12 });
    expect(out[2]).toMatchObject({ kind: "timeout", requestId: RID, timeoutSeconds: 3, status: "timeout" });
    expect(out[3]).toMatchObject({ kind: "report", xrayTraceId: "1-5e1b4151-5ac6c58f5b1a4b3c8e7f6a1b", billedDurationMs: 1 });
    expect(out[4]).toMatchObject({ kind: "report", status: "timeout", durationMs: 3000.5, billedDurationMs: 3001 });
    expect(out[5]).toMatchObject({ kind: "app_log", requestId: RID, level: "INFO" });
    expect(out[6]).toMatchObject({ kind: "unparsed" });
    expect(typeof out[6]!.reason).toBe("string");
  });

  it("lists its commands in --help", () => {
    const res = spawnSync(process.execPath, [BIN, "--help"], { encoding: "utf8" });
    expect(res.stdout).toMatch(/parse-logs/);
    expect(res.stdout).toMatch(/migrate/);
  });

  it.each([
    ["raw line", "START RequestId: x Version: 1", "START RequestId: x Version: 1"],
    ["export record", JSON.stringify({ timestamp: 1, message: "END RequestId: x" }), "END RequestId: x"],
    ["JSON application log stays whole", JSON.stringify({ level: "INFO", message: "hi", requestId: "x" }), JSON.stringify({ level: "INFO", message: "hi", requestId: "x" })],
  ])("input line: %s", (_name, input, expected) => {
    expect(messageOfInputLine(input)).toBe(expected);
  });
});
