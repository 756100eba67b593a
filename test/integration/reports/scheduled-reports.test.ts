/**
 * Cost reports against a real store (SQLite and PostgreSQL) and the sandbox's SNS -> SQS:
 * per-function cost = GB-s x price exactly, a due schedule fires once (a second call, a stale
 * worker and a concurrent worker send nothing more), the SNS summary lands in a subscribed
 * queue, the webhook gets JSON, and the stored CSV parses back to the report's totals.
 */
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, type Message } from "@aws-sdk/client-sqs";
import { startSandbox, type Sandbox } from "../../../lib/sandbox/server.ts";
import { DATABASES, type TestDatabase } from "../helpers/databases.ts";
import type { Db } from "../../../lib/db.ts";
import { getRegionPrices, Rational, toMicroUsd } from "../../../lib/cost/index.ts";
import { getCostReport } from "../../../lib/queries/cost-report/get-cost-report.ts";
import { resolveReportPeriod } from "../../../lib/reports/periods.ts";
import { createReportSchedule, deleteReportSchedule, listReportSchedules, updateReportSchedule, ReportScheduleConflictError, ReportScheduleNotFoundError } from "../../../lib/reports/schedules.ts";
import { runDueReports, runReportScheduleNow } from "../../../lib/reports/run-due.ts";
import { getReportRun, getReportRunContent, listReportRuns } from "../../../lib/reports/runs.ts";
import { parseCsv } from "../../../lib/reports/csv.ts";
import { parseUsdExact } from "../../../lib/reports/money-format.ts";
import { CSV_COLUMNS } from "../../../lib/reports/render-csv.ts";
import { runReportCommand } from "../../../lib/cli/report.ts";

const ACCOUNT = "123456789012";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
/** The injected clock: five seconds after the 08:00 UTC fire. */
const T = new Date("2026-03-10T08:00:05Z");
const DAY = 86_400_000;
const GBS = 1_024_000n;
const PUBLIC_URL = "http://faasight.test";

/** GB-s per day: multiples of 10,000 (x86) and 5,000 (arm64) so GB-s x price is whole micro-dollars. */
const SHOP = [
  { name: "api", arch: "x86_64", memoryMb: 1024, current: 10_000, previous: 10_000, invocations: 100_000, maxMem: 700 },
  { name: "image-resize", arch: "x86_64", memoryMb: 2048, current: 20_000, previous: 10_000, invocations: 50_000, maxMem: 300 },
  { name: "worker", arch: "arm64", memoryMb: 512, current: 5_000, previous: 5_000, invocations: 10_000, maxMem: 200 },
] as const;
const STAGE_REQUESTS_PER_DAY = 100_000;

let sandbox: Sandbox;
let sns: SNSClient;
let sqs: SQSClient;
let topicArn: string;
let queueUrl: string;
let webhook: { url: string; bodies: string[]; server: http.Server };

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: 6 });
  const config = { endpoint: sandbox.url, region: "us-east-1", credentials };
  sns = new SNSClient(config);
  sqs = new SQSClient(config);
  topicArn = (await sns.send(new CreateTopicCommand({ Name: "cost-reports" }))).TopicArn!;
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "cost-reports-inbox" }))).QueueUrl!;
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: queueArn }));
  const bodies: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      bodies.push(Buffer.concat(chunks).toString("utf8"));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  webhook = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/cost`, bodies, server };
});

afterAll(async () => {
  sns?.destroy();
  sqs?.destroy();
  webhook?.server.closeAllConnections();
  await new Promise((r) => webhook?.server.close(r));
  await sandbox?.close();
});

/** Drains the queue (the sandbox delivers SNS -> SQS before Publish returns, so no long polling). */
async function receiveAll(): Promise<Message[]> {
  const out: Message[] = [];
  for (;;) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!r.Messages?.length) return out;
    out.push(...r.Messages);
  }
}

/** A store with three functions, an alias, a REST stage, and Faasight's own API calls, over two weeks. */
async function seed(db: Db): Promise<void> {
  const source = await db.source.create({ data: { name: "prod", accountId: ACCOUNT, region: "us-east-1" } });
  const ids = new Map<string, number>();
  for (const f of SHOP) {
    const fn = await db.lambdaFunction.create({
      data: { sourceId: source.id, name: f.name, arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${f.name}`, architecture: f.arch, memoryMb: f.memoryMb, timeoutSec: 30, logGroup: `/aws/lambda/${f.name}` },
    });
    ids.set(f.name, fn.id);
  }
  await db.functionAlias.create({ data: { functionId: ids.get("api")!, name: "live", functionVersion: "3" } });
  const api = await db.api.create({ data: { sourceId: source.id, apiId: "shop1", name: "shop", type: "REST" } });
  const stage = await db.apiStage.create({ data: { apiDbId: api.id, stageName: "prod" } });
  const hours: Array<{ functionId: number; qualifier: string; bucketStart: Date; invocations: number; billedMs?: bigint; mbMs?: bigint; maxMemoryUsedMb?: number }> = [];
  const stageHours: Array<{ stageId: number; variant: string; bucketStart: Date; requests: number }> = [];
  // Previous week 2026-02-24..03-02 and current week 2026-03-03..03-09 (UTC), one busy hour a day at noon.
  for (let day = Date.parse("2026-02-24T12:00:00Z"); day < Date.parse("2026-03-10T00:00:00Z"); day += DAY) {
    const current = day >= Date.parse("2026-03-03T00:00:00Z");
    for (const f of SHOP) {
      const gbs = BigInt(current ? f.current : f.previous);
      hours.push({ functionId: ids.get(f.name)!, qualifier: "$ALL", bucketStart: new Date(day), invocations: f.invocations, billedMs: (gbs * GBS) / BigInt(f.memoryMb), mbMs: gbs * GBS, maxMemoryUsedMb: f.maxMem });
    }
    hours.push({ functionId: ids.get("api")!, qualifier: "live", bucketStart: new Date(day), invocations: 60_000 });
    stageHours.push({ stageId: stage.id, variant: "$ALL", bucketStart: new Date(day), requests: STAGE_REQUESTS_PER_DAY });
  }
  await db.hourRollup.createMany({ data: hours });
  await db.stageHourRollup.createMany({ data: stageHours });
  await db.collectorRun.create({
    data: {
      sourceId: source.id,
      collector: "metrics",
      startedAt: new Date("2026-03-05T10:00:00Z"),
      finishedAt: new Date("2026-03-05T10:00:02Z"),
      status: "ok",
      callsJson: JSON.stringify({ "monitoring:GetMetricData": { calls: 10, throttled: 0, failed: 0 }, "monitoring:ListMetrics": { calls: 20, throttled: 0, failed: 0 } }),
    },
  });
  for (const metricName of ["Invocations", "Duration"]) {
    await db.metricPoint.create({ data: { sourceId: source.id, namespace: "AWS/Lambda", metricName, dimensions: "FunctionName=api", stat: "Sum", period: 60, timestamp: new Date("2026-03-05T09:00:00Z"), value: 1 } });
  }
}

/** Expected cost of a function over `days` days: GB-s x the tier-1 price and invocations x the request price, exactly. */
function expected(f: (typeof SHOP)[number], which: "current" | "previous") {
  const prices = getRegionPrices("us-east-1");
  const gbs = Rational.of(f[which] * 7);
  const compute = toMicroUsd(gbs.mul(prices.lambda.duration[f.arch][0].usd));
  const requests = toMicroUsd(Rational.of(f.invocations * 7).mul(Rational.parse(prices.lambda.requests.usd).div(prices.lambda.requests.per)));
  return { compute, requests, total: compute + requests };
}

describe.each(DATABASES)("cost reports on $name", ({ create }) => {
  let h: TestDatabase;
  beforeAll(async () => {
    h = await create();
    await seed(h.db);
  });
  afterAll(async () => {
    await h?.drop();
  });

  it("prices every function at GB-s x price exactly, with the comparison period", async () => {
    const period = resolveReportPeriod({ preset: "last-7d" }, { now: T });
    const report = await getCostReport(h.db, period, { generatedAt: T });
    const prices = getRegionPrices("us-east-1");
    for (const f of SHOP) {
      const row = report.rows.find((r) => r.key === `fn:prod/${f.name}`)!;
      const e = expected(f, "current");
      // Sanity: the chosen GB-s give whole micro-dollars, so this is exact, not rounded.
      expect(Rational.of(f.current * 7).mul(prices.lambda.duration[f.arch][0].usd).mul(1_000_000).isInteger()).toBe(true);
      expect(row).toMatchObject({ gbSeconds: String(f.current * 7), requests: f.invocations * 7, computeMicroUsd: e.compute, requestsMicroUsd: e.requests, totalMicroUsd: e.total, previousTotalMicroUsd: expected(f, "previous").total });
    }
    const stageTotal = toMicroUsd(Rational.of(STAGE_REQUESTS_PER_DAY * 7).mul("0.0000035"));
    expect(report.rows.find((r) => r.kind === "stage")).toMatchObject({ name: "shop", qualifier: "prod", requests: 700_000, totalMicroUsd: stageTotal, changeMicroUsd: 0n });
    const sum = SHOP.reduce((s, f) => s + expected(f, "current").total, 0n) + stageTotal;
    expect(report.totals.current.totalMicroUsd).toBe(sum);
    expect(report.totals.previous.totalMicroUsd).toBe(SHOP.reduce((s, f) => s + expected(f, "previous").total, 0n) + stageTotal);
    expect(report.rows.find((r) => r.kind === "alias")).toMatchObject({ key: "alias:prod/api:live", requests: 420_000, estimated: true });
    expect(report.topMovers[0]).toMatchObject({ label: "image-resize", changeMicroUsd: expected(SHOP[1], "current").total - expected(SHOP[1], "previous").total });
    expect(report.savings.rightSizing.find((r) => r.function === "image-resize")).toMatchObject({ action: "decrease", recommendedMemoryMb: 384 });
    expect(report.savings.arm64.map((a) => a.function).sort()).toEqual(["api", "image-resize"]);
    // 10 GetMetricData calls for 2 stored series x 1 run: at least one metric per call, $0.01 per 1,000; 20 ListMetrics.
    expect(report.monitoring.totalMicroUsd).toBe(100n + 200n);
    expect(report.daily).toHaveLength(7);
  });

  it("fires a due schedule once, delivers to SNS -> SQS and a webhook, and stores every format", async () => {
    const db = h.db;
    await receiveAll();
    webhook.bodies.length = 0;
    const weekly = await createReportSchedule(
      db,
      { name: "weekly-finance", cron: "0 8 * * *", timezone: "UTC", period: "last-7d", formats: ["csv", "html", "json"], channels: [topicArn, webhook.url] },
      { now: new Date(T.getTime() - DAY) },
    );
    expect(weekly.nextRunAt).toBe("2026-03-10T08:00:00.000Z");
    await expect(createReportSchedule(db, { name: "weekly-finance", cron: "0 9 * * *" }, { now: T })).rejects.toBeInstanceOf(ReportScheduleConflictError);
    const later = await createReportSchedule(db, { name: "later", cron: "0 9 * * *", formats: ["json"] }, { now: T });

    const first = await runDueReports(db, { sns }, { now: T, publicUrl: PUBLIC_URL });
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ schedule: "weekly-finance", fireTime: "2026-03-10T08:00:00.000Z", outcome: "sent", status: "ok" });
    const runId = first[0].runId!;

    // Called again, and by a worker that still saw the old nextRunAt: nothing is sent twice.
    expect(await runDueReports(db, { sns }, { now: new Date(T.getTime() + 60_000), publicUrl: PUBLIC_URL })).toEqual([]);
    await db.reportSchedule.update({ where: { id: weekly.id }, data: { nextRunAt: new Date("2026-03-10T08:00:00Z") } });
    const stale = await runDueReports(db, { sns }, { now: new Date(T.getTime() + 120_000), publicUrl: PUBLIC_URL });
    expect(stale).toMatchObject([{ schedule: "weekly-finance", outcome: "skipped", runId: null }]);
    expect(await db.reportRun.count({ where: { scheduleId: weekly.id } })).toBe(3);
    expect((await db.reportSchedule.findUniqueOrThrow({ where: { id: weekly.id } })).nextRunAt?.toISOString()).toBe("2026-03-11T08:00:00.000Z");
    expect((await db.reportSchedule.findUniqueOrThrow({ where: { id: later.id } })).lastRunAt).toBeNull();

    // SNS: exactly one summary in the subscribed queue, with the link to the stored report.
    const messages = await receiveAll();
    expect(messages).toHaveLength(1);
    const envelope = JSON.parse(messages[0].Body!) as { Type: string; TopicArn: string; Subject: string; Message: string };
    expect(envelope).toMatchObject({ Type: "Notification", TopicArn: topicArn });
    expect(envelope.Subject.length).toBeLessThanOrEqual(100);
    expect(envelope.Subject).toMatch(/^Faasight cost report weekly-finance: 2026-03-03 to 2026-03-09 \$/);
    expect(envelope.Message).toContain(`Full report: ${PUBLIC_URL}/reports/runs/${runId}`);
    expect(envelope.Message).toContain("1. image-resize:");
    expect(envelope.Message).toContain("Memory right-sizing:");

    // The stored CSV parses back to the report's totals (the figures the UI shows for the same period).
    const period = resolveReportPeriod({ preset: "last-7d" }, { now: new Date("2026-03-10T08:00:00Z") });
    const report = await getCostReport(db, period, { generatedAt: T });
    const csv = await getReportRunContent(db, runId, "csv");
    expect(csv).toMatchObject({ format: "csv", contentType: "text/csv; charset=utf-8", filename: "faasight-cost-report-weekly-finance-2026-03-03_2026-03-09.csv" });
    const rows = parseCsv(csv!.content);
    const col = (n: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(n);
    const totals = rows[rows.length - 1];
    expect(totals[col("kind")]).toBe("total");
    expect(parseUsdExact(totals[col("total_usd")])).toBe(report.totals.current.totalMicroUsd);
    expect(parseUsdExact(totals[col("compute_usd")])).toBe(report.totals.current.computeMicroUsd);
    expect(parseUsdExact(totals[col("previous_total_usd")])).toBe(report.totals.previous.totalMicroUsd);
    expect(rows.slice(1, -1).filter((r) => r[col("kind")] !== "alias").reduce((s, r) => s + parseUsdExact(r[col("total_usd")]), 0n)).toBe(report.totals.current.totalMicroUsd);

    // The webhook got the JSON summary; deliveries are recorded on the run.
    expect(webhook.bodies).toHaveLength(1);
    const payload = JSON.parse(webhook.bodies[0]);
    expect(payload).toMatchObject({ type: "faasight.cost_report", version: 1, schedule: { name: "weekly-finance" }, run: { id: runId, url: `${PUBLIC_URL}/reports/runs/${runId}` } });
    expect(payload.totals.totalMicroUsd).toBe(Number(report.totals.current.totalMicroUsd));
    const run = await getReportRun(db, runId);
    expect(run).toMatchObject({ id: runId, scheduleName: "weekly-finance", fireTime: "2026-03-10T08:00:00.000Z", status: "ok", periodStart: "2026-03-03T00:00:00.000Z", periodEnd: "2026-03-10T00:00:00.000Z" });
    expect(run!.formats.map((f) => f.format)).toEqual(["csv", "html", "json"]);
    expect(run!.deliveries.map((d) => [d.type, d.ok, d.status ?? null])).toEqual([
      ["sns", true, null],
      ["webhook", true, 204],
    ]);
    expect((await getReportRun(db, run!.formats[2].runId))?.id).toBe(runId);
    const html = await getReportRunContent(db, runId, "html");
    expect(html!.content).toContain(`href="${PUBLIC_URL}/reports/runs/${runId}"`);
    const json = JSON.parse((await getReportRunContent(db, runId, "json"))!.content);
    expect(json.totals.current.totalMicroUsd).toBe(Number(report.totals.current.totalMicroUsd));
    expect((await listReportRuns(db)).map((r) => [r.id, r.formats.length])).toEqual([[runId, 3]]);
  });

  it("lets only one of two concurrent workers send a fire", async () => {
    const db = h.db;
    const s = await createReportSchedule(db, { name: "daily-ops", cron: "0 8 * * *", formats: ["json"], channels: [topicArn] }, { now: new Date(T.getTime() - DAY) });
    await receiveAll();
    const results = (await Promise.all([runDueReports(db, { sns }, { now: T, publicUrl: PUBLIC_URL }), runDueReports(db, { sns }, { now: T, publicUrl: PUBLIC_URL })])).flat();
    const mine = results.filter((r) => r.schedule === "daily-ops");
    expect(mine.filter((r) => r.outcome === "sent")).toHaveLength(1);
    expect(await db.reportRun.count({ where: { scheduleId: s.id } })).toBe(1);
    expect(await receiveAll()).toHaveLength(1);
  });

  it("waits for a live claim and takes over a stale one", async () => {
    const db = h.db;
    const s = await createReportSchedule(db, { name: "claimed", cron: "0 8 * * *", formats: ["csv"] }, { now: new Date(T.getTime() - DAY) });
    const fire = new Date("2026-03-10T08:00:00Z");
    const claim = await db.reportRun.create({
      data: { scheduleId: s.id, runKey: `${s.id}@${fire.toISOString()}`, periodStart: fire, periodEnd: fire, status: "running", format: "csv", content: "", createdAt: new Date(T.getTime() - 60_000) },
    });
    const mine = async (at: Date) => (await runDueReports(db, { sns }, { now: at, publicUrl: PUBLIC_URL })).filter((r) => r.schedule === "claimed");
    // Another worker is on it: skip, and keep the schedule due so the fire is revisited.
    expect(await mine(T)).toMatchObject([{ outcome: "skipped" }]);
    expect((await db.reportSchedule.findUniqueOrThrow({ where: { id: s.id } })).nextRunAt?.toISOString()).toBe(fire.toISOString());
    // Twenty minutes later the claim is stale: this worker finishes the run under the same key.
    const later = new Date(T.getTime() + 20 * 60_000);
    expect(await mine(later)).toMatchObject([{ outcome: "sent", runId: claim.id, status: "ok" }]);
    expect(await db.reportRun.count({ where: { scheduleId: s.id } })).toBe(1);
    expect((await getReportRunContent(db, claim.id))!.content.startsWith("kind,key,")).toBe(true);
    expect(await mine(new Date(later.getTime() + 60_000))).toEqual([]);
    await deleteReportSchedule(db, s.id);
  });

  it("manages schedules and prints reports from the CLI", async () => {
    const db = h.db;
    const out: string[] = [];
    const err: string[] = [];
    const io = { db, now: () => T, stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t) };
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "faasight-report-")), "report.csv");
    expect(await runReportCommand(["--period", "last-7d", "--format", "csv", "--out", file], io)).toBe(0);
    const rows = parseCsv(fs.readFileSync(file, "utf8"));
    const report = await getCostReport(db, resolveReportPeriod({ preset: "last-7d" }, { now: T }));
    expect(parseUsdExact(rows[rows.length - 1][CSV_COLUMNS.indexOf("total_usd")])).toBe(report.totals.current.totalMicroUsd);

    out.length = 0;
    expect(await runReportCommand(["--period", "previous-week", "--format", "json", "--timezone", "Europe/Berlin"], io)).toBe(0);
    expect(JSON.parse(out.join("")).period).toMatchObject({ preset: "previous-week", timezone: "Europe/Berlin", start: "2026-03-01T23:00:00.000Z" });

    expect(await runReportCommand(["--timezone", "Mars/Olympus"], io)).toBe(2);
    expect(err.join("")).toMatch(/IANA time zone/);
    expect(await runReportCommand(["schedule", "add", "--name", "monthly", "--cron", "0 7 1 * *", "--timezone", "Europe/Berlin", "--period", "previous-month", "--format", "html,csv", "--webhook", "https://hooks.example.com/c"], io)).toBe(0);
    expect(await runReportCommand(["schedule", "add", "--name", "bad", "--cron", "* * * * *"], io)).toBe(2);
    out.length = 0;
    expect(await runReportCommand(["schedule", "list", "--json"], io)).toBe(0);
    const monthly = (JSON.parse(out.join("")) as Array<{ name: string; nextRunAt: string; formats: string[] }>).find((s) => s.name === "monthly")!;
    expect(monthly).toMatchObject({ nextRunAt: "2026-04-01T05:00:00.000Z", formats: ["html", "csv"] });
    expect(await runReportCommand(["schedule", "remove", "monthly"], io)).toBe(0);
    expect(await runReportCommand(["schedule", "remove", "monthly"], io)).toBe(2);

    const updated = await updateReportSchedule(db, "daily-ops", { enabled: false }, { now: T });
    expect(updated).toMatchObject({ enabled: false, nextRunAt: null });
    await deleteReportSchedule(db, "daily-ops");
    expect((await listReportSchedules(db)).map((s) => s.name)).toEqual(["later", "weekly-finance"]);
    // Runs of deleted schedules stay in the history.
    expect((await listReportRuns(db)).length).toBe(3);
  });

  it("runs a schedule now without moving its next fire, and publishes to SNS", async () => {
    const db = h.db;
    await receiveAll();
    const s = await createReportSchedule(db, { name: "on-demand", cron: "0 7 * * 1", period: "last-7d", formats: ["csv", "html"], channels: [topicArn] }, { now: T });
    const at = new Date("2026-03-10T08:00:05.750Z");
    const r = await runReportScheduleNow(db, { sns }, s.id, { now: at, publicUrl: PUBLIC_URL });
    expect(r).toMatchObject({ schedule: "on-demand", fireTime: "2026-03-10T08:00:05.000Z", outcome: "sent", status: "ok" });
    const after = await db.reportSchedule.findUniqueOrThrow({ where: { id: s.id } });
    expect(after.nextRunAt?.toISOString()).toBe(s.nextRunAt);
    expect(after.lastRunAt).toBeNull();
    const csv = parseCsv((await getReportRunContent(db, r.runId!, "csv"))!.content);
    const report = await getCostReport(db, resolveReportPeriod({ preset: "last-7d" }, { now: at }));
    expect(parseUsdExact(csv[csv.length - 1][CSV_COLUMNS.indexOf("total_usd")])).toBe(report.totals.current.totalMicroUsd);
    expect((await receiveAll()).map((m) => JSON.parse(m.Body!).Message as string)[0]).toContain(`${PUBLIC_URL}/reports/runs/${r.runId}`);
    await expect(runReportScheduleNow(db, { sns }, 999_999, { now: at })).rejects.toBeInstanceOf(ReportScheduleNotFoundError);
    await deleteReportSchedule(db, s.id);
  });
});
