/**
 * The sandbox's AWS Lambda control and invoke plane (restJson1, signing name "lambda"):
 * functions, versions, aliases with weighted routing, concurrency, event source
 * mappings, async-invoke configuration and Invoke with AWS's async retry, destination
 * and dead-letter semantics. Functions do not run here: Invoke hands each attempt to
 * the context's InvocationRunner (the workload model), which writes the telemetry.
 */
import { createHash } from "node:crypto";
import {
  AwsServiceError,
  decodeToken,
  encodeToken,
  newRequestId,
  type InvocationTarget,
  type InvokeResult,
  type SandboxContext,
  type SandboxRequest,
  type SandboxResponse,
  type SandboxService,
  type SqsMessageAttribute,
} from "../core.ts";
import { restJsonProtocol, type RestCall, type RestResult, type RestRoute } from "../protocols.ts";
import {
  LATEST,
  SANDBOX_CODE_SIZE_TAG,
  SANDBOX_LAYER_SIZES_TAG,
  checkEnum,
  checkRange,
  deadLetterAttributes,
  destinationKind,
  destinationRecord,
  effectiveQualifier,
  errorMessageOf,
  functionArn,
  lambdaTimestamp,
  lambdaTimestampSeconds,
  parseFunctionRef,
  resolveQualifier,
  validationError,
  type AsyncCondition,
  type FunctionRef,
} from "./lambda-model.ts";

export { resolveQualifier } from "./lambda-model.ts";

const SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024;
const ASYNC_PAYLOAD_LIMIT = 1024 * 1024;
const ACCOUNT_CONCURRENCY = 1000;
const MIN_UNRESERVED_CONCURRENCY = 100;
const LOG_TAIL_BYTES = 4096;
const ROLE_PATTERN = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const LAYER_PATTERN = /^arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+$/;
const NAME_PATTERN = /^[a-zA-Z0-9\-_]{1,64}$/;
const ALIAS_PATTERN = /^(?!^[0-9]+$)[a-zA-Z0-9\-_]{1,128}$/;

/** A function configuration as the API returns it (FunctionArn is added on the way out). */
interface FunctionConfig {
  FunctionName: string;
  Runtime?: string;
  Role: string;
  Handler?: string;
  CodeSize: number;
  Description: string;
  Timeout: number;
  MemorySize: number;
  LastModified: string;
  CodeSha256: string;
  Version: string;
  VpcConfig?: { SubnetIds: string[]; SecurityGroupIds: string[]; VpcId: string; Ipv6AllowedForDualStack: boolean };
  DeadLetterConfig?: { TargetArn: string };
  Environment?: { Variables: Record<string, string> };
  KMSKeyArn?: string;
  TracingConfig: { Mode: "Active" | "PassThrough" };
  RevisionId: string;
  Layers?: { Arn: string; CodeSize: number }[];
  State: string;
  LastUpdateStatus: string;
  PackageType: "Zip" | "Image";
  ImageConfigResponse?: { ImageConfig: Record<string, unknown> };
  Architectures: string[];
  EphemeralStorage: { Size: number };
  SnapStart: { ApplyOn: string; OptimizationStatus: string };
  LoggingConfig: { LogFormat: "Text" | "JSON"; LogGroup: string; ApplicationLogLevel?: string; SystemLogLevel?: string };
}

interface VersionRecord {
  config: FunctionConfig;
  /** Where the code came from (GetFunction's Code). */
  imageUri?: string;
}

interface AliasRecord {
  Name: string;
  FunctionVersion: string;
  Description: string;
  RoutingConfig?: { AdditionalVersionWeights: Record<string, number> };
  RevisionId: string;
}

interface EventInvokeConfigRecord {
  LastModified: number;
  MaximumRetryAttempts?: number;
  MaximumEventAgeInSeconds?: number;
  DestinationConfig: { OnSuccess: { Destination?: string }; OnFailure: { Destination?: string } };
}

interface ProvisionedRecord {
  requested: number;
  lastModified: number;
}

interface FunctionRecord {
  name: string;
  latest: VersionRecord;
  versions: VersionRecord[];
  /** Highest version number ever published: numbers are never reused. */
  lastVersion: number;
  aliases: Record<string, AliasRecord>;
  tags: Record<string, string>;
  reservedConcurrency?: number;
  /** Keyed by qualifier; "$LATEST" for the unqualified function. */
  eventInvokeConfigs: Record<string, EventInvokeConfigRecord>;
  provisioned: Record<string, ProvisionedRecord>;
  codeLocationId: string;
}

interface EventSourceMappingRecord {
  seq: number;
  UUID: string;
  functionName: string;
  qualifier?: string;
  EventSourceArn: string;
  BatchSize: number;
  MaximumBatchingWindowInSeconds: number;
  FunctionResponseTypes: string[];
  enabled: boolean;
  LastModified: number;
  /** Source-specific members passed through as given (StartingPosition, ScalingConfig, FilterCriteria, ...). */
  extra: Record<string, unknown>;
}

interface LambdaState {
  functions: Record<string, FunctionRecord>;
  eventSourceMappings: EventSourceMappingRecord[];
  esmSeq: number;
}

/** One attempt Invoke handed to the runner (sandbox-only, for tests and replay checks). */
export interface InvocationLogEntry {
  requestId: string;
  functionName: string;
  version: string;
  qualifier?: string;
  payload: string;
  invocationType: "Event" | "RequestResponse";
  attempt: number;
  at: number;
  result: InvokeResult;
}

export interface LambdaServiceOptions {
  /** Base delay between async retries: attempt n+1 starts n × this after attempt n failed (AWS: about 1 and 2 minutes). */
  asyncRetryDelayMs?: number;
  /** Throttled async attempts are re-queued (not counted as attempts) at most this many times before EventAgeExceeded. */
  asyncThrottleRetryLimit?: number;
  /** Entries kept by invocationLog() (oldest dropped first). */
  invocationLogLimit?: number;
}

interface PreparedInvocation {
  fn: FunctionRecord;
  version: VersionRecord;
  target: InvocationTarget;
  /** The alias or version the caller named, if any. */
  qualifier?: string;
}

const emptyState = (): LambdaState => ({ functions: {}, eventSourceMappings: [], esmSeq: 0 });

/** Error codes whose Lambda error shape spells the member "Message" rather than "message". */
const CAPITAL_MESSAGE = new Set([
  "ResourceNotFoundException",
  "ResourceInUseException",
  "ServiceException",
  "EC2AccessDeniedException",
  "EC2ThrottledException",
  "EC2UnexpectedException",
  "PublicPolicyException",
]);

/** The sandbox's AWS Lambda endpoint. */
export class LambdaService implements SandboxService {
  readonly signingName = "lambda";
  asyncRetryDelayMs: number;
  asyncThrottleRetryLimit: number;
  private state: LambdaState = emptyState();
  private log: InvocationLogEntry[] = [];
  private readonly logLimit: number;
  private readonly pending = new Set<Promise<void>>();
  private readonly proto: ReturnType<typeof restJsonProtocol>;
  private readonly listProvisionedProto: ReturnType<typeof restJsonProtocol>;

  constructor(
    private readonly ctx: SandboxContext,
    options: LambdaServiceOptions = {},
  ) {
    this.asyncRetryDelayMs = options.asyncRetryDelayMs ?? 1000;
    this.asyncThrottleRetryLimit = options.asyncThrottleRetryLimit ?? 5;
    this.logLimit = options.invocationLogLimit ?? 10_000;
    const throttlingError = () =>
      new AwsServiceError("TooManyRequestsException", "Rate exceeded", 429, { extra: { Reason: "CallerRateLimitExceeded" } });
    const fn = "/functions/{FunctionName}";
    const r = (method: string, path: string, operation: string, handler: (call: RestCall) => unknown): RestRoute => ({
      method,
      path,
      operation,
      handler: (call) => handler.call(this, call),
    });
    this.proto = restJsonProtocol({
      signingName: "lambda",
      throttlingError,
      pathPrefixes: ["/2015-03-31/", "/2016-08-19/", "/2017-03-31/", "/2017-10-31/", "/2019-09-25/", "/2019-09-30/"],
      routes: [
        r("POST", `/2015-03-31/functions`, "CreateFunction", this.createFunction),
        r("GET", `/2015-03-31/functions`, "ListFunctions", this.listFunctions),
        r("GET", `/2015-03-31${fn}`, "GetFunction", this.getFunction),
        r("DELETE", `/2015-03-31${fn}`, "DeleteFunction", this.deleteFunction),
        r("GET", `/2015-03-31${fn}/configuration`, "GetFunctionConfiguration", this.getFunctionConfiguration),
        r("PUT", `/2015-03-31${fn}/configuration`, "UpdateFunctionConfiguration", this.updateFunctionConfiguration),
        r("PUT", `/2015-03-31${fn}/code`, "UpdateFunctionCode", this.updateFunctionCode),
        r("GET", `/2015-03-31${fn}/versions`, "ListVersionsByFunction", this.listVersionsByFunction),
        r("POST", `/2015-03-31${fn}/versions`, "PublishVersion", this.publishVersion),
        r("POST", `/2015-03-31${fn}/aliases`, "CreateAlias", this.createAlias),
        r("GET", `/2015-03-31${fn}/aliases`, "ListAliases", this.listAliases),
        r("GET", `/2015-03-31${fn}/aliases/{Name}`, "GetAlias", this.getAlias),
        r("PUT", `/2015-03-31${fn}/aliases/{Name}`, "UpdateAlias", this.updateAlias),
        r("DELETE", `/2015-03-31${fn}/aliases/{Name}`, "DeleteAlias", this.deleteAlias),
        r("POST", `/2015-03-31${fn}/invocations`, "Invoke", this.invoke),
        r("PUT", `/2017-10-31${fn}/concurrency`, "PutFunctionConcurrency", this.putFunctionConcurrency),
        r("DELETE", `/2017-10-31${fn}/concurrency`, "DeleteFunctionConcurrency", this.deleteFunctionConcurrency),
        r("GET", `/2019-09-30${fn}/concurrency`, "GetFunctionConcurrency", this.getFunctionConcurrency),
        r("POST", `/2015-03-31/event-source-mappings`, "CreateEventSourceMapping", this.createEventSourceMapping),
        r("GET", `/2015-03-31/event-source-mappings`, "ListEventSourceMappings", this.listEventSourceMappings),
        r("GET", `/2015-03-31/event-source-mappings/{UUID}`, "GetEventSourceMapping", this.getEventSourceMapping),
        r("PUT", `/2015-03-31/event-source-mappings/{UUID}`, "UpdateEventSourceMapping", this.updateEventSourceMapping),
        r("DELETE", `/2015-03-31/event-source-mappings/{UUID}`, "DeleteEventSourceMapping", this.deleteEventSourceMapping),
        r("PUT", `/2019-09-25${fn}/event-invoke-config`, "PutFunctionEventInvokeConfig", this.putEventInvokeConfig),
        r("POST", `/2019-09-25${fn}/event-invoke-config`, "UpdateFunctionEventInvokeConfig", this.updateEventInvokeConfig),
        r("GET", `/2019-09-25${fn}/event-invoke-config`, "GetFunctionEventInvokeConfig", this.getEventInvokeConfig),
        r("DELETE", `/2019-09-25${fn}/event-invoke-config`, "DeleteFunctionEventInvokeConfig", this.deleteEventInvokeConfig),
        r("GET", `/2019-09-25${fn}/event-invoke-config/list`, "ListFunctionEventInvokeConfigs", this.listEventInvokeConfigs),
        r("PUT", `/2019-09-30${fn}/provisioned-concurrency`, "PutProvisionedConcurrencyConfig", this.putProvisionedConcurrency),
        r("GET", `/2019-09-30${fn}/provisioned-concurrency`, "GetProvisionedConcurrencyConfig", this.getProvisionedConcurrency),
        r("DELETE", `/2019-09-30${fn}/provisioned-concurrency`, "DeleteProvisionedConcurrencyConfig", this.deleteProvisionedConcurrency),
        r("POST", `/2017-03-31/tags/{Resource}`, "TagResource", this.tagResource),
        r("DELETE", `/2017-03-31/tags/{Resource}`, "UntagResource", this.untagResource),
        r("GET", `/2017-03-31/tags/{Resource}`, "ListTags", this.listTags),
        r("GET", `/2016-08-19/account-settings`, "GetAccountSettings", this.getAccountSettings),
      ],
    });
    // Same path as GetProvisionedConcurrencyConfig, told apart by ?List=ALL.
    this.listProvisionedProto = restJsonProtocol({
      signingName: "lambda",
      throttlingError,
      routes: [r("GET", `/2019-09-30${fn}/provisioned-concurrency`, "ListProvisionedConcurrencyConfigs", this.listProvisionedConcurrency)],
    });
  }

  // ------------------------------------------------------------ SandboxService

  matches(req: Omit<SandboxRequest, "service">): boolean {
    return this.proto.matches!(req);
  }

  resolve(req: SandboxRequest, ctx: SandboxContext) {
    if (req.method === "GET" && req.query.get("List") === "ALL") {
      const resolved = this.listProvisionedProto.resolve(req, ctx);
      if (resolved) return resolved;
    }
    return this.proto.resolve(req, ctx);
  }

  renderError(err: AwsServiceError): SandboxResponse {
    const messageKey = CAPITAL_MESSAGE.has(err.code) ? "Message" : "message";
    return {
      status: err.status,
      headers: { "content-type": "application/json", "x-amzn-errortype": err.code },
      body: JSON.stringify({ Type: err.status >= 500 ? "Service" : "User", [messageKey]: err.message, ...err.options.extra }),
    };
  }

  throttlingError(): AwsServiceError {
    return this.proto.throttlingError();
  }

  snapshot(): unknown {
    return this.state;
  }

  restore(state: unknown): void {
    this.state = { ...emptyState(), ...(state as Partial<LambdaState>) };
  }

  // ------------------------------------------------------------ internal API

  /** Invokes a function in-process (SNS/EventBridge/ESM deliveries, destinations, replay). */
  async invokeInternal(functionArnOrName: string, payload: string, invocationType: "Event" | "RequestResponse"): Promise<InvokeResult> {
    const ref = parseFunctionRef(functionArnOrName);
    const prepared = this.prepareInvocation(ref, undefined);
    const requestId = newRequestId(this.ctx.random);
    if (invocationType === "Event") {
      this.enqueueAsync(prepared, requestId, payload);
      return { statusCode: 202, requestId, executedVersion: prepared.target.version, payload: "" };
    }
    return this.execute(prepared, payload, requestId, "RequestResponse", 1);
  }

  /** What Invoke handed to the runner, oldest first (sandbox-only). */
  invocationLog(): InvocationLogEntry[] {
    return this.log.slice(-this.logLimit);
  }

  clearInvocationLog(): void {
    this.log = [];
  }

  /** Resolves once every queued async invocation (with its retries and deliveries) has finished. */
  async whenIdle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  // ------------------------------------------------------------ helpers

  private arn(name: string, qualifier?: string): string {
    return functionArn(this.ctx.region, this.ctx.accountId, name, qualifier);
  }

  private now(): number {
    return this.ctx.now();
  }

  private revisionId(): string {
    return newRequestId(this.ctx.random);
  }

  private notFound(name: string, qualifier?: string): AwsServiceError {
    return new AwsServiceError("ResourceNotFoundException", `Function not found: ${this.arn(name, qualifier)}`, 404);
  }

  private getFn(name: string, qualifier?: string): FunctionRecord {
    const fn = this.state.functions[name];
    if (!fn) throw this.notFound(name, qualifier);
    return fn;
  }

  private fnFromCall(call: RestCall, allowQualifier = true): { fn: FunctionRecord; ref: FunctionRef; qualifier?: string } {
    const ref = parseFunctionRef(call.params.FunctionName!);
    if (!allowQualifier && ref.qualifier) {
      throw validationError(call.params.FunctionName, "functionName", "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)");
    }
    const qualifier = effectiveQualifier(ref, call.query.get("Qualifier"));
    return { fn: this.getFn(ref.name, qualifier), ref, qualifier };
  }

  private findVersion(fn: FunctionRecord, version: string): VersionRecord | undefined {
    if (version === LATEST) return fn.latest;
    return fn.versions.find((v) => v.config.Version === version);
  }

  /** The version a qualifier names (an alias names its primary version); throws 404 when it names nothing. */
  private versionForQualifier(fn: FunctionRecord, qualifier: string | undefined): VersionRecord {
    const alias = qualifier ? fn.aliases[qualifier] : undefined;
    const version = this.findVersion(fn, alias ? alias.FunctionVersion : (qualifier ?? LATEST));
    if (!version) throw this.notFound(fn.name, qualifier);
    return version;
  }

  /** Checks that a qualifier names an existing version or alias. */
  private requireQualifier(fn: FunctionRecord, qualifier: string | undefined): void {
    if (!qualifier || qualifier === LATEST) return;
    if (fn.aliases[qualifier] || this.findVersion(fn, qualifier)) return;
    throw this.notFound(fn.name, qualifier);
  }

  private configOut(fn: FunctionRecord, v: VersionRecord, qualifier?: string): Record<string, unknown> {
    const cfg = v.config;
    const arnQualifier = qualifier ?? (cfg.Version === LATEST ? undefined : cfg.Version);
    const { FunctionName, ...rest } = structuredClone(cfg);
    return { FunctionName, FunctionArn: this.arn(fn.name, arnQualifier), ...rest };
  }

  private layerSizes(tags: Record<string, string>): number[] {
    return (tags[SANDBOX_LAYER_SIZES_TAG] ?? "").split(/\s+/).filter(Boolean).map(Number);
  }

  private validateConfigInput(input: any): void {
    checkRange(input.MemorySize, "memorySize", 128, 10240);
    checkRange(input.Timeout, "timeout", 1, 900);
    checkRange(input.EphemeralStorage?.Size, "ephemeralStorage.size", 512, 10240);
    checkEnum(input.TracingConfig?.Mode, "tracingConfig.mode", ["Active", "PassThrough"]);
    checkEnum(input.LoggingConfig?.LogFormat, "loggingConfig.logFormat", ["Text", "JSON"]);
    checkEnum(input.LoggingConfig?.ApplicationLogLevel, "loggingConfig.applicationLogLevel", ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"]);
    checkEnum(input.LoggingConfig?.SystemLogLevel, "loggingConfig.systemLogLevel", ["DEBUG", "INFO", "WARN"]);
    if (input.Role !== undefined && (typeof input.Role !== "string" || !ROLE_PATTERN.test(input.Role))) {
      throw validationError(input.Role, "role", `Member must satisfy regular expression pattern: ${ROLE_PATTERN.source}`);
    }
    if (input.Layers !== undefined) {
      if (!Array.isArray(input.Layers)) throw validationError(input.Layers, "layers", "Member must be a list");
      for (const l of input.Layers) {
        if (typeof l !== "string" || !LAYER_PATTERN.test(l)) throw validationError(l, "layers.member", `Member must satisfy regular expression pattern: ${LAYER_PATTERN.source}`);
      }
      if (input.Layers.length > 5) throw new AwsServiceError("InvalidParameterValueException", "Cannot reference more than 5 layers.");
    }
    if (input.DeadLetterConfig?.TargetArn && !["sqs", "sns"].includes(destinationKind(input.DeadLetterConfig.TargetArn))) {
      throw new AwsServiceError("InvalidParameterValueException", "The provided target arn is invalid: only SQS queues and SNS topics can be dead-letter targets.");
    }
    const env = input.Environment?.Variables;
    if (env !== undefined && (typeof env !== "object" || env === null || Object.values(env).some((v) => typeof v !== "string"))) {
      throw new AwsServiceError("InvalidParameterValueException", "Environment variables must be a map of strings.");
    }
    if (env && Buffer.byteLength(JSON.stringify(env)) > 4096) {
      throw new AwsServiceError("InvalidParameterValueException", "Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit.");
    }
  }

  private validateArchitectures(arch: unknown): void {
    if (arch === undefined) return;
    if (!Array.isArray(arch) || arch.length !== 1 || !["x86_64", "arm64"].includes(arch[0])) {
      throw validationError(arch, "architectures", "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]");
    }
  }

  /** Applies configuration members (CreateFunction / UpdateFunctionConfiguration) onto a config. */
  private applyConfig(cfg: FunctionConfig, input: any, tags: Record<string, string>): void {
    if (input.Role !== undefined) cfg.Role = input.Role;
    if (input.Handler !== undefined) cfg.Handler = input.Handler;
    if (input.Runtime !== undefined) cfg.Runtime = input.Runtime;
    if (input.Description !== undefined) cfg.Description = String(input.Description);
    if (input.Timeout !== undefined) cfg.Timeout = input.Timeout;
    if (input.MemorySize !== undefined) cfg.MemorySize = input.MemorySize;
    if (input.KMSKeyArn !== undefined) {
      if (input.KMSKeyArn) cfg.KMSKeyArn = input.KMSKeyArn;
      else delete cfg.KMSKeyArn;
    }
    if (input.VpcConfig !== undefined) {
      const subnets: string[] = input.VpcConfig.SubnetIds ?? [];
      const groups: string[] = input.VpcConfig.SecurityGroupIds ?? [];
      if (subnets.length === 0 && groups.length === 0) delete cfg.VpcConfig;
      else {
        const vpcId = "vpc-" + createHash("sha256").update([...subnets].sort().join(",")).digest("hex").slice(0, 17);
        cfg.VpcConfig = { SubnetIds: subnets, SecurityGroupIds: groups, VpcId: vpcId, Ipv6AllowedForDualStack: !!input.VpcConfig.Ipv6AllowedForDualStack };
      }
    }
    if (input.DeadLetterConfig !== undefined) {
      if (input.DeadLetterConfig?.TargetArn) cfg.DeadLetterConfig = { TargetArn: input.DeadLetterConfig.TargetArn };
      else delete cfg.DeadLetterConfig;
    }
    if (input.Environment !== undefined) cfg.Environment = { Variables: { ...(input.Environment?.Variables ?? {}) } };
    if (input.TracingConfig?.Mode) cfg.TracingConfig = { Mode: input.TracingConfig.Mode };
    if (input.Layers !== undefined) {
      const sizes = this.layerSizes(tags);
      cfg.Layers = (input.Layers as string[]).map((Arn, i) => ({ Arn, CodeSize: Number.isFinite(sizes[i]) ? sizes[i]! : 0 }));
      if (cfg.Layers.length === 0) delete cfg.Layers;
    }
    if (input.EphemeralStorage?.Size !== undefined) cfg.EphemeralStorage = { Size: input.EphemeralStorage.Size };
    if (input.SnapStart?.ApplyOn) cfg.SnapStart = { ApplyOn: input.SnapStart.ApplyOn, OptimizationStatus: input.SnapStart.ApplyOn === "None" ? "Off" : "On" };
    if (input.ImageConfig !== undefined) cfg.ImageConfigResponse = { ImageConfig: { ...input.ImageConfig } };
    if (input.LoggingConfig !== undefined) {
      const lc = input.LoggingConfig ?? {};
      const format: "Text" | "JSON" = lc.LogFormat ?? cfg.LoggingConfig.LogFormat;
      const next: FunctionConfig["LoggingConfig"] = { LogFormat: format, LogGroup: lc.LogGroup ?? cfg.LoggingConfig.LogGroup };
      if (format === "JSON") {
        next.ApplicationLogLevel = lc.ApplicationLogLevel ?? cfg.LoggingConfig.ApplicationLogLevel ?? "INFO";
        next.SystemLogLevel = lc.SystemLogLevel ?? cfg.LoggingConfig.SystemLogLevel ?? "INFO";
      } else if (lc.ApplicationLogLevel || lc.SystemLogLevel) {
        throw new AwsServiceError("InvalidParameterValueException", "Log level can only be set when the log format is JSON.");
      }
      cfg.LoggingConfig = next;
    }
  }

  /** Reads the code members (CreateFunction's Code / UpdateFunctionCode) into size and hash. */
  private codeOf(code: any, packageType: string, tags: Record<string, string>): { size: number; sha256: string; imageUri?: string } {
    const declaredSize = Number(tags[SANDBOX_CODE_SIZE_TAG] ?? 0) || 0;
    if (packageType === "Image") {
      if (!code?.ImageUri) throw new AwsServiceError("InvalidParameterValueException", "Please provide ImageUri when PackageType is Image.");
      return { size: declaredSize, sha256: createHash("sha256").update(String(code.ImageUri)).digest("hex"), imageUri: code.ImageUri };
    }
    if (code?.ImageUri) throw new AwsServiceError("InvalidParameterValueException", "Please don't provide ImageUri when updating a function with packageType Zip.");
    if (typeof code?.ZipFile === "string" && code.ZipFile !== "") {
      const bytes = Buffer.from(code.ZipFile, "base64");
      return { size: bytes.length, sha256: createHash("sha256").update(bytes).digest("base64") };
    }
    if (code?.S3Bucket && code?.S3Key) {
      const source = `s3://${code.S3Bucket}/${code.S3Key}${code.S3ObjectVersion ? `?versionId=${code.S3ObjectVersion}` : ""}`;
      return { size: declaredSize, sha256: createHash("sha256").update(source).digest("base64") };
    }
    throw new AwsServiceError("InvalidParameterValueException", "Please provide a source for function code.");
  }

  private checkRevision(expected: string, given: unknown, what = "GetFunction"): void {
    if (given !== undefined && given !== null && given !== "" && given !== expected) {
      throw new AwsServiceError(
        "PreconditionFailedException",
        `The Revision Id provided does not match the latest Revision Id. Call the ${what} API to retrieve the latest Revision Id`,
        412,
      );
    }
  }

  private touchLatest(fn: FunctionRecord): void {
    fn.latest.config.LastModified = lambdaTimestamp(this.now());
    fn.latest.config.RevisionId = this.revisionId();
    fn.latest.config.LastUpdateStatus = "Successful";
  }

  /** Everything that makes a version different from another (AWS skips publishing when nothing changed). */
  private fingerprint(cfg: FunctionConfig): string {
    const { LastModified: _l, RevisionId: _r, Version: _v, Description: _d, ...rest } = cfg;
    return JSON.stringify(rest);
  }

  private publish(fn: FunctionRecord, description?: string): VersionRecord {
    const last = fn.versions[fn.versions.length - 1];
    // AWS publishes nothing new when code and configuration are unchanged; a new version description alone is no change.
    if (last && this.fingerprint(last.config) === this.fingerprint(fn.latest.config)) return last;
    fn.lastVersion += 1;
    const config: FunctionConfig = structuredClone(fn.latest.config);
    config.Version = String(fn.lastVersion);
    config.LastModified = lambdaTimestamp(this.now());
    config.RevisionId = this.revisionId();
    if (description !== undefined) config.Description = description;
    const record: VersionRecord = { config, imageUri: fn.latest.imageUri };
    fn.versions.push(record);
    return record;
  }

  private pageLimit(operation: string, requested: string | null, awsMax: number, awsDefault = awsMax, rangeMax = 10000): number {
    let n: number | undefined;
    if (requested !== null && requested !== "") {
      n = Number(requested);
      checkRange(n, "maxItems", 1, rangeMax);
    }
    return Math.max(1, Math.min(n ?? awsDefault, this.ctx.pageSize("lambda", operation, awsMax)));
  }

  /** Pages a key-sorted list with an opaque Marker (the last key returned). */
  private page<T>(items: T[], keyOf: (t: T) => string, marker: string | null, limit: number): { items: T[]; next?: string } {
    const cursor = decodeToken<{ k: string }>(marker);
    const start = cursor ? items.findIndex((t) => keyOf(t) > cursor.k) : 0;
    if (start < 0) return { items: [] };
    const slice = items.slice(start, start + limit);
    const next = start + limit < items.length ? encodeToken({ k: keyOf(slice[slice.length - 1]!) }) : undefined;
    return { items: slice, next };
  }

  // ------------------------------------------------------------ functions

  private createFunction(call: RestCall): RestResult {
    const input = call.body ?? {};
    if (typeof input.FunctionName !== "string" || input.FunctionName === "") throw validationError(null, "functionName", "Member must not be null");
    const ref = parseFunctionRef(input.FunctionName);
    if (ref.qualifier || !NAME_PATTERN.test(ref.name)) throw validationError(input.FunctionName, "functionName", "Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+");
    if (typeof input.Role !== "string") throw validationError(null, "role", "Member must not be null");
    this.validateConfigInput(input);
    this.validateArchitectures(input.Architectures);
    const packageType: "Zip" | "Image" = input.PackageType ?? "Zip";
    checkEnum(packageType, "packageType", ["Zip", "Image"]);
    if (packageType === "Zip" && (!input.Runtime || !input.Handler)) {
      throw new AwsServiceError("InvalidParameterValueException", "Runtime and Handler are mandatory parameters for functions created with deployment packages.");
    }
    if (this.state.functions[ref.name]) {
      throw new AwsServiceError("ResourceConflictException", `Function already exist: ${ref.name}`, 409);
    }
    const tags: Record<string, string> = { ...(input.Tags ?? {}) };
    const code = this.codeOf(input.Code, packageType, tags);
    const now = this.now();
    const config: FunctionConfig = {
      FunctionName: ref.name,
      Role: input.Role,
      CodeSize: code.size,
      Description: "",
      Timeout: 3,
      MemorySize: 128,
      LastModified: lambdaTimestamp(now),
      CodeSha256: code.sha256,
      Version: LATEST,
      TracingConfig: { Mode: "PassThrough" },
      RevisionId: this.revisionId(),
      State: "Active",
      LastUpdateStatus: "Successful",
      PackageType: packageType,
      Architectures: input.Architectures ?? ["x86_64"],
      EphemeralStorage: { Size: 512 },
      SnapStart: { ApplyOn: "None", OptimizationStatus: "Off" },
      LoggingConfig: { LogFormat: "Text", LogGroup: `/aws/lambda/${ref.name}` },
    };
    this.applyConfig(config, input, tags);
    const fn: FunctionRecord = {
      name: ref.name,
      latest: { config, imageUri: code.imageUri },
      versions: [],
      lastVersion: 0,
      aliases: {},
      tags,
      eventInvokeConfigs: {},
      provisioned: {},
      codeLocationId: newRequestId(this.ctx.random),
    };
    this.state.functions[ref.name] = fn;
    const out = input.Publish ? this.publish(fn) : fn.latest;
    this.ctx.touch();
    return { status: 201, body: this.configOut(fn, out) };
  }

  private updateFunctionConfiguration(call: RestCall): unknown {
    const { fn } = this.fnFromCall(call, false);
    const input = call.body ?? {};
    this.validateConfigInput(input);
    this.checkRevision(fn.latest.config.RevisionId, input.RevisionId);
    if (fn.latest.config.PackageType === "Image" && (input.Runtime || input.Handler)) {
      throw new AwsServiceError("InvalidParameterValueException", "Please don't provide Handler or Runtime or Layer when the intended function PackageType is Image.");
    }
    this.applyConfig(fn.latest.config, input, fn.tags);
    this.touchLatest(fn);
    this.ctx.touch();
    return this.configOut(fn, fn.latest);
  }

  private updateFunctionCode(call: RestCall): unknown {
    const { fn } = this.fnFromCall(call, false);
    const input = call.body ?? {};
    this.validateArchitectures(input.Architectures);
    this.checkRevision(fn.latest.config.RevisionId, input.RevisionId);
    const code = this.codeOf(input, fn.latest.config.PackageType, fn.tags);
    if (input.DryRun) return this.configOut(fn, fn.latest);
    fn.latest.config.CodeSha256 = code.sha256;
    fn.latest.config.CodeSize = code.size;
    fn.latest.imageUri = code.imageUri;
    if (input.Architectures) fn.latest.config.Architectures = input.Architectures;
    this.touchLatest(fn);
    const out = input.Publish ? this.publish(fn) : fn.latest;
    this.ctx.touch();
    return this.configOut(fn, out);
  }

  private deleteFunction(call: RestCall): RestResult {
    const { fn, qualifier } = this.fnFromCall(call);
    if (qualifier === LATEST) {
      throw new AwsServiceError("InvalidParameterValueException", "$LATEST version cannot be deleted without deleting the function.");
    }
    if (qualifier) {
      if (fn.aliases[qualifier]) throw new AwsServiceError("InvalidParameterValueException", "Deletion of aliases is not supported by DeleteFunction; use DeleteAlias.");
      const idx = fn.versions.findIndex((v) => v.config.Version === qualifier);
      if (idx < 0) throw this.notFound(fn.name, qualifier);
      const users = Object.values(fn.aliases)
        .filter((a) => a.FunctionVersion === qualifier || a.RoutingConfig?.AdditionalVersionWeights[qualifier] !== undefined)
        .map((a) => a.Name);
      if (users.length > 0) {
        throw new AwsServiceError("ResourceConflictException", `Unable to delete version because the following aliases reference it: [${users.join(", ")}]`, 409);
      }
      fn.versions.splice(idx, 1);
      delete fn.eventInvokeConfigs[qualifier];
      delete fn.provisioned[qualifier];
    } else {
      delete this.state.functions[fn.name];
      this.state.eventSourceMappings = this.state.eventSourceMappings.filter((m) => m.functionName !== fn.name);
    }
    this.ctx.touch();
    return { status: 204 };
  }

  private getFunction(call: RestCall): unknown {
    const { fn, qualifier } = this.fnFromCall(call);
    const v = this.versionForQualifier(fn, qualifier);
    const code =
      v.config.PackageType === "Image"
        ? { RepositoryType: "ECR", ImageUri: v.imageUri, ResolvedImageUri: v.imageUri }
        : {
            RepositoryType: "S3",
            Location: `https://awslambda-${this.ctx.region}-tasks.s3.${this.ctx.region}.amazonaws.com/snapshots/${this.ctx.accountId}/${fn.name}-${fn.codeLocationId}`,
          };
    return {
      Configuration: this.configOut(fn, v, qualifier),
      Code: code,
      Tags: { ...fn.tags },
      ...(fn.reservedConcurrency !== undefined ? { Concurrency: { ReservedConcurrentExecutions: fn.reservedConcurrency } } : {}),
    };
  }

  private getFunctionConfiguration(call: RestCall): unknown {
    const { fn, qualifier } = this.fnFromCall(call);
    return this.configOut(fn, this.versionForQualifier(fn, qualifier), qualifier);
  }

  private listFunctions(call: RestCall): unknown {
    const all = call.query.get("FunctionVersion");
    if (all !== null) checkEnum(all, "functionVersion", ["ALL"]);
    const limit = this.pageLimit("ListFunctions", call.query.get("MaxItems"), 50);
    const entries: { key: string; fn: FunctionRecord; v: VersionRecord; qualified: boolean }[] = [];
    for (const fn of Object.values(this.state.functions).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      entries.push({ key: `${fn.name}\u0000`, fn, v: fn.latest, qualified: all === "ALL" });
      if (all === "ALL") for (const v of fn.versions) entries.push({ key: `${fn.name}\u0000${v.config.Version.padStart(12, "0")}`, fn, v, qualified: true });
    }
    const { items, next } = this.page(entries, (e) => e.key, call.query.get("Marker"), limit);
    return {
      Functions: items.map((e) => this.configOut(e.fn, e.v, e.qualified && e.v.config.Version === LATEST ? LATEST : undefined)),
      ...(next ? { NextMarker: next } : {}),
    };
  }

  private listVersionsByFunction(call: RestCall): unknown {
    const { fn } = this.fnFromCall(call, false);
    const limit = this.pageLimit("ListVersionsByFunction", call.query.get("MaxItems"), 50);
    const entries = [fn.latest, ...fn.versions];
    const key = (v: VersionRecord) => (v.config.Version === LATEST ? "" : v.config.Version.padStart(12, "0"));
    const { items, next } = this.page(entries, key, call.query.get("Marker"), limit);
    return {
      Versions: items.map((v) => this.configOut(fn, v, v.config.Version === LATEST ? LATEST : undefined)),
      ...(next ? { NextMarker: next } : {}),
    };
  }

  private publishVersion(call: RestCall): RestResult {
    const { fn } = this.fnFromCall(call, false);
    const input = call.body ?? {};
    if (input.CodeSha256 && input.CodeSha256 !== fn.latest.config.CodeSha256) {
      throw new AwsServiceError(
        "InvalidParameterValueException",
        `CodeSHA256 (${input.CodeSha256}) is different from current CodeSHA256 in $LATEST (${fn.latest.config.CodeSha256}). Please try again with the current CodeSHA256.`,
      );
    }
    this.checkRevision(fn.latest.config.RevisionId, input.RevisionId);
    const v = this.publish(fn, input.Description);
    this.ctx.touch();
    return { status: 201, body: this.configOut(fn, v) };
  }

  // ------------------------------------------------------------ aliases

  private aliasOut(fn: FunctionRecord, a: AliasRecord): Record<string, unknown> {
    return {
      AliasArn: this.arn(fn.name, a.Name),
      Name: a.Name,
      FunctionVersion: a.FunctionVersion,
      Description: a.Description,
      ...(a.RoutingConfig ? { RoutingConfig: { AdditionalVersionWeights: { ...a.RoutingConfig.AdditionalVersionWeights } } } : {}),
      RevisionId: a.RevisionId,
    };
  }

  private getAliasRecord(fn: FunctionRecord, name: string): AliasRecord {
    const a = fn.aliases[name];
    if (!a) throw new AwsServiceError("ResourceNotFoundException", `Alias not found: ${this.arn(fn.name, name)}`, 404);
    return a;
  }

  private checkAliasTarget(fn: FunctionRecord, version: string, routing: any): AliasRecord["RoutingConfig"] {
    if (!this.findVersion(fn, version)) throw this.notFound(fn.name, version);
    const weights = routing?.AdditionalVersionWeights;
    if (weights === undefined || weights === null) return undefined;
    const entries = Object.entries(weights as Record<string, unknown>);
    if (entries.length === 0) return undefined;
    if (entries.length > 1) throw new AwsServiceError("InvalidParameterValueException", "Number of items in AdditionalVersionWeights cannot be greater than 1");
    const [extra, weight] = entries[0]!;
    if (typeof weight !== "number" || weight < 0 || weight > 1) {
      throw validationError(weight, "routingConfig.additionalVersionWeights", "Member must have value less than or equal to 1.0 and greater than or equal to 0.0");
    }
    if (version === LATEST || extra === LATEST) {
      throw new AwsServiceError("InvalidParameterValueException", "$LATEST is not supported for an alias pointing to more than 1 version");
    }
    if (extra === version) {
      throw new AwsServiceError("InvalidParameterValueException", `Invalid function version ${extra}. Function version ${extra} is already included in routing configuration.`);
    }
    if (!this.findVersion(fn, extra)) throw this.notFound(fn.name, extra);
    return { AdditionalVersionWeights: { [extra]: weight } };
  }

  private createAlias(call: RestCall): RestResult {
    const { fn } = this.fnFromCall(call, false);
    const input = call.body ?? {};
    if (typeof input.Name !== "string" || !ALIAS_PATTERN.test(input.Name)) {
      throw validationError(input.Name ?? null, "name", "Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)");
    }
    if (typeof input.FunctionVersion !== "string" || input.FunctionVersion === "") throw validationError(null, "functionVersion", "Member must not be null");
    if (fn.aliases[input.Name]) throw new AwsServiceError("ResourceConflictException", `Alias already exists: ${this.arn(fn.name, input.Name)}`, 409);
    const routing = this.checkAliasTarget(fn, input.FunctionVersion, input.RoutingConfig);
    const alias: AliasRecord = {
      Name: input.Name,
      FunctionVersion: input.FunctionVersion,
      Description: input.Description ?? "",
      ...(routing ? { RoutingConfig: routing } : {}),
      RevisionId: this.revisionId(),
    };
    fn.aliases[alias.Name] = alias;
    this.ctx.touch();
    return { status: 201, body: this.aliasOut(fn, alias) };
  }

  private updateAlias(call: RestCall): unknown {
    const { fn } = this.fnFromCall(call, false);
    const alias = this.getAliasRecord(fn, call.params.Name!);
    const input = call.body ?? {};
    this.checkRevision(alias.RevisionId, input.RevisionId, "GetAlias");
    const version = input.FunctionVersion ?? alias.FunctionVersion;
    const routing = input.RoutingConfig !== undefined ? this.checkAliasTarget(fn, version, input.RoutingConfig) : this.checkAliasTarget(fn, version, alias.RoutingConfig);
    alias.FunctionVersion = version;
    if (input.Description !== undefined) alias.Description = input.Description;
    if (routing) alias.RoutingConfig = routing;
    else delete alias.RoutingConfig;
    alias.RevisionId = this.revisionId();
    this.ctx.touch();
    return this.aliasOut(fn, alias);
  }

  private getAlias(call: RestCall): unknown {
    const { fn } = this.fnFromCall(call, false);
    return this.aliasOut(fn, this.getAliasRecord(fn, call.params.Name!));
  }

  private listAliases(call: RestCall): unknown {
    const { fn } = this.fnFromCall(call, false);
    const version = call.query.get("FunctionVersion");
    const limit = this.pageLimit("ListAliases", call.query.get("MaxItems"), 50);
    const aliases = Object.values(fn.aliases)
      .filter((a) => !version || a.FunctionVersion === version)
      .sort((a, b) => (a.Name < b.Name ? -1 : 1));
    const { items, next } = this.page(aliases, (a) => a.Name, call.query.get("Marker"), limit);
    return { Aliases: items.map((a) => this.aliasOut(fn, a)), ...(next ? { NextMarker: next } : {}) };
  }

  private deleteAlias(call: RestCall): RestResult {
    const { fn } = this.fnFromCall(call, false);
    const name = call.params.Name!;
    if (fn.aliases[name]) {
      delete fn.aliases[name];
      delete fn.eventInvokeConfigs[name];
      delete fn.provisioned[name];
      this.ctx.touch();
    }
    return { status: 204 };
  }

  // ------------------------------------------------------------ concurrency

  private putFunctionConcurrency(call: RestCall): unknown {
    const { fn } = this.fnFromCall(call, false);
    const n = call.body?.ReservedConcurrentExecutions;
    if (n === undefined || n === null) throw validationError(null, "reservedConcurrentExecutions", "Member must not be null");
    checkRange(n, "reservedConcurrentExecutions", 0, ACCOUNT_CONCURRENCY);
    const otherReserved = Object.values(this.state.functions)
      .filter((f) => f !== fn)
      .reduce((sum, f) => sum + (f.reservedConcurrency ?? 0), 0);
    if (ACCOUNT_CONCURRENCY - otherReserved - n < MIN_UNRESERVED_CONCURRENCY) {
      throw new AwsServiceError(
        "InvalidParameterValueException",
        `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${MIN_UNRESERVED_CONCURRENCY}].`,
      );
    }
    fn.reservedConcurrency = n;
    this.ctx.touch();
    return { ReservedConcurrentExecutions: n };
  }

  private getFunctionConcurrency(call: RestCall): unknown {
    const { fn } = this.fnFromCall(call, false);
    return fn.reservedConcurrency !== undefined ? { ReservedConcurrentExecutions: fn.reservedConcurrency } : {};
  }

  private deleteFunctionConcurrency(call: RestCall): RestResult {
    const { fn } = this.fnFromCall(call, false);
    delete fn.reservedConcurrency;
    this.ctx.touch();
    return { status: 204 };
  }

  private provisionedOut(fn: FunctionRecord, qualifier: string, p: ProvisionedRecord, withArn: boolean): Record<string, unknown> {
    return {
      ...(withArn ? { FunctionArn: this.arn(fn.name, qualifier) } : {}),
      RequestedProvisionedConcurrentExecutions: p.requested,
      AvailableProvisionedConcurrentExecutions: p.requested,
      AllocatedProvisionedConcurrentExecutions: p.requested,
      Status: "READY",
      LastModified: lambdaTimestampSeconds(p.lastModified),
    };
  }

  private provisionedQualifier(fn: FunctionRecord, qualifier: string | undefined): string {
    if (!qualifier) throw validationError(null, "qualifier", "Member must not be null");
    if (qualifier === LATEST) {
      throw new AwsServiceError("InvalidParameterValueException", "Provisioned Concurrency Configs cannot be applied to unpublished function versions.");
    }
    this.requireQualifier(fn, qualifier);
    return qualifier;
  }

  private putProvisionedConcurrency(call: RestCall): RestResult {
    const { fn, qualifier } = this.fnFromCall(call);
    const q = this.provisionedQualifier(fn, qualifier);
    const n = call.body?.ProvisionedConcurrentExecutions;
    if (n === undefined || n === null) throw validationError(null, "provisionedConcurrentExecutions", "Member must not be null");
    checkRange(n, "provisionedConcurrentExecutions", 1, ACCOUNT_CONCURRENCY);
    const p: ProvisionedRecord = { requested: n, lastModified: this.now() };
    fn.provisioned[q] = p;
    this.ctx.touch();
    return { status: 202, body: this.provisionedOut(fn, q, p, false) };
  }

  private getProvisionedConcurrency(call: RestCall): unknown {
    const { fn, qualifier } = this.fnFromCall(call);
    const q = this.provisionedQualifier(fn, qualifier);
    const p = fn.provisioned[q];
    if (!p) throw new AwsServiceError("ProvisionedConcurrencyConfigNotFoundException", "No Provisioned Concurrency Config found for this function", 404);
    return this.provisionedOut(fn, q, p, false);
  }

  private deleteProvisionedConcurrency(call: RestCall): RestResult {
    const { fn, qualifier } = this.fnFromCall(call);
    const q = this.provisionedQualifier(fn, qualifier);
    delete fn.provisioned[q];
    this.ctx.touch();
    return { status: 204 };
  }

  private listProvisionedConcurrency(call: RestCall): unknown {
    const { fn } = this.fnFromCall(call, false);
    const limit = this.pageLimit("ListProvisionedConcurrencyConfigs", call.query.get("MaxItems"), 50, 50, 50);
    const entries = Object.entries(fn.provisioned).sort(([a], [b]) => (a < b ? -1 : 1));
    const { items, next } = this.page(entries, ([q]) => q, call.query.get("Marker"), limit);
    return { ProvisionedConcurrencyConfigs: items.map(([q, p]) => this.provisionedOut(fn, q, p, true)), ...(next ? { NextMarker: next } : {}) };
  }

  // ------------------------------------------------------------ event source mappings

  private esmOut(m: EventSourceMappingRecord, state?: string): Record<string, unknown> {
    return {
      UUID: m.UUID,
      BatchSize: m.BatchSize,
      MaximumBatchingWindowInSeconds: m.MaximumBatchingWindowInSeconds,
      EventSourceArn: m.EventSourceArn,
      FunctionArn: this.arn(m.functionName, m.qualifier),
      LastModified: m.LastModified / 1000,
      State: state ?? (m.enabled ? "Enabled" : "Disabled"),
      StateTransitionReason: "USER_INITIATED",
      FunctionResponseTypes: [...m.FunctionResponseTypes],
      EventSourceMappingArn: `arn:aws:lambda:${this.ctx.region}:${this.ctx.accountId}:event-source-mapping:${m.UUID}`,
      ...m.extra,
    };
  }

  private getEsm(uuid: string): EventSourceMappingRecord {
    const m = this.state.eventSourceMappings.find((x) => x.UUID === uuid);
    if (!m) throw new AwsServiceError("ResourceNotFoundException", "The resource you requested does not exist.", 404);
    return m;
  }

  private applyEsmSettings(m: EventSourceMappingRecord, input: any): void {
    const sqs = m.EventSourceArn.split(":")[2] === "sqs";
    checkRange(input.BatchSize, "batchSize", 1, 10000);
    checkRange(input.MaximumBatchingWindowInSeconds, "maximumBatchingWindowInSeconds", 0, 300);
    if (input.FunctionResponseTypes !== undefined) {
      for (const t of input.FunctionResponseTypes ?? []) checkEnum(t, "functionResponseTypes.member", ["ReportBatchItemFailures"]);
      m.FunctionResponseTypes = [...(input.FunctionResponseTypes ?? [])];
    }
    if (input.BatchSize !== undefined) m.BatchSize = input.BatchSize;
    if (input.MaximumBatchingWindowInSeconds !== undefined) m.MaximumBatchingWindowInSeconds = input.MaximumBatchingWindowInSeconds;
    if (input.Enabled !== undefined) m.enabled = !!input.Enabled;
    if (sqs && m.BatchSize > 10 && m.MaximumBatchingWindowInSeconds < 1) {
      throw new AwsServiceError("InvalidParameterValueException", "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10");
    }
    for (const key of [
      "StartingPosition",
      "StartingPositionTimestamp",
      "FilterCriteria",
      "ScalingConfig",
      "MaximumRetryAttempts",
      "MaximumRecordAgeInSeconds",
      "BisectBatchOnFunctionError",
      "ParallelizationFactor",
      "TumblingWindowInSeconds",
      "DestinationConfig",
      "MetricsConfig",
    ]) {
      if (input[key] !== undefined) m.extra[key] = input[key];
    }
    m.LastModified = this.now();
  }

  private createEventSourceMapping(call: RestCall): RestResult {
    const input = call.body ?? {};
    if (typeof input.FunctionName !== "string" || input.FunctionName === "") throw validationError(null, "functionName", "Member must not be null");
    if (typeof input.EventSourceArn !== "string" || input.EventSourceArn === "") {
      throw new AwsServiceError("InvalidParameterValueException", "Unrecognized event source, must be kinesis, dynamodb stream, sqs, kafka or mq.");
    }
    const ref = parseFunctionRef(input.FunctionName);
    const fn = this.getFn(ref.name, ref.qualifier);
    this.requireQualifier(fn, ref.qualifier);
    const existing = this.state.eventSourceMappings.find((m) => m.functionName === fn.name && m.qualifier === ref.qualifier && m.EventSourceArn === input.EventSourceArn);
    if (existing) {
      throw new AwsServiceError(
        "ResourceConflictException",
        `An event source mapping with event source ("${input.EventSourceArn}") and function ("${fn.name}") already exists. Please update or delete the existing mapping with UUID ${existing.UUID}`,
        409,
      );
    }
    const sqs = input.EventSourceArn.split(":")[2] === "sqs";
    const m: EventSourceMappingRecord = {
      seq: ++this.state.esmSeq,
      UUID: newRequestId(this.ctx.random),
      functionName: fn.name,
      qualifier: ref.qualifier,
      EventSourceArn: input.EventSourceArn,
      BatchSize: sqs ? 10 : 100,
      MaximumBatchingWindowInSeconds: 0,
      FunctionResponseTypes: [],
      enabled: true,
      LastModified: this.now(),
      extra: {},
    };
    this.applyEsmSettings(m, input);
    this.state.eventSourceMappings.push(m);
    this.ctx.touch();
    return { status: 202, body: this.esmOut(m) };
  }

  private listEventSourceMappings(call: RestCall): unknown {
    const source = call.query.get("EventSourceArn");
    const fnParam = call.query.get("FunctionName");
    const ref = fnParam ? parseFunctionRef(fnParam) : undefined;
    const limit = this.pageLimit("ListEventSourceMappings", call.query.get("MaxItems"), 100);
    const matching = this.state.eventSourceMappings
      .filter((m) => !source || m.EventSourceArn === source)
      .filter((m) => !ref || (m.functionName === ref.name && (!ref.qualifier || m.qualifier === ref.qualifier)))
      .sort((a, b) => a.seq - b.seq);
    const key = (m: EventSourceMappingRecord) => String(m.seq).padStart(12, "0");
    const { items, next } = this.page(matching, key, call.query.get("Marker"), limit);
    return { EventSourceMappings: items.map((m) => this.esmOut(m)), ...(next ? { NextMarker: next } : {}) };
  }

  private getEventSourceMapping(call: RestCall): unknown {
    return this.esmOut(this.getEsm(call.params.UUID!));
  }

  private updateEventSourceMapping(call: RestCall): RestResult {
    const m = this.getEsm(call.params.UUID!);
    const input = call.body ?? {};
    const next: EventSourceMappingRecord = structuredClone(m);
    if (input.FunctionName) {
      const ref = parseFunctionRef(input.FunctionName);
      this.requireQualifier(this.getFn(ref.name, ref.qualifier), ref.qualifier);
      next.functionName = ref.name;
      next.qualifier = ref.qualifier;
    }
    this.applyEsmSettings(next, input);
    Object.assign(m, next);
    this.ctx.touch();
    return { status: 202, body: this.esmOut(m) };
  }

  private deleteEventSourceMapping(call: RestCall): RestResult {
    const m = this.getEsm(call.params.UUID!);
    this.state.eventSourceMappings = this.state.eventSourceMappings.filter((x) => x !== m);
    this.ctx.touch();
    return { status: 202, body: this.esmOut(m, "Deleting") };
  }

  // ------------------------------------------------------------ async invoke configuration

  private eicOut(fn: FunctionRecord, key: string, c: EventInvokeConfigRecord): Record<string, unknown> {
    return {
      LastModified: c.LastModified / 1000,
      FunctionArn: this.arn(fn.name, key),
      ...(c.MaximumRetryAttempts !== undefined ? { MaximumRetryAttempts: c.MaximumRetryAttempts } : {}),
      ...(c.MaximumEventAgeInSeconds !== undefined ? { MaximumEventAgeInSeconds: c.MaximumEventAgeInSeconds } : {}),
      DestinationConfig: structuredClone(c.DestinationConfig),
    };
  }

  private validateEic(input: any): void {
    checkRange(input.MaximumRetryAttempts, "maximumRetryAttempts", 0, 2);
    checkRange(input.MaximumEventAgeInSeconds, "maximumEventAgeInSeconds", 60, 21600);
    for (const side of ["OnSuccess", "OnFailure"] as const) {
      const dest = input.DestinationConfig?.[side]?.Destination;
      if (dest === undefined || dest === null || dest === "") continue;
      const kind = destinationKind(String(dest));
      if (kind === "unknown" || (side === "OnSuccess" && kind === "s3")) {
        throw new AwsServiceError("InvalidParameterValueException", `The destination ARN ${dest} is invalid.`);
      }
    }
  }

  private eicKey(call: RestCall): { fn: FunctionRecord; key: string } {
    const { fn, qualifier } = this.fnFromCall(call);
    this.requireQualifier(fn, qualifier);
    return { fn, key: qualifier ?? LATEST };
  }

  private destinations(input: any, base?: EventInvokeConfigRecord["DestinationConfig"]): EventInvokeConfigRecord["DestinationConfig"] {
    const out = structuredClone(base ?? { OnSuccess: {}, OnFailure: {} });
    for (const side of ["OnSuccess", "OnFailure"] as const) {
      const given = input?.[side];
      if (given === undefined) continue;
      out[side] = given?.Destination ? { Destination: given.Destination } : {};
    }
    return out;
  }

  private putEventInvokeConfig(call: RestCall): unknown {
    const { fn, key } = this.eicKey(call);
    const input = call.body ?? {};
    this.validateEic(input);
    const c: EventInvokeConfigRecord = {
      LastModified: this.now(),
      ...(input.MaximumRetryAttempts !== undefined ? { MaximumRetryAttempts: input.MaximumRetryAttempts } : {}),
      ...(input.MaximumEventAgeInSeconds !== undefined ? { MaximumEventAgeInSeconds: input.MaximumEventAgeInSeconds } : {}),
      DestinationConfig: this.destinations(input.DestinationConfig),
    };
    fn.eventInvokeConfigs[key] = c;
    this.ctx.touch();
    return this.eicOut(fn, key, c);
  }

  private updateEventInvokeConfig(call: RestCall): unknown {
    const { fn, key } = this.eicKey(call);
    const input = call.body ?? {};
    this.validateEic(input);
    const prev = fn.eventInvokeConfigs[key] ?? { LastModified: 0, DestinationConfig: { OnSuccess: {}, OnFailure: {} } };
    const c: EventInvokeConfigRecord = {
      ...prev,
      LastModified: this.now(),
      ...(input.MaximumRetryAttempts !== undefined ? { MaximumRetryAttempts: input.MaximumRetryAttempts } : {}),
      ...(input.MaximumEventAgeInSeconds !== undefined ? { MaximumEventAgeInSeconds: input.MaximumEventAgeInSeconds } : {}),
      DestinationConfig: this.destinations(input.DestinationConfig, prev.DestinationConfig),
    };
    fn.eventInvokeConfigs[key] = c;
    this.ctx.touch();
    return this.eicOut(fn, key, c);
  }

  private getEventInvokeConfig(call: RestCall): unknown {
    const { fn, key } = this.eicKey(call);
    const c = fn.eventInvokeConfigs[key];
    if (!c) {
      throw new AwsServiceError("ResourceNotFoundException", `The function ${this.arn(fn.name, key === LATEST ? undefined : key)} doesn't have an EventInvokeConfig`, 404);
    }
    return this.eicOut(fn, key, c);
  }

  private deleteEventInvokeConfig(call: RestCall): RestResult {
    const { fn, key } = this.eicKey(call);
    if (!fn.eventInvokeConfigs[key]) {
      throw new AwsServiceError("ResourceNotFoundException", `The function ${this.arn(fn.name, key === LATEST ? undefined : key)} doesn't have an EventInvokeConfig`, 404);
    }
    delete fn.eventInvokeConfigs[key];
    this.ctx.touch();
    return { status: 204 };
  }

  private listEventInvokeConfigs(call: RestCall): unknown {
    const { fn } = this.fnFromCall(call, false);
    const limit = this.pageLimit("ListFunctionEventInvokeConfigs", call.query.get("MaxItems"), 50, 50, 50);
    const entries = Object.entries(fn.eventInvokeConfigs).sort(([a], [b]) => (a < b ? -1 : 1));
    const { items, next } = this.page(entries, ([k]) => k, call.query.get("Marker"), limit);
    return { FunctionEventInvokeConfigs: items.map(([k, c]) => this.eicOut(fn, k, c)), ...(next ? { NextMarker: next } : {}) };
  }

  // ------------------------------------------------------------ tags and account

  private tagTarget(call: RestCall): FunctionRecord {
    const resource = call.params.Resource!;
    if (!resource.startsWith("arn:")) throw validationError(resource, "resource", "Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:(function|code-signing-config|event-source-mapping|capacity-provider):.*");
    const ref = parseFunctionRef(resource);
    if (ref.qualifier) throw new AwsServiceError("InvalidParameterValueException", "Tags on function aliases and versions are not supported. Please specify a function ARN.");
    return this.getFn(ref.name);
  }

  private tagResource(call: RestCall): RestResult {
    const fn = this.tagTarget(call);
    const tags = call.body?.Tags;
    if (!tags || typeof tags !== "object") throw validationError(null, "tags", "Member must not be null");
    Object.assign(fn.tags, tags);
    this.ctx.touch();
    return { status: 204 };
  }

  private untagResource(call: RestCall): RestResult {
    const fn = this.tagTarget(call);
    for (const k of call.query.getAll("tagKeys")) delete fn.tags[k];
    this.ctx.touch();
    return { status: 204 };
  }

  private listTags(call: RestCall): unknown {
    return { Tags: { ...this.tagTarget(call).tags } };
  }

  private getAccountSettings(): unknown {
    const fns = Object.values(this.state.functions);
    const totalCode = fns.reduce((sum, f) => sum + f.latest.config.CodeSize + f.versions.reduce((s, v) => s + v.config.CodeSize, 0), 0);
    const reserved = fns.reduce((sum, f) => sum + (f.reservedConcurrency ?? 0), 0);
    return {
      AccountLimit: {
        TotalCodeSize: 80530636800,
        CodeSizeUnzipped: 262144000,
        CodeSizeZipped: 52428800,
        ConcurrentExecutions: ACCOUNT_CONCURRENCY,
        UnreservedConcurrentExecutions: ACCOUNT_CONCURRENCY - reserved,
      },
      AccountUsage: { TotalCodeSize: totalCode, FunctionCount: fns.length },
    };
  }

  // ------------------------------------------------------------ invoke

  private prepareInvocation(ref: FunctionRef, qualifierParam: string | undefined | null): PreparedInvocation {
    const qualifier = effectiveQualifier(ref, qualifierParam);
    const fn = this.getFn(ref.name, qualifier);
    const resolved = resolveQualifier(
      { versions: fn.versions.map((v) => v.config.Version), aliases: fn.aliases },
      qualifier,
      this.ctx.random,
    );
    const version = resolved ? this.findVersion(fn, resolved.version) : undefined;
    if (!resolved || !version) throw this.notFound(fn.name, qualifier);
    const cfg = version.config;
    const provisioned = fn.provisioned[qualifier ?? ""] ?? fn.provisioned[cfg.Version];
    return {
      fn,
      version,
      qualifier,
      target: {
        functionName: fn.name,
        functionArn: this.arn(fn.name),
        version: cfg.Version,
        ...(qualifier ? { qualifier } : {}),
        runtime: cfg.Runtime ?? "image",
        architecture: cfg.Architectures[0] ?? "x86_64",
        memorySizeMb: cfg.MemorySize,
        timeoutSeconds: cfg.Timeout,
        logGroup: cfg.LoggingConfig.LogGroup,
        logFormat: cfg.LoggingConfig.LogFormat,
        tracingMode: cfg.TracingConfig.Mode,
        environment: { ...(cfg.Environment?.Variables ?? {}) },
        provisionedConcurrency: provisioned?.requested ?? 0,
      },
    };
  }

  /** Runs one attempt through the runner and records it. */
  private async execute(
    p: PreparedInvocation,
    payload: string,
    requestId: string,
    invocationType: "Event" | "RequestResponse",
    attempt: number,
  ): Promise<InvokeResult> {
    const at = this.now();
    let result: InvokeResult;
    try {
      result = await this.ctx.runInvocation(p.target, payload, { requestId, invocationType, attempt, at }, this.ctx.internals);
    } catch (err) {
      if (err instanceof AwsServiceError && err.status === 429) {
        result = { statusCode: 429, requestId, executedVersion: p.target.version, payload: JSON.stringify({ Reason: err.options.extra?.Reason, message: err.message }) };
      } else {
        throw err;
      }
    }
    this.record({
      requestId,
      functionName: p.fn.name,
      version: p.target.version,
      ...(p.qualifier ? { qualifier: p.qualifier } : {}),
      payload,
      invocationType,
      attempt,
      at,
      result,
    });
    return result;
  }

  private record(entry: InvocationLogEntry): void {
    this.log.push(entry);
    // Trim in batches so a long simulation does not shift the array on every invocation.
    if (this.log.length > this.logLimit + Math.max(100, this.logLimit >> 3)) this.log.splice(0, this.log.length - this.logLimit);
  }

  private async invoke(call: RestCall): Promise<RestResult> {
    const type = call.headers["x-amz-invocation-type"] || "RequestResponse";
    checkEnum(type, "invocationType", ["Event", "RequestResponse", "DryRun"]);
    const logType = call.headers["x-amz-log-type"];
    if (logType) checkEnum(logType, "logType", ["None", "Tail"]);
    const payload = call.rawBody;
    if (type === "Event" && payload.length > ASYNC_PAYLOAD_LIMIT) {
      throw new AwsServiceError("RequestEntityTooLargeException", `${payload.length} byte payload is too large for the Event invocation type (limit ${ASYNC_PAYLOAD_LIMIT} bytes)`, 413);
    }
    if (payload.length > SYNC_PAYLOAD_LIMIT) {
      throw new AwsServiceError("RequestEntityTooLargeException", `Request must be smaller than ${SYNC_PAYLOAD_LIMIT} bytes for the InvokeFunction operation`, 413);
    }
    const text = payload.toString("utf8");
    if (text !== "") {
      try {
        JSON.parse(text);
      } catch {
        throw new AwsServiceError("InvalidRequestContentException", "Could not parse request body into json: Could not parse payload into json", 400);
      }
    }
    const prepared = this.prepareInvocation(parseFunctionRef(call.params.FunctionName!), call.query.get("Qualifier"));
    if (type === "DryRun") return { status: 204, rawBody: "" };
    const requestId = newRequestId(this.ctx.random);
    if (type === "Event") {
      this.enqueueAsync(prepared, requestId, text);
      return { status: 202, headers: { "x-amzn-requestid": requestId }, rawBody: "" };
    }
    const result = await this.execute(prepared, text, requestId, "RequestResponse", 1);
    if (result.statusCode === 429) {
      const reason = (() => {
        try {
          return (JSON.parse(result.payload) as { Reason?: string }).Reason;
        } catch {
          return undefined;
        }
      })();
      throw new AwsServiceError("TooManyRequestsException", "Rate Exceeded.", 429, { extra: { Reason: reason ?? "ReservedFunctionConcurrentInvocationLimitExceeded" } });
    }
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "x-amzn-requestid": requestId,
      "x-amz-executed-version": result.executedVersion || prepared.target.version,
    };
    if (result.functionError) headers["x-amz-function-error"] = result.functionError;
    if (logType === "Tail" && result.logTail !== undefined) {
      const tail = Buffer.from(result.logTail, "utf8");
      headers["x-amz-log-result"] = tail.subarray(Math.max(0, tail.length - LOG_TAIL_BYTES)).toString("base64");
    }
    return { status: result.statusCode >= 200 && result.statusCode < 300 ? result.statusCode : 200, headers, rawBody: result.payload };
  }

  // ------------------------------------------------------------ async invocation

  private enqueueAsync(p: PreparedInvocation, requestId: string, payload: string): void {
    const job = this.runAsync(p, requestId, payload, this.now())
      .catch(() => undefined)
      .finally(() => this.pending.delete(job));
    this.pending.add(job);
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms).unref());
  }

  /** AWS's async semantics: retries with the same request id, then destinations or the dead-letter queue. */
  private async runAsync(p: PreparedInvocation, requestId: string, payload: string, enqueuedAt: number): Promise<void> {
    await this.delay(0);
    const key = p.qualifier ?? LATEST;
    const settings = () => {
      const c = this.state.functions[p.fn.name]?.eventInvokeConfigs[key];
      return {
        maxRetries: c?.MaximumRetryAttempts ?? 2,
        maxAgeMs: (c?.MaximumEventAgeInSeconds ?? 21600) * 1000,
        onSuccess: c?.DestinationConfig.OnSuccess.Destination,
        onFailure: c?.DestinationConfig.OnFailure.Destination,
      };
    };
    let attempt = 1;
    let invocations = 0;
    let throttles = 0;
    let last: InvokeResult | undefined;
    let condition: AsyncCondition;
    for (;;) {
      if (this.now() - enqueuedAt > settings().maxAgeMs) {
        condition = "EventAgeExceeded";
        break;
      }
      let result: InvokeResult;
      try {
        result = await this.execute(p, payload, requestId, "Event", attempt);
      } catch (err) {
        // A runner crash counts as a failed attempt (the service, not the function, failed).
        result = { statusCode: 500, requestId, executedVersion: p.target.version, functionError: "Unhandled", payload: JSON.stringify({ errorMessage: String((err as Error)?.message ?? err) }) };
      }
      if (result.statusCode === 429) {
        // Throttled events wait in the queue without using a retry attempt.
        if (++throttles > this.asyncThrottleRetryLimit) {
          last = result;
          condition = "EventAgeExceeded";
          break;
        }
        await this.delay(this.asyncRetryDelayMs);
        continue;
      }
      last = result;
      invocations++;
      if (!result.functionError && result.statusCode < 300) {
        condition = "Success";
        break;
      }
      if (attempt > settings().maxRetries) {
        condition = "RetriesExhausted";
        break;
      }
      await this.delay(this.asyncRetryDelayMs * attempt);
      attempt++;
    }
    const s = settings();
    const outcome = {
      requestId,
      functionArn: this.arn(p.fn.name, key),
      condition,
      approximateInvokeCount: invocations,
      requestPayload: payload,
      // The function's own status: an accepted event (202) ran with 200.
      statusCode: last ? (last.statusCode === 202 ? 200 : last.statusCode) : 429,
      executedVersion: last?.executedVersion || p.target.version,
      functionError: condition === "Success" ? undefined : (last?.functionError ?? (last?.statusCode === 429 ? undefined : "Unhandled")),
      responsePayload: last?.payload ?? "",
      timestamp: this.now(),
    };
    if (condition === "Success") {
      if (s.onSuccess) await this.deliver(p.fn.name, s.onSuccess, JSON.stringify(destinationRecord(outcome)), "DestinationDeliveryFailures");
      return;
    }
    if (s.onFailure) {
      await this.deliver(p.fn.name, s.onFailure, JSON.stringify(destinationRecord(outcome)), "DestinationDeliveryFailures");
      return;
    }
    const dlq = this.state.functions[p.fn.name] ? this.findVersion(this.state.functions[p.fn.name]!, p.target.version)?.config.DeadLetterConfig?.TargetArn : undefined;
    if (dlq) {
      const message = last ? errorMessageOf(last.payload) : "Event age exceeded";
      await this.deliver(p.fn.name, dlq, payload, "DeadLetterErrors", deadLetterAttributes(requestId, outcome.statusCode, message));
    }
  }

  private async deliver(
    functionName: string,
    target: string,
    body: string,
    failureMetric: "DestinationDeliveryFailures" | "DeadLetterErrors",
    attributes?: Record<string, SqsMessageAttribute>,
  ): Promise<void> {
    try {
      switch (destinationKind(target)) {
        case "sqs":
          this.ctx.internals.sendSqsMessage(target, body, attributes);
          return;
        case "sns":
          this.ctx.internals.publishSns(target, body, undefined, attributes);
          return;
        case "lambda":
          await this.ctx.internals.invokeLambda(target, body, "Event");
          return;
        default:
          throw new AwsServiceError("InvalidParameterValueException", `The sandbox cannot deliver to ${target}.`);
      }
    } catch {
      try {
        this.ctx.internals.putMetricData("AWS/Lambda", [
          { MetricName: failureMetric, Dimensions: [{ Name: "FunctionName", Value: functionName }], Value: 1, Unit: "Count", Timestamp: this.now() },
        ]);
      } catch {
        // Metrics are best effort: a missing CloudWatch must not break delivery bookkeeping.
      }
    }
  }
}
