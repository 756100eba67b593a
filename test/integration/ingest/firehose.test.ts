/**
 * Push ingestion end to end: the sandbox's subscription filters deliver the simulated shop's
 * logs through Firehose HTTP endpoint deliveries into a real HTTP server running the same
 * handler as /api/v1/ingest/firehose, on SQLite and PostgreSQL at once. The poller runs in
 * push mode (it polls no pushed group); the store equals the ground truth; a redelivery, a
 * gzip body, a control message, a bad key and a malformed record behave as documented.
 */
import http from "node:http";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PutSubscriptionFilterCommand } from "@aws-sdk/client-cloudwatch-logs";
import { startSandbox, type Sandbox } from "../../../lib/sandbox/server.ts";
import { createAwsClients, sandboxTarget, type AwsClients } from "../../../lib/aws/clients.ts";
import { buildShop } from "../../../lib/simulate/shop.ts";
import { provisionShop } from "../../../lib/simulate/provision.ts";
import { backfill, createRun } from "../../../lib/simulate/backfill.ts";
import type { GroundTruth } from "../../../lib/simulate/truth.ts";
import type { LogsService } from "../../../lib/sandbox/services/logs.ts";
import { handleFirehoseRequest, type FirehoseDeliveryReport } from "../../../lib/ingest/firehose-handler.ts";
import { runCollection } from "../../../lib/worker/collect.ts";
import { all } from "../../../lib/store/sql.ts";
import { createPgDatabase, createSqliteDatabase, type TestDatabase } from "../helpers/databases.ts";
import { openCollector, problems, snapshot, type Collector } from "../helpers/collect.ts";
import { compareWithTruth } from "../helpers/truth-compare.ts";

const KEY = "test-firehose-key-0123456789";
const STREAM = "faasight-logs";

interface Target {
  name: string;
  h: TestDatabase;
  c: Collector;
  reports: FirehoseDeliveryReport[];
}
interface Captured {
  headers: Record<string, string>;
  body: Buffer;
}

let sandbox: Sandbox;
let clients: AwsClients;
let truth: GroundTruth;
let start: number;
let server: http.Server;
let url: string;
const targets: Target[] = [];
const captured: Captured[] = [];
/** The sandbox's own deliveries (captured before the tests post anything themselves). */
let deliveries: Captured[] = [];

/** Fans one HTTP request out to the handler of each database (the same function the route calls). */
function listen(): Promise<string> {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      captured.push({ headers, body });
      let last: Response | undefined;
      for (const t of targets) {
        const request = new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers, body: new Uint8Array(body) });
        last = await handleFirehoseRequest(request, { store: t.c.store, accessKey: KEY, onDelivery: (r) => t.reports.push(r) });
        if (last.status !== 200) break;
      }
      res.writeHead(last!.status, { "content-type": "application/json" });
      res.end(Buffer.from(await last!.arrayBuffer()));
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}/api/v1/ingest/firehose`)));
}

const post = (body: Buffer | string, headers: Record<string, string>) => fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : new Uint8Array(body) });

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  clients = createAwsClients({ ...sandboxTarget(sandbox.url), maxAttempts: 5 });
  const shop = buildShop({ functions: 8 });
  const end = Math.floor(Date.now() / 60_000) * 60_000;
  start = end - 2 * 3_600_000;
  const provisioned = await provisionShop(clients, shop);
  for (const [name, create] of [["sqlite", createSqliteDatabase], ["postgresql", createPgDatabase]] as const) {
    const h = await create();
    const c = await openCollector(h, sandbox.url, { FAASIGHT_LOGS_MODE: "push" });
    // The inventory first: deliveries are routed to the functions and stages it knows.
    const inv = await runCollection({ db: h.db, store: c.store, sources: c.sources, settings: c.settings, since: start - 60_000, only: ["inventory"] });
    expect(problems(inv)).toEqual([]);
    targets.push({ name, h, c, reports: [] });
  }
  url = await listen();
  const logsService = sandbox.services.find((s) => s.signingName === "logs") as LogsService;
  logsService.registerFirehoseEndpoint(STREAM, { url, accessKey: KEY, contentEncoding: "gzip" });
  const groups = [...shop.functions.map((f) => `/aws/lambda/${f.name}`), ...shop.apis.flatMap((a) => a.stages.map((s) => s.accessLogGroup))];
  for (const logGroupName of groups) {
    await clients.logs.send(
      new PutSubscriptionFilterCommand({
        logGroupName,
        filterName: "faasight",
        filterPattern: "",
        destinationArn: `arn:aws:firehose:us-east-1:${sandbox.context.accountId}:deliverystream/${STREAM}`,
        roleArn: `arn:aws:iam::${sandbox.context.accountId}:role/CWLtoFirehose`,
      }),
    );
  }
  const run = createRun({ clients, shop, seed: 23, start, provisioned });
  await backfill(run, end);
  if (run.writer.errors.size > 0) throw new Error(`simulator writes failed: ${[...run.writer.errors].join("; ")}`);
  await logsService.flushSubscriptions();
  truth = run.truth.toJSON(new Date(end));
  deliveries = [...captured];
  expect(logsService.subscriptionStats().dropped).toBe(0);
}, 900_000);

afterAll(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  for (const t of targets) {
    await t.c.close();
    await t.h.drop();
  }
  clients?.destroy();
  await sandbox?.close();
});

describe("Firehose push ingestion", () => {
  it("acknowledges the subscription's CONTROL_MESSAGE health checks and stores nothing for them", () => {
    for (const t of targets) {
      const control = t.reports.filter((r) => r.control > 0);
      expect(control.length).toBeGreaterThan(0);
      expect(control.every((r) => r.status === 200)).toBe(true);
      expect(t.reports.every((r) => r.status === 200 && r.malformed === 0)).toBe(true);
    }
    // Every delivery was gzip-encoded by the sandbox's stream setting.
    expect(deliveries.every((c) => c.headers["content-encoding"] === "gzip")).toBe(true);
  });

  it.each(["sqlite", "postgresql"])("%s: a push-mode cycle polls no pushed group, and the store equals the ground truth", async (name) => {
    const t = targets.find((x) => x.name === name)!;
    const stored = t.reports.reduce((a, r) => a + (r.stored?.written ?? 0), 0);
    const logLines = truth.functions.filter((f) => f.qualifier === "$ALL").reduce((a, f) => a + f.logLines, 0) + truth.stages.reduce((a, s) => a + s.requests, 0);
    expect(stored).toBe(logLines);
    expect(t.reports.reduce((a, r) => a + (r.stored?.unrouted ?? 0), 0)).toBe(0);

    const pushed = await t.c.store.read(() => all<{ key: string }>(`SELECT "key" FROM "CollectorCursor" WHERE "collector" = ?`, ["push"]));
    sandbox.resetStats();
    const results = await t.c.collect({ since: start - 60_000 });
    expect(problems(results)).toEqual([]);
    const logs = results[0]!.collectors.logs!;
    expect(logs.written).toBe(0);
    const groups = (await t.h.db.lambdaFunction.count()) + (await t.h.db.apiStage.count({ where: { accessLogGroup: { not: null } } }));
    expect(pushed.length).toBeGreaterThan(0);
    // FilterLogEvents only for the groups no delivery reached (idle ones), one page each.
    expect(sandbox.stats()["logs:FilterLogEvents"]?.calls ?? 0).toBe(groups - pushed.length);
    expect(await compareWithTruth(t.h.db, truth)).toEqual([]);
  }, 600_000);

  it("changes no row when every batch is redelivered, gzip-encoded or not", async () => {
    const before = await Promise.all(targets.map((t) => snapshot(t.c.store)));
    for (const t of targets) t.reports.length = 0;
    const originals = deliveries;
    let i = 0;
    for (const c of originals) {
      const plain = zlib.gunzipSync(c.body);
      const gzip = i++ % 2 === 0;
      const res = await post(gzip ? zlib.gzipSync(plain) : plain, {
        "x-amz-firehose-request-id": c.headers["x-amz-firehose-request-id"]!,
        "x-amz-firehose-access-key": KEY,
        "x-amz-firehose-protocol-version": "1.0",
        ...(gzip ? { "content-encoding": "gzip" } : {}),
      });
      expect(res.status).toBe(200);
      const ack = (await res.json()) as { requestId: string; timestamp: number };
      expect(ack.requestId).toBe(c.headers["x-amz-firehose-request-id"]);
      expect(typeof ack.timestamp).toBe("number");
    }
    for (const t of targets) {
      expect(t.reports.reduce((a, r) => a + (r.stored?.written ?? 0), 0)).toBe(0);
      expect(t.reports.reduce((a, r) => a + (r.stored?.skipped ?? 0), 0)).toBeGreaterThan(0);
    }
    expect(await Promise.all(targets.map((t) => snapshot(t.c.store)))).toEqual(before);
  }, 600_000);

  it("counts and skips a malformed record, storing the rest of the batch", async () => {
    const before = await Promise.all(targets.map((t) => snapshot(t.c.store)));
    for (const t of targets) t.reports.length = 0;
    const largest = [...deliveries].sort((a, b) => b.body.length - a.body.length)[0]!;
    const original = JSON.parse(zlib.gunzipSync(largest.body).toString()) as { records: Array<{ data: string }> };
    const body = JSON.stringify({ requestId: "malformed-1", timestamp: Date.now(), records: [{ data: "bm90IGd6aXA=" }, ...original.records] });
    const res = await post(body, { "x-amz-firehose-request-id": "malformed-1", "x-amz-firehose-access-key": KEY });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ requestId: "malformed-1" });
    for (const t of targets) {
      expect(t.reports).toHaveLength(1);
      expect(t.reports[0]).toMatchObject({ status: 200, records: original.records.length + 1, malformed: 1 });
      expect(t.reports[0]!.stored!.skipped).toBeGreaterThan(0);
    }
    expect(await Promise.all(targets.map((t) => snapshot(t.c.store)))).toEqual(before);
  });

  it("rejects a bad access key with 401 and a body that is not a Firehose delivery with 400", async () => {
    const good = zlib.gunzipSync(deliveries[deliveries.length - 1]!.body);
    const bad = await post(good, { "x-amz-firehose-access-key": "wrong" });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ error: { code: "unauthorized" } });
    const missing = await post(good, {});
    expect(missing.status).toBe(401);
    const notFirehose = await post(JSON.stringify({ hello: "world" }), { "x-amz-firehose-access-key": KEY, "x-amz-firehose-request-id": "r-400" });
    expect(notFirehose.status).toBe(400);
    const body = (await notFirehose.json()) as { requestId: string; errorMessage: string; error: { code: string } };
    expect(body.requestId).toBe("r-400");
    expect(body.error.code).toBe("invalid_body");
    expect(body.errorMessage).toMatch(/not a Firehose delivery/);
  });
});
