import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { EnvError, envSchema, parseEnv } from "../../lib/env.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

function errorOf(input: Record<string, string>): string {
  try {
    parseEnv(input);
  } catch (err) {
    expect(err).toBeInstanceOf(EnvError);
    return (err as Error).message;
  }
  throw new Error("parseEnv accepted the input");
}

describe("parseEnv", () => {
  it.each([
    [{}, { DATABASE_URL: "file:./data/faasight.db", FAASIGHT_PORT: 3000, FAASIGHT_SANDBOX_PORT: 4566 }],
    [{ DATABASE_URL: "", FAASIGHT_PORT: " " }, { DATABASE_URL: "file:./data/faasight.db", FAASIGHT_PORT: 3000 }],
    [{ DATABASE_URL: "postgresql://u:p@h:5432/db", FAASIGHT_PORT: "8080" }, { DATABASE_URL: "postgresql://u:p@h:5432/db", FAASIGHT_PORT: 8080 }],
    [{ DATABASE_URL: "postgres://h/db" }, { DATABASE_URL: "postgres://h/db" }],
    [{ AWS_REGION: "eu-west-1", AWS_ENDPOINT_URL: "http://127.0.0.1:4566" }, { AWS_REGION: "eu-west-1", AWS_ENDPOINT_URL: "http://127.0.0.1:4566" }],
    [{ FAASIGHT_SECRET: "x".repeat(32), FAASIGHT_LOGS_MODE: "push" }, { FAASIGHT_SECRET: "x".repeat(32), FAASIGHT_LOGS_MODE: "push" }],
  ])("parses %j", (input, expected) => {
    expect(parseEnv(input)).toMatchObject(expected);
  });

  // The whole message line for each bad variable: its name, the value (secrets hidden) and what it must be.
  it.each([
    [{ DATABASE_URL: "mysql://x" }, `DATABASE_URL="mysql://x": must start with file: (SQLite) or postgres:// / postgresql:// (PostgreSQL)`],
    [{ DATABASE_URL: "mysql://app:hunter2@db/x" }, `DATABASE_URL="mysql://app:***@db/x": must start with file:`],
    [{ FAASIGHT_PORT: "abc" }, `FAASIGHT_PORT="abc": must be a number`],
    [{ FAASIGHT_PORT: "80.5" }, `FAASIGHT_PORT="80.5": must be a whole number`],
    [{ FAASIGHT_PORT: "70000" }, `FAASIGHT_PORT="70000": must be at most 65535`],
    [{ FAASIGHT_SANDBOX_PORT: "-1" }, `FAASIGHT_SANDBOX_PORT="-1": must be at least 0`],
    [{ FAASIGHT_COLLECT_INTERVAL_SECONDS: "5" }, `FAASIGHT_COLLECT_INTERVAL_SECONDS="5": must be at least 10`],
    [{ FAASIGHT_RETENTION_RAW_DAYS: "0" }, `FAASIGHT_RETENTION_RAW_DAYS="0": must be greater than 0`],
    [{ AWS_REGION: "useast1" }, `AWS_REGION="useast1": must be an AWS region such as us-east-1`],
    [{ AWS_ENDPOINT_URL: "not a url" }, `AWS_ENDPOINT_URL="not a url": `],
    [{ FAASIGHT_SECRET: "short" }, `FAASIGHT_SECRET=(hidden): must be at least 32 characters`],
    [{ FAASIGHT_TRACE_DETAIL_RATE: "2" }, `FAASIGHT_TRACE_DETAIL_RATE="2": must be at most 1`],
    [{ FAASIGHT_ADMIN_EMAIL: "admin" }, `FAASIGHT_ADMIN_EMAIL="admin": must be an email address`],
    [{ FAASIGHT_LOG_LEVEL: "verbose" }, `FAASIGHT_LOG_LEVEL="verbose": must be one of debug, info, warn, error`],
  ])("rejects %j naming the variable", (input, line) => {
    expect(errorOf(input)).toContain(`\n  ${line}`);
  });

  it("names every bad variable at once and never prints a secret", () => {
    const message = errorOf({ FAASIGHT_PORT: "x", FAASIGHT_SECRET: "too-short-secret", DATABASE_URL: "mysql://u:topsecret@h/db" });
    expect(message.split("\n").slice(1).map((l) => l.trim().split("=")[0])).toEqual(["DATABASE_URL", "FAASIGHT_PORT", "FAASIGHT_SECRET"]);
    expect(message).not.toContain("too-short-secret");
    expect(message).not.toContain("topsecret");
  });

  it("stops a faasight command with the message and exit code 1", () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "faasight-env-"));
    const res = spawnSync(process.execPath, [path.join(ROOT, "bin/faasight.js"), "migrate"], {
      cwd,
      encoding: "utf8",
      env: { PATH: process.env.PATH, NODE_ENV: "test", FAASIGHT_PORT: "abc", DATABASE_URL: `file:${path.join(cwd, "x.db")}` },
    });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain(`faasight migrate: Invalid environment:\n  FAASIGHT_PORT="abc": must be a number`);
    expect(fs.existsSync(path.join(cwd, "x.db"))).toBe(false);
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  it("stops faasight demo (npm start) before it creates anything", () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "faasight-env-"));
    const res = spawnSync(process.execPath, [path.join(ROOT, "bin/faasight.js"), "demo"], {
      cwd,
      encoding: "utf8",
      env: { PATH: process.env.PATH, NODE_ENV: "test", FAASIGHT_PORT: "abc" },
    });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain(`faasight demo: Invalid environment:\n  FAASIGHT_PORT="abc": must be a number`);
    expect(fs.readdirSync(cwd)).toEqual([]);
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  it("every variable is documented in the README", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const missing = Object.keys(envSchema.shape).filter((name) => !new RegExp(`\`${name}[\`=]`).test(readme));
    expect(missing, "add these variables to README.md (Configuration)").toEqual([]);
  });
});
