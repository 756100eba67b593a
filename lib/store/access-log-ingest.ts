/**
 * Ingest of API Gateway access-log events (JSON lines with $context variables): ApiRequest
 * rows by (stage, request id), stage minute/hour rollups recomputed from them, and the
 * cursor — one transaction per batch.
 */
import type { DbProvider } from "../db-url.ts";
import { writeCursor, type CursorWrite } from "./cursors.ts";
import type { RawLogEvent } from "./invocation-assembly.ts";
import { minuteOf } from "./rollup-math.ts";
import { markDirtyHours, recomputeStageMinutes } from "./rollups.ts";
import { insertRows, type Sql, type Store } from "./sql.ts";

export interface StageRef {
  id: number;
  sourceId: number;
  /** Stage has canary settings: rollups also split base/canary. */
  canary: boolean;
}

export interface AccessLogRecord {
  requestId: string;
  at: number;
  method: string | null;
  route: string | null;
  status: number;
  latencyMs: number | null;
  integrationLatencyMs: number | null;
  integrationStatus: number | null;
  integrationRequestId: string | null;
  xrayTraceId: string | null;
  canary: boolean;
}

const str = (v: unknown): string | null => {
  if (v === undefined || v === null) return null;
  const s = String(v).trim();
  return s === "" || s === "-" ? null : s;
};
const num = (v: unknown): number | null => {
  const s = str(v);
  if (s === null) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
};

function pick(o: Record<string, unknown>, ...keys: string[]): unknown {
  for (const k of keys) {
    if (o[k] !== undefined) return o[k];
    // Nested $context names logged as {"integration": {"requestId": …}}.
    const dot = k.indexOf(".");
    if (dot > 0) {
      const inner = o[k.slice(0, dot)];
      if (inner && typeof inner === "object") {
        const v = (inner as Record<string, unknown>)[k.slice(dot + 1)];
        if (v !== undefined) return v;
      }
    }
  }
  return undefined;
}

/** Parses one JSON access-log line; null when it is not one (counted as malformed). */
export function parseAccessLogLine(message: string, eventTimestamp: number): AccessLogRecord | null {
  let o: Record<string, unknown>;
  try {
    const v = JSON.parse(message) as unknown;
    if (!v || typeof v !== "object" || Array.isArray(v)) return null;
    o = v as Record<string, unknown>;
  } catch {
    return null;
  }
  const requestId = str(pick(o, "requestId", "requestID", "request_id"));
  const status = num(pick(o, "status", "statusCode"));
  if (!requestId || status === null) return null;
  // $context.requestTimeEpoch is milliseconds on REST APIs and seconds on HTTP APIs.
  const epoch = num(pick(o, "requestTimeEpoch"));
  const at = epoch === null ? eventTimestamp : epoch < 1e11 ? (Math.abs(eventTimestamp - epoch * 1000) < 60_000 ? eventTimestamp : epoch * 1000) : epoch;
  return {
    requestId,
    at,
    method: str(pick(o, "httpMethod", "method")),
    route: str(pick(o, "resourcePath", "routeKey")),
    status,
    latencyMs: num(pick(o, "responseLatency", "latency")),
    integrationLatencyMs: num(pick(o, "integrationLatency", "integration.latency")),
    integrationStatus: num(pick(o, "integrationStatus", "integration.status")),
    integrationRequestId: str(pick(o, "integrationRequestId", "integration.requestId", "awsIntegrationRequestId")),
    xrayTraceId: str(pick(o, "xrayTraceId")),
    canary: String(pick(o, "isCanaryRequest") ?? "false") === "true",
  };
}

export interface AccessIngestResult {
  events: number;
  written: number;
  skipped: number;
  malformed: number;
}

const COLUMNS = ["stageId", "requestId", "at", "method", "route", "status", "latencyMs", "integrationLatencyMs", "integrationStatus", "integrationRequestId", "xrayTraceId", "canary"];

/** Stores a batch of one stage's access-log events. */
export async function ingestAccessLogEvents(store: Store, stage: StageRef, events: RawLogEvent[], opts: { cursor?: CursorWrite; purgedBefore?: number } = {}): Promise<AccessIngestResult> {
  const records: AccessLogRecord[] = [];
  let malformed = 0;
  let _purged = 0;
  for (const e of events) {
    if (e.timestamp < (opts.purgedBefore ?? 0)) {
      _purged++;
      continue;
    }
    const r = parseAccessLogLine(e.message, e.timestamp);
    if (r) records.push(r);
    else malformed++;
  }
  const written = await store.transaction(() => body(store.dialect, stage, records, opts.cursor));
  return { events: events.length, written, skipped: events.length - written - malformed, malformed };
}

function* body(dialect: DbProvider, stage: StageRef, records: AccessLogRecord[], cursor: CursorWrite | undefined): Sql<number> {
  const rows = records.map((r) => [stage.id, r.requestId, new Date(r.at), r.method, r.route, r.status, r.latencyMs, r.integrationLatencyMs, r.integrationStatus, r.integrationRequestId, r.xrayTraceId, r.canary]);
  const inserted = yield* insertRows<{ requestId: string; at: unknown }>(dialect, "ApiRequest", COLUMNS, rows, { conflict: ["stageId", "requestId"], returning: ["requestId"] });
  if (inserted.length > 0) {
    const fresh = new Set(inserted.map((r) => String(r.requestId)));
    const minutes = new Set(records.filter((r) => fresh.has(r.requestId)).map((r) => minuteOf(r.at)));
    const hours = yield* recomputeStageMinutes(dialect, stage.id, minutes, stage.canary);
    yield* markDirtyHours(dialect, stage.sourceId, "stage", stage.id, hours);
  }
  if (cursor) yield* writeCursor(dialect, cursor);
  return inserted.length;
}
