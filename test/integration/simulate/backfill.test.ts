/**
 * `faasight simulate --backfill 1d --truth FILE` (the command, in a child process) into a sandbox,
 * read back through the SDK alone and compared with the ground truth file: REPORT lines, cold
 * starts, billed ms, Lambda and API Gateway metric sums (in total and minute by minute),
 * per-version counts and DLQ / destination depths must match exactly.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { GetApisCommand } from "@aws-sdk/client-apigatewayv2";
import { paginateFilterLogEvents } from "@aws-sdk/client-cloudwatch-logs";
import { BatchGetTracesCommand } from "@aws-sdk/client-xray";
import { createAwsClients, sandboxTarget, type AwsClients } from "../../../lib/aws/clients.ts";
import { startSandbox, type Sandbox } from "../../../lib/sandbox/server.ts";
import { simulatedInvocationRunner } from "../../../lib/simulate/runner.ts";
import { buildShop } from "../../../lib/simulate/shop.ts";
import type { GroundTruth } from "../../../lib/simulate/truth.ts";
import { metricSeries, metricSums, queryId, reportLines, type SumQuery } from "./helpers.ts";

const root = path.resolve(import.meta.dirname, "../../..");
const shop = buildShop();
let sandbox: Sandbox;
let clients: AwsClients;
let truth: GroundTruth;
let dir: string;
let start: number;
let end: number;
let exitCode: number | null;
let stderr = "";
let apiIds: Record<string, string>;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, runInvocation: simulatedInvocationRunner });
  clients = createAwsClients(sandboxTarget(sandbox.url));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "faasight-backfill-"));
  // Ends a few minutes ago so that nothing lands in the future of the endpoint's clock.
  end = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
  start = end - 86_400_000;
  const file = path.join(dir, "truth.json");
  const args = ["bin/faasight.js", "simulate", "--endpoint", sandbox.url, "--backfill", "1d", "--seed", "42", "--end", new Date(end).toISOString(), "--truth", file];
  const env = { ...process.env, AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "", AWS_ENDPOINT_URL: "" };
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ["ignore", "ignore", "pipe"] });
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  exitCode = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  console.log(stderr.split("\n").filter((l) => l.startsWith("backfilled")).join("\n"));
  truth = JSON.parse(fs.readFileSync(file, "utf8")) as GroundTruth;
  const apis = await clients.apigatewayv2.send(new GetApisCommand({}));
  apiIds = Object.fromEntries((apis.Items ?? []).map((a) => [a.Name!, a.ApiId!]));
}, 600_000);

afterAll(async () => {
  clients?.destroy();
  await sandbox?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const all = (name: string) => truth.functions.find((f) => f.name === name && f.qualifier === "$ALL")!;

describe("1-day backfill into the sandbox", () => {
  it("wrote everything without errors", () => {
    expect(exitCode, stderr).toBe(0);
    expect(stderr).not.toMatch(/error|failed/);
    expect(truth.window).toEqual({ start: new Date(start).toISOString(), end: new Date(end).toISOString() });
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
      const dims: Record<string, string> = s.apiType === "REST" ? { ApiName: s.api, Stage: s.stage } : { ApiId: apiIds[s.api]!, Stage: s.stage };
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

  it("has one REPORT line per executed version (the [version] of the log stream name)", async () => {
    for (const fn of shop.functions) {
      const reports = await reportLines(clients, fn.name, fn.logFormat === "JSON", start - 3600_000, end + 3600_000);
      const byVersion: Record<string, number> = {};
      for (const r of reports) {
        const v = /\[([^\]]+)\]/.exec(r.stream)![1]!;
        byVersion[v] = (byVersion[v] ?? 0) + 1;
      }
      const versionRows = truth.functions.filter((f) => f.name === fn.name && (f.qualifier === "$LATEST" || /^\d+$/.test(f.qualifier)) && f.invocations > 0);
      expect(byVersion, fn.name).toEqual(Object.fromEntries(versionRows.map((f) => [f.qualifier, f.invocations])));
    }
  }, 300_000);

  it("matches the truth minute by minute: Invocations and Errors per function, Count per stage (Period 60)", async () => {
    const queries: SumQuery[] = [];
    for (const fn of shop.functions) for (const metric of ["Invocations", "Errors"]) queries.push({ id: queryId(`${fn.name}_${metric}`), namespace: "AWS/Lambda", metric, dims: { FunctionName: fn.name } });
    for (const s of truth.stages) {
      const dims: Record<string, string> = s.apiType === "REST" ? { ApiName: s.api, Stage: s.stage } : { ApiId: apiIds[s.api]!, Stage: s.stage };
      queries.push({ id: queryId(`${s.api}_${s.stage}_count`), namespace: "AWS/ApiGateway", metric: "Count", dims });
    }
    const series = await metricSeries(clients, queries, start - 3600_000, end + 3600_000);
    for (const fn of shop.functions) {
      const rows = truth.minutes.filter((m) => m.name === fn.name && m.qualifier === "$ALL");
      const expected = (k: "invocations" | "errors") => Object.fromEntries(rows.filter((m) => m[k] > 0).map((m) => [m.minute, m[k]]));
      expect(series[queryId(`${fn.name}_Invocations`)], fn.name).toEqual(expected("invocations"));
      expect(series[queryId(`${fn.name}_Errors`)], fn.name).toEqual(expected("errors"));
    }
    for (const s of truth.stages) {
      const rows = truth.stageMinutes.filter((m) => m.api === s.api && m.stage === s.stage);
      expect(series[queryId(`${s.api}_${s.stage}_count`)], s.stage).toEqual(Object.fromEntries(rows.map((m) => [m.minute, m.requests])));
    }
  }, 300_000);

  it("has DLQ messages with RequestID, ErrorCode and ErrorMessage, and on-failure destination records", async () => {
    const { QueueUrl: dlq } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: "image-resize-dlq" }));
    const got = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, MaxNumberOfMessages: 10, VisibilityTimeout: 0, MessageAttributeNames: ["All"] }));
    expect(got.Messages!.length).toBeGreaterThan(0);
    for (const m of got.Messages!) {
      expect(Object.keys(m.MessageAttributes!).sort()).toEqual(["ErrorCode", "ErrorMessage", "RequestID"]);
      expect(m.MessageAttributes!.RequestID!.StringValue).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
    // The DLQ'd request ran three times (two retries) with the same request id.
    const ids = new Set(got.Messages!.map((m) => m.MessageAttributes!.RequestID!.StringValue!));
    const reports = await reportLines(clients, "image-resize", false, start - 3600_000, end + 3600_000);
    for (const id of ids) expect(reports.filter((r) => r.requestId === id).length, id).toBe(3);
    const { QueueUrl: dest } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: "notifier-failures" }));
    const records = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: dest, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
    expect(records.Messages!.length).toBeGreaterThan(0);
    for (const m of records.Messages!) {
      expect(JSON.parse(m.Body!)).toMatchObject({ version: "1.0", requestContext: { condition: "RetriesExhausted", approximateInvokeCount: 3 }, responseContext: { functionError: "Unhandled" } });
    }
  });

  it("has one access log line per request and ties sources together: integration request id = REPORT line, same X-Ray trace", async () => {
    const lines: Record<string, Record<string, string>[]> = {};
    for (const api of shop.apis) {
      for (const stage of api.stages) {
        const out: Record<string, string>[] = [];
        for await (const page of paginateFilterLogEvents({ client: clients.logs }, { logGroupName: stage.accessLogGroup, startTime: start - 3600_000, endTime: end + 3600_000 })) {
          for (const e of page.events ?? []) out.push(JSON.parse(e.message!) as Record<string, string>);
        }
        lines[`${api.name}/${stage.name}`] = out;
      }
    }
    for (const st of truth.stages) {
      const got = lines[`${st.api}/${st.stage}`]!;
      expect(got.length, `${st.api}/${st.stage}`).toBe(st.requests);
      const byStatus: Record<string, number> = {};
      for (const l of got) byStatus[l.status!] = (byStatus[l.status!] ?? 0) + 1;
      expect(byStatus, `${st.api}/${st.stage}`).toEqual(st.byStatus);
    }
    const reports = new Map<string, Awaited<ReturnType<typeof reportLines>>[number]>();
    for (const fn of shop.functions) for (const r of await reportLines(clients, fn.name, fn.logFormat === "JSON", start - 3600_000, end + 3600_000)) reports.set(r.requestId, r);
    const integrated = lines["shop-api/prod"]!.filter((l) => l.integrationStatus === "200" && l.xrayTraceId !== "-").slice(0, 200);
    expect(integrated.length).toBe(200);
    for (const l of integrated) {
      const report = reports.get(l.integrationRequestId!);
      expect(report, l.integrationRequestId).toBeDefined();
      expect(report!.xrayTraceId, l.integrationRequestId).toBe(l.xrayTraceId);
    }
    // Sampled requests have their trace in X-Ray, from the stage segment down to the function.
    const traced = integrated.filter((l) => reports.get(l.integrationRequestId!)!.xraySampled).slice(0, 5);
    expect(traced).toHaveLength(5);
    const { Traces } = await clients.xray.send(new BatchGetTracesCommand({ TraceIds: traced.map((l) => l.xrayTraceId!) }));
    expect(Traces!.map((t) => t.Id).sort()).toEqual(traced.map((l) => l.xrayTraceId).sort());
    for (const t of Traces!) {
      const origins = new Set(t.Segments!.map((sg) => (JSON.parse(sg.Document!) as { origin?: string }).origin));
      expect(origins.has("AWS::ApiGateway::Stage"), t.Id).toBe(true);
    }
  }, 300_000);

  it("has the dead-letter and destination queue depths (GetQueueAttributes)", async () => {
    const failureQueues = truth.queues.filter((q) => q.kind !== "source");
    expect(failureQueues.map((q) => q.queue).sort()).toEqual(["image-resize-dlq", "notifier-failures", "orders-dlq"]);
    for (const q of failureQueues) {
      const { QueueUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: q.queue }));
      const out = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }));
      expect(Number(out.Attributes?.ApproximateNumberOfMessages), q.queue).toBe(q.depth);
      expect(q.depth, q.queue).toBeGreaterThan(0);
    }
  });
});
