import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from "@aws-sdk/client-sts";
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { startSandbox, type Sandbox } from "../../../lib/sandbox/server.ts";
import type { StsService } from "../../../lib/sandbox/services/sts.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const ACCOUNT = "123456789012";
const OTHER_ACCOUNT = "210987654321";
const ROLE = `arn:aws:iam::${OTHER_ACCOUNT}:role/FaasightReadOnly`;

let sandbox: Sandbox;
let sts: STSClient;
let service: StsService;
let clockOffsetMs = 0;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: 3, now: () => Date.now() + clockOffsetMs });
  sts = new STSClient({ endpoint: sandbox.url, region: "us-east-1", credentials });
  service = sandbox.services.find((s) => s.signingName === "sts") as StsService;
});

afterAll(async () => {
  sts.destroy();
  await sandbox.close();
});

beforeEach(() => sandbox.setFaults({}));

const clientWith = (creds: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string }) =>
  new STSClient({
    endpoint: sandbox.url,
    region: "us-east-1",
    credentials: { accessKeyId: creds.AccessKeyId!, secretAccessKey: creds.SecretAccessKey!, sessionToken: creds.SessionToken },
  });


/** Sends at least 5 calls, and until the sandbox has throttled one (at most 40): every call must succeed. */
async function sendUntilThrottled(key: string, send: (i: number) => Promise<unknown>): Promise<number> {
  let sent = 0;
  while (sent < 40 && (sent < 5 || !sandbox.stats()[key]?.throttled)) await send(sent++);
  return sent;
}

describe("STS", () => {
  it("identifies the default caller", async () => {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    expect(identity).toMatchObject({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/sandbox`, UserId: expect.stringMatching(/^AIDA[A-Z0-9]{17}$/) });
  });

  it("assumes a role in another account and answers GetCallerIdentity as that role", async () => {
    const before = Date.now();
    const { Credentials, AssumedRoleUser } = await sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: "faasight-collector" }));
    expect(Credentials!.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(Credentials!.SecretAccessKey).toHaveLength(40);
    expect(Credentials!.SessionToken!.length).toBeGreaterThan(100);
    expect(Credentials!.Expiration).toBeInstanceOf(Date);
    expect(Credentials!.Expiration!.getTime() - before).toBeGreaterThan(3_590_000);
    expect(Credentials!.Expiration!.getTime() - before).toBeLessThan(3_610_000);
    expect(AssumedRoleUser).toEqual({
      Arn: `arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/FaasightReadOnly/faasight-collector`,
      AssumedRoleId: expect.stringMatching(/^AROA[A-Z0-9]{17}:faasight-collector$/),
    });

    const asRole = clientWith(Credentials!);
    const identity = await asRole.send(new GetCallerIdentityCommand({}));
    expect(identity).toMatchObject({ Account: OTHER_ACCOUNT, Arn: AssumedRoleUser!.Arn, UserId: AssumedRoleUser!.AssumedRoleId });
    asRole.destroy();

    // The same role always has the same role id.
    const again = await sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: "other" }));
    expect(again.AssumedRoleUser!.AssumedRoleId!.split(":")[0]).toBe(AssumedRoleUser!.AssumedRoleId!.split(":")[0]);
    expect(again.Credentials!.AccessKeyId).not.toBe(Credentials!.AccessKeyId);
  });

  it("works with the SDK's fromTemporaryCredentials provider, as cross-account collection uses it", async () => {
    const provider = fromTemporaryCredentials({
      params: { RoleArn: ROLE, RoleSessionName: "provider-session", DurationSeconds: 900 },
      masterCredentials: credentials,
      clientConfig: { endpoint: sandbox.url, region: "us-east-1" },
    });
    const client = new STSClient({ endpoint: sandbox.url, region: "us-east-1", credentials: provider });
    const identity = await client.send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(`arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/FaasightReadOnly/provider-session`);
    client.destroy();
  });

  it("enforces a registered ExternalId with AccessDenied", async () => {
    const role = `arn:aws:iam::${OTHER_ACCOUNT}:role/ExternalIdRole`;
    service.requireExternalId(role, "faasight-7c1f");
    const missing = await sts.send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: "s1" })).catch((e) => e);
    expect(missing.name).toBe("AccessDenied");
    expect(missing.$metadata.httpStatusCode).toBe(403);
    expect(missing.message).toBe(`User: arn:aws:iam::${ACCOUNT}:user/sandbox is not authorized to perform: sts:AssumeRole on resource: ${role}`);
    await expect(sts.send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: "s1", ExternalId: "wrong-id" }))).rejects.toMatchObject({ name: "AccessDenied" });
    const ok = await sts.send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: "s1", ExternalId: "faasight-7c1f" }));
    expect(ok.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/ExternalIdRole/s1`);
  });

  it("validates role ARNs, session names and durations against the role's MaxSessionDuration", async () => {
    await expect(sts.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::123:role/x", RoleSessionName: "s" + "x" }))).rejects.toMatchObject({ name: "ValidationError" });
    await expect(sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: "has space" }))).rejects.toMatchObject({ name: "ValidationError" });
    await expect(sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: "s1", DurationSeconds: 899 }))).rejects.toMatchObject({ name: "ValidationError" });
    await expect(sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: "s1", DurationSeconds: 7200 }))).rejects.toMatchObject({
      name: "ValidationError",
      message: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    });
    const longRole = `arn:aws:iam::${OTHER_ACCOUNT}:role/LongSessions`;
    service.configureRole(longRole, { maxSessionDurationSeconds: 7200 });
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: longRole, RoleSessionName: "s1", DurationSeconds: 7200 }));
    expect(Credentials!.Expiration!.getTime() - Date.now()).toBeGreaterThan(7_190_000);
  });

  it("answers ExpiredToken for credentials past their expiration", async () => {
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: "short", DurationSeconds: 900 }));
    const asRole = clientWith(Credentials!);
    expect((await asRole.send(new GetCallerIdentityCommand({}))).Account).toBe(OTHER_ACCOUNT);
    clockOffsetMs += 901_000;
    try {
      await expect(asRole.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: "ExpiredToken", message: "The security token included in the request is expired" });
    } finally {
      clockOffsetMs -= 901_000;
      asRole.destroy();
    }
  });

  it("issues session tokens for users, not for role sessions", async () => {
    const { Credentials } = await sts.send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    expect(Credentials!.AccessKeyId).toMatch(/^ASIA/);
    const asSession = clientWith(Credentials!);
    expect((await asSession.send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/sandbox`);
    asSession.destroy();
    const role = await sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: "chain" }));
    const asRole = clientWith(role.Credentials!);
    await expect(asRole.send(new GetSessionTokenCommand({}))).rejects.toMatchObject({ name: "AccessDenied" });
    asRole.destroy();
  });

  it("retries injected Throttling", async () => {
    const patient = new STSClient({ endpoint: sandbox.url, region: "us-east-1", credentials, maxAttempts: 10 });
    sandbox.resetStats();
    sandbox.setFaults({ "sts:GetCallerIdentity": { throttleRate: 0.3 } });
    const sent = await sendUntilThrottled("sts:GetCallerIdentity", async () => expect((await patient.send(new GetCallerIdentityCommand({}))).Account).toBe(ACCOUNT));
    const stats = sandbox.stats()["sts:GetCallerIdentity"]!;
    expect(stats.throttled).toBeGreaterThan(0);
    expect(stats.calls - stats.throttled).toBe(sent);
    sandbox.setFaults({ sts: { throttleRate: 1 } });
    const err = await sts.send(new GetCallerIdentityCommand({})).catch((e) => e);
    expect(err.name).toBe("Throttling");
    expect(err.$metadata.attempts).toBe(3);
    patient.destroy();
  }, 60_000);

  it("snapshots issued sessions and role settings as plain JSON", async () => {
    const role = `arn:aws:iam::${OTHER_ACCOUNT}:role/SnapRole`;
    service.requireExternalId(role, "snap-id");
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: "snap", ExternalId: "snap-id" }));
    const json = JSON.parse(JSON.stringify(service.snapshot()));
    service.restore({ sessions: {}, roles: {} });
    service.restore(json);
    const asRole = clientWith(Credentials!);
    expect((await asRole.send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/SnapRole/snap`);
    asRole.destroy();
    await expect(sts.send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: "snap" }))).rejects.toMatchObject({ name: "AccessDenied" });
  });
});
