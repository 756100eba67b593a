import { describe, expect, it } from "vitest";
import { parseEnv } from "../env.ts";
import { SourcesConfigError, hasAwsCredentials, parseSourcesFile, resolveSources, targetOf } from "./sources.ts";

describe("parseSourcesFile", () => {
  it("accepts accounts x regions with cross-account roles", () => {
    const s = parseSourcesFile(
      JSON.stringify([
        { name: "prod-us", accountId: "111111111111", region: "us-east-1", roleArn: "arn:aws:iam::111111111111:role/faasight-collector", externalId: "secret-1" },
        { name: "local", region: "eu-west-1", endpoint: "http://127.0.0.1:4566", quotaScale: 10 },
      ]),
    );
    expect(s.map((x) => [x.name, x.enabled])).toEqual([
      ["prod-us", true],
      ["local", true],
    ]);
  });

  it.each([
    ["not json", /not valid JSON/],
    ["[]", /\[\]/],
    [JSON.stringify([{ name: "a", region: "useast1" }]), /\[0\.region\] must be an AWS region/],
    [JSON.stringify([{ name: "a", region: "us-east-1", accountId: "12" }]), /\[0\.accountId\] must be a 12-digit/],
    [JSON.stringify([{ name: "a", region: "us-east-1", externalId: "x1" }]), /externalId needs roleArn/],
    [JSON.stringify([{ name: "a", region: "us-east-1", roleArn: "role/x" }]), /\[0\.roleArn\] must be an IAM role ARN/],
    [JSON.stringify([{ name: "a", region: "us-east-1", colour: "blue" }]), /colour/],
    [JSON.stringify([{ name: "a", region: "us-east-1" }, { name: "a", region: "eu-west-1" }]), /names must be unique/],
  ])("rejects %s naming the problem", (text, re) => {
    expect(() => parseSourcesFile(text)).toThrow(SourcesConfigError);
    expect(() => parseSourcesFile(text)).toThrow(re);
  });
});

describe("resolveSources", () => {
  it("defaults to the sandbox without credentials or endpoint", () => {
    const r = resolveSources(parseEnv({ FAASIGHT_SANDBOX_PORT: "4599" }));
    expect(r).toMatchObject({ sandbox: true, staticCredentials: true, sources: [{ name: "sandbox", endpoint: "http://127.0.0.1:4599", region: "us-east-1" }] });
  });
  it("uses the environment's endpoint and region", () => {
    const r = resolveSources(parseEnv({ AWS_ENDPOINT_URL: "http://127.0.0.1:5000", AWS_REGION: "eu-west-1" }));
    expect(r).toMatchObject({ sandbox: false, staticCredentials: true, sources: [{ name: "default", endpoint: "http://127.0.0.1:5000", region: "eu-west-1" }] });
  });
  it("uses the credential chain when credentials exist", () => {
    const env = parseEnv({ AWS_ACCESS_KEY_ID: "AKIAEXAMPLE", AWS_REGION: "eu-west-1" });
    expect(hasAwsCredentials(env, {})).toBe(true);
    const r = resolveSources(env);
    expect(r).toMatchObject({ sandbox: false, staticCredentials: false });
    const t = targetOf({ ...r.sources[0]!, roleArn: "arn:aws:iam::111111111111:role/faasight-collector", externalId: "x" }, r.staticCredentials);
    expect(t).toMatchObject({ region: "eu-west-1", roleArn: "arn:aws:iam::111111111111:role/faasight-collector", externalId: "x", maxAttempts: 12 });
    expect(t.credentials).toBeUndefined();
  });
});
