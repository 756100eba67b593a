import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloudWatchLogsClient, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { PutTraceSegmentsCommand, XRayClient } from "@aws-sdk/client-xray";
import {
  FragmentBuffer,
  PUT_TRACE_SEGMENTS_FRAME,
  enableFastSerialization,
  jsonStringArrayBody,
  logEventsBody,
  metricDatumJson,
  putLogEventsFrame,
  putMetricDataFrame,
  withEncodedBody,
} from "./fast-serde.ts";

// Captures request bodies and answers like AWS would for these operations.
let server: http.Server;
let url = "";
const seen: { path: string; target?: string; contentType?: string; body: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ path: req.url ?? "", target: req.headers["x-amz-target"] as string | undefined, contentType: req.headers["content-type"], body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(req.url?.startsWith("/TraceSegments") ? '{"UnprocessedTraceSegments":[]}' : "{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

const config = () => ({ endpoint: url, region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "b" }, disableRequestCompression: true });

async function bodies(send: (fast: boolean) => Promise<unknown>) {
  seen.length = 0;
  await send(false);
  await send(true);
  expect(seen).toHaveLength(2);
  const [sdk, fast] = seen;
  expect(fast!.path).toBe(sdk!.path);
  expect(fast!.target).toBe(sdk!.target);
  expect(fast!.contentType).toBe(sdk!.contentType);
  return [JSON.parse(sdk!.body), JSON.parse(fast!.body)];
}

describe("fast serialization", () => {
  it("builds the same PutLogEvents, PutMetricData and PutTraceSegments bodies as the SDK", async () => {
    const make = (fast: boolean) => {
      const clients = { logs: new CloudWatchLogsClient(config()), cloudwatch: new CloudWatchClient(config()), xray: new XRayClient(config()) };
      if (fast) enableFastSerialization(clients);
      return clients;
    };
    const logs = { logGroupName: "/aws/lambda/x", logStreamName: "2026/01/01/[$LATEST]abc", logEvents: [{ timestamp: 1767225600123, message: 'START "quoted" \t tab\nnewline é ✓' }] };
    const [a, b] = await bodies((fast) => make(fast).logs.send(new PutLogEventsCommand(logs)));
    expect(b).toEqual(a);
    const metrics = {
      Namespace: "AWS/Lambda",
      MetricData: [
        { MetricName: "Invocations", Dimensions: [{ Name: "FunctionName", Value: "x" }], Timestamp: new Date(1767225600000), Value: 3, Unit: "Count" as const, StorageResolution: 60 },
        { MetricName: "Duration", Dimensions: [{ Name: "FunctionName", Value: "x" }], Timestamp: new Date(1767225660000), Values: [1.5, 20.25], Counts: [2, 1], Unit: "Milliseconds" as const },
      ],
    };
    const [c, d] = await bodies((fast) => make(fast).cloudwatch.send(new PutMetricDataCommand(metrics)));
    expect(d).toEqual(c);
    const traces = { TraceSegmentDocuments: ['{"id":"0123456789abcdef","name":"x"}', '{"a":"\\"q\\""}'] };
    const [e, f] = await bodies((fast) => make(fast).xray.send(new PutTraceSegmentsCommand(traces)));
    expect(f).toEqual(e);
  });

  it("sends bodies encoded ahead in a FragmentBuffer as the SDK would serialize them, events in time order", async () => {
    const make = (fast: boolean) => {
      const clients = { logs: new CloudWatchLogsClient(config()), cloudwatch: new CloudWatchClient(config()), xray: new XRayClient(config()) };
      if (fast) enableFastSerialization(clients);
      return clients;
    };
    // Out of order (as access logs arrive), with equal timestamps whose order must be kept, and text that needs escaping.
    const events = [
      { timestamp: 1767225600500, message: "b first at .500" },
      { timestamp: 1767225600100, message: 'a "quoted" \t tab\nnewline é ✓ 𝄞' },
      { timestamp: 1767225600500, message: "c second at .500" },
      { timestamp: 1767225600000, message: "\u0000 control \u001f" },
    ];
    const group = "/aws/apigateway/shop-api/prod/access";
    const stream = 'stream "x"';
    const buffer = new FragmentBuffer(8); // tiny: grows several times
    for (const e of events) expect(buffer.add(e.message, e.timestamp)).toBe(Buffer.byteLength(e.message, "utf8"));
    expect(buffer.count).toBe(4);
    const sorted = events.map((e, i) => ({ e, i })).sort((x, y) => x.e.timestamp - y.e.timestamp || x.i - y.i).map((x) => x.e);
    const [a, b] = await bodies((fast) =>
      make(fast).logs.send(
        new PutLogEventsCommand(
          fast ? withEncodedBody({ logGroupName: group, logStreamName: stream, logEvents: [] }, logEventsBody(putLogEventsFrame(group, stream), buffer.contents())) : { logGroupName: group, logStreamName: stream, logEvents: sorted },
        ),
      ),
    );
    expect(b).toEqual(a);
    expect(b.logEvents.map((e: { message: string }) => e.message[0])).toEqual(["\u0000", "a", "b", "c"]);

    const data = [
      { MetricName: "Duration", Dimensions: [{ Name: "FunctionName", Value: "x" }], Timestamp: new Date(1767225660000), Values: [1.5, 20.25], Counts: [2, 1], Unit: "Milliseconds" as const, StorageResolution: 60 },
      { MetricName: "Errors", Dimensions: [{ Name: "FunctionName", Value: "x" }], Timestamp: new Date(1767225600000), Value: 0, Unit: "Count" as const },
    ];
    const datums = new FragmentBuffer();
    for (const d of data) datums.add(metricDatumJson(d));
    const [c, d] = await bodies((fast) =>
      make(fast).cloudwatch.send(new PutMetricDataCommand(fast ? withEncodedBody({ Namespace: "AWS/Lambda", MetricData: [] }, datums.body(putMetricDataFrame("AWS/Lambda"))) : { Namespace: "AWS/Lambda", MetricData: data })),
    );
    expect(d).toEqual(c);

    const docs = ['{"id":"0123456789abcdef","name":"x"}', '{"a":"\\"q\\" ✓"}'];
    const segments = new FragmentBuffer();
    for (const doc of docs) segments.add(JSON.stringify(doc));
    const [e, f] = await bodies((fast) => make(fast).xray.send(new PutTraceSegmentsCommand(fast ? withEncodedBody({ TraceSegmentDocuments: [] }, segments.body(PUT_TRACE_SEGMENTS_FRAME)) : { TraceSegmentDocuments: docs })));
    expect(f).toEqual(e);
    expect(f.TraceSegmentDocuments).toEqual(docs);
  });

  it("escapes raw UTF-8 strings into a JSON array exactly as JSON.stringify does", () => {
    const controls = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join("");
    const cases: string[][] = [
      [],
      [""],
      ["plain"],
      ['{"id":"0123456789abcdef","name":"x \\"quoted\\" \\\\ back"}'],
      [controls, "\u007f del", 'é ✓ 𝄞 "mixed" \\ \n\t'],
      ["a", "", "b,c", "[1,2]", '"', "\\"],
      Array.from({ length: 300 }, (_, i) => JSON.stringify({ i, s: "x".repeat(i), q: '"'.repeat(i % 5), n: "\n".repeat(i % 3) })),
    ];
    for (const strings of cases) {
      const buffer = new FragmentBuffer(4);
      for (const x of strings) buffer.add(x);
      const body = jsonStringArrayBody({ prefix: '{"TraceSegmentDocuments":[', suffix: "]}" }, buffer.contents());
      expect(body.toString("utf8")).toBe(JSON.stringify({ TraceSegmentDocuments: strings }));
      // The same strings as log messages, added in reverse time order: sent oldest first.
      const logs = new FragmentBuffer(4);
      strings.forEach((x, i) => logs.add(x, 1767225600000 + (strings.length - i) * 7));
      const events = strings.map((message, i) => ({ timestamp: 1767225600000 + (strings.length - i) * 7, message })).reverse();
      expect(logEventsBody(putLogEventsFrame("/g", "s"), logs.contents()).toString("utf8")).toBe(JSON.stringify({ logGroupName: "/g", logStreamName: "s", logEvents: events }));
    }
  });
});
