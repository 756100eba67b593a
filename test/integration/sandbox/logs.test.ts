import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteSubscriptionFilterCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  DescribeSubscriptionFiltersCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  InvalidParameterException,
  LimitExceededException,
  PutLogEventsCommand,
  PutSubscriptionFilterCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  paginateDescribeLogGroups,
  paginateFilterLogEvents,
  paginateGetLogEvents,
  type FilteredLogEvent,
  type FilterLogEventsCommandInput,
} from "@aws-sdk/client-cloudwatch-logs";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import { startSandbox, type Sandbox } from "../../../lib/sandbox/server.ts";
import type { LogsService } from "../../../lib/sandbox/services/logs.ts";
import { parseFirehoseEnv, type SubscriptionPayload } from "../../../lib/sandbox/services/logs-subscriptions.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const T0 = Date.UTC(2025, 5, 2, 12, 0, 0);

let clock = T0;
let sandbox: Sandbox;
let logs: CloudWatchLogsClient;
let service: LogsService;
let uniq = 0;
const groupName = () => `/aws/lambda/test-fn-${++uniq}`;

function client(maxAttempts = 3): CloudWatchLogsClient {
  return new CloudWatchLogsClient({ endpoint: sandbox.url, region: "us-east-1", credentials, retryStrategy: new ConfiguredRetryStrategy(maxAttempts, () => 5) });
}

async function createGroupWithStreams(group: string, streams: Record<string, { timestamp: number; message: string }[]>): Promise<void> {
  await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
  for (const [stream, events] of Object.entries(streams)) {
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
    if (events.length) await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: events }));
  }
}

async function filterAll(input: FilterLogEventsCommandInput, c = logs): Promise<FilteredLogEvent[]> {
  const out: FilteredLogEvent[] = [];
  for await (const page of paginateFilterLogEvents({ client: c }, input)) out.push(...(page.events ?? []));
  return out;
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, now: () => clock, seed: 11 });
  logs = client();
  service = sandbox.services.find((s) => s.signingName === "logs") as LogsService;
});

afterAll(async () => {
  logs.destroy();
  await sandbox.close();
});

beforeEach(() => {
  clock = T0;
  sandbox.setFaults({});
});

describe("log groups and streams", () => {
  it("creates, describes and deletes groups with AWS's errors", async () => {
    const g = groupName();
    await logs.send(new CreateLogGroupCommand({ logGroupName: g, tags: { team: "payments" } }));
    await expect(logs.send(new CreateLogGroupCommand({ logGroupName: g }))).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    await expect(logs.send(new CreateLogGroupCommand({ logGroupName: "bad name!" }))).rejects.toBeInstanceOf(InvalidParameterException);
    const described = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: g }));
    expect(described.logGroups).toEqual([
      {
        logGroupName: g,
        creationTime: T0,
        metricFilterCount: 0,
        arn: `arn:aws:logs:us-east-1:123456789012:log-group:${g}:*`,
        logGroupArn: `arn:aws:logs:us-east-1:123456789012:log-group:${g}`,
        storedBytes: 0,
        logGroupClass: "STANDARD",
      },
    ]);
    await logs.send(new DeleteLogGroupCommand({ logGroupName: g }));
    await expect(logs.send(new DeleteLogGroupCommand({ logGroupName: g }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(logs.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: "s" }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it("pages DescribeLogGroups 50 at a time (paginateDescribeLogGroups)", async () => {
    const prefix = `/paged-${++uniq}/`;
    for (let i = 0; i < 73; i++) await logs.send(new CreateLogGroupCommand({ logGroupName: `${prefix}${String(i).padStart(3, "0")}` }));
    const pages: number[] = [];
    const names: string[] = [];
    for await (const page of paginateDescribeLogGroups({ client: logs }, { logGroupNamePrefix: prefix })) {
      pages.push(page.logGroups!.length);
      names.push(...page.logGroups!.map((g) => g.logGroupName!));
    }
    expect(pages).toEqual([50, 23]);
    expect(names).toEqual(Array.from({ length: 73 }, (_, i) => `${prefix}${String(i).padStart(3, "0")}`));
    const pattern = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePattern: `PAGED-${uniq}/07` }));
    expect(pattern.logGroups!.map((g) => g.logGroupName)).toEqual(Array.from({ length: 3 }, (_, i) => `${prefix}07${i}`));
    const limited = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: prefix, limit: 5 }));
    expect(limited.logGroups).toHaveLength(5);
    expect(limited.nextToken).toBeDefined();
  });

  it("describes streams by name or last event time", async () => {
    const g = groupName();
    await createGroupWithStreams(g, {
      "2025/06/02/[$LATEST]aaa": [{ timestamp: T0 - 3000, message: "a1" }, { timestamp: T0 - 1000, message: "a2" }],
      "2025/06/02/[3]bbb": [{ timestamp: T0 - 500, message: "b1" }],
      "2025/06/02/[$LATEST]ccc": [{ timestamp: T0 - 9000, message: "c1" }],
    });
    const byName = await logs.send(new DescribeLogStreamsCommand({ logGroupName: g }));
    expect(byName.logStreams!.map((s) => s.logStreamName)).toEqual(["2025/06/02/[$LATEST]aaa", "2025/06/02/[$LATEST]ccc", "2025/06/02/[3]bbb"]);
    const a = byName.logStreams![0]!;
    expect(a).toMatchObject({ creationTime: T0, firstEventTimestamp: T0 - 3000, lastEventTimestamp: T0 - 1000, lastIngestionTime: T0, storedBytes: 0 });
    expect(a.arn).toBe(`arn:aws:logs:us-east-1:123456789012:log-group:${g}:log-stream:2025/06/02/[$LATEST]aaa`);
    const byTime = await logs.send(new DescribeLogStreamsCommand({ logGroupName: g, orderBy: "LastEventTime", descending: true }));
    expect(byTime.logStreams!.map((s) => s.logStreamName)).toEqual(["2025/06/02/[3]bbb", "2025/06/02/[$LATEST]aaa", "2025/06/02/[$LATEST]ccc"]);
    const prefixed = await logs.send(new DescribeLogStreamsCommand({ logGroupIdentifier: `arn:aws:logs:us-east-1:123456789012:log-group:${g}`, logStreamNamePrefix: "2025/06/02/[$LATEST]", limit: 1 }));
    expect(prefixed.logStreams!.map((s) => s.logStreamName)).toEqual(["2025/06/02/[$LATEST]aaa"]);
    const second = await logs.send(new DescribeLogStreamsCommand({ logGroupName: g, logStreamNamePrefix: "2025/06/02/[$LATEST]", limit: 1, nextToken: prefixed.nextToken }));
    expect(second.logStreams!.map((s) => s.logStreamName)).toEqual(["2025/06/02/[$LATEST]ccc"]);
    expect(second.nextToken).toBeUndefined();
    await expect(logs.send(new DescribeLogStreamsCommand({ logGroupName: g, orderBy: "LastEventTime", logStreamNamePrefix: "x" }))).rejects.toBeInstanceOf(InvalidParameterException);
    const groups = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: g }));
    expect(groups.logGroups![0]!.storedBytes).toBe(8);
  });
});

describe("PutLogEvents", () => {
  it("enforces batch rules and reports rejected events like AWS", async () => {
    const g = groupName();
    await createGroupWithStreams(g, { s: [] });
    const put = (logEvents: { timestamp: number; message: string }[]) => logs.send(new PutLogEventsCommand({ logGroupName: g, logStreamName: "s", logEvents }));
    await expect(put([{ timestamp: T0, message: "b" }, { timestamp: T0 - 1, message: "a" }])).rejects.toThrow(/chronological order/);
    await expect(put([{ timestamp: T0 - 25 * 3_600_000, message: "a" }, { timestamp: T0, message: "b" }])).rejects.toThrow(/24 hours/);
    await expect(logs.send(new PutLogEventsCommand({ logGroupName: g, logStreamName: "missing", logEvents: [{ timestamp: T0, message: "x" }] }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    const old = await put([{ timestamp: T0 - 15 * 86_400_000, message: "too old" }, { timestamp: T0 - 15 * 86_400_000 + 5, message: "too old 2" }]);
    expect(old.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 1 });
    const mixed = await put([{ timestamp: T0, message: "now" }, { timestamp: T0 + 3 * 3_600_000, message: "too new" }]);
    expect(mixed.rejectedLogEventsInfo).toEqual({ tooNewLogEventStartIndex: 1 });
    expect(mixed.nextSequenceToken).toMatch(/^\d{56}$/);
    const events = await filterAll({ logGroupName: g });
    expect(events.map((e) => e.message)).toEqual(["now"]);
  });

  it("creates groups and streams for in-process writes (putLogEvents internals)", async () => {
    const g = groupName();
    sandbox.context.internals.putLogEvents(g, "2025/06/02/[$LATEST]abc", [
      { timestamp: T0 - 10, message: "END RequestId: 1" },
      { timestamp: T0 - 20, message: "START RequestId: 1 Version: $LATEST" },
    ]);
    const events = await filterAll({ logGroupName: g });
    expect(events.map((e) => e.message)).toEqual(["START RequestId: 1 Version: $LATEST", "END RequestId: 1"]);
  });
});

describe("FilterLogEvents", () => {
  const g = "/aws/lambda/filtering";
  beforeAll(async () => {
    const lines = (stream: string, start: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        timestamp: start + i * 10,
        message:
          i % 5 === 0
            ? JSON.stringify({ level: "ERROR", ms: i * 10, requestId: `${stream}-${i}` })
            : i % 7 === 0
              ? `Task timed out after 3.00 seconds (${stream} ${i})`
              : `INFO ${stream} request ${i} ok`,
      }));
    await createGroupWithStreams(g, { "s/a": lines("a", T0 - 100_000, 40), "s/b": lines("b", T0 - 100_005, 40), "t/c": lines("c", T0 - 50_000, 10) });
  });

  it("merges streams by timestamp and pages with paginateFilterLogEvents", async () => {
    const all = await filterAll({ logGroupName: g, limit: 7 });
    expect(all).toHaveLength(90);
    const keys = all.map((e) => [e.timestamp!, e.eventId!] as const);
    const sorted = [...keys].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
    expect(keys).toEqual(sorted);
    expect(new Set(all.map((e) => e.eventId)).size).toBe(90);
    expect(all.every((e) => /^\d{56}$/.test(e.eventId!) && e.ingestionTime === T0)).toBe(true);
    // Event ids are stable across reads.
    const again = await filterAll({ logGroupName: g });
    expect(again.map((e) => e.eventId)).toEqual(all.map((e) => e.eventId));
    const first = await logs.send(new FilterLogEventsCommand({ logGroupName: g, limit: 7 }));
    expect(first.events).toHaveLength(7);
    expect(first.nextToken).toBeDefined();
    expect(first.searchedLogStreams).toEqual([]);
  });

  it("applies the time window (startTime and endTime inclusive, as documented) and stream selection", async () => {
    const start = T0 - 100_000 + 100;
    const end = T0 - 100_000 + 200;
    const inWindow = await filterAll({ logGroupName: g, startTime: start, endTime: end, logStreamNames: ["s/a"] });
    expect(inWindow.map((e) => e.timestamp)).toEqual(Array.from({ length: 11 }, (_, i) => start + i * 10));
    const prefixed = await filterAll({ logGroupIdentifier: `arn:aws:logs:us-east-1:123456789012:log-group:${g}:*`, logStreamNamePrefix: "t/" });
    expect(prefixed).toHaveLength(10);
    expect(new Set(prefixed.map((e) => e.logStreamName))).toEqual(new Set(["t/c"]));
    await expect(logs.send(new FilterLogEventsCommand({ logGroupName: g, logStreamNames: ["s/a"], logStreamNamePrefix: "s/" }))).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(logs.send(new FilterLogEventsCommand({ logGroupName: "/does/not/exist" }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it("matches terms, phrases, ?any, -exclusions, JSON and space-delimited patterns", async () => {
    const count = async (filterPattern: string) => (await filterAll({ logGroupName: g, filterPattern })).length;
    expect(await count("INFO ok")).toBe(2 * 28 + 7);
    expect(await count('"Task timed out"')).toBe(2 * 4 + 1);
    expect(await count("?ERROR ?timed")).toBe(2 * 8 + 2 + 2 * 4 + 1);
    expect(await count("INFO -ok")).toBe(0);
    // "request" is in INFO lines and in the JSON lines' requestId key; stream a's lines all contain "a".
    expect(await count("request -a")).toBe(28 + 7 + 8 + 2);
    expect(await count("info")).toBe(0);
    expect(await count('{ $.level = "ERROR" }')).toBe(2 * 8 + 2);
    expect(await count('{ $.level = "ERROR" && $.ms >= 300 }')).toBe(2 * 2);
    expect(await count('{ $.requestId = "c-*" }')).toBe(2);
    expect(await count("[level = INFO, stream, ..., last = ok]")).toBe(2 * 28 + 7);
    await expect(logs.send(new FilterLogEventsCommand({ logGroupName: g, filterPattern: "{ $.level = }" }))).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it("retries injected ThrottlingException transparently", async () => {
    sandbox.resetStats();
    sandbox.setFaults({ "logs:FilterLogEvents": { throttleRate: 0.3 } });
    const c = client(10);
    const all = await filterAll({ logGroupName: g, limit: 5 }, c);
    c.destroy();
    expect(all).toHaveLength(90);
    expect(new Set(all.map((e) => e.eventId)).size).toBe(90);
    const stats = sandbox.stats()["logs:FilterLogEvents"]!;
    expect(stats.throttled).toBeGreaterThan(0);
    const once = client(1);
    sandbox.setFaults({ "logs:FilterLogEvents": { throttleRate: 1 } });
    const err = (await once.send(new FilterLogEventsCommand({ logGroupName: g })).catch((e) => e)) as { name: string; $metadata: { httpStatusCode: number } };
    once.destroy();
    expect(err.name).toBe("ThrottlingException");
    expect(err.$metadata.httpStatusCode).toBe(400);
  });
});

describe("page limits (10,000 events or 1 MB, as AWS documents for FilterLogEvents and GetLogEvents)", () => {
  const g = "/aws/lambda/page-limits";
  const many = Array.from({ length: 25_000 }, (_, i) => ({ timestamp: T0 - 200_000 + i, message: `m ${i}` }));
  // 10,000 bytes + 26 bytes of per-event overhead: floor(1,048,576 / 10,026) = 104 events fit in 1 MB.
  const big = Array.from({ length: 300 }, (_, i) => ({ timestamp: T0 - 100_000 + i, message: String(i).padStart(10_000, "x") }));
  beforeAll(async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: g }));
    for (const [stream, events, batch] of [["many", many, 10_000], ["big", big, 100]] as const) {
      await logs.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: stream }));
      for (let i = 0; i < events.length; i += batch) await logs.send(new PutLogEventsCommand({ logGroupName: g, logStreamName: stream, logEvents: events.slice(i, i + batch) }));
    }
  });

  it("FilterLogEvents returns at most 10,000 events per page by default, and pages through the rest", async () => {
    const first = await logs.send(new FilterLogEventsCommand({ logGroupName: g, logStreamNames: ["many"] }));
    expect(first.events).toHaveLength(10_000);
    expect(first.nextToken).toBeDefined();
    const pages: number[] = [];
    for await (const page of paginateFilterLogEvents({ client: logs }, { logGroupName: g, logStreamNames: ["many"] })) pages.push(page.events!.length);
    expect(pages).toEqual([10_000, 10_000, 5_000]);
    await expect(logs.send(new FilterLogEventsCommand({ logGroupName: g, limit: 10_001 }))).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it("FilterLogEvents stops a page before it exceeds 1 MB", async () => {
    const pages: string[][] = [];
    for await (const page of paginateFilterLogEvents({ client: logs }, { logGroupName: g, logStreamNames: ["big"] })) pages.push(page.events!.map((e) => e.message!));
    expect(pages.map((p) => p.length)).toEqual([104, 104, 92]);
    expect(pages.flat()).toEqual(big.map((e) => e.message));
  });

  it("GetLogEvents pages by the same limits, forward from the head", async () => {
    const head = await logs.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: "many", startFromHead: true }));
    expect(head.events).toHaveLength(10_000);
    expect(head.events![9_999]!.message).toBe("m 9999");
    const next = await logs.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: "many", startFromHead: true, nextToken: head.nextForwardToken }));
    expect(next.events![0]!.message).toBe("m 10000");
    const bigHead = await logs.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: "big", startFromHead: true }));
    expect(bigHead.events).toHaveLength(104);
    // Without startFromHead: the newest events that fit.
    const tail = await logs.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: "big" }));
    expect(tail.events!.map((e) => e.message)).toEqual(big.slice(-104).map((e) => e.message));
    await expect(logs.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: "many", limit: 10_001 }))).rejects.toBeInstanceOf(InvalidParameterException);
  });
});

describe("GetLogEvents", () => {
  it("pages forward and backward with AWS's token semantics", async () => {
    const g = groupName();
    const events = Array.from({ length: 25 }, (_, i) => ({ timestamp: T0 - 1000 + i, message: `line ${i}` }));
    await createGroupWithStreams(g, { s: events });
    const head = await logs.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: "s", startFromHead: true, limit: 10 }));
    expect(head.events!.map((e) => e.message)).toEqual(events.slice(0, 10).map((e) => e.message));
    expect(head.nextForwardToken).toMatch(/^f\/\d{56}$/);
    expect(head.nextBackwardToken).toMatch(/^b\/\d{56}$/);
    const fwd = [];
    // GetLogEvents never omits its token; the paginator stops when the same token comes back.
    for await (const page of paginateGetLogEvents({ client: logs, stopOnSameToken: true }, { logGroupName: g, logStreamName: "s", startFromHead: true, limit: 10 })) fwd.push(...page.events!);
    expect(fwd.map((e) => e.message)).toEqual(events.map((e) => e.message));
    // At the end, the same forward token comes back.
    const end = await logs.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: "s", limit: 10, nextToken: head.nextForwardToken }));
    const end2 = await logs.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: "s", limit: 10, nextToken: end.nextForwardToken }));
    const end3 = await logs.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: "s", limit: 10, nextToken: end2.nextForwardToken }));
    const end4 = await logs.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: "s", limit: 10, nextToken: end3.nextForwardToken }));
    expect(end3.events).toHaveLength(0);
    expect(end4.nextForwardToken).toBe(end3.nextForwardToken);

    const tail = await logs.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: "s", limit: 10 }));
    expect(tail.events!.map((e) => e.message)).toEqual(events.slice(15).map((e) => e.message));
    const before = await logs.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: "s", limit: 10, nextToken: tail.nextBackwardToken }));
    expect(before.events!.map((e) => e.message)).toEqual(events.slice(5, 15).map((e) => e.message));
    // New events appear after the tail's forward token.
    await logs.send(new PutLogEventsCommand({ logGroupName: g, logStreamName: "s", logEvents: [{ timestamp: T0 + 5, message: "new" }] }));
    const fresh = await logs.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: "s", nextToken: tail.nextForwardToken }));
    expect(fresh.events!.map((e) => e.message)).toEqual(["new"]);
    const windowed = await logs.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: "s", startTime: T0 - 1000, endTime: T0 - 990, startFromHead: true }));
    expect(windowed.events).toHaveLength(10);
    await expect(logs.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: "s", nextToken: "x/123" }))).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it("holds late events back and ingests them later with their original timestamps", async () => {
    const g = groupName();
    await createGroupWithStreams(g, { s: [] });
    sandbox.setFaults({ "logs:PutLogEvents": { lateRate: 1, lateMs: 30_000 } });
    await logs.send(new PutLogEventsCommand({ logGroupName: g, logStreamName: "s", logEvents: [{ timestamp: T0 - 5_000, message: "late" }] }));
    sandbox.setFaults({});
    expect(await filterAll({ logGroupName: g })).toEqual([]);
    clock = T0 + 30_000;
    const [e] = await filterAll({ logGroupName: g });
    expect(e).toMatchObject({ message: "late", timestamp: T0 - 5_000, ingestionTime: T0 + 30_000 });
  });
});

describe("subscription filters", () => {
  it("puts, describes and deletes filters (max 2 per group)", async () => {
    const g = groupName();
    await createGroupWithStreams(g, {});
    const put = (filterName: string, destinationArn = "arn:aws:lambda:us-east-1:123456789012:function:shipper") =>
      logs.send(new PutSubscriptionFilterCommand({ logGroupName: g, filterName, filterPattern: "ERROR", destinationArn }));
    await put("one");
    await put("two", "arn:aws:firehose:us-east-1:123456789012:deliverystream/unregistered");
    await put("one"); // updating an existing filter is not a new one
    await expect(put("three")).rejects.toBeInstanceOf(LimitExceededException);
    const described = await logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: g }));
    expect(described.subscriptionFilters!.map((f) => [f.filterName, f.logGroupName, f.filterPattern, f.distribution, f.creationTime])).toEqual([
      ["one", g, "ERROR", "ByLogStream", T0],
      ["two", g, "ERROR", "ByLogStream", T0],
    ]);
    const prefixed = await logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: g, filterNamePrefix: "tw" }));
    expect(prefixed.subscriptionFilters!.map((f) => f.filterName)).toEqual(["two"]);
    await logs.send(new DeleteSubscriptionFilterCommand({ logGroupName: g, filterName: "one" }));
    await expect(logs.send(new DeleteSubscriptionFilterCommand({ logGroupName: g, filterName: "one" }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: "/nope" }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(logs.send(new PutSubscriptionFilterCommand({ logGroupName: g, filterName: "bad", filterPattern: "", destinationArn: "not-an-arn" }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    await service.flushSubscriptions();
  });

  it("delivers matching events to a Firehose HTTP endpoint in the documented format, retrying failures", async () => {
    const requests: { headers: http.IncomingHttpHeaders; body: { requestId: string; timestamp: number; records: { data: string }[] } }[] = [];
    let failNext = 1;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        requests.push({ headers: req.headers, body });
        if (failNext > 0) {
          failNext--;
          res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify({ requestId: body.requestId, timestamp: Date.now(), errorMessage: "try again" }));
          return;
        }
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ requestId: body.requestId, timestamp: Date.now() }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/ingest`;
    try {
      service.registerFirehoseEndpoint("faasight-ingest", { url, accessKey: "secret-key" });
      const g = groupName();
      await createGroupWithStreams(g, { s1: [], s2: [] });
      await logs.send(
        new PutSubscriptionFilterCommand({ logGroupName: g, filterName: "errors", filterPattern: "?ERROR ?REPORT", destinationArn: "arn:aws:firehose:us-east-1:123456789012:deliverystream/faasight-ingest" }),
      );
      await logs.send(
        new PutLogEventsCommand({
          logGroupName: g,
          logStreamName: "s1",
          logEvents: [
            { timestamp: T0 - 3, message: "START RequestId: r1" },
            { timestamp: T0 - 2, message: "ERROR boom" },
            { timestamp: T0 - 1, message: "REPORT RequestId: r1\tDuration: 1.00 ms" },
          ],
        }),
      );
      await logs.send(new PutLogEventsCommand({ logGroupName: g, logStreamName: "s2", logEvents: [{ timestamp: T0, message: "ERROR two" }] }));
      await service.flushSubscriptions();

      // The first POST fails; its retry keeps the request id. (A timed flush may have split the batch.)
      const [failed, ...delivered] = requests;
      const ok = delivered.find((r) => r.body.requestId === failed!.body.requestId);
      expect(ok).toBeDefined();
      expect(new Set(delivered.map((r) => r.body.requestId)).size).toBe(delivered.length);
      expect(ok!.headers["x-amz-firehose-request-id"]).toBe(ok!.body.requestId);
      expect(ok!.headers["x-amz-firehose-access-key"]).toBe("secret-key");
      expect(ok!.headers["x-amz-firehose-protocol-version"]).toBe("1.0");
      expect(ok!.headers["x-amz-firehose-source-arn"]).toBe("arn:aws:firehose:us-east-1:123456789012:deliverystream/faasight-ingest");
      expect(JSON.parse(String(ok!.headers["x-amz-firehose-common-attributes"]))).toEqual({ commonAttributes: {} });
      expect(ok!.headers["content-type"]).toBe("application/json");
      const payloads = delivered.flatMap((r) => r.body.records).map((r) => JSON.parse(zlib.gunzipSync(Buffer.from(r.data, "base64")).toString("utf8")) as SubscriptionPayload);
      expect(payloads[0]).toMatchObject({ messageType: "CONTROL_MESSAGE", owner: "CloudwatchLogs" });
      const data = payloads.filter((p) => p.messageType === "DATA_MESSAGE");
      expect(data.map((p) => [p.owner, p.logGroup, p.logStream, p.subscriptionFilters])).toEqual([
        ["123456789012", g, "s1", ["errors"]],
        ["123456789012", g, "s2", ["errors"]],
      ]);
      expect(data[0]!.logEvents.map((e) => e.message)).toEqual(["ERROR boom", "REPORT RequestId: r1\tDuration: 1.00 ms"]);
      const stored = await filterAll({ logGroupName: g, logStreamNames: ["s1"] });
      expect(data[0]!.logEvents.map((e) => e.id)).toEqual([stored[1]!.eventId, stored[2]!.eventId]);
      expect(data[1]!.logEvents).toEqual([{ id: expect.stringMatching(/^\d{56}$/), timestamp: T0, message: "ERROR two" }]);
      expect(service.subscriptionStats()).toMatchObject({ failedAttempts: 1 });
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("invokes a Lambda destination asynchronously with {awslogs:{data}}", async () => {
    const calls: { arn: string; payload: string; type: string }[] = [];
    const original = sandbox.context.internals.invokeLambda;
    sandbox.context.internals.invokeLambda = async (arn, payload, type) => {
      calls.push({ arn, payload, type });
      return { statusCode: 202, requestId: "r", executedVersion: "$LATEST", payload: "" };
    };
    try {
      const g = groupName();
      await createGroupWithStreams(g, { s: [] });
      const arn = "arn:aws:lambda:us-east-1:123456789012:function:log-shipper";
      await logs.send(new PutSubscriptionFilterCommand({ logGroupName: g, filterName: "all", filterPattern: "", destinationArn: arn }));
      sandbox.context.internals.putLogEvents(g, "s", [{ timestamp: T0, message: "hello" }]);
      await service.flushSubscriptions();
      expect(calls).toHaveLength(1);
      expect(calls[0]!.arn).toBe(arn);
      expect(calls[0]!.type).toBe("Event");
      const { awslogs } = JSON.parse(calls[0]!.payload) as { awslogs: { data: string } };
      const payload = JSON.parse(zlib.gunzipSync(Buffer.from(awslogs.data, "base64")).toString("utf8")) as SubscriptionPayload;
      expect(payload).toMatchObject({ messageType: "DATA_MESSAGE", logGroup: g, logStream: "s", subscriptionFilters: ["all"] });
      expect(payload.logEvents.map((e) => e.message)).toEqual(["hello"]);
    } finally {
      sandbox.context.internals.invokeLambda = original;
    }
  });
});

describe("configuration and snapshots", () => {
  it("reads Firehose endpoints from FAASIGHT_SANDBOX_FIREHOSE", () => {
    expect(parseFirehoseEnv(undefined)).toEqual({});
    expect(parseFirehoseEnv("")).toEqual({});
    expect(parseFirehoseEnv('{"ingest":{"url":"https://faasight.example.com/api/v1/ingest/firehose","accessKey":"k"}}')).toEqual({
      ingest: { url: "https://faasight.example.com/api/v1/ingest/firehose", accessKey: "k" },
    });
    expect(() => parseFirehoseEnv("{nope")).toThrow(/must be JSON/);
    expect(() => parseFirehoseEnv('{"ingest":{"url":"not a url"}}')).toThrow(/FAASIGHT_SANDBOX_FIREHOSE is invalid/);
  });

  it("restores groups, streams, event ids, filters and held-back events", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faasight-logs-"));
    const statePath = path.join(dir, "state.json");
    let t = T0;
    const first = await startSandbox({ port: 0, now: () => t, statePath });
    const c1 = new CloudWatchLogsClient({ endpoint: first.url, region: "us-east-1", credentials });
    await c1.send(new CreateLogGroupCommand({ logGroupName: "/snap" }));
    await c1.send(new CreateLogStreamCommand({ logGroupName: "/snap", logStreamName: "s" }));
    await c1.send(new PutLogEventsCommand({ logGroupName: "/snap", logStreamName: "s", logEvents: [{ timestamp: T0 - 2, message: "one" }, { timestamp: T0 - 1, message: "two" }] }));
    await c1.send(new PutSubscriptionFilterCommand({ logGroupName: "/snap", filterName: "f", filterPattern: "ERROR", destinationArn: "arn:aws:lambda:us-east-1:123456789012:function:x" }));
    first.setFaults({ "logs:PutLogEvents": { lateRate: 1, lateMs: 1000 } });
    await c1.send(new PutLogEventsCommand({ logGroupName: "/snap", logStreamName: "s", logEvents: [{ timestamp: T0, message: "held" }] }));
    const before = (await c1.send(new FilterLogEventsCommand({ logGroupName: "/snap" }))).events!;
    c1.destroy();
    await first.close();

    t = T0 + 1000;
    const second = await startSandbox({ port: 0, now: () => t, statePath });
    const c2 = new CloudWatchLogsClient({ endpoint: second.url, region: "us-east-1", credentials });
    await c2.send(new PutLogEventsCommand({ logGroupName: "/snap", logStreamName: "s", logEvents: [{ timestamp: T0 + 1, message: "after" }] }));
    const after = (await c2.send(new FilterLogEventsCommand({ logGroupName: "/snap" }))).events!;
    const filters = await c2.send(new DescribeSubscriptionFiltersCommand({ logGroupName: "/snap" }));
    c2.destroy();
    await second.close();
    fs.rmSync(dir, { recursive: true, force: true });
    expect(after.map((e) => e.message)).toEqual(["one", "two", "held", "after"]);
    expect(after.slice(0, 2)).toEqual(before);
    expect(new Set(after.map((e) => e.eventId)).size).toBe(4);
    expect(filters.subscriptionFilters!.map((f) => f.filterName)).toEqual(["f"]);
  });
});
