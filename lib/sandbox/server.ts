/**
 * The sandbox endpoint: one HTTP server that routes each request to the AWS service
 * it is signed for, applies injected faults, and keeps state in memory (with an
 * optional snapshot file so a demo survives restarts).
 */
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import {
  AwsServiceError,
  SANDBOX_ACCOUNT_ID,
  SANDBOX_DEFAULT_REGION,
  newRequestId,
  type FaultConfig,
  type FaultSettings,
  type InvocationRunner,
  type SandboxContext,
  type SandboxInternals,
  type SandboxRequest,
  type SandboxResponse,
  type SandboxService,
} from "./core.ts";
import { createRandom } from "./random.ts";
import { CloudWatchService } from "./services/cloudwatch.ts";
import { LogsService } from "./services/logs.ts";
import { XRayService } from "./services/xray.ts";
import { SqsService } from "./services/sqs.ts";
import { SnsService } from "./services/sns.ts";
import { EventBridgeService } from "./services/eventbridge.ts";
import { StsService } from "./services/sts.ts";
import { LambdaService } from "./services/lambda.ts";
import { ApiGatewayService } from "./services/apigateway.ts";
import { ApiGatewayV2Service } from "./services/apigatewayv2.ts";

export interface SandboxOptions {
  port?: number;
  host?: string;
  region?: string;
  /** JSON snapshot file: loaded at start, written when state changes and at close. */
  statePath?: string;
  faults?: FaultConfig;
  seed?: number;
  /** Runs simulated functions on Invoke; the default echoes the payload. */
  runInvocation?: InvocationRunner;
  /** Clock override for tests. */
  now?: () => number;
  log?: (line: string) => void;
}

export interface CallStats {
  calls: number;
  throttled: number;
  errors: number;
}

export interface Sandbox {
  url: string;
  port: number;
  server: http.Server;
  context: SandboxContext;
  services: SandboxService[];
  setFaults(faults: FaultConfig): void;
  stats(): Record<string, CallStats>;
  resetStats(): void;
  saveSnapshot(): void;
  close(): Promise<void>;
}

const echoRunner: InvocationRunner = async (target, payload, invocation) => ({
  statusCode: invocation.invocationType === "Event" ? 202 : 200,
  requestId: invocation.requestId,
  executedVersion: target.version,
  payload: invocation.invocationType === "Event" ? "" : payload,
});

function resolveFaults(config: FaultConfig, service: string, operation: string): FaultSettings {
  return { ...config["*"], ...config[service], ...config[`${service}:${operation}`] };
}

/** Reads the SigV4 credential scope's region and service from an Authorization header. */
export function credentialScope(authorization: string | undefined): { region: string; service: string } | null {
  const m = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization ?? "");
  return m ? { region: m[1]!, service: m[2]! } : null;
}

/** Starts the sandbox endpoint; resolves once it listens. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const rand = createRandom(options.seed ?? 1);
  let faults: FaultConfig = options.faults ?? {};
  let dirty = false;
  const stats = new Map<string, CallStats>();
  const log = options.log ?? (() => {});

  // Internals are bound after the services exist; services only call them at request time.
  const internals = {} as SandboxInternals;
  const context: SandboxContext = {
    accountId: SANDBOX_ACCOUNT_ID,
    region: options.region ?? SANDBOX_DEFAULT_REGION,
    now: options.now ?? (() => Date.now()),
    random: rand,
    internals,
    runInvocation: options.runInvocation ?? echoRunner,
    faults: (service, operation) => resolveFaults(faults, service, operation),
    pageSize: (service, operation, awsDefault) => resolveFaults(faults, service, operation).pageSize ?? awsDefault,
    touch: () => {
      dirty = true;
    },
  };

  const cloudwatch = new CloudWatchService(context);
  const logs = new LogsService(context);
  const xray = new XRayService(context);
  const sqs = new SqsService(context);
  const sns = new SnsService(context);
  const events = new EventBridgeService(context);
  const sts = new StsService(context);
  const lambda = new LambdaService(context);
  const apigateway = new ApiGatewayService(context);
  const apigatewayv2 = new ApiGatewayV2Service(context);
  const services: SandboxService[] = [cloudwatch, logs, xray, sqs, sns, events, sts, lambda, apigateway, apigatewayv2];

  Object.assign(internals, {
    putMetricData: (ns, data) => cloudwatch.putMetricDataInternal(ns, data),
    putLogEvents: (group, stream, evs) => logs.putLogEventsInternal(group, stream, evs),
    putTraceSegments: (docs) => xray.putTraceSegmentsInternal(docs),
    sendSqsMessage: (queue, body, attrs) => sqs.sendMessageInternal(queue, body, attrs),
    publishSns: (topic, message, subject, attrs) => sns.publishInternal(topic, message, subject, attrs),
    invokeLambda: (fn, payload, type) => lambda.invokeInternal(fn, payload, type),
  } satisfies SandboxInternals);

  const snapshotKey = (s: SandboxService) => (s.signingName === "apigateway" && s === apigatewayv2 ? "apigatewayv2" : s.signingName);
  const saveSnapshot = () => {
    if (!options.statePath) return;
    const state: Record<string, unknown> = {};
    for (const s of services) if (s.snapshot) state[snapshotKey(s)] = s.snapshot();
    fs.mkdirSync(path.dirname(options.statePath), { recursive: true });
    const tmp = `${options.statePath}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(state));
    fs.renameSync(tmp, options.statePath);
    dirty = false;
  };
  if (options.statePath && fs.existsSync(options.statePath)) {
    const state = JSON.parse(fs.readFileSync(options.statePath, "utf8")) as Record<string, unknown>;
    for (const s of services) if (s.restore && state[snapshotKey(s)] !== undefined) s.restore(state[snapshotKey(s)]);
  }

  const pick = (req: Omit<SandboxRequest, "service">, scopeService: string | undefined): SandboxService | undefined => {
    if (scopeService) {
      const candidates = services.filter((s) => s.signingName === scopeService);
      if (candidates.length === 1) return candidates[0];
      // apigateway v1 and v2 share a signing name; the v2 paths start with /v2/.
      return candidates.find((s) => s.matches?.(req)) ?? candidates[0];
    }
    return services.find((s) => s.matches?.(req));
  };

  const handle = async (raw: http.IncomingMessage, body: Buffer): Promise<{ response: SandboxResponse; requestId?: string }> => {
    const requestId = newRequestId(rand);
    return { response: await dispatch(raw, body, requestId), requestId };
  };

  const dispatch = async (raw: http.IncomingMessage, body: Buffer, requestId: string): Promise<SandboxResponse> => {
    const url = new URL(raw.url ?? "/", "http://sandbox");
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(",") : v;
    if (url.pathname.startsWith("/_sandbox/")) return control(url, raw.method ?? "GET", body);
    const scope = credentialScope(headers["authorization"]);
    const base = {
      method: raw.method ?? "GET",
      path: safeDecode(url.pathname),
      rawPath: url.pathname,
      query: url.searchParams,
      headers,
      body,
      region: scope?.region ?? context.region,
      requestId,
    };
    const service = pick(base, scope?.service);
    if (!service) {
      return { status: 400, headers: { "content-type": "application/json" }, body: JSON.stringify({ message: "The sandbox could not tell which AWS service this request is for." }) };
    }
    const req: SandboxRequest = { ...base, service: service.signingName };
    let resolved;
    try {
      resolved = service.resolve(req, context);
    } catch (err) {
      return renderFailure(service, req, err);
    }
    if (!resolved) return service.renderError(new AwsServiceError("UnknownOperationException", `No ${service.signingName} operation matches ${req.method} ${req.rawPath}.`, 404), req);
    const key = `${service.signingName}:${resolved.operation}`;
    const stat = stats.get(key) ?? { calls: 0, throttled: 0, errors: 0 };
    stats.set(key, stat);
    stat.calls++;
    const f = context.faults(service.signingName, resolved.operation);
    if (f.latencyMs) await new Promise((r) => setTimeout(r, f.latencyMs));
    if (f.throttleRate && rand() < f.throttleRate) {
      stat.throttled++;
      return service.renderError(service.throttlingError(), req);
    }
    if (f.errorRate && rand() < f.errorRate) {
      stat.errors++;
      return service.renderError(new AwsServiceError("ServiceUnavailable", "Service is unavailable (injected fault).", 503, { fault: "Receiver" }), req);
    }
    try {
      return await resolved.run();
    } catch (err) {
      stat.errors++;
      return renderFailure(service, req, err);
    }
  };

  const renderFailure = (service: SandboxService, req: SandboxRequest, err: unknown): SandboxResponse => {
    if (err instanceof AwsServiceError) return service.renderError(err, req);
    log(`sandbox: internal error in ${service.signingName}: ${(err as Error)?.stack ?? err}`);
    return service.renderError(new AwsServiceError("InternalFailure", "The sandbox failed to process the request.", 500, { fault: "Receiver" }), req);
  };

  const control = (url: URL, method: string, body: Buffer): SandboxResponse => {
    const json = (status: number, value: unknown): SandboxResponse => ({ status, headers: { "content-type": "application/json" }, body: JSON.stringify(value) });
    switch (`${method} ${url.pathname}`) {
      case "GET /_sandbox/health":
        return json(200, { ok: true, accountId: context.accountId, region: context.region });
      case "GET /_sandbox/faults":
        return json(200, faults);
      case "PUT /_sandbox/faults":
      case "POST /_sandbox/faults":
        try {
          faults = JSON.parse(body.toString("utf8") || "{}") as FaultConfig;
          return json(200, faults);
        } catch {
          return json(400, { message: "Fault config must be a JSON object keyed by *, service or service:Operation." });
        }
      case "GET /_sandbox/invocations":
        // What Lambda Invoke handed to functions (oldest first), optionally of one function: tests read replays here.
        return json(200, lambda.invocationLog().filter((e) => !url.searchParams.get("functionName") || e.functionName === url.searchParams.get("functionName")));
      case "GET /_sandbox/stats":
        return json(200, Object.fromEntries(stats));
      case "POST /_sandbox/stats/reset":
        stats.clear();
        return json(200, {});
      default:
        return json(404, { message: `Unknown sandbox control path ${url.pathname}` });
    }
  };

  const server = http.createServer((raw, res) => {
    const chunks: Buffer[] = [];
    raw.on("data", (c: Buffer) => chunks.push(c));
    raw.on("end", () => {
      handle(raw, Buffer.concat(chunks))
        .then(({ response: out, requestId }) => {
          const headers: Record<string, string> = { ...out.headers };
          if (requestId && !Object.keys(headers).some((h) => h.toLowerCase() === "x-amzn-requestid")) headers["x-amzn-requestid"] = requestId;
          res.writeHead(out.status, headers);
          res.end(out.body ?? "");
        })
        .catch((err) => {
          log(`sandbox: ${err?.stack ?? err}`);
          res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify({ message: "internal error" }));
        });
    });
  });
  server.keepAliveTimeout = 65_000;

  const snapshotTimer = options.statePath
    ? setInterval(() => {
        if (dirty) saveSnapshot();
      }, 5_000)
    : undefined;
  snapshotTimer?.unref();

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 4566, options.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as { port: number }).port;

  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    port,
    server,
    context,
    services,
    setFaults(next) {
      faults = next;
    },
    stats: () => Object.fromEntries(stats),
    resetStats: () => stats.clear(),
    saveSnapshot,
    async close() {
      if (snapshotTimer) clearInterval(snapshotTimer);
      if (options.statePath) saveSnapshot();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function safeDecode(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}
