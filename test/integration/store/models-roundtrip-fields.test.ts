/**
 * Every column of every model, on a real SQLite file and a real PostgreSQL database migrated by
 * the committed migrations: each column exists, and a value in every field (none left at its
 * default) reads back exactly. Catches a migration that misses or mistypes a column the models name.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "../../../lib/generated/sqlite/client.ts";
import { dbProvider, queryRows } from "../../../lib/db.ts";
import { DATABASES, type TestDatabase } from "../helpers/databases.ts";

const t = (iso: string) => new Date(iso);
const BIG = 9_007_199_254_740_993n; // 2^53 + 1: not representable as a double

/** Every model's scalar fields, from the generated client (the models as Prisma sees them). */
const SCALAR_FIELDS: Record<string, string[]> = Object.fromEntries(
  Object.values(Prisma.ModelName).map((model) => {
    const fieldEnum = (Prisma as unknown as Record<string, Record<string, string>>)[`${model}ScalarFieldEnum`];
    return [model, Object.values(fieldEnum!)];
  }),
);

type Row = Record<string, unknown>;
type Ids = Record<string, number>;

// In dependency order; each builds the full row from the ids created before it. No field is left at its default.
const ROWS: Array<[model: string, data: (ids: Ids) => Row]> = [
  ["Source", () => ({ name: "prod-eu", accountId: "123456789012", region: "eu-west-1", roleArn: "arn:aws:iam::123456789012:role/faasight-read", externalId: "ext-42", endpoint: "http://127.0.0.1:4566", enabled: false, createdAt: t("2026-11-01T08:00:00.001Z"), updatedAt: t("2026-11-01T08:00:00.002Z"), leaseOwner: "worker-a", leaseExpiresAt: t("2026-11-01T08:02:00.003Z") })],
  ["LambdaFunction", (ids) => ({
    sourceId: ids.Source, name: "checkout", arn: "arn:aws:lambda:eu-west-1:123456789012:function:checkout", runtime: "nodejs20.x", handler: "index.handler",
    description: "Checkout – zahlt", architecture: "arm64", memoryMb: 1769, timeoutSec: 29, ephemeralMb: 10240, packageType: "Image", codeSizeBytes: BIG,
    layersJson: '["arn:aws:lambda:eu-west-1:123456789012:layer:otel:7"]', tracingMode: "Active", vpcJson: '{"SubnetIds":["subnet-1"],"SecurityGroupIds":["sg-1"]}',
    logGroup: "/aws/lambda/checkout", logFormat: "JSON", dlqTargetArn: "arn:aws:sqs:eu-west-1:123456789012:checkout-dlq", maxRetryAttempts: 1, maxEventAgeSec: 3600,
    onSuccessDestination: "arn:aws:sns:eu-west-1:123456789012:ok", onFailureDestination: "arn:aws:sqs:eu-west-1:123456789012:fail", reservedConcurrency: 50,
    tagsJson: '{"team":"payments"}', lastModified: t("2026-10-30T12:00:00.123Z"), firstSeenAt: t("2026-10-30T12:01:00.000Z"), updatedAt: t("2026-10-30T12:02:00.000Z"), deletedAt: t("2026-11-02T00:00:00.000Z"),
  })],
  ["FunctionVersion", (ids) => ({ functionId: ids.LambdaFunction, version: "8", codeSha256: "n1c0d3sha=", runtime: "nodejs20.x", architecture: "arm64", memoryMb: 1024, description: "v8", lastModified: t("2026-10-30T12:00:00.500Z"), deletedAt: t("2026-11-02T00:00:00.500Z") })],
  ["FunctionAlias", (ids) => ({ functionId: ids.LambdaFunction, name: "live", functionVersion: "7", routingJson: '{"8":0.1}', description: "canary to 8", deletedAt: t("2026-11-02T00:00:01.000Z") })],
  ["ProvisionedConcurrencyConfig", (ids) => ({ functionId: ids.LambdaFunction, qualifier: "live", requested: 10, allocated: 8, available: 8, status: "IN_PROGRESS", updatedAt: t("2026-11-01T09:00:00.000Z"), deletedAt: t("2026-11-02T00:00:02.000Z") })],
  ["EventSourceMapping", (ids) => ({ uuid: "a1b2c3d4-0000-4000-8000-000000000001", functionId: ids.LambdaFunction, eventSourceArn: "arn:aws:sqs:eu-west-1:123456789012:orders", state: "Disabled", batchSize: 25, functionResponseTypes: '["ReportBatchItemFailures"]', onFailureDestination: "arn:aws:sqs:eu-west-1:123456789012:esm-dlq", updatedAt: t("2026-11-01T09:00:01.000Z"), deletedAt: t("2026-11-02T00:00:03.000Z") })],
  ["Api", (ids) => ({ sourceId: ids.Source, apiId: "h7x9k2", name: "shop-http", type: "HTTP", updatedAt: t("2026-11-01T09:00:02.000Z"), deletedAt: t("2026-11-02T00:00:04.000Z") })],
  ["ApiStage", (ids) => ({ apiDbId: ids.Api, stageName: "prod", deploymentId: "dep-1", cacheEnabled: true, cacheSize: "6.1", canaryPercent: 12.5, canaryDeploymentId: "dep-2", tracingEnabled: true, accessLogGroup: "/aws/apigateway/shop", throttleRate: 1234.5, throttleBurst: 600, updatedAt: t("2026-11-01T09:00:03.000Z"), deletedAt: t("2026-11-02T00:00:05.000Z") })],
  ["ApiRoute", (ids) => ({ apiDbId: ids.Api, routeKey: "POST /orders/{id}", functionName: "checkout", functionArn: "arn:aws:lambda:eu-west-1:123456789012:function:checkout:live" })],
  ["Queue", (ids) => ({ sourceId: ids.Source, name: "checkout-dlq", url: "https://sqs.eu-west-1.amazonaws.com/123456789012/checkout-dlq", arn: "arn:aws:sqs:eu-west-1:123456789012:checkout-dlq", role: "dlq", feedsJson: '["arn:aws:lambda:eu-west-1:123456789012:function:checkout"]', redriveTargetArn: "arn:aws:sqs:eu-west-1:123456789012:orders", maxReceiveCount: 5, depth: 17, depthInFlight: 2, oldestAgeSec: 4000, depthAt: t("2026-11-01T09:05:00.000Z"), updatedAt: t("2026-11-01T09:05:00.001Z"), deletedAt: t("2026-11-02T00:00:06.000Z") })],
  ["Topic", (ids) => ({ sourceId: ids.Source, arn: "arn:aws:sns:eu-west-1:123456789012:orders", name: "orders", updatedAt: t("2026-11-01T09:00:04.000Z"), deletedAt: t("2026-11-02T00:00:07.000Z") })],
  ["EventRule", (ids) => ({ sourceId: ids.Source, name: "nightly", schedule: "cron(0 2 * * ? *)", eventPattern: '{"source":["shop"]}', state: "DISABLED", targetsJson: '[{"Arn":"arn:aws:lambda:eu-west-1:123456789012:function:checkout"}]', updatedAt: t("2026-11-01T09:00:05.000Z"), deletedAt: t("2026-11-02T00:00:08.000Z") })],
  ["Invocation", (ids) => ({
    functionId: ids.LambdaFunction, requestId: "8f5c1a0e-0000-4000-8000-000000000002", attempt: 3, version: "8", alias: "live", logStream: "2026/11/01/[8]0123456789abcdef0123456789abcdef",
    startedAt: t("2026-11-01T10:00:00.000Z"), endedAt: t("2026-11-01T10:00:01.234Z"), durationMs: 1233.45, billedMs: 1234, memoryMb: 1769, maxMemoryUsedMb: 1769,
    initMs: 250.5, restoreMs: 480.25, coldStart: true, status: "oom", errorType: "Runtime.OutOfMemory", errorMessage: "Runtime exited with error: signal: killed",
    traceId: "1-5e1b4151-5ac6c58f5b1a4b3c8e7f6a1b", apiRequestId: "Ab3dEfGhIjKlMnO=",
  })],
  ["LogEvent", (ids) => ({ functionId: ids.LambdaFunction, eventId: "37927640537101578945874125489765482352435468758937657344", logStream: "2026/11/01/[8]0123456789abcdef0123456789abcdef", timestamp: t("2026-11-01T10:00:01.234Z"), requestId: "8f5c1a0e-0000-4000-8000-000000000002", message: "REPORT RequestId: 8f5c1a0e-0000-4000-8000-000000000002\tDuration: 1233.45 ms\t\n" })],
  ["Trace", (ids) => ({ sourceId: ids.Source, traceId: "1-5e1b4151-5ac6c58f5b1a4b3c8e7f6a1b", startedAt: t("2026-11-01T09:59:59.900Z"), durationMs: 1300.5, rootName: "shop-http/prod", functionName: "checkout", requestId: "8f5c1a0e-0000-4000-8000-000000000002", coldStart: true, initMs: 250.5, fault: true, error: true, throttle: true, httpStatus: 502, segmentsJson: '[{"name":"Initialization","startMs":1,"durationMs":250.5}]' })],
  ["ApiRequest", (ids) => ({ stageId: ids.ApiStage, requestId: "Ab3dEfGhIjKlMnO=", at: t("2026-11-01T10:00:01.300Z"), method: "POST", route: "POST /orders/{id}", status: 502, latencyMs: 1301.5, integrationLatencyMs: 1290.25, integrationStatus: 500, integrationRequestId: "8f5c1a0e-0000-4000-8000-000000000002", xrayTraceId: "1-5e1b4151-5ac6c58f5b1a4b3c8e7f6a1b", canary: true })],
  ["MetricPoint", (ids) => ({ sourceId: ids.Source, namespace: "AWS/Lambda", metricName: "Throttles", dimensions: "FunctionName=checkout,Resource=checkout:live", stat: "Sum", period: 300, timestamp: t("2026-11-01T10:00:00.000Z"), value: 3.5 })],
  ...(["MinuteRollup", "HourRollup", "DayRollup"] as const).map((model): [string, (ids: Ids) => Row] => [model, (ids) => ({
    functionId: ids.LambdaFunction, qualifier: "live", bucketStart: t("2026-11-01T10:00:00.000Z"), invocations: 1000, errors: 40, timeouts: 3, oomKills: 2, throttles: 7, coldStarts: 11,
    billedMs: BIG, mbMs: BIG + 2n, durationSumMs: 123456.75, initSumMs: 2750.5, maxMemoryUsedMb: 1700, malformedLines: 4, errorsByType: '{"TypeError":38,"Runtime.OutOfMemory":2}',
    hist: "1;0;10:5,11:7", initHist: "1;0;300:11",
  })]),
  ...(["FleetMinuteRollup", "FleetHourRollup"] as const).map((model): [string, (ids: Ids) => Row] => [model, (ids) => ({
    sourceId: ids.Source, bucketStart: t("2026-11-01T10:00:00.000Z"), invocations: 5000, errors: 50, timeouts: 5, throttles: 9, coldStarts: 21, billedMs: BIG, mbMs: BIG + 4n, hist: "1;2;12:40",
  })]),
  ...(["StageMinuteRollup", "StageHourRollup"] as const).map((model): [string, (ids: Ids) => Row] => [model, (ids) => ({
    stageId: ids.ApiStage, variant: "canary", bucketStart: t("2026-11-01T10:00:00.000Z"), requests: 300, status4xx: 12, status5xx: 4, byStatus: '{"403":12,"502":4}',
    latencySumMs: 45000.5, integrationLatencySumMs: 40000.25, cacheHits: 120, cacheMisses: 180, hist: "1;0;20:300",
  })]),
  ["ErrorGroup", (ids) => ({ functionId: ids.LambdaFunction, fingerprint: "f00dfeed", errorType: "TypeError", messagePattern: "Cannot read properties of undefined (reading '<*>')", sampleMessage: "Cannot read properties of undefined (reading 'id')", firstSeenAt: t("2026-11-01T08:00:00.000Z"), lastSeenAt: t("2026-11-01T10:00:00.000Z"), count: 38, versionsJson: '["7","8"]' })],
  ["FailedEvent", (ids) => ({
    queueId: ids.Queue, messageId: "5fea7756-0ea4-451a-a703-a558b933e274", sourceKind: "destination", functionId: ids.LambdaFunction, functionName: "checkout", qualifier: "live",
    requestId: "8f5c1a0e-0000-4000-8000-000000000002", errorCode: "200", errorMessage: "Card declined", condition: "RetriesExhausted", attempts: 3, payload: '{"orderId":42}',
    attributesJson: '{"ApproximateReceiveCount":"2"}', receiveCount: 2, sentAt: t("2026-11-01T10:03:00.000Z"), firstSeenAt: t("2026-11-01T10:04:00.000Z"), lastSeenAt: t("2026-11-01T10:05:00.000Z"),
    status: "failed_again", invocationId: ids.Invocation,
  })],
  ["ReplayAttempt", (ids) => ({ failedEventId: ids.FailedEvent, idempotencyKey: "replay-42-1", action: "redrive", targetQualifier: "8", invocationType: "Event", dryRun: true, status: "failed", resultRequestId: "8f5c1a0e-0000-4000-8000-000000000003", error: "ResourceNotFoundException", actor: "ops@example.com", createdAt: t("2026-11-01T10:06:00.000Z"), finishedAt: t("2026-11-01T10:06:01.000Z") })],
  ["AlertRule", () => ({ name: "checkout errors", kind: "error_rate", scopeJson: '{"functions":["checkout"]}', threshold: 0.05, windowMinutes: 15, pendingPeriods: 3, cooldownMinutes: 60, severity: "critical", enabled: false, createdBy: "admin@example.com", createdAt: t("2026-11-01T07:00:00.000Z"), updatedAt: t("2026-11-01T07:00:01.000Z") })],
  ["AlertChannel", () => ({ name: "pager", type: "webhook", target: "https://hooks.example.com/faasight", secretEnc: "v1:iv:ciphertext", enabled: false, disabledReason: "HTTP 410 five times", failureCount: 5, createdAt: t("2026-11-01T07:00:02.000Z"), updatedAt: t("2026-11-01T07:00:03.000Z") })],
  ["AlertRuleChannel", (ids) => ({ ruleId: ids.AlertRule, channelId: ids.AlertChannel })],
  ["AlertEvent", (ids) => ({ ruleId: ids.AlertRule, scopeKey: "function:checkout", state: "resolved", value: 0.125, pendingCount: 3, startedAt: t("2026-11-01T10:00:00.000Z"), firedAt: t("2026-11-01T10:15:00.000Z"), resolvedAt: t("2026-11-01T11:00:00.000Z"), lastNotifiedAt: t("2026-11-01T11:00:00.500Z"), acknowledgedBy: "ops@example.com", detailsJson: '{"errors":40}' })],
  ["ReportSchedule", () => ({ name: "weekly cost", cron: "0 8 * * 1", timezone: "Europe/Berlin", period: "last-month", formatsJson: '["csv","html"]', channelsJson: '["pager"]', enabled: false, lastRunAt: t("2026-10-26T07:00:00.000Z"), nextRunAt: t("2026-11-02T07:00:00.000Z"), createdAt: t("2026-10-01T00:00:00.000Z"), updatedAt: t("2026-10-26T07:00:01.000Z") })],
  ["ReportRun", (ids) => ({ scheduleId: ids.ReportSchedule, runKey: "weekly cost@2026-10-26T07:00:00Z", periodStart: t("2026-09-01T00:00:00.000Z"), periodEnd: t("2026-10-01T00:00:00.000Z"), status: "failed", format: "csv", content: "function,cost\ncheckout,1.23\n", deliveredJson: '[{"channel":"pager","ok":false}]', error: "webhook 500", createdAt: t("2026-10-26T07:00:02.000Z") })],
  ["CollectorCursor", (ids) => ({ sourceId: ids.Source, collector: "logs", key: "/aws/lambda/checkout", position: "1762077600000", leaseOwner: "worker-b", leaseExpiresAt: t("2026-11-01T10:02:00.000Z"), updatedAt: t("2026-11-01T10:00:00.000Z") })],
  ["CollectorRun", (ids) => ({ sourceId: ids.Source, collector: "metrics", startedAt: t("2026-11-01T10:00:00.000Z"), finishedAt: t("2026-11-01T10:00:09.500Z"), status: "partial", written: 120, skipped: 30, failed: 2, malformed: 1, callsJson: '{"GetMetricData":{"calls":4,"throttled":1}}', error: "ThrottlingException" })],
  ["User", () => ({ email: "ops@example.com", name: "Ops Person", role: "operator", passwordHash: "scrypt$16384$8$1$salt$hash", createdAt: t("2026-10-01T00:00:01.000Z"), disabledAt: t("2026-11-01T00:00:00.000Z") })],
  ["Session", (ids) => ({ tokenHash: "sha256:cookie", userId: ids.User, csrfHash: "sha256:csrf", createdAt: t("2026-11-01T09:00:00.000Z"), expiresAt: t("2026-11-02T09:00:00.000Z"), ip: "203.0.113.7", userAgent: "Mozilla/5.0" })],
  ["ApiToken", (ids) => ({ name: "ci", tokenHash: "sha256:token", prefix: "fsk_ab12", userId: ids.User, createdAt: t("2026-11-01T09:00:01.000Z"), lastUsedAt: t("2026-11-01T09:30:00.000Z"), expiresAt: t("2027-11-01T00:00:00.000Z"), revokedAt: t("2026-11-01T12:00:00.000Z") })],
  ["AuditLog", (ids) => ({ at: t("2026-11-01T10:06:00.000Z"), actorId: ids.User, actor: "ops@example.com", action: "replay.redrive", resourceType: "failed_event", resourceId: String(ids.FailedEvent), outcome: "failed", detailsJson: '{"dryRun":true}', ip: "203.0.113.7" })],
  ["Setting", () => ({ key: "instance-secret-created", value: "2026-11-01", updatedAt: t("2026-11-01T00:00:02.000Z") })],
];

interface Delegate {
  create(args: { data: Row }): Promise<Row>;
  findUniqueOrThrow(args: { where: Row }): Promise<Row>;
}

const delegateName = (model: string) => model[0]!.toLowerCase() + model.slice(1);

function whereOf(model: string, row: Row): Row {
  if (model === "Setting") return { key: row.key };
  if (model === "AlertRuleChannel") return { ruleId_channelId: { ruleId: row.ruleId, channelId: row.channelId } };
  return { id: row.id };
}

describe("the round-trip data", () => {
  it("covers every model and every field but the generated ids", () => {
    expect(ROWS.map(([m]) => m).sort()).toEqual(Object.values(Prisma.ModelName).sort());
    const ids: Ids = new Proxy({}, { get: () => 1 });
    for (const [model, data] of ROWS) {
      const expected = SCALAR_FIELDS[model]!.filter((f) => !(f === "id" && model !== "Setting")).sort();
      expect(Object.keys(data(ids)).sort(), `${model}: give every field a non-default value`).toEqual(expected);
    }
  });
});

describe.each(DATABASES)("every column on $name", ({ create }) => {
  let h: TestDatabase;
  beforeAll(async () => {
    h = await create();
  });
  afterAll(async () => {
    await h?.drop();
  });

  it("is reached through the adapter DATABASE_URL names (SQLite in WAL mode)", async () => {
    expect(dbProvider(h.db)).toBe(h.url.startsWith("file:") ? "sqlite" : "pg");
    if (h.provider === "sqlite") {
      expect(await queryRows<{ journal_mode: string }>(h.db, "PRAGMA journal_mode", [])).toEqual([{ journal_mode: "wal" }]);
    } else {
      expect((await queryRows<{ v: string }>(h.db, "SELECT version() AS v", []))[0]!.v).toMatch(/^PostgreSQL /);
    }
  });

  it("exists after the committed migrations", async () => {
    for (const model of Object.values(Prisma.ModelName)) {
      const columns =
        h.provider === "sqlite"
          ? (await queryRows<{ name: string }>(h.db, `SELECT name FROM pragma_table_info(?)`, [model])).map((c) => c.name)
          : (await queryRows<{ name: string }>(h.db, `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?`, [model])).map((c) => c.name);
      expect(columns.sort(), model).toEqual(expect.arrayContaining(SCALAR_FIELDS[model]!));
    }
  });

  it("reads back every field of every model exactly", async () => {
    const ids: Ids = {};
    for (const [model, build] of ROWS) {
      const data = build(ids);
      const delegate = (h.db as unknown as Record<string, Delegate>)[delegateName(model)]!;
      const created = await delegate.create({ data });
      if (typeof created.id === "number") ids[model] = created.id;
      const back = await delegate.findUniqueOrThrow({ where: whereOf(model, created) });
      const expected = typeof created.id === "number" ? { id: created.id, ...data } : data;
      expect(back, model).toEqual(expected);
    }
  });
});
