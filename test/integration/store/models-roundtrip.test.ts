/**
 * Every model written and read back on a real SQLite file and a real PostgreSQL database,
 * and every natural key enforced (the basis of idempotent collection).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASES, type TestDatabase } from "../helpers/databases.ts";

const t0 = new Date("2026-11-02T10:00:00.000Z");

describe.each(DATABASES)("models on $name", ({ create }) => {
  let h: TestDatabase;
  beforeAll(async () => {
    h = await create();
  });
  afterAll(async () => {
    await h?.drop();
  });

  it("round-trips every model and enforces natural keys", async () => {
    const db = h.db;
    const source = await db.source.create({ data: { name: "prod-us", accountId: "123456789012", region: "us-east-1", roleArn: "arn:aws:iam::123456789012:role/faasight", externalId: "ext-1" } });
    const fn = await db.lambdaFunction.create({
      data: {
        sourceId: source.id, name: "checkout", arn: "arn:aws:lambda:us-east-1:123456789012:function:checkout", runtime: "nodejs20.x",
        architecture: "arm64", memoryMb: 1024, timeoutSec: 10, ephemeralMb: 1024, codeSizeBytes: 52_428_800n, layersJson: '["arn:aws:lambda:us-east-1:1:layer:x:3"]',
        tracingMode: "Active", vpcJson: '{"SubnetIds":["subnet-1"]}', logGroup: "/aws/lambda/checkout", logFormat: "JSON", dlqTargetArn: "arn:aws:sqs:us-east-1:1:dlq",
        maxRetryAttempts: 2, maxEventAgeSec: 3600, onFailureDestination: "arn:aws:sqs:us-east-1:1:fail", reservedConcurrency: 50, lastModified: t0,
      },
    });
    await expect(db.lambdaFunction.create({ data: { sourceId: source.id, name: "checkout", arn: "x", memoryMb: 128, timeoutSec: 3, logGroup: "g" } })).rejects.toThrow();

    await db.functionVersion.create({ data: { functionId: fn.id, version: "8", codeSha256: "abc", memoryMb: 1024 } });
    await db.functionAlias.create({ data: { functionId: fn.id, name: "live", functionVersion: "7", routingJson: '{"8":0.1}' } });
    await db.provisionedConcurrencyConfig.create({ data: { functionId: fn.id, qualifier: "live", requested: 5, allocated: 5, available: 5, status: "READY" } });
    await db.eventSourceMapping.create({ data: { uuid: "uuid-1", functionId: fn.id, eventSourceArn: "arn:aws:sqs:us-east-1:1:orders", state: "Enabled", batchSize: 10 } });
    const api = await db.api.create({ data: { sourceId: source.id, apiId: "a1b2c3", name: "shop-api", type: "REST" } });
    const stage = await db.apiStage.create({ data: { apiDbId: api.id, stageName: "prod", cacheEnabled: true, cacheSize: "0.5", canaryPercent: 10, tracingEnabled: true } });
    await db.apiRoute.create({ data: { apiDbId: api.id, routeKey: "POST /checkout", functionName: "checkout" } });
    const queue = await db.queue.create({ data: { sourceId: source.id, name: "orders-dlq", url: "http://x/1/orders-dlq", arn: "arn:aws:sqs:us-east-1:1:orders-dlq", role: "dlq", depth: 3 } });
    await db.topic.create({ data: { sourceId: source.id, arn: "arn:aws:sns:us-east-1:1:order-events", name: "order-events" } });
    await db.eventRule.create({ data: { sourceId: source.id, name: "nightly", schedule: "cron(0 2 * * ? *)", state: "ENABLED" } });

    const inv = await db.invocation.create({
      data: {
        functionId: fn.id, requestId: "8f5c1a0e-0000-4000-8000-000000000001", attempt: 2, version: "8", alias: "live", logStream: "2026/11/02/[8]abc",
        startedAt: t0, endedAt: new Date(t0.getTime() + 1234), durationMs: 1233.45, billedMs: 1234, memoryMb: 1024, maxMemoryUsedMb: 200,
        initMs: 250.5, coldStart: true, status: "error", errorType: "TypeError", errorMessage: "x is undefined", traceId: "1-5e1b4151-5ac6c58f5b1a4b3c8e7f6a1b",
      },
    });
    await expect(
      db.invocation.create({ data: { functionId: fn.id, requestId: inv.requestId, version: "8", startedAt: t0, endedAt: inv.endedAt, durationMs: 1, billedMs: 1, memoryMb: 1 } }),
    ).rejects.toThrow();
    await db.logEvent.create({ data: { functionId: fn.id, eventId: "3745", logStream: "s", timestamp: t0, requestId: inv.requestId, message: "START RequestId: x" } });
    await db.trace.create({ data: { sourceId: source.id, traceId: "1-5e1b4151-5ac6c58f5b1a4b3c8e7f6a1b", startedAt: t0, durationMs: 1300.5, coldStart: true, fault: true, httpStatus: 502 } });
    await db.apiRequest.create({ data: { stageId: stage.id, requestId: "req-1", at: t0, status: 502, integrationRequestId: inv.requestId, canary: true } });
    await db.metricPoint.create({ data: { sourceId: source.id, namespace: "AWS/Lambda", metricName: "Invocations", dimensions: "FunctionName=checkout", stat: "Sum", period: 60, timestamp: t0, value: 42 } });
    await db.minuteRollup.create({ data: { functionId: fn.id, qualifier: "$ALL", bucketStart: t0, invocations: 10, billedMs: 12_340n, mbMs: 9_007_199_254_740_993n, hist: "[]" } });
    await db.hourRollup.create({ data: { functionId: fn.id, qualifier: "8", bucketStart: t0, invocations: 10 } });
    await db.fleetHourRollup.create({ data: { sourceId: source.id, bucketStart: t0, invocations: 10 } });
    await db.dayRollup.create({ data: { functionId: fn.id, qualifier: "$ALL", bucketStart: t0, invocations: 10, mbMs: 9_007_199_254_740_993n } });
    await expect(db.dayRollup.create({ data: { functionId: fn.id, qualifier: "$ALL", bucketStart: t0 } })).rejects.toThrow();
    await db.fleetMinuteRollup.create({ data: { sourceId: source.id, bucketStart: t0, invocations: 10 } });
    await expect(db.fleetMinuteRollup.create({ data: { sourceId: source.id, bucketStart: t0 } })).rejects.toThrow();
    await db.stageMinuteRollup.create({ data: { stageId: stage.id, variant: "canary", bucketStart: t0, requests: 5, status5xx: 1, byStatus: '{"502":1}' } });
    await db.stageHourRollup.create({ data: { stageId: stage.id, bucketStart: t0, requests: 5 } });
    await db.errorGroup.create({ data: { functionId: fn.id, fingerprint: "fp", errorType: "TypeError", messagePattern: "x is undefined", firstSeenAt: t0, lastSeenAt: t0, count: 1 } });
    const failed = await db.failedEvent.create({ data: { queueId: queue.id, messageId: "m-1", sourceKind: "async_dlq", functionId: fn.id, requestId: inv.requestId, payload: '{"order":1}', errorCode: "200" } });
    await db.replayAttempt.create({ data: { failedEventId: failed.id, idempotencyKey: "k-1", action: "reinvoke", actor: "admin@example.com" } });
    await expect(db.replayAttempt.create({ data: { failedEventId: failed.id, idempotencyKey: "k-1", action: "reinvoke", actor: "other" } })).rejects.toThrow();
    const rule = await db.alertRule.create({ data: { name: "checkout errors", kind: "error_rate", threshold: 0.05 } });
    const channel = await db.alertChannel.create({ data: { name: "pager", type: "sns", target: "arn:aws:sns:us-east-1:1:pager" } });
    await db.alertRuleChannel.create({ data: { ruleId: rule.id, channelId: channel.id } });
    await db.alertEvent.create({ data: { ruleId: rule.id, scopeKey: "checkout", state: "firing", value: 0.12, startedAt: t0 } });
    const schedule = await db.reportSchedule.create({ data: { name: "weekly", cron: "0 8 * * 1" } });
    await db.reportRun.create({ data: { scheduleId: schedule.id, runKey: "weekly@2026-11-02", periodStart: t0, periodEnd: t0, status: "ok", format: "csv", content: "a,b" } });
    await db.collectorCursor.create({ data: { sourceId: source.id, collector: "logs", key: "/aws/lambda/checkout", position: "1762077600000" } });
    await db.collectorRun.create({ data: { sourceId: source.id, collector: "logs", startedAt: t0, status: "ok", written: 10 } });
    const user = await db.user.create({ data: { email: "admin@example.com", role: "admin", passwordHash: "scrypt$..." } });
    await db.session.create({ data: { tokenHash: "h", userId: user.id, csrfHash: "c", expiresAt: t0 } });
    await db.apiToken.create({ data: { name: "ci", tokenHash: "th", prefix: "fs_abc", userId: user.id } });
    await db.auditLog.create({ data: { actor: "admin@example.com", action: "replay", resourceType: "failed_event", resourceId: String(failed.id), outcome: "ok" } });
    await db.setting.create({ data: { key: "instance-id", value: "abc" } });

    // Read back through relations: values (incl. BigInt beyond 2^53 and DateTime ms) survive.
    const back = await db.lambdaFunction.findUniqueOrThrow({
      where: { sourceId_name: { sourceId: source.id, name: "checkout" } },
      include: { versions: true, aliases: true, provisioned: true, mappings: true, invocations: true, logEvents: true, minuteRollups: true, hourRollups: true, dayRollups: true, errorGroups: true, failedEvents: { include: { replays: true } } },
    });
    expect(back.dayRollups[0]!.mbMs).toBe(9_007_199_254_740_993n);
    expect(back.codeSizeBytes).toBe(52_428_800n);
    expect(back.aliases[0]!.routingJson).toBe('{"8":0.1}');
    expect(back.invocations[0]).toMatchObject({ attempt: 2, durationMs: 1233.45, billedMs: 1234, coldStart: true, status: "error" });
    expect(back.invocations[0]!.endedAt.toISOString()).toBe("2026-11-02T10:00:01.234Z");
    expect(back.minuteRollups[0]!.mbMs).toBe(9_007_199_254_740_993n);
    expect(back.failedEvents[0]!.replays).toHaveLength(1);
    const st = await db.apiStage.findUniqueOrThrow({ where: { id: stage.id }, include: { minuteRollups: true, hourRollups: true, requests: true, api: { include: { routes: true } } } });
    expect(st).toMatchObject({ cacheEnabled: true, canaryPercent: 10 });
    expect(st.requests[0]!.status).toBe(502);
    expect(st.api.routes[0]!.functionName).toBe("checkout");
    const r = await db.alertRule.findUniqueOrThrow({ where: { id: rule.id }, include: { channels: { include: { channel: true } }, events: true } });
    expect(r.channels[0]!.channel.name).toBe("pager");
    expect(r.events[0]!.state).toBe("firing");
    expect((await db.reportRun.findFirstOrThrow()).content).toBe("a,b");
    expect((await db.user.findUniqueOrThrow({ where: { email: "admin@example.com" }, include: { sessions: true, tokens: true } })).tokens).toHaveLength(1);
    expect(await db.auditLog.count()).toBe(1);
    expect((await db.setting.findUniqueOrThrow({ where: { key: "instance-id" } })).value).toBe("abc");
    expect(await db.metricPoint.count()).toBe(1);
    expect(await db.trace.count()).toBe(1);

    // Deleting a source cascades to everything collected for it.
    await db.source.delete({ where: { id: source.id } });
    expect(await db.invocation.count()).toBe(0);
    expect(await db.failedEvent.count()).toBe(0);
  });
});
