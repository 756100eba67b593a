/**
 * Declares the shop's resources through the AWS APIs (idempotently): IAM role, queues,
 * topic, log groups, functions with versions/aliases/concurrency/async config, event
 * source mapping, schedules, the REST API (stages, canary, cache, authorizer, access
 * logs) and the HTTP API. Works against AWS, the sandbox and moto; what an endpoint does
 * not support is skipped with a warning when it is decoration, fatal when it is core.
 */
import { CreateRoleCommand, GetRoleCommand } from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand } from "@aws-sdk/client-sqs";
import { CreateTopicCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  AddPermissionCommand,
  CreateAliasCommand,
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  ListEventSourceMappingsCommand,
  ListLayerVersionsCommand,
  PublishLayerVersionCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  PutProvisionedConcurrencyConfigCommand,
  UpdateFunctionConfigurationCommand,
  paginateListVersionsByFunction,
  type Runtime,
} from "@aws-sdk/client-lambda";
import {
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  CreateStageCommand,
  PutIntegrationCommand,
  PutMethodCommand,
  UpdateStageCommand,
  paginateGetResources,
  paginateGetRestApis,
  type PatchOperation,
} from "@aws-sdk/client-api-gateway";
import { CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand as CreateV2StageCommand, GetApisCommand } from "@aws-sdk/client-apigatewayv2";
import { PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import type { AwsClients } from "../aws/clients.ts";
import { SANDBOX_ACCOUNT_ID } from "../sandbox/core.ts";
import { SANDBOX_CODE_SIZE_TAG, SANDBOX_LAYER_SIZES_TAG } from "../sandbox/services/lambda-model.ts";
import { applyOverrides, PROFILE_ENV, profileToEnvironment } from "./profile.ts";
import { languageOf, scheduleExpression, type ApiSpec, type FunctionSpec, type Shop } from "./shop.ts";
import { buildZip } from "./zip.ts";

export const ROLE_NAME = "faasight-sim-lambda";
export const SHOP_TAG = { app: "faasight-sim-shop" };

export interface ProvisionResult {
  accountId: string;
  region: string;
  /** API name -> API id. */
  apiIds: Record<string, string>;
  queueUrls: Record<string, string>;
  queueArns: Record<string, string>;
  /** Visible messages per queue before the run. */
  queueDepths: Record<string, number>;
  logGroups: string[];
  warnings: string[];
}

export interface ProvisionOptions {
  log?: (line: string) => void;
}

const CONFLICT = new Set([
  "ResourceConflictException",
  "EntityAlreadyExistsException",
  "EntityAlreadyExists",
  "ResourceAlreadyExistsException",
  "ConflictException",
  "QueueAlreadyExists",
  "QueueNameExists",
]);

const errName = (err: unknown) => (err as { name?: string })?.name ?? "Error";
const errText = (err: unknown) => `${errName(err)}: ${(err as Error)?.message ?? String(err)}`;

/** The JSON access-log format each stage uses (the fields the simulator writes). */
export const REST_ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  extendedRequestId: "$context.extendedRequestId",
  ip: "$context.identity.sourceIp",
  requestTime: "$context.requestTime",
  requestTimeEpoch: "$context.requestTimeEpoch",
  httpMethod: "$context.httpMethod",
  resourcePath: "$context.resourcePath",
  path: "$context.path",
  status: "$context.status",
  protocol: "$context.protocol",
  responseLength: "$context.responseLength",
  responseLatency: "$context.responseLatency",
  integrationRequestId: "$context.integration.requestId",
  integrationStatus: "$context.integration.status",
  integrationLatency: "$context.integration.latency",
  authorizerRequestId: "$context.authorizer.requestId",
  authorizerStatus: "$context.authorizer.status",
  authorizerLatency: "$context.authorizer.latency",
  xrayTraceId: "$context.xrayTraceId",
  isCanaryRequest: "$context.isCanaryRequest",
  stage: "$context.stage",
  errorMessage: "$context.error.message",
});

export const HTTP_ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  ip: "$context.identity.sourceIp",
  requestTime: "$context.requestTime",
  requestTimeEpoch: "$context.requestTimeEpoch",
  httpMethod: "$context.httpMethod",
  routeKey: "$context.routeKey",
  path: "$context.path",
  status: "$context.status",
  protocol: "$context.protocol",
  responseLength: "$context.responseLength",
  responseLatency: "$context.responseLatency",
  integrationRequestId: "$context.integration.requestId",
  integrationStatus: "$context.integration.integrationStatus",
  integrationLatency: "$context.integrationLatency",
  integrationErrorMessage: "$context.integrationErrorMessage",
  stage: "$context.stage",
});

/** A tiny valid deployment package for a runtime (the sandbox and moto never run it). */
export function deploymentPackage(fn: Pick<FunctionSpec, "runtime" | "handler" | "name">): Buffer {
  const language = languageOf(fn.runtime);
  const [file, fnName] = fn.handler.split(".");
  switch (language) {
    case "node":
      return buildZip({ [`${file}.mjs`]: `export const ${fnName ?? "handler"} = async (event) => ({ statusCode: 200, body: JSON.stringify({ ok: true }) });\n` });
    case "python":
      return buildZip({ [`${file}.py`]: `import json\n\n\ndef ${fnName ?? "handler"}(event, context):\n    return {"statusCode": 200, "body": json.dumps({"ok": True})}\n` });
    case "custom":
      return buildZip({ bootstrap: "#!/bin/sh\n# Placeholder for the compiled Go binary of the simulated function.\nexit 0\n" });
    default:
      return buildZip({ "README.txt": `Placeholder package of the simulated ${fn.name} function (${fn.runtime}).\n` });
  }
}

/** Creates (or finds) every resource of the shop. */
export async function provisionShop(clients: AwsClients, shop: Shop, options: ProvisionOptions = {}): Promise<ProvisionResult> {
  const region = clients.target.region;
  const log = options.log ?? (() => {});
  const warnings: string[] = [];
  const seen = new Set<string>();
  const warn = (what: string, err: unknown) => {
    const line = `${what}: ${errText(err)}`;
    warnings.push(line);
    // One line per operation and error kind (an endpoint lacking AddPermission fails it for every function).
    const kind = `${what.split(" ")[0]}|${errName(err)}`;
    if (!seen.has(kind)) {
      seen.add(kind);
      log(`warning: skipped ${line}`);
    }
  };
  /** Runs a decoration step; a failure is a warning, not fatal. */
  const optional = async <T>(what: string, step: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await step();
    } catch (err) {
      if (CONFLICT.has(errName(err))) return undefined;
      warn(what, err);
      return undefined;
    }
  };
  /** Runs a create step where "already exists" is success. */
  const create = async (step: () => Promise<unknown>): Promise<void> => {
    try {
      await step();
    } catch (err) {
      if (!CONFLICT.has(errName(err))) throw err;
    }
  };

  let accountId = SANDBOX_ACCOUNT_ID;
  const identity = await optional("sts:GetCallerIdentity", () => clients.sts.send(new GetCallerIdentityCommand({})));
  if (identity?.Account) accountId = identity.Account;
  const result: ProvisionResult = { accountId, region, apiIds: {}, queueUrls: {}, queueArns: {}, queueDepths: {}, logGroups: [], warnings };

  // IAM: moto and AWS need the role to exist; the sandbox has no IAM (ignored).
  const roleArn = `arn:aws:iam::${accountId}:role/${ROLE_NAME}`;
  try {
    await clients.iam.send(new GetRoleCommand({ RoleName: ROLE_NAME }));
  } catch {
    try {
      await clients.iam.send(
        new CreateRoleCommand({
          RoleName: ROLE_NAME,
          Description: "Execution role of the Faasight simulated shop",
          AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
        }),
      );
    } catch {
      // No IAM on this endpoint (the sandbox): functions are created without a real role.
    }
  }

  // Queues (dead-letter queues first: sources reference them in their redrive policy).
  for (const q of shop.queues) {
    if (result.queueUrls[q.name]) continue;
    const attributes: Record<string, string> = { VisibilityTimeout: String(q.visibilityTimeoutS), MessageRetentionPeriod: "1209600" };
    if (q.redrive) attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: result.queueArns[q.redrive.deadLetterQueue], maxReceiveCount: q.redrive.maxReceiveCount });
    let url: string | undefined;
    try {
      url = (await clients.sqs.send(new CreateQueueCommand({ QueueName: q.name, Attributes: attributes, tags: SHOP_TAG }))).QueueUrl;
    } catch (err) {
      if (!CONFLICT.has(errName(err))) throw err;
      url = (await clients.sqs.send(new GetQueueUrlCommand({ QueueName: q.name }))).QueueUrl;
    }
    if (!url) throw new Error(`CreateQueue ${q.name} returned no QueueUrl`);
    const attrs = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn", "ApproximateNumberOfMessages"] }));
    result.queueUrls[q.name] = url;
    result.queueArns[q.name] = attrs.Attributes?.QueueArn ?? `arn:aws:sqs:${region}:${accountId}:${q.name}`;
    result.queueDepths[q.name] = Number(attrs.Attributes?.ApproximateNumberOfMessages ?? 0);
  }

  const topicArns: Record<string, string> = {};
  for (const topic of shop.topics) {
    const out = await clients.sns.send(new CreateTopicCommand({ Name: topic, Tags: [{ Key: "app", Value: SHOP_TAG.app }] }));
    topicArns[topic] = out.TopicArn ?? `arn:aws:sns:${region}:${accountId}:${topic}`;
  }

  const groups = [...shop.functions.map((f) => `/aws/lambda/${f.name}`), ...shop.apis.flatMap((a) => a.stages.map((s) => s.accessLogGroup))];
  for (const group of groups) await create(() => clients.logs.send(new CreateLogGroupCommand({ logGroupName: group, tags: SHOP_TAG })));
  result.logGroups = groups;

  const layerArns = await provisionLayers(clients, shop, accountId, optional);
  const fnArn = (name: string, qualifier?: string) => `arn:aws:lambda:${region}:${accountId}:function:${name}${qualifier ? `:${qualifier}` : ""}`;

  // Functions are independent: a few at a time (a 1,000-function shop has ~10,000 calls to make).
  await forEachLimit(shop.functions, 8, (fn) => provisionFunction(clients, fn, { roleArn, layerArns, result, optional, log, fnArn }));

  // Triggers.
  for (const fn of shop.functions) {
    const t = fn.trigger;
    if (t.kind === "sqs") {
      const existing = await optional(`ListEventSourceMappings ${fn.name}`, () => clients.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: fn.name, EventSourceArn: result.queueArns[t.queue] })));
      if (existing && !existing.EventSourceMappings?.length) {
        await clients.lambda.send(
          new CreateEventSourceMappingCommand({ FunctionName: fn.name, EventSourceArn: result.queueArns[t.queue], BatchSize: t.batchSize, FunctionResponseTypes: ["ReportBatchItemFailures"], Enabled: true }),
        );
      }
    } else if (t.kind === "sns") {
      await optional(`AddPermission sns ${fn.name}`, () => clients.lambda.send(new AddPermissionCommand({ FunctionName: fn.name, StatementId: "sns-invoke", Action: "lambda:InvokeFunction", Principal: "sns.amazonaws.com", SourceArn: topicArns[t.topic] })));
      await optional(`Subscribe ${fn.name}`, () => clients.sns.send(new SubscribeCommand({ TopicArn: topicArns[t.topic], Protocol: "lambda", Endpoint: fnArn(fn.name) })));
    }
  }
  for (const rule of shop.rules) {
    const ruleArn = (await clients.events.send(new PutRuleCommand({ Name: rule.name, ScheduleExpression: scheduleExpression(rule), State: "ENABLED", Description: rule.description }))).RuleArn;
    await clients.events.send(new PutTargetsCommand({ Rule: rule.name, Targets: [{ Id: rule.fn, Arn: fnArn(rule.fn), Input: JSON.stringify(rule.input) }] }));
    await optional(`AddPermission events ${rule.fn}`, () => clients.lambda.send(new AddPermissionCommand({ FunctionName: rule.fn, StatementId: `events-${rule.name}`, Action: "lambda:InvokeFunction", Principal: "events.amazonaws.com", SourceArn: ruleArn })));
  }

  for (const api of shop.apis) {
    result.apiIds[api.name] = api.type === "REST" ? await provisionRestApi(clients, api, accountId, fnArn, optional) : await provisionHttpApi(clients, api, accountId, fnArn);
    const functions = [...new Set([...api.routes.map((r) => r.fn), ...(api.authorizer ? [api.authorizer.fn] : [])])];
    for (const f of functions) {
      await optional(`AddPermission apigateway ${f}`, () =>
        clients.lambda.send(
          new AddPermissionCommand({ FunctionName: f, StatementId: `apigateway-${api.name}`, Action: "lambda:InvokeFunction", Principal: "apigateway.amazonaws.com", SourceArn: `arn:aws:execute-api:${region}:${accountId}:${result.apiIds[api.name]}/*` }),
        ),
      );
    }
  }
  return result;
}

type Optional = <T>(what: string, step: () => Promise<T>) => Promise<T | undefined>;

/** Runs `task` over the items with at most `limit` in flight; rejects with the first failure. */
async function forEachLimit<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function provisionLayers(clients: AwsClients, shop: Shop, accountId: string, optional: Optional): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const layer of shop.layers) {
    // Endpoints without layer APIs (the sandbox) accept any well-formed layer ARN.
    const listed = await clients.lambda.send(new ListLayerVersionsCommand({ LayerName: layer.name })).catch(() => undefined);
    let arn = listed?.LayerVersions?.[0]?.LayerVersionArn;
    if (!arn && listed) {
      const published = await optional(`PublishLayerVersion ${layer.name}`, () =>
        clients.lambda.send(
          new PublishLayerVersionCommand({
            LayerName: layer.name,
            Description: `Simulated layer ${layer.name}`,
            Content: { ZipFile: buildZip({ "README.txt": `Placeholder content of layer ${layer.name}.\n` }) },
            CompatibleRuntimes: layer.runtimes as Runtime[],
          }),
        ),
      );
      arn = published?.LayerVersionArn;
    }
    out[layer.name] = arn ?? `arn:aws:lambda:${clients.target.region}:${accountId}:layer:${layer.name}:1`;
  }
  return out;
}

interface FunctionContext {
  roleArn: string;
  layerArns: Record<string, string>;
  result: ProvisionResult;
  optional: Optional;
  log: (line: string) => void;
  fnArn: (name: string, qualifier?: string) => string;
}

async function waitUntilUpdated(clients: AwsClients, name: string): Promise<void> {
  for (let i = 0; i < 120; i++) {
    const cfg = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    if (cfg.State !== "Pending" && cfg.LastUpdateStatus !== "InProgress") return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`function ${name} did not become ready`);
}

async function provisionFunction(clients: AwsClients, fn: FunctionSpec, c: FunctionContext): Promise<void> {
  const exists = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn.name })).then(
    () => true,
    (err) => {
      if (errName(err) === "ResourceNotFoundException") return false;
      throw err;
    },
  );
  const env = (version: number) => ({ Variables: { [PROFILE_ENV]: profileToEnvironment(applyOverrides(fn.profile, fn.versionOverrides[String(version)])), POWERTOOLS_SERVICE_NAME: fn.archetype, APP_BUILD: String(version) } });
  const layers = fn.layers.map((l) => c.layerArns[l]!).filter(Boolean);
  if (!exists) {
    const input = {
      FunctionName: fn.name,
      Runtime: fn.runtime as Runtime,
      Role: c.roleArn,
      Handler: fn.handler,
      Description: fn.description,
      Code: { ZipFile: deploymentPackage(fn) },
      Timeout: fn.timeoutS,
      MemorySize: fn.memoryMb,
      Architectures: [fn.architecture],
      EphemeralStorage: { Size: fn.ephemeralStorageMb },
      TracingConfig: { Mode: fn.tracing },
      LoggingConfig: fn.logFormat === "JSON" ? { LogFormat: "JSON" as const, ApplicationLogLevel: "INFO" as const, SystemLogLevel: "INFO" as const } : { LogFormat: "Text" as const },
      Environment: env(fn.publishedVersions > 0 ? 1 : 0),
      DeadLetterConfig: fn.async?.deadLetterQueue ? { TargetArn: c.result.queueArns[fn.async.deadLetterQueue] } : undefined,
      Layers: layers.length ? layers : undefined,
      Tags: {
        ...SHOP_TAG,
        archetype: fn.archetype,
        [SANDBOX_CODE_SIZE_TAG]: String(fn.codeSizeBytes),
        ...(layers.length ? { [SANDBOX_LAYER_SIZES_TAG]: fn.layers.map(() => "0").join(" ") } : {}),
      },
    };
    try {
      await clients.lambda.send(new CreateFunctionCommand(input));
    } catch (err) {
      // A real account rejects layers it cannot see (moto 5.2 cannot find its own); retry without them.
      if (!layers.length || !/layer/i.test(errText(err))) throw err;
      c.log(`warning: skipped layers of ${fn.name}: ${errText(err)}`);
      await clients.lambda.send(new CreateFunctionCommand({ ...input, Layers: undefined }));
    }
    c.log(`created function ${fn.name}`);
  }
  await waitUntilUpdated(clients, fn.name);

  let published = 0;
  for await (const page of paginateListVersionsByFunction({ client: clients.lambda }, { FunctionName: fn.name })) {
    for (const v of page.Versions ?? []) if (v.Version && v.Version !== "$LATEST") published = Math.max(published, Number(v.Version));
  }
  // Each published version is a distinct build: a configuration change, then PublishVersion.
  for (let v = published + 1; v <= fn.publishedVersions; v++) {
    await clients.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: fn.name, Description: `${fn.description} (build ${v})`, Environment: env(v) }));
    await waitUntilUpdated(clients, fn.name);
    await clients.lambda.send(new PublishVersionCommand({ FunctionName: fn.name, Description: `build ${v}` }));
  }

  for (const alias of fn.aliases) {
    const existing = await clients.lambda.send(new GetAliasCommand({ FunctionName: fn.name, Name: alias.name })).catch((err) => {
      if (errName(err) === "ResourceNotFoundException") return undefined;
      throw err;
    });
    if (!existing) {
      await clients.lambda.send(
        new CreateAliasCommand({
          FunctionName: fn.name,
          Name: alias.name,
          FunctionVersion: alias.version,
          RoutingConfig: alias.additional ? { AdditionalVersionWeights: { [alias.additional.version]: alias.additional.weight } } : undefined,
        }),
      );
    }
    if (alias.provisionedConcurrency) {
      await c.optional(`PutProvisionedConcurrencyConfig ${fn.name}:${alias.name}`, () =>
        clients.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: fn.name, Qualifier: alias.name, ProvisionedConcurrentExecutions: alias.provisionedConcurrency })),
      );
    }
  }
  if (fn.reservedConcurrency !== undefined) {
    await c.optional(`PutFunctionConcurrency ${fn.name}`, () => clients.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: fn.name, ReservedConcurrentExecutions: fn.reservedConcurrency })));
  }
  if (fn.async) {
    const dest = fn.async.onFailureQueue ? { OnFailure: { Destination: c.result.queueArns[fn.async.onFailureQueue] } } : undefined;
    await c.optional(`PutFunctionEventInvokeConfig ${fn.name}`, () =>
      clients.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: fn.name, MaximumRetryAttempts: fn.async!.maxRetries, MaximumEventAgeInSeconds: 21600, DestinationConfig: dest })),
    );
  }
}

async function provisionRestApi(clients: AwsClients, api: ApiSpec, accountId: string, fnArn: (n: string, q?: string) => string, optional: Optional): Promise<string> {
  const region = clients.target.region;
  for await (const page of paginateGetRestApis({ client: clients.apigateway }, {})) {
    const found = page.items?.find((a) => a.name === api.name);
    if (found?.id) return found.id;
  }
  const created = await clients.apigateway.send(new CreateRestApiCommand({ name: api.name, description: "Faasight simulated shop API", endpointConfiguration: { types: ["REGIONAL"] }, tags: SHOP_TAG }));
  const restApiId = created.id!;
  const resources = new Map<string, string>();
  for await (const page of paginateGetResources({ client: clients.apigateway }, { restApiId })) {
    for (const r of page.items ?? []) if (r.path && r.id) resources.set(r.path, r.id);
  }
  const resourceFor = async (path: string): Promise<string> => {
    const known = resources.get(path);
    if (known) return known;
    const parentPath = path.slice(0, path.lastIndexOf("/")) || "/";
    const parentId = await resourceFor(parentPath);
    const r = await clients.apigateway.send(new CreateResourceCommand({ restApiId, parentId, pathPart: path.slice(path.lastIndexOf("/") + 1) }));
    resources.set(path, r.id!);
    return r.id!;
  };
  // Stage variables name the function (and alias) each stage invokes: prod the aliases, dev $LATEST.
  const variable = (fn: string) => `fn_${fn.replace(/[^A-Za-z0-9]/g, "_")}`;
  const invocationUri = (fn: string) => `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/arn:aws:lambda:${region}:${accountId}:function:\${stageVariables.${variable(fn)}}/invocations`;
  let authorizerId: string | undefined;
  const auth = api.authorizer;
  if (auth) {
    const a = await optional(`CreateAuthorizer ${api.name}`, () =>
      clients.apigateway.send(
      new CreateAuthorizerCommand({
        restApiId,
        name: auth.name,
        type: "TOKEN",
        authorizerUri: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${fnArn(auth.fn)}/invocations`,
        identitySource: "method.request.header.Authorization",
        authorizerResultTtlInSeconds: 300,
      }),
      ),
    );
    authorizerId = a?.id;
  }
  for (const route of api.routes) {
    const resourceId = await resourceFor(route.path);
    const authorized = route.authorized && authorizerId;
    await clients.apigateway.send(
      new PutMethodCommand({ restApiId, resourceId, httpMethod: route.method, authorizationType: authorized ? "CUSTOM" : "NONE", authorizerId: authorized ? authorizerId : undefined }),
    );
    await clients.apigateway.send(new PutIntegrationCommand({ restApiId, resourceId, httpMethod: route.method, type: "AWS_PROXY", integrationHttpMethod: "POST", uri: invocationUri(route.fn), timeoutInMillis: 29000 }));
  }
  const deployment = await clients.apigateway.send(new CreateDeploymentCommand({ restApiId, description: "initial release" }));
  for (const stage of api.stages) {
    const variables: Record<string, string> = {};
    for (const route of api.routes) variables[variable(route.fn)] = stage.target === "alias" && route.alias ? `${route.fn}:${route.alias}` : route.fn;
    await clients.apigateway.send(
      new CreateStageCommand({
        restApiId,
        stageName: stage.name,
        deploymentId: deployment.id!,
        variables,
        tracingEnabled: stage.tracing,
        cacheClusterEnabled: stage.cacheEnabled,
        cacheClusterSize: stage.cacheEnabled ? "0.5" : undefined,
        tags: SHOP_TAG,
      }),
    );
    const ops: PatchOperation[] = [
      { op: "replace", path: "/accessLogSettings/destinationArn", value: `arn:aws:logs:${region}:${accountId}:log-group:${stage.accessLogGroup}` },
      { op: "replace", path: "/accessLogSettings/format", value: REST_ACCESS_LOG_FORMAT },
      { op: "replace", path: "/*/*/throttling/rateLimit", value: String(stage.throttle.rate) },
      { op: "replace", path: "/*/*/throttling/burstLimit", value: String(stage.throttle.burst) },
      { op: "replace", path: "/*/*/metrics/enabled", value: "true" },
    ];
    if (stage.cacheEnabled) {
      for (const route of api.routes.filter((r) => r.cached)) {
        const p = `/${route.path.replace(/\//g, "~1")}/${route.method}`;
        ops.push({ op: "replace", path: `${p}/caching/enabled`, value: "true" }, { op: "replace", path: `${p}/caching/ttlInSeconds`, value: "300" });
      }
    }
    await optional(`UpdateStage ${api.name}/${stage.name}`, () => clients.apigateway.send(new UpdateStageCommand({ restApiId, stageName: stage.name, patchOperations: ops })));
    if (stage.canaryPercent) {
      // A new deployment released as a canary on the stage.
      await optional(`canary deployment ${api.name}/${stage.name}`, () =>
        clients.apigateway.send(new CreateDeploymentCommand({ restApiId, stageName: stage.name, description: "canary release", canarySettings: { percentTraffic: stage.canaryPercent, useStageCache: false } })),
      );
    }
  }
  return restApiId;
}

async function provisionHttpApi(clients: AwsClients, api: ApiSpec, accountId: string, fnArn: (n: string, q?: string) => string): Promise<string> {
  const region = clients.target.region;
  let nextToken: string | undefined;
  do {
    const page = await clients.apigatewayv2.send(new GetApisCommand({ NextToken: nextToken }));
    const found = page.Items?.find((a) => a.Name === api.name);
    if (found?.ApiId) return found.ApiId;
    nextToken = page.NextToken;
  } while (nextToken);
  const created = await clients.apigatewayv2.send(new CreateApiCommand({ Name: api.name, ProtocolType: "HTTP", Description: "Faasight simulated shop HTTP API", Tags: SHOP_TAG }));
  const apiId = created.ApiId!;
  for (const route of api.routes) {
    const integration = await clients.apigatewayv2.send(
      new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: "AWS_PROXY", IntegrationUri: fnArn(route.fn), PayloadFormatVersion: "2.0", TimeoutInMillis: 29000 }),
    );
    await clients.apigatewayv2.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: `${route.method} ${route.path}`, Target: `integrations/${integration.IntegrationId}` }));
  }
  for (const stage of api.stages) {
    await clients.apigatewayv2.send(
      new CreateV2StageCommand({
        ApiId: apiId,
        StageName: stage.name,
        AutoDeploy: true,
        AccessLogSettings: { DestinationArn: `arn:aws:logs:${region}:${accountId}:log-group:${stage.accessLogGroup}`, Format: HTTP_ACCESS_LOG_FORMAT },
        DefaultRouteSettings: { ThrottlingRateLimit: stage.throttle.rate, ThrottlingBurstLimit: stage.throttle.burst, DetailedMetricsEnabled: false },
        Tags: SHOP_TAG,
      }),
    );
  }
  return apiId;
}
