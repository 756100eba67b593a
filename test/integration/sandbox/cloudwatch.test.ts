import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  CloudWatchClient,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  ListMetricsCommand,
  PutMetricDataCommand,
  paginateGetMetricData,
  paginateListMetrics,
  type MetricDataQuery,
  type MetricDatum,
} from "@aws-sdk/client-cloudwatch";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import { startSandbox, type Sandbox } from "../../../lib/sandbox/server.ts";
import { createRandom } from "../../../lib/sandbox/random.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const T0 = Date.UTC(2025, 5, 2, 12, 0, 0);
const sec = (ms: number) => new Date(ms);

let clock = T0;
let sandbox: Sandbox;
let cw: CloudWatchClient;
let uniq = 0;
/** A namespace per test keeps tests independent on one sandbox. */
const ns = () => `Faasight/Test${++uniq}`;

function client(opts: { maxAttempts?: number; disableRequestCompression?: boolean } = {}): CloudWatchClient {
  return new CloudWatchClient({
    endpoint: sandbox.url,
    region: "us-east-1",
    credentials,
    disableRequestCompression: opts.disableRequestCompression,
    retryStrategy: new ConfiguredRetryStrategy(opts.maxAttempts ?? 3, () => 5),
  });
}

/** Exact nearest-rank percentile: the smallest value with at least p% of the samples at or below it. */
function exactPercentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length - 1e-9) - 1]!;
}

function stat(namespace: string, name: string, statName: string, period = 60, dims: { Name: string; Value: string }[] = [], id = "m1"): MetricDataQuery {
  return { Id: id, MetricStat: { Metric: { Namespace: namespace, MetricName: name, Dimensions: dims }, Period: period, Stat: statName } };
}

async function getData(queries: MetricDataQuery[], start: number, end: number, extra: { ScanBy?: "TimestampAscending" | "TimestampDescending" } = {}) {
  const out = await cw.send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: sec(start), EndTime: sec(end), ...extra }));
  return out.MetricDataResults ?? [];
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, now: () => clock, seed: 7 });
  cw = client();
});

afterAll(async () => {
  cw.destroy();
  await sandbox.close();
});

beforeEach(() => {
  clock = T0;
  sandbox.setFaults({});
});

describe("PutMetricData + GetMetricData", () => {
  it("aggregates Value, Values/Counts and StatisticValues into period-aligned buckets", async () => {
    const n = ns();
    const fn = [{ Name: "FunctionName", Value: "checkout" }];
    await cw.send(
      new PutMetricDataCommand({
        Namespace: n,
        MetricData: [
          { MetricName: "Duration", Dimensions: fn, Timestamp: sec(T0 - 7 * 60_000), Value: 10, Unit: "Milliseconds" },
          { MetricName: "Duration", Dimensions: fn, Timestamp: sec(T0 - 6 * 60_000 + 5_000), Values: [20, 30], Counts: [2, 1], Unit: "Milliseconds" },
          { MetricName: "Duration", Dimensions: fn, Timestamp: sec(T0 - 2 * 60_000), StatisticValues: { SampleCount: 4, Sum: 400, Minimum: 50, Maximum: 150 }, Unit: "Milliseconds" },
        ],
      }),
    );
    const start = T0 - 10 * 60_000;
    const results = await getData(
      [
        { ...stat(n, "Duration", "Sum", 300, fn, "sum") },
        { ...stat(n, "Duration", "SampleCount", 300, fn, "count") },
        { ...stat(n, "Duration", "Average", 300, fn, "avg") },
        { ...stat(n, "Duration", "Minimum", 300, fn, "min") },
        { ...stat(n, "Duration", "Maximum", 300, fn, "max"), Label: "Max of ${PROP('Dim.FunctionName')}" },
      ],
      start,
      T0,
      { ScanBy: "TimestampAscending" },
    );
    const byId = Object.fromEntries(results.map((r) => [r.Id!, r]));
    // 5-minute buckets start on 5-minute boundaries: 11:50 holds the first two data, 11:55 the statistic set.
    const b1 = Date.UTC(2025, 5, 2, 11, 50);
    const b2 = Date.UTC(2025, 5, 2, 11, 55);
    expect(byId.sum!.Timestamps!.map((d) => d.getTime())).toEqual([b1, b2]);
    expect(byId.sum!.Values).toEqual([10 + 40 + 30, 400]);
    expect(byId.count!.Values).toEqual([4, 4]);
    expect(byId.avg!.Values).toEqual([20, 100]);
    expect(byId.min!.Values).toEqual([10, 50]);
    expect(byId.max!.Values).toEqual([30, 150]);
    expect(byId.max!.Label).toBe("Max of checkout");
    expect(byId.sum!.Label).toBe("Duration");
    expect(byId.sum!.StatusCode).toBe("Complete");
  });

  it("identifies a series by its exact dimension set", async () => {
    const n = ns();
    await cw.send(
      new PutMetricDataCommand({
        Namespace: n,
        MetricData: [
          { MetricName: "Invocations", Timestamp: sec(T0 - 60_000), Value: 100 },
          { MetricName: "Invocations", Dimensions: [{ Name: "FunctionName", Value: "a" }], Timestamp: sec(T0 - 60_000), Value: 7 },
          {
            MetricName: "Invocations",
            Dimensions: [
              { Name: "Resource", Value: "a:live" },
              { Name: "FunctionName", Value: "a" },
            ],
            Timestamp: sec(T0 - 60_000),
            Value: 5,
          },
        ],
      }),
    );
    const [none, fnOnly, both] = await Promise.all([
      getData([stat(n, "Invocations", "Sum")], T0 - 3_600_000, T0),
      getData([stat(n, "Invocations", "Sum", 60, [{ Name: "FunctionName", Value: "a" }])], T0 - 3_600_000, T0),
      // Dimension order does not matter for identity.
      getData(
        [
          stat(n, "Invocations", "Sum", 60, [
            { Name: "FunctionName", Value: "a" },
            { Name: "Resource", Value: "a:live" },
          ]),
        ],
        T0 - 3_600_000,
        T0,
      ),
    ]);
    expect(none[0]!.Values).toEqual([100]);
    expect(fnOnly[0]!.Values).toEqual([7]);
    expect(both[0]!.Values).toEqual([5]);
    const missing = await getData([stat(n, "Invocations", "Sum", 60, [{ Name: "FunctionName", Value: "b" }])], T0 - 3_600_000, T0);
    expect(missing[0]!.Values).toEqual([]);
  });

  it("computes p50/p90/p99 within 2% of the exact percentiles", async () => {
    const n = ns();
    const rand = createRandom(42);
    const values: number[] = [];
    const data: MetricDatum[] = [];
    // 5 minutes x 600 lognormal-ish latencies, sent as Values (150 per datum) like an agent would.
    for (let minute = 0; minute < 5; minute++) {
      for (let chunk = 0; chunk < 4; chunk++) {
        const vs: number[] = [];
        for (let k = 0; k < 150; k++) {
          const u = Math.max(1e-9, rand());
          const v = Math.round(Math.exp(3 + 1.2 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand())) * 100) / 100;
          vs.push(v);
          values.push(v);
        }
        data.push({ MetricName: "Duration", Timestamp: sec(T0 - (10 - minute) * 60_000 + chunk * 1000), Values: vs });
      }
    }
    for (let i = 0; i < data.length; i += 10) await cw.send(new PutMetricDataCommand({ Namespace: n, MetricData: data.slice(i, i + 10) }));
    const start = T0 - 10 * 60_000;
    const results = await getData(
      ["p50", "p90", "p99", "p99.9"].map((p, i) => stat(n, "Duration", p, 300, [], `q${i}`)),
      start,
      start + 300_000,
    );
    const expected = [50, 90, 99, 99.9].map((p) => exactPercentile(values, p));
    results.forEach((r, i) => {
      expect(r.Values).toHaveLength(1);
      const got = r.Values![0]!;
      expect(Math.abs(got - expected[i]!) / expected[i]!).toBeLessThanOrEqual(0.02);
    });
    // Small buckets are exact.
    const m = ns();
    await cw.send(new PutMetricDataCommand({ Namespace: m, MetricData: [{ MetricName: "D", Timestamp: sec(T0 - 60_000), Values: [5, 1, 4, 2, 3, 9, 8, 7, 6, 10] }] }));
    const [p50, p90] = await getData([stat(m, "D", "p50", 60, [], "a"), stat(m, "D", "p90", 60, [], "b")], T0 - 120_000, T0);
    expect(p50!.Values).toEqual([5]);
    expect(p90!.Values).toEqual([9]);
  });

  it("has no percentiles for statistic sets with different values (as AWS)", async () => {
    const n = ns();
    await cw.send(new PutMetricDataCommand({ Namespace: n, MetricData: [{ MetricName: "D", Timestamp: sec(T0 - 60_000), StatisticValues: { SampleCount: 3, Sum: 6, Minimum: 1, Maximum: 3 } }] }));
    const [p, s] = await getData([stat(n, "D", "p50", 60, [], "p"), stat(n, "D", "Sum", 60, [], "s")], T0 - 120_000, T0);
    expect(p!.Values).toEqual([]);
    expect(s!.Values).toEqual([6]);
  });

  it("accepts gzip-compressed bodies over 10 KB from the SDK", async () => {
    const n = ns();
    const gz = client();
    const encodings: (string | undefined)[] = [];
    gz.middlewareStack.add(
      (next) => async (args) => {
        encodings.push((args.request as { headers: Record<string, string> }).headers["content-encoding"]);
        return next(args);
      },
      { step: "finalizeRequest", name: "captureEncoding" },
    );
    const data: MetricDatum[] = Array.from({ length: 400 }, (_, i) => ({
      MetricName: "Invocations",
      Dimensions: [{ Name: "FunctionName", Value: `function-with-a-rather-long-name-${i % 40}` }],
      Timestamp: sec(T0 - 60_000),
      Value: 1,
    }));
    await gz.send(new PutMetricDataCommand({ Namespace: n, MetricData: data }));
    gz.destroy();
    expect(encodings).toEqual(["gzip"]);
    const [r] = await getData([stat(n, "Invocations", "Sum", 60, [{ Name: "FunctionName", Value: "function-with-a-rather-long-name-3" }])], T0 - 120_000, T0);
    expect(r!.Values).toEqual([10]);
  });

  it("paginates by MaxDatapoints across queries (paginateGetMetricData) in ScanBy order", async () => {
    const n = ns();
    const data: MetricDatum[] = [];
    for (let m = 0; m < 120; m++) {
      data.push({ MetricName: "A", Timestamp: sec(T0 - (m + 1) * 60_000), Value: m });
      data.push({ MetricName: "B", Timestamp: sec(T0 - (m + 1) * 60_000), Value: 1000 + m });
    }
    for (let i = 0; i < data.length; i += 100) await cw.send(new PutMetricDataCommand({ Namespace: n, MetricData: data.slice(i, i + 100) }));
    const queries = [stat(n, "A", "Sum", 60, [], "a"), stat(n, "B", "Sum", 60, [], "b")];
    const pages = [];
    for await (const page of paginateGetMetricData({ client: cw, pageSize: 50 }, { MetricDataQueries: queries, StartTime: sec(T0 - 3 * 3_600_000), EndTime: sec(T0) })) pages.push(page);
    expect(pages).toHaveLength(5);
    expect(pages[0]!.MetricDataResults!.map((r) => r.StatusCode)).toEqual(["PartialData", "PartialData"]);
    expect(pages[4]!.MetricDataResults!.map((r) => r.StatusCode)).toEqual(["Complete", "Complete"]);
    const merged = { a: [] as number[], b: [] as number[], at: [] as number[] };
    for (const p of pages) {
      const total = p.MetricDataResults!.reduce((s, r) => s + r.Values!.length, 0);
      expect(total).toBeLessThanOrEqual(50);
      for (const r of p.MetricDataResults!) {
        merged[r.Id as "a" | "b"].push(...r.Values!);
        if (r.Id === "a") merged.at.push(...r.Timestamps!.map((t) => t.getTime()));
      }
    }
    // Default ScanBy is TimestampDescending: newest first, across pages.
    expect(merged.a).toEqual(Array.from({ length: 120 }, (_, m) => m));
    expect(merged.b).toEqual(Array.from({ length: 120 }, (_, m) => 1000 + m));
    expect(merged.at[0]).toBeGreaterThan(merged.at[1]!);
    const asc = await getData([queries[0]!], T0 - 3 * 3_600_000, T0, { ScanBy: "TimestampAscending" });
    expect(asc[0]!.Values![0]).toBe(119);
  });

  it("evaluates simple metric math and omits ReturnData=false queries", async () => {
    const n = ns();
    await cw.send(
      new PutMetricDataCommand({
        Namespace: n,
        MetricData: [
          { MetricName: "Errors", Timestamp: sec(T0 - 60_000), Value: 5 },
          { MetricName: "Invocations", Timestamp: sec(T0 - 60_000), Value: 50 },
          { MetricName: "Invocations", Timestamp: sec(T0 - 120_000), Value: 10 },
        ],
      }),
    );
    const results = await getData(
      [
        { ...stat(n, "Errors", "Sum", 60, [], "e"), ReturnData: false },
        { ...stat(n, "Invocations", "Sum", 60, [], "i"), ReturnData: false },
        { Id: "rate", Expression: "e / i * 100", Label: "Error rate" },
        { Id: "filled", Expression: "FILL(e, 0)" },
      ],
      T0 - 600_000,
      T0,
      { ScanBy: "TimestampAscending" },
    );
    expect(results.map((r) => r.Id)).toEqual(["rate", "filled"]);
    expect(results[0]!.Values).toEqual([10]);
    expect(results[0]!.Label).toBe("Error rate");
    expect(results[1]!.Values).toEqual([0, 5]);
    const bad = await cw.send(new GetMetricDataCommand({ MetricDataQueries: [{ Id: "x", Expression: "nope(1" }], StartTime: sec(T0 - 60_000), EndTime: sec(T0) })).catch((e: Error) => e);
    expect((bad as Error).name).toBe("ValidationException");
  });

  it("stores high-resolution data per second", async () => {
    const n = ns();
    await cw.send(
      new PutMetricDataCommand({
        Namespace: n,
        MetricData: [0, 1, 2, 11, 12].map((s) => ({ MetricName: "Hi", Timestamp: sec(T0 - 60_000 + s * 1000), Value: s, StorageResolution: 1 })),
      }),
    );
    const [r] = await getData([stat(n, "Hi", "SampleCount", 10)], T0 - 60_000, T0, { ScanBy: "TimestampAscending" });
    expect(r!.Timestamps!.map((t) => (t.getTime() - (T0 - 60_000)) / 1000)).toEqual([0, 10]);
    expect(r!.Values).toEqual([3, 2]);
  });

  it("makes late data visible only after lateMs (delayed CloudWatch data)", async () => {
    const n = ns();
    sandbox.setFaults({ "monitoring:PutMetricData": { lateRate: 1, lateMs: 120_000 } });
    await cw.send(new PutMetricDataCommand({ Namespace: n, MetricData: [{ MetricName: "Late", Timestamp: sec(T0 - 60_000), Value: 3 }] }));
    sandbox.setFaults({});
    expect((await getData([stat(n, "Late", "Sum")], T0 - 600_000, T0))[0]!.Values).toEqual([]);
    clock = T0 + 120_000;
    expect((await getData([stat(n, "Late", "Sum")], T0 - 600_000, T0))[0]!.Values).toEqual([3]);
  });

  it("accepts in-process writes (putMetricData internals) for AWS/ namespaces", async () => {
    sandbox.context.internals.putMetricData("AWS/Lambda", [
      { MetricName: "Invocations", Dimensions: [{ Name: "FunctionName", Value: "internal-fn" }], Timestamp: new Date(T0 - 60_000), Value: 2, Unit: "Count" },
      { MetricName: "Invocations", Dimensions: [{ Name: "FunctionName", Value: "internal-fn" }], Timestamp: T0 - 60_000, Value: 3, Unit: "Count" },
    ]);
    const [r] = await getData([stat("AWS/Lambda", "Invocations", "Sum", 60, [{ Name: "FunctionName", Value: "internal-fn" }])], T0 - 600_000, T0);
    expect(r!.Values).toEqual([5]);
  });
});

describe("PutMetricData validation", () => {
  it("rejects what AWS rejects, with the SDK's exception classes", async () => {
    const put = (input: ConstructorParameters<typeof PutMetricDataCommand>[0]) => cw.send(new PutMetricDataCommand(input)).catch((e: Error) => e);
    // AWS/ namespaces are accepted on purpose: the simulator plays AWS's services through this API.
    const awsNs = await put({ Namespace: "AWS/Lambda", MetricData: [{ MetricName: "X", Value: 1 }] });
    expect(awsNs).not.toBeInstanceOf(Error);
    const colon = await put({ Namespace: ":bad", MetricData: [{ MetricName: "X", Value: 1 }] });
    expect(colon).toBeInstanceOf(InvalidParameterValueException);
    const both = await put({ Namespace: ns(), MetricData: [{ MetricName: "X", Value: 1, StatisticValues: { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 } }] });
    expect(both).toBeInstanceOf(InvalidParameterCombinationException);
    const old = await put({ Namespace: ns(), MetricData: [{ MetricName: "X", Value: 1, Timestamp: sec(T0 - 15 * 24 * 3_600_000) }] });
    expect(old).toBeInstanceOf(InvalidParameterValueException);
    expect((old as Error).message).toMatch(/past two weeks/);
    const future = await put({ Namespace: ns(), MetricData: [{ MetricName: "X", Value: 1, Timestamp: sec(T0 + 3 * 3_600_000) }] });
    expect(future).toBeInstanceOf(InvalidParameterValueException);
    const counts = await put({ Namespace: ns(), MetricData: [{ MetricName: "X", Values: [1, 2], Counts: [1] }] });
    expect(counts).toBeInstanceOf(InvalidParameterValueException);
  });
});

describe("GetMetricStatistics", () => {
  it("returns Statistics or ExtendedStatistics per aligned period", async () => {
    const n = ns();
    const dims = [{ Name: "ApiName", Value: "shop" }, { Name: "Stage", Value: "prod" }];
    await cw.send(
      new PutMetricDataCommand({
        Namespace: n,
        MetricData: [
          { MetricName: "Latency", Dimensions: dims, Timestamp: sec(T0 - 30 * 60_000), Values: [10, 20, 30, 40], Unit: "Milliseconds" },
          { MetricName: "Latency", Dimensions: dims, Timestamp: sec(T0 - 90 * 60_000), Value: 100, Unit: "Milliseconds" },
          // Same name, extra dimension: a different series that AWS (unlike moto) does not sum in.
          { MetricName: "Latency", Dimensions: [...dims, { Name: "Resource", Value: "/cart" }], Timestamp: sec(T0 - 30 * 60_000), Value: 999, Unit: "Milliseconds" },
        ],
      }),
    );
    const base = { Namespace: n, MetricName: "Latency", Dimensions: dims, StartTime: sec(T0 - 2 * 3_600_000), EndTime: sec(T0), Period: 3600 };
    const simple = await cw.send(new GetMetricStatisticsCommand({ ...base, Statistics: ["Sum", "SampleCount", "Maximum"] }));
    expect(simple.Label).toBe("Latency");
    const dps = [...simple.Datapoints!].sort((a, b) => a.Timestamp!.getTime() - b.Timestamp!.getTime());
    expect(dps.map((d) => [d.Timestamp!.getTime(), d.Sum, d.SampleCount, d.Maximum, d.Unit])).toEqual([
      [Date.UTC(2025, 5, 2, 10), 100, 1, 100, "Milliseconds"],
      [Date.UTC(2025, 5, 2, 11), 100, 4, 40, "Milliseconds"],
    ]);
    const ext = await cw.send(new GetMetricStatisticsCommand({ ...base, ExtendedStatistics: ["p50", "p99"] }));
    const last = ext.Datapoints!.find((d) => d.Timestamp!.getTime() === Date.UTC(2025, 5, 2, 11))!;
    expect(last.ExtendedStatistics).toEqual({ p50: 20, p99: 40 });
    const wrongUnit = await cw.send(new GetMetricStatisticsCommand({ ...base, Statistics: ["Sum"], Unit: "Seconds" }));
    expect(wrongUnit.Datapoints).toEqual([]);
    const both = await cw.send(new GetMetricStatisticsCommand({ ...base, Statistics: ["Sum"], ExtendedStatistics: ["p50"] })).catch((e: Error) => e);
    expect(both).toBeInstanceOf(InvalidParameterCombinationException);
    const tooMany = await cw.send(new GetMetricStatisticsCommand({ ...base, StartTime: sec(T0 - 2 * 86_400_000), Period: 60, Statistics: ["Sum"] })).catch((e: Error) => e);
    expect(tooMany).toBeInstanceOf(InvalidParameterCombinationException);
    expect((tooMany as Error).message).toMatch(/limit of 1,440/);
  });
});

describe("ListMetrics", () => {
  it("filters by namespace, name, dimensions and RecentlyActive, and paginates", async () => {
    const n = ns();
    const data: MetricDatum[] = [];
    for (let i = 0; i < 7; i++) data.push({ MetricName: "Invocations", Dimensions: [{ Name: "FunctionName", Value: `fn-${i}` }], Timestamp: sec(T0), Value: 1 });
    data.push({ MetricName: "Errors", Dimensions: [{ Name: "FunctionName", Value: "fn-0" }, { Name: "Resource", Value: "fn-0:live" }], Timestamp: sec(T0), Value: 1 });
    await cw.send(new PutMetricDataCommand({ Namespace: n, MetricData: data }));
    // The same datum twice is still one metric.
    await cw.send(new PutMetricDataCommand({ Namespace: n, MetricData: [data[0]!] }));

    sandbox.setFaults({ "monitoring:ListMetrics": { pageSize: 3 } });
    const all = [];
    let pages = 0;
    for await (const page of paginateListMetrics({ client: cw }, { Namespace: n })) {
      pages++;
      all.push(...page.Metrics!);
    }
    sandbox.setFaults({});
    expect(pages).toBe(3);
    expect(all).toHaveLength(8);
    expect(new Set(all.map((m) => JSON.stringify(m))).size).toBe(8);

    const byName = await cw.send(new ListMetricsCommand({ Namespace: n, MetricName: "Errors" }));
    expect(byName.Metrics).toEqual([{ Namespace: n, MetricName: "Errors", Dimensions: [{ Name: "FunctionName", Value: "fn-0" }, { Name: "Resource", Value: "fn-0:live" }] }]);
    const byDimName = await cw.send(new ListMetricsCommand({ Namespace: n, Dimensions: [{ Name: "Resource" }] }));
    expect(byDimName.Metrics!.map((m) => m.MetricName)).toEqual(["Errors"]);
    const byDimValue = await cw.send(new ListMetricsCommand({ Namespace: n, Dimensions: [{ Name: "FunctionName", Value: "fn-0" }] }));
    expect(byDimValue.Metrics!.map((m) => m.MetricName).sort()).toEqual(["Errors", "Invocations"]);

    clock = T0 + 4 * 3_600_000;
    await cw.send(new PutMetricDataCommand({ Namespace: n, MetricData: [{ MetricName: "Fresh", Timestamp: sec(clock), Value: 1 }] }));
    const recent = await cw.send(new ListMetricsCommand({ Namespace: n, RecentlyActive: "PT3H" }));
    expect(recent.Metrics!.map((m) => m.MetricName)).toEqual(["Fresh"]);
    const bad = await cw.send(new ListMetricsCommand({ NextToken: "not-a-token" })).catch((e: Error) => e);
    expect((bad as Error).name).toBe("InvalidNextToken");
  });
});

describe("throttling", () => {
  it("answers Throttling (400), which the SDK retries", async () => {
    const n = ns();
    await cw.send(new PutMetricDataCommand({ Namespace: n, MetricData: [{ MetricName: "T", Timestamp: sec(T0 - 60_000), Value: 1 }] }));
    sandbox.setFaults({ "monitoring:GetMetricData": { throttleRate: 1 } });
    const once = client({ maxAttempts: 1 });
    const err = (await once.send(new GetMetricDataCommand({ MetricDataQueries: [stat(n, "T", "Sum")], StartTime: sec(T0 - 600_000), EndTime: sec(T0) })).catch((e) => e)) as {
      name: string;
      $metadata: { httpStatusCode: number };
    };
    once.destroy();
    expect(err.name).toBe("Throttling");
    expect(err.$metadata.httpStatusCode).toBe(400);

    sandbox.setFaults({ "monitoring:GetMetricData": { throttleRate: 0.5 } });
    sandbox.resetStats();
    const retrying = client({ maxAttempts: 10 });
    for (let i = 0; i < 6; i++) {
      const out = await retrying.send(new GetMetricDataCommand({ MetricDataQueries: [stat(n, "T", "Sum")], StartTime: sec(T0 - 600_000), EndTime: sec(T0) }));
      expect(out.MetricDataResults![0]!.Values).toEqual([1]);
    }
    retrying.destroy();
    expect(sandbox.stats()["monitoring:GetMetricData"]!.throttled).toBeGreaterThan(0);
  });
});

describe("snapshots", () => {
  it("restores series, distributions and held-back data from a snapshot file", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faasight-cw-"));
    const statePath = path.join(dir, "state.json");
    let t = T0;
    const first = await startSandbox({ port: 0, now: () => t, statePath, faults: {} });
    const c1 = new CloudWatchClient({ endpoint: first.url, region: "us-east-1", credentials });
    const values = Array.from({ length: 150 }, (_, i) => i + 1);
    await c1.send(new PutMetricDataCommand({ Namespace: "Snap", MetricData: [0, 1].map(() => ({ MetricName: "D", Timestamp: sec(T0 - 60_000), Values: values })) }));
    first.setFaults({ "monitoring:PutMetricData": { lateRate: 1, lateMs: 60_000 } });
    await c1.send(new PutMetricDataCommand({ Namespace: "Snap", MetricData: [{ MetricName: "Held", Timestamp: sec(T0 - 60_000), Value: 9 }] }));
    c1.destroy();
    await first.close();

    t = T0 + 60_000;
    const second = await startSandbox({ port: 0, now: () => t, statePath });
    const c2 = new CloudWatchClient({ endpoint: second.url, region: "us-east-1", credentials });
    const out = await c2.send(
      new GetMetricDataCommand({
        MetricDataQueries: [stat("Snap", "D", "SampleCount", 60, [], "n"), stat("Snap", "D", "p50", 60, [], "p"), stat("Snap", "Held", "Sum", 60, [], "h")],
        StartTime: sec(T0 - 600_000),
        EndTime: sec(T0),
      }),
    );
    c2.destroy();
    await second.close();
    fs.rmSync(dir, { recursive: true, force: true });
    const byId = Object.fromEntries(out.MetricDataResults!.map((r) => [r.Id!, r.Values!]));
    expect(byId.n).toEqual([300]);
    expect(Math.abs(byId.p![0]! - 75) / 75).toBeLessThanOrEqual(0.02);
    expect(byId.h).toEqual([9]);
  });
});
