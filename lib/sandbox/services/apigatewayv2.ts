/**
 * The sandbox's API Gateway v2 (HTTP APIs; restJson1 under /v2/, signing name
 * "apigateway" shared with REST APIs — `matches` tells the two apart): APIs, stages,
 * routes, integrations and deployments. Members are camelCase on the wire.
 */
import { AwsServiceError, type SandboxContext, type SandboxRequest, type SandboxService } from "../core.ts";
import { restJsonProtocol, type RestCall, type RestResult, type RestRoute } from "../protocols.ts";
import { badRequest, compact, conflict, gatewayId, gatewayThrottlingError, pageByKey, parseLimit, seqKey } from "./apigateway-common.ts";

interface RouteSettings {
  dataTraceEnabled?: boolean;
  detailedMetricsEnabled?: boolean;
  loggingLevel?: string;
  throttlingBurstLimit?: number;
  throttlingRateLimit?: number;
}

interface StageV2 {
  stageName: string;
  description?: string;
  deploymentId?: string;
  autoDeploy: boolean;
  clientCertificateId?: string;
  accessLogSettings?: { destinationArn?: string; format?: string };
  defaultRouteSettings: RouteSettings;
  routeSettings: Record<string, RouteSettings>;
  stageVariables: Record<string, string>;
  tags: Record<string, string>;
  lastDeploymentStatusMessage?: string;
  createdDate: number;
  lastUpdatedDate: number;
}

interface RouteV2 {
  seq: number;
  routeId: string;
  routeKey: string;
  apiKeyRequired: boolean;
  authorizationType: string;
  authorizerId?: string;
  authorizationScopes?: string[];
  operationName?: string;
  target?: string;
}

interface IntegrationV2 {
  seq: number;
  integrationId: string;
  integrationType: string;
  integrationUri?: string;
  integrationMethod?: string;
  integrationSubtype?: string;
  connectionType: string;
  connectionId?: string;
  credentialsArn?: string;
  description?: string;
  payloadFormatVersion?: string;
  timeoutInMillis: number;
  requestParameters?: Record<string, string>;
}

interface DeploymentV2 {
  seq: number;
  deploymentId: string;
  description?: string;
  autoDeployed: boolean;
  createdDate: number;
}

interface ApiV2 {
  seq: number;
  apiId: string;
  name: string;
  protocolType: "HTTP" | "WEBSOCKET";
  description?: string;
  version?: string;
  routeSelectionExpression: string;
  apiKeySelectionExpression: string;
  disableExecuteApiEndpoint: boolean;
  disableSchemaValidation?: boolean;
  ipAddressType: string;
  corsConfiguration?: Record<string, unknown>;
  tags: Record<string, string>;
  createdDate: number;
  stages: StageV2[];
  routes: RouteV2[];
  integrations: IntegrationV2[];
  deployments: DeploymentV2[];
  childSeq: number;
}

interface ApiGatewayV2State {
  apis: ApiV2[];
  seq: number;
}

const HTTP_ROUTE_KEY = /^(\$default|(ANY|GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \/\S*)$/;
const STAGE_NAME = /^(\$default|[a-zA-Z0-9_-]{1,128})$/;
const INTEGRATION_TYPES = ["AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK"];

function notFoundV2(message: string, resourceType: string): AwsServiceError {
  return new AwsServiceError("NotFoundException", message, 404, { extra: { resourceType } });
}

/** The sandbox's API Gateway v2 (HTTP API) endpoint. */
export class ApiGatewayV2Service implements SandboxService {
  readonly signingName = "apigateway";
  private state: ApiGatewayV2State = { apis: [], seq: 0 };
  private readonly proto: ReturnType<typeof restJsonProtocol>;

  constructor(private readonly ctx: SandboxContext) {
    const r = (method: string, path: string, operation: string, handler: (call: RestCall) => unknown): RestRoute => ({
      method,
      path,
      operation,
      handler: (call) => handler.call(this, call),
    });
    const api = "/v2/apis/{ApiId}";
    this.proto = restJsonProtocol({
      signingName: "apigateway",
      throttlingError: gatewayThrottlingError,
      pathPrefixes: ["/v2/"],
      routes: [
        r("POST", "/v2/apis", "CreateApi", this.createApi),
        r("GET", "/v2/apis", "GetApis", this.getApis),
        r("GET", api, "GetApi", this.getApi),
        r("DELETE", api, "DeleteApi", this.deleteApi),
        r("POST", `${api}/stages`, "CreateStage", this.createStage),
        r("GET", `${api}/stages`, "GetStages", this.getStages),
        r("GET", `${api}/stages/{StageName}`, "GetStage", this.getStage),
        r("PATCH", `${api}/stages/{StageName}`, "UpdateStage", this.updateStage),
        r("DELETE", `${api}/stages/{StageName}`, "DeleteStage", this.deleteStage),
        r("POST", `${api}/routes`, "CreateRoute", this.createRoute),
        r("GET", `${api}/routes`, "GetRoutes", this.getRoutes),
        r("GET", `${api}/routes/{RouteId}`, "GetRoute", this.getRoute),
        r("POST", `${api}/integrations`, "CreateIntegration", this.createIntegration),
        r("GET", `${api}/integrations`, "GetIntegrations", this.getIntegrations),
        r("GET", `${api}/integrations/{IntegrationId}`, "GetIntegration", this.getIntegration),
        r("POST", `${api}/deployments`, "CreateDeployment", this.createDeployment),
        r("GET", `${api}/deployments`, "GetDeployments", this.getDeployments),
        r("POST", "/v2/tags/{ResourceArn}", "TagResource", this.tagResource),
        r("DELETE", "/v2/tags/{ResourceArn}", "UntagResource", this.untagResource),
        r("GET", "/v2/tags/{ResourceArn}", "GetTags", this.getTags),
      ],
    });
  }

  /** HTTP APIs live under /v2/; REST APIs (the v1 service) everywhere else. */
  matches(req: Omit<SandboxRequest, "service">): boolean {
    return req.path.startsWith("/v2/");
  }

  resolve(req: SandboxRequest, ctx: SandboxContext) {
    return this.proto.resolve(req, ctx);
  }

  renderError(err: AwsServiceError, req: SandboxRequest) {
    return this.proto.renderError(err, req);
  }

  throttlingError(): AwsServiceError {
    return new AwsServiceError("TooManyRequestsException", "Too Many Requests", 429, { extra: { limitType: "RequestRate" } });
  }

  snapshot(): unknown {
    return this.state;
  }

  restore(state: unknown): void {
    this.state = { apis: [], seq: 0, ...(state as Partial<ApiGatewayV2State>) };
  }

  // ------------------------------------------------------------ helpers

  private iso(ms: number): string {
    return new Date(ms).toISOString();
  }

  private getApiRecord(id: string): ApiV2 {
    const api = this.state.apis.find((a) => a.apiId === id);
    if (!api) throw notFoundV2(`Invalid API identifier specified ${this.ctx.accountId}:${id}`, "Api");
    return api;
  }

  private getStageRecord(api: ApiV2, name: string): StageV2 {
    const stage = api.stages.find((s) => s.stageName === name);
    if (!stage) throw notFoundV2(`Invalid stage identifier specified ${name}`, "Stage");
    return stage;
  }

  private limit(call: RestCall, operation: string): number {
    return Math.min(parseLimit(call.query.get("maxResults"), 500, "maxResults") ?? 100, this.ctx.pageSize("apigateway", operation, 500));
  }

  private childId(api: ApiV2, length: number): string {
    for (;;) {
      const id = gatewayId(this.ctx.random, length);
      if (!api.routes.some((r) => r.routeId === id) && !api.integrations.some((i) => i.integrationId === id) && !api.deployments.some((d) => d.deploymentId === id)) return id;
    }
  }

  private apiOut(a: ApiV2): Record<string, unknown> {
    return compact({
      apiEndpoint: a.protocolType === "HTTP" ? `https://${a.apiId}.execute-api.${this.ctx.region}.amazonaws.com` : `wss://${a.apiId}.execute-api.${this.ctx.region}.amazonaws.com`,
      apiId: a.apiId,
      apiKeySelectionExpression: a.apiKeySelectionExpression,
      corsConfiguration: a.corsConfiguration ? structuredClone(a.corsConfiguration) : undefined,
      createdDate: this.iso(a.createdDate),
      description: a.description,
      disableExecuteApiEndpoint: a.disableExecuteApiEndpoint,
      disableSchemaValidation: a.disableSchemaValidation,
      ipAddressType: a.ipAddressType,
      name: a.name,
      protocolType: a.protocolType,
      routeSelectionExpression: a.routeSelectionExpression,
      tags: { ...a.tags },
      version: a.version,
    });
  }

  private stageOut(s: StageV2): Record<string, unknown> {
    return compact({
      accessLogSettings: s.accessLogSettings ? { ...s.accessLogSettings } : undefined,
      autoDeploy: s.autoDeploy,
      clientCertificateId: s.clientCertificateId,
      createdDate: this.iso(s.createdDate),
      defaultRouteSettings: { ...s.defaultRouteSettings },
      deploymentId: s.deploymentId,
      description: s.description,
      lastDeploymentStatusMessage: s.lastDeploymentStatusMessage,
      lastUpdatedDate: this.iso(s.lastUpdatedDate),
      routeSettings: structuredClone(s.routeSettings),
      stageName: s.stageName,
      stageVariables: { ...s.stageVariables },
      tags: { ...s.tags },
    });
  }

  private routeOut(r: RouteV2): Record<string, unknown> {
    const { seq: _seq, ...rest } = r;
    return compact({ ...structuredClone(rest) });
  }

  private integrationOut(i: IntegrationV2): Record<string, unknown> {
    const { seq: _seq, ...rest } = i;
    return compact({ ...structuredClone(rest) });
  }

  private deploymentOut(d: DeploymentV2): Record<string, unknown> {
    return compact({ autoDeployed: d.autoDeployed, createdDate: this.iso(d.createdDate), deploymentId: d.deploymentId, deploymentStatus: "DEPLOYED", description: d.description });
  }

  private routeSettingsOf(input: any): RouteSettings {
    return compact({
      dataTraceEnabled: input?.dataTraceEnabled,
      detailedMetricsEnabled: input?.detailedMetricsEnabled ?? false,
      loggingLevel: input?.loggingLevel,
      throttlingBurstLimit: input?.throttlingBurstLimit,
      throttlingRateLimit: input?.throttlingRateLimit,
    });
  }

  private deploy(api: ApiV2, description: string | undefined, autoDeployed: boolean): DeploymentV2 {
    const d: DeploymentV2 = { seq: ++api.childSeq, deploymentId: this.childId(api, 6), description, autoDeployed, createdDate: this.ctx.now() };
    api.deployments.push(d);
    return d;
  }

  /** Stages with autoDeploy get a fresh deployment whenever routes or integrations change. */
  private autoDeploy(api: ApiV2): void {
    const stages = api.stages.filter((s) => s.autoDeploy);
    if (stages.length === 0 || api.routes.length === 0) return;
    const d = this.deploy(api, "Automatic deployment triggered by changes to the Api configuration", true);
    for (const s of stages) {
      s.deploymentId = d.deploymentId;
      s.lastDeploymentStatusMessage = `Successfully deployed stage with deployment ID '${d.deploymentId}'`;
      s.lastUpdatedDate = this.ctx.now();
    }
  }

  // ------------------------------------------------------------ APIs

  private createApi(call: RestCall): RestResult {
    const input = call.body ?? {};
    if (typeof input.name !== "string" || input.name === "") throw badRequest("Invalid API name specified");
    if (input.protocolType !== "HTTP" && input.protocolType !== "WEBSOCKET") throw badRequest("Invalid protocol type specified. Valid options are HTTP, WEBSOCKET");
    if (input.protocolType === "WEBSOCKET" && !input.routeSelectionExpression) throw badRequest("RouteSelectionExpression is required for WEBSOCKET APIs.");
    const now = this.ctx.now();
    let apiId: string;
    do apiId = gatewayId(this.ctx.random, 10);
    while (this.state.apis.some((a) => a.apiId === apiId));
    const api: ApiV2 = {
      seq: ++this.state.seq,
      apiId,
      name: input.name,
      protocolType: input.protocolType,
      description: input.description,
      version: input.version,
      routeSelectionExpression: input.routeSelectionExpression ?? "$request.method $request.path",
      apiKeySelectionExpression: input.apiKeySelectionExpression ?? "$request.header.x-api-key",
      disableExecuteApiEndpoint: !!input.disableExecuteApiEndpoint,
      disableSchemaValidation: input.disableSchemaValidation,
      ipAddressType: input.ipAddressType ?? "ipv4",
      corsConfiguration: input.corsConfiguration,
      tags: { ...(input.tags ?? {}) },
      createdDate: now,
      stages: [],
      routes: [],
      integrations: [],
      deployments: [],
      childSeq: 0,
    };
    // Quick create: a target makes a Lambda proxy integration, a route and an auto-deployed $default stage.
    if (input.target && input.protocolType === "HTTP") {
      const integration: IntegrationV2 = {
        seq: ++api.childSeq,
        integrationId: this.childId(api, 7),
        integrationType: "AWS_PROXY",
        integrationUri: input.target,
        integrationMethod: "POST",
        connectionType: "INTERNET",
        payloadFormatVersion: "2.0",
        timeoutInMillis: 30000,
      };
      api.integrations.push(integration);
      api.routes.push({
        seq: ++api.childSeq,
        routeId: this.childId(api, 7),
        routeKey: input.routeKey ?? "$default",
        apiKeyRequired: false,
        authorizationType: "NONE",
        target: `integrations/${integration.integrationId}`,
      });
      api.stages.push({ stageName: "$default", autoDeploy: true, defaultRouteSettings: { detailedMetricsEnabled: false }, routeSettings: {}, stageVariables: {}, tags: {}, createdDate: now, lastUpdatedDate: now });
      this.autoDeploy(api);
    }
    this.state.apis.push(api);
    this.ctx.touch();
    return { status: 201, body: this.apiOut(api) };
  }

  private getApis(call: RestCall): unknown {
    const { items, next } = pageByKey(this.state.apis, (a) => seqKey(a.seq), call.query.get("nextToken"), this.limit(call, "GetApis"));
    return compact({ items: items.map((a) => this.apiOut(a)), nextToken: next });
  }

  private getApi(call: RestCall): unknown {
    return this.apiOut(this.getApiRecord(call.params.ApiId!));
  }

  private deleteApi(call: RestCall): RestResult {
    const api = this.getApiRecord(call.params.ApiId!);
    this.state.apis = this.state.apis.filter((a) => a !== api);
    this.ctx.touch();
    return { status: 204 };
  }

  // ------------------------------------------------------------ stages

  private createStage(call: RestCall): RestResult {
    const api = this.getApiRecord(call.params.ApiId!);
    const input = call.body ?? {};
    if (typeof input.stageName !== "string" || !STAGE_NAME.test(input.stageName)) throw badRequest("Stage name only allows a-zA-Z0-9_- or $default");
    if (api.stages.some((s) => s.stageName === input.stageName)) throw conflict(`Stage ${input.stageName} already exists`);
    if (input.deploymentId && !api.deployments.some((d) => d.deploymentId === input.deploymentId)) throw badRequest("Invalid deployment identifier specified");
    const now = this.ctx.now();
    const stage: StageV2 = {
      stageName: input.stageName,
      description: input.description,
      deploymentId: input.deploymentId,
      autoDeploy: !!input.autoDeploy,
      clientCertificateId: input.clientCertificateId,
      accessLogSettings: input.accessLogSettings ? compact({ destinationArn: input.accessLogSettings.destinationArn, format: input.accessLogSettings.format }) : undefined,
      defaultRouteSettings: this.routeSettingsOf(input.defaultRouteSettings),
      routeSettings: Object.fromEntries(Object.entries(input.routeSettings ?? {}).map(([k, v]) => [k, this.routeSettingsOf(v)])),
      stageVariables: { ...(input.stageVariables ?? {}) },
      tags: { ...(input.tags ?? {}) },
      createdDate: now,
      lastUpdatedDate: now,
    };
    api.stages.push(stage);
    if (stage.autoDeploy) this.autoDeploy(api);
    this.ctx.touch();
    return { status: 201, body: this.stageOut(stage) };
  }

  private getStages(call: RestCall): unknown {
    const api = this.getApiRecord(call.params.ApiId!);
    const sorted = [...api.stages].sort((a, b) => a.createdDate - b.createdDate || (a.stageName < b.stageName ? -1 : 1));
    const keyed = sorted.map((s, i) => ({ s, key: seqKey(i) }));
    const { items, next } = pageByKey(keyed, (x) => x.key, call.query.get("nextToken"), this.limit(call, "GetStages"));
    return compact({ items: items.map((x) => this.stageOut(x.s)), nextToken: next });
  }

  private getStage(call: RestCall): unknown {
    const api = this.getApiRecord(call.params.ApiId!);
    return this.stageOut(this.getStageRecord(api, call.params.StageName!));
  }

  private updateStage(call: RestCall): unknown {
    const api = this.getApiRecord(call.params.ApiId!);
    const stage = this.getStageRecord(api, call.params.StageName!);
    const input = call.body ?? {};
    if (input.deploymentId !== undefined) {
      if (!api.deployments.some((d) => d.deploymentId === input.deploymentId)) throw badRequest("Invalid deployment identifier specified");
      stage.deploymentId = input.deploymentId;
    }
    if (input.description !== undefined) stage.description = input.description;
    if (input.clientCertificateId !== undefined) stage.clientCertificateId = input.clientCertificateId;
    if (input.accessLogSettings !== undefined) stage.accessLogSettings = compact({ destinationArn: input.accessLogSettings?.destinationArn, format: input.accessLogSettings?.format });
    if (input.defaultRouteSettings !== undefined) stage.defaultRouteSettings = this.routeSettingsOf({ ...stage.defaultRouteSettings, ...input.defaultRouteSettings });
    if (input.routeSettings !== undefined) {
      for (const [k, v] of Object.entries(input.routeSettings ?? {})) stage.routeSettings[k] = this.routeSettingsOf({ ...stage.routeSettings[k], ...(v as object) });
    }
    if (input.stageVariables !== undefined) stage.stageVariables = { ...stage.stageVariables, ...input.stageVariables };
    stage.lastUpdatedDate = this.ctx.now();
    if (input.autoDeploy !== undefined) {
      const enable = !!input.autoDeploy && !stage.autoDeploy;
      stage.autoDeploy = !!input.autoDeploy;
      if (enable) this.autoDeploy(api);
    }
    this.ctx.touch();
    return this.stageOut(stage);
  }

  private deleteStage(call: RestCall): RestResult {
    const api = this.getApiRecord(call.params.ApiId!);
    const stage = this.getStageRecord(api, call.params.StageName!);
    api.stages = api.stages.filter((s) => s !== stage);
    this.ctx.touch();
    return { status: 204 };
  }

  // ------------------------------------------------------------ routes and integrations

  private createRoute(call: RestCall): RestResult {
    const api = this.getApiRecord(call.params.ApiId!);
    const input = call.body ?? {};
    if (typeof input.routeKey !== "string" || input.routeKey === "") throw badRequest("RouteKey is required");
    if (api.protocolType === "HTTP" && !HTTP_ROUTE_KEY.test(input.routeKey)) throw badRequest(`Unable to create route ${input.routeKey}. Route key must be $default or an HTTP method followed by a path.`);
    if (api.routes.some((r) => r.routeKey === input.routeKey)) throw conflict(`Route with key ${input.routeKey} already exists for this API`);
    if (input.target !== undefined) {
      const m = /^integrations\/(\w+)$/.exec(input.target);
      if (!m || !api.integrations.some((i) => i.integrationId === m[1])) throw badRequest(`Invalid target specified: ${input.target}`);
    }
    const route: RouteV2 = compact({
      seq: ++api.childSeq,
      routeId: this.childId(api, 7),
      routeKey: input.routeKey,
      apiKeyRequired: !!input.apiKeyRequired,
      authorizationType: input.authorizationType ?? "NONE",
      authorizerId: input.authorizerId,
      authorizationScopes: input.authorizationScopes,
      operationName: input.operationName,
      target: input.target,
    });
    api.routes.push(route);
    this.autoDeploy(api);
    this.ctx.touch();
    return { status: 201, body: this.routeOut(route) };
  }

  private getRoutes(call: RestCall): unknown {
    const api = this.getApiRecord(call.params.ApiId!);
    const { items, next } = pageByKey(api.routes, (r) => seqKey(r.seq), call.query.get("nextToken"), this.limit(call, "GetRoutes"));
    return compact({ items: items.map((r) => this.routeOut(r)), nextToken: next });
  }

  private getRoute(call: RestCall): unknown {
    const api = this.getApiRecord(call.params.ApiId!);
    const route = api.routes.find((r) => r.routeId === call.params.RouteId);
    if (!route) throw notFoundV2(`Invalid Route identifier specified ${call.params.RouteId}`, "Route");
    return this.routeOut(route);
  }

  private createIntegration(call: RestCall): RestResult {
    const api = this.getApiRecord(call.params.ApiId!);
    const input = call.body ?? {};
    if (!INTEGRATION_TYPES.includes(input.integrationType)) throw badRequest(`Invalid integration type specified. Valid options are ${INTEGRATION_TYPES.join(", ")}`);
    if (input.integrationType !== "MOCK" && !input.integrationUri && !input.integrationSubtype) throw badRequest("IntegrationUri is required for this integration type");
    if (input.payloadFormatVersion !== undefined && !["1.0", "2.0"].includes(input.payloadFormatVersion)) throw badRequest("PayloadFormatVersion must be 1.0 or 2.0");
    const maxTimeout = api.protocolType === "HTTP" ? 30000 : 29000;
    const timeout = input.timeoutInMillis ?? maxTimeout;
    if (typeof timeout !== "number" || timeout < 50 || timeout > maxTimeout) throw badRequest(`Timeout must be between 50 and ${maxTimeout} milliseconds.`);
    const integration: IntegrationV2 = compact({
      seq: ++api.childSeq,
      integrationId: this.childId(api, 7),
      integrationType: input.integrationType,
      integrationUri: input.integrationUri,
      integrationMethod: input.integrationMethod ?? (input.integrationType === "AWS_PROXY" ? "POST" : undefined),
      integrationSubtype: input.integrationSubtype,
      connectionType: input.connectionType ?? "INTERNET",
      connectionId: input.connectionId,
      credentialsArn: input.credentialsArn,
      description: input.description,
      payloadFormatVersion: input.payloadFormatVersion ?? (input.integrationType === "AWS_PROXY" ? "1.0" : undefined),
      timeoutInMillis: timeout,
      requestParameters: input.requestParameters,
    });
    api.integrations.push(integration);
    this.autoDeploy(api);
    this.ctx.touch();
    return { status: 201, body: this.integrationOut(integration) };
  }

  private getIntegrations(call: RestCall): unknown {
    const api = this.getApiRecord(call.params.ApiId!);
    const { items, next } = pageByKey(api.integrations, (i) => seqKey(i.seq), call.query.get("nextToken"), this.limit(call, "GetIntegrations"));
    return compact({ items: items.map((i) => this.integrationOut(i)), nextToken: next });
  }

  private getIntegration(call: RestCall): unknown {
    const api = this.getApiRecord(call.params.ApiId!);
    const integration = api.integrations.find((i) => i.integrationId === call.params.IntegrationId);
    if (!integration) throw notFoundV2(`Invalid Integration identifier specified ${call.params.IntegrationId}`, "Integration");
    return this.integrationOut(integration);
  }

  // ------------------------------------------------------------ deployments

  private createDeployment(call: RestCall): RestResult {
    const api = this.getApiRecord(call.params.ApiId!);
    const input = call.body ?? {};
    const stage = input.stageName ? this.getStageRecord(api, input.stageName) : undefined;
    if (api.routes.length === 0) throw badRequest("Unable to deploy API because no routes exist in this API");
    const d = this.deploy(api, input.description, false);
    if (stage) {
      stage.deploymentId = d.deploymentId;
      stage.lastUpdatedDate = this.ctx.now();
    }
    this.ctx.touch();
    return { status: 201, body: this.deploymentOut(d) };
  }

  private getDeployments(call: RestCall): unknown {
    const api = this.getApiRecord(call.params.ApiId!);
    const { items, next } = pageByKey(api.deployments, (d) => seqKey(d.seq), call.query.get("nextToken"), this.limit(call, "GetDeployments"));
    return compact({ items: items.map((d) => this.deploymentOut(d)), nextToken: next });
  }

  // ------------------------------------------------------------ tags

  /** Tags live on APIs and stages: arn:aws:apigateway:REGION::/apis/ID[/stages/NAME]. */
  private tagHolder(arn: string): { tags: Record<string, string> } {
    const m = /^arn:aws[a-zA-Z-]*:apigateway:[^:]*::\/apis\/([^/]+)(?:\/stages\/([^/]+))?$/.exec(arn);
    if (!m) throw badRequest(`Invalid resource ARN specified: ${arn}`);
    const api = this.getApiRecord(m[1]!);
    return m[2] ? this.getStageRecord(api, m[2]) : api;
  }

  private tagResource(call: RestCall): RestResult {
    const holder = this.tagHolder(call.params.ResourceArn!);
    Object.assign(holder.tags, call.body?.tags ?? {});
    this.ctx.touch();
    return { status: 201, body: {} };
  }

  private untagResource(call: RestCall): RestResult {
    const holder = this.tagHolder(call.params.ResourceArn!);
    for (const k of call.query.getAll("tagKeys")) delete holder.tags[k];
    this.ctx.touch();
    return { status: 204 };
  }

  private getTags(call: RestCall): unknown {
    return { tags: { ...this.tagHolder(call.params.ResourceArn!).tags } };
  }
}
