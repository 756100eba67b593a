/**
 * The three AWS wire protocols the sandbox speaks, as builders of SandboxService:
 * awsJson1_0/1_1 (CloudWatch, SQS, Logs, EventBridge), awsQuery (SNS, STS) and
 * restJson1 (Lambda, X-Ray, API Gateway). Operation handlers deal in plain objects.
 */
import {
  AwsServiceError,
  type ResolvedOperation,
  type SandboxContext,
  type SandboxRequest,
  type SandboxResponse,
  type SandboxService,
} from "./core.ts";

// ---------------------------------------------------------------- awsJson

export type JsonOperation = (input: any, ctx: SandboxContext, req: SandboxRequest) => unknown | Promise<unknown>;

export interface JsonServiceSpec {
  signingName: string;
  /** X-Amz-Target prefix, e.g. "GraniteServiceVersion20100801" for CloudWatch. */
  targetPrefix: string;
  jsonVersion: "1.0" | "1.1";
  operations: Record<string, JsonOperation>;
  throttlingError: () => AwsServiceError;
  /** Namespace for __type, e.g. "com.amazonaws.sqs"; omitted when empty. */
  errorNamespace?: string;
}

/** Builds the resolve/renderError half of a SandboxService for an awsJson protocol. */
export function jsonProtocol(spec: JsonServiceSpec): Pick<SandboxService, "signingName" | "matches" | "resolve" | "renderError" | "throttlingError"> {
  return {
    signingName: spec.signingName,
    matches: (req) => (req.headers["x-amz-target"] ?? "").startsWith(spec.targetPrefix + "."),
    resolve(req, ctx): ResolvedOperation | null {
      const target = req.headers["x-amz-target"] ?? "";
      const [prefix, operation] = target.split(".");
      if (prefix !== spec.targetPrefix || !operation) return null;
      const handler = Object.hasOwn(spec.operations, operation) ? spec.operations[operation] : undefined;
      return {
        operation: operation,
        async run() {
          if (!handler) throw new AwsServiceError("UnknownOperationException", `Operation ${operation} is not supported by the sandbox.`);
          let input: unknown = {};
          if (req.body.length > 0) {
            try {
              input = JSON.parse(req.body.toString("utf8"));
            } catch {
              throw new AwsServiceError("SerializationException", "Request body is not valid JSON.");
            }
          }
          const output = (await handler(input, ctx, req)) ?? {};
          return {
            status: 200,
            headers: { "content-type": `application/x-amz-json-${spec.jsonVersion}` },
            body: JSON.stringify(output),
          };
        },
      };
    },
    renderError(err) {
      const type = spec.errorNamespace ? `${spec.errorNamespace}#${err.code}` : err.code;
      const headers: Record<string, string> = {
        "content-type": `application/x-amz-json-${spec.jsonVersion}`,
        "x-amzn-errortype": err.code,
      };
      if (err.options.queryCode) headers["x-amzn-query-error"] = `${err.options.queryCode};${err.options.fault ?? "Sender"}`;
      return { status: err.status, headers, body: JSON.stringify({ __type: type, message: err.message, ...err.options.extra }) };
    },
    throttlingError: spec.throttlingError,
  };
}

// ---------------------------------------------------------------- awsQuery

/** A map rendered as <entry><key/><value/></entry> (SNS attributes). */
export class XmlMap {
  constructor(
    public readonly entries: Record<string, unknown>,
    public readonly keyName = "key",
    public readonly valueName = "value",
  ) {}
}

export type QueryOperation = (params: QueryParams, ctx: SandboxContext, req: SandboxRequest) => unknown | Promise<unknown>;

export interface QueryServiceSpec {
  signingName: string;
  xmlns: string;
  operations: Record<string, QueryOperation>;
  throttlingError: () => AwsServiceError;
}

/** Flat query parameters with helpers for AWS's flattened list/map encodings. */
export class QueryParams {
  constructor(public readonly raw: URLSearchParams) {}
  get(name: string): string | undefined {
    return this.raw.get(name) ?? undefined;
  }
  require(name: string): string {
    const v = this.get(name);
    if (v === undefined || v === "") throw new AwsServiceError("InvalidParameter", `Invalid parameter: ${name} is required.`);
    return v;
  }
  /** Members of `Prefix.member.N` (or `Prefix.N`) as objects of their sub-keys, in N order. */
  list(prefix: string): Record<string, string>[] {
    const byIndex = new Map<number, Record<string, string>>();
    for (const [key, value] of this.raw) {
      const m = key.startsWith(prefix + ".") ? /^(?:member\.)?(\d+)(?:\.(.*))?$/.exec(key.slice(prefix.length + 1)) : null;
      if (!m) continue;
      const idx = Number(m[1]);
      const entry = byIndex.get(idx) ?? {};
      entry[m[2] ?? ""] = value;
      byIndex.set(idx, entry);
    }
    return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  }
  /** `Prefix.entry.N.key/value` (or custom member names) as a record. */
  map(prefix: string, keyName = "key", valueName = "value"): Record<string, Record<string, string>> {
    const out: Record<string, Record<string, string>> = {};
    for (const entry of this.list(prefix.endsWith(".entry") ? prefix : prefix + ".entry")) {
      const key = entry[keyName];
      if (key === undefined) continue;
      const value: Record<string, string> = {};
      for (const [k, v] of Object.entries(entry)) {
        if (k === valueName) value[""] = v;
        else if (k.startsWith(valueName + ".")) value[k.slice(valueName.length + 1)] = v;
      }
      out[key] = value;
    }
    return out;
  }
}

function escapeXml(s: string): string {
  return s.replace(/[<>&'"\r]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;", "\r": "&#13;" })[c]!);
}

/** Serialises plain objects to AWS query XML: arrays as <member>, XmlMap as <entry>. */
export function toXml(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (value instanceof XmlMap) {
    return Object.entries(value.entries)
      .map(([k, v]) => `<entry><${value.keyName}>${escapeXml(k)}</${value.keyName}><${value.valueName}>${toXml(v)}</${value.valueName}></entry>`)
      .join("");
  }
  if (Array.isArray(value)) return value.map((v) => `<member>${toXml(v)}</member>`).join("");
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") {
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
      .join("");
  }
  return escapeXml(String(value));
}

/** Builds the resolve/renderError half of a SandboxService for the awsQuery protocol. */
export function queryProtocol(spec: QueryServiceSpec): Pick<SandboxService, "signingName" | "matches" | "resolve" | "renderError" | "throttlingError"> {
  const paramsOf = (req: Pick<SandboxRequest, "body" | "query">) => {
    const form = new URLSearchParams(req.body.toString("utf8"));
    for (const [k, v] of req.query) if (!form.has(k)) form.set(k, v);
    return form;
  };
  return {
    signingName: spec.signingName,
    matches: (req) => {
      const action = paramsOf(req).get("Action");
      return !!action && Object.hasOwn(spec.operations, action);
    },
    resolve(req, ctx): ResolvedOperation | null {
      const params = new QueryParams(paramsOf(req));
      const action = params.get("Action");
      if (!action) return null;
      const handler = Object.hasOwn(spec.operations, action) ? spec.operations[action] : undefined;
      return {
        operation: action,
        async run() {
          if (!handler) throw new AwsServiceError("InvalidAction", `The action ${action} is not valid for this endpoint.`);
          const result = await handler(params, ctx, req);
          const inner = result === undefined ? "" : `<${action}Result>${toXml(result)}</${action}Result>`;
          return {
            status: 200,
            headers: { "content-type": "text/xml" },
            body: `<${action}Response xmlns="${spec.xmlns}">${inner}<ResponseMetadata><RequestId>${req.requestId}</RequestId></ResponseMetadata></${action}Response>`,
          };
        },
      };
    },
    renderError(err, req) {
      return {
        status: err.status,
        headers: { "content-type": "text/xml" },
        body:
          `<ErrorResponse xmlns="${spec.xmlns}"><Error><Type>${err.options.fault ?? (err.status >= 500 ? "Receiver" : "Sender")}</Type>` +
          `<Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message></Error><RequestId>${req.requestId}</RequestId></ErrorResponse>`,
      };
    },
    throttlingError: spec.throttlingError,
  };
}

// ---------------------------------------------------------------- restJson1

export interface RestCall {
  /** Path labels, percent-decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  headers: Record<string, string>;
  /** Parsed JSON body ({} when empty) — use rawBody for blobs such as Invoke payloads. */
  body: any;
  rawBody: Buffer;
  req: SandboxRequest;
}

export interface RestResult {
  status?: number;
  headers?: Record<string, string>;
  /** Serialised as JSON unless it is a Buffer/string with rawBody set. */
  body?: unknown;
  rawBody?: Buffer | string;
}

export interface RestRoute {
  method: string;
  /** Template such as "/2015-03-31/functions/{FunctionName}/aliases"; `{Name+}` is greedy. */
  path: string;
  operation: string;
  handler: (call: RestCall, ctx: SandboxContext) => RestResult | unknown | Promise<RestResult | unknown>;
}

export interface RestServiceSpec {
  signingName: string;
  routes: RestRoute[];
  throttlingError: () => AwsServiceError;
  /** Extra members for every error body (Lambda adds {"Type":"User"}). */
  errorBody?: (err: AwsServiceError) => Record<string, unknown>;
  /** Fallback dispatch for unsigned requests. */
  pathPrefixes?: string[];
}

interface CompiledRoute extends RestRoute {
  regex: RegExp;
  names: string[];
}

function compileRoute(route: RestRoute): CompiledRoute {
  const names: string[] = [];
  const pattern = route.path
    .replace(/\/$/, "")
    .split("/")
    .map((seg) => {
      const m = /^\{(\w+)(\+?)\}$/.exec(seg);
      if (!m) return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      names.push(m[1]!);
      return m[2] ? "(.+)" : "([^/]+)";
    })
    .join("/");
  return { ...route, names, regex: new RegExp(`^${pattern}/?$`) };
}

/** Wraps a handler result: plain values become a 200 JSON body. */
function isRestResult(v: unknown): v is RestResult {
  return !!v && typeof v === "object" && ("status" in v || "rawBody" in v || "headers" in v) && Object.keys(v).every((k) => ["status", "headers", "body", "rawBody"].includes(k));
}

/** Builds the resolve/renderError half of a SandboxService for restJson1. */
export function restJsonProtocol(spec: RestServiceSpec): Pick<SandboxService, "signingName" | "matches" | "resolve" | "renderError" | "throttlingError"> {
  const routes = spec.routes.map(compileRoute);
  return {
    signingName: spec.signingName,
    matches: (req) => (spec.pathPrefixes ?? []).some((p) => req.path.startsWith(p)),
    resolve(req, ctx): ResolvedOperation | null {
      for (const route of routes) {
        if (route.method !== req.method) continue;
        const m = route.regex.exec(req.rawPath);
        if (!m) continue;
        const params: Record<string, string> = {};
        route.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1]!)));
        return {
          operation: route.operation,
          async run(): Promise<SandboxResponse> {
            let body: unknown = {};
            const ct = req.headers["content-type"] ?? "";
            if (req.body.length > 0 && (ct.includes("json") || ct === "")) {
              try {
                body = JSON.parse(req.body.toString("utf8"));
              } catch {
                body = {};
              }
            }
            const out = await route.handler({ params, query: req.query, headers: req.headers, body, rawBody: req.body, req }, ctx);
            const result: RestResult = isRestResult(out) ? out : { body: out };
            if (result.rawBody !== undefined) {
              return { status: result.status ?? 200, headers: result.headers, body: result.rawBody };
            }
            return {
              status: result.status ?? 200,
              headers: { "content-type": "application/json", ...result.headers },
              body: result.body === undefined ? "" : JSON.stringify(result.body),
            };
          },
        };
      }
      return null;
    },
    renderError(err) {
      return {
        status: err.status,
        headers: { "content-type": "application/json", "x-amzn-errortype": err.code },
        body: JSON.stringify({ message: err.message, ...spec.errorBody?.(err), ...err.options.extra }),
      };
    },
    throttlingError: spec.throttlingError,
  };
}

/** Reads a required string member of a JSON input or fails like AWS's validation. */
export function requireString(input: Record<string, unknown>, name: string, code = "InvalidParameterValueException"): string {
  const v = input?.[name];
  if (typeof v !== "string" || v === "") throw new AwsServiceError(code, `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`);
  return v;
}

/** Converts an awsJson/restJson timestamp (epoch seconds number, or ISO string) to epoch ms. */
export function timestampMs(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "number") return v * 1000;
  if (v instanceof Date) return v.getTime();
  const n = Number(v);
  if (!Number.isNaN(n)) return n * 1000;
  const t = Date.parse(String(v));
  return Number.isNaN(t) ? undefined : t;
}
