import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { accessKeyMatches, decodeDelivery, decodeRecordData, firehoseResponseBody, requestBodyText, requestIdOf } from "./firehose-format.ts";

// Real-format samples: a CloudWatch Logs subscription DATA_MESSAGE of a Lambda log group, and
// the CONTROL_MESSAGE CloudWatch Logs sends when a subscription to a Firehose stream is created.
const DATA = {
  messageType: "DATA_MESSAGE",
  owner: "123456789012",
  logGroup: "/aws/lambda/checkout",
  logStream: "2026/11/27/[$LATEST]0123456789abcdef0123456789abcdef",
  subscriptionFilters: ["faasight"],
  logEvents: [
    { id: "38001928374650192837465019283746501928374650192837465019", timestamp: 1764239400000, message: "START RequestId: 6f1c2b8e-1a2b-4c3d-9e8f-0a1b2c3d4e5f Version: $LATEST\n" },
    {
      id: "38001928374650192837465019283746501928374650192837465020",
      timestamp: 1764239400120,
      message: "REPORT RequestId: 6f1c2b8e-1a2b-4c3d-9e8f-0a1b2c3d4e5f\tDuration: 112.34 ms\tBilled Duration: 113 ms\tMemory Size: 512 MB\tMax Memory Used: 80 MB\t\n",
    },
  ],
};
const CONTROL = {
  messageType: "CONTROL_MESSAGE",
  owner: "CloudwatchLogs",
  logGroup: "",
  logStream: "",
  subscriptionFilters: [],
  logEvents: [{ id: "", timestamp: 1764239400000, message: "CWL CONTROL MESSAGE: Checking health of destination Firehose." }],
};
const gzb64 = (v: unknown) => zlib.gzipSync(typeof v === "string" ? v : JSON.stringify(v)).toString("base64");
const delivery = (records: string[], requestId = "ed4acda5-034f-9f42-bba1-f29aea6d7d8f") => JSON.stringify({ requestId, timestamp: 1764239401000, records: records.map((data) => ({ data })) });

describe("decodeRecordData", () => {
  const cases: Array<[string, string, string | RegExp]> = [
    ["a DATA_MESSAGE", gzb64(DATA), "DATA_MESSAGE"],
    ["a CONTROL_MESSAGE", gzb64(CONTROL), "CONTROL_MESSAGE"],
    ["not base64", "!!not base64!!", /not base64/],
    ["empty data", "", /not base64/],
    ["base64 of plain JSON (not gzip)", Buffer.from(JSON.stringify(DATA)).toString("base64"), /not gzip/],
    ["gzip of text that is not JSON", gzb64("START RequestId: x"), /not JSON/],
    ["gzip JSON of another shape", gzb64({ hello: "world" }), /not a CloudWatch Logs subscription payload/],
    ["an unknown messageType", gzb64({ ...DATA, messageType: "OTHER" }), /messageType/],
    ["an event without id", gzb64({ ...DATA, logEvents: [{ timestamp: 1, message: "x" }] }), /logEvents\.0\.id/],
  ];
  it.each(cases)("%s", (_name, data, want) => {
    if (want instanceof RegExp) expect(() => decodeRecordData(data)).toThrow(want);
    else expect(decodeRecordData(data).messageType).toBe(want);
  });
  it("keeps every field of a DATA_MESSAGE", () => {
    expect(decodeRecordData(gzb64(DATA))).toEqual(DATA);
  });
});

describe("decodeDelivery", () => {
  const cases: Array<{ name: string; body: string; header?: string; want: { ok: false; reason: RegExp } | { ok: true; data: number; control: number; malformed: number; records: number } }> = [
    { name: "one data record", body: delivery([gzb64(DATA)]), want: { ok: true, data: 1, control: 0, malformed: 0, records: 1 } },
    { name: "control message only", body: delivery([gzb64(CONTROL)]), want: { ok: true, data: 0, control: 1, malformed: 0, records: 1 } },
    { name: "a malformed record is counted and skipped", body: delivery([gzb64(DATA), "AAAA", gzb64(DATA)]), want: { ok: true, data: 2, control: 0, malformed: 1, records: 3 } },
    { name: "no records", body: delivery([]), want: { ok: true, data: 0, control: 0, malformed: 0, records: 0 } },
    { name: "matching request id header", body: delivery([gzb64(DATA)], "r-1"), header: "r-1", want: { ok: true, data: 1, control: 0, malformed: 0, records: 1 } },
    { name: "request id header mismatch", body: delivery([gzb64(DATA)], "r-1"), header: "r-2", want: { ok: false, reason: /does not match/ } },
    { name: "not JSON", body: "hello", want: { ok: false, reason: /not JSON/ } },
    { name: "JSON without records", body: JSON.stringify({ requestId: "r", timestamp: 1 }), want: { ok: false, reason: /records/ } },
    { name: "no request id", body: JSON.stringify({ timestamp: 1, records: [] }), want: { ok: false, reason: /requestId/ } },
    { name: "timestamp as a string", body: JSON.stringify({ requestId: "r", timestamp: "1", records: [] }), want: { ok: false, reason: /timestamp/ } },
    { name: "a record without data", body: JSON.stringify({ requestId: "r", timestamp: 1, records: [{}] }), want: { ok: false, reason: /records\.0\.data/ } },
  ];
  it.each(cases)("$name", ({ body, header, want }) => {
    const r = decodeDelivery(body, header);
    if (!want.ok) {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(want.reason);
      return;
    }
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect({ data: r.delivery.data.length, control: r.delivery.control, malformed: r.delivery.malformed.length, records: r.delivery.records }).toEqual({ data: want.data, control: want.control, malformed: want.malformed, records: want.records });
  });
});

describe("requestBodyText", () => {
  const text = delivery([gzb64(DATA)]);
  const cases: Array<[string, Uint8Array, string | undefined, boolean]> = [
    ["no encoding", Buffer.from(text), undefined, true],
    ["gzip", zlib.gzipSync(text), "gzip", true],
    ["GZIP upper case", zlib.gzipSync(text), "GZIP", true],
    ["gzip header on plain text", Buffer.from(text), "gzip", false],
    ["br is not supported", Buffer.from(text), "br", false],
  ];
  it.each(cases)("%s", (_n, body, enc, ok) => {
    const r = requestBodyText(body, enc);
    expect(r.ok).toBe(ok);
    if (r.ok) expect(r.text).toBe(text);
  });
});

describe("accessKeyMatches", () => {
  const cases: Array<[string, string | null, string, boolean]> = [
    ["equal", "s3cret-key", "s3cret-key", true],
    ["different", "s3cret-kez", "s3cret-key", false],
    ["prefix", "s3cret", "s3cret-key", false],
    ["missing header", null, "s3cret-key", false],
    ["empty header", "", "s3cret-key", false],
    ["no key configured", "s3cret-key", "", false],
    ["Secrets Manager JSON form", '{"api_key": "s3cret-key"}', "s3cret-key", true],
    ["JSON form, wrong key", '{"api_key": "nope"}', "s3cret-key", false],
  ];
  it.each(cases)("%s", (_n, given, expected, want) => expect(accessKeyMatches(given, expected)).toBe(want));
});

describe("responses", () => {
  it("echoes the request id and adds an error message only on failure", () => {
    expect(firehoseResponseBody("r-1", 5)).toEqual({ requestId: "r-1", timestamp: 5 });
    expect(firehoseResponseBody("r-1", 5, "bad")).toEqual({ requestId: "r-1", timestamp: 5, errorMessage: "bad" });
  });
  it.each([
    ["header wins", '{"requestId":"body"}', "hdr", "hdr"],
    ["body when no header", '{"requestId":"body"}', null, "body"],
    ["empty when neither", "junk", null, ""],
  ] as const)("requestIdOf: %s", (_n, text, header, want) => expect(requestIdOf(text, header)).toBe(want));
});
