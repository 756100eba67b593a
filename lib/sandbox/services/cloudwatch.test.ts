import { describe, expect, it } from "vitest";
import { AwsServiceError, type MetricDatumInput, type SandboxContext, type SandboxRequest } from "../core.ts";
import { CloudWatchService } from "./cloudwatch.ts";
import { SeriesLookup, seriesId } from "./cloudwatch-store.ts";

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
const sec = (ms: number) => ms / 1000;

function context(): SandboxContext {
  return {
    accountId: "123456789012",
    region: "us-east-1",
    now: () => NOW,
    random: () => 0.5,
    internals: {} as SandboxContext["internals"],
    runInvocation: async () => {
      throw new Error("not used");
    },
    faults: () => ({}),
    pageSize: (_s, _o, d) => d,
    touch: () => {},
  };
}

function call(service: CloudWatchService, ctx: SandboxContext, operation: string, input: unknown): Promise<unknown> {
  const req: SandboxRequest = {
    method: "POST",
    path: "/",
    rawPath: "/",
    query: new URLSearchParams(),
    headers: { "x-amz-target": `GraniteServiceVersion20100801.${operation}`, "content-type": "application/x-amz-json-1.0" },
    body: Buffer.from(JSON.stringify(input)),
    service: "monitoring",
    region: "us-east-1",
    requestId: "r",
  };
  return service
    .resolve(req, ctx)!
    .run()
    .then((res) => JSON.parse(String(res.body)));
}

async function failure(data: unknown[]): Promise<{ code: string; message: string } | string> {
  const ctx = context();
  try {
    await call(new CloudWatchService(ctx), ctx, "PutMetricData", { Namespace: "Test", MetricData: data });
    return "accepted";
  } catch (err) {
    if (err instanceof AwsServiceError) return { code: err.code, message: err.message };
    return `${(err as Error).name}`;
  }
}

const fn = [{ Name: "FunctionName", Value: "checkout" }];
const m1 = (field: string) => `MetricData.member.1.${field}`;

describe("PutMetricData validation", () => {
  const cases: { name: string; data: unknown[]; expected: { code: string; message: string } | string }[] = [
    { name: "a plain value", data: [{ MetricName: "X", Dimensions: fn, Value: 1 }], expected: "accepted" },
    { name: "Values with Counts", data: [{ MetricName: "X", Values: [1, 2], Counts: [1, 0] }], expected: "accepted" },
    { name: "a statistic set", data: [{ MetricName: "X", StatisticValues: { SampleCount: 2, Sum: 3, Minimum: 1, Maximum: 2 } }], expected: "accepted" },
    { name: "empty Values with a Value", data: [{ MetricName: "X", Values: [], Value: 3 }], expected: "accepted" },
    { name: "no MetricName", data: [{ Value: 1 }], expected: { code: "MissingRequiredParameterException", message: `The parameter ${m1("MetricName")} is required.` } },
    {
      name: "31 dimensions",
      data: [{ MetricName: "X", Value: 1, Dimensions: Array.from({ length: 31 }, (_, i) => ({ Name: `D${String(i).padStart(2, "0")}`, Value: "v" })) }],
      expected: { code: "InvalidParameterValueException", message: `The collection ${m1("Dimensions")} must not have a size greater than 30.` },
    },
    {
      name: "an empty dimension value, named by its sorted position",
      data: [{ MetricName: "X", Value: 1, Dimensions: [{ Name: "B", Value: "" }, { Name: "A", Value: "a" }] }],
      expected: { code: "InvalidParameterValueException", message: `The dimension ${m1("Dimensions.member.2")} must have a non-empty Name and Value.` },
    },
    {
      name: "duplicate dimension names, unsorted",
      data: [{ MetricName: "X", Value: 1, Dimensions: [{ Name: "B", Value: "1" }, { Name: "A", Value: "2" }, { Name: "B", Value: "3" }] }],
      expected: { code: "InvalidParameterValueException", message: `No metric may have duplicate dimension names (${m1("Dimensions")}).` },
    },
    {
      name: "duplicate dimension names, sorted",
      data: [{ MetricName: "X", Value: 1, Dimensions: [{ Name: "A", Value: "1" }, { Name: "A", Value: "1" }] }],
      expected: { code: "InvalidParameterValueException", message: `No metric may have duplicate dimension names (${m1("Dimensions")}).` },
    },
    { name: "Dimensions not a list", data: [{ MetricName: "X", Value: 1, Dimensions: { Name: "A", Value: "1" } }], expected: "TypeError" },
    { name: "StorageResolution 5", data: [{ MetricName: "X", Value: 1, StorageResolution: 5 }], expected: { code: "InvalidParameterValueException", message: `The parameter ${m1("StorageResolution")} must be 1 or 60.` } },
    {
      name: "a timestamp three hours ahead",
      data: [{ MetricName: "X", Value: 1, Timestamp: sec(NOW + 3 * 3600_000) }],
      expected: { code: "InvalidParameterValueException", message: `The parameter ${m1("Timestamp")} must specify a time no more than two hours in the future.` },
    },
    {
      name: "a timestamp fifteen days old",
      data: [{ MetricName: "X", Value: 1, Timestamp: sec(NOW - 15 * 24 * 3600_000) }],
      expected: { code: "InvalidParameterValueException", message: `The parameter ${m1("Timestamp")} must specify a time within the past two weeks.` },
    },
    ...[
      { Value: 1, Values: [1] },
      { Value: 1, StatisticValues: { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 } },
      { Values: [1], StatisticValues: { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 } },
    ].map((datum) => ({
      name: `more than one of ${Object.keys(datum).join(" and ")}`,
      data: [{ MetricName: "X", ...datum }],
      expected: {
        code: "InvalidParameterCombinationException",
        message: `The parameters ${m1("Value")}, ${m1("Values")} and ${m1("StatisticValues")} are mutually exclusive and you have specified more than one.`,
      },
    })),
    ...[
      { SampleCount: 0, Sum: 0, Minimum: 0, Maximum: 0 },
      { SampleCount: 2, Sum: 3, Minimum: 2, Maximum: 1 },
      { SampleCount: 2, Sum: "3", Minimum: 1, Maximum: 2 },
      { SampleCount: 2, Minimum: 1, Maximum: 2 },
    ].map((StatisticValues) => ({
      name: `statistic set ${JSON.stringify(StatisticValues)}`,
      data: [{ MetricName: "X", StatisticValues }],
      expected: { code: "InvalidParameterValueException", message: `The parameter ${m1("StatisticValues")} must have SampleCount > 0, Minimum <= Maximum and finite numbers.` },
    })),
    {
      name: "151 values",
      data: [{ MetricName: "X", Values: Array.from({ length: 151 }, (_, i) => i) }],
      expected: { code: "InvalidParameterValueException", message: `The collection ${m1("Values")} must not have a size greater than 150.` },
    },
    { name: "a null among Values", data: [{ MetricName: "X", Values: [1, null] }], expected: { code: "InvalidParameterValueException", message: `The collection ${m1("Values")} must contain finite numbers.` } },
    { name: "Values not a list", data: [{ MetricName: "X", Values: "12" }], expected: "TypeError" },
    {
      name: "Counts of another length",
      data: [{ MetricName: "X", Values: [1, 2], Counts: [1] }],
      expected: { code: "InvalidParameterValueException", message: `The collections ${m1("Values")} and ${m1("Counts")} must be of the same size.` },
    },
    { name: "a negative count", data: [{ MetricName: "X", Values: [1, 2], Counts: [1, -1] }], expected: { code: "InvalidParameterValueException", message: `The collection ${m1("Counts")} must contain non-negative numbers.` } },
    { name: "Counts not a list", data: [{ MetricName: "X", Values: [1, 2], Counts: "12" }], expected: "TypeError" },
    { name: "a string Value", data: [{ MetricName: "X", Value: "1" }], expected: { code: "InvalidParameterValueException", message: `The parameter ${m1("Value")} must be a finite number.` } },
    {
      name: "no value at all",
      data: [{ MetricName: "X", Values: [] }],
      expected: { code: "MissingRequiredParameterException", message: `The parameter ${m1("Value")}, ${m1("Values")} or ${m1("StatisticValues")} is required.` },
    },
    {
      name: "a bad second datum, named member.2",
      data: [{ MetricName: "X", Value: 1 }, { MetricName: "Y" }],
      expected: { code: "MissingRequiredParameterException", message: "The parameter MetricData.member.2.Value, MetricData.member.2.Values or MetricData.member.2.StatisticValues is required." },
    },
  ];
  it.each(cases)("$name", async ({ data, expected }) => {
    expect(await failure(data)).toEqual(expected);
  });

  it("stores nothing of a call with one bad datum", async () => {
    const ctx = context();
    const cw = new CloudWatchService(ctx);
    await expect(call(cw, ctx, "PutMetricData", { Namespace: "T", MetricData: [{ MetricName: "X", Value: 1 }, { MetricName: "X", Value: "bad" }] })).rejects.toThrow(AwsServiceError);
    expect(cw.snapshot().series).toEqual([]);
  });
});

describe("PutMetricData storage", () => {
  it("aggregates Value, Values/Counts and StatisticValues per series, dimensions in any order", async () => {
    const ctx = context();
    const cw = new CloudWatchService(ctx);
    const t = sec(NOW - 30 * 60_000);
    const dims = [{ Name: "Stage", Value: "prod" }, { Name: "ApiName", Value: "shop" }];
    const data: MetricDatumInput[] = [
      { MetricName: "Latency", Dimensions: dims, Timestamp: t, Value: 10 },
      { MetricName: "Latency", Dimensions: [...dims].reverse(), Timestamp: t + 10, Values: [20, 30, 40], Counts: [2, 0, 1] },
      { MetricName: "Latency", Dimensions: dims, Timestamp: t + 20, StatisticValues: { SampleCount: 4, Sum: 100, Minimum: 5, Maximum: 50 } },
      { MetricName: "Latency", Timestamp: t, Value: 7 },
    ];
    await call(cw, ctx, "PutMetricData", { Namespace: "AWS/ApiGateway", MetricData: data });
    const stat = (Stat: string, Dimensions = dims) => ({
      Id: `q${Stat.toLowerCase()}${Dimensions.length}`,
      MetricStat: { Metric: { Namespace: "AWS/ApiGateway", MetricName: "Latency", Dimensions }, Period: 60, Stat },
    });
    const out = (await call(cw, ctx, "GetMetricData", {
      StartTime: t - 60,
      EndTime: t + 120,
      MetricDataQueries: [stat("SampleCount"), stat("Sum"), stat("Minimum"), stat("Maximum"), stat("Sum", [])],
    })) as { MetricDataResults: { Id: string; Values: number[] }[] };
    expect(Object.fromEntries(out.MetricDataResults.map((r) => [r.Id, r.Values]))).toEqual({
      qsamplecount2: [8],
      qsum2: [10 + 40 + 40 + 100],
      qminimum2: [5],
      qmaximum2: [50],
      qsum0: [7],
    });
    expect(cw.snapshot().series.map((s) => s.dims)).toEqual([
      [
        { Name: "ApiName", Value: "shop" },
        { Name: "Stage", Value: "prod" },
      ],
      [],
    ]);
  });

  it("keeps one series per series id, even for dimensions whose parts differ but join the same", () => {
    const ctx = context();
    const cw = new CloudWatchService(ctx);
    const t = sec(NOW);
    cw.putMetricDataInternal("N", [{ MetricName: "M", Dimensions: [{ Name: "A\u0001x", Value: "y" }], Value: 1, Timestamp: t }]);
    cw.putMetricDataInternal("N", [{ MetricName: "M", Dimensions: [{ Name: "A", Value: "x\u0001y" }], Value: 2, Timestamp: t }]);
    cw.putMetricDataInternal("N", [{ MetricName: "M", Dimensions: [{ Name: "A\u0001x", Value: "y" }], Value: 3, Timestamp: t }]);
    const series = cw.snapshot().series;
    expect(series.map((s) => [s.dims, s.c])).toEqual([[[{ Name: "A\u0001x", Value: "y" }], [-3]]]);
  });

  it("finds series again after a restore", () => {
    const ctx = context();
    const cw = new CloudWatchService(ctx);
    const datum = { MetricName: "M", Dimensions: [{ Name: "A", Value: "1" }], Value: 1, Timestamp: sec(NOW) };
    cw.putMetricDataInternal("N", [datum]);
    const copy = new CloudWatchService(ctx);
    copy.restore(JSON.parse(JSON.stringify(cw.snapshot())));
    copy.putMetricDataInternal("N", [datum]);
    cw.restore({ series: [], pending: [] });
    cw.putMetricDataInternal("N", [datum]);
    expect(copy.snapshot().series.map((s) => s.c)).toEqual([[2]]);
    expect(cw.snapshot().series.map((s) => s.c)).toEqual([[1]]);
  });

  it("keeps its own copy of in-process Values and Counts", () => {
    const ctx = context();
    const cw = new CloudWatchService(ctx);
    const values = [1, 2];
    const counts = [1, 1];
    cw.putMetricDataInternal("AWS/Lambda", [{ MetricName: "Duration", Values: values, Counts: counts, Timestamp: sec(NOW) }]);
    values[0] = 100;
    counts[0] = 5;
    cw.putMetricDataInternal("AWS/Lambda", [{ MetricName: "Duration", Value: 3, Timestamp: sec(NOW) }]);
    const [series] = cw.snapshot().series;
    expect(series!.c).toEqual([-3]);
    expect(series!.v).toEqual([6, 1, 3]);
  });
});

describe("seriesId", () => {
  it.each([
    { dims: [], id: "NS\u0000M\u0000" },
    { dims: [{ Name: "A", Value: "1" }], id: "NS\u0000M\u0000A\u00011" },
    {
      dims: [
        { Name: "A", Value: "1" },
        { Name: "B", Value: "2" },
      ],
      id: "NS\u0000M\u0000A\u00011\u0002B\u00012",
    },
  ])("$id", ({ dims, id }) => {
    expect(seriesId("NS", "M", dims)).toBe(id);
  });
});

describe("SeriesLookup", () => {
  const a1 = [{ Name: "A", Value: "1" }];
  const a1b2 = [
    { Name: "A", Value: "1" },
    { Name: "B", Value: "2" },
  ];
  const lookup = new SeriesLookup<string>();
  lookup.set("N", "M", [], "none");
  lookup.set("N", "M", a1, "a1");
  lookup.set("N", "M", a1b2, "a1b2");
  lookup.set("N", "M2", a1, "m2");
  it.each([
    { ns: "N", name: "M", dims: [], expected: "none" },
    { ns: "N", name: "M", dims: a1, expected: "a1" },
    { ns: "N", name: "M", dims: a1b2, expected: "a1b2" },
    { ns: "N", name: "M2", dims: a1, expected: "m2" },
    { ns: "N", name: "M2", dims: [], expected: undefined },
    { ns: "N", name: "M", dims: [{ Name: "A", Value: "2" }], expected: undefined },
    { ns: "N", name: "M", dims: [{ Name: "B", Value: "2" }], expected: undefined },
    { ns: "N", name: "M", dims: [...a1b2, { Name: "C", Value: "3" }], expected: undefined },
    { ns: "X", name: "M", dims: [], expected: undefined },
    { ns: "N", name: "A", dims: [], expected: undefined },
  ])("$ns $name $dims.length -> $expected", ({ ns, name, dims, expected }) => {
    expect(lookup.get(ns, name, dims)).toBe(expected);
  });

  it("forgets everything on clear", () => {
    const l = new SeriesLookup<number>();
    l.set("N", "M", a1, 1);
    l.clear();
    expect(l.get("N", "M", a1)).toBeUndefined();
  });
});
