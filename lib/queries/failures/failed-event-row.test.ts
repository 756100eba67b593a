import { describe, expect, it } from "vitest";
import { failedEventFields, readStoredAttributes, type StoredFailedEvent } from "./failed-event-row.ts";

describe("readStoredAttributes", () => {
  it.each([
    ["the collector's shape: system attributes and typed message attributes", JSON.stringify({ attributes: { SentTimestamp: "1767600000000", ApproximateReceiveCount: "2" }, messageAttributes: { RequestID: { DataType: "String", StringValue: "r-1" }, ErrorCode: { DataType: "Number", StringValue: "200" } } }), { SentTimestamp: "1767600000000", ApproximateReceiveCount: "2", RequestID: "r-1", ErrorCode: "200" }],
    ["message attributes win on a name clash", JSON.stringify({ attributes: { X: "system" }, messageAttributes: { X: { StringValue: "message" } } }), { X: "message" }],
    ["Lambda event-record casing (stringValue)", JSON.stringify({ messageAttributes: { ErrorMessage: { stringValue: "boom", dataType: "String" } } }), { ErrorMessage: "boom" }],
    ["binary or unknown values as JSON", JSON.stringify({ messageAttributes: { Blob: { BinaryValue: "AAE=" } } }), { Blob: '{"BinaryValue":"AAE="}' }],
    ["a flat map (older rows, fixtures)", JSON.stringify({ RequestID: "r-2", ErrorCode: 200 }), { RequestID: "r-2", ErrorCode: "200" }],
    ["an empty object", "{}", {}],
    ["not JSON", "{oops", {}],
    ["JSON that is not an object", "[1,2]", {}],
  ])("%s", (_name, json, expected) => {
    expect(readStoredAttributes(json)).toEqual(expected);
  });
});

describe("failedEventFields", () => {
  const row: StoredFailedEvent = {
    id: 7,
    messageId: "m-1",
    sourceKind: "async_dlq",
    functionName: "checkout",
    qualifier: "live",
    requestId: "r-1",
    errorCode: "200",
    errorMessage: "bug",
    condition: null,
    attempts: 3,
    payload: '{"a":1}',
    attributesJson: JSON.stringify({ messageAttributes: { RequestID: { StringValue: "r-1" } } }),
    receiveCount: 1,
    sentAt: new Date("2026-01-05T09:00:00.000Z"),
    firstSeenAt: new Date("2026-01-05T09:01:00.000Z"),
    status: "new",
  };

  it("maps the stored row: other columns as they are, dates as ISO strings, attributes flattened, nothing else", () => {
    const { attributesJson: _a, sentAt: _s, firstSeenAt: _f, ...same } = row;
    expect(failedEventFields({ ...row, queueId: 3, lastSeenAt: new Date(0) } as StoredFailedEvent)).toEqual({
      ...same,
      attributes: { RequestID: "r-1" },
      sentAt: "2026-01-05T09:00:00.000Z",
      firstSeenAt: "2026-01-05T09:01:00.000Z",
    });
  });

  it("keeps an unknown send time as null", () => {
    expect(failedEventFields({ ...row, sentAt: null }).sentAt).toBeNull();
  });
});
