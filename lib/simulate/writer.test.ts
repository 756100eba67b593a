import { describe, expect, it } from "vitest";
import type { LogEventInput } from "../sandbox/core.ts";
import { PUT_TRACE_SEGMENTS_FRAME, jsonStringArrayBody, logEventsBody, putLogEventsFrame } from "./fast-serde.ts";
import { Batcher, LOG_BATCH_BYTES, LOG_BATCH_EVENTS, LOG_EVENT_OVERHEAD, METRIC_BATCH, TRACE_BATCH, type WriteRequest } from "./writer.ts";

function batches(feed: (b: Batcher) => void): WriteRequest[] {
  const out: WriteRequest[] = [];
  const b = new Batcher((r) => out.push(r));
  feed(b);
  b.flush();
  return out;
}

const bodyOf = (r: WriteRequest) =>
  JSON.parse(
    (r.kind === "traces"
      ? jsonStringArrayBody(PUT_TRACE_SEGMENTS_FRAME, r.docs)
      : r.kind === "logs"
        ? logEventsBody(putLogEventsFrame(r.group, r.stream), r.events)
        : Buffer.from((r as { body: Buffer }).body)
    ).toString("utf8"),
  );
const T0 = Date.parse("2026-11-20T00:00:00Z");
const events = (n: number, message: (i: number) => string, step = 1): LogEventInput[] => Array.from({ length: n }, (_, i) => ({ timestamp: T0 + i * step, message: message(i) }));

/** CloudWatch Logs' size of a batch: UTF-8 bytes of each message + 26. */
const logBytes = (list: { message: string }[]) => list.reduce((s, e) => s + Buffer.byteLength(e.message, "utf8") + LOG_EVENT_OVERHEAD, 0);

describe("Batcher: PutLogEvents batches as CloudWatch Logs limits them", () => {
  const cases: { name: string; events: LogEventInput[]; calls: number }[] = [
    { name: "one small batch", events: events(3, (i) => `line ${i}`), calls: 1 },
    { name: "10,000 events per call", events: events(LOG_BATCH_EVENTS + 1, (i) => `e${i}`), calls: 2 },
    { name: "1 MB per call (ASCII)", events: events(3000, () => "x".repeat(700)), calls: 3 },
    // 3-byte characters: the limit is in UTF-8 bytes, not characters.
    { name: "1 MB per call (multi-byte)", events: events(2000, () => "✓".repeat(300)), calls: 2 },
    { name: "escapes count as the raw text", events: events(4000, () => '"q"\t'.repeat(100)), calls: 2 },
    { name: "at most 24 hours per call", events: events(3, (i) => `e${i}`, 13 * 3600_000), calls: 2 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const out = batches((b) => b.log("/aws/lambda/f", "s", c.events));
      expect(out).toHaveLength(c.calls);
      const sent = out.flatMap((r) => bodyOf(r).logEvents as LogEventInput[]);
      expect(sent).toEqual(c.events);
      for (const r of out) {
        const body = bodyOf(r);
        expect(r).toMatchObject({ kind: "logs", group: "/aws/lambda/f", stream: "s", count: body.logEvents.length });
        expect(body.logEvents.length).toBeLessThanOrEqual(LOG_BATCH_EVENTS);
        expect(logBytes(body.logEvents)).toBeLessThanOrEqual(LOG_BATCH_BYTES);
        const times = body.logEvents.map((e: LogEventInput) => e.timestamp);
        expect(Math.max(...times) - Math.min(...times)).toBeLessThan(24 * 3600_000);
      }
      // Full batches only split where the next event would not fit.
      for (let i = 0; i + 1 < out.length; i++) {
        const here = bodyOf(out[i]!).logEvents;
        const next = bodyOf(out[i + 1]!).logEvents[0];
        const full = here.length === LOG_BATCH_EVENTS || logBytes([...here, next]) > LOG_BATCH_BYTES || next.timestamp - here[0].timestamp > 24 * 3600_000 - 60_000;
        expect(full).toBe(true);
      }
    });
  }

  it("sends each stream's events in time order (stable for equal timestamps), streams apart", () => {
    const out = batches((b) => {
      b.log("g", "a", [{ timestamp: T0 + 5, message: "a5" }]);
      b.log("g", "b", [{ timestamp: T0 + 1, message: "b1" }]);
      b.log("g", "a", [
        { timestamp: T0 + 2, message: "a2" },
        { timestamp: T0 + 5, message: "a5'" },
        { timestamp: T0 + 1, message: "a1" },
      ]);
    });
    expect(out.map((r) => [(r as { stream: string }).stream, bodyOf(r).logEvents.map((e: LogEventInput) => e.message)])).toEqual([
      ["a", ["a1", "a2", "a5", "a5'"]],
      ["b", ["b1"]],
    ]);
  });

  it("flushLogs sends only streams whose oldest buffered event is older than the cut", () => {
    const out: WriteRequest[] = [];
    const b = new Batcher((r) => out.push(r));
    b.log("g", "old", [{ timestamp: T0, message: "x" }]);
    b.log("g", "new", [{ timestamp: T0 + 10_000, message: "y" }]);
    b.flushLogs(T0 + 5000);
    expect(out.map((r) => (r as { stream: string }).stream)).toEqual(["old"]);
  });
});

describe("Batcher: traces, metrics and messages", () => {
  it("cuts segments at 500 per call and keeps the documents exact", () => {
    const docs = Array.from({ length: TRACE_BATCH + 2 }, (_, i) => JSON.stringify({ id: i.toString(16).padStart(16, "0"), name: `f "${i}" ✓` }));
    const out = batches((b) => b.traces(docs));
    expect(out.map((r) => (r as { count: number }).count)).toEqual([TRACE_BATCH, 2]);
    expect(out.flatMap((r) => bodyOf(r).TraceSegmentDocuments)).toEqual(docs);
  });

  it("cuts datums at 1,000 per call per namespace with timestamps in epoch seconds", () => {
    const datum = (i: number) => ({ MetricName: "Invocations", Dimensions: [{ Name: "FunctionName", Value: "f" }], Timestamp: new Date(T0 + i * 60_000), Value: i, Unit: "Count", StorageResolution: 60 });
    const out = batches((b) =>
      b.metrics([
        ...Array.from({ length: METRIC_BATCH + 1 }, (_, i) => ({ namespace: "AWS/Lambda", datum: datum(i) })),
        { namespace: "AWS/SQS", datum: datum(0) },
      ]),
    );
    expect(out.map((r) => [(r as { namespace: string }).namespace, (r as { count: number }).count])).toEqual([
      ["AWS/Lambda", METRIC_BATCH],
      ["AWS/Lambda", 1],
      ["AWS/SQS", 1],
    ]);
    expect(bodyOf(out[1]!)).toEqual({ Namespace: "AWS/Lambda", MetricData: [{ ...datum(METRIC_BATCH), Timestamp: (T0 + METRIC_BATCH * 60_000) / 1000 }] });
  });

  it("passes messages through at once", () => {
    const out: WriteRequest[] = [];
    new Batcher((r) => out.push(r)).message("dlq", "body", { RequestID: { DataType: "String", StringValue: "r" } });
    expect(out).toEqual([{ kind: "message", queue: "dlq", body: "body", attributes: { RequestID: { DataType: "String", StringValue: "r" } } }]);
  });
});
