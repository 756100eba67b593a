/**
 * The InvocationRunner the sandbox calls on Lambda Invoke: runs one invocation with the
 * workload model (profile from FAASIGHT_SIM_PROFILE, or the default) and writes its
 * logs, metrics and trace through the sandbox internals. Warm environments persist
 * between calls, so Invoke shows cold starts after idle periods and warm reuse otherwise.
 */
import type { InvocationRunner, InvocationTarget, SandboxInternals } from "../sandbox/core.ts";
import { MetricAggregator, type Dimensions } from "./metrics.ts";
import { EnvironmentPool, drawInitDuration, drawOutcome } from "./model.ts";
import { profileFromEnvironment } from "./profile.ts";
import { hashString, hexString, rngFor, uniform } from "./rng.ts";
import { errorPayload, lambdaLogEvents, lambdaSegmentDocuments, newTraceId, type InvocationRecord, type TraceInfo } from "./telemetry.ts";

interface FunctionRuntime {
  pool: EnvironmentPool;
  sampleSecond: number;
}

/** Runs invocations with per-function warm environments kept across calls. */
export function createSimulatedRunner(): InvocationRunner {
  const functions = new Map<string, FunctionRuntime>();
  return async (target, payload, invocation, internals) => {
    const state = functions.get(target.functionArn) ?? { pool: new EnvironmentPool(), sampleSecond: -1 };
    functions.set(target.functionArn, state);
    return runOne(state, target, invocation, internals, payload);
  };
}

function runOne(
  state: FunctionRuntime,
  target: InvocationTarget,
  invocation: Parameters<InvocationRunner>[2],
  internals: SandboxInternals,
  payload: string,
): Awaited<ReturnType<InvocationRunner>> {
  const profile = profileFromEnvironment(target.environment);
  const t = invocation.at;
  const rng = rngFor(hashString(invocation.requestId), "attempt", invocation.attempt);
  const alias = target.qualifier && target.qualifier !== "$LATEST" && !/^\d+$/.test(target.qualifier) ? target.qualifier : undefined;
  const useProvisioned = target.provisionedConcurrency > 0;
  if (useProvisioned) state.pool.provision(t, target.version, target.provisionedConcurrency, rng);
  const busy = state.pool.busy(t);
  const { env, cold } = state.pool.acquire(t, target.version, rng, profile.idleMinutes as [number, number], { useProvisioned });
  const initMs = cold ? drawInitDuration(rng, profile) : undefined;
  const outcome = drawOutcome(rng, {
    profile,
    memoryMb: target.memorySizeMb,
    timeoutS: target.timeoutSeconds,
    initDurationMs: initMs,
    billInit: cold && !env.provisioned,
    envMemoryMb: env.maxMemoryUsedMb,
  });
  const startAt = t + (initMs ?? 0) + uniform(rng, 0.1, 0.8);
  const endAt = startAt + outcome.durationMs;
  // The sandbox answers at once: the environment is free for the next call (scale-out would need real overlap).
  state.pool.release(env, t, outcome.maxMemoryUsedMb, outcome.status === "timeout" || outcome.status === "oom");

  let trace: TraceInfo | undefined;
  if (target.tracingMode === "Active") {
    const second = Math.floor(t / 1000);
    const sampled = second !== state.sampleSecond || rng() < 0.05;
    state.sampleSecond = second;
    trace = { traceId: newTraceId(rng, t), sampled, segmentId: hexString(rng, 16), functionSegmentId: hexString(rng, 16) };
  }
  const region = target.functionArn.split(":")[3] ?? "us-east-1";
  const accountId = target.functionArn.split(":")[4] ?? "123456789012";
  const rec: InvocationRecord = {
    fn: { name: target.functionName, runtime: target.runtime, memoryMb: target.memorySizeMb, timeoutS: target.timeoutSeconds, logFormat: target.logFormat, region, accountId },
    requestId: invocation.requestId,
    version: target.version,
    alias,
    attempt: invocation.attempt,
    stream: env.stream,
    cold,
    arrivedAt: t,
    startAt,
    endAt,
    outcome,
    trace,
  };
  const events = lambdaLogEvents(rec);
  internals.putLogEvents(target.logGroup, env.stream, events);
  if (trace?.sampled) internals.putTraceSegments(lambdaSegmentDocuments(rec, rng));

  const metrics = new MetricAggregator();
  const name = target.functionName;
  const qualifier = target.qualifier && target.qualifier !== "$LATEST" ? target.qualifier : undefined;
  const dims: Dimensions[] = [[["FunctionName", name]]];
  if (qualifier) dims.push([["FunctionName", name], ["Resource", `${name}:${qualifier}`]]);
  if (alias) dims.push([["FunctionName", name], ["Resource", `${name}:${alias}`], ["ExecutedVersion", target.version]]);
  for (const d of dims) {
    metrics.count("AWS/Lambda", "Invocations", d, startAt);
    metrics.count("AWS/Lambda", "Errors", d, startAt, outcome.status === "success" ? 0 : 1);
    metrics.sample("AWS/Lambda", "Duration", d, startAt, outcome.durationMs);
    metrics.max("AWS/Lambda", "ConcurrentExecutions", d, startAt, busy + 1);
  }
  if (useProvisioned && qualifier) {
    metrics.count("AWS/Lambda", env.provisioned ? "ProvisionedConcurrencyInvocations" : "ProvisionedConcurrencySpilloverInvocations", dims[1]!, startAt);
  }
  internals.putMetricData("AWS/Lambda", metrics.drain().map((d) => d.datum));

  const logTail = events.map((e) => e.message).join("\n") + "\n";
  const statusCode = invocation.invocationType === "Event" ? 202 : 200;
  if (outcome.status !== "success") {
    return { statusCode, requestId: invocation.requestId, executedVersion: target.version, functionError: "Unhandled", payload: JSON.stringify(errorPayload(rec)), logTail };
  }
  const body = payload.length > 0 ? { ok: true, requestBytes: payload.length } : { ok: true };
  const response = invocation.invocationType === "Event" ? "" : JSON.stringify({ statusCode: outcome.statusCode, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { statusCode, requestId: invocation.requestId, executedVersion: target.version, payload: response, logTail };
}

/** The sandbox's default runner: simulated invocations with warm environments. */
export const simulatedInvocationRunner: InvocationRunner = createSimulatedRunner();
