/**
 * API Gateway (REST, v1) stage patch operations: the JSON-Patch-like `patchOperations`
 * of UpdateStage applied to a stage record. Pure; the service persists the result.
 */
import { badRequest } from "./apigateway-common.ts";

export interface MethodSetting {
  metricsEnabled: boolean;
  loggingLevel: string;
  dataTraceEnabled: boolean;
  throttlingBurstLimit: number;
  throttlingRateLimit: number;
  cachingEnabled: boolean;
  cacheTtlInSeconds: number;
  cacheDataEncrypted: boolean;
  requireAuthorizationForCacheControl: boolean;
  unauthorizedCacheControlHeaderStrategy: string;
}

export interface CanarySettings {
  percentTraffic?: number;
  deploymentId?: string;
  stageVariableOverrides?: Record<string, string>;
  useStageCache?: boolean;
}

export interface StageRecord {
  stageName: string;
  deploymentId: string;
  description?: string;
  clientCertificateId?: string;
  cacheClusterEnabled: boolean;
  cacheClusterSize?: string;
  methodSettings: Record<string, MethodSetting>;
  variables?: Record<string, string>;
  documentationVersion?: string;
  accessLogSettings?: { format?: string; destinationArn?: string };
  canarySettings?: CanarySettings;
  tracingEnabled: boolean;
  tags?: Record<string, string>;
  createdDate: number;
  lastUpdatedDate: number;
}

export interface PatchOperation {
  op?: string;
  path?: string;
  value?: string;
  from?: string;
}

/** The settings AWS fills in when a method-settings entry is first created. */
export function defaultMethodSetting(): MethodSetting {
  return {
    metricsEnabled: false,
    loggingLevel: "OFF",
    dataTraceEnabled: false,
    throttlingBurstLimit: 5000,
    throttlingRateLimit: 10000,
    cachingEnabled: false,
    cacheTtlInSeconds: 300,
    cacheDataEncrypted: false,
    requireAuthorizationForCacheControl: true,
    unauthorizedCacheControlHeaderStrategy: "SUCCEED_WITH_RESPONSE_HEADER",
  };
}

const CACHE_SIZES = ["0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"];

const METHOD_SETTING_PATHS: Record<string, { key: keyof MethodSetting; type: "boolean" | "number" | "string"; allowed?: string[] }> = {
  "metrics/enabled": { key: "metricsEnabled", type: "boolean" },
  "logging/loglevel": { key: "loggingLevel", type: "string", allowed: ["OFF", "ERROR", "INFO"] },
  "logging/dataTrace": { key: "dataTraceEnabled", type: "boolean" },
  "throttling/burstLimit": { key: "throttlingBurstLimit", type: "number" },
  "throttling/rateLimit": { key: "throttlingRateLimit", type: "number" },
  "caching/enabled": { key: "cachingEnabled", type: "boolean" },
  "caching/ttlInSeconds": { key: "cacheTtlInSeconds", type: "number" },
  "caching/dataEncrypted": { key: "cacheDataEncrypted", type: "boolean" },
  "caching/requireAuthorizationForCacheControl": { key: "requireAuthorizationForCacheControl", type: "boolean" },
  "caching/unauthorizedCacheControlHeaderStrategy": {
    key: "unauthorizedCacheControlHeaderStrategy",
    type: "string",
    allowed: ["FAIL_WITH_403", "SUCCEED_WITH_RESPONSE_HEADER", "SUCCEED_WITHOUT_RESPONSE_HEADER"],
  },
};

function parseBoolean(value: string | undefined, path: string): boolean {
  if (value === "true") return true;
  if (value === "false") return false;
  throw badRequest(`Invalid value '${value}' for patch path ${path}: expected true or false.`);
}

function parseNumber(value: string | undefined, path: string): number {
  const n = Number(value);
  if (value === undefined || value === "" || !Number.isFinite(n)) throw badRequest(`Invalid value '${value}' for patch path ${path}: expected a number.`);
  return n;
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, "/").replace(/~0/g, "~");
}

/**
 * Applies UpdateStage patch operations to a copy of the stage. `deploymentExists`
 * validates deployment ids. Throws BadRequestException on paths AWS rejects.
 */
export function applyStagePatch(stage: StageRecord, ops: PatchOperation[], deploymentExists: (id: string) => boolean): StageRecord {
  const next: StageRecord = structuredClone(stage);
  for (const op of ops ?? []) {
    const kind = op.op ?? "";
    const path = op.path ?? "";
    if (!["add", "remove", "replace", "copy", "move", "test"].includes(kind)) throw badRequest(`Invalid patch operation specified. Must be one of: [add, remove, replace, move, copy, test]`);
    const fail = () => badRequest(`Invalid patch path '${path}' specified for op '${kind}'. Please choose supported operations`);
    if (kind === "copy") {
      // The canary promotion idiom: copy the canary's deployment / overrides onto the stage.
      if (op.from === "/canarySettings/deploymentId" && path === "/deploymentId") {
        if (!next.canarySettings?.deploymentId) throw badRequest("Stage does not have a canary deployment to promote.");
        next.deploymentId = next.canarySettings.deploymentId;
        continue;
      }
      if (op.from === "/canarySettings/stageVariableOverrides" && path === "/variables") {
        next.variables = { ...next.variables, ...next.canarySettings?.stageVariableOverrides };
        continue;
      }
      throw fail();
    }
    if (kind !== "replace" && kind !== "add" && kind !== "remove") throw fail();
    const remove = kind === "remove";
    let m: RegExpExecArray | null;
    switch (path) {
      case "/description":
        next.description = remove ? undefined : (op.value ?? "");
        continue;
      case "/deploymentId":
        if (remove || !op.value || !deploymentExists(op.value)) throw badRequest(`Deployment id does not exist`);
        next.deploymentId = op.value;
        continue;
      case "/cacheClusterEnabled":
        next.cacheClusterEnabled = remove ? false : parseBoolean(op.value, path);
        if (next.cacheClusterEnabled && !next.cacheClusterSize) next.cacheClusterSize = "0.5";
        continue;
      case "/cacheClusterSize":
        if (remove || !CACHE_SIZES.includes(op.value ?? "")) throw badRequest(`Invalid cache cluster size specified: ${op.value}. Must be one of: [${CACHE_SIZES.join(", ")}]`);
        next.cacheClusterSize = op.value;
        continue;
      case "/tracingEnabled":
        next.tracingEnabled = remove ? false : parseBoolean(op.value, path);
        continue;
      case "/clientCertificateId":
        next.clientCertificateId = remove ? undefined : op.value;
        continue;
      case "/documentationVersion":
        next.documentationVersion = remove ? undefined : op.value;
        continue;
      case "/accessLogSettings":
        if (!remove) throw fail();
        next.accessLogSettings = undefined;
        continue;
      case "/accessLogSettings/destinationArn":
      case "/accessLogSettings/format": {
        const key = path.endsWith("format") ? "format" : "destinationArn";
        const settings = { ...next.accessLogSettings };
        if (remove) delete settings[key];
        else settings[key] = op.value;
        next.accessLogSettings = Object.keys(settings).length > 0 ? settings : undefined;
        continue;
      }
      case "/canarySettings":
        if (!remove) throw fail();
        next.canarySettings = undefined;
        continue;
      case "/canarySettings/percentTraffic": {
        const pct = remove ? 0 : parseNumber(op.value, path);
        if (pct < 0 || pct > 100) throw badRequest("Canary percentTraffic must be between 0.0 and 100.0");
        next.canarySettings = { ...next.canarySettings, percentTraffic: pct };
        continue;
      }
      case "/canarySettings/deploymentId":
        if (remove || !op.value || !deploymentExists(op.value)) throw badRequest(`Deployment id does not exist`);
        next.canarySettings = { percentTraffic: 0, ...next.canarySettings, deploymentId: op.value };
        continue;
      case "/canarySettings/useStageCache":
        next.canarySettings = { ...next.canarySettings, useStageCache: remove ? false : parseBoolean(op.value, path) };
        continue;
    }
    if ((m = /^\/variables\/(.+)$/.exec(path))) {
      const name = unescapePointer(m[1]!);
      const vars = { ...next.variables };
      if (remove) delete vars[name];
      else vars[name] = op.value ?? "";
      next.variables = vars;
      continue;
    }
    if ((m = /^\/canarySettings\/stageVariableOverrides\/(.+)$/.exec(path))) {
      const name = unescapePointer(m[1]!);
      const overrides = { ...next.canarySettings?.stageVariableOverrides };
      if (remove) delete overrides[name];
      else overrides[name] = op.value ?? "";
      next.canarySettings = { ...next.canarySettings, stageVariableOverrides: overrides };
      continue;
    }
    if ((m = /^\/(.+)\/([A-Z*]+)\/([a-zA-Z]+\/[a-zA-Z0-9]+)$/.exec(path))) {
      const setting = METHOD_SETTING_PATHS[m[3]!];
      if (!setting) throw fail();
      const resource = unescapePointer(m[1]!).replace(/^\//, "");
      const key = `${resource}/${m[2]}`;
      const current = next.methodSettings[key] ?? defaultMethodSetting();
      const defaults = defaultMethodSetting();
      let value: boolean | number | string;
      if (remove) value = defaults[setting.key];
      else if (setting.type === "boolean") value = parseBoolean(op.value, path);
      else if (setting.type === "number") value = parseNumber(op.value, path);
      else {
        if (setting.allowed && !setting.allowed.includes(op.value ?? "")) throw badRequest(`Invalid value '${op.value}' for patch path ${path}. Must be one of: [${setting.allowed.join(", ")}]`);
        value = op.value ?? "";
      }
      next.methodSettings = { ...next.methodSettings, [key]: { ...current, [setting.key]: value } };
      continue;
    }
    if (remove && (m = /^\/(.+)\/([A-Z*]+)$/.exec(path))) {
      const key = `${unescapePointer(m[1]!).replace(/^\//, "")}/${m[2]}`;
      const settings = { ...next.methodSettings };
      delete settings[key];
      next.methodSettings = settings;
      continue;
    }
    throw fail();
  }
  return next;
}
