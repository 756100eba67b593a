// Property tests: every parser returns a typed result (never throws) for random, truncated and mutated input.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deserializeHistogram } from "../histogram/histogram.ts";
import { parseDestinationRecord, parseDlqMessage, parseFailedEvent, type SqsMessageLike } from "./failed-event.ts";
import fixture from "./fixtures/xray-apigw-lambda-cold.json";
import { LOG_LINE_KINDS, parseLambdaLogLine, parseLambdaLogMessage, toParseLogsJson, type ParsedLogLine } from "./lambda-log.ts";
import { functionNameFromLogGroup, parseLogStreamName } from "./log-stream.ts";
import { summarizeTrace } from "./xray.ts";

const RUNS = { numRuns: 3000 };
// Shallow JSON keeps generation cheap; depth is exercised separately in xray.test.ts.
const jv = fc.jsonValue({ maxDepth: 3 });
const RID = "8f507cfc-1f3a-4697-b07a-ac58fc914c95";

const LOG_SAMPLES = [
  `START RequestId: ${RID} Version: $LATEST\n`,
  `END RequestId: ${RID}\n`,
  `REPORT RequestId: ${RID}\tDuration: 15.74 ms\tBilled Duration: 16 ms\tMemory Size: 128 MB\tMax Memory Used: 56 MB\tInit Duration: 130.49 ms\t\nXRAY TraceId: 1-5e34a614-10bd4b4ff1fb44f07bc535a1\tSegmentId: 3d752a1be1bbe37e\tSampled: true\t\n`,
  `REPORT RequestId: ${RID}\tDuration: 12.34 ms \tBilled Duration: 100 ms \tMemory Size: 128 MB\tMax Memory Used: 18 MB\tRestore Duration: 511.25 ms\tBilled Restore Duration: 303 ms\tStatus: error\tError Type: Runtime.OutOfMemory\n`,
  "INIT_START Runtime Version: nodejs:20.v13\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:0a25e3e7\n",
  "INIT_REPORT Init Duration: 154.03 ms\tPhase: init\tStatus: error\tError Type: Runtime.ExitError\n",
  "EXTENSION\tName: datadog-agent\tState: Ready\tEvents: [INVOKE, SHUTDOWN]\n",
  `2024-01-29T16:41:15.998Z ${RID} Task timed out after 45.05 seconds\n`,
  `2024-05-01T10:00:00.000Z\t${RID}\tERROR\tInvoke Error \t{"errorType":"TypeError","errorMessage":"x is undefined","stack":["TypeError: x is undefined","    at handler (/var/task/index.js:2:9)"]}\n`,
  `2024-05-01T10:00:00.000Z\t${RID}\tINFO\tprocessing order 42\n`,
  '[ERROR] ValueError: bad input\nTraceback (most recent call last):\n  File "/var/task/app.py", line 5, in handler\n',
  `[INFO]\t2024-05-01T10:00:00.123Z\t${RID}\tFound credentials\n`,
  `RequestId: ${RID} Error: Runtime exited with error: signal: killed\nRuntime.ExitError\n`,
  `{"time":"2024-05-01T10:00:00.400Z","type":"platform.report","record":{"requestId":"${RID}","metrics":{"durationMs":92.95,"billedDurationMs":93,"memorySizeMB":512,"maxMemoryUsedMB":80,"initDurationMs":250.12},"tracing":{"spanId":"54565fb41ac79632","type":"X-Amzn-Trace-Id","value":"Root=1-62e900b2-710d76f009d6e7785905449a;Parent=0efbd19962d95b05;Sampled=1"},"status":"success"}}\n`,
  `{"time":"2024-05-01T10:00:00.000Z","type":"platform.initStart","record":{"initializationType":"on-demand","phase":"init","runtimeVersion":"nodejs:20.v13","functionName":"checkout","functionVersion":"$LATEST"}}`,
  `{"timestamp":"2024-05-01T10:00:00.260Z","level":"ERROR","requestId":"${RID}","message":{"errorType":"TypeError","errorMessage":"x is undefined","stackTrace":["TypeError: x"]}}`,
];

/** Characters that steer the parsers into their interesting branches. */
const logAlphabet = fc.constantFrom(
  "\t", "\n", "\r", " ", ":", ": ", "{", "}", "[", "]", '"', ",", "0", "9", ".", "-", "T", "Z", "ms", "MB",
  "REPORT RequestId: ", "START RequestId: ", "END RequestId: ", "XRAY TraceId: ", "Duration: ", "Billed Duration: ",
  "Memory Size: ", "Max Memory Used: ", "Init Duration: ", "Status: ", "Error Type: ", "INIT_START", "INIT_REPORT",
  "Task timed out after ", "RequestId: ", "Error: Runtime exited", "[ERROR] ", "[INFO]\t", "INFO\t", "ERROR\t",
  "Invoke Error \t", "2024-05-01T10:00:00.000Z", '"type":"platform.report"', '"record":', '"level":"ERROR"',
  "undefined", "\u00a0", "\u2028", "😀", "9".repeat(400), "1e999",
);

/** A real sample cut at a random point, optionally with random text spliced in. */
function mutated(samples: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...samples), fc.nat(), fc.nat(), fc.string({ unit: logAlphabet, maxLength: 4 }), fc.boolean())
    .map(([s, cut, at, insert, splice]) => {
      const truncated = s.slice(0, cut % (s.length + 1));
      if (!splice) return truncated;
      const pos = at % (s.length + 1);
      return s.slice(0, pos) + insert + s.slice(pos);
    });
}

const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.string({ unit: logAlphabet, maxLength: 30 }),
  mutated(LOG_SAMPLES),
  fc.json(),
  jv.map((v) => JSON.stringify(v) ?? ""),
);

const platformLike = fc
  .record({
    time: fc.oneof(fc.string(), jv),
    type: fc.constantFrom("platform.report", "platform.start", "platform.initStart", "platform.runtimeDone", "platform.initReport", "platform."),
    record: fc.oneof(
      jv,
      fc.record({
        requestId: fc.oneof(fc.string(), jv),
        status: jv,
        metrics: fc.dictionary(fc.constantFrom("durationMs", "billedDurationMs", "memorySizeMB", "maxMemoryUsedMB", "initDurationMs"), fc.oneof(fc.double(), jv)),
        tracing: fc.oneof(jv, fc.record({ spanId: jv, value: fc.string({ unit: fc.constantFrom("Root=", "Parent=", "Sampled=", "1", ";", "=", "x") }) })),
      }),
    ),
  })
  .map((o) => JSON.stringify(o));

const appJsonLike = fc
  .record({
    timestamp: jv,
    level: fc.oneof(fc.constantFrom("INFO", "ERROR", "WARN", "FATAL", "critical"), jv),
    requestId: jv,
    message: jv,
    errorType: jv,
    errorMessage: jv,
    stackTrace: jv,
  }, { requiredKeys: [] })
  .map((o) => JSON.stringify(o));

const VALID_KINDS = new Set<string>(LOG_LINE_KINDS);

function checkLine(line: ParsedLogLine): boolean {
  if (!VALID_KINDS.has(line.kind)) return false;
  if (line.kind === "unparsed") return typeof line.reason === "string" && line.reason.length > 0;
  if (line.kind === "report") {
    const numbers = [line.durationMs, line.billedDurationMs, line.memorySizeMb, line.maxMemoryUsedMb];
    if (!numbers.every(Number.isFinite) || line.requestId.length === 0) return false;
  }
  if (line.kind === "timeout" && !Number.isFinite(line.timeoutSeconds)) return false;
  // The CLI's flat shape survives JSON unchanged: every number finite (no NaN/Infinity turned into null).
  const flat = toParseLogsJson(line);
  if (flat.kind !== line.kind) return false;
  if (Object.values(flat).some((v) => typeof v === "number" && !Number.isFinite(v))) return false;
  return JSON.stringify(JSON.parse(JSON.stringify(flat))) === JSON.stringify(flat);
}

describe("lambda log parsers never throw", () => {
  it("parseLambdaLogLine on random, truncated and structured input", () => {
    fc.assert(
      fc.property(fc.oneof(anyText, platformLike, appJsonLike), (text) => checkLine(parseLambdaLogLine(text))),
      { ...RUNS, seed: 101 },
    );
  });

  it("parseLambdaLogMessage on multi-line messages", () => {
    const message = fc.array(fc.oneof(anyText, platformLike, appJsonLike), { maxLength: 6 }).map((parts) => parts.join("\n"));
    fc.assert(
      fc.property(message, (text) => {
        const out = parseLambdaLogMessage(text);
        return Array.isArray(out) && out.every(checkLine);
      }),
      { ...RUNS, seed: 102 },
    );
  });

  it("every real sample still parses to a known kind when truncated", () => {
    for (const sample of LOG_SAMPLES) {
      for (let cut = 0; cut <= sample.length; cut++) {
        for (const line of parseLambdaLogMessage(sample.slice(0, cut))) expect(checkLine(line)).toBe(true);
      }
    }
  });
});

describe("log stream and group names never throw", () => {
  const streamish = fc.oneof(
    fc.string(),
    fc.string({ unit: fc.constantFrom("2024", "/", "05", "[", "]", "$LATEST", "12", "0123456789abcdef", "fn", "/aws/lambda/", "us-east-1.", ".") }),
  );
  it("parseLogStreamName and functionNameFromLogGroup", () => {
    fc.assert(
      fc.property(streamish, (name) => {
        const s = parseLogStreamName(name);
        const g = functionNameFromLogGroup(name);
        return (s.kind === "log_stream" || s.kind === "unparsed") && (g.kind === "log_group" || g.kind === "unparsed");
      }),
      { ...RUNS, seed: 103 },
    );
  });
});

describe("summarizeTrace never throws", () => {
  const ids = fc.constantFrom("a", "b", "c", "d", "66083ccfc311f302", "5f8d1a23aa89bd66");
  const segmentish: fc.Arbitrary<Record<string, unknown>> = fc.letrec<{ seg: Record<string, unknown> }>((tie) => ({
    seg: fc.record(
      {
        id: fc.oneof(ids, jv),
        name: fc.oneof(fc.constantFrom("Initialization", "Restore", "Invocation", "Lambda"), jv),
        start_time: fc.oneof(fc.double(), jv),
        end_time: fc.oneof(fc.double(), jv),
        parent_id: fc.oneof(ids, jv),
        origin: fc.oneof(fc.constantFrom("AWS::Lambda", "AWS::Lambda::Function"), jv),
        namespace: fc.oneof(fc.constantFrom("aws", "remote"), jv),
        fault: jv,
        http: jv,
        aws: jv,
        resource_arn: fc.oneof(fc.constantFrom("arn:aws:lambda:us-east-1:123456789012:function:f:3"), fc.string()),
        cause: jv,
        subsegments: fc.oneof(jv, fc.array(tie("seg"), { maxLength: 3 })),
      },
      { requiredKeys: [] },
    ) as fc.Arbitrary<Record<string, unknown>>,
  })).seg;
  const docs = fc.array(
    fc.oneof(fc.string(), fc.json(), mutated(fixture.documents), segmentish.map((s) => JSON.stringify(s))),
    { maxLength: 6 },
  );

  it("on random, truncated and structured documents", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constant(fixture.traceId)), docs, (traceId, documents) => {
        const s = summarizeTrace(traceId, documents);
        if (s.kind === "unparsed") return typeof s.reason === "string" && s.malformed >= 0;
        return (
          s.kind === "trace" &&
          s.segments.length > 0 &&
          s.malformed >= 0 &&
          s.malformed <= documents.length &&
          s.segments.every((x) => Number.isFinite(x.startMs) && Number.isFinite(x.durationMs) && x.depth >= 0)
        );
      }),
      { numRuns: 2000, seed: 104 },
    );
  });
});

describe("failed-event parsers never throw", () => {
  const attrValue = fc.oneof(
    fc.record({ DataType: fc.constantFrom("String", "Number"), StringValue: fc.oneof(fc.string(), jv) }, { requiredKeys: [] }),
    fc.record({ dataType: fc.string(), stringValue: fc.oneof(fc.string(), jv) }, { requiredKeys: [] }),
    jv,
  );
  const destinationish = fc
    .record(
      {
        version: jv,
        timestamp: jv,
        requestContext: fc.oneof(
          jv,
          fc.record({ requestId: jv, functionArn: fc.oneof(fc.string(), fc.constant("arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST")), condition: jv, approximateInvokeCount: jv }, { requiredKeys: [] }),
        ),
        requestPayload: jv,
        responseContext: jv,
        responsePayload: jv,
        "detail-type": fc.constantFrom("Lambda Function Invocation Result - Failure", "x"),
        detail: jv,
        Type: fc.constantFrom("Notification", "x"),
        Message: fc.oneof(fc.string(), jv),
        MessageAttributes: fc.dictionary(fc.constantFrom("RequestID", "ErrorCode", "ErrorMessage"), jv),
      },
      { requiredKeys: [] },
    )
    .map((o) => JSON.stringify(o));
  const message = fc.oneof(
    fc.anything(),
    fc.record(
      {
        MessageId: fc.oneof(fc.string(), jv),
        messageId: fc.oneof(fc.string(), jv),
        Body: fc.oneof(fc.string(), fc.json(), destinationish, jv),
        body: fc.oneof(fc.string(), destinationish),
        Attributes: fc.oneof(fc.dictionary(fc.constantFrom("ApproximateReceiveCount", "SentTimestamp", "DeadLetterQueueSourceArn"), fc.oneof(fc.string(), jv)), jv),
        MessageAttributes: fc.oneof(fc.dictionary(fc.constantFrom("RequestID", "ErrorCode", "ErrorMessage", "other"), attrValue), jv),
      },
      { requiredKeys: [] },
    ),
  );
  const ok = (r: { kind: string }) => r.kind === "failed_event" || r.kind === "unparsed";

  it("parseFailedEvent, parseDlqMessage and parseDestinationRecord", () => {
    fc.assert(
      fc.property(message, (msg) => {
        const m = msg as SqsMessageLike;
        const all = [parseFailedEvent(m), parseDlqMessage(m), parseDestinationRecord(m), parseDestinationRecord((m as { Body?: unknown })?.Body)];
        return all.every(ok) && all.every((r) => r.kind !== "failed_event" || (typeof r.payload === "string" && typeof r.messageId === "string"));
      }),
      { ...RUNS, seed: 105 },
    );
  });
});

describe("histogram deserialization never throws", () => {
  it("on random and truncated text", () => {
    const valid = '{"v":1,"n":5,"s":203,"lo":0,"hi":101,"z":1,"b":[0,2,116,2]}';
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), mutated([valid])), (text) => {
        const r = deserializeHistogram(text);
        return r.kind === "histogram" || r.kind === "unparsed";
      }),
      { ...RUNS, seed: 106 },
    );
  });
});
