import { describe, expect, it } from "vitest";
import { parseAccessLogLine } from "./access-log-ingest.ts";

const T = Date.parse("2026-11-02T10:00:00.250Z");

describe("parseAccessLogLine", () => {
  it("reads a REST access-log line ($context.requestTimeEpoch in ms)", () => {
    const line = JSON.stringify({ requestId: "r-1", requestTimeEpoch: String(T), httpMethod: "POST", resourcePath: "/checkout", status: "502", responseLatency: "31", integrationRequestId: "8f5c1a0e-1111-4000-8000-000000000001", integrationStatus: "200", integrationLatency: "29", xrayTraceId: "1-5e1b4151-5ac6c58f5b1a4b3c8e7f6a1b", isCanaryRequest: "true" });
    expect(parseAccessLogLine(line, T + 40)).toEqual({
      requestId: "r-1",
      at: T,
      method: "POST",
      route: "/checkout",
      status: 502,
      latencyMs: 31,
      integrationLatencyMs: 29,
      integrationStatus: 200,
      integrationRequestId: "8f5c1a0e-1111-4000-8000-000000000001",
      xrayTraceId: "1-5e1b4151-5ac6c58f5b1a4b3c8e7f6a1b",
      canary: true,
    });
  });

  it("reads an HTTP API line (epoch seconds, route key, '-' for absent values)", () => {
    const line = JSON.stringify({ requestId: "h-1", requestTimeEpoch: String(Math.floor(T / 1000)), routeKey: "GET /items", status: "404", responseLatency: "3", integrationRequestId: "-", integrationLatency: "-" });
    expect(parseAccessLogLine(line, T + 5)).toMatchObject({ requestId: "h-1", at: T + 5, route: "GET /items", status: 404, integrationRequestId: null, integrationLatencyMs: null, canary: false });
  });

  it("accepts nested $context names", () => {
    expect(parseAccessLogLine(JSON.stringify({ requestId: "x", status: 200, integration: { requestId: "abc", latency: 5 } }), T)).toMatchObject({ integrationRequestId: "abc", integrationLatencyMs: 5, at: T });
  });

  it.each(['{"status":"200"}', '{"requestId":"x"}', "not json", "[1,2]", "{"])("rejects %j", (line) => expect(parseAccessLogLine(line, T)).toBeNull());
});
