import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  APIGatewayClient,
  APIGatewayServiceException,
  BadRequestException,
  ConflictException,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  CreateStageCommand,
  DeleteRestApiCommand,
  DeleteStageCommand,
  GetDeploymentCommand,
  GetIntegrationCommand,
  GetMethodCommand,
  GetResourcesCommand,
  GetRestApiCommand,
  GetRestApisCommand,
  GetStageCommand,
  GetStagesCommand,
  GetTagsCommand,
  NotFoundException,
  PutIntegrationCommand,
  PutMethodCommand,
  TagResourceCommand,
  TooManyRequestsException,
  UntagResourceCommand,
  UpdateStageCommand,
  paginateGetDeployments,
  paginateGetResources,
  paginateGetRestApis,
} from "@aws-sdk/client-api-gateway";
import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateDeploymentCommand as CreateDeploymentV2Command,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateStageCommand as CreateStageV2Command,
  DeleteApiCommand,
  DeleteStageCommand as DeleteStageV2Command,
  GetApiCommand,
  GetApisCommand,
  GetDeploymentsCommand as GetDeploymentsV2Command,
  GetIntegrationCommand as GetIntegrationV2Command,
  GetIntegrationsCommand,
  GetRoutesCommand,
  GetStageCommand as GetStageV2Command,
  GetStagesCommand as GetStagesV2Command,
  GetTagsCommand as GetTagsV2Command,
  NotFoundException as NotFoundV2Exception,
  ConflictException as ConflictV2Exception,
  BadRequestException as BadRequestV2Exception,
  TagResourceCommand as TagResourceV2Command,
  UntagResourceCommand as UntagResourceV2Command,
  UpdateStageCommand as UpdateStageV2Command,
} from "@aws-sdk/client-apigatewayv2";
import { startSandbox, type Sandbox } from "../../../lib/sandbox/server.ts";
import { lambdaArnOfIntegrationUri } from "../../../lib/sandbox/services/apigateway.ts";
import { applyStagePatch, defaultMethodSetting, type StageRecord } from "../../../lib/sandbox/services/apigateway-patch.ts";

const REGION = "us-east-1";
const ACCOUNT = "123456789012";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const fnArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
const lambdaUri = (name: string) => `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${fnArn(name)}/invocations`;

let sandbox: Sandbox;
let apigw: APIGatewayClient;
let v2: ApiGatewayV2Client;

async function rejection(p: Promise<unknown>): Promise<Error & { name: string; $metadata: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { name: string; $metadata: { httpStatusCode?: number } };
  }
  throw new Error("expected the call to fail");
}

/** A REST API with one Lambda-proxy method, ready to deploy. */
async function restApiWithMethod(name: string): Promise<{ id: string; rootId: string; resourceId: string }> {
  const api = await apigw.send(new CreateRestApiCommand({ name }));
  const res = await apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: "orders" }));
  await apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: res.id, httpMethod: "GET", authorizationType: "NONE" }));
  await apigw.send(new PutIntegrationCommand({ restApiId: api.id, resourceId: res.id, httpMethod: "GET", type: "AWS_PROXY", integrationHttpMethod: "POST", uri: lambdaUri(`${name}-fn`) }));
  return { id: api.id!, rootId: api.rootResourceId!, resourceId: res.id! };
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: 11 });
  const config = { endpoint: sandbox.url, region: REGION, credentials, maxAttempts: 1 };
  apigw = new APIGatewayClient(config);
  v2 = new ApiGatewayV2Client(config);
});

afterAll(async () => {
  apigw?.destroy();
  v2?.destroy();
  await sandbox?.close();
});

describe("stage patch operations (pure)", () => {
  const base: StageRecord = { stageName: "prod", deploymentId: "d1", cacheClusterEnabled: false, methodSettings: {}, tracingEnabled: false, createdDate: 0, lastUpdatedDate: 0 };
  const exists = (id: string) => ["d1", "d2"].includes(id);

  it.each([
    [[{ op: "replace", path: "/cacheClusterEnabled", value: "true" }], { cacheClusterEnabled: true, cacheClusterSize: "0.5" }],
    [[{ op: "replace", path: "/cacheClusterSize", value: "1.6" }], { cacheClusterSize: "1.6" }],
    [[{ op: "replace", path: "/tracingEnabled", value: "true" }], { tracingEnabled: true }],
    [[{ op: "replace", path: "/variables/lambdaAlias", value: "live" }], { variables: { lambdaAlias: "live" } }],
    [[{ op: "replace", path: "/canarySettings/percentTraffic", value: "12.5" }], { canarySettings: { percentTraffic: 12.5 } }],
    [[{ op: "replace", path: "/accessLogSettings/destinationArn", value: "arn:aws:logs:us-east-1:1:log-group:access" }], { accessLogSettings: { destinationArn: "arn:aws:logs:us-east-1:1:log-group:access" } }],
    [[{ op: "replace", path: "/*/*/caching/enabled", value: "true" }], { methodSettings: { "*/*": { ...defaultMethodSetting(), cachingEnabled: true } } }],
    [[{ op: "replace", path: "/~1orders~1{id}/GET/throttling/rateLimit", value: "50" }], { methodSettings: { "orders/{id}/GET": { ...defaultMethodSetting(), throttlingRateLimit: 50 } } }],
    [[{ op: "replace", path: "/*/*/logging/loglevel", value: "ERROR" }], { methodSettings: { "*/*": { ...defaultMethodSetting(), loggingLevel: "ERROR" } } }],
  ])("applies %j", (ops, expected) => {
    expect(applyStagePatch(base, ops, exists)).toMatchObject(expected);
  });

  it("promotes a canary with the copy idiom and removes it", () => {
    const withCanary: StageRecord = { ...base, variables: { a: "1" }, canarySettings: { percentTraffic: 10, deploymentId: "d2", stageVariableOverrides: { a: "2" } } };
    const promoted = applyStagePatch(
      withCanary,
      [
        { op: "copy", from: "/canarySettings/deploymentId", path: "/deploymentId" },
        { op: "copy", from: "/canarySettings/stageVariableOverrides", path: "/variables" },
        { op: "remove", path: "/canarySettings" },
      ],
      exists,
    );
    expect(promoted).toMatchObject({ deploymentId: "d2", variables: { a: "2" } });
    expect(promoted.canarySettings).toBeUndefined();
    expect(withCanary.deploymentId).toBe("d1");
  });

  it.each([
    [{ op: "replace", path: "/nope", value: "x" }],
    [{ op: "replace", path: "/*/*/caching/enabled", value: "yes" }],
    [{ op: "replace", path: "/*/*/logging/loglevel", value: "LOUD" }],
    [{ op: "replace", path: "/deploymentId", value: "missing" }],
    [{ op: "replace", path: "/canarySettings/percentTraffic", value: "101" }],
    [{ op: "replace", path: "/cacheClusterSize", value: "3" }],
    [{ op: "frobnicate", path: "/description", value: "x" }],
  ])("rejects %j with BadRequestException", (op) => {
    expect(() => applyStagePatch(base, [op], exists)).toThrow(expect.objectContaining({ code: "BadRequestException", status: 400 }));
  });

  it("reads the Lambda ARN out of an integration uri", () => {
    expect(lambdaArnOfIntegrationUri(lambdaUri("checkout"))).toBe(fnArn("checkout"));
    expect(lambdaArnOfIntegrationUri(`arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${fnArn("checkout")}:live/invocations`)).toBe(`${fnArn("checkout")}:live`);
    expect(lambdaArnOfIntegrationUri("https://example.com")).toBeUndefined();
  });
});

describe("API Gateway REST APIs (v1)", () => {
  it("creates and reads a REST API with its root resource", async () => {
    const created = await apigw.send(new CreateRestApiCommand({ name: "orders-api", description: "orders", tags: { team: "shop" }, endpointConfiguration: { types: ["REGIONAL"] } }));
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created).toMatchObject({ name: "orders-api", description: "orders", apiKeySource: "HEADER", endpointConfiguration: { types: ["REGIONAL"] }, tags: { team: "shop" }, disableExecuteApiEndpoint: false });
    expect(created.id).toMatch(/^[a-z0-9]{10}$/);
    expect(created.createdDate).toBeInstanceOf(Date);
    expect(Math.abs(created.createdDate!.getTime() - Date.now())).toBeLessThan(60_000);
    const got = await apigw.send(new GetRestApiCommand({ restApiId: created.id }));
    expect(got).toMatchObject({ id: created.id, name: "orders-api", rootResourceId: created.rootResourceId });
    const resources = await apigw.send(new GetResourcesCommand({ restApiId: created.id }));
    expect(resources.items).toEqual([{ id: created.rootResourceId, path: "/" }]);
    const missing = await rejection(apigw.send(new GetRestApiCommand({ restApiId: "doesnotexist" })));
    expect(missing).toBeInstanceOf(NotFoundException);
    expect(missing.$metadata.httpStatusCode).toBe(404);
    expect(missing.message).toBe(`Invalid API identifier specified ${ACCOUNT}:doesnotexist`);
  });

  it("pages GetRestApis with the SDK paginator (25 by default)", async () => {
    for (let i = 0; i < 30; i++) await apigw.send(new CreateRestApiCommand({ name: `paged-${i}` }));
    const firstPage = await apigw.send(new GetRestApisCommand({}));
    expect(firstPage.items).toHaveLength(25);
    expect(firstPage.position).toBeTruthy();
    const names: string[] = [];
    const sizes: number[] = [];
    for await (const page of paginateGetRestApis({ client: apigw, pageSize: 8 }, {})) {
      sizes.push(page.items!.length);
      names.push(...page.items!.map((a) => a.name!));
    }
    expect(sizes.slice(0, -1).every((n) => n === 8)).toBe(true);
    expect(names.filter((n) => n.startsWith("paged-"))).toEqual(Array.from({ length: 30 }, (_, i) => `paged-${i}`));
    expect(new Set(names).size).toBe(names.length);
    const badLimit = await rejection(apigw.send(new GetRestApisCommand({ limit: 501 })));
    expect(badLimit).toBeInstanceOf(BadRequestException);
  });

  it("records resources, methods and Lambda integrations", async () => {
    const api = await apigw.send(new CreateRestApiCommand({ name: "integrations-api" }));
    const orders = await apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: "orders" }));
    expect(orders.$metadata.httpStatusCode).toBe(201);
    expect(orders).toMatchObject({ parentId: api.rootResourceId, pathPart: "orders", path: "/orders" });
    const order = await apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: orders.id, pathPart: "{id}" }));
    expect(order.path).toBe("/orders/{id}");
    expect(await rejection(apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: "orders" })))).toBeInstanceOf(ConflictException);
    expect(await rejection(apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: "nope", pathPart: "x" })))).toBeInstanceOf(NotFoundException);

    const method = await apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: order.id, httpMethod: "GET", authorizationType: "NONE" }));
    expect(method).toMatchObject({ httpMethod: "GET", authorizationType: "NONE", apiKeyRequired: false });
    expect(await rejection(apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: order.id, httpMethod: "GET", authorizationType: "NONE" })))).toBeInstanceOf(ConflictException);
    const integration = await apigw.send(
      new PutIntegrationCommand({ restApiId: api.id, resourceId: order.id, httpMethod: "GET", type: "AWS_PROXY", integrationHttpMethod: "POST", uri: lambdaUri("get-order") }),
    );
    expect(integration.$metadata.httpStatusCode).toBe(201);
    expect(integration).toMatchObject({ type: "AWS_PROXY", httpMethod: "POST", uri: lambdaUri("get-order"), passthroughBehavior: "WHEN_NO_MATCH", timeoutInMillis: 29000, cacheNamespace: order.id });
    const badUri = await rejection(
      apigw.send(new PutIntegrationCommand({ restApiId: api.id, resourceId: order.id, httpMethod: "GET", type: "AWS_PROXY", integrationHttpMethod: "POST", uri: "not-an-arn" })),
    );
    expect(badUri).toBeInstanceOf(BadRequestException);
    expect(await rejection(apigw.send(new PutIntegrationCommand({ restApiId: api.id, resourceId: order.id, httpMethod: "DELETE", type: "MOCK" })))).toBeInstanceOf(NotFoundException);

    const got = await apigw.send(new GetMethodCommand({ restApiId: api.id, resourceId: order.id, httpMethod: "GET" }));
    expect(got.methodIntegration?.uri).toBe(lambdaUri("get-order"));
    expect((await apigw.send(new GetIntegrationCommand({ restApiId: api.id, resourceId: order.id, httpMethod: "GET" }))).type).toBe("AWS_PROXY");

    const plain = await apigw.send(new GetResourcesCommand({ restApiId: api.id }));
    expect(plain.items!.find((r) => r.id === order.id)?.resourceMethods).toEqual({ GET: {} });
    const embedded: { path?: string; uri?: string }[] = [];
    for await (const page of paginateGetResources({ client: apigw, pageSize: 1 }, { restApiId: api.id, embed: ["methods"] })) {
      expect(page.items).toHaveLength(1);
      for (const r of page.items!) embedded.push({ path: r.path, uri: r.resourceMethods?.GET?.methodIntegration?.uri });
    }
    expect(embedded).toEqual([{ path: "/" }, { path: "/orders" }, { path: "/orders/{id}", uri: lambdaUri("get-order") }]);
  });

  it("declares shop-api: prod with a 10% canary and cache, dev plain", async () => {
    const empty = await apigw.send(new CreateRestApiCommand({ name: "no-methods" }));
    const noMethods = await rejection(apigw.send(new CreateDeploymentCommand({ restApiId: empty.id, stageName: "prod" })));
    expect(noMethods).toBeInstanceOf(BadRequestException);
    expect(noMethods.message).toBe("The REST API doesn't contain any methods");

    const api = await restApiWithMethod("shop-api");
    const first = await apigw.send(
      new CreateDeploymentCommand({ restApiId: api.id, stageName: "prod", description: "v1", cacheClusterEnabled: true, cacheClusterSize: "0.5", variables: { lambdaAlias: "live" } }),
    );
    expect(first.$metadata.httpStatusCode).toBe(201);
    expect(first).toMatchObject({ description: "v1", apiSummary: { "/orders": { GET: { authorizationType: "NONE", apiKeyRequired: false } } } });
    const canaryOnMissingStage = await rejection(apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: "staging", canarySettings: { percentTraffic: 5 } })));
    expect(canaryOnMissingStage).toBeInstanceOf(BadRequestException);
    const canary = await apigw.send(
      new CreateDeploymentCommand({ restApiId: api.id, stageName: "prod", description: "v2 canary", canarySettings: { percentTraffic: 10, useStageCache: false, stageVariableOverrides: { lambdaAlias: "canary" } } }),
    );
    const dev = await apigw.send(new CreateStageCommand({ restApiId: api.id, stageName: "dev", deploymentId: canary.id, tracingEnabled: true, tags: { env: "dev" } }));
    expect(dev.$metadata.httpStatusCode).toBe(201);
    expect(await rejection(apigw.send(new CreateStageCommand({ restApiId: api.id, stageName: "dev", deploymentId: canary.id })))).toBeInstanceOf(ConflictException);
    expect(await rejection(apigw.send(new CreateStageCommand({ restApiId: api.id, stageName: "qa", deploymentId: "zzzzzz" })))).toBeInstanceOf(NotFoundException);

    await apigw.send(
      new UpdateStageCommand({
        restApiId: api.id,
        stageName: "prod",
        patchOperations: [
          { op: "replace", path: "/*/*/caching/enabled", value: "true" },
          { op: "replace", path: "/*/*/caching/ttlInSeconds", value: "60" },
          { op: "replace", path: "/*/*/metrics/enabled", value: "true" },
          { op: "replace", path: "/accessLogSettings/destinationArn", value: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:shop-api-access` },
          { op: "replace", path: "/accessLogSettings/format", value: "$context.requestId $context.status" },
          { op: "replace", path: "/tracingEnabled", value: "true" },
        ],
      }),
    );

    const stages = await apigw.send(new GetStagesCommand({ restApiId: api.id }));
    const byName = Object.fromEntries(stages.item!.map((s) => [s.stageName, s]));
    expect(Object.keys(byName).sort()).toEqual(["dev", "prod"]);
    expect(byName.prod).toMatchObject({
      stageName: "prod",
      deploymentId: first.id,
      cacheClusterEnabled: true,
      cacheClusterSize: "0.5",
      cacheClusterStatus: "AVAILABLE",
      canarySettings: { percentTraffic: 10, deploymentId: canary.id, stageVariableOverrides: { lambdaAlias: "canary" }, useStageCache: false },
      methodSettings: { "*/*": { ...defaultMethodSetting(), cachingEnabled: true, cacheTtlInSeconds: 60, metricsEnabled: true } },
      accessLogSettings: { destinationArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:shop-api-access`, format: "$context.requestId $context.status" },
      tracingEnabled: true,
      variables: { lambdaAlias: "live" },
    });
    expect(byName.prod!.createdDate).toBeInstanceOf(Date);
    expect(byName.prod!.lastUpdatedDate!.getTime()).toBeGreaterThanOrEqual(byName.prod!.createdDate!.getTime());
    expect(byName.dev).toMatchObject({ deploymentId: canary.id, cacheClusterEnabled: false, cacheClusterStatus: "NOT_AVAILABLE", tracingEnabled: true, methodSettings: {}, tags: { env: "dev" } });
    expect(byName.dev!.canarySettings).toBeUndefined();
    const filtered = await apigw.send(new GetStagesCommand({ restApiId: api.id, deploymentId: first.id }));
    expect(filtered.item!.map((s) => s.stageName)).toEqual(["prod"]);

    const shifted = await apigw.send(new UpdateStageCommand({ restApiId: api.id, stageName: "prod", patchOperations: [{ op: "replace", path: "/canarySettings/percentTraffic", value: "25" }] }));
    expect(shifted.canarySettings?.percentTraffic).toBe(25);
    const badPatch = await rejection(apigw.send(new UpdateStageCommand({ restApiId: api.id, stageName: "prod", patchOperations: [{ op: "replace", path: "/colour", value: "blue" }] })));
    expect(badPatch).toBeInstanceOf(BadRequestException);
    const promoted = await apigw.send(
      new UpdateStageCommand({
        restApiId: api.id,
        stageName: "prod",
        patchOperations: [
          { op: "copy", from: "/canarySettings/deploymentId", path: "/deploymentId" },
          { op: "remove", path: "/canarySettings" },
        ],
      }),
    );
    expect(promoted.deploymentId).toBe(canary.id);
    expect(promoted.canarySettings).toBeUndefined();
    const disabled = await apigw.send(new UpdateStageCommand({ restApiId: api.id, stageName: "prod", patchOperations: [{ op: "replace", path: "/cacheClusterEnabled", value: "false" }] }));
    expect(disabled).toMatchObject({ cacheClusterEnabled: false, cacheClusterStatus: "NOT_AVAILABLE" });

    const deployments: string[] = [];
    for await (const page of paginateGetDeployments({ client: apigw, pageSize: 1 }, { restApiId: api.id })) deployments.push(...page.items!.map((d) => d.id!));
    expect(deployments).toEqual([first.id, canary.id]);
    expect((await apigw.send(new GetDeploymentCommand({ restApiId: api.id, deploymentId: canary.id }))).description).toBe("v2 canary");
    expect(await rejection(apigw.send(new GetDeploymentCommand({ restApiId: api.id, deploymentId: "nope00" })))).toBeInstanceOf(NotFoundException);

    const stage = await apigw.send(new GetStageCommand({ restApiId: api.id, stageName: "dev" }));
    expect(stage.stageName).toBe("dev");
    const deleted = await apigw.send(new DeleteStageCommand({ restApiId: api.id, stageName: "dev" }));
    expect(deleted.$metadata.httpStatusCode).toBe(202);
    const gone = await rejection(apigw.send(new GetStageCommand({ restApiId: api.id, stageName: "dev" })));
    expect(gone).toBeInstanceOf(NotFoundException);
    expect(gone.message).toBe("Invalid stage identifier specified");
  });

  it("tags REST APIs and stages", async () => {
    const api = await restApiWithMethod("tagged-api");
    await apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: "prod" }));
    const apiArn = `arn:aws:apigateway:${REGION}::/restapis/${api.id}`;
    const tagged = await apigw.send(new TagResourceCommand({ resourceArn: apiArn, tags: { team: "shop", cost: "42" } }));
    expect(tagged.$metadata.httpStatusCode).toBe(204);
    await apigw.send(new UntagResourceCommand({ resourceArn: apiArn, tagKeys: ["cost"] }));
    expect((await apigw.send(new GetTagsCommand({ resourceArn: apiArn }))).tags).toEqual({ team: "shop" });
    expect((await apigw.send(new GetRestApiCommand({ restApiId: api.id }))).tags).toEqual({ team: "shop" });
    await apigw.send(new TagResourceCommand({ resourceArn: `${apiArn}/stages/prod`, tags: { env: "prod" } }));
    expect((await apigw.send(new GetStageCommand({ restApiId: api.id, stageName: "prod" }))).tags).toEqual({ env: "prod" });
  });

  it("deletes REST APIs and reports throttling as TooManyRequestsException", async () => {
    const api = await apigw.send(new CreateRestApiCommand({ name: "short-lived" }));
    const deleted = await apigw.send(new DeleteRestApiCommand({ restApiId: api.id }));
    expect(deleted.$metadata.httpStatusCode).toBe(202);
    expect(await rejection(apigw.send(new GetRestApiCommand({ restApiId: api.id })))).toBeInstanceOf(NotFoundException);
    sandbox.setFaults({ "apigateway:GetRestApis": { throttleRate: 1 } });
    try {
      const throttled = await rejection(apigw.send(new GetRestApisCommand({})));
      expect(throttled).toBeInstanceOf(TooManyRequestsException);
      expect(throttled.$metadata.httpStatusCode).toBe(429);
    } finally {
      sandbox.setFaults({});
    }
  });

  it("honours an injected page size", async () => {
    sandbox.setFaults({ "apigateway:GetRestApis": { pageSize: 3 } });
    try {
      const page = await apigw.send(new GetRestApisCommand({ limit: 100 }));
      expect(page.items).toHaveLength(3);
    } finally {
      sandbox.setFaults({});
    }
  });
});

describe("API Gateway HTTP APIs (v2)", () => {
  it("creates, reads and pages HTTP APIs with camelCase wire members", async () => {
    const created = await v2.send(new CreateApiCommand({ Name: "checkout-http", ProtocolType: "HTTP", Description: "checkout", Tags: { team: "pay" } }));
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created).toMatchObject({
      Name: "checkout-http",
      ProtocolType: "HTTP",
      Description: "checkout",
      RouteSelectionExpression: "$request.method $request.path",
      ApiKeySelectionExpression: "$request.header.x-api-key",
      ApiEndpoint: `https://${created.ApiId}.execute-api.${REGION}.amazonaws.com`,
      DisableExecuteApiEndpoint: false,
      Tags: { team: "pay" },
    });
    expect(created.CreatedDate).toBeInstanceOf(Date);
    const raw = await fetch(`${sandbox.url}/v2/apis/${created.ApiId}`, {
      headers: { authorization: `AWS4-HMAC-SHA256 Credential=test/20250101/${REGION}/apigateway/aws4_request, SignedHeaders=host, Signature=x` },
    });
    const body = (await raw.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ apiId: created.ApiId, name: "checkout-http", protocolType: "HTTP" });
    expect(body.createdDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect((await v2.send(new GetApiCommand({ ApiId: created.ApiId }))).Name).toBe("checkout-http");
    const missing = await rejection(v2.send(new GetApiCommand({ ApiId: "nope" })));
    expect(missing).toBeInstanceOf(NotFoundV2Exception);
    expect((missing as NotFoundV2Exception).ResourceType).toBe("Api");

    for (let i = 0; i < 5; i++) await v2.send(new CreateApiCommand({ Name: `http-paged-${i}`, ProtocolType: "HTTP" }));
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await v2.send(new GetApisCommand({ MaxResults: "2", NextToken: token }));
      expect(page.Items!.length).toBeLessThanOrEqual(2);
      names.push(...page.Items!.map((a) => a.Name!));
      token = page.NextToken;
      pages++;
    } while (token);
    expect(names).toEqual(["checkout-http", ...Array.from({ length: 5 }, (_, i) => `http-paged-${i}`)]);
    expect(pages).toBe(3);
    // REST APIs and HTTP APIs share the signing name but not their listings.
    const rest = await apigw.send(new GetRestApisCommand({ limit: 500 }));
    expect(rest.items!.some((a) => a.name === "checkout-http")).toBe(false);
  });

  it("records integrations, routes, stages and deployments", async () => {
    const { ApiId } = await v2.send(new CreateApiCommand({ Name: "orders-http", ProtocolType: "HTTP" }));
    const integration = await v2.send(new CreateIntegrationCommand({ ApiId, IntegrationType: "AWS_PROXY", IntegrationUri: fnArn("orders"), PayloadFormatVersion: "2.0" }));
    expect(integration.$metadata.httpStatusCode).toBe(201);
    expect(integration).toMatchObject({ IntegrationType: "AWS_PROXY", IntegrationUri: fnArn("orders"), PayloadFormatVersion: "2.0", IntegrationMethod: "POST", ConnectionType: "INTERNET", TimeoutInMillis: 30000 });
    expect((await v2.send(new GetIntegrationV2Command({ ApiId, IntegrationId: integration.IntegrationId }))).IntegrationUri).toBe(fnArn("orders"));
    expect(await rejection(v2.send(new CreateIntegrationCommand({ ApiId, IntegrationType: "SOAP" as "AWS" })))).toBeInstanceOf(BadRequestV2Exception);

    const route = await v2.send(new CreateRouteCommand({ ApiId, RouteKey: "GET /orders", Target: `integrations/${integration.IntegrationId}` }));
    expect(route).toMatchObject({ RouteKey: "GET /orders", Target: `integrations/${integration.IntegrationId}`, AuthorizationType: "NONE", ApiKeyRequired: false });
    await v2.send(new CreateRouteCommand({ ApiId, RouteKey: "POST /orders", Target: `integrations/${integration.IntegrationId}` }));
    expect(await rejection(v2.send(new CreateRouteCommand({ ApiId, RouteKey: "GET /orders" })))).toBeInstanceOf(ConflictV2Exception);
    expect(await rejection(v2.send(new CreateRouteCommand({ ApiId, RouteKey: "FETCH /orders" })))).toBeInstanceOf(BadRequestV2Exception);
    expect(await rejection(v2.send(new CreateRouteCommand({ ApiId, RouteKey: "GET /x", Target: "integrations/missing" })))).toBeInstanceOf(BadRequestV2Exception);
    const routes = await v2.send(new GetRoutesCommand({ ApiId }));
    expect(routes.Items!.map((r) => r.RouteKey)).toEqual(["GET /orders", "POST /orders"]);
    expect((await v2.send(new GetIntegrationsCommand({ ApiId }))).Items!.map((i) => i.IntegrationId)).toEqual([integration.IntegrationId]);

    const auto = await v2.send(new CreateStageV2Command({ ApiId, StageName: "$default", AutoDeploy: true }));
    expect(auto).toMatchObject({ StageName: "$default", AutoDeploy: true, DefaultRouteSettings: { DetailedMetricsEnabled: false } });
    expect(auto.DeploymentId).toMatch(/^[a-z0-9]{6}$/);
    expect(auto.CreatedDate).toBeInstanceOf(Date);
    const prod = await v2.send(
      new CreateStageV2Command({
        ApiId,
        StageName: "prod",
        AccessLogSettings: { DestinationArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:orders-http`, Format: "$context.requestId" },
        DefaultRouteSettings: { DetailedMetricsEnabled: true, ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 },
        StageVariables: { alias: "live" },
      }),
    );
    expect(prod).toMatchObject({ AutoDeploy: false, StageVariables: { alias: "live" }, DefaultRouteSettings: { DetailedMetricsEnabled: true, ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 } });
    expect(prod.DeploymentId).toBeUndefined();
    expect(await rejection(v2.send(new CreateStageV2Command({ ApiId, StageName: "prod" })))).toBeInstanceOf(ConflictV2Exception);

    const deployment = await v2.send(new CreateDeploymentV2Command({ ApiId, StageName: "prod", Description: "release 1" }));
    expect(deployment).toMatchObject({ DeploymentStatus: "DEPLOYED", AutoDeployed: false, Description: "release 1" });
    const stage = await v2.send(new GetStageV2Command({ ApiId, StageName: "prod" }));
    expect(stage).toMatchObject({ DeploymentId: deployment.DeploymentId, AccessLogSettings: { DestinationArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:orders-http`, Format: "$context.requestId" } });
    const updated = await v2.send(new UpdateStageV2Command({ ApiId, StageName: "prod", DefaultRouteSettings: { ThrottlingRateLimit: 10 } }));
    expect(updated.DefaultRouteSettings).toMatchObject({ DetailedMetricsEnabled: true, ThrottlingRateLimit: 10 });
    const stages = await v2.send(new GetStagesV2Command({ ApiId }));
    expect(stages.Items!.map((s) => s.StageName)).toEqual(["$default", "prod"]);
    const deployments = await v2.send(new GetDeploymentsV2Command({ ApiId }));
    expect(deployments.Items!.some((d) => d.AutoDeployed)).toBe(true);
    expect(deployments.Items!.some((d) => d.DeploymentId === deployment.DeploymentId)).toBe(true);

    const del = await v2.send(new DeleteStageV2Command({ ApiId, StageName: "prod" }));
    expect(del.$metadata.httpStatusCode).toBe(204);
    expect(await rejection(v2.send(new GetStageV2Command({ ApiId, StageName: "prod" })))).toBeInstanceOf(NotFoundV2Exception);
  });

  it("quick-creates a Lambda proxy API with a $default stage, tags it and deletes it", async () => {
    const created = await v2.send(new CreateApiCommand({ Name: "quick", ProtocolType: "HTTP", Target: fnArn("quick-fn") }));
    const [integration] = (await v2.send(new GetIntegrationsCommand({ ApiId: created.ApiId }))).Items!;
    expect(integration).toMatchObject({ IntegrationType: "AWS_PROXY", IntegrationUri: fnArn("quick-fn"), PayloadFormatVersion: "2.0" });
    const [route] = (await v2.send(new GetRoutesCommand({ ApiId: created.ApiId }))).Items!;
    expect(route).toMatchObject({ RouteKey: "$default", Target: `integrations/${integration!.IntegrationId}` });
    const [stage] = (await v2.send(new GetStagesV2Command({ ApiId: created.ApiId }))).Items!;
    expect(stage).toMatchObject({ StageName: "$default", AutoDeploy: true });
    expect(stage!.DeploymentId).toBeTruthy();

    const apiArn = `arn:aws:apigateway:${REGION}::/apis/${created.ApiId}`;
    await v2.send(new TagResourceV2Command({ ResourceArn: apiArn, Tags: { a: "1", b: "2" } }));
    await v2.send(new UntagResourceV2Command({ ResourceArn: apiArn, TagKeys: ["a"] }));
    expect((await v2.send(new GetTagsV2Command({ ResourceArn: apiArn }))).Tags).toEqual({ b: "2" });

    const deleted = await v2.send(new DeleteApiCommand({ ApiId: created.ApiId }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    expect(await rejection(v2.send(new GetApiCommand({ ApiId: created.ApiId })))).toBeInstanceOf(NotFoundV2Exception);
  });

  it("keeps its errors in the v2 exception classes", async () => {
    const err = await rejection(v2.send(new GetStagesV2Command({ ApiId: "ghost" })));
    expect(err).toBeInstanceOf(NotFoundV2Exception);
    expect(err).not.toBeInstanceOf(APIGatewayServiceException);
  });
});
