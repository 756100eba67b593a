/**
 * Inventory collector: functions (configuration, versions, aliases with routing, async
 * invoke configs, provisioned concurrency, reserved concurrency, tags), event source
 * mappings, REST and HTTP APIs with stages and routes, queues (DLQs, destinations,
 * sources), SNS topics and EventBridge rules that target functions. Per-function details
 * are refreshed when new, changed, or older than the refresh interval.
 */
import {
  GetFunctionConcurrencyCommand,
  GetFunctionEventInvokeConfigCommand,
  ListTagsCommand,
  paginateListAliases,
  paginateListEventSourceMappings,
  paginateListFunctionEventInvokeConfigs,
  paginateListFunctions,
  paginateListProvisionedConcurrencyConfigs,
  paginateListVersionsByFunction,
  type FunctionConfiguration,
  type LambdaClient,
} from "@aws-sdk/client-lambda";
import { GetStagesCommand, paginateGetResources, paginateGetRestApis, type APIGatewayClient } from "@aws-sdk/client-api-gateway";
import { GetApisCommand, GetIntegrationsCommand, GetRoutesCommand, GetStagesCommand as GetHttpStagesCommand, type ApiGatewayV2Client } from "@aws-sdk/client-apigatewayv2";
import { GetQueueAttributesCommand, paginateListQueues, type SQSClient } from "@aws-sdk/client-sqs";
import { paginateListTopics, type SNSClient } from "@aws-sdk/client-sns";
import { ListRulesCommand, ListTargetsByRuleCommand, type EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { mapPool } from "./logs.ts";

export interface InventoryClients {
  lambda: LambdaClient;
  apigateway: APIGatewayClient;
  apigatewayv2: ApiGatewayV2Client;
  sqs: SQSClient;
  sns: SNSClient;
  events: EventBridgeClient;
}

export interface FunctionDetail {
  versions: Array<{ version: string; codeSha256?: string; runtime?: string; architecture?: string; memoryMb?: number; description?: string; lastModified?: string }>;
  aliases: Array<{ name: string; functionVersion: string; routing: Record<string, number>; description?: string }>;
  reservedConcurrency: number | null;
  /** Async invoke config of the unqualified function (or $LATEST). */
  maxRetryAttempts: number | null;
  maxEventAgeSec: number | null;
  onSuccessDestination: string | null;
  onFailureDestination: string | null;
  /** Destinations of every qualifier (DLQ/destination queues are found through them). */
  destinations: string[];
  provisioned: Array<{ qualifier: string; requested: number; allocated: number; available: number; status: string }>;
  tags: Record<string, string>;
}

export interface FunctionInfo {
  name: string;
  arn: string;
  runtime?: string;
  handler?: string;
  description?: string;
  architecture: string;
  memoryMb: number;
  timeoutSec: number;
  ephemeralMb: number;
  packageType: string;
  codeSizeBytes: number;
  layers: string[];
  tracingMode: string;
  vpc: Record<string, unknown> | null;
  logGroup: string;
  logFormat: string;
  dlqTargetArn: string | null;
  lastModified?: string;
  /** Absent when details were not refreshed this cycle. */
  detail?: FunctionDetail;
}

export interface MappingInfo {
  uuid: string;
  functionName: string;
  eventSourceArn: string;
  state: string;
  batchSize?: number;
  functionResponseTypes: string[];
  onFailureDestination?: string;
}

export interface StageInfo {
  stageName: string;
  deploymentId?: string;
  cacheEnabled: boolean;
  cacheSize?: string;
  canaryPercent?: number;
  canaryDeploymentId?: string;
  tracingEnabled: boolean;
  accessLogGroup?: string;
  throttleRate?: number;
  throttleBurst?: number;
}

export interface ApiInfo {
  apiId: string;
  name: string;
  type: "REST" | "HTTP";
  stages: StageInfo[];
  routes: Array<{ routeKey: string; functionName?: string; functionArn?: string }>;
}

export interface QueueInfo {
  name: string;
  url: string;
  arn: string;
  redriveTargetArn?: string;
  maxReceiveCount?: number;
}

export interface RuleInfo {
  name: string;
  schedule?: string;
  eventPattern?: string;
  state: string;
  targets: Array<{ id: string; arn: string }>;
}

export interface InventorySnapshot {
  functions: FunctionInfo[];
  /** False when ListFunctions did not finish: removals are not inferred then. */
  functionsComplete: boolean;
  mappings: MappingInfo[] | null;
  apis: ApiInfo[] | null;
  queues: QueueInfo[] | null;
  topics: Array<{ arn: string; name: string }> | null;
  rules: RuleInfo[] | null;
  errors: string[];
}

export interface InventoryOptions {
  /** Whether to refresh a function's details this cycle. */
  wantDetail: (fn: FunctionInfo) => boolean;
  signal?: AbortSignal;
}

/** The log group a log destination ARN names ("arn:aws:logs:r:a:log-group:NAME[:*]"). */
export function logGroupFromArn(arn: string | undefined): string | undefined {
  if (!arn) return undefined;
  const m = /:log-group:(.+?)(?::\*)?$/.exec(arn);
  return m ? m[1] : undefined;
}

/** The function name of a Lambda integration URI or function ARN (pure). */
export function functionNameFromUri(uri: string | undefined): { name: string; arn: string } | undefined {
  if (!uri) return undefined;
  const m = /(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9_-]+)(?::[A-Za-z0-9$_-]+)?)/.exec(uri);
  return m ? { arn: m[1]!, name: m[2]! } : undefined;
}

/** The name of a resource from its ARN (last ':' segment). */
export function nameFromArn(arn: string): string {
  return arn.slice(arn.lastIndexOf(":") + 1);
}

function fnInfo(c: FunctionConfiguration): FunctionInfo {
  return {
    name: c.FunctionName!,
    arn: c.FunctionArn!,
    runtime: c.Runtime,
    handler: c.Handler,
    description: c.Description || undefined,
    architecture: c.Architectures?.[0] ?? "x86_64",
    memoryMb: c.MemorySize ?? 128,
    timeoutSec: c.Timeout ?? 3,
    ephemeralMb: c.EphemeralStorage?.Size ?? 512,
    packageType: c.PackageType ?? "Zip",
    codeSizeBytes: c.CodeSize ?? 0,
    layers: (c.Layers ?? []).map((l) => l.Arn!).filter(Boolean),
    tracingMode: c.TracingConfig?.Mode ?? "PassThrough",
    vpc: c.VpcConfig?.VpcId ? { VpcId: c.VpcConfig.VpcId, SubnetIds: c.VpcConfig.SubnetIds ?? [], SecurityGroupIds: c.VpcConfig.SecurityGroupIds ?? [] } : null,
    logGroup: c.LoggingConfig?.LogGroup ?? `/aws/lambda/${c.FunctionName}`,
    logFormat: c.LoggingConfig?.LogFormat ?? "Text",
    dlqTargetArn: c.DeadLetterConfig?.TargetArn ?? null,
    lastModified: c.LastModified,
  };
}

const errText = (what: string, err: unknown) => `${what}: ${(err as Error)?.name ?? "Error"}: ${(err as Error)?.message ?? String(err)}`;

async function optional<T>(what: string, errors: string[], fn: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    errors.push(errText(what, err));
    return fallback;
  }
}

/** Versions, aliases, concurrency, async config, provisioned concurrency and tags of one function. */
export async function collectFunctionDetail(lambda: LambdaClient, fn: FunctionInfo, errors: string[]): Promise<FunctionDetail> {
  const name = fn.name;
  const versions: FunctionDetail["versions"] = [];
  await optional(`ListVersionsByFunction ${name}`, errors, async () => {
    for await (const p of paginateListVersionsByFunction({ client: lambda }, { FunctionName: name })) {
      for (const v of p.Versions ?? []) {
        if (!v.Version) continue;
        versions.push({ version: v.Version, codeSha256: v.CodeSha256, runtime: v.Runtime, architecture: v.Architectures?.[0], memoryMb: v.MemorySize, description: v.Description || undefined, lastModified: v.LastModified });
      }
    }
  }, undefined);
  const aliases: FunctionDetail["aliases"] = [];
  await optional(`ListAliases ${name}`, errors, async () => {
    for await (const p of paginateListAliases({ client: lambda }, { FunctionName: name })) {
      for (const a of p.Aliases ?? []) {
        if (!a.Name || !a.FunctionVersion) continue;
        aliases.push({ name: a.Name, functionVersion: a.FunctionVersion, routing: { ...(a.RoutingConfig?.AdditionalVersionWeights ?? {}) }, description: a.Description || undefined });
      }
    }
  }, undefined);
  const reservedConcurrency = await optional(`GetFunctionConcurrency ${name}`, errors, async () => (await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name }))).ReservedConcurrentExecutions ?? null, null);
  const detail: FunctionDetail = {
    versions,
    aliases,
    reservedConcurrency,
    maxRetryAttempts: null,
    maxEventAgeSec: null,
    onSuccessDestination: null,
    onFailureDestination: null,
    destinations: [],
    provisioned: [],
    tags: {},
  };
  const listed = await optional(`ListFunctionEventInvokeConfigs ${name}`, errors, async () => {
    for await (const p of paginateListFunctionEventInvokeConfigs({ client: lambda }, { FunctionName: name })) {
      for (const c of p.FunctionEventInvokeConfigs ?? []) {
        const qualifier = c.FunctionArn ? (c.FunctionArn.split(":")[7] ?? "$LATEST") : "$LATEST";
        const onS = c.DestinationConfig?.OnSuccess?.Destination ?? null;
        const onF = c.DestinationConfig?.OnFailure?.Destination ?? null;
        for (const d of [onS, onF]) if (d) detail.destinations.push(d);
        if (qualifier === "$LATEST" || detail.maxRetryAttempts === null) {
          detail.maxRetryAttempts = c.MaximumRetryAttempts ?? detail.maxRetryAttempts;
          detail.maxEventAgeSec = c.MaximumEventAgeInSeconds ?? detail.maxEventAgeSec;
          detail.onSuccessDestination = onS ?? detail.onSuccessDestination;
          detail.onFailureDestination = onF ?? detail.onFailureDestination;
        }
      }
    }
    return true;
  }, false);
  if (!listed) {
    // Some emulators cannot answer the list form; the unqualified config is the one that matters most.
    await optional(`GetFunctionEventInvokeConfig ${name}`, errors, async () => {
      const c = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name }));
      detail.maxRetryAttempts = c.MaximumRetryAttempts ?? null;
      detail.maxEventAgeSec = c.MaximumEventAgeInSeconds ?? null;
      detail.onSuccessDestination = c.DestinationConfig?.OnSuccess?.Destination ?? null;
      detail.onFailureDestination = c.DestinationConfig?.OnFailure?.Destination ?? null;
      for (const d of [detail.onSuccessDestination, detail.onFailureDestination]) if (d) detail.destinations.push(d);
    }, undefined);
  }
  await optional(`ListProvisionedConcurrencyConfigs ${name}`, errors, async () => {
    for await (const p of paginateListProvisionedConcurrencyConfigs({ client: lambda }, { FunctionName: name })) {
      for (const c of p.ProvisionedConcurrencyConfigs ?? []) {
        const qualifier = c.FunctionArn?.split(":")[7];
        if (!qualifier) continue;
        detail.provisioned.push({
          qualifier,
          requested: c.RequestedProvisionedConcurrentExecutions ?? 0,
          allocated: c.AllocatedProvisionedConcurrentExecutions ?? 0,
          available: c.AvailableProvisionedConcurrentExecutions ?? 0,
          status: c.Status ?? "UNKNOWN",
        });
      }
    }
  }, undefined);
  detail.tags = await optional(`ListTags ${name}`, errors, async () => ({ ...((await lambda.send(new ListTagsCommand({ Resource: fn.arn }))).Tags ?? {}) }), {});
  return detail;
}

async function collectRestApis(apigateway: APIGatewayClient, errors: string[]): Promise<ApiInfo[]> {
  const out: ApiInfo[] = [];
  for await (const page of paginateGetRestApis({ client: apigateway }, {})) {
    for (const api of page.items ?? []) {
      if (!api.id) continue;
      const info: ApiInfo = { apiId: api.id, name: api.name ?? api.id, type: "REST", stages: [], routes: [] };
      await optional(`GetStages ${api.id}`, errors, async () => {
        const stages = await apigateway.send(new GetStagesCommand({ restApiId: api.id }));
        for (const s of stages.item ?? []) {
          if (!s.stageName) continue;
          const all = s.methodSettings?.["*/*"];
          info.stages.push({
            stageName: s.stageName,
            deploymentId: s.deploymentId,
            cacheEnabled: !!s.cacheClusterEnabled,
            cacheSize: s.cacheClusterEnabled ? s.cacheClusterSize : undefined,
            canaryPercent: s.canarySettings?.percentTraffic,
            canaryDeploymentId: s.canarySettings?.deploymentId,
            tracingEnabled: !!s.tracingEnabled,
            accessLogGroup: logGroupFromArn(s.accessLogSettings?.destinationArn),
            throttleRate: all?.throttlingRateLimit,
            throttleBurst: all?.throttlingBurstLimit,
          });
        }
      }, undefined);
      await optional(`GetResources ${api.id}`, errors, async () => {
        for await (const p of paginateGetResources({ client: apigateway }, { restApiId: api.id, embed: ["methods"] })) {
          for (const r of p.items ?? []) {
            for (const [method, m] of Object.entries(r.resourceMethods ?? {})) {
              const fn = functionNameFromUri(m.methodIntegration?.uri);
              info.routes.push({ routeKey: `${method} ${r.path ?? "/"}`, functionName: fn?.name, functionArn: fn?.arn });
            }
          }
        }
      }, undefined);
      out.push(info);
    }
  }
  return out;
}

// apigatewayv2 and EventBridge ship no paginators: follow NextToken by hand.
async function allPages<T>(fetch: (token: string | undefined) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const page = await fetch(token);
    out.push(...page.items);
    if (!page.next || page.next === token) break;
    token = page.next;
  }
  return out;
}

async function collectHttpApis(v2: ApiGatewayV2Client, errors: string[]): Promise<ApiInfo[]> {
  const apis = await allPages(async (NextToken) => {
    const r = await v2.send(new GetApisCommand({ NextToken }));
    return { items: r.Items ?? [], next: r.NextToken };
  });
  const out: ApiInfo[] = [];
  for (const api of apis) {
    if (!api.ApiId || (api.ProtocolType && api.ProtocolType !== "HTTP")) continue;
    const info: ApiInfo = { apiId: api.ApiId, name: api.Name ?? api.ApiId, type: "HTTP", stages: [], routes: [] };
    await optional(`GetStages ${api.ApiId}`, errors, async () => {
      const stages = await allPages(async (NextToken) => {
        const r = await v2.send(new GetHttpStagesCommand({ ApiId: api.ApiId, NextToken }));
        return { items: r.Items ?? [], next: r.NextToken };
      });
      for (const s of stages) {
        if (!s.StageName) continue;
        info.stages.push({
          stageName: s.StageName,
          deploymentId: s.DeploymentId,
          cacheEnabled: false,
          tracingEnabled: false,
          accessLogGroup: logGroupFromArn(s.AccessLogSettings?.DestinationArn),
          throttleRate: s.DefaultRouteSettings?.ThrottlingRateLimit,
          throttleBurst: s.DefaultRouteSettings?.ThrottlingBurstLimit,
        });
      }
    }, undefined);
    await optional(`GetRoutes ${api.ApiId}`, errors, async () => {
      const integrations = await allPages(async (NextToken) => {
        const r = await v2.send(new GetIntegrationsCommand({ ApiId: api.ApiId, NextToken }));
        return { items: r.Items ?? [], next: r.NextToken };
      });
      const byId = new Map(integrations.map((i) => [i.IntegrationId, i]));
      const routes = await allPages(async (NextToken) => {
        const r = await v2.send(new GetRoutesCommand({ ApiId: api.ApiId, NextToken }));
        return { items: r.Items ?? [], next: r.NextToken };
      });
      for (const r of routes) {
        if (!r.RouteKey) continue;
        const integrationId = r.Target?.replace(/^integrations\//, "");
        const fn = functionNameFromUri(integrationId ? byId.get(integrationId)?.IntegrationUri : undefined);
        info.routes.push({ routeKey: r.RouteKey, functionName: fn?.name, functionArn: fn?.arn });
      }
    }, undefined);
    out.push(info);
  }
  return out;
}

async function collectQueues(sqs: SQSClient, errors: string[]): Promise<QueueInfo[]> {
  const out: QueueInfo[] = [];
  for await (const page of paginateListQueues({ client: sqs }, {})) {
    for (const url of page.QueueUrls ?? []) {
      const attrs = await optional(`GetQueueAttributes ${url}`, errors, async () => (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn", "RedrivePolicy"] }))).Attributes ?? {}, {} as Record<string, string>);
      const arn = attrs.QueueArn ?? "";
      let redriveTargetArn: string | undefined;
      let maxReceiveCount: number | undefined;
      if (attrs.RedrivePolicy) {
        try {
          const p = JSON.parse(attrs.RedrivePolicy) as { deadLetterTargetArn?: string; maxReceiveCount?: number | string };
          redriveTargetArn = p.deadLetterTargetArn;
          maxReceiveCount = p.maxReceiveCount === undefined ? undefined : Number(p.maxReceiveCount);
        } catch {
          errors.push(`RedrivePolicy of ${url} is not JSON`);
        }
      }
      out.push({ name: url.slice(url.lastIndexOf("/") + 1), url, arn, redriveTargetArn, maxReceiveCount });
    }
  }
  return out;
}

async function collectRules(events: EventBridgeClient, functionArns: Set<string>, errors: string[]): Promise<RuleInfo[]> {
  const rules = await allPages(async (NextToken) => {
    const r = await events.send(new ListRulesCommand({ NextToken }));
    return { items: r.Rules ?? [], next: r.NextToken };
  });
  const out: RuleInfo[] = [];
  for (const rule of rules) {
    if (!rule.Name) continue;
    const targets = await optional(`ListTargetsByRule ${rule.Name}`, errors, () =>
      allPages(async (NextToken) => {
        const r = await events.send(new ListTargetsByRuleCommand({ Rule: rule.Name, EventBusName: rule.EventBusName, NextToken }));
        return { items: r.Targets ?? [], next: r.NextToken };
      }),
      [],
    );
    const fnTargets = targets.filter((t) => t.Arn && (functionArns.has(t.Arn.split(":").slice(0, 7).join(":")) || /:lambda:.*:function:/.test(t.Arn)));
    if (fnTargets.length === 0) continue;
    out.push({ name: rule.Name, schedule: rule.ScheduleExpression, eventPattern: rule.EventPattern, state: rule.State ?? "ENABLED", targets: fnTargets.map((t) => ({ id: t.Id ?? "", arn: t.Arn! })) });
  }
  return out;
}

/** Reads the whole inventory of an account-region. */
export async function collectInventory(clients: InventoryClients, opts: InventoryOptions): Promise<InventorySnapshot> {
  const errors: string[] = [];
  const functions: FunctionInfo[] = [];
  let functionsComplete = true;
  try {
    for await (const page of paginateListFunctions({ client: clients.lambda }, {})) for (const c of page.Functions ?? []) if (c.FunctionName) functions.push(fnInfo(c));
  } catch (err) {
    functionsComplete = false;
    errors.push(errText("ListFunctions", err));
  }
  await mapPool(
    functions.filter((f) => opts.wantDetail(f)),
    4,
    async (fn) => {
      fn.detail = await collectFunctionDetail(clients.lambda, fn, errors);
    },
    opts.signal,
  );
  const mappings = await optional("ListEventSourceMappings", errors, async () => {
    const out: MappingInfo[] = [];
    for await (const p of paginateListEventSourceMappings({ client: clients.lambda }, {})) {
      for (const m of p.EventSourceMappings ?? []) {
        if (!m.UUID || !m.FunctionArn) continue;
        out.push({
          uuid: m.UUID,
          functionName: nameFromArn(m.FunctionArn.split(":").slice(0, 7).join(":")),
          eventSourceArn: m.EventSourceArn ?? "",
          state: m.State ?? "Unknown",
          batchSize: m.BatchSize,
          functionResponseTypes: m.FunctionResponseTypes ?? [],
          onFailureDestination: m.DestinationConfig?.OnFailure?.Destination,
        });
      }
    }
    return out;
  }, null);
  const rest = await optional("GetRestApis", errors, () => collectRestApis(clients.apigateway, errors), null);
  const http = await optional("GetApis", errors, () => collectHttpApis(clients.apigatewayv2, errors), null);
  const apis = rest && http ? [...rest, ...http] : null;
  const queues = await optional("ListQueues", errors, () => collectQueues(clients.sqs, errors), null);
  const topics = await optional("ListTopics", errors, async () => {
    const out: Array<{ arn: string; name: string }> = [];
    for await (const p of paginateListTopics({ client: clients.sns }, {})) for (const t of p.Topics ?? []) if (t.TopicArn) out.push({ arn: t.TopicArn, name: nameFromArn(t.TopicArn) });
    return out;
  }, null);
  const rules = await optional("ListRules", errors, () => collectRules(clients.events, new Set(functions.map((f) => f.arn)), errors), null);
  return { functions, functionsComplete, mappings, apis, queues, topics, rules, errors };
}
