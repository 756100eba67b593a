/** Lambda Invoke through the sandbox runs the simulated workload model and writes its telemetry. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateFunctionCommand, InvokeCommand } from "@aws-sdk/client-lambda";
import { createAwsClients, sandboxTarget, type AwsClients } from "../../../lib/aws/clients.ts";
import { startSandbox, type Sandbox } from "../../../lib/sandbox/server.ts";
import { provisionShop } from "../../../lib/simulate/provision.ts";
import { simulatedInvocationRunner } from "../../../lib/simulate/runner.ts";
import { buildShop } from "../../../lib/simulate/shop.ts";
import { deploymentPackage } from "../../../lib/simulate/provision.ts";
import { reportLines } from "./helpers.ts";

let sandbox: Sandbox;
let clients: AwsClients;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, runInvocation: simulatedInvocationRunner });
  clients = createAwsClients(sandboxTarget(sandbox.url));
});

afterAll(async () => {
  clients?.destroy();
  await sandbox?.close();
});

describe("Invoke with the simulated runner", () => {
  it("writes a REPORT line per invocation, cold first then warm, for a function created by anyone", async () => {
    await clients.lambda.send(
      new CreateFunctionCommand({ FunctionName: "hello", Runtime: "python3.12", Role: "arn:aws:iam::123456789012:role/any", Handler: "app.handler", Code: { ZipFile: deploymentPackage({ runtime: "python3.12", handler: "app.handler", name: "hello" }) } }),
    );
    const t0 = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const out = await clients.lambda.send(new InvokeCommand({ FunctionName: "hello", Payload: Buffer.from(JSON.stringify({ i })), LogType: "Tail" }));
      expect(out.StatusCode).toBe(200);
      expect(Buffer.from(out.LogResult ?? "", "base64").toString()).toContain("REPORT RequestId:");
      ids.push(out.$metadata.requestId!);
    }
    const reports = await reportLines(clients, "hello", false, t0 - 60_000, Date.now() + 3600_000);
    expect(reports.map((r) => r.requestId).sort()).toEqual(ids.sort());
    expect(reports.filter((r) => r.initDurationMs !== undefined)).toHaveLength(1);
  });

  it("runs the shop's functions with their profiles and routes aliases 90/10", async () => {
    await provisionShop(clients, buildShop({ functions: 1 }));
    const versions = new Map<string, number>();
    for (let i = 0; i < 60; i++) {
      const out = await clients.lambda.send(new InvokeCommand({ FunctionName: "checkout", Qualifier: "live", Payload: Buffer.from("{}") }));
      versions.set(out.ExecutedVersion!, (versions.get(out.ExecutedVersion!) ?? 0) + 1);
    }
    expect([...versions.keys()].sort()).toEqual(expect.arrayContaining(["7"]));
    expect(versions.get("7")!).toBeGreaterThan(40);
    const reports = await reportLines(clients, "checkout", false, Date.now() - 3600_000, Date.now() + 3600_000);
    expect(reports).toHaveLength(60);
    expect(reports.every((r) => r.memorySizeMb === 1024)).toBe(true);
  });
});
