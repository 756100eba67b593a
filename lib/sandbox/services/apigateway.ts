/**
 * The sandbox's API Gateway REST APIs (v1; restJson1, signing name "apigateway"):
 * REST APIs, resources, methods and their Lambda integrations, deployments and stages
 * (cache cluster, canary, method settings, access logs) — what the workload simulator
 * declares and what Faasight's inventory collector reads. It does not serve traffic.
 */
import { AwsServiceError, type SandboxContext, type SandboxRequest, type SandboxService } from "../core.ts";
import { restJsonProtocol, type RestCall, type RestResult, type RestRoute } from "../protocols.ts";
import { badRequest, compact, conflict, gatewayId, gatewayThrottlingError, notFound, pageByKey, parseLimit, seqKey } from "./apigateway-common.ts";
import { applyStagePatch, type CanarySettings, type PatchOperation, type StageRecord } from "./apigateway-patch.ts";

interface IntegrationRecord {
  type: string;
  httpMethod?: string;
  uri?: string;
  connectionType?: string;
  connectionId?: string;
  credentials?: string;
  requestParameters?: Record<string, string>;
  requestTemplates?: Record<string, string>;
  passthroughBehavior?: string;
  contentHandling?: string;
  timeoutInMillis: number;
  cacheNamespace: string;
  cacheKeyParameters: string[];
}

interface MethodRecord {
  httpMethod: string;
  authorizationType: string;
  authorizerId?: string;
  apiKeyRequired: boolean;
  requestValidatorId?: string;
  operationName?: string;
  requestParameters?: Record<string, boolean>;
  requestModels?: Record<string, string>;
  authorizationScopes?: string[];
  methodIntegration?: IntegrationRecord;
}

interface ResourceRecord {
  id: string;
  parentId?: string;
  pathPart?: string;
  path: string;
  resourceMethods: Record<string, MethodRecord>;
}

interface DeploymentRecord {
  seq: number;
  id: string;
  description?: string;
  createdDate: number;
  apiSummary: Record<string, Record<string, { authorizationType: string; apiKeyRequired: boolean }>>;
}

interface RestApiRecord {
  seq: number;
  id: string;
  name: string;
  description?: string;
  createdDate: number;
  version?: string;
  binaryMediaTypes?: string[];
  minimumCompressionSize?: number;
  apiKeySource: string;
  endpointConfiguration: { types: string[]; ipAddressType?: string; vpcEndpointIds?: string[] };
  policy?: string;
  tags: Record<string, string>;
  disableExecuteApiEndpoint: boolean;
  rootResourceId: string;
  resources: ResourceRecord[];
  deployments: DeploymentRecord[];
  stages: StageRecord[];
  deploymentSeq: number;
}

interface ApiGatewayState {
  apis: RestApiRecord[];
  seq: number;
}

const STAGE_NAME = /^[a-zA-Z0-9_-]{1,128}$/;
const HTTP_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "ANY"];
const INTEGRATION_TYPES = ["HTTP", "AWS", "MOCK", "HTTP_PROXY", "AWS_PROXY"];
const CACHE_SIZES = ["0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"];

/** The Lambda function ARN an integration uri (arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/ARN/invocations) points at. */
export function lambdaArnOfIntegrationUri(uri: string | undefined): string | undefined {
  const m = /^arn:aws[a-zA-Z-]*:apigateway:[^:]+:lambda:path\/[\d-]+\/functions\/(.+)\/invocations$/.exec(uri ?? "");
  return m ? decodeURIComponent(m[1]!) : undefined;
}

/** The sandbox's API Gateway (REST API) endpoint. */
export class ApiGatewayService implements SandboxService {
  readonly signingName = "apigateway";
  private state: ApiGatewayState = { apis: [], seq: 0 };
  private readonly proto: ReturnType<typeof restJsonProtocol>;

  constructor(private readonly ctx: SandboxContext) {
    const r = (method: string, path: string, operation: string, handler: (call: RestCall) => unknown): RestRoute => ({
      method,
      path,
      operation,
      handler: (call) => handler.call(this, call),
    });
    const api = "/restapis/{restApiId}";
    const method = `${api}/resources/{resourceId}/methods/{httpMethod}`;
    this.proto = restJsonProtocol({
      signingName: "apigateway",
      throttlingError: gatewayThrottlingError,
      pathPrefixes: ["/restapis", "/tags/"],
      routes: [
        r("POST", "/restapis", "CreateRestApi", this.createRestApi),
        r("GET", "/restapis", "GetRestApis", this.getRestApis),
        r("GET", api, "GetRestApi", this.getRestApi),
        r("DELETE", api, "DeleteRestApi", this.deleteRestApi),
        r("GET", `${api}/resources`, "GetResources", this.getResources),
        r("GET", `${api}/resources/{resourceId}`, "GetResource", this.getResource),
        r("POST", `${api}/resources/{parentId}`, "CreateResource", this.createResource),
        r("PUT", method, "PutMethod", this.putMethod),
        r("GET", method, "GetMethod", this.getMethod),
        r("PUT", `${method}/integration`, "PutIntegration", this.putIntegration),
        r("GET", `${method}/integration`, "GetIntegration", this.getIntegration),
        r("POST", `${api}/deployments`, "CreateDeployment", this.createDeployment),
        r("GET", `${api}/deployments`, "GetDeployments", this.getDeployments),
        r("GET", `${api}/deployments/{deploymentId}`, "GetDeployment", this.getDeployment),
        r("POST", `${api}/stages`, "CreateStage", this.createStage),
        r("GET", `${api}/stages`, "GetStages", this.getStages),
        r("GET", `${api}/stages/{stageName}`, "GetStage", this.getStage),
        r("PATCH", `${api}/stages/{stageName}`, "UpdateStage", this.updateStage),
        r("DELETE", `${api}/stages/{stageName}`, "DeleteStage", this.deleteStage),
        r("PUT", "/tags/{resourceArn}", "TagResource", this.tagResource),
        r("DELETE", "/tags/{resourceArn}", "UntagResource", this.untagResource),
        r("GET", "/tags/{resourceArn}", "GetTags", this.getTags),
      ],
    });
  }

  matches(req: Omit<SandboxRequest, "service">): boolean {
    return this.proto.matches!(req);
  }

  resolve(req: SandboxRequest, ctx: SandboxContext) {
    return this.proto.resolve(req, ctx);
  }

  renderError(err: AwsServiceError, req: SandboxRequest) {
    return this.proto.renderError(err, req);
  }

  throttlingError(): AwsServiceError {
    return gatewayThrottlingError();
  }

  snapshot(): unknown {
    return this.state;
  }

  restore(state: unknown): void {
    this.state = { apis: [], seq: 0, ...(state as Partial<ApiGatewayState>) };
  }

  // ------------------------------------------------------------ helpers

  private seconds(ms: number): number {
    return Math.floor(ms / 1000);
  }

  private newId(length: number, taken: (id: string) => boolean): string {
    for (;;) {
      const id = gatewayId(this.ctx.random, length);
      if (!taken(id)) return id;
    }
  }

  private getApi(id: string): RestApiRecord {
    const api = this.state.apis.find((a) => a.id === id);
    if (!api) throw notFound(`Invalid API identifier specified ${this.ctx.accountId}:${id}`);
    return api;
  }

  private getResourceRecord(api: RestApiRecord, id: string): ResourceRecord {
    const res = api.resources.find((r) => r.id === id);
    if (!res) throw notFound("Invalid Resource identifier specified");
    return res;
  }

  private getMethodRecord(call: RestCall): { api: RestApiRecord; resource: ResourceRecord; method: MethodRecord } {
    const api = this.getApi(call.params.restApiId!);
    const resource = this.getResourceRecord(api, call.params.resourceId!);
    const method = resource.resourceMethods[call.params.httpMethod!.toUpperCase()];
    if (!method) throw notFound("Invalid Method identifier specified");
    return { api, resource, method };
  }

  private getStageRecord(api: RestApiRecord, name: string): StageRecord {
    const stage = api.stages.find((s) => s.stageName === name);
    if (!stage) throw notFound("Invalid stage identifier specified");
    return stage;
  }

  private apiOut(a: RestApiRecord): Record<string, unknown> {
    return compact({
      id: a.id,
      name: a.name,
      description: a.description,
      createdDate: this.seconds(a.createdDate),
      version: a.version,
      binaryMediaTypes: a.binaryMediaTypes,
      minimumCompressionSize: a.minimumCompressionSize,
      apiKeySource: a.apiKeySource,
      endpointConfiguration: structuredClone(a.endpointConfiguration),
      policy: a.policy,
      tags: { ...a.tags },
      disableExecuteApiEndpoint: a.disableExecuteApiEndpoint,
      rootResourceId: a.rootResourceId,
    });
  }

  private methodOut(m: MethodRecord): Record<string, unknown> {
    return compact({ ...structuredClone(m), methodIntegration: m.methodIntegration ? this.integrationOut(m.methodIntegration) : undefined });
  }

  private integrationOut(i: IntegrationRecord): Record<string, unknown> {
    return compact({ ...structuredClone(i) });
  }

  private resourceOut(r: ResourceRecord, embedMethods: boolean): Record<string, unknown> {
    const methods = Object.keys(r.resourceMethods);
    return compact({
      id: r.id,
      parentId: r.parentId,
      pathPart: r.pathPart,
      path: r.path,
      resourceMethods:
        methods.length === 0
          ? undefined
          : Object.fromEntries(methods.map((m) => [m, embedMethods ? this.methodOut(r.resourceMethods[m]!) : {}])),
    });
  }

  private stageOut(s: StageRecord): Record<string, unknown> {
    return compact({
      deploymentId: s.deploymentId,
      clientCertificateId: s.clientCertificateId,
      stageName: s.stageName,
      description: s.description,
      cacheClusterEnabled: s.cacheClusterEnabled,
      cacheClusterSize: s.cacheClusterSize,
      cacheClusterStatus: s.cacheClusterEnabled ? "AVAILABLE" : "NOT_AVAILABLE",
      methodSettings: structuredClone(s.methodSettings),
      variables: s.variables ? { ...s.variables } : undefined,
      documentationVersion: s.documentationVersion,
      accessLogSettings: s.accessLogSettings ? { ...s.accessLogSettings } : undefined,
      canarySettings: s.canarySettings ? structuredClone(s.canarySettings) : undefined,
      tracingEnabled: s.tracingEnabled,
      tags: s.tags ? { ...s.tags } : undefined,
      createdDate: this.seconds(s.createdDate),
      lastUpdatedDate: this.seconds(s.lastUpdatedDate),
    });
  }

  private deploymentOut(d: DeploymentRecord): Record<string, unknown> {
    return compact({ id: d.id, description: d.description, createdDate: this.seconds(d.createdDate), apiSummary: structuredClone(d.apiSummary) });
  }

  private validateCanary(c: any, requireDeployment: boolean): CanarySettings | undefined {
    if (c === undefined || c === null) return undefined;
    const pct = c.percentTraffic ?? 0;
    if (typeof pct !== "number" || pct < 0 || pct > 100) throw badRequest("Canary percentTraffic must be between 0.0 and 100.0");
    if (requireDeployment && !c.deploymentId) throw badRequest("Canary deploymentId is required.");
    return compact({
      percentTraffic: pct,
      deploymentId: c.deploymentId,
      stageVariableOverrides: c.stageVariableOverrides ? { ...c.stageVariableOverrides } : undefined,
      useStageCache: c.useStageCache ?? false,
    });
  }

  private validateCacheSize(size: unknown): void {
    if (size !== undefined && !CACHE_SIZES.includes(String(size))) {
      throw badRequest(`Invalid cache cluster size specified: ${size}. Must be one of: [${CACHE_SIZES.join(", ")}]`);
    }
  }

  // ------------------------------------------------------------ REST APIs

  private createRestApi(call: RestCall): RestResult {
    const input = call.body ?? {};
    if (typeof input.name !== "string" || input.name.trim() === "") throw badRequest("Invalid REST API name specified");
    const types: string[] = input.endpointConfiguration?.types ?? ["EDGE"];
    for (const t of types) if (!["EDGE", "REGIONAL", "PRIVATE"].includes(t)) throw badRequest(`Invalid endpoint configuration type: ${t}`);
    const now = this.ctx.now();
    const id = this.newId(10, (x) => this.state.apis.some((a) => a.id === x));
    const rootId = gatewayId(this.ctx.random, 10);
    const api: RestApiRecord = {
      seq: ++this.state.seq,
      id,
      name: input.name,
      description: input.description,
      createdDate: now,
      version: input.version,
      binaryMediaTypes: input.binaryMediaTypes,
      minimumCompressionSize: input.minimumCompressionSize,
      apiKeySource: input.apiKeySource ?? "HEADER",
      endpointConfiguration: compact({ types, ipAddressType: input.endpointConfiguration?.ipAddressType ?? "ipv4", vpcEndpointIds: input.endpointConfiguration?.vpcEndpointIds }),
      policy: input.policy,
      tags: { ...(input.tags ?? {}) },
      disableExecuteApiEndpoint: !!input.disableExecuteApiEndpoint,
      rootResourceId: rootId,
      resources: [{ id: rootId, path: "/", resourceMethods: {} }],
      deployments: [],
      stages: [],
      deploymentSeq: 0,
    };
    this.state.apis.push(api);
    this.ctx.touch();
    return { status: 201, body: this.apiOut(api) };
  }

  private getRestApis(call: RestCall): unknown {
    const limit = Math.min(parseLimit(call.query.get("limit"), 500, "limit") ?? 25, this.ctx.pageSize("apigateway", "GetRestApis", 500));
    const { items, next } = pageByKey([...this.state.apis].sort((a, b) => a.seq - b.seq), (a) => seqKey(a.seq), call.query.get("position"), limit);
    return compact({ item: items.map((a) => this.apiOut(a)), position: next });
  }

  private getRestApi(call: RestCall): unknown {
    return this.apiOut(this.getApi(call.params.restApiId!));
  }

  private deleteRestApi(call: RestCall): RestResult {
    const api = this.getApi(call.params.restApiId!);
    this.state.apis = this.state.apis.filter((a) => a !== api);
    this.ctx.touch();
    return { status: 202 };
  }

  // ------------------------------------------------------------ resources, methods, integrations

  private getResources(call: RestCall): unknown {
    const api = this.getApi(call.params.restApiId!);
    const embed = call.query.getAll("embed").flatMap((e) => e.split(",")).includes("methods");
    const limit = Math.min(parseLimit(call.query.get("limit"), 500, "limit") ?? 25, this.ctx.pageSize("apigateway", "GetResources", 500));
    const sorted = api.resources.map((r, i) => ({ r, key: seqKey(i) }));
    const { items, next } = pageByKey(sorted, (x) => x.key, call.query.get("position"), limit);
    return compact({ item: items.map((x) => this.resourceOut(x.r, embed)), position: next });
  }

  private getResource(call: RestCall): unknown {
    const api = this.getApi(call.params.restApiId!);
    const embed = call.query.getAll("embed").flatMap((e) => e.split(",")).includes("methods");
    return this.resourceOut(this.getResourceRecord(api, call.params.resourceId!), embed);
  }

  private createResource(call: RestCall): RestResult {
    const api = this.getApi(call.params.restApiId!);
    const parent = this.getResourceRecord(api, call.params.parentId!);
    const pathPart = call.body?.pathPart;
    if (typeof pathPart !== "string" || !/^(\{[a-zA-Z0-9._-]+\+?\}|[a-zA-Z0-9._:-]+)$/.test(pathPart)) {
      throw badRequest("Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace.");
    }
    if (api.resources.some((r) => r.parentId === parent.id && r.pathPart === pathPart)) {
      throw conflict(`Another resource with the same parent already has this name: ${pathPart}`);
    }
    const resource: ResourceRecord = {
      id: this.newId(6, (x) => api.resources.some((r) => r.id === x)),
      parentId: parent.id,
      pathPart,
      path: parent.path === "/" ? `/${pathPart}` : `${parent.path}/${pathPart}`,
      resourceMethods: {},
    };
    api.resources.push(resource);
    this.ctx.touch();
    return { status: 201, body: this.resourceOut(resource, true) };
  }

  private putMethod(call: RestCall): RestResult {
    const api = this.getApi(call.params.restApiId!);
    const resource = this.getResourceRecord(api, call.params.resourceId!);
    const httpMethod = call.params.httpMethod!.toUpperCase();
    if (!HTTP_METHODS.includes(httpMethod)) throw badRequest(`Invalid HttpMethod specified. Valid options are ${HTTP_METHODS.join(",")}`);
    const input = call.body ?? {};
    if (!input.authorizationType) throw badRequest("Invalid authorization type specified");
    if (!["NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"].includes(input.authorizationType)) {
      throw badRequest("Invalid authorization type specified. Valid options are NONE,AWS_IAM,CUSTOM,COGNITO_USER_POOLS");
    }
    if (resource.resourceMethods[httpMethod]) throw conflict("Method already exists for this resource");
    const method: MethodRecord = compact({
      httpMethod,
      authorizationType: input.authorizationType,
      authorizerId: input.authorizerId,
      apiKeyRequired: !!input.apiKeyRequired,
      requestValidatorId: input.requestValidatorId,
      operationName: input.operationName,
      requestParameters: input.requestParameters,
      requestModels: input.requestModels,
      authorizationScopes: input.authorizationScopes,
    });
    resource.resourceMethods[httpMethod] = method;
    this.ctx.touch();
    return { status: 201, body: this.methodOut(method) };
  }

  private getMethod(call: RestCall): unknown {
    return this.methodOut(this.getMethodRecord(call).method);
  }

  private putIntegration(call: RestCall): RestResult {
    const { resource, method } = this.getMethodRecord(call);
    const input = call.body ?? {};
    if (!INTEGRATION_TYPES.includes(input.type)) throw badRequest(`Invalid integration type specified. Valid options are ${INTEGRATION_TYPES.join(",")}`);
    // On the wire "httpMethod" is the integration's method (the SDK's integrationHttpMethod).
    const integrationMethod: string | undefined = input.httpMethod;
    if (input.type !== "MOCK" && !integrationMethod) throw badRequest("Enumeration value for HttpMethod must be non-empty");
    if (input.type !== "MOCK" && !input.uri) throw badRequest("Invalid Integration URI specified");
    if ((input.type === "AWS" || input.type === "AWS_PROXY") && !/^arn:aws[a-zA-Z-]*:apigateway:[^:]+:[^:]+:(path|action)\/.+$/.test(input.uri)) {
      throw badRequest("AWS ARN for integration must contain path or action");
    }
    if (input.type === "AWS_PROXY" && lambdaArnOfIntegrationUri(input.uri) && integrationMethod !== "POST") {
      throw badRequest("Lambda proxy integrations must use POST as the integration HTTP method.");
    }
    const timeout = input.timeoutInMillis ?? 29000;
    if (typeof timeout !== "number" || timeout < 50) throw badRequest("Timeout should be at least 50 ms.");
    const integration: IntegrationRecord = compact({
      type: input.type,
      httpMethod: integrationMethod,
      uri: input.uri,
      connectionType: input.type === "MOCK" ? undefined : (input.connectionType ?? "INTERNET"),
      connectionId: input.connectionId,
      credentials: input.credentials,
      requestParameters: input.requestParameters,
      requestTemplates: input.requestTemplates,
      passthroughBehavior: input.passthroughBehavior ?? "WHEN_NO_MATCH",
      contentHandling: input.contentHandling,
      timeoutInMillis: timeout,
      cacheNamespace: input.cacheNamespace ?? resource.id,
      cacheKeyParameters: input.cacheKeyParameters ?? [],
    });
    method.methodIntegration = integration;
    this.ctx.touch();
    return { status: 201, body: this.integrationOut(integration) };
  }

  private getIntegration(call: RestCall): unknown {
    const { method } = this.getMethodRecord(call);
    if (!method.methodIntegration) throw notFound("Invalid Integration identifier specified");
    return this.integrationOut(method.methodIntegration);
  }

  // ------------------------------------------------------------ deployments and stages

  private createDeployment(call: RestCall): RestResult {
    const api = this.getApi(call.params.restApiId!);
    const input = call.body ?? {};
    const apiSummary: DeploymentRecord["apiSummary"] = {};
    for (const r of api.resources) {
      for (const [m, method] of Object.entries(r.resourceMethods)) {
        (apiSummary[r.path] ??= {})[m] = { authorizationType: method.authorizationType, apiKeyRequired: method.apiKeyRequired };
      }
    }
    if (Object.keys(apiSummary).length === 0) throw badRequest("The REST API doesn't contain any methods");
    const stageName: string | undefined = input.stageName || undefined;
    if (stageName !== undefined && !STAGE_NAME.test(stageName)) {
      throw badRequest("Stage name only allows a-zA-Z0-9_-");
    }
    const existing = stageName ? api.stages.find((s) => s.stageName === stageName) : undefined;
    const canary = this.validateCanary(input.canarySettings, false);
    if (canary && !existing) throw badRequest("Cannot create a canary deployment for a stage that does not exist.");
    this.validateCacheSize(input.cacheClusterSize);
    const now = this.ctx.now();
    const deployment: DeploymentRecord = {
      seq: ++api.deploymentSeq,
      id: this.newId(6, (x) => api.deployments.some((d) => d.id === x)),
      description: input.description,
      createdDate: now,
      apiSummary,
    };
    api.deployments.push(deployment);
    if (stageName) {
      if (existing) {
        if (canary) existing.canarySettings = { ...canary, deploymentId: deployment.id };
        else existing.deploymentId = deployment.id;
        if (input.stageDescription !== undefined) existing.description = input.stageDescription;
        if (input.cacheClusterEnabled !== undefined) existing.cacheClusterEnabled = !!input.cacheClusterEnabled;
        if (input.cacheClusterSize !== undefined) existing.cacheClusterSize = input.cacheClusterSize;
        if (existing.cacheClusterEnabled && !existing.cacheClusterSize) existing.cacheClusterSize = "0.5";
        if (input.variables) existing.variables = { ...existing.variables, ...input.variables };
        if (input.tracingEnabled !== undefined) existing.tracingEnabled = !!input.tracingEnabled;
        existing.lastUpdatedDate = now;
      } else {
        api.stages.push({
          stageName,
          deploymentId: deployment.id,
          description: input.stageDescription,
          cacheClusterEnabled: !!input.cacheClusterEnabled,
          cacheClusterSize: input.cacheClusterEnabled ? (input.cacheClusterSize ?? "0.5") : input.cacheClusterSize,
          methodSettings: {},
          variables: input.variables ? { ...input.variables } : undefined,
          tracingEnabled: !!input.tracingEnabled,
          createdDate: now,
          lastUpdatedDate: now,
        });
      }
    }
    this.ctx.touch();
    return { status: 201, body: this.deploymentOut(deployment) };
  }

  private getDeployments(call: RestCall): unknown {
    const api = this.getApi(call.params.restApiId!);
    const limit = Math.min(parseLimit(call.query.get("limit"), 500, "limit") ?? 25, this.ctx.pageSize("apigateway", "GetDeployments", 500));
    const { items, next } = pageByKey(api.deployments, (d) => seqKey(d.seq), call.query.get("position"), limit);
    return compact({ item: items.map((d) => this.deploymentOut(d)), position: next });
  }

  private getDeployment(call: RestCall): unknown {
    const api = this.getApi(call.params.restApiId!);
    const d = api.deployments.find((x) => x.id === call.params.deploymentId);
    if (!d) throw notFound("Invalid Deployment identifier specified");
    return this.deploymentOut(d);
  }

  private createStage(call: RestCall): RestResult {
    const api = this.getApi(call.params.restApiId!);
    const input = call.body ?? {};
    if (typeof input.stageName !== "string" || !STAGE_NAME.test(input.stageName)) throw badRequest("Stage name only allows a-zA-Z0-9_-");
    if (typeof input.deploymentId !== "string" || !api.deployments.some((d) => d.id === input.deploymentId)) {
      throw notFound("Invalid Deployment identifier specified");
    }
    if (api.stages.some((s) => s.stageName === input.stageName)) throw conflict("Stage already exists");
    this.validateCacheSize(input.cacheClusterSize);
    const canary = this.validateCanary(input.canarySettings, false);
    if (canary?.deploymentId && !api.deployments.some((d) => d.id === canary.deploymentId)) throw badRequest("Invalid canary deployment identifier specified");
    const now = this.ctx.now();
    const stage: StageRecord = {
      stageName: input.stageName,
      deploymentId: input.deploymentId,
      description: input.description,
      cacheClusterEnabled: !!input.cacheClusterEnabled,
      cacheClusterSize: input.cacheClusterEnabled ? (input.cacheClusterSize ?? "0.5") : input.cacheClusterSize,
      methodSettings: {},
      variables: input.variables ? { ...input.variables } : undefined,
      documentationVersion: input.documentationVersion,
      canarySettings: canary ? { ...canary, deploymentId: canary.deploymentId ?? input.deploymentId } : undefined,
      tracingEnabled: !!input.tracingEnabled,
      tags: input.tags ? { ...input.tags } : undefined,
      createdDate: now,
      lastUpdatedDate: now,
    };
    api.stages.push(stage);
    this.ctx.touch();
    return { status: 201, body: this.stageOut(stage) };
  }

  private getStages(call: RestCall): unknown {
    const api = this.getApi(call.params.restApiId!);
    const deploymentId = call.query.get("deploymentId");
    return { item: api.stages.filter((s) => !deploymentId || s.deploymentId === deploymentId).map((s) => this.stageOut(s)) };
  }

  private getStage(call: RestCall): unknown {
    const api = this.getApi(call.params.restApiId!);
    return this.stageOut(this.getStageRecord(api, call.params.stageName!));
  }

  private updateStage(call: RestCall): unknown {
    const api = this.getApi(call.params.restApiId!);
    const stage = this.getStageRecord(api, call.params.stageName!);
    const ops: PatchOperation[] = Array.isArray(call.body?.patchOperations) ? call.body.patchOperations : [];
    const next = applyStagePatch(stage, ops, (id) => api.deployments.some((d) => d.id === id));
    next.lastUpdatedDate = this.ctx.now();
    api.stages[api.stages.indexOf(stage)] = next;
    this.ctx.touch();
    return this.stageOut(next);
  }

  private deleteStage(call: RestCall): RestResult {
    const api = this.getApi(call.params.restApiId!);
    const stage = this.getStageRecord(api, call.params.stageName!);
    api.stages = api.stages.filter((s) => s !== stage);
    this.ctx.touch();
    return { status: 202 };
  }

  // ------------------------------------------------------------ tags

  /** Tags live on REST APIs and stages: arn:aws:apigateway:REGION::/restapis/ID[/stages/NAME]. */
  private tagHolder(arn: string): { tags: Record<string, string>; set(tags: Record<string, string>): void } {
    const m = /^arn:aws[a-zA-Z-]*:apigateway:[^:]*::\/restapis\/([^/]+)(?:\/stages\/([^/]+))?$/.exec(arn);
    if (!m) throw badRequest(`Invalid resource ARN specified: ${arn}`);
    const api = this.getApi(m[1]!);
    if (m[2]) {
      const stage = this.getStageRecord(api, m[2]);
      return { tags: stage.tags ?? {}, set: (t) => (stage.tags = t) };
    }
    return { tags: api.tags, set: (t) => (api.tags = t) };
  }

  private tagResource(call: RestCall): RestResult {
    const holder = this.tagHolder(call.params.resourceArn!);
    const tags = call.body?.tags;
    if (!tags || typeof tags !== "object") throw badRequest("Tags are required");
    holder.set({ ...holder.tags, ...tags });
    this.ctx.touch();
    return { status: 204 };
  }

  private untagResource(call: RestCall): RestResult {
    const holder = this.tagHolder(call.params.resourceArn!);
    const next = { ...holder.tags };
    for (const k of call.query.getAll("tagKeys")) delete next[k];
    holder.set(next);
    this.ctx.touch();
    return { status: 204 };
  }

  private getTags(call: RestCall): unknown {
    return { tags: { ...this.tagHolder(call.params.resourceArn!).tags } };
  }
}
