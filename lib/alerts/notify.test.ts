import { describe, expect, it } from "vitest";
import { SANDBOX_CREDENTIALS } from "../aws/clients.ts";
import { parseTopicArn } from "./channels/sns.ts";
import { snsTargetFor } from "./notify.ts";

describe("SNS topics", () => {
  it.each<[string, ReturnType<typeof parseTopicArn>]>([
    ["arn:aws:sns:us-east-1:123456789012:alerts", { region: "us-east-1", accountId: "123456789012", name: "alerts", fifo: false }],
    ["arn:aws:sns:eu-west-3:123456789012:pager.fifo", { region: "eu-west-3", accountId: "123456789012", name: "pager.fifo", fifo: true }],
    ["arn:aws-us-gov:sns:us-gov-west-1:123456789012:a_b-c", { region: "us-gov-west-1", accountId: "123456789012", name: "a_b-c", fifo: false }],
    ["arn:aws:sqs:us-east-1:123456789012:alerts", null],
    ["arn:aws:sns:us-east-1:1234:alerts", null],
    ["arn:aws:sns:us-east-1:123456789012:has space", null],
  ])("%s", (arn, expected) => expect(parseTopicArn(arn)).toEqual(expected));
});

describe("snsTargetFor", () => {
  const arn = { region: "eu-west-1", accountId: "123456789012" };
  const env = { AWS_ENDPOINT_URL: undefined, AWS_ACCESS_KEY_ID: undefined, AWS_PROFILE: undefined, FAASIGHT_SANDBOX_PORT: 4566 };

  it("uses the topic's source (endpoint, role) when there is one", () => {
    expect(snsTargetFor(arn, { endpoint: "http://127.0.0.1:9999", roleArn: "arn:aws:iam::123456789012:role/faasight", externalId: "ext" }, { ...env, AWS_ACCESS_KEY_ID: "AKIA" }, {})).toMatchObject({
      region: "eu-west-1",
      endpoint: "http://127.0.0.1:9999",
      roleArn: "arn:aws:iam::123456789012:role/faasight",
      externalId: "ext",
    });
  });

  it("falls back to AWS with credentials, or to the sandbox without", () => {
    const aws = snsTargetFor(arn, null, { ...env, AWS_PROFILE: "prod" }, {});
    expect(aws.endpoint).toBeUndefined();
    expect(aws.credentials).toBeUndefined();
    expect(snsTargetFor(arn, null, env, {})).toMatchObject({ endpoint: "http://127.0.0.1:4566", credentials: SANDBOX_CREDENTIALS });
    expect(snsTargetFor(arn, null, { ...env, AWS_ENDPOINT_URL: "http://moto:5000" }, {}).endpoint).toBe("http://moto:5000");
    expect(snsTargetFor(arn, null, env, { AWS_ENDPOINT_URL_SNS: "http://sns.local:1" }).endpoint).toBe("http://sns.local:1");
  });
});
