import { describe, expect, it } from "vitest";
import { parseDestinationRecord, parseDlqMessage, parseFailedEvent, type SqsMessageLike } from "./failed-event.ts";

const ORIGINAL_EVENT = '{"orderId":"o-1001","amount":42}';

// ReceiveMessage output (SDK v3) for a Lambda async-invocation DLQ.
const asyncDlqMessage: SqsMessageLike = {
  MessageId: "1b1f0c1e-9a7e-4a57-8f5e-2d8a3b6c1f00",
  Body: ORIGINAL_EVENT,
  Attributes: { ApproximateReceiveCount: "1", SentTimestamp: "1714557600123", SenderId: "AROAEXAMPLE:orders" },
  MessageAttributes: {
    RequestID: { DataType: "String", StringValue: "e4b46cbf-b738-4a1b-8880-a18cdf61200e" },
    ErrorCode: { DataType: "Number", StringValue: "200" },
    ErrorMessage: { DataType: "String", StringValue: "Task timed out after 3.00 seconds" },
  },
};

// The on-failure destination record, as documented for asynchronous invocation.
const destinationRecord = {
  version: "1.0",
  timestamp: "2019-11-14T18:16:05.568Z",
  requestContext: {
    requestId: "e4b46cbf-b738-4a1b-8880-a18cdf61200e",
    functionArn: "arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST",
    condition: "RetriesExhausted",
    approximateInvokeCount: 3,
  },
  requestPayload: { ORDER_IDS: ["9e07af03-ce31-4ff3-xmpl-36dce652cb4f", "637de236-e7b2-464e-xmpl-baf57f86bb53"] },
  responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
  responsePayload: {
    errorType: "Error",
    errorMessage: "RequestId: e4b46cbf-b738-4a1b-8880-a18cdf61200e Process exited before completing request",
    trace: [],
  },
};

const destinationExpected = {
  kind: "failed_event",
  sourceKind: "destination",
  requestId: "e4b46cbf-b738-4a1b-8880-a18cdf61200e",
  functionArn: "arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST",
  functionName: "fn",
  qualifier: "$LATEST",
  condition: "RetriesExhausted",
  attempts: 3,
  errorCode: "200",
  errorType: "Error",
  errorMessage: "RequestId: e4b46cbf-b738-4a1b-8880-a18cdf61200e Process exited before completing request",
  payload: '{"ORDER_IDS":["9e07af03-ce31-4ff3-xmpl-36dce652cb4f","637de236-e7b2-464e-xmpl-baf57f86bb53"]}',
};

describe("parseDlqMessage", () => {
  it("reads the Lambda attributes and keeps the body as the payload", () => {
    expect(parseDlqMessage(asyncDlqMessage)).toEqual({
      kind: "failed_event",
      sourceKind: "async_dlq",
      messageId: "1b1f0c1e-9a7e-4a57-8f5e-2d8a3b6c1f00",
      requestId: "e4b46cbf-b738-4a1b-8880-a18cdf61200e",
      errorCode: "200",
      errorMessage: "Task timed out after 3.00 seconds",
      payload: ORIGINAL_EVENT,
      receiveCount: 1,
      sentAt: "2024-05-01T10:00:00.123Z",
    });
  });

  it("accepts the camelCase shape of a Lambda SQS event record", () => {
    const record: SqsMessageLike = {
      messageId: "m-2",
      body: ORIGINAL_EVENT,
      attributes: { ApproximateReceiveCount: "4", SentTimestamp: "1714557600000" },
      messageAttributes: {
        RequestID: { dataType: "String", stringValue: "r-2" },
        ErrorCode: { dataType: "Number", stringValue: "200" },
        ErrorMessage: { dataType: "String", stringValue: "boom" },
      },
    };
    expect(parseDlqMessage(record)).toMatchObject({ sourceKind: "async_dlq", messageId: "m-2", requestId: "r-2", receiveCount: 4, errorMessage: "boom" });
  });

  it("accepts camelCase message keys with SDK-style attribute values", () => {
    const msg: SqsMessageLike = {
      messageId: "m-4",
      body: ORIGINAL_EVENT,
      attributes: { ApproximateReceiveCount: "3", SentTimestamp: "1714557600000" },
      messageAttributes: {
        RequestID: { DataType: "String", StringValue: "r-4" },
        ErrorCode: { DataType: "Number", StringValue: "200" },
        ErrorMessage: { DataType: "String", StringValue: "boom" },
      },
    };
    expect(parseFailedEvent(msg)).toEqual({
      kind: "failed_event",
      sourceKind: "async_dlq",
      messageId: "m-4",
      requestId: "r-4",
      errorCode: "200",
      errorMessage: "boom",
      payload: ORIGINAL_EVENT,
      receiveCount: 3,
      sentAt: "2024-05-01T10:00:00.000Z",
    });
  });

  it("unwraps an SNS DLQ topic delivered to a queue without raw delivery", () => {
    const body = JSON.stringify({
      Type: "Notification",
      MessageId: "sns-1",
      TopicArn: "arn:aws:sns:us-east-1:123456789012:orders-dlq",
      Message: ORIGINAL_EVENT,
      Timestamp: "2024-05-01T10:00:00.000Z",
      MessageAttributes: {
        RequestID: { Type: "String", Value: "r-3" },
        ErrorCode: { Type: "Number", Value: "200" },
        ErrorMessage: { Type: "String", Value: "Unhandled" },
      },
    });
    const msg: SqsMessageLike = { MessageId: "m-3", Body: body };
    const expected = {
      kind: "failed_event",
      sourceKind: "async_dlq",
      messageId: "m-3",
      requestId: "r-3",
      errorCode: "200",
      errorMessage: "Unhandled",
      payload: ORIGINAL_EVENT,
    };
    expect(parseDlqMessage(msg)).toEqual(expected);
    expect(parseFailedEvent(msg)).toEqual(expected);
  });

  it("rejects messages without Lambda attributes", () => {
    expect(parseDlqMessage({ MessageId: "m", Body: "{}" })).toEqual({
      kind: "unparsed",
      reason: "no RequestID/ErrorCode/ErrorMessage attributes",
    });
  });
});

describe("parseDestinationRecord", () => {
  it("parses the documented record", () => {
    expect(parseDestinationRecord(JSON.stringify(destinationRecord))).toEqual({
      ...destinationExpected,
      messageId: "e4b46cbf-b738-4a1b-8880-a18cdf61200e",
      sentAt: "2019-11-14T18:16:05.568Z",
    });
  });

  it("unwraps an EventBridge destination event", () => {
    const event = {
      version: "0",
      id: "9c1f0d2e-0000-4000-8000-123456789abc",
      "detail-type": "Lambda Function Invocation Result - Failure",
      source: "lambda",
      account: "123456789012",
      time: "2019-11-14T18:16:05Z",
      region: "us-east-1",
      resources: ["arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST"],
      detail: destinationRecord,
    };
    expect(parseDestinationRecord(event, { messageId: "eb-1" })).toEqual({
      ...destinationExpected,
      messageId: "eb-1",
      sentAt: "2019-11-14T18:16:05.568Z",
    });
  });

  it("reads a stream event source mapping failure with its batch info", () => {
    const record = {
      requestContext: {
        requestId: "316aa6d0-8154-4a2d-9af7-85d5f4a6bc81",
        functionArn: "arn:aws:lambda:us-east-2:123456789012:function:myfunction",
        condition: "RetryAttemptsExhausted",
        approximateInvokeCount: 1,
      },
      responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
      version: "1.0",
      timestamp: "2019-11-14T00:38:06.021Z",
      KinesisBatchInfo: {
        shardId: "shardId-000000000001",
        startSequenceNumber: "49601189658422359378836298521827638475320189012309704722",
        endSequenceNumber: "49601189658422359378836298522902373528957594348623495186",
        approximateArrivalOfFirstRecord: "2019-11-14T00:38:04.835Z",
        approximateArrivalOfLastRecord: "2019-11-14T00:38:05.580Z",
        batchSize: 500,
        streamArn: "arn:aws:kinesis:us-east-2:123456789012:stream/mystream",
      },
    };
    const out = parseDestinationRecord(record);
    expect(out).toMatchObject({
      sourceKind: "destination",
      messageId: "316aa6d0-8154-4a2d-9af7-85d5f4a6bc81",
      functionName: "myfunction",
      condition: "RetryAttemptsExhausted",
      attempts: 1,
      errorType: "Unhandled",
      errorCode: "200",
    });
    if (out.kind !== "failed_event") throw new Error(out.reason);
    expect(out.qualifier).toBeUndefined();
    expect(JSON.parse(out.payload).KinesisBatchInfo.batchSize).toBe(500);
  });

  it.each([
    ["not json", "destination record is not JSON"],
    ["[]", "destination record is not an object"],
    ['{"version":"1.0"}', "no requestContext with requestId or functionArn"],
    [42, "destination record is not an object"],
  ])("%j -> unparsed", (body, reason) => {
    expect(parseDestinationRecord(body)).toEqual({ kind: "unparsed", reason });
  });
});

describe("parseFailedEvent", () => {
  it("detects an async DLQ message", () => {
    expect(parseFailedEvent(asyncDlqMessage)).toMatchObject({ sourceKind: "async_dlq", requestId: "e4b46cbf-b738-4a1b-8880-a18cdf61200e" });
  });

  it("detects a destination record delivered to SQS and keeps the SQS envelope facts", () => {
    const msg: SqsMessageLike = {
      MessageId: "sqs-dest-1",
      Body: JSON.stringify(destinationRecord),
      Attributes: { ApproximateReceiveCount: "2", SentTimestamp: "1573755365600" },
    };
    expect(parseFailedEvent(msg)).toEqual({
      ...destinationExpected,
      messageId: "sqs-dest-1",
      receiveCount: 2,
      sentAt: "2019-11-14T18:16:05.600Z",
    });
  });

  it("treats a plain message as an event source mapping DLQ message", () => {
    const msg: SqsMessageLike = {
      MessageId: "esm-1",
      Body: "order 1001 could not be processed",
      Attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: "1714557600000",
        DeadLetterQueueSourceArn: "arn:aws:sqs:us-east-1:123456789012:orders",
      },
    };
    expect(parseFailedEvent(msg)).toEqual({
      kind: "failed_event",
      sourceKind: "esm_dlq",
      messageId: "esm-1",
      payload: "order 1001 could not be processed",
      receiveCount: 1,
      sentAt: "2024-05-01T10:00:00.000Z",
      sourceQueueArn: "arn:aws:sqs:us-east-1:123456789012:orders",
    });
  });

  it.each([
    [null, "not an SQS message"],
    [{ Body: "x" }, "not an SQS message"],
    [{ MessageId: "m" }, "not an SQS message"],
    ["string", "not an SQS message"],
  ])("%j -> unparsed", (msg, reason) => {
    expect(parseFailedEvent(msg as unknown as SqsMessageLike)).toEqual({ kind: "unparsed", reason });
  });

  it("ignores nonsense attribute values", () => {
    const out = parseFailedEvent({ MessageId: "m", Body: "{}", Attributes: { ApproximateReceiveCount: "-1", SentTimestamp: "soon" } });
    expect(out).toEqual({ kind: "failed_event", sourceKind: "esm_dlq", messageId: "m", payload: "{}" });
  });
});
