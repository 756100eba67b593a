import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { handleFirehoseRequest } from "./firehose-handler.ts";
import type { Store } from "../store/sql.ts";

// These requests are refused before the store is reached (a store that throws proves it).
const store = new Proxy({} as Store, {
  get() {
    throw new Error("the store must not be touched");
  },
});
const KEY = "k-0123456789";
const body = JSON.stringify({ requestId: "r-1", timestamp: 1, records: [] });

describe("handleFirehoseRequest refusals", () => {
  it.each<{ name: string; key: string | undefined; headers: Record<string, string>; body: string; status: number; code: string }>([
    { name: "no access key configured", key: undefined, headers: { "x-amz-firehose-access-key": KEY }, body, status: 401, code: "unauthorized" },
    { name: "wrong access key", key: KEY, headers: { "x-amz-firehose-access-key": "nope" }, body, status: 401, code: "unauthorized" },
    { name: "missing access key", key: KEY, headers: {}, body, status: 401, code: "unauthorized" },
    { name: "not JSON", key: KEY, headers: { "x-amz-firehose-access-key": KEY }, body: "hello", status: 400, code: "invalid_body" },
    { name: "JSON of another shape", key: KEY, headers: { "x-amz-firehose-access-key": KEY }, body: '{"records":"x"}', status: 400, code: "invalid_body" },
    { name: "gzip declared, plain body", key: KEY, headers: { "x-amz-firehose-access-key": KEY, "content-encoding": "gzip" }, body, status: 400, code: "invalid_body" },
    { name: "request id header differs from the body's", key: KEY, headers: { "x-amz-firehose-access-key": KEY, "x-amz-firehose-request-id": "r-2" }, body, status: 400, code: "invalid_body" },
  ])("$name -> $status", async ({ key, headers, body: b, status, code }) => {
    const res = await handleFirehoseRequest(new Request("http://x/api/v1/ingest/firehose", { method: "POST", headers, body: b }), { store, accessKey: key });
    expect(res.status).toBe(status);
    const json = (await res.json()) as { requestId: string; timestamp: number; errorMessage: string; error: { code: string; message: string } };
    expect(json.error.code).toBe(code);
    expect(json.errorMessage).toBe(json.error.message);
    expect(typeof json.timestamp).toBe("number");
  });

  it("answers 200 with the request id for a delivery with no records, gzip-encoded", async () => {
    const res = await handleFirehoseRequest(
      new Request("http://x", { method: "POST", headers: { "x-amz-firehose-access-key": KEY, "x-amz-firehose-request-id": "r-1", "content-encoding": "gzip" }, body: new Uint8Array(zlib.gzipSync(body)) }),
      { store, accessKey: KEY, now: () => 42 },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ requestId: "r-1", timestamp: 42 });
  });
});
