import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "../../lib/env.ts";

describe("parseEnv", () => {
  it.each([
    [{}, { DATABASE_URL: "file:./data/faasight.db", FAASIGHT_PORT: 3000, FAASIGHT_SANDBOX_PORT: 4566, FAASIGHT_DEMO: false }],
    [{ DATABASE_URL: "", FAASIGHT_PORT: " " }, { DATABASE_URL: "file:./data/faasight.db", FAASIGHT_PORT: 3000 }],
    [{ DATABASE_URL: "postgresql://u:p@h:5432/db", FAASIGHT_PORT: "8080", FAASIGHT_DEMO: "yes" }, { DATABASE_URL: "postgresql://u:p@h:5432/db", FAASIGHT_PORT: 8080, FAASIGHT_DEMO: true }],
    [{ AWS_REGION: "eu-west-1", AWS_ENDPOINT_URL: "http://127.0.0.1:4566" }, { AWS_REGION: "eu-west-1", AWS_ENDPOINT_URL: "http://127.0.0.1:4566" }],
  ])("parses %j", (input, expected) => {
    expect(parseEnv(input)).toMatchObject(expected);
  });

  it.each([
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
    [{ FAASIGHT_PORT: "http" }, "FAASIGHT_PORT"],
    [{ AWS_REGION: "useast1" }, "AWS_REGION"],
    [{ AWS_ENDPOINT_URL: "not a url" }, "AWS_ENDPOINT_URL"],
    [{ FAASIGHT_SECRET: "short" }, "FAASIGHT_SECRET"],
    [{ FAASIGHT_DEMO: "maybe" }, "FAASIGHT_DEMO"],
  ])("rejects %j naming the variable", (input, name) => {
    expect(() => parseEnv(input)).toThrow(EnvError);
    expect(() => parseEnv(input)).toThrow(new RegExp(name));
  });
});
