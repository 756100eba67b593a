import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { deriveIdempotencyKey, discardRefusal, holdSecondsFor, planRedrive, planReinvoke, readStoredAttributes, resolveSourceQueue, type EventFacts } from "./plan.ts";

const SRC = "arn:aws:sqs:us-east-1:123456789012:shipments";
const base: EventFacts = {
  id: 7,
  messageId: "0b6f4a0e-0000-4000-8000-000000000007",
  sourceKind: "async_dlq",
  functionName: "orders",
  qualifier: null,
  requestId: "req-1",
  errorCode: "200",
  errorMessage: "boom",
  payload: '{"orderId":"o-7"}',
  attributesJson: JSON.stringify({ messageAttributes: { RequestID: "req-1", ErrorCode: "200" }, attributes: { SentTimestamp: "1700000000000" } }),
  status: "new",
  queue: { id: 3, name: "orders-dlq", url: "http://sqs/orders-dlq", arn: "arn:aws:sqs:us-east-1:123456789012:orders-dlq", role: "dlq", feedsJson: "[]" },
  functionTimeoutSec: 30,
  invocationQualifier: null,
  failedAttempts: 0,
};
const ev = (over: Partial<EventFacts>): EventFacts => ({ ...base, ...over });
const big = (bytes: number) => JSON.stringify({ p: "x".repeat(bytes - 8) });

describe("planReinvoke refusals", () => {
  const cases: { name: string; facts: EventFacts; type?: "Event" | "RequestResponse"; functionName?: string; code?: string; message?: RegExp }[] = [
    { name: "a new async DLQ event", facts: base },
    { name: "failed again may be retried", facts: ev({ status: "failed_again" }) },
    { name: "already replayed", facts: ev({ status: "replayed" }), code: "not_eligible", message: /already replayed/ },
    { name: "in progress or in doubt", facts: ev({ status: "replaying" }), code: "not_eligible", message: /in progress, or its outcome is unknown/ },
    { name: "discarded", facts: ev({ status: "discarded" }), code: "not_eligible" },
    { name: "gone from its queue", facts: ev({ status: "gone" }), code: "not_eligible", message: /no longer in its queue/ },
    { name: "an ESM DLQ message", facts: ev({ sourceKind: "esm_dlq" }), code: "not_invocable", message: /Redrive it to its source queue/ },
    { name: "a Kinesis batch pointer", facts: ev({ sourceKind: "destination", payload: '{"KinesisBatchInfo":{"shardId":"s-1"}}' }), code: "not_invocable", message: /re-read the batch/ },
    { name: "an empty destination payload", facts: ev({ sourceKind: "destination", payload: "" }), code: "no_payload" },
    { name: "a body that is not JSON", facts: ev({ payload: "plain text" }), code: "not_json" },
    { name: "no function name", facts: ev({ functionName: null }), code: "unknown_function" },
    { name: "no function name, given by the caller", facts: ev({ functionName: null }), functionName: "orders" },
    { name: "another function than the event's", facts: base, functionName: "payments", code: "function_mismatch" },
    { name: "exactly 1 MB as Event", facts: ev({ payload: big(1_048_576) }), type: "Event" },
    { name: "1 MB + 1 byte as Event", facts: ev({ payload: big(1_048_577) }), type: "Event", code: "payload_too_large", message: /1,048,577 bytes .* at most 1,048,576 bytes \(1 MB\)\. It is not truncated\. Replay it with RequestResponse/ },
    { name: "exactly 6 MB as RequestResponse", facts: ev({ payload: big(6_291_456) }), type: "RequestResponse" },
    { name: "6 MB + 1 byte as RequestResponse", facts: ev({ payload: big(6_291_457) }), type: "RequestResponse", code: "payload_too_large", message: /at most 6,291,456 bytes \(6 MB\)\. It is not truncated\.$/ },
  ];
  it.each(cases)("$name", ({ facts, type, functionName, code, message }) => {
    const plan = planReinvoke(facts, { invocationType: type ?? "RequestResponse", functionName });
    expect(plan.ok).toBe(!code);
    expect(plan.refusal?.code).toBe(code);
    if (message) expect(plan.refusal!.message).toMatch(message);
  });

  it("counts payload bytes as UTF-8, not characters", () => {
    const plan = planReinvoke(ev({ payload: '{"name":"Zoë ✓"}' }), { invocationType: "Event" });
    expect(plan.payloadBytes).toBe(Buffer.byteLength('{"name":"Zoë ✓"}'));
    expect(plan.payloadBytes).toBeGreaterThan('{"name":"Zoë ✓"}'.length);
  });
});

describe("planReinvoke target", () => {
  it.each([
    { name: "the caller's choice wins", facts: ev({ qualifier: "live", invocationQualifier: "3" }), input: "8", qualifier: "8", source: "input" },
    { name: "else the event's own (destination records)", facts: ev({ qualifier: "live", invocationQualifier: "3" }), input: undefined, qualifier: "live", source: "event" },
    { name: "else the linked invocation's", facts: ev({ invocationQualifier: "3" }), input: undefined, qualifier: "3", source: "invocation" },
    { name: "else unqualified, with a warning", facts: base, input: undefined, qualifier: null, source: "unqualified" },
  ])("$name", ({ facts, input, qualifier, source }) => {
    const plan = planReinvoke(facts, { invocationType: "RequestResponse", qualifier: input });
    expect(plan.qualifier).toBe(qualifier);
    expect(plan.qualifierSource).toBe(source);
    expect(plan.warnings.length > 0).toBe(source === "unqualified");
  });

  it("sends the stored payload unchanged, with its digest", () => {
    const plan = planReinvoke(base, { invocationType: "Event" });
    expect(plan).toMatchObject({ payload: '{"orderId":"o-7"}', payloadBytes: 17, limitBytes: 1_048_576, invocationType: "Event", functionName: "orders" });
    expect(plan.payloadSha256).toBe(createHash("sha256").update('{"orderId":"o-7"}').digest("hex"));
  });

  it("holds the message for the function's timeout plus a minute on sync invokes", () => {
    expect(holdSecondsFor("RequestResponse", 30)).toBe(90);
    expect(holdSecondsFor("RequestResponse", null)).toBe(960);
    expect(holdSecondsFor("Event", 900)).toBe(60);
    expect(holdSecondsFor(null, null)).toBe(60);
  });
});

describe("idempotency keys", () => {
  it("are equal for a repeated request and differ by action, target and generation", () => {
    const k = deriveIdempotencyKey(7, "reinvoke", "orders:8", 0);
    expect(k).toBe(deriveIdempotencyKey(7, "reinvoke", "orders:8", 0));
    expect(k).toMatch(/^fe7-reinvoke-[0-9a-f]{32}$/);
    const others = [deriveIdempotencyKey(8, "reinvoke", "orders:8", 0), deriveIdempotencyKey(7, "redrive", "orders:8", 0), deriveIdempotencyKey(7, "reinvoke", "orders:9", 0), deriveIdempotencyKey(7, "reinvoke", "orders:8", 1)];
    expect(new Set([k, ...others]).size).toBe(5);
  });

  it("follow the plan: a failed attempt moves to the next generation; a caller's key is used as is", () => {
    expect(planReinvoke(base, { invocationType: "Event", qualifier: "2" }).idempotencyKey).toBe(deriveIdempotencyKey(7, "reinvoke", "orders:2", 0));
    expect(planReinvoke(ev({ failedAttempts: 2 }), { invocationType: "Event" }).idempotencyKey).toBe(deriveIdempotencyKey(7, "reinvoke", "orders:$LATEST", 2));
    expect(planReinvoke(base, { invocationType: "Event", idempotencyKey: "dialog-1234" }).idempotencyKey).toBe("dialog-1234");
  });
});

describe("redrive", () => {
  const esm = ev({ sourceKind: "esm_dlq", attributesJson: JSON.stringify({ messageAttributes: { tenant: "t-1" }, attributes: { DeadLetterQueueSourceArn: SRC } }) });

  it("finds the source queue: the caller's, the message's, or the one queue feeding the DLQ", () => {
    expect(resolveSourceQueue(esm, "arn:aws:sqs:us-east-1:123456789012:other")).toEqual({ arn: "arn:aws:sqs:us-east-1:123456789012:other", source: "input" });
    expect(resolveSourceQueue(esm)).toEqual({ arn: SRC, source: "message" });
    expect(resolveSourceQueue(ev({ queue: { ...base.queue, feedsJson: JSON.stringify([SRC]) } }))).toEqual({ arn: SRC, source: "queue" });
    expect(resolveSourceQueue(ev({ queue: { ...base.queue, feedsJson: JSON.stringify([SRC, `${SRC}-2`]) } }))).toEqual({ arn: null, source: null });
    expect(resolveSourceQueue(ev({ queue: { ...base.queue, feedsJson: JSON.stringify(["arn:aws:lambda:us-east-1:123456789012:function:orders"]) } }))).toEqual({ arn: null, source: null });
  });

  it.each([
    { name: "an ESM DLQ message", facts: esm, code: undefined },
    { name: "an async DLQ event", facts: base, code: "not_redrivable" },
    { name: "a destination record", facts: ev({ sourceKind: "destination" }), code: "not_redrivable" },
    { name: "no known source", facts: ev({ sourceKind: "esm_dlq" }), code: "no_source_queue" },
    { name: "over SQS's 1 MiB", facts: ev({ ...esm, payload: "x".repeat(1_048_570) }), code: "payload_too_large" },
  ])("$name", ({ facts, code }) => {
    const plan = planRedrive(facts, {});
    expect(plan.refusal?.code).toBe(code);
  });

  it("estimates the size from the body and the stored attributes", () => {
    const plan = planRedrive(esm, {});
    expect(plan.estimatedBytes).toBe(Buffer.byteLength(base.payload) + "tenant".length + "String".length + "t-1".length);
    expect(plan.messageAttributes).toEqual({ tenant: "t-1" });
  });
});

describe("stored attributes and discard", () => {
  it("reads the collector's shape and tolerates anything else", () => {
    expect(readStoredAttributes(JSON.stringify({ messageAttributes: { a: "1", b: { StringValue: "2", DataType: "Number" } }, attributes: { X: 5 } }))).toEqual({
      messageAttributes: { a: "1", b: "2" },
      attributes: { X: "5" },
    });
    expect(readStoredAttributes("not json")).toEqual({ messageAttributes: {}, attributes: {} });
    expect(readStoredAttributes('{"messageAttributes":[1,2]}')).toEqual({ messageAttributes: {}, attributes: {} });
  });

  it.each([
    ["new", undefined],
    ["failed_again", undefined],
    ["gone", undefined],
    ["replayed", "not_eligible"],
    ["discarded", "not_eligible"],
    ["replaying", "not_eligible"],
  ])("discarding a %s event: %s", (status, code) => {
    expect(discardRefusal({ status })?.code).toBe(code);
  });
});
