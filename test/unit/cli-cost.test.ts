import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "faasight-cli-cost-"));
afterAll(() => fs.rmSync(TMP, { recursive: true, force: true }));

/** Runs the real CLI (bin/faasight.js loads the TypeScript through tsx). */
function faasight(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["bin/faasight.js", ...args], { cwd: ROOT, env: { ...process.env, FAASIGHT_PRICES_FILE: "", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const BASE = ["cost", "estimate", "--region", "us-east-1", "--arch", "arm64", "--memory-mb", "1024", "--requests", "3000000", "--avg-billed-ms", "120"];

// Each run starts node + tsx (a few seconds); the runs are independent, so they go in parallel.
describe.concurrent("faasight cost estimate", { timeout: 90_000 }, () => {
  it("prints the month as JSON with exact figures", async () => {
    const { code, stdout, stderr } = await faasight(BASE);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    // 3M x $0.20/M = $0.60; 3M x 120 ms x 1 GB = 360,000 GB-s x $0.0000133334 = $4.800024
    expect(out).toMatchObject({ requestsUsd: 0.6, computeUsd: 4.8, ephemeralUsd: 0, provisionedUsd: 0, totalUsd: 5.4 });
    expect(out.microUsd.total).toBe("5400024");
    expect(out.breakdown).toEqual([
      { item: "Lambda requests", quantity: 3_000_000, unit: "requests", unitPriceUsd: "0.0000002", usd: 0.6, note: "$0.20 per 1,000,000 requests" },
      {
        item: "Lambda duration (arm64)",
        quantity: 360_000,
        unit: "GB-s",
        unitPriceUsd: "0.0000133334",
        usd: 4.8,
        note: "tier 1 (up to 7,500,000,000 GB-s per month), $0.0000133334 per GB-s; 3,000,000 requests x 120 ms x 1024 MB / 1024",
      },
    ]);
  });

  it("adds ephemeral storage, provisioned concurrency and the free tier", async () => {
    const { code, stdout } = await faasight([...BASE, "--ephemeral-mb", "10240", "--provisioned-concurrency", "10", "--provisioned-hours", "730", "--free-tier"]);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    // requests: 2M billable = $0.40; ephemeral: 3,420,000 GB-s x $0.0000000309 = $0.105678;
    // provisioned: 26,280,000 GB-s x $0.0000033334 + 360,000 GB-s x $0.0000077778 = $90.40176
    expect(out).toMatchObject({ requestsUsd: 0.4, computeUsd: 0, ephemeralUsd: 0.11, provisionedUsd: 90.4, totalUsd: 90.91 });
    expect(out.microUsd).toEqual({ requests: "400000", compute: "0", ephemeral: "105678", provisioned: "90401760", total: "90907438" });
    expect(out.breakdown.map((b: { item: string }) => b.item)).toEqual([
      "Lambda requests (free tier)",
      "Lambda requests",
      "Lambda duration (arm64)",
      "Ephemeral storage",
      "Provisioned concurrency (arm64)",
      "Provisioned concurrency duration (arm64)",
    ]);
  });

  it("reproduces AWS's 'Mobile application backend' example: $2.33 + $0.40 = $2.73", async () => {
    const { stdout } = await faasight(["cost", "estimate", "--region", "us-east-1", "--arch", "x86_64", "--memory-mb", "1536", "--requests", "3000000", "--avg-billed-ms", "120", "--free-tier"]);
    expect(JSON.parse(stdout)).toMatchObject({ requestsUsd: 0.4, computeUsd: 2.33, totalUsd: 2.73 });
  });

  it.each([
    [["--memory-mb", "64"], /--memory-mb: must be at least 128/],
    [["--requests", "lots"], /--requests must be a non-negative number \(got "lots"\)/],
    [["--provisioned-concurrency", "5"], /--provisioned-hours: --provisioned-concurrency and --provisioned-hours go together/],
    [["--region", "us-east-9"], /No price table for region "us-east-9"/],
    [["--arch", "sparc"], /--arch: must be x86_64 or arm64/],
    [["--colour"], /Unknown option '--colour'/],
  ])("exits 2 with the reason for %j", async (extra, message) => {
    const { code, stdout, stderr } = await faasight([...BASE, ...extra]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(message);
  });

  it("exits 2 naming the field of a bad FAASIGHT_PRICES_FILE", async () => {
    const file = path.join(fs.mkdtempSync(path.join(TMP, "case-")), "prices.json");
    fs.writeFileSync(file, JSON.stringify({ regions: { "us-east-1": { lambda: { requests: { usd: "twenty cents", per: "1000000" } } } } }));
    const { code, stderr } = await faasight(BASE, { FAASIGHT_PRICES_FILE: file });
    expect(code).toBe(2);
    expect(stderr).toMatch(/regions\.us-east-1\.lambda\.requests\.usd: must be a non-negative decimal string/);
  });

  it("uses an override file's prices", async () => {
    const file = path.join(fs.mkdtempSync(path.join(TMP, "case-")), "prices.json");
    fs.writeFileSync(file, JSON.stringify({ regions: { "us-east-1": { lambda: { requests: { usd: "0.30", per: "1000000" } } } } }));
    const { code, stdout } = await faasight(BASE, { FAASIGHT_PRICES_FILE: file });
    expect(code).toBe(0);
    expect(JSON.parse(stdout).requestsUsd).toBe(0.9);
  });

  it("documents itself", async () => {
    const [costHelp, estimateHelp, mainHelp, unknown] = await Promise.all([
      faasight(["cost", "--help"]),
      faasight(["cost", "estimate", "--help"]),
      faasight(["--help"]),
      faasight(["cost", "forecast"]),
    ]);
    for (const { code, stdout } of [costHelp, estimateHelp]) {
      expect(code).toBe(0);
      expect(stdout).toMatch(/Usage: faasight cost estimate --region <region> --arch <x86_64\|arm64>/);
      expect(stdout).toMatch(/--free-tier/);
    }
    expect(mainHelp.stdout).toMatch(/cost\s+what-if cost estimate/);
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown subcommand "forecast"/) });
  });
});
