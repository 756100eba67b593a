/**
 * The writer thread (ThreadWriter: this thread batches, a worker thread makes the SDK calls)
 * against a running sandbox: the same calls into two log groups, one through the in-thread
 * SdkWriter and one through the worker, read back through the SDK must be the same; errors
 * of the worker's calls reach the caller; a writer whose endpoint is gone fails its calls
 * (counted and reported) instead of hanging.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateLogGroupCommand, paginateFilterLogEvents } from "@aws-sdk/client-cloudwatch-logs";
import { CreateQueueCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { BatchGetTracesCommand } from "@aws-sdk/client-xray";
import { createAwsClients, sandboxTarget, type AwsClients } from "../../../lib/aws/clients.ts";
import { startSandbox, type Sandbox } from "../../../lib/sandbox/server.ts";
import { ThreadWriter } from "../../../lib/simulate/writer-thread.ts";
import { SdkWriter, type TelemetryWriter } from "../../../lib/simulate/writer.ts";
import { metricSums } from "./helpers.ts";

let sandbox: Sandbox;
let clients: AwsClients;
let queueUrl: string;
const T0 = Math.floor(Date.now() / 60_000) * 60_000 - 3 * 3600_000;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  clients = createAwsClients(sandboxTarget(sandbox.url));
  queueUrl = (await clients.sqs.send(new CreateQueueCommand({ QueueName: "thread-dlq" }))).QueueUrl!;
  for (const g of ["/aws/lambda/inthread", "/aws/lambda/worker"]) await clients.logs.send(new CreateLogGroupCommand({ logGroupName: g }));
});

afterAll(async () => {
  clients?.destroy();
  await sandbox?.close();
});

const traceId = (n: number) => `1-${Math.floor(T0 / 1000).toString(16)}-${n.toString(16).padStart(24, "0")}`;

/** The same telemetry, tagged by `tag`: 3 streams of out-of-order events, traces, metrics, a message. */
function feed(w: TelemetryWriter, tag: string, traceBase: number): void {
  for (let s = 0; s < 3; s++) {
    const events = Array.from({ length: 2500 }, (_, i) => ({ timestamp: T0 + i * 1000 + (i % 7 === 0 ? -500 : 0), message: `${tag} "stream ${s}" line ${i} ✓\t${"x".repeat(i % 300)}` }));
    w.log(`/aws/lambda/${tag}`, `2026/11/27/[$LATEST]${tag}${s}`, events);
  }
  const docs = Array.from({ length: 1200 }, (_, i) =>
    JSON.stringify({ id: (traceBase + i).toString(16).padStart(16, "0"), trace_id: traceId(traceBase + i), name: `${tag}-fn`, start_time: T0 / 1000 + i, end_time: T0 / 1000 + i + 0.25 }),
  );
  w.traces(docs, T0);
  w.metrics(
    Array.from({ length: 1500 }, (_, i) => ({
      namespace: "Faasight/Test",
      datum: { MetricName: "Calls", Dimensions: [{ Name: "Writer", Value: tag }], Timestamp: new Date(T0 + (i % 120) * 60_000), Value: 1 + (i % 3), Unit: "Count", StorageResolution: 60 },
    })),
  );
  w.message("thread-dlq", `${tag} message`, { Writer: { DataType: "String", StringValue: tag } }, T0);
}

async function messages(group: string): Promise<string[]> {
  const out: string[] = [];
  for await (const page of paginateFilterLogEvents({ client: clients.logs }, { logGroupName: group, startTime: T0 - 60_000, endTime: T0 + 86_400_000 })) {
    for (const e of page.events ?? []) out.push(`${e.logStreamName} ${e.timestamp} ${e.message}`);
  }
  return out.sort();
}

describe("ThreadWriter", () => {
  it("writes what the in-thread writer writes, with the same statistics", async () => {
    const inThread = new SdkWriter(clients, { concurrency: 4, queueUrls: { "thread-dlq": queueUrl }, knownGroups: ["/aws/lambda/inthread"] });
    const worker = new ThreadWriter({ target: sandboxTarget(sandbox.url), concurrency: 4, queueUrls: { "thread-dlq": queueUrl }, knownGroups: ["/aws/lambda/worker"] });
    feed(inThread, "inthread", 0x1000);
    feed(worker, "worker", 0x9000);
    await worker.backpressure();
    await Promise.all([inThread.close(), worker.close()]);
    expect(worker.errors.size).toBe(0);
    expect(inThread.errors.size).toBe(0);
    expect(worker.stats).toEqual(inThread.stats);
    expect(worker.stats).toMatchObject({ logEvents: 7500, createLogStream: 3, segments: 1200, datums: 1500, sendMessage: 1, failures: 0 });

    const [a, b] = await Promise.all([messages("/aws/lambda/inthread"), messages("/aws/lambda/worker")]);
    expect(b).toHaveLength(7500);
    expect(b).toEqual(a.map((line) => line.replaceAll("inthread", "worker")));

    const traces = await clients.xray.send(new BatchGetTracesCommand({ TraceIds: [traceId(0x9000), traceId(0x9000 + 1199)] }));
    expect(traces.Traces?.map((t) => JSON.parse(t.Segments![0]!.Document!).name)).toEqual(["worker-fn", "worker-fn"]);
    const sums = await metricSums(
      clients,
      ["inthread", "worker"].map((w) => ({ id: w, namespace: "Faasight/Test", metric: "Calls", dims: { Writer: w } })),
      T0,
      T0 + 3 * 3600_000,
    );
    expect(sums.worker).toBe(sums.inthread);
    expect(sums.worker).toBe(Array.from({ length: 1500 }, (_, i) => 1 + (i % 3)).reduce((x, y) => x + y, 0));
    const got = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"] }));
    expect(got.Messages?.map((m) => [m.Body, m.MessageAttributes?.Writer?.StringValue]).sort()).toEqual([
      ["inthread message", "inthread"],
      ["worker message", "worker"],
    ]);
  });

  it("reports the worker's failed calls to the caller", async () => {
    const seen: [string, string][] = [];
    const w = new ThreadWriter({ target: sandboxTarget(sandbox.url), concurrency: 2, queueUrls: {}, knownGroups: [] }, (op, err) => seen.push([op, (err as Error).message]));
    w.message("no-such-queue", "body", undefined);
    // A segment the endpoint rejects (no trace_id): an UnprocessedTraceSegment.
    w.traces([JSON.stringify({ id: "0123456789abcdef", name: "x", start_time: 1, end_time: 2 })]);
    await w.close();
    expect(w.stats.failures).toBe(2);
    expect([...w.errors.keys()].sort()).toEqual(["PutTraceSegments", "SendMessage"]);
    expect(seen.map(([op]) => op).sort()).toEqual(["PutTraceSegments", "SendMessage"]);
    expect(w.errors.get("SendMessage")).toContain("no queue URL for no-such-queue");
  });

  it("fails the calls of an endpoint that is gone instead of hanging", async () => {
    const gone = await startSandbox({ port: 0 });
    const url = gone.url;
    await gone.close();
    const w = new ThreadWriter({ target: { ...sandboxTarget(url), maxAttempts: 1, requestTimeoutMs: 2000 }, concurrency: 2, queueUrls: {}, knownGroups: ["/g"] });
    w.log("/g", "s", [{ timestamp: T0, message: "lost" }]);
    await w.close();
    expect(w.stats.failures).toBeGreaterThan(0);
    expect(w.stats.logEvents).toBe(0);
    expect([...w.errors.keys()]).toEqual(["CreateLogStream"]);
  });
});
