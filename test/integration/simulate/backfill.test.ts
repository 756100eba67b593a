/**
 * A 1-day backfill into the sandbox through the real SDK, read back through the SDK alone
 * and compared with the ground truth: REPORT lines, cold starts, Lambda and API Gateway
 * metrics, per-version counts and DLQ depths must match exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { createAwsClients, sandboxTarget, type AwsClients } from "../../../lib/aws/clients.ts";
import { startSandbox, type Sandbox } from "../../../lib/sandbox/server.ts";
import { backfill, createRun } from "../../../lib/simulate/backfill.ts";
import { provisionShop, type ProvisionResult } from "../../../lib/simulate/provision.ts";
import { simulatedInvocationRunner } from "../../../lib/simulate/runner.ts";
import { buildShop } from "../../../lib/simulate/shop.ts";
import type { GroundTruth } from "../../../lib/simulate/truth.ts";
import { metricSums, queryId, reportLines, type SumQuery } from "./helpers.ts";

const shop = buildShop();
let sandbox: Sandbox;
let clients: AwsClients;
let truth: GroundTruth;
let provisioned: ProvisionResult;
let start: number;
let end: number;
let writeErrors: Map<string, string>;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, runInvocation: simulatedInvocationRunner });
  clients = createAwsClients(sandboxTarget(sandbox.url));
  // Ends a few minutes ago so that nothing lands in the future of the endpoint's clock.
  end = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
  start = end - 86_400_000;
  provisioned = await provisionShop(clients, shop);
  const run = createRun({ clients, shop, seed: 42, start, provisioned });
  const t0 = performance.now();
  await backfill(run, end);
  await run.writer.close();
  console.log(`1-day backfill: ${run.truth.totalInvocations()} invocations in ${((performance.now() - t0) / 1000).toFixed(1)} s`, run.writer.stats);
  writeErrors = run.writer.errors;
  truth = run.truth.toJSON(new Date());
}, 600_000);

afterAll(async () => {
  clients?.destroy();
  await sandbox?.close();
});

const all = (name: string) => truth.functions.find((f) => f.name === name && f.qualifier === "$ALL")!;

describe("1-day backfill into the sandbox", () => {
  it("wrote everything without errors", () => {
    expect(Object.fromEntries(writeErrors)).toEqual({});
    expect(truth.functions.filter((f) => f.qualifier === "$ALL").reduce((s, f) => s + f.invocations, 0)).toBeGreaterThan(25_000);
  });

  it("has one REPORT line per invocation and Init Duration per cold start, per function (FilterLogEvents)", async () => {
    for (const fn of shop.functions) {
      const reports = await reportLines(clients, fn.name, fn.logFormat === "JSON", start - 3600_000, end + 3600_000);
      const t = all(fn.name);
      expect(reports.length, fn.name).toBe(t.invocations);
      expect(reports.filter((r) => r.initDurationMs !== undefined).length, fn.name).toBe(t.coldStarts);
      expect(reports.reduce((s, r) => s + r.billedDurationMs, 0), fn.name).toBe(t.billedMs);
    }
  }, 300_000);

  it("has Invocations, Errors and Throttles per function, and per executed version (GetMetricData)", async () => {
    const queries: SumQuery[] = [];
    for (const fn of shop.functions) {
      for (const metric of ["Invocations", "Errors", "Throttles"]) queries.push({ id: queryId(`${fn.name}_${metric}`), namespace: "AWS/Lambda", metric, dims: { FunctionName: fn.name } });
      for (const alias of fn.aliases) {
        const versions = [alias.version, ...(alias.additional ? [alias.additional.version] : [])];
        for (const v of versions) {
          queries.push({ id: queryId(`${fn.name}_${alias.name}_${v}`), namespace: "AWS/Lambda", metric: "Invocations", dims: { FunctionName: fn.name, Resource: `${fn.name}:${alias.name}`, ExecutedVersion: v } });
        }
      }
    }
    const sums = await metricSums(clients, queries, start - 3600_000, end + 3600_000);
    for (const fn of shop.functions) {
      const t = all(fn.name);
      expect(sums[queryId(`${fn.name}_Invocations`)], `${fn.name} Invocations`).toBe(t.invocations);
      expect(sums[queryId(`${fn.name}_Errors`)], `${fn.name} Errors`).toBe(t.errors);
      expect(sums[queryId(`${fn.name}_Throttles`)], `${fn.name} Throttles`).toBe(t.throttles);
      for (const alias of fn.aliases) {
        for (const v of [alias.version, ...(alias.additional ? [alias.additional.version] : [])]) {
          const row = truth.functions.find((f) => f.name === fn.name && f.qualifier === v)!;
          expect(sums[queryId(`${fn.name}_${alias.name}_${v}`)], `${fn.name}:${alias.name} v${v}`).toBe(row.invocations);
        }
      }
    }
    expect(all("search").throttles + all("image-resize").throttles).toBeGreaterThan(0);
    expect(truth.functions.find((f) => f.name === "checkout" && f.qualifier === "8")!.invocations).toBeGreaterThan(0);
  }, 120_000);

  it("has Count, 4XXError and 5XXError per stage (REST by ApiName, HTTP API by ApiId)", async () => {
    const queries: SumQuery[] = [];
    for (const s of truth.stages) {
      const dims: Record<string, string> = s.apiType === "REST" ? { ApiName: s.api, Stage: s.stage } : { ApiId: provisioned.apiIds[s.api]!, Stage: s.stage };
      const [c4, c5] = s.apiType === "REST" ? ["4XXError", "5XXError"] : ["4xx", "5xx"];
      queries.push({ id: queryId(`${s.api}_${s.stage}_count`), namespace: "AWS/ApiGateway", metric: "Count", dims });
      queries.push({ id: queryId(`${s.api}_${s.stage}_4`), namespace: "AWS/ApiGateway", metric: c4!, dims });
      queries.push({ id: queryId(`${s.api}_${s.stage}_5`), namespace: "AWS/ApiGateway", metric: c5!, dims });
    }
    const sums = await metricSums(clients, queries, start - 3600_000, end + 3600_000);
    expect(truth.stages.map((s) => `${s.api}/${s.stage}`).sort()).toEqual(["shop-api/dev", "shop-api/prod", "shop-http/$default"]);
    for (const s of truth.stages) {
      expect(sums[queryId(`${s.api}_${s.stage}_count`)], `${s.stage} Count`).toBe(s.requests);
      expect(sums[queryId(`${s.api}_${s.stage}_4`)], `${s.stage} 4xx`).toBe(s.status4xx);
      expect(sums[queryId(`${s.api}_${s.stage}_5`)], `${s.stage} 5xx`).toBe(s.status5xx);
    }
  }, 120_000);

  it("has the dead-letter and destination queue depths (GetQueueAttributes)", async () => {
    const failureQueues = truth.queues.filter((q) => q.kind !== "source");
    expect(failureQueues.map((q) => q.queue).sort()).toEqual(["image-resize-dlq", "notifier-failures", "orders-dlq"]);
    for (const q of failureQueues) {
      const out = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: provisioned.queueUrls[q.queue], AttributeNames: ["ApproximateNumberOfMessages"] }));
      expect(Number(out.Attributes?.ApproximateNumberOfMessages), q.queue).toBe(q.depth);
      expect(q.depth, q.queue).toBeGreaterThan(0);
    }
  });
});
