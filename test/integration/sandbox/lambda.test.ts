import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateAliasCommand,
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  DeleteEventSourceMappingCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  DeleteFunctionEventInvokeConfigCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  GetAccountSettingsCommand,
  GetAliasCommand,
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  GetFunctionEventInvokeConfigCommand,
  GetProvisionedConcurrencyConfigCommand,
  InvalidParameterValueException,
  InvokeCommand,
  LambdaClient,
  LambdaServiceException,
  ListFunctionsCommand,
  ListTagsCommand,
  PreconditionFailedException,
  ProvisionedConcurrencyConfigNotFoundException,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  PutProvisionedConcurrencyConfigCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  TagResourceCommand,
  TooManyRequestsException,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateEventSourceMappingCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  UpdateFunctionEventInvokeConfigCommand,
  paginateListAliases,
  paginateListEventSourceMappings,
  paginateListFunctionEventInvokeConfigs,
  paginateListFunctions,
  paginateListProvisionedConcurrencyConfigs,
  paginateListVersionsByFunction,
  type CreateFunctionCommandInput,
} from "@aws-sdk/client-lambda";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CreateTopicCommand, SNSClient, SetSubscriptionAttributesCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import { startSandbox, type Sandbox } from "../../../lib/sandbox/server.ts";
import { AwsServiceError, type InvocationRunner, type InvokeResult } from "../../../lib/sandbox/core.ts";
import { createRandom } from "../../../lib/sandbox/random.ts";
import { LambdaService, resolveQualifier } from "../../../lib/sandbox/services/lambda.ts";
import { destinationRecord, parseFunctionRef } from "../../../lib/sandbox/services/lambda-model.ts";

const REGION = "us-east-1";
const ACCOUNT = "123456789012";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/any-role-the-sandbox-does-not-check`;
const arn = (name: string, q?: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}${q ? `:${q}` : ""}`;
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const zip = (s: string) => new TextEncoder().encode(`PK-sandbox-${s}`);
const utf8 = (b?: Uint8Array) => new TextDecoder().decode(b ?? new Uint8Array());
const encode = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

/**
 * The scriptable workload stand-in: the payload's "mode" says what the simulated function
 * does — fail (Unhandled error), throttle (runner reports 429), or echo (default).
 */
const runner: InvocationRunner = async (target, payload, inv) => {
  const input = payload ? (JSON.parse(payload) as { mode?: string; failUntilAttempt?: number }) : {};
  const base: InvokeResult = { statusCode: inv.invocationType === "Event" ? 202 : 200, requestId: inv.requestId, executedVersion: target.version, payload: "" };
  const logTail = `START RequestId: ${inv.requestId} Version: ${target.version}\nEND RequestId: ${inv.requestId}\n`;
  if (input.mode === "throttle") throw new AwsServiceError("TooManyRequestsException", "Rate Exceeded.", 429, { extra: { Reason: "ReservedFunctionConcurrentInvocationLimitExceeded" } });
  if (input.mode === "fail" || (input.failUntilAttempt !== undefined && inv.attempt <= input.failUntilAttempt)) {
    return { ...base, statusCode: 200, functionError: "Unhandled", payload: JSON.stringify({ errorType: "Error", errorMessage: `boom on attempt ${inv.attempt}` }), logTail };
  }
  return { ...base, payload: JSON.stringify({ echoed: input, version: target.version, memory: target.memorySizeMb, qualifier: target.qualifier ?? null }), logTail };
};

let sandbox: Sandbox;
let lambda: LambdaClient;
let sqs: SQSClient;
let sns: SNSClient;
let service: LambdaService;

const fnInput = (name: string, extra: Partial<CreateFunctionCommandInput> = {}): CreateFunctionCommandInput => ({
  FunctionName: name,
  Role: ROLE,
  Runtime: "nodejs20.x",
  Handler: "index.handler",
  Code: { ZipFile: zip(name) },
  ...extra,
});

async function rejection(p: Promise<unknown>): Promise<LambdaServiceException> {
  try {
    await p;
  } catch (err) {
    return err as LambdaServiceException;
  }
  throw new Error("expected the call to fail");
}

async function createQueue(name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

async function receiveAll(url: string) {
  const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"], WaitTimeSeconds: 0 }));
  return out.Messages ?? [];
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: 7, runInvocation: runner });
  const config = { endpoint: sandbox.url, region: REGION, credentials };
  lambda = new LambdaClient({ ...config, maxAttempts: 1 });
  sqs = new SQSClient(config);
  sns = new SNSClient(config);
  service = sandbox.services.find((s): s is LambdaService => s instanceof LambdaService)!;
  service.asyncRetryDelayMs = 5;
});

afterAll(async () => {
  lambda?.destroy();
  sqs?.destroy();
  sns?.destroy();
  await sandbox?.close();
});

describe("resolveQualifier", () => {
  const view = {
    versions: ["1", "2", "3"],
    aliases: {
      live: { FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "2": 0.1 } } },
      stable: { FunctionVersion: "3" },
    },
  };

  it.each([
    [undefined, { version: "$LATEST" }],
    ["$LATEST", { version: "$LATEST" }],
    ["2", { version: "2" }],
    ["stable", { version: "3", alias: "stable" }],
    ["9", null],
    ["nope", null],
  ])("resolves %s", (q, expected) => {
    expect(resolveQualifier(view, q, () => 0.5)).toEqual(expected);
  });

  it("routes the additional version's weight (binomial, 4 sigma)", () => {
    const random = createRandom(2024);
    const n = 100_000;
    let extra = 0;
    for (let i = 0; i < n; i++) if (resolveQualifier(view, "live", random)!.version === "2") extra++;
    const sigma = Math.sqrt(n * 0.1 * 0.9);
    expect(Math.abs(extra - n * 0.1)).toBeLessThan(4 * sigma);
  });

  it("sends everything to the primary at weight 0 and to the extra version at weight 1", () => {
    const random = createRandom(1);
    const at = (w: number) => resolveQualifier({ versions: ["1", "2"], aliases: { a: { FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "2": w } } } } }, "a", random)!.version;
    expect(new Set(Array.from({ length: 500 }, () => at(0)))).toEqual(new Set(["1"]));
    expect(new Set(Array.from({ length: 500 }, () => at(1)))).toEqual(new Set(["2"]));
  });

  it("parses names, partial ARNs, full ARNs and qualifiers", () => {
    expect(parseFunctionRef("fn")).toMatchObject({ name: "fn", qualifier: undefined });
    expect(parseFunctionRef("fn:live")).toMatchObject({ name: "fn", qualifier: "live" });
    expect(parseFunctionRef(`${ACCOUNT}:function:fn:3`)).toMatchObject({ name: "fn", qualifier: "3", accountId: ACCOUNT });
    expect(parseFunctionRef(arn("fn", "$LATEST"))).toMatchObject({ name: "fn", qualifier: "$LATEST", region: REGION });
    expect(() => parseFunctionRef("bad name!")).toThrow(/validation error/);
  });

  it("builds the documented destination record", () => {
    const record = destinationRecord({
      requestId: "r-1",
      functionArn: arn("fn", "$LATEST"),
      condition: "RetriesExhausted",
      approximateInvokeCount: 3,
      requestPayload: '{"a":1}',
      statusCode: 200,
      executedVersion: "$LATEST",
      functionError: "Unhandled",
      responsePayload: '{"errorMessage":"x"}',
      timestamp: Date.UTC(2025, 0, 2, 3, 4, 5, 678),
    });
    expect(record).toEqual({
      version: "1.0",
      timestamp: "2025-01-02T03:04:05.678Z",
      requestContext: { requestId: "r-1", functionArn: arn("fn", "$LATEST"), condition: "RetriesExhausted", approximateInvokeCount: 3 },
      requestPayload: { a: 1 },
      responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
      responsePayload: { errorMessage: "x" },
    });
  });
});

describe("functions", () => {
  it("creates a function with every configuration member and computes the code hash", async () => {
    const code = zip("full");
    const out = await lambda.send(
      new CreateFunctionCommand(
        fnInput("full", {
          Code: { ZipFile: code },
          MemorySize: 1024,
          Timeout: 30,
          Architectures: ["arm64"],
          EphemeralStorage: { Size: 2048 },
          Layers: [`arn:aws:lambda:${REGION}:${ACCOUNT}:layer:shared:4`],
          TracingConfig: { Mode: "Active" },
          VpcConfig: { SubnetIds: ["subnet-1"], SecurityGroupIds: ["sg-1"] },
          DeadLetterConfig: { TargetArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:dlq` },
          Environment: { Variables: { STAGE: "prod" } },
          LoggingConfig: { LogFormat: "JSON" },
          Tags: { team: "payments", "sandbox:layer-code-sizes": "2048" },
          Description: "all the things",
        }),
      ),
    );
    const { createHash } = await import("node:crypto");
    expect(out.$metadata.httpStatusCode).toBe(201);
    expect(out).toMatchObject({
      FunctionName: "full",
      FunctionArn: arn("full"),
      Version: "$LATEST",
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: ROLE,
      CodeSize: code.length,
      CodeSha256: createHash("sha256").update(code).digest("base64"),
      MemorySize: 1024,
      Timeout: 30,
      Architectures: ["arm64"],
      EphemeralStorage: { Size: 2048 },
      Layers: [{ Arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:layer:shared:4`, CodeSize: 2048 }],
      TracingConfig: { Mode: "Active" },
      VpcConfig: { SubnetIds: ["subnet-1"], SecurityGroupIds: ["sg-1"] },
      DeadLetterConfig: { TargetArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:dlq` },
      Environment: { Variables: { STAGE: "prod" } },
      LoggingConfig: { LogFormat: "JSON", LogGroup: "/aws/lambda/full", ApplicationLogLevel: "INFO", SystemLogLevel: "INFO" },
      PackageType: "Zip",
      State: "Active",
      LastUpdateStatus: "Successful",
      Description: "all the things",
    });
    expect(out.VpcConfig?.VpcId).toMatch(/^vpc-[0-9a-f]{17}$/);
    expect(out.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    expect(out.RevisionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("applies AWS defaults", async () => {
    const out = await lambda.send(new CreateFunctionCommand(fnInput("defaults")));
    expect(out).toMatchObject({
      MemorySize: 128,
      Timeout: 3,
      Architectures: ["x86_64"],
      EphemeralStorage: { Size: 512 },
      TracingConfig: { Mode: "PassThrough" },
      LoggingConfig: { LogFormat: "Text", LogGroup: "/aws/lambda/defaults" },
      SnapStart: { ApplyOn: "None", OptimizationStatus: "Off" },
      Description: "",
    });
    expect(out.Layers).toBeUndefined();
    expect(out.DeadLetterConfig).toBeUndefined();
  });

  it.each([
    ["MemorySize below 128", { MemorySize: 64 }, "ValidationException", /memorySize.*greater than or equal to 128/],
    ["MemorySize above 10240", { MemorySize: 10241 }, "ValidationException", /less than or equal to 10240/],
    ["Timeout 0", { Timeout: 0 }, "ValidationException", /timeout/],
    ["Timeout above 900", { Timeout: 901 }, "ValidationException", /less than or equal to 900/],
    ["EphemeralStorage below 512", { EphemeralStorage: { Size: 100 } }, "ValidationException", /ephemeralStorage.size/],
    ["two architectures", { Architectures: ["x86_64", "arm64"] as ("x86_64" | "arm64")[] }, "ValidationException", /architectures/],
    ["unknown tracing mode", { TracingConfig: { Mode: "Sometimes" as "Active" } }, "ValidationException", /tracingConfig.mode/],
    ["malformed role", { Role: "not-a-role" }, "ValidationException", /role/],
    ["no runtime", { Runtime: undefined }, "InvalidParameterValueException", /Runtime and Handler are mandatory/],
    ["no code", { Code: {} }, "InvalidParameterValueException", /source for function code/],
    ["six layers", { Layers: Array.from({ length: 6 }, (_, i) => `arn:aws:lambda:${REGION}:${ACCOUNT}:layer:l${i}:1`) }, "InvalidParameterValueException", /5 layers/],
  ])("rejects %s", async (_label, extra, code, message) => {
    const err = await rejection(lambda.send(new CreateFunctionCommand(fnInput("invalid-fn", extra as Partial<CreateFunctionCommandInput>))));
    expect(err.name).toBe(code);
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.message).toMatch(message);
    if (code === "InvalidParameterValueException") expect(err).toBeInstanceOf(InvalidParameterValueException);
  });

  it("accepts S3 code with a sandbox-declared size and rejects duplicates with 409", async () => {
    const out = await lambda.send(new CreateFunctionCommand(fnInput("from-s3", { Code: { S3Bucket: "artifacts", S3Key: "fn.zip" }, Tags: { "sandbox:code-size": "734003" } })));
    expect(out.CodeSize).toBe(734003);
    expect(out.CodeSha256).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const err = await rejection(lambda.send(new CreateFunctionCommand(fnInput("from-s3"))));
    expect(err).toBeInstanceOf(ResourceConflictException);
    expect(err.$metadata.httpStatusCode).toBe(409);
    expect(err.message).toBe("Function already exist: from-s3");
  });

  it("creates container-image functions and reports their image as the code location", async () => {
    const image = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/shop/worker:1.2.3`;
    const out = await lambda.send(
      new CreateFunctionCommand({ FunctionName: "image-fn", Role: ROLE, PackageType: "Image", Code: { ImageUri: image }, Tags: { "sandbox:code-size": "104857600" } }),
    );
    expect(out).toMatchObject({ PackageType: "Image", CodeSize: 104857600 });
    expect(out.Runtime).toBeUndefined();
    expect(out.Handler).toBeUndefined();
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: "image-fn" }));
    expect(got.Code).toEqual({ RepositoryType: "ECR", ImageUri: image, ResolvedImageUri: image });
    const noImage = await rejection(lambda.send(new CreateFunctionCommand({ FunctionName: "image-fn-2", Role: ROLE, PackageType: "Image", Code: {} })));
    expect(noImage).toBeInstanceOf(InvalidParameterValueException);
  });

  it("reports a missing function as ResourceNotFoundException with Lambda's error body", async () => {
    const err = await rejection(lambda.send(new GetFunctionCommand({ FunctionName: "ghost" })));
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect(err.$metadata.httpStatusCode).toBe(404);
    expect(err.message).toBe(`Function not found: ${arn("ghost")}`);
    expect((err as ResourceNotFoundException).Type).toBe("User");
    const raw = await fetch(`${sandbox.url}/2015-03-31/functions/ghost`, {
      headers: { authorization: `AWS4-HMAC-SHA256 Credential=test/20250101/${REGION}/lambda/aws4_request, SignedHeaders=host, Signature=x` },
    });
    expect(raw.headers.get("x-amzn-errortype")).toBe("ResourceNotFoundException");
    expect(await raw.json()).toEqual({ Type: "User", Message: `Function not found: ${arn("ghost")}` });
  });

  it("updates configuration and code, checking RevisionId", async () => {
    const created = await lambda.send(new CreateFunctionCommand(fnInput("updatable")));
    const err = await rejection(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "updatable", MemorySize: 512, RevisionId: "stale" })));
    expect(err).toBeInstanceOf(PreconditionFailedException);
    expect(err.$metadata.httpStatusCode).toBe(412);
    const updated = await lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: "updatable", MemorySize: 512, Timeout: 10, RevisionId: created.RevisionId, Environment: { Variables: { A: "1" } } }),
    );
    expect(updated).toMatchObject({ MemorySize: 512, Timeout: 10, Environment: { Variables: { A: "1" } }, Version: "$LATEST", FunctionArn: arn("updatable") });
    expect(updated.RevisionId).not.toBe(created.RevisionId);
    const bad = await rejection(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "updatable", MemorySize: 99_999 })));
    expect(bad.name).toBe("ValidationException");
    const code = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "updatable", ZipFile: zip("updatable-v2"), Publish: true }));
    expect(code).toMatchObject({ Version: "1", FunctionArn: arn("updatable", "1"), CodeSize: zip("updatable-v2").length, MemorySize: 512 });
    expect(code.CodeSha256).not.toBe(created.CodeSha256);
  });

  it("gets a function by name, ARN, partial ARN and qualifier", async () => {
    await lambda.send(new CreateFunctionCommand(fnInput("lookup", { Publish: true, Tags: { owner: "me" } })));
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "lookup", MemorySize: 256 }));
    await lambda.send(new CreateAliasCommand({ FunctionName: "lookup", Name: "live", FunctionVersion: "1" }));
    for (const name of ["lookup", arn("lookup"), `${ACCOUNT}:function:lookup`]) {
      const out = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
      expect(out.Configuration).toMatchObject({ FunctionArn: arn("lookup"), Version: "$LATEST", MemorySize: 256 });
      expect(out.Tags).toEqual({ owner: "me" });
      expect(out.Code).toMatchObject({ RepositoryType: "S3" });
      expect(out.Code?.Location).toMatch(/^https:\/\/awslambda-us-east-1-tasks\.s3\.us-east-1\.amazonaws\.com\//);
      expect(out.Concurrency).toBeUndefined();
    }
    const v1 = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "lookup", Qualifier: "1" }));
    expect(v1).toMatchObject({ FunctionArn: arn("lookup", "1"), Version: "1", MemorySize: 128 });
    const viaAlias = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "lookup:live" }));
    expect(viaAlias).toMatchObject({ FunctionArn: arn("lookup", "live"), Version: "1" });
    const latest = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "lookup", Qualifier: "$LATEST" }));
    expect(latest.FunctionArn).toBe(arn("lookup", "$LATEST"));
    expect(await rejection(lambda.send(new GetFunctionCommand({ FunctionName: "lookup", Qualifier: "7" })))).toBeInstanceOf(ResourceNotFoundException);
    const mismatch = await rejection(lambda.send(new GetFunctionCommand({ FunctionName: "lookup:live", Qualifier: "1" })));
    expect(mismatch).toBeInstanceOf(InvalidParameterValueException);
  });

  it("pages ListFunctions 50 at a time with the SDK paginator", async () => {
    const names = Array.from({ length: 120 }, (_, i) => `page-fn-${String(i).padStart(3, "0")}`);
    for (const name of names) await lambda.send(new CreateFunctionCommand(fnInput(name)));
    const pages: number[] = [];
    const seen: string[] = [];
    for await (const page of paginateListFunctions({ client: lambda }, {})) {
      pages.push(page.Functions!.length);
      seen.push(...page.Functions!.map((f) => f.FunctionName!));
    }
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(pages.slice(0, -1).every((n) => n === 50)).toBe(true);
    expect(pages[pages.length - 1]).toBeLessThanOrEqual(50);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((n) => n.startsWith("page-fn-"))).toEqual(names);
    const small: number[] = [];
    for await (const page of paginateListFunctions({ client: lambda, pageSize: 7 }, {})) small.push(page.Functions!.length);
    expect(small.slice(0, -1).every((n) => n === 7)).toBe(true);
    expect(small.reduce((a, b) => a + b, 0)).toBe(seen.length);
    const tooMany = await rejection(lambda.send(new ListFunctionsCommand({ MaxItems: 0 })));
    expect(tooMany.name).toBe("ValidationException");
    const badMarker = await rejection(lambda.send(new ListFunctionsCommand({ Marker: "%%%" })));
    expect(badMarker).toBeInstanceOf(InvalidParameterValueException);
  });

  it("lists every version with FunctionVersion=ALL", async () => {
    await lambda.send(new CreateFunctionCommand(fnInput("all-versions", { Publish: true })));
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "all-versions", Timeout: 9 }));
    await lambda.send(new PublishVersionCommand({ FunctionName: "all-versions" }));
    const arns: string[] = [];
    for await (const page of paginateListFunctions({ client: lambda }, { FunctionVersion: "ALL" })) {
      arns.push(...page.Functions!.filter((f) => f.FunctionName === "all-versions").map((f) => f.FunctionArn!));
    }
    expect(arns).toEqual([arn("all-versions", "$LATEST"), arn("all-versions", "1"), arn("all-versions", "2")]);
  });

  it("deletes versions (not while an alias uses them) and whole functions", async () => {
    await lambda.send(new CreateFunctionCommand(fnInput("deletable", { Publish: true })));
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "deletable", Timeout: 5 }));
    await lambda.send(new PublishVersionCommand({ FunctionName: "deletable" }));
    await lambda.send(new CreateAliasCommand({ FunctionName: "deletable", Name: "live", FunctionVersion: "2" }));
    const inUse = await rejection(lambda.send(new DeleteFunctionCommand({ FunctionName: "deletable", Qualifier: "2" })));
    expect(inUse).toBeInstanceOf(ResourceConflictException);
    const latest = await rejection(lambda.send(new DeleteFunctionCommand({ FunctionName: "deletable", Qualifier: "$LATEST" })));
    expect(latest).toBeInstanceOf(InvalidParameterValueException);
    const del = await lambda.send(new DeleteFunctionCommand({ FunctionName: "deletable", Qualifier: "1" }));
    expect(del.$metadata.httpStatusCode).toBe(204);
    expect(await rejection(lambda.send(new GetFunctionCommand({ FunctionName: "deletable", Qualifier: "1" })))).toBeInstanceOf(ResourceNotFoundException);
    await lambda.send(new DeleteFunctionCommand({ FunctionName: arn("deletable") }));
    expect(await rejection(lambda.send(new GetFunctionCommand({ FunctionName: "deletable" })))).toBeInstanceOf(ResourceNotFoundException);
    expect(await rejection(lambda.send(new DeleteFunctionCommand({ FunctionName: "deletable" })))).toBeInstanceOf(ResourceNotFoundException);
  });
});

describe("versions and aliases", () => {
  it("publishes immutable, numbered snapshots and skips unchanged publishes", async () => {
    const created = await lambda.send(new CreateFunctionCommand(fnInput("versioned", { MemorySize: 256 })));
    const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: "versioned", Description: "first" }));
    expect(v1.$metadata.httpStatusCode).toBe(201);
    expect(v1).toMatchObject({ Version: "1", FunctionArn: arn("versioned", "1"), MemorySize: 256, Description: "first", CodeSha256: created.CodeSha256 });
    const again = await lambda.send(new PublishVersionCommand({ FunctionName: "versioned", Description: "first" }));
    expect(again.Version).toBe("1");
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "versioned", MemorySize: 2048 }));
    const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: "versioned" }));
    expect(v2).toMatchObject({ Version: "2", MemorySize: 2048 });
    const still1 = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "versioned", Qualifier: "1" }));
    expect(still1.MemorySize).toBe(256);
    const wrongSha = await rejection(lambda.send(new PublishVersionCommand({ FunctionName: "versioned", CodeSha256: "nope" })));
    expect(wrongSha).toBeInstanceOf(InvalidParameterValueException);
    for (let i = 3; i <= 6; i++) {
      await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "versioned", Timeout: 10 + i }));
      expect((await lambda.send(new PublishVersionCommand({ FunctionName: "versioned" }))).Version).toBe(String(i));
    }
    const versions: string[] = [];
    const pageSizes: number[] = [];
    for await (const page of paginateListVersionsByFunction({ client: lambda, pageSize: 2 }, { FunctionName: "versioned" })) {
      pageSizes.push(page.Versions!.length);
      versions.push(...page.Versions!.map((v) => v.Version!));
    }
    expect(versions).toEqual(["$LATEST", "1", "2", "3", "4", "5", "6"]);
    expect(pageSizes).toEqual([2, 2, 2, 1]);
  });

  it("creates, reads, updates, lists and deletes aliases with routing", async () => {
    await lambda.send(new CreateFunctionCommand(fnInput("aliased", { Publish: true })));
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "aliased", Timeout: 4 }));
    await lambda.send(new PublishVersionCommand({ FunctionName: "aliased" }));
    const live = await lambda.send(
      new CreateAliasCommand({ FunctionName: "aliased", Name: "live", FunctionVersion: "1", Description: "prod traffic", RoutingConfig: { AdditionalVersionWeights: { "2": 0.1 } } }),
    );
    expect(live.$metadata.httpStatusCode).toBe(201);
    expect(live).toMatchObject({ AliasArn: arn("aliased", "live"), Name: "live", FunctionVersion: "1", Description: "prod traffic", RoutingConfig: { AdditionalVersionWeights: { "2": 0.1 } } });
    expect(await rejection(lambda.send(new CreateAliasCommand({ FunctionName: "aliased", Name: "live", FunctionVersion: "1" })))).toBeInstanceOf(ResourceConflictException);
    for (const [label, input, code] of [
      ["numeric name", { Name: "12", FunctionVersion: "1" }, "ValidationException"],
      ["missing version", { Name: "x", FunctionVersion: "9" }, "ResourceNotFoundException"],
      ["two weights", { Name: "x", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "2": 0.1, $LATEST: 0.1 } } }, "InvalidParameterValueException"],
      ["weight above 1", { Name: "x", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "2": 1.5 } } }, "ValidationException"],
      ["routing on $LATEST", { Name: "x", FunctionVersion: "$LATEST", RoutingConfig: { AdditionalVersionWeights: { "2": 0.5 } } }, "InvalidParameterValueException"],
      ["routing to itself", { Name: "x", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "1": 0.5 } } }, "InvalidParameterValueException"],
    ] as const) {
      const err = await rejection(lambda.send(new CreateAliasCommand({ FunctionName: "aliased", ...input })));
      expect(err.name, label).toBe(code);
    }
    const got = await lambda.send(new GetAliasCommand({ FunctionName: "aliased", Name: "live" }));
    expect(got.RevisionId).toBe(live.RevisionId);
    const stale = await rejection(lambda.send(new UpdateAliasCommand({ FunctionName: "aliased", Name: "live", FunctionVersion: "2", RevisionId: "old" })));
    expect(stale).toBeInstanceOf(PreconditionFailedException);
    const updated = await lambda.send(new UpdateAliasCommand({ FunctionName: "aliased", Name: "live", FunctionVersion: "2", RoutingConfig: { AdditionalVersionWeights: {} } }));
    expect(updated).toMatchObject({ FunctionVersion: "2", Description: "prod traffic" });
    expect(updated.RoutingConfig).toBeUndefined();
    for (const name of ["a1", "a2", "a3", "a4"]) await lambda.send(new CreateAliasCommand({ FunctionName: "aliased", Name: name, FunctionVersion: name === "a4" ? "2" : "1" }));
    const names: string[] = [];
    const sizes: number[] = [];
    for await (const page of paginateListAliases({ client: lambda, pageSize: 2 }, { FunctionName: "aliased" })) {
      sizes.push(page.Aliases!.length);
      names.push(...page.Aliases!.map((a) => a.Name!));
    }
    expect(names).toEqual(["a1", "a2", "a3", "a4", "live"]);
    expect(sizes).toEqual([2, 2, 1]);
    const onV2: string[] = [];
    for await (const page of paginateListAliases({ client: lambda }, { FunctionName: "aliased", FunctionVersion: "2" })) onV2.push(...page.Aliases!.map((a) => a.Name!));
    expect(onV2).toEqual(["a4", "live"]);
    const del = await lambda.send(new DeleteAliasCommand({ FunctionName: "aliased", Name: "a1" }));
    expect(del.$metadata.httpStatusCode).toBe(204);
    const gone = await rejection(lambda.send(new GetAliasCommand({ FunctionName: "aliased", Name: "a1" })));
    expect(gone).toBeInstanceOf(ResourceNotFoundException);
    expect(gone.message).toBe(`Alias not found: ${arn("aliased", "a1")}`);
  });
});

describe("concurrency, provisioned concurrency, tags and account settings", () => {
  it("puts, gets and deletes reserved concurrency within the account's unreserved minimum", async () => {
    await lambda.send(new CreateFunctionCommand(fnInput("reserved")));
    expect(await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: "reserved" }))).not.toHaveProperty("ReservedConcurrentExecutions");
    const put = await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "reserved", ReservedConcurrentExecutions: 50 }));
    expect(put.ReservedConcurrentExecutions).toBe(50);
    expect((await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: "reserved" }))).ReservedConcurrentExecutions).toBe(50);
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: "reserved" }))).Concurrency).toEqual({ ReservedConcurrentExecutions: 50 });
    const settings = await lambda.send(new GetAccountSettingsCommand({}));
    expect(settings.AccountLimit).toMatchObject({ ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 950, CodeSizeZipped: 52428800 });
    let count = 0;
    for await (const page of paginateListFunctions({ client: lambda }, {})) count += page.Functions!.length;
    expect(settings.AccountUsage!.FunctionCount).toBe(count);
    const tooMuch = await rejection(lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "reserved", ReservedConcurrentExecutions: 901 })));
    expect(tooMuch).toBeInstanceOf(InvalidParameterValueException);
    expect(tooMuch.message).toMatch(/below its minimum value of \[100\]/);
    const del = await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "reserved" }));
    expect(del.$metadata.httpStatusCode).toBe(204);
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: "reserved" }))).Concurrency).toBeUndefined();
  });

  it("configures provisioned concurrency on aliases and versions (READY at once)", async () => {
    await lambda.send(new CreateFunctionCommand(fnInput("warm", { Publish: true })));
    await lambda.send(new CreateAliasCommand({ FunctionName: "warm", Name: "live", FunctionVersion: "1" }));
    const put = await lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "warm", Qualifier: "live", ProvisionedConcurrentExecutions: 5 }));
    expect(put.$metadata.httpStatusCode).toBe(202);
    expect(put).toMatchObject({ RequestedProvisionedConcurrentExecutions: 5, AllocatedProvisionedConcurrentExecutions: 5, AvailableProvisionedConcurrentExecutions: 5, Status: "READY" });
    expect(put.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
    await lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "warm", Qualifier: "1", ProvisionedConcurrentExecutions: 2 }));
    const got = await lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: "warm", Qualifier: "live" }));
    expect(got.RequestedProvisionedConcurrentExecutions).toBe(5);
    const items = [];
    for await (const page of paginateListProvisionedConcurrencyConfigs({ client: lambda, pageSize: 1 }, { FunctionName: "warm" })) items.push(...page.ProvisionedConcurrencyConfigs!);
    expect(items.map((i) => [i.FunctionArn, i.RequestedProvisionedConcurrentExecutions])).toEqual([
      [arn("warm", "1"), 2],
      [arn("warm", "live"), 5],
    ]);
    const onLatest = await rejection(lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "warm", Qualifier: "$LATEST", ProvisionedConcurrentExecutions: 1 })));
    expect(onLatest).toBeInstanceOf(InvalidParameterValueException);
    await lambda.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: "warm", Qualifier: "1" }));
    const missing = await rejection(lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: "warm", Qualifier: "1" })));
    expect(missing).toBeInstanceOf(ProvisionedConcurrencyConfigNotFoundException);
    expect(missing.$metadata.httpStatusCode).toBe(404);
  });

  it("tags and untags functions", async () => {
    await lambda.send(new CreateFunctionCommand(fnInput("tagged", { Tags: { a: "1" } })));
    const tag = await lambda.send(new TagResourceCommand({ Resource: arn("tagged"), Tags: { b: "2", c: "3" } }));
    expect(tag.$metadata.httpStatusCode).toBe(204);
    await lambda.send(new UntagResourceCommand({ Resource: arn("tagged"), TagKeys: ["a", "c"] }));
    expect((await lambda.send(new ListTagsCommand({ Resource: arn("tagged") }))).Tags).toEqual({ b: "2" });
    expect(await rejection(lambda.send(new ListTagsCommand({ Resource: arn("untagged-ghost") })))).toBeInstanceOf(ResourceNotFoundException);
    expect(await rejection(lambda.send(new TagResourceCommand({ Resource: arn("tagged", "1"), Tags: { x: "y" } })))).toBeInstanceOf(InvalidParameterValueException);
  });
});

describe("event source mappings", () => {
  it("creates, filters, pages, updates and deletes SQS mappings", async () => {
    await lambda.send(new CreateFunctionCommand(fnInput("consumer", { Publish: true })));
    await lambda.send(new CreateFunctionCommand(fnInput("consumer-b")));
    const queue = (n: number) => `arn:aws:sqs:${REGION}:${ACCOUNT}:orders-${n}`;
    const created = await lambda.send(
      new CreateEventSourceMappingCommand({ FunctionName: "consumer", EventSourceArn: queue(1), BatchSize: 25, MaximumBatchingWindowInSeconds: 5, FunctionResponseTypes: ["ReportBatchItemFailures"] }),
    );
    expect(created.$metadata.httpStatusCode).toBe(202);
    expect(created).toMatchObject({
      EventSourceArn: queue(1),
      FunctionArn: arn("consumer"),
      BatchSize: 25,
      MaximumBatchingWindowInSeconds: 5,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      State: "Enabled",
      StateTransitionReason: "USER_INITIATED",
    });
    expect(created.UUID).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.LastModified).toBeInstanceOf(Date);
    const dup = await rejection(lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "consumer", EventSourceArn: queue(1) })));
    expect(dup).toBeInstanceOf(ResourceConflictException);
    const window = await rejection(lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "consumer", EventSourceArn: queue(9), BatchSize: 100 })));
    expect(window).toBeInstanceOf(InvalidParameterValueException);
    const defaults = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: `${arn("consumer")}:1`, EventSourceArn: queue(2) }));
    expect(defaults).toMatchObject({ BatchSize: 10, MaximumBatchingWindowInSeconds: 0, FunctionArn: arn("consumer", "1"), FunctionResponseTypes: [] });
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "consumer-b", EventSourceArn: queue(1) }));
    for (let i = 3; i <= 5; i++) await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "consumer", EventSourceArn: queue(i) }));
    const forConsumer: string[] = [];
    for await (const page of paginateListEventSourceMappings({ client: lambda, pageSize: 2 }, { FunctionName: "consumer" })) {
      expect(page.EventSourceMappings!.length).toBeLessThanOrEqual(2);
      forConsumer.push(...page.EventSourceMappings!.map((m) => m.EventSourceArn!));
    }
    expect(forConsumer).toEqual([queue(1), queue(2), queue(3), queue(4), queue(5)]);
    const forQueue: string[] = [];
    for await (const page of paginateListEventSourceMappings({ client: lambda }, { EventSourceArn: queue(1) })) forQueue.push(...page.EventSourceMappings!.map((m) => m.FunctionArn!));
    expect(forQueue).toEqual([arn("consumer"), arn("consumer-b")]);
    const updated = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: created.UUID, Enabled: false, BatchSize: 5 }));
    expect(updated).toMatchObject({ State: "Disabled", BatchSize: 5, MaximumBatchingWindowInSeconds: 5 });
    expect((await lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID }))).State).toBe("Disabled");
    const deleted = await lambda.send(new DeleteEventSourceMappingCommand({ UUID: created.UUID }));
    expect(deleted.State).toBe("Deleting");
    expect(await rejection(lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID! })))).toBeInstanceOf(ResourceNotFoundException);
  });
});

describe("async invoke configuration", () => {
  it("puts, updates, gets, lists and deletes event invoke configs per qualifier", async () => {
    await lambda.send(new CreateFunctionCommand(fnInput("eic", { Publish: true })));
    await lambda.send(new CreateAliasCommand({ FunctionName: "eic", Name: "live", FunctionVersion: "1" }));
    const dest = `arn:aws:sqs:${REGION}:${ACCOUNT}:failures`;
    const put = await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "eic", MaximumRetryAttempts: 1, DestinationConfig: { OnFailure: { Destination: dest } } }));
    expect(put).toMatchObject({ FunctionArn: arn("eic", "$LATEST"), MaximumRetryAttempts: 1, DestinationConfig: { OnSuccess: {}, OnFailure: { Destination: dest } } });
    expect(put.LastModified).toBeInstanceOf(Date);
    const updated = await lambda.send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: "eic", MaximumEventAgeInSeconds: 3600 }));
    expect(updated).toMatchObject({ MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 3600, DestinationConfig: { OnFailure: { Destination: dest } } });
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "eic", Qualifier: "live", MaximumRetryAttempts: 0 }));
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "eic", Qualifier: "1", MaximumRetryAttempts: 2 }));
    const got = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "eic", Qualifier: "live" }));
    expect(got).toMatchObject({ FunctionArn: arn("eic", "live"), MaximumRetryAttempts: 0 });
    const listed: string[] = [];
    for await (const page of paginateListFunctionEventInvokeConfigs({ client: lambda, pageSize: 2 }, { FunctionName: "eic" })) listed.push(...page.FunctionEventInvokeConfigs!.map((c) => c.FunctionArn!));
    expect(listed).toEqual([arn("eic", "$LATEST"), arn("eic", "1"), arn("eic", "live")]);
    for (const bad of [{ MaximumRetryAttempts: 3 }, { MaximumEventAgeInSeconds: 30 }]) {
      expect((await rejection(lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "eic", ...bad })))).name).toBe("ValidationException");
    }
    expect(await rejection(lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "eic", Qualifier: "nope" })))).toBeInstanceOf(ResourceNotFoundException);
    await lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: "eic", Qualifier: "live" }));
    expect(await rejection(lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "eic", Qualifier: "live" })))).toBeInstanceOf(ResourceNotFoundException);
  });
});

describe("Invoke", () => {
  beforeAll(async () => {
    await lambda.send(new CreateFunctionCommand(fnInput("echo", { MemorySize: 256, Publish: true })));
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "echo", MemorySize: 512 }));
    await lambda.send(new PublishVersionCommand({ FunctionName: "echo" }));
    await lambda.send(new CreateAliasCommand({ FunctionName: "echo", Name: "live", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "2": 0.1 } } }));
  });

  it("runs a synchronous invocation through the runner", async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: encode({ hello: "world" }) }));
    expect(out.StatusCode).toBe(200);
    expect(out.ExecutedVersion).toBe("$LATEST");
    expect(out.FunctionError).toBeUndefined();
    expect(JSON.parse(utf8(out.Payload))).toEqual({ echoed: { hello: "world" }, version: "$LATEST", memory: 512, qualifier: null });
  });

  it("resolves versions and aliases from the Qualifier or the name", async () => {
    const v1 = await lambda.send(new InvokeCommand({ FunctionName: "echo", Qualifier: "1", Payload: encode({}) }));
    expect(v1.ExecutedVersion).toBe("1");
    expect(JSON.parse(utf8(v1.Payload))).toMatchObject({ memory: 256, qualifier: "1" });
    const byArn = await lambda.send(new InvokeCommand({ FunctionName: arn("echo", "2"), Payload: encode({}) }));
    expect(byArn.ExecutedVersion).toBe("2");
    const viaAlias = await lambda.send(new InvokeCommand({ FunctionName: "echo:live", Payload: encode({}) }));
    expect(["1", "2"]).toContain(viaAlias.ExecutedVersion);
    expect(JSON.parse(utf8(viaAlias.Payload)).qualifier).toBe("live");
    expect(await rejection(lambda.send(new InvokeCommand({ FunctionName: "echo", Qualifier: "nope" })))).toBeInstanceOf(ResourceNotFoundException);
    expect(await rejection(lambda.send(new InvokeCommand({ FunctionName: "nobody-home" })))).toBeInstanceOf(ResourceNotFoundException);
  });

  it("splits alias traffic by its routing weight", async () => {
    service.clearInvocationLog();
    const n = 2000;
    const versions: string[] = [];
    for (let i = 0; i < n; i += 50) {
      const batch = await Promise.all(Array.from({ length: 50 }, () => lambda.send(new InvokeCommand({ FunctionName: "echo", Qualifier: "live", Payload: encode({ i }) }))));
      versions.push(...batch.map((b) => b.ExecutedVersion!));
    }
    const extra = versions.filter((v) => v === "2").length;
    expect(versions.filter((v) => v !== "1" && v !== "2")).toEqual([]);
    expect(Math.abs(extra - n * 0.1)).toBeLessThan(4 * Math.sqrt(n * 0.1 * 0.9));
    const log = service.invocationLog();
    expect(log).toHaveLength(n);
    expect(log.filter((e) => e.version === "2")).toHaveLength(extra);
    expect(log.every((e) => e.qualifier === "live" && e.invocationType === "RequestResponse" && e.attempt === 1)).toBe(true);
  });

  it("routes asynchronous (Event) invocations of an alias by its weight too", async () => {
    service.clearInvocationLog();
    const n = 2000;
    for (let i = 0; i < n; i += 50) {
      const batch = await Promise.all(Array.from({ length: 50 }, () => lambda.send(new InvokeCommand({ FunctionName: "echo", Qualifier: "live", InvocationType: "Event", Payload: encode({ i }) }))));
      expect(batch.every((b) => b.StatusCode === 202)).toBe(true);
    }
    await service.whenIdle();
    const log = service.invocationLog();
    expect(log).toHaveLength(n);
    expect(log.every((e) => e.qualifier === "live" && e.invocationType === "Event" && e.attempt === 1)).toBe(true);
    const extra = log.filter((e) => e.version === "2").length;
    expect(log.filter((e) => e.version !== "1" && e.version !== "2")).toEqual([]);
    expect(Math.abs(extra - n * 0.1)).toBeLessThan(4 * Math.sqrt(n * 0.1 * 0.9));
  });

  it("reports function errors, log tails, dry runs and validation", async () => {
    const failed = await lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: encode({ mode: "fail" }), LogType: "Tail" }));
    expect(failed.StatusCode).toBe(200);
    expect(failed.FunctionError).toBe("Unhandled");
    expect(JSON.parse(utf8(failed.Payload))).toEqual({ errorType: "Error", errorMessage: "boom on attempt 1" });
    const tail = Buffer.from(failed.LogResult!, "base64").toString("utf8");
    expect(tail).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST\nEND RequestId: /);
    const before = service.invocationLog().length;
    const dry = await lambda.send(new InvokeCommand({ FunctionName: "echo", InvocationType: "DryRun" }));
    expect(dry.StatusCode).toBe(204);
    expect(service.invocationLog().length).toBe(before);
    const notJson = await rejection(lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: new TextEncoder().encode("{not json") })));
    expect(notJson.name).toBe("InvalidRequestContentException");
  });

  it("surfaces throttling as TooManyRequestsException with a Reason", async () => {
    const err = await rejection(lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: encode({ mode: "throttle" }) })));
    expect(err).toBeInstanceOf(TooManyRequestsException);
    expect(err.$metadata.httpStatusCode).toBe(429);
    expect((err as TooManyRequestsException).Reason).toBe("ReservedFunctionConcurrentInvocationLimitExceeded");
  });

  it("enforces the 6 MB synchronous and 1 MB asynchronous payload limits", async () => {
    const big = (bytes: number) => new TextEncoder().encode(JSON.stringify("x".repeat(bytes - 2)));
    const sync = await rejection(lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: big(6 * 1024 * 1024 + 1) })));
    expect(sync.name).toBe("RequestEntityTooLargeException");
    expect(sync.$metadata.httpStatusCode).toBe(413);
    expect(sync.message).toBe("Request must be smaller than 6291456 bytes for the InvokeFunction operation");
    const async = await rejection(lambda.send(new InvokeCommand({ FunctionName: "echo", InvocationType: "Event", Payload: big(1024 * 1024 + 1) })));
    expect(async.name).toBe("RequestEntityTooLargeException");
    expect(async.message).toBe("1048577 byte payload is too large for the Event invocation type (limit 1048576 bytes)");
    const okAsync = await lambda.send(new InvokeCommand({ FunctionName: "echo", InvocationType: "Event", Payload: big(1024 * 1024) }));
    expect(okAsync.StatusCode).toBe(202);
    await service.whenIdle();
  });

  it("invokes in-process through invokeInternal", async () => {
    const sync = await service.invokeInternal(arn("echo", "1"), JSON.stringify({ via: "internal" }), "RequestResponse");
    expect(sync).toMatchObject({ statusCode: 200, executedVersion: "1" });
    expect(JSON.parse(sync.payload).echoed).toEqual({ via: "internal" });
    const queued = await service.invokeInternal("echo", JSON.stringify({ via: "event" }), "Event");
    expect(queued).toMatchObject({ statusCode: 202, payload: "", executedVersion: "$LATEST" });
    await service.whenIdle();
    expect(service.invocationLog().filter((e) => e.requestId === queued.requestId)).toHaveLength(1);
    await expect(service.invokeInternal("ghost", "{}", "Event")).rejects.toMatchObject({ code: "ResourceNotFoundException" });
  });
});

describe("asynchronous invocation semantics", () => {
  it("runs an event once when it succeeds, with the original payload", async () => {
    await lambda.send(new CreateFunctionCommand(fnInput("async-ok")));
    const out = await lambda.send(new InvokeCommand({ FunctionName: "async-ok", InvocationType: "Event", Payload: encode({ order: 42 }) }));
    expect(out.StatusCode).toBe(202);
    expect(out.Payload?.length ?? 0).toBe(0);
    await service.whenIdle();
    const runs = service.invocationLog().filter((e) => e.functionName === "async-ok");
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ invocationType: "Event", attempt: 1, payload: JSON.stringify({ order: 42 }), version: "$LATEST" });
  });

  it("retries a failing event twice with the same request id, then sends it to the DLQ", async () => {
    const dlq = await createQueue("async-dlq");
    await lambda.send(new CreateFunctionCommand(fnInput("async-fail", { DeadLetterConfig: { TargetArn: dlq.arn } })));
    const payload = JSON.stringify({ mode: "fail", order: 7 });
    await lambda.send(new InvokeCommand({ FunctionName: "async-fail", InvocationType: "Event", Payload: new TextEncoder().encode(payload) }));
    await service.whenIdle();
    const runs = service.invocationLog().filter((e) => e.functionName === "async-fail");
    expect(runs.map((r) => r.attempt)).toEqual([1, 2, 3]);
    expect(new Set(runs.map((r) => r.requestId)).size).toBe(1);
    expect(runs.every((r) => r.payload === payload && r.invocationType === "Event")).toBe(true);
    expect(runs[1]!.at).toBeGreaterThanOrEqual(runs[0]!.at);
    const messages = await receiveAll(dlq.url);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.Body).toBe(payload);
    expect(messages[0]!.MessageAttributes).toEqual({
      RequestID: { DataType: "String", StringValue: runs[0]!.requestId },
      ErrorCode: { DataType: "Number", StringValue: "200" },
      ErrorMessage: { DataType: "String", StringValue: "boom on attempt 3" },
    });
  });

  it("stops retrying once an attempt succeeds", async () => {
    const dlq = await createQueue("async-recover-dlq");
    await lambda.send(new CreateFunctionCommand(fnInput("async-recover", { DeadLetterConfig: { TargetArn: dlq.arn } })));
    await lambda.send(new InvokeCommand({ FunctionName: "async-recover", InvocationType: "Event", Payload: encode({ failUntilAttempt: 1 }) }));
    await service.whenIdle();
    expect(service.invocationLog().filter((e) => e.functionName === "async-recover").map((e) => e.attempt)).toEqual([1, 2]);
    expect(await receiveAll(dlq.url)).toEqual([]);
  });

  it("sends the documented record to an on-failure destination (instead of the DLQ) after MaximumRetryAttempts", async () => {
    const failures = await createQueue("async-failures");
    const dlq = await createQueue("async-unused-dlq");
    await lambda.send(new CreateFunctionCommand(fnInput("async-dest", { Publish: true, DeadLetterConfig: { TargetArn: dlq.arn } })));
    await lambda.send(new CreateAliasCommand({ FunctionName: "async-dest", Name: "live", FunctionVersion: "1" }));
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "async-dest", Qualifier: "live", MaximumRetryAttempts: 1, DestinationConfig: { OnFailure: { Destination: failures.arn } } }));
    const payload = { mode: "fail", order: 9 };
    await lambda.send(new InvokeCommand({ FunctionName: "async-dest", Qualifier: "live", InvocationType: "Event", Payload: encode(payload) }));
    await service.whenIdle();
    const runs = service.invocationLog().filter((e) => e.functionName === "async-dest");
    expect(runs.map((r) => [r.attempt, r.version, r.qualifier])).toEqual([
      [1, "1", "live"],
      [2, "1", "live"],
    ]);
    const [message, ...rest] = await receiveAll(failures.url);
    expect(rest).toEqual([]);
    const record = JSON.parse(message!.Body!);
    expect(record).toEqual({
      version: "1.0",
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      requestContext: { requestId: runs[0]!.requestId, functionArn: arn("async-dest", "live"), condition: "RetriesExhausted", approximateInvokeCount: 2 },
      requestPayload: payload,
      responseContext: { statusCode: 200, executedVersion: "1", functionError: "Unhandled" },
      responsePayload: { errorType: "Error", errorMessage: "boom on attempt 2" },
    });
    expect(await receiveAll(dlq.url)).toEqual([]);
  });

  it("sends a success record to an on-success destination and honours MaximumRetryAttempts 0", async () => {
    const successes = await createQueue("async-successes");
    const dlq = await createQueue("async-zero-dlq");
    await lambda.send(new CreateFunctionCommand(fnInput("async-success", { DeadLetterConfig: { TargetArn: dlq.arn } })));
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "async-success", MaximumRetryAttempts: 0, DestinationConfig: { OnSuccess: { Destination: successes.arn } } }));
    await lambda.send(new InvokeCommand({ FunctionName: "async-success", InvocationType: "Event", Payload: encode({ n: 1 }) }));
    await lambda.send(new InvokeCommand({ FunctionName: "async-success", InvocationType: "Event", Payload: encode({ mode: "fail" }) }));
    await service.whenIdle();
    const [success] = await receiveAll(successes.url);
    expect(JSON.parse(success!.Body!)).toMatchObject({
      requestContext: { functionArn: arn("async-success", "$LATEST"), condition: "Success", approximateInvokeCount: 1 },
      requestPayload: { n: 1 },
      responseContext: { statusCode: 200, executedVersion: "$LATEST" },
    });
    expect(JSON.parse(success!.Body!).responseContext).not.toHaveProperty("functionError");
    const failedRuns = service.invocationLog().filter((e) => e.functionName === "async-success" && e.payload.includes("fail"));
    expect(failedRuns).toHaveLength(1);
    const dead = await receiveAll(dlq.url);
    expect(dead.map((m) => m.Body)).toEqual([JSON.stringify({ mode: "fail" })]);
  });

  it("publishes to an SNS dead-letter topic with the same attributes", async () => {
    const inbox = await createQueue("async-sns-dlq-inbox");
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "async-dlq-topic" }));
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: inbox.arn, ReturnSubscriptionArn: true }));
    await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: "RawMessageDelivery", AttributeValue: "true" }));
    await lambda.send(new CreateFunctionCommand(fnInput("async-sns-dlq", { DeadLetterConfig: { TargetArn: TopicArn } })));
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "async-sns-dlq", MaximumRetryAttempts: 0 }));
    const payload = JSON.stringify({ mode: "fail", via: "sns" });
    await lambda.send(new InvokeCommand({ FunctionName: "async-sns-dlq", InvocationType: "Event", Payload: new TextEncoder().encode(payload) }));
    await service.whenIdle();
    const [run] = service.invocationLog().filter((e) => e.functionName === "async-sns-dlq");
    const [message] = await receiveAll(inbox.url);
    expect(message!.Body).toBe(payload);
    expect(message!.MessageAttributes).toMatchObject({
      RequestID: { DataType: "String", StringValue: run!.requestId },
      ErrorCode: { DataType: "Number", StringValue: "200" },
      ErrorMessage: { DataType: "String", StringValue: "boom on attempt 1" },
    });
  });

  it("invokes a Lambda on-failure destination asynchronously with the record", async () => {
    await lambda.send(new CreateFunctionCommand(fnInput("async-failing-source")));
    await lambda.send(new CreateFunctionCommand(fnInput("async-failure-handler")));
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: "async-failing-source", MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: arn("async-failure-handler") } } }),
    );
    await lambda.send(new InvokeCommand({ FunctionName: "async-failing-source", InvocationType: "Event", Payload: encode({ mode: "fail", id: 5 }) }));
    await service.whenIdle();
    const handled = service.invocationLog().filter((e) => e.functionName === "async-failure-handler");
    expect(handled).toHaveLength(1);
    expect(handled[0]!.invocationType).toBe("Event");
    expect(JSON.parse(handled[0]!.payload)).toMatchObject({
      requestContext: { functionArn: arn("async-failing-source", "$LATEST"), condition: "RetriesExhausted", approximateInvokeCount: 1 },
      requestPayload: { mode: "fail", id: 5 },
    });
  });

  it("re-queues throttled events without spending retries, then gives up as EventAgeExceeded", async () => {
    const failures = await createQueue("async-throttled");
    await lambda.send(new CreateFunctionCommand(fnInput("async-throttle")));
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "async-throttle", DestinationConfig: { OnFailure: { Destination: failures.arn } } }));
    await lambda.send(new InvokeCommand({ FunctionName: "async-throttle", InvocationType: "Event", Payload: encode({ mode: "throttle" }) }));
    await service.whenIdle();
    const runs = service.invocationLog().filter((e) => e.functionName === "async-throttle");
    expect(runs).toHaveLength(service.asyncThrottleRetryLimit + 1);
    expect(runs.every((r) => r.attempt === 1 && r.result.statusCode === 429)).toBe(true);
    const [message] = await receiveAll(failures.url);
    expect(JSON.parse(message!.Body!).requestContext).toMatchObject({ condition: "EventAgeExceeded", approximateInvokeCount: 0 });
  });
});

describe("snapshots", () => {
  it("round-trips its state as plain JSON", async () => {
    const state = JSON.parse(JSON.stringify(service.snapshot()));
    const copy = new LambdaService(sandbox.context);
    copy.restore(state);
    expect(copy.snapshot()).toEqual(state);
    const fn = (state as { functions: Record<string, { versions: unknown[] }> }).functions["versioned"];
    expect(fn?.versions).toHaveLength(6);
  });
});
