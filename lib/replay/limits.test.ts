import { describe, expect, it } from "vitest";
import { describeBytes, lambdaPayloadLimit, sqsMessageSize } from "./limits.ts";
import { messageSize } from "../sandbox/services/sqs-model.ts";

describe("payload limits", () => {
  it("are AWS's: 1 MB for asynchronous Invoke, 6 MB for synchronous", () => {
    expect(lambdaPayloadLimit("Event")).toBe(1_048_576);
    expect(lambdaPayloadLimit("RequestResponse")).toBe(6_291_456);
  });

  it("count SQS messages as SQS does (the sandbox's model agrees)", () => {
    const attrs = {
      tenant: { DataType: "String", StringValue: "t-ü" },
      n: { DataType: "Number.int", StringValue: "42" },
      bin: { DataType: "Binary", BinaryValue: Buffer.from([1, 2, 3]).toString("base64") },
    };
    expect(sqsMessageSize("héllo", attrs)).toBe(messageSize("héllo", attrs));
    expect(sqsMessageSize("héllo", attrs)).toBe(6 + (6 + 6 + 4) + (1 + 10 + 2) + (3 + 6 + 3));
    expect(sqsMessageSize("x", { b: { DataType: "Binary", BinaryValue: new Uint8Array(10) } })).toBe(1 + 1 + 6 + 10);
    expect(sqsMessageSize("x", { l: { DataType: "String", StringValue: "a", StringListValues: ["bb", "cc"] } })).toBe(1 + 1 + 6 + 1 + 4);
  });

  it.each([
    [17, "17 bytes (17 B)"],
    [2048, "2,048 bytes (2 KB)"],
    [1_048_576, "1,048,576 bytes (1 MB)"],
    [1_100_000, "1,100,000 bytes (1.05 MB)"],
  ])("describes %i bytes", (n, text) => {
    expect(describeBytes(n)).toBe(text);
  });
});
