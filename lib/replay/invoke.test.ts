import { describe, expect, it } from "vitest";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import { invokeForReplay, type InvokeOutcome } from "./invoke.ts";
import type { Clock } from "./token-bucket.ts";

const awsError = (name: string, status: number | undefined, message = "x") => Object.assign(new Error(message), { name, ...(status ? { $metadata: { httpStatusCode: status } } : {}) });
const noWait: Clock = { now: () => 0, sleep: async () => {} };

/** A Lambda client that answers each Invoke from a list (an Error is thrown). */
function fakeLambda(answers: unknown[]): { lambda: LambdaClient; inputs: any[] } {
  const inputs: any[] = [];
  const lambda = {
    send: async (command: { input: unknown }) => {
      inputs.push(command.input);
      const a = answers[inputs.length - 1];
      if (a instanceof Error) throw a;
      return a;
    },
  } as unknown as LambdaClient;
  return { lambda, inputs };
}

const req = { functionName: "orders", qualifier: "8", invocationType: "RequestResponse" as const, payload: '{"a":1}' };
const bytes = (s: string) => new TextEncoder().encode(s);

describe("invokeForReplay", () => {
  it.each<{ name: string; answers: unknown[]; expected: Partial<InvokeOutcome>; calls: number }>([
    {
      name: "success carries the new request id and executed version",
      answers: [{ StatusCode: 200, ExecutedVersion: "8", Payload: bytes('{"ok":true}'), $metadata: { requestId: "r-1" } }],
      expected: { kind: "ok", requestId: "r-1", executedVersion: "8", statusCode: 200, response: '{"ok":true}' },
      calls: 1,
    },
    {
      name: "a function error is the function failing again",
      answers: [{ StatusCode: 200, FunctionError: "Unhandled", Payload: bytes('{"errorMessage":"boom"}'), $metadata: { requestId: "r-2" } }],
      expected: { kind: "function_error", requestId: "r-2", functionError: "Unhandled", response: '{"errorMessage":"boom"}' },
      calls: 1,
    },
    { name: "a throttle is retried (it did not run)", answers: [awsError("TooManyRequestsException", 429), { StatusCode: 202, $metadata: { requestId: "r-3" } }], expected: { kind: "ok", requestId: "r-3" }, calls: 2 },
    {
      name: "throttled past the retries is a refusal",
      answers: Array(4).fill(awsError("TooManyRequestsException", 429, "Rate exceeded")),
      expected: { kind: "rejected", code: "TooManyRequestsException", httpStatus: 429 },
      calls: 4,
    },
    { name: "an unknown qualifier is a refusal", answers: [awsError("ResourceNotFoundException", 404, "Function not found")], expected: { kind: "rejected", error: "ResourceNotFoundException: Function not found" }, calls: 1 },
    { name: "a 502 (the function could not start) is a refusal", answers: [awsError("EC2ThrottledException", 502)], expected: { kind: "rejected", httpStatus: 502 }, calls: 1 },
    { name: "a connection refused before sending is a refusal", answers: [Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })], expected: { kind: "rejected" }, calls: 1 },
    { name: "a timeout is in doubt, never retried", answers: [awsError("TimeoutError", undefined, "socket timed out")], expected: { kind: "in_doubt", error: "TimeoutError: socket timed out" }, calls: 1 },
    { name: "a 500 is in doubt", answers: [awsError("ServiceException", 500, "internal")], expected: { kind: "in_doubt", error: "ServiceException: internal (HTTP 500)" }, calls: 1 },
  ])("$name", async ({ answers, expected, calls }) => {
    const { lambda, inputs } = fakeLambda(answers);
    expect(await invokeForReplay(lambda, req, { clock: noWait })).toMatchObject(expected);
    expect(inputs).toHaveLength(calls);
    expect(inputs[0]).toMatchObject({ FunctionName: "orders", Qualifier: "8", InvocationType: "RequestResponse" });
    expect(new TextDecoder().decode(inputs[0].Payload)).toBe('{"a":1}');
  });

  it("sends no Qualifier for an unqualified replay and truncates long responses", async () => {
    const { lambda, inputs } = fakeLambda([{ StatusCode: 200, Payload: bytes("y".repeat(5000)), $metadata: {} }]);
    const out = await invokeForReplay(lambda, { ...req, qualifier: null }, { clock: noWait });
    expect("Qualifier" in inputs[0]).toBe(false);
    expect(out.kind === "ok" && out.response).toBe(`${"y".repeat(4096)}… (904 more characters)`);
  });
});
