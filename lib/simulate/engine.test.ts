import { describe, expect, it } from "vitest";
import { parseLambdaLogMessage } from "../parse/lambda-log.ts";
import type { LogEventInput, MetricDatumInput } from "../sandbox/core.ts";
import { Simulation } from "./engine.ts";
import { MetricAggregator } from "./metrics.ts";
import { ARCHETYPE_NAMES, buildShop, scheduleExpression, type Shop } from "./shop.ts";
import { TruthRecorder, type GroundTruth } from "./truth.ts";

const START = Date.parse("2026-11-18T10:00:00Z");

interface Captured {
  logs: Map<string, LogEventInput[]>;
  segments: string[];
  messages: { queue: string; body: string; attributes?: Record<string, unknown> }[];
  datums: { namespace: string; datum: MetricDatumInput }[];
  truth: GroundTruth;
}

function simulate(options: { seed?: number; hours?: number; stepMs?: number; shop?: Shop; rate?: number } = {}): Captured {
  const shop = options.shop ?? buildShop();
  const end = START + (options.hours ?? 3) * 3600_000;
  const truth = new TruthRecorder({ seed: options.seed ?? 1, region: "us-east-1", accountId: "123456789012", start: START, end });
  const metrics = new MetricAggregator();
  const c: Omit<Captured, "truth"> = { logs: new Map(), segments: [], messages: [], datums: [] };
  const sim = new Simulation({
    shop,
    seed: options.seed ?? 1,
    region: "us-east-1",
    accountId: "123456789012",
    start: START,
    rate: options.rate,
    apiIds: { "shop-api": "restapi001", "shop-http": "httpapi001" },
    truth,
    metrics,
    output: {
      log(group, stream, events) {
        const key = `${group}|${stream}`;
        const list = c.logs.get(key) ?? [];
        for (const e of events) list.push(e);
        c.logs.set(key, list);
      },
      traces(docs) {
        c.segments.push(...docs);
      },
      message(queue, body, attributes) {
        c.messages.push({ queue, body, attributes });
      },
    },
  });
  const step = options.stepMs ?? end - START;
  for (let t = START; t < end; ) {
    t = Math.min(end, t + step);
    sim.advanceTo(t);
    c.datums.push(...metrics.drain(t - 10 * 60_000));
  }
  c.datums.push(...metrics.drain());
  return { ...c, truth: truth.toJSON(new Date(0)) };
}

const sumMetric = (c: Captured, ns: string, name: string, dims: Record<string, string>) =>
  c.datums
    .filter((d) => d.namespace === ns && d.datum.MetricName === name)
    .filter((d) => {
      const ds = d.datum.Dimensions ?? [];
      return ds.length === Object.keys(dims).length && ds.every((x) => dims[x.Name] === x.Value);
    })
    .reduce((s, d) => s + (d.datum.Value ?? d.datum.Counts?.reduce((a, b) => a + b, 0) ?? 0), 0);

const row = (c: Captured, name: string, qualifier: string) => c.truth.functions.find((f) => f.name === name && f.qualifier === qualifier);

describe("Simulation", () => {
  const base = simulate();

  it("is deterministic for a seed and changes with it", () => {
    // Compared as JSON text: deep equality of thousands of rows is slow.
    expect(JSON.stringify(simulate().truth)).toBe(JSON.stringify(base.truth));
    expect(JSON.stringify(simulate({ seed: 2 }).truth)).not.toBe(JSON.stringify(base.truth));
  });

  it("does not depend on how time is advanced (backfill vs live ticks)", () => {
    const ticked = simulate({ stepMs: 37_000 });
    expect(JSON.stringify(ticked.truth)).toBe(JSON.stringify(base.truth));
    expect([...ticked.logs.keys()].sort()).toEqual([...base.logs.keys()].sort());
  });

  it("writes exactly the log lines the truth counts: REPORT per invocation, Init Duration per cold start", () => {
    for (const fn of buildShop().functions) {
      const all = row(base, fn.name, "$ALL")!;
      expect(all, fn.name).toBeDefined();
      const events = [...base.logs.entries()].filter(([k]) => k.startsWith(`/aws/lambda/${fn.name}|`)).flatMap(([, v]) => v);
      const reports = events.flatMap((e) => parseLambdaLogMessage(e.message)).filter((l) => l.kind === "report");
      expect(events.length, fn.name).toBe(all.logLines);
      expect(reports.length, fn.name).toBe(all.invocations);
      expect(reports.length, fn.name).toBe(all.reportLines);
      expect(reports.filter((r) => r.kind === "report" && r.initDurationMs !== undefined).length, fn.name).toBe(all.coldStarts);
      expect(reports.filter((r) => r.kind === "report" && r.xraySampled === true).length, fn.name).toBe(all.tracedInvocations);
      expect(reports.reduce((s, r) => s + (r.kind === "report" ? r.billedDurationMs : 0), 0), fn.name).toBe(all.billedMs);
      expect(reports.filter((r) => r.kind === "report" && r.status === "timeout").length, fn.name).toBe(all.timeouts);
    }
  });

  it("keeps qualifier rows consistent: $ALL = sum of versions, the alias = its versions", () => {
    for (const name of new Set(base.truth.functions.map((f) => f.name))) {
      const rows = base.truth.functions.filter((f) => f.name === name);
      const versions = rows.filter((r) => r.qualifier === "$LATEST" || /^\d+$/.test(r.qualifier));
      expect(versions.reduce((s, r) => s + r.invocations, 0), name).toBe(row(base, name, "$ALL")!.invocations);
      expect(versions.reduce((s, r) => s + r.errors, 0), name).toBe(row(base, name, "$ALL")!.errors);
    }
    const live = row(base, "checkout", "live")!;
    expect(live.invocations).toBe(row(base, "checkout", "7")!.invocations + row(base, "checkout", "8")!.invocations);
    // Version 8 is the regressed canary: ~10% of the alias traffic, slower, more errors.
    const v7 = row(base, "checkout", "7")!;
    const v8 = row(base, "checkout", "8")!;
    expect(v8.invocations / live.invocations).toBeGreaterThan(0.05);
    expect(v8.invocations / live.invocations).toBeLessThan(0.16);
    expect(v8.p50Ms!).toBeGreaterThan(v7.p50Ms! * 1.3);
    expect(v8.errors / v8.invocations).toBeGreaterThan(v7.errors / v7.invocations);
    expect(row(base, "catalog", "prod")!.invocations).toBe(row(base, "catalog", "3")!.invocations);
    // The dev stage calls $LATEST.
    expect(row(base, "checkout", "$LATEST")!.invocations).toBeGreaterThan(0);
  });

  it("counts metrics exactly as the truth: per function, per executed version, per stage", () => {
    for (const f of base.truth.functions.filter((r) => r.qualifier === "$ALL")) {
      expect(sumMetric(base, "AWS/Lambda", "Invocations", { FunctionName: f.name }), f.name).toBe(f.invocations);
      expect(sumMetric(base, "AWS/Lambda", "Errors", { FunctionName: f.name }), f.name).toBe(f.errors);
      expect(sumMetric(base, "AWS/Lambda", "Throttles", { FunctionName: f.name }), f.name).toBe(f.throttles);
      expect(sumMetric(base, "AWS/Lambda", "Duration", { FunctionName: f.name }), f.name).toBe(f.invocations);
    }
    for (const v of ["7", "8"]) {
      expect(sumMetric(base, "AWS/Lambda", "Invocations", { FunctionName: "checkout", Resource: "checkout:live", ExecutedVersion: v })).toBe(row(base, "checkout", v)!.invocations);
    }
    expect(sumMetric(base, "AWS/Lambda", "Invocations", { FunctionName: "checkout", Resource: "checkout:live" })).toBe(row(base, "checkout", "live")!.invocations);
    for (const s of base.truth.stages) {
      const dims: Record<string, string> = s.apiType === "REST" ? { ApiName: s.api, Stage: s.stage } : { ApiId: "httpapi001", Stage: s.stage };
      expect(sumMetric(base, "AWS/ApiGateway", "Count", dims), s.stage).toBe(s.requests);
      expect(sumMetric(base, "AWS/ApiGateway", s.apiType === "REST" ? "4XXError" : "4xx", dims), s.stage).toBe(s.status4xx);
      expect(sumMetric(base, "AWS/ApiGateway", s.apiType === "REST" ? "5XXError" : "5xx", dims), s.stage).toBe(s.status5xx);
      expect(Object.values(s.byStatus).reduce((a, b) => a + b, 0)).toBe(s.requests);
    }
  });

  it("plays the failure modes: throttles without logs, gateway 4xx/5xx, canary, cache, async failures", () => {
    const prod = base.truth.stages.find((s) => s.api === "shop-api" && s.stage === "prod")!;
    expect(prod.byStatus["403"]).toBeGreaterThan(0);
    expect(prod.byStatus["502"]).toBeGreaterThan(0);
    expect(prod.byStatus["400"]).toBeGreaterThan(0);
    expect(prod.canaryRequests / prod.requests).toBeGreaterThan(0.07);
    expect(prod.canaryRequests / prod.requests).toBeLessThan(0.13);
    expect(prod.cacheHits).toBeGreaterThan(0);
    // Every cache miss reaches the catalog through its alias; hits never do.
    expect(prod.cacheMisses).toBe(row(base, "catalog", "prod")!.invocations);
    expect(base.truth.asyncRetries).toBeGreaterThan(0);
    const byQueue = (q: string) => base.messages.filter((m) => m.queue === q).length;
    for (const q of base.truth.queues) expect(byQueue(q.queue), q.queue).toBe(q.kind === "source" ? 0 : q.messages);
    const dest = base.messages.find((m) => m.queue === "notifier-failures");
    expect(dest && JSON.parse(dest.body)).toMatchObject({ version: "1.0", requestContext: { condition: "RetriesExhausted", approximateInvokeCount: 3, functionArn: "arn:aws:lambda:us-east-1:123456789012:function:notifier:$LATEST" } });
    expect(base.truth.traces).toBeGreaterThan(0);
  });

  it("answers 429 when a stage's throttle limit is exceeded, without invoking the integration", () => {
    const shop = buildShop();
    const prod = shop.apis.find((a) => a.name === "shop-api")!.stages.find((s) => s.name === "prod")!;
    prod.throttle = { rate: 0.2, burst: 1 };
    const c = simulate({ shop, hours: 1 });
    const stage = c.truth.stages.find((s) => s.api === "shop-api" && s.stage === "prod")!;
    expect(stage.byStatus["429"]).toBeGreaterThan(stage.requests / 2);
    expect(sumMetric(c, "AWS/ApiGateway", "4XXError", { ApiName: "shop-api", Stage: "prod" })).toBe(stage.status4xx);
    const access = [...c.logs.entries()].filter(([k]) => k.startsWith(prod.accessLogGroup + "|")).flatMap(([, v]) => v.map((e) => JSON.parse(e.message) as { status: string }));
    expect(access.filter((l) => String(l.status) === "429")).toHaveLength(stage.byStatus["429"]!);
    // Throttled requests never reach the alias: far fewer prod invocations than with the stock limits.
    const stock = simulate({ hours: 1 });
    expect(row(c, "checkout", "live")!.invocations).toBeLessThan(row(stock, "checkout", "live")!.invocations / 2);
  });

  it("produces throttles, timeouts and 504s over a busy day", () => {
    const day = simulate({ hours: 14, seed: 3 });
    const total = (k: "throttles" | "timeouts" | "oomKills") => day.truth.functions.filter((f) => f.qualifier === "$ALL").reduce((s, f) => s + f[k], 0);
    expect(total("throttles")).toBeGreaterThan(0);
    expect(total("timeouts")).toBeGreaterThan(0);
    expect(total("oomKills")).toBeGreaterThan(0);
    expect(day.truth.stages.find((s) => s.api === "shop-http")!.byStatus["504"]).toBeGreaterThan(0);
    const invocations = day.truth.functions.filter((f) => f.qualifier === "$ALL").reduce((s, f) => s + f.invocations, 0);
    // ~30-60k invocations a day; these 14 hours include the peak.
    expect(invocations).toBeGreaterThan(20_000);
    expect(invocations).toBeLessThan(45_000);
    const search = day.truth.functions.find((f) => f.name === "search" && f.qualifier === "$ALL")!;
    const throttledLogs = [...day.logs.entries()].filter(([k]) => k.startsWith("/aws/lambda/search|")).flatMap(([, v]) => v).filter((e) => e.message.startsWith("REPORT")).length;
    expect(throttledLogs).toBe(search.invocations);
    // Minute rows add up to the totals.
    const minuteSum = day.truth.minutes.filter((m) => m.name === "search" && m.qualifier === "$ALL").reduce((s, m) => s + m.invocations, 0);
    expect(minuteSum).toBe(search.invocations);
    // Stage minutes add up to the stage totals, status code by status code.
    for (const s of day.truth.stages) {
      const rows = day.truth.stageMinutes.filter((m) => m.api === s.api && m.stage === s.stage);
      expect(rows.reduce((a, m) => a + m.requests, 0), s.stage).toBe(s.requests);
      const byStatus: Record<string, number> = {};
      for (const m of rows) for (const [code, n] of Object.entries(m.byStatus)) byStatus[code] = (byStatus[code] ?? 0) + n;
      expect(byStatus, s.stage).toEqual(s.byStatus);
    }
    // Dead-letter and destination messages are attributed to the function that failed, per minute too.
    const fnOf: Record<string, string> = { "orders-dlq": "orders-worker", "image-resize-dlq": "image-resize", "notifier-failures": "notifier" };
    for (const q of day.truth.queues.filter((x) => x.kind !== "source")) {
      const r = day.truth.functions.find((f) => f.name === fnOf[q.queue] && f.qualifier === "$ALL")!;
      expect(q.kind === "dlq" ? r.dlqMessages : r.destinationMessages, q.queue).toBe(q.messages);
      const perMinute = day.truth.minutes.filter((m) => m.name === r.name && m.qualifier === "$ALL").reduce((a, m) => a + m.dlqMessages + m.destinationMessages, 0);
      expect(perMinute, q.queue).toBe(q.messages);
    }
    expect(day.truth.queues.filter((x) => x.kind !== "source").every((q) => q.messages > 0)).toBe(true);
    // Minute percentiles are nearest-rank over the minute's printed durations.
    const mins = day.truth.minutes.filter((m) => m.name === "search" && m.qualifier === "$ALL" && m.invocations > 0);
    expect(mins.every((m) => m.p50Ms! <= m.p90Ms! && m.p90Ms! <= m.p99Ms!)).toBe(true);
    const single = mins.find((m) => m.invocations === 1)!;
    expect(single.p50Ms).toBe(single.durationMsSum);
    expect(day.truth.minutes.filter((m) => m.invocations === 0).every((m) => m.p50Ms === null)).toBe(true);
  }, 60_000);
});

describe("buildShop", () => {
  it("has the default shop's shapes", () => {
    const shop = buildShop();
    expect(shop.functions.map((f) => f.name)).toEqual(ARCHETYPE_NAMES);
    const checkout = shop.functions.find((f) => f.name === "checkout")!;
    expect(checkout).toMatchObject({ runtime: "nodejs20.x", architecture: "arm64", memoryMb: 1024, aliases: [{ name: "live", version: "7", additional: { version: "8", weight: 0.1 } }] });
    expect(shop.functions.find((f) => f.name === "image-resize")).toMatchObject({ memoryMb: 3008, architecture: "x86_64", tracing: "PassThrough", async: { deadLetterQueue: "image-resize-dlq" } });
    expect(shop.functions.find((f) => f.name === "inventory")!.logFormat).toBe("JSON");
    expect(shop.functions.find((f) => f.name === "catalog")!.aliases[0]!.provisionedConcurrency).toBe(2);
    expect(shop.queues.find((q) => q.name === "orders")!.redrive).toEqual({ deadLetterQueue: "orders-dlq", maxReceiveCount: 3 });
    expect(shop.rules.map(scheduleExpression)).toEqual(["cron(0 2 * * ? *)", "cron(15 * * * ? *)"]);
    expect(shop.apis.map((a) => `${a.name}:${a.type}:${a.stages.map((s) => s.name).join(",")}`)).toEqual(["shop-api:REST:prod,dev", "shop-http:HTTP:$default"]);
  });

  it("scales by cloning archetypes with suffixed names and resources", () => {
    const shop = buildShop({ functions: 30 });
    expect(shop.functions).toHaveLength(30);
    expect(new Set(shop.functions.map((f) => f.name)).size).toBe(30);
    expect(shop.functions[12]!.name).toBe("checkout-2");
    expect(shop.functions[29]!.name).toBe(`${ARCHETYPE_NAMES[5]}-3`);
    expect(shop.apis.map((a) => a.name)).toEqual(["shop-api", "shop-http", "shop-api-2", "shop-http-2", "shop-api-3", "shop-http-3"]);
    expect(shop.functions.find((f) => f.name === "orders-worker-2")!.trigger).toMatchObject({ kind: "sqs", queue: "orders-2" });
    expect(shop.queues.find((q) => q.name === "orders-2")!.redrive!.deadLetterQueue).toBe("orders-dlq-2");
    expect(buildShop({ functions: 1000 }).functions).toHaveLength(1000);
  });

  it("keeps every shape at 1,000 functions: each clone is its archetype under another name", () => {
    const base = new Map(buildShop().functions.map((f) => [f.name, f]));
    const big = buildShop({ functions: 1000 });
    const shape = (f: (typeof big.functions)[number]) => ({
      runtime: f.runtime,
      architecture: f.architecture,
      memoryMb: f.memoryMb,
      timeoutS: f.timeoutS,
      logFormat: f.logFormat,
      tracing: f.tracing,
      publishedVersions: f.publishedVersions,
      aliases: f.aliases,
      profile: f.profile,
      versionOverrides: f.versionOverrides,
      trigger: f.trigger.kind,
      async: f.async ? { maxRetries: f.async.maxRetries, dlq: !!f.async.deadLetterQueue, onFailure: !!f.async.onFailureQueue } : undefined,
    });
    const perArchetype = new Map<string, number>();
    for (const f of big.functions) {
      perArchetype.set(f.archetype, (perArchetype.get(f.archetype) ?? 0) + 1);
      expect(shape(f), f.name).toEqual(shape(base.get(f.archetype)!));
    }
    expect([...perArchetype.keys()].sort()).toEqual([...ARCHETYPE_NAMES].sort());
    expect(Math.min(...perArchetype.values())).toBeGreaterThanOrEqual(83);
    expect(big.apis.filter((a) => a.type === "REST").every((a) => a.stages.some((st) => st.canaryPercent === 10 && st.cacheEnabled) && !!a.authorizer)).toBe(true);
  });

  it("runs a scaled shop consistently", () => {
    const c = simulate({ shop: buildShop({ functions: 20 }), hours: 1 });
    expect(new Set(c.truth.functions.map((f) => f.name)).size).toBe(20);
    for (const f of c.truth.functions.filter((r) => r.qualifier === "$ALL")) {
      expect(sumMetric(c, "AWS/Lambda", "Invocations", { FunctionName: f.name }), f.name).toBe(f.invocations);
    }
  });
});
