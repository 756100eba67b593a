import { describe, expect, it } from "vitest";
import { functionNameFromLogGroup, parseLogStreamName } from "./log-stream.ts";

describe("parseLogStreamName", () => {
  it.each([
    [
      "2024/05/01/[$LATEST]0123456789abcdef0123456789abcdef",
      { kind: "log_stream", date: "2024-05-01", version: "$LATEST", instanceId: "0123456789abcdef0123456789abcdef" },
    ],
    [
      "2023/07/05/[56]374cd7798d2a4e36a494a23d658b9741",
      { kind: "log_stream", date: "2023-07-05", version: "56", instanceId: "374cd7798d2a4e36a494a23d658b9741" },
    ],
    [
      "2024/11/16/checkout-api[$LATEST]a1b2c3d4e5f60718293a4b5c6d7e8f90",
      {
        kind: "log_stream",
        date: "2024-11-16",
        version: "$LATEST",
        instanceId: "a1b2c3d4e5f60718293a4b5c6d7e8f90",
        functionName: "checkout-api",
      },
    ],
  ])("%s", (name, expected) => {
    expect(parseLogStreamName(name)).toEqual(expected);
  });

  it.each([
    ["", "not a Lambda log stream name"],
    ["2024/05/01/[$LATEST]0123", "not a Lambda log stream name"],
    ["2024/05/01/[prod]0123456789abcdef0123456789abcdef", "not a Lambda log stream name"],
    ["2024-05-01/[$LATEST]0123456789abcdef0123456789abcdef", "not a Lambda log stream name"],
    ["2024/13/01/[$LATEST]0123456789abcdef0123456789abcdef", "invalid date in log stream name"],
    ["2024/05/00/[1]0123456789abcdef0123456789abcdef", "invalid date in log stream name"],
    ["2024/05/01/[$LATEST]0123456789abcdef0123456789abcdefX", "not a Lambda log stream name"],
  ])("%j is unparsed (%s)", (name, reason) => {
    expect(parseLogStreamName(name)).toEqual({ kind: "unparsed", reason });
  });
});

describe("functionNameFromLogGroup", () => {
  it.each([
    ["/aws/lambda/my-fn", { kind: "log_group", functionName: "my-fn" }],
    ["/aws/lambda/Orders_Processor-2", { kind: "log_group", functionName: "Orders_Processor-2" }],
    ["/aws/lambda/us-east-1.edge-auth", { kind: "log_group", functionName: "edge-auth", edgeRegion: "us-east-1" }],
    ["/aws/lambda/us-gov-west-1.edge-auth", { kind: "log_group", functionName: "edge-auth", edgeRegion: "us-gov-west-1" }],
  ])("%s", (group, expected) => {
    expect(functionNameFromLogGroup(group)).toEqual(expected);
  });

  it.each([
    ["/aws/apigateway/welcome", "not a /aws/lambda/ log group"],
    ["/aws/lambda/", "invalid function name in log group"],
    ["/aws/lambda/a/b", "invalid function name in log group"],
    ["/aws/lambda/" + "x".repeat(65), "invalid function name in log group"],
  ])("%s is unparsed (%s)", (group, reason) => {
    expect(functionNameFromLogGroup(group)).toEqual({ kind: "unparsed", reason });
  });
});
