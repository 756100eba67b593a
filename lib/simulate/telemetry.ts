/**
 * Pure renderers: an invocation or gateway request -> the log events, X-Ray segment
 * documents, access-log lines and failure messages AWS services write for it, in their
 * exact formats.
 */
import type { LogEventInput, SqsMessageAttribute } from "../sandbox/core.ts";
import { deadLetterAttributes, destinationRecord } from "../sandbox/services/lambda-model.ts";
import { alnumUpper, hashString, hexString, type Rng } from "./rng.ts";
import { languageOf, type Language } from "./shop.ts";
import { OOM_ERROR_TYPE, type InvocationOutcome } from "./model.ts";

export interface FunctionIdentity {
  name: string;
  runtime: string;
  memoryMb: number;
  timeoutS: number;
  logFormat: "Text" | "JSON";
  region: string;
  accountId: string;
}

export interface TraceInfo {
  traceId: string;
  sampled: boolean;
  /** Upstream parent (API Gateway's Lambda subsegment). */
  parentId?: string;
  /** Id of the AWS::Lambda segment (printed as SegmentId on REPORT). */
  segmentId: string;
  functionSegmentId: string;
}

export interface InvocationRecord {
  fn: FunctionIdentity;
  requestId: string;
  version: string;
  /** The alias the caller invoked, if any. */
  alias?: string;
  attempt: number;
  stream: string;
  cold: boolean;
  /** When the invocation reached the environment (init starts here on cold starts). */
  arrivedAt: number;
  /** START line time. */
  startAt: number;
  endAt: number;
  outcome: InvocationOutcome;
  trace?: TraceInfo;
}

/** Unqualified function ARN. */
export function functionArn(fn: Pick<FunctionIdentity, "name" | "region" | "accountId">, qualifier?: string): string {
  return `arn:aws:lambda:${fn.region}:${fn.accountId}:function:${fn.name}${qualifier ? `:${qualifier}` : ""}`;
}

let isoMinute = Number.NaN;
let isoPrefix = "";
/** ISO-8601 UTC with milliseconds; the minute prefix is cached (called for every log line). */
function iso(ms: number): string {
  const t = Math.floor(ms);
  const minute = t - (t % 60_000);
  if (minute !== isoMinute) {
    isoMinute = minute;
    isoPrefix = new Date(minute).toISOString().slice(0, 17);
  }
  const rest = t - minute;
  const sec = Math.floor(rest / 1000);
  const milli = rest % 1000;
  return `${isoPrefix}${sec < 10 ? "0" : ""}${sec}.${milli < 10 ? "00" : milli < 100 ? "0" : ""}${milli}Z`;
}
/**
 * Epoch seconds with millisecond precision as JSON number text: the same text as
 * `String(Math.round(ms) / 1000)`, built from integers (about 2.5x faster than formatting the
 * double, and X-Ray documents carry millions of these).
 */
export function seconds(ms: number): string {
  const t = Math.round(ms);
  if (!(t >= 0 && t <= Number.MAX_SAFE_INTEGER)) return String(t / 1000);
  const s = Math.floor(t / 1000);
  const r = t - s * 1000;
  if (r === 0) return `${s}`;
  if (r % 100 === 0) return `${s}.${r / 100}`;
  if (r % 10 === 0) return `${s}.${r < 100 ? "0" : ""}${r / 10}`;
  return `${s}.${r < 10 ? "00" : r < 100 ? "0" : ""}${r}`;
}

/** X-Ray trace id: 1-<epoch seconds hex>-<24 hex>. */
export function newTraceId(rng: Rng, atMs: number): string {
  return `1-${Math.floor(atMs / 1000).toString(16).padStart(8, "0")}-${hexString(rng, 24)}`;
}

/** The runtime version Lambda prints on INIT_START (runtime:major.vN). */
const runtimeVersions = new Map<string, string>();

export function runtimeVersion(runtime: string): string {
  let v = runtimeVersions.get(runtime);
  if (v === undefined) {
    v = computeRuntimeVersion(runtime);
    runtimeVersions.set(runtime, v);
  }
  return v;
}

function computeRuntimeVersion(runtime: string): string {
  const m = /^([a-z]+?)(\d+(?:\.\d+)?)(\.x)?$/.exec(runtime);
  if (m) return `${m[1]}:${m[2]}.v${30 + (hashString(runtime) % 20)}`;
  const [family, flavour] = runtime.split(".");
  return `${family}:${flavour ?? "al2"}.v${30 + (hashString(runtime) % 20)}`;
}

const runtimeArns = new Map<string, string>();

export function runtimeVersionArn(runtime: string, region: string): string {
  const key = `${runtime}|${region}`;
  let arn = runtimeArns.get(key);
  if (arn === undefined) {
    arn = computeRuntimeVersionArn(runtime, region);
    runtimeArns.set(key, arn);
  }
  return arn;
}

function computeRuntimeVersionArn(runtime: string, region: string): string {
  let hex = "";
  for (let i = 0; hex.length < 64; i++) hex += hashString(`${runtime}#${i}`).toString(16).padStart(8, "0");
  return `arn:aws:lambda:${region}::runtime:${hex.slice(0, 64)}`;
}

/** The REPORT line of a text-format invocation (fields tab-separated, XRAY on a second line). */
export function formatReportLine(rec: Pick<InvocationRecord, "requestId" | "outcome" | "trace"> & { memoryMb: number }): string {
  const o = rec.outcome;
  let line =
    `REPORT RequestId: ${rec.requestId}\tDuration: ${o.durationMs.toFixed(2)} ms\tBilled Duration: ${o.billedMs} ms\t` +
    `Memory Size: ${rec.memoryMb} MB\tMax Memory Used: ${o.maxMemoryUsedMb} MB\t`;
  if (o.initDurationMs !== undefined) line += `Init Duration: ${o.initDurationMs.toFixed(2)} ms\t`;
  if (o.status === "timeout") line += "Status: timeout\t";
  else if (o.status === "oom") line += `Status: error\tError Type: ${OOM_ERROR_TYPE}\t`;
  if (rec.trace) line += `\nXRAY TraceId: ${rec.trace.traceId}\tSegmentId: ${rec.trace.segmentId}\tSampled: ${rec.trace.sampled}\t`;
  return line;
}

function stackFor(language: Language, type: string, message: string, fnName: string): string[] {
  switch (language) {
    case "node":
      return [`${type}: ${message}`, `    at Runtime.handler (file:///var/task/index.mjs:${40 + (hashString(type) % 60)}:17)`, "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)"];
    case "python":
      return [`  File "/var/task/${fnName.replace(/-/g, "_")}.py", line ${20 + (hashString(type) % 80)}, in handler\n    result = process(event)\n`];
    case "java":
      return [`shop.${fnName.replace(/-/g, "")}.Handler.handleRequest(Handler.java:${30 + (hashString(type) % 70)})`, "java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(Unknown Source)"];
    case "dotnet":
      return [`   at InvoicePdf.Function.Handler(InvoiceRequest input, ILambdaContext context) in /src/Function.cs:line ${20 + (hashString(type) % 50)}`];
    default:
      return [];
  }
}

/** The JSON error payload the runtime returns (Invoke response, destination responsePayload). */
export function errorPayload(rec: Pick<InvocationRecord, "requestId" | "outcome" | "endAt"> & { fn: Pick<FunctionIdentity, "runtime" | "name" | "timeoutS"> }): Record<string, unknown> {
  const o = rec.outcome;
  if (o.status === "timeout") {
    return { errorType: "Sandbox.Timedout", errorMessage: `RequestId: ${rec.requestId} Error: Task timed out after ${rec.fn.timeoutS.toFixed(2)} seconds` };
  }
  if (o.status === "oom") {
    return { errorType: "Runtime.OutOfMemory", errorMessage: `RequestId: ${rec.requestId} Error: Runtime exited with error: signal: killed` };
  }
  const language = languageOf(rec.fn.runtime);
  const type = o.errorType ?? "Error";
  const message = o.errorMessage ?? "";
  const stack = stackFor(language, type, message, rec.fn.name);
  switch (language) {
    case "node":
      return { errorType: type, errorMessage: message, trace: stack };
    case "python":
      return { errorMessage: message, errorType: type, requestId: rec.requestId, stackTrace: stack };
    case "java":
      return { errorMessage: message, errorType: type, stackTrace: stack };
    default:
      return { errorType: type, errorMessage: message, stackTrace: stack };
  }
}

const APP_MESSAGES: Record<string, string[]> = {
  default: ["handling request", "processed request", "cache miss, loading from table"],
};

function appLine(language: Language, at: number, requestId: string, message: string, logFormat: "Text" | "JSON", level = "INFO"): string {
  if (logFormat === "JSON") return JSON.stringify({ timestamp: iso(at), level, requestId, message });
  switch (language) {
    case "node":
      return `${iso(at)}\t${requestId}\t${level}\t${message}`;
    case "python":
      return `[${level}]\t${iso(at)}\t${requestId}\t${message}`;
    case "java":
      return `${iso(at).replace("T", " ").replace("Z", "")} ${requestId} ${level.padEnd(5)} Handler - ${message}`;
    case "dotnet":
      return `${iso(at)}\t${requestId}\t${level === "ERROR" ? "fail" : level.toLowerCase()}\t${message}`;
    default:
      return JSON.stringify({ time: iso(at), level, msg: message, requestId });
  }
}

function errorLine(rec: InvocationRecord, language: Language, at: number): string {
  const o = rec.outcome;
  const type = o.errorType ?? "Error";
  const message = o.errorMessage ?? "";
  const payload = errorPayload(rec);
  if (rec.fn.logFormat === "JSON") {
    return JSON.stringify({ timestamp: iso(at), level: "ERROR", requestId: rec.requestId, message: { errorType: type, errorMessage: message, stackTrace: stackFor(language, type, message, rec.fn.name) } });
  }
  switch (language) {
    case "node":
      return `${iso(at)}\t${rec.requestId}\tERROR\tInvoke Error \t${JSON.stringify({ errorType: type, errorMessage: message, stack: stackFor(language, type, message, rec.fn.name) })}`;
    case "python":
      return `[ERROR] ${type}: ${message}\nTraceback (most recent call last):\n${stackFor(language, type, message, rec.fn.name).join("")}`;
    case "java":
      return JSON.stringify(payload);
    case "dotnet":
      return `${iso(at)}\t${rec.requestId}\tfail\t${type}: ${message}\n${stackFor(language, type, message, rec.fn.name).join("\n")}`;
    default:
      return appLine(language, at, rec.requestId, `${type}: ${message}`, "Text", "ERROR");
  }
}

function tracingField(trace: TraceInfo) {
  return { spanId: trace.segmentId, type: "X-Amzn-Trace-Id", value: `Root=${trace.traceId};Parent=${trace.segmentId};Sampled=${trace.sampled ? 1 : 0}` };
}

function pushEvent(events: LogEventInput[], at: number, message: string): void {
  const ts = Math.max(Math.floor(at), events.length ? events[events.length - 1]!.timestamp : 0);
  events.push({ timestamp: ts, message });
}

/** The log events Lambda writes to /aws/lambda/<fn> for one invocation, in time order. */
export function lambdaLogEvents(rec: InvocationRecord): LogEventInput[] {
  const language = languageOf(rec.fn.runtime);
  const o = rec.outcome;
  const json = rec.fn.logFormat === "JSON";
  const events: LogEventInput[] = [];
  const push = pushEvent.bind(null, events);
  if (rec.cold) {
    const rv = runtimeVersion(rec.fn.runtime);
    const arn = runtimeVersionArn(rec.fn.runtime, rec.fn.region);
    push(
      rec.arrivedAt,
      json
        ? JSON.stringify({ time: iso(rec.arrivedAt), type: "platform.initStart", record: { initializationType: "on-demand", phase: "init", runtimeVersion: rv, runtimeVersionArn: arn, functionName: rec.fn.name, functionVersion: rec.version } })
        : `INIT_START Runtime Version: ${rv}\tRuntime Version ARN: ${arn}`,
    );
  }
  push(
    rec.startAt,
    json
      ? JSON.stringify({ time: iso(rec.startAt), type: "platform.start", record: { requestId: rec.requestId, version: rec.version, ...(rec.trace ? { tracing: tracingField(rec.trace) } : {}) } })
      : `START RequestId: ${rec.requestId} Version: ${rec.version}`,
  );
  const span = rec.endAt - rec.startAt;
  for (let i = 0; i < o.appLogLines; i++) {
    const msgs = APP_MESSAGES.default!;
    push(rec.startAt + (span * (i + 1)) / (o.appLogLines + 2), appLine(language, rec.startAt + (span * (i + 1)) / (o.appLogLines + 2), rec.requestId, msgs[i % msgs.length]!, rec.fn.logFormat));
  }
  if (o.status === "error") push(rec.endAt - Math.min(1, span / 2), errorLine(rec, language, rec.endAt));
  if (o.status === "timeout" && !json) push(rec.endAt, `${iso(rec.endAt)} ${rec.requestId} Task timed out after ${rec.fn.timeoutS.toFixed(2)} seconds`);
  if (o.status === "oom" && !json) push(rec.endAt, `RequestId: ${rec.requestId} Error: Runtime exited with error: signal: killed\n${OOM_ERROR_TYPE}`);
  if (json) {
    const status = o.status === "success" ? "success" : o.status === "timeout" ? "timeout" : "error";
    const errorType = o.status === "success" ? undefined : o.errorType;
    push(
      rec.endAt,
      JSON.stringify({
        time: iso(rec.endAt),
        type: "platform.runtimeDone",
        record: {
          requestId: rec.requestId,
          status,
          ...(errorType ? { errorType } : {}),
          ...(rec.trace ? { tracing: tracingField(rec.trace) } : {}),
          spans: [{ name: "responseLatency", start: iso(rec.endAt), durationMs: 0.3 }],
          metrics: { durationMs: o.durationMs, producedBytes: o.responseBytes },
        },
      }),
    );
    const metrics: Record<string, number> = { durationMs: o.durationMs, billedDurationMs: o.billedMs, memorySizeMB: rec.fn.memoryMb, maxMemoryUsedMB: o.maxMemoryUsedMb };
    if (o.initDurationMs !== undefined) metrics.initDurationMs = o.initDurationMs;
    push(
      rec.endAt,
      JSON.stringify({
        time: iso(rec.endAt),
        type: "platform.report",
        record: { requestId: rec.requestId, metrics, ...(rec.trace ? { tracing: tracingField(rec.trace) } : {}), status, ...(errorType ? { errorType } : {}) },
      }),
    );
  } else {
    push(rec.endAt, `END RequestId: ${rec.requestId}`);
    push(rec.endAt, formatReportLine({ requestId: rec.requestId, outcome: o, trace: rec.trace, memoryMb: rec.fn.memoryMb }));
  }
  return events;
}

const THROTTLE_TYPES = /Throttl|ProvisionedThroughputExceeded|Rate exceeded/;
const q = JSON.stringify;

/**
 * X-Ray documents Lambda writes for a sampled invocation: the AWS::Lambda and AWS::Lambda::Function
 * segments (Initialization on cold starts, Invocation with downstream calls, Overhead). Built as
 * JSON text directly: the simulator writes millions of them.
 */
export function lambdaSegmentDocuments(rec: InvocationRecord, rng: Rng): string[] {
  const trace = rec.trace;
  if (!trace || !trace.sampled) return [];
  const o = rec.outcome;
  const fn = rec.fn;
  const arn = functionArn(fn);
  const end = rec.endAt + 0.4 + rng() * 1.5;
  const failed = o.status !== "success";
  const service =
    `{"id":"${trace.segmentId}","name":${q(fn.name)},"start_time":${seconds(rec.arrivedAt)},"end_time":${seconds(end)},"trace_id":"${trace.traceId}"` +
    (trace.parentId ? `,"parent_id":"${trace.parentId}"` : "") +
    `,"origin":"AWS::Lambda","resource_arn":${q(rec.alias ? functionArn(fn, rec.alias) : arn)},"aws":{"request_id":"${rec.requestId}"},"http":{"response":{"status":200}}}`;
  const versionArn = rec.version === "$LATEST" ? arn : functionArn(fn, rec.version);
  const fnAws = `"aws":{"function_arn":${q(versionArn)}}`;
  const subs: string[] = [];
  if (rec.cold && o.initDurationMs !== undefined) {
    subs.push(`{"id":"${hexString(rng, 16)}","name":"Initialization","start_time":${seconds(rec.arrivedAt)},"end_time":${seconds(rec.arrivedAt + o.initDurationMs)},${fnAws}}`);
  }
  const calls: string[] = [];
  for (const c of o.downstream) {
    const sp = c.spec;
    const start = rec.startAt + c.offsetMs;
    let doc = `{"id":"${hexString(rng, 16)}","name":${q(sp.name)},"start_time":${seconds(start)},"end_time":${seconds(start + c.durationMs)},"namespace":"${sp.namespace}"`;
    const cause = c.failed ? `,"cause":{"exceptions":[{"id":"${hexString(rng, 16)}","message":${q(o.errorMessage ?? "")},"type":${q(o.errorType ?? "Error")},"remote":true}]}` : "";
    if (sp.namespace === "aws") {
      let aws = `"operation":${q(sp.operation ?? "")},"region":"${fn.region}","request_id":"${alnumUpper(rng, 52)}","retries":0`;
      if (sp.resource) {
        if (sp.name === "DynamoDB") aws += `,"table_name":${q(sp.resource)}`;
        else if (sp.name === "S3") aws += `,"bucket_name":${q(sp.resource)}`;
        else if (sp.name === "SQS") aws += `,"queue_url":${q(`https://sqs.${fn.region}.amazonaws.com/${fn.accountId}/${sp.resource}`)}`;
        else if (sp.name === "SNS") aws += `,"topic_arn":${q(`arn:aws:sns:${fn.region}:${fn.accountId}:${sp.resource}`)}`;
        aws += `,"resource_names":[${q(sp.resource)}]`;
      }
      doc += `,"aws":{${aws}}`;
      if (c.failed) {
        const throttle = THROTTLE_TYPES.test(`${o.errorType} ${o.errorMessage}`);
        doc += `,"http":{"response":{"status":400,"content_length":112}},"error":true${throttle ? ',"throttle":true' : ""}${cause}`;
      } else {
        doc += `,"http":{"response":{"status":200,"content_length":${40 + Math.floor(rng() * 400)}}}`;
      }
    } else {
      doc += `,"http":{"request":{"method":${q(sp.operation ?? "GET")},"url":${q(sp.resource ?? `https://${sp.name}/`)}},"response":{"status":${c.failed ? 502 : 200},"content_length":${c.failed ? 0 : 100 + Math.floor(rng() * 2000)}}}`;
      if (c.failed) doc += `,"fault":true${cause}`;
    }
    calls.push(doc + "}");
  }
  let invocation = `{"id":"${hexString(rng, 16)}","name":"Invocation","start_time":${seconds(rec.startAt)},"end_time":${seconds(rec.endAt)},${fnAws}`;
  if (calls.length) invocation += `,"subsegments":[${calls.join(",")}]`;
  if (failed) {
    invocation += `,"fault":true,"cause":{"working_directory":"/var/task","paths":[],"exceptions":[{"id":"${hexString(rng, 16)}","message":${q(o.errorMessage ?? "")},"type":${q(o.errorType ?? "Error")}}]}`;
  }
  subs.push(invocation + "}");
  subs.push(`{"id":"${hexString(rng, 16)}","name":"Overhead","start_time":${seconds(rec.endAt)},"end_time":${seconds(end)},${fnAws}}`);
  const fnSeg =
    `{"id":"${trace.functionSegmentId}","name":${q(fn.name)},"start_time":${seconds(rec.cold ? rec.arrivedAt : rec.startAt)},"end_time":${seconds(end)},"trace_id":"${trace.traceId}",` +
    `"parent_id":"${trace.segmentId}","origin":"AWS::Lambda::Function","resource_arn":${q(versionArn)},"aws":{"function_arn":${q(versionArn)},"resource_names":[${q(fn.name)}],"account_id":"${fn.accountId}"},"subsegments":[${subs.join(",")}]${failed ? ',"fault":true' : ""}}`;
  return [service, fnSeg];
}

// ---------------------------------------------------------------- API Gateway

export interface ApiRequestRecord {
  apiName: string;
  apiId: string;
  apiType: "REST" | "HTTP";
  stage: string;
  region: string;
  accountId: string;
  requestId: string;
  extendedRequestId: string;
  ip: string;
  userAgent: string;
  method: string;
  /** REST resource path ("/products/{id}"). */
  resourcePath: string;
  /** The concrete path ("/products/123"). */
  path: string;
  receivedAt: number;
  completedAt: number;
  status: number;
  responseLength: number;
  integration?: { requestId: string; status: string; latencyMs: number; functionName: string; startedAt: number; endedAt: number; subsegmentId?: string; throttled: boolean };
  authorizer?: { requestId?: string; status: number; latencyMs: number; functionName?: string; startedAt?: number; endedAt?: number; subsegmentId?: string };
  canary: boolean;
  cacheHit?: boolean;
  errorMessage?: string;
  trace?: { traceId: string; segmentId: string; sampled: boolean };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** $context.requestTime: dd/MMM/yyyy:HH:mm:ss +0000. */
function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function dash(v: string | number | undefined): string {
  return v === undefined ? "-" : String(v);
}

export function clfTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/** One JSON access-log line, as a stage's access log format with $context variables renders it. */
export function accessLogLine(r: ApiRequestRecord): string {
  const latency = Math.round(r.completedAt - r.receivedAt);
  const integration = r.integration;
  const head = `{"requestId":${q(r.requestId)},`;
  const common =
    `"requestTime":"${clfTime(r.receivedAt)}","requestTimeEpoch":"${r.apiType === "REST" ? Math.floor(r.receivedAt) : Math.floor(r.receivedAt / 1000)}","httpMethod":"${r.method}",`;
  const integ = `"integrationRequestId":"${dash(integration?.requestId)}","integrationStatus":"${dash(integration?.status)}","integrationLatency":"${dash(integration ? Math.round(integration.latencyMs) : undefined)}",`;
  if (r.apiType === "REST") {
    const a = r.authorizer;
    return (
      head +
      `"extendedRequestId":${q(r.extendedRequestId)},"ip":"${r.ip}",` +
      common +
      `"resourcePath":${q(r.resourcePath)},"path":${q(`/${r.stage}${r.path}`)},"status":"${r.status}","protocol":"HTTP/1.1","responseLength":"${r.responseLength}","responseLatency":"${latency}",` +
      integ +
      `"authorizerRequestId":"${dash(a?.requestId)}","authorizerStatus":"${dash(a?.status)}","authorizerLatency":"${dash(a ? Math.round(a.latencyMs) : undefined)}",` +
      `"xrayTraceId":"${dash(r.trace?.traceId)}","isCanaryRequest":"${r.canary}","stage":${q(r.stage)},"errorMessage":${q(dash(r.errorMessage))}}`
    );
  }
  return (
    head +
    `"ip":"${r.ip}",` +
    common +
    `"routeKey":${q(`${r.method} ${r.resourcePath}`)},"path":${q(r.path)},"status":"${r.status}","protocol":"HTTP/1.1","responseLength":"${r.responseLength}","responseLatency":"${latency}",` +
    integ +
    `"integrationErrorMessage":${q(dash(r.errorMessage))},"stage":${q(r.stage)}}`
  );
}

/** The API Gateway stage segment (root of a traced request), with its Lambda subsegments, as JSON text. */
export function apiGatewaySegmentDocument(r: ApiRequestRecord): string | undefined {
  if (!r.trace?.sampled) return undefined;
  const subs: string[] = [];
  const lambdaSub = (id: string, fnName: string, startedAt: number, endedAt: number, status: number, extra: string) =>
    `{"id":"${id}","name":"Lambda","start_time":${seconds(startedAt)},"end_time":${seconds(endedAt)},"namespace":"aws",` +
    `"http":{"request":{"url":${q(`https://lambda.${r.region}.amazonaws.com/2015-03-31/functions/arn:aws:lambda:${r.region}:${r.accountId}:function:${fnName}/invocations`)},"method":"POST"},"response":{"status":${status},"content_length":0}},` +
    `"aws":{"function_name":${q(fnName)},"region":"${r.region}","operation":"Invoke","resource_names":[${q(fnName)}]}${extra}}`;
  const a = r.authorizer;
  if (a?.subsegmentId && a.functionName && a.startedAt !== undefined && a.endedAt !== undefined) subs.push(lambdaSub(a.subsegmentId, a.functionName, a.startedAt, a.endedAt, 200, ""));
  const i = r.integration;
  if (i?.subsegmentId) subs.push(lambdaSub(i.subsegmentId, i.functionName, i.startedAt, Math.min(i.endedAt, r.completedAt), i.throttled ? 429 : 200, i.throttled ? ',"error":true,"throttle":true' : ""));
  const flags = r.status === 429 ? ',"error":true,"throttle":true' : r.status >= 500 ? ',"fault":true' : r.status >= 400 ? ',"error":true' : "";
  return (
    `{"id":"${r.trace.segmentId}","name":${q(`${r.apiName}/${r.stage}`)},"start_time":${seconds(r.receivedAt)},"end_time":${seconds(r.completedAt)},"trace_id":"${r.trace.traceId}",` +
    `"origin":"AWS::ApiGateway::Stage","resource_arn":${q(`arn:aws:apigateway:${r.region}::/restapis/${r.apiId}/stages/${r.stage}`)},` +
    `"http":{"request":{"url":${q(`https://${r.apiId}.execute-api.${r.region}.amazonaws.com/${r.stage}${r.path}`)},"method":"${r.method}","user_agent":${q(r.userAgent)},"client_ip":"${r.ip}","x_forwarded_for":true},` +
    `"response":{"status":${r.status},"content_length":${r.responseLength}}},` +
    `"annotations":{"aws_api_id":"${r.apiId}","aws_api_stage":${q(r.stage)}},` +
    `"aws":{"api_gateway":{"account_id":"${r.accountId}","rest_api_id":"${r.apiId}","stage":${q(r.stage)},"request_id":"${r.requestId}"}},` +
    `"metadata":{"default":{"extended_request_id":${q(r.extendedRequestId)},"request_id":"${r.requestId}"}}` +
    (subs.length ? `,"subsegments":[${subs.join(",")}]` : "") +
    flags +
    "}"
  );
}

/** Gateway response bodies' sizes for errors API Gateway answers itself. */
export const GATEWAY_ERROR_BODIES: Record<number, string> = {
  400: '{"message": "Invalid request body"}',
  403: '{"Message":"User is not authorized to access this resource with an explicit deny"}',
  429: '{"message":"Too Many Requests"}',
  500: '{"message": "Internal server error"}',
  502: '{"message": "Internal server error"}',
  504: '{"message": "Endpoint request timed out"}',
};

// ---------------------------------------------------------------- failure messages

/** The message Lambda sends to a function's dead-letter queue: the original event, with RequestID/ErrorCode/ErrorMessage. */
export function deadLetterMessage(requestId: string, payload: unknown, errorMessage: string): { body: string; attributes: Record<string, SqsMessageAttribute> } {
  return { body: JSON.stringify(payload), attributes: deadLetterAttributes(requestId, 200, errorMessage) };
}

/** The on-failure destination record of an async invocation whose retries are exhausted. */
export function onFailureRecord(input: {
  requestId: string;
  functionArn: string;
  attempts: number;
  payload: unknown;
  executedVersion: string;
  response: Record<string, unknown>;
  at: number;
}): string {
  return JSON.stringify(
    destinationRecord({
      requestId: input.requestId,
      functionArn: input.functionArn,
      condition: "RetriesExhausted",
      approximateInvokeCount: input.attempts,
      requestPayload: JSON.stringify(input.payload),
      statusCode: 200,
      executedVersion: input.executedVersion,
      functionError: "Unhandled",
      responsePayload: JSON.stringify(input.response),
      timestamp: Math.floor(input.at),
    }),
  );
}
