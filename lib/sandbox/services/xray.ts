/**
 * AWS X-Ray for the sandbox (restJson1): PutTraceSegments, GetTraceSummaries (time
 * range types, filter expressions, sampling, pagination newest first), BatchGetTraces
 * (assembled documents with inferred segments) and GetServiceGraph.
 */
import { AwsServiceError, decodeToken, encodeToken, type SandboxContext, type SandboxService } from "../core.ts";
import { restJsonProtocol, timestampMs } from "../protocols.ts";
import {
  FilterExpressionError,
  analyzeTrace,
  compileFilterExpression,
  emptyStats,
  round3,
  toTraceSummary,
  type CallStats,
  type ServiceNode,
  type TraceAnalysis,
} from "./xray-analysis.ts";

const invalid = (message: string) => new AwsServiceError("InvalidRequestException", message, 400);

const TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const SEGMENT_ID = /^[0-9a-f]{16}$/;
const MAX_DOCUMENT_BYTES = 64 * 1024;
const MAX_RANGE_SECONDS = 24 * 3600;
const BUCKET_SECONDS = 60;
const ANALYSIS_CACHE = 5000;
const DEFAULT_SAMPLING_RATE = 0.1;
/** Traces examined per GetTraceSummaries call; a selective filter then returns a partial page and a token (as AWS may). */
const MAX_SCAN_PER_PAGE = 10_000;

interface TraceRecord {
  id: string;
  /** Latest document per segment/subsegment id. */
  segIds: string[];
  docs: string[];
  /** Epoch seconds encoded in the trace id. */
  idTime: number;
  /** Latest end (or start) time of any document, epoch seconds. */
  endTime: number;
  revision: number;
}

interface XRaySnapshot {
  traces: { id: string; segIds: string[]; docs: string[]; idTime: number; endTime: number; revision: number }[];
}

/** Trace ids bucketed by minute of a time (trace-id time or end time) for range queries. */
class TimeIndex {
  private buckets = new Map<number, string[]>();

  /** Callers add an id once per bucket it moves into (a stale entry is filtered by the exact-time check). */
  add(id: string, seconds: number): void {
    const b = TimeIndex.bucketOf(seconds);
    const list = this.buckets.get(b);
    if (!list) this.buckets.set(b, [id]);
    else list.push(id);
  }

  static bucketOf(seconds: number): number {
    return Math.floor(seconds / BUCKET_SECONDS);
  }

  /** Ids in one bucket (possibly stale or repeated). */
  bucket(b: number): readonly string[] {
    return this.buckets.get(b) ?? [];
  }

  /** Ids possibly in [from, to] (callers re-check the exact time). */
  candidates(from: number, to: number): Set<string> {
    const out = new Set<string>();
    for (let b = TimeIndex.bucketOf(from); b <= TimeIndex.bucketOf(to); b++) for (const id of this.bucket(b)) out.add(id);
    return out;
  }

  clear(): void {
    this.buckets.clear();
  }
}

/** X-Ray in the sandbox. */
export class XRayService implements SandboxService {
  readonly signingName: string;
  readonly matches: SandboxService["matches"];
  readonly renderError: SandboxService["renderError"];
  readonly throttlingError: SandboxService["throttlingError"];
  readonly resolve: SandboxService["resolve"];

  private traces = new Map<string, TraceRecord>();
  private byIdTime = new TimeIndex();
  private byEndTime = new TimeIndex();
  private cache = new Map<string, { rev: number; analysis: TraceAnalysis }>();

  constructor(private readonly ctx: SandboxContext) {
    const proto = restJsonProtocol({
      signingName: "xray",
      pathPrefixes: ["/TraceSegments", "/TraceSummaries", "/Traces", "/ServiceGraph"],
      routes: [
        { method: "POST", path: "/TraceSegments", operation: "PutTraceSegments", handler: (call) => this.putTraceSegments(call.body) },
        { method: "POST", path: "/TraceSummaries", operation: "GetTraceSummaries", handler: (call) => this.getTraceSummaries(call.body) },
        { method: "POST", path: "/Traces", operation: "BatchGetTraces", handler: (call) => this.batchGetTraces(call.body) },
        { method: "POST", path: "/ServiceGraph", operation: "GetServiceGraph", handler: (call) => this.getServiceGraph(call.body) },
      ],
      throttlingError: () => new AwsServiceError("ThrottledException", "Rate exceeded", 429),
    });
    this.signingName = proto.signingName;
    this.matches = proto.matches;
    this.renderError = proto.renderError;
    this.throttlingError = proto.throttlingError;
    this.resolve = proto.resolve;
  }

  /** In-process PutTraceSegments; malformed documents are dropped (returned for diagnostics). */
  putTraceSegmentsInternal(documents: string[]): { Id?: string; ErrorCode: string; Message: string }[] {
    const unprocessed = this.ingestAll(documents);
    this.ctx.touch();
    return unprocessed;
  }

  snapshot(): XRaySnapshot {
    return { traces: [...this.traces.values()] };
  }

  restore(state: unknown): void {
    const snap = state as XRaySnapshot;
    this.traces = new Map();
    this.byIdTime.clear();
    this.byEndTime.clear();
    this.cache.clear();
    for (const t of snap?.traces ?? []) {
      this.traces.set(t.id, { ...t });
      this.byIdTime.add(t.id, t.idTime);
      this.byEndTime.add(t.id, t.endTime);
    }
  }

  // ---------------------------------------------------------------- ingestion

  /** Ingests documents in order; returns the UnprocessedTraceSegments of those that failed. */
  private ingestAll(documents: readonly unknown[]): { Id?: string; ErrorCode: string; Message: string }[] {
    const unprocessed: { Id?: string; ErrorCode: string; Message: string }[] = [];
    for (let i = 0; i < documents.length; i++) {
      const u = this.ingest(documents[i]);
      if (u) unprocessed.push(u);
    }
    return unprocessed;
  }

  /** Validates and stores one document; returns the UnprocessedTraceSegment on failure. */
  private ingest(raw: unknown): { Id?: string; ErrorCode: string; Message: string } | undefined {
    if (typeof raw !== "string") return { ErrorCode: "InvalidSegment", Message: "Segment document must be a JSON string." };
    // UTF-8 takes at most 3 bytes per UTF-16 unit: only long documents need counting.
    if (raw.length * 3 > MAX_DOCUMENT_BYTES && Buffer.byteLength(raw, "utf8") > MAX_DOCUMENT_BYTES) return { ErrorCode: "SegmentTooLarge", Message: "Segment document exceeds 64 KB." };
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return { ErrorCode: "JSONFormatError", Message: "Bad JSON data" };
    }
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) return { ErrorCode: "JSONFormatError", Message: "Segment document must be a JSON object." };
    const id = typeof doc.id === "string" ? doc.id : undefined;
    // No per-document closures: tsx names every function created at runtime, which costs on this hot path.
    if (!id || !SEGMENT_ID.test(id)) return { Id: id, ErrorCode: "MissingParam", Message: "Missing or invalid segment id (16 hexadecimal digits)." };
    if (typeof doc.trace_id !== "string" || !TRACE_ID.test(doc.trace_id)) return { Id: id, ErrorCode: "InvalidTraceId", Message: "Missing or invalid trace_id (1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx)." };
    if (typeof doc.name !== "string" || doc.name.length === 0 || doc.name.length > 200) return { Id: id, ErrorCode: "MissingParam", Message: "Missing or invalid name." };
    if (typeof doc.start_time !== "number") return { Id: id, ErrorCode: "MissingParam", Message: "Missing start_time." };
    const inProgress = doc.in_progress === true;
    if (!inProgress && typeof doc.end_time !== "number") return { Id: id, ErrorCode: "MissingParam", Message: "Missing end_time or in_progress." };
    const parentId = doc.parent_id;
    if (doc.type === "subsegment" && (typeof parentId !== "string" || !SEGMENT_ID.test(parentId))) return { Id: id, ErrorCode: "MissingParam", Message: "A subsegment document needs a parent_id." };
    if (parentId !== undefined && (typeof parentId !== "string" || !SEGMENT_ID.test(parentId))) return { Id: id, ErrorCode: "InvalidParam", Message: "Invalid parent_id." };

    const traceId = doc.trace_id;
    let t = this.traces.get(traceId);
    if (!t) {
      t = { id: traceId, segIds: [], docs: [], idTime: parseInt(traceId.slice(2, 10), 16), endTime: 0, revision: 0 };
      this.traces.set(traceId, t);
      this.byIdTime.add(traceId, t.idTime);
    }
    const i = t.segIds.indexOf(id);
    if (i >= 0) t.docs[i] = raw;
    else {
      t.segIds.push(id);
      t.docs.push(raw);
    }
    t.revision++;
    const end = typeof doc.end_time === "number" ? doc.end_time : doc.start_time;
    if (end > t.endTime) {
      const moved = TimeIndex.bucketOf(end) !== TimeIndex.bucketOf(t.endTime);
      t.endTime = end;
      if (moved) this.byEndTime.add(traceId, end);
    }
    return undefined;
  }

  private analysis(t: TraceRecord): TraceAnalysis {
    const hit = this.cache.get(t.id);
    if (hit && hit.rev === t.revision) {
      // Refresh recency for the LRU.
      this.cache.delete(t.id);
      this.cache.set(t.id, hit);
      return hit.analysis;
    }
    const analysis = analyzeTrace(t.id, t.docs);
    this.cache.delete(t.id);
    this.cache.set(t.id, { rev: t.revision, analysis });
    if (this.cache.size > ANALYSIS_CACHE) this.cache.delete(this.cache.keys().next().value!);
    return analysis;
  }

  // ---------------------------------------------------------------- operations

  private putTraceSegments(body: { TraceSegmentDocuments?: unknown }): object {
    const docs = body.TraceSegmentDocuments;
    if (!Array.isArray(docs)) throw invalid("TraceSegmentDocuments is required.");
    const UnprocessedTraceSegments = this.ingestAll(docs);
    this.ctx.touch();
    return { UnprocessedTraceSegments };
  }

  private timeRange(body: { StartTime?: unknown; EndTime?: unknown }, limitSeconds?: number): { start: number; end: number } {
    const startMs = timestampMs(body.StartTime);
    const endMs = timestampMs(body.EndTime);
    if (startMs === undefined || endMs === undefined) throw invalid("StartTime and EndTime are required.");
    const start = startMs / 1000;
    const end = endMs / 1000;
    if (end < start) throw invalid("EndTime must be after StartTime.");
    if (limitSeconds !== undefined && end - start > limitSeconds) throw invalid("Time range can't exceed 24 hours.");
    return { start, end };
  }

  private getTraceSummaries(body: {
    StartTime?: number;
    EndTime?: number;
    TimeRangeType?: string;
    Sampling?: boolean;
    SamplingStrategy?: { Name?: string; Value?: number };
    FilterExpression?: string;
    NextToken?: string;
  }): object {
    const { start, end } = this.timeRange(body, MAX_RANGE_SECONDS);
    const rangeType = body.TimeRangeType ?? "TraceId";
    if (!["TraceId", "Event", "Service"].includes(rangeType)) throw invalid(`Invalid TimeRangeType: ${rangeType}`);
    let filter: ((a: TraceAnalysis) => boolean) | undefined;
    if (body.FilterExpression) {
      try {
        filter = compileFilterExpression(body.FilterExpression);
      } catch (err) {
        if (err instanceof FilterExpressionError) throw invalid(`Invalid filter expression: ${err.message}`);
        throw err;
      }
    }
    const rate = body.Sampling ? (body.SamplingStrategy?.Value ?? DEFAULT_SAMPLING_RATE) : 1;
    // Cursor: the (time, id) of the last trace looked at; pages continue strictly after it.
    const cursor = tokenOf<{ t: number; id: string }>(body.NextToken);
    const pageSize = this.ctx.pageSize("xray", "GetTraceSummaries", 100);
    const timeOf = (t: TraceRecord) => (rangeType === "TraceId" ? t.idTime : t.endTime);
    const index = rangeType === "TraceId" ? this.byIdTime : this.byEndTime;
    const after = (t: TraceRecord) => !cursor || timeOf(t) < cursor.t || (timeOf(t) === cursor.t && t.id > cursor.id);

    // Newest first, as AWS pages from the end of the time frame: walk minute buckets backwards.
    const summaries: object[] = [];
    let processed = 0;
    let last: TraceRecord | undefined;
    let more = false;
    const firstBucket = TimeIndex.bucketOf(cursor ? Math.min(cursor.t, end) : end);
    scan: for (let b = firstBucket; b >= TimeIndex.bucketOf(start); b--) {
      const seen = new Set<string>();
      const inBucket: TraceRecord[] = [];
      for (const id of index.bucket(b)) {
        if (seen.has(id)) continue;
        seen.add(id);
        const t = this.traces.get(id)!;
        const time = timeOf(t);
        if (time >= start && time <= end && TimeIndex.bucketOf(time) === b && after(t)) inBucket.push(t);
      }
      inBucket.sort((x, y) => timeOf(y) - timeOf(x) || (x.id < y.id ? -1 : 1));
      for (const t of inBucket) {
        if (summaries.length >= pageSize || processed >= MAX_SCAN_PER_PAGE) {
          more = true;
          break scan;
        }
        processed++;
        last = t;
        if (rate < 1 && sampleHash(t.id) >= rate) continue;
        const a = this.analysis(t);
        if (filter && !filter(a)) continue;
        summaries.push(toTraceSummary(a, t.revision));
      }
    }
    return {
      TraceSummaries: summaries,
      ApproximateTime: last ? timeOf(last) : end,
      TracesProcessedCount: processed,
      NextToken: more && last ? encodeToken({ t: timeOf(last), id: last.id }) : undefined,
    };
  }

  private batchGetTraces(body: { TraceIds?: unknown; NextToken?: string }): object {
    const ids = body.TraceIds;
    if (!Array.isArray(ids) || ids.length === 0) throw invalid("TraceIds is required.");
    if (ids.length > 5) throw invalid("TraceIds can contain at most 5 trace ids.");
    const traces: object[] = [];
    const unprocessed: string[] = [];
    for (const id of ids) {
      const t = typeof id === "string" ? this.traces.get(id) : undefined;
      if (!t) {
        unprocessed.push(String(id));
        continue;
      }
      const a = this.analysis(t);
      traces.push({ Id: t.id, Duration: round3(a.duration), LimitExceeded: false, Segments: a.documents.map((d) => ({ Id: d.id, Document: JSON.stringify(d) })) });
    }
    return { Traces: traces, UnprocessedTraceIds: unprocessed };
  }

  private getServiceGraph(body: { StartTime?: number; EndTime?: number; GroupName?: string; GroupARN?: string; NextToken?: string }): object {
    const { start, end } = this.timeRange(body, MAX_RANGE_SECONDS);
    tokenOf(body.NextToken);
    interface Agg {
      node: ServiceNode;
      edges: Map<string, CallStats>;
      stats: CallStats;
      root: boolean;
    }
    const nodes = new Map<string, Agg>();
    const clientEdges = new Map<string, CallStats>();
    const keyOf = (n: ServiceNode) => `${n.id.Name}\u0000${n.id.Type}`;
    for (const id of this.byEndTime.candidates(start, end)) {
      const t = this.traces.get(id)!;
      if (t.endTime < start || t.endTime > end) continue;
      const a = this.analysis(t);
      for (const n of a.services.values()) {
        const key = keyOf(n);
        const agg = nodes.get(key) ?? { node: n, edges: new Map(), stats: emptyStats(), root: false };
        nodes.set(key, agg);
        mergeStats(agg.stats, n.stats);
        if (n.root) {
          agg.root = true;
          mergeStats(clientEdges.get(key) ?? clientEdges.set(key, emptyStats()).get(key)!, n.stats);
        }
        for (const [to, st] of n.edges) mergeStats(agg.edges.get(to) ?? agg.edges.set(to, emptyStats()).get(to)!, st);
      }
    }
    // Reference ids: 0 for the client, then services in name order.
    const keys = [...nodes.keys()].sort();
    const ref = new Map(keys.map((k, i) => [k, i + 1]));
    const edgeOut = (to: string, st: CallStats) => ({
      ReferenceId: ref.get(to),
      StartTime: st.start,
      EndTime: st.end,
      SummaryStatistics: summaryStatistics(st),
      ResponseTimeHistogram: histogram(st.times),
      Aliases: [],
    });
    const services: object[] = [];
    if (clientEdges.size) {
      services.push({
        ReferenceId: 0,
        Type: "client",
        State: "unknown",
        Root: true,
        StartTime: start,
        EndTime: end,
        Edges: [...clientEdges].filter(([k]) => ref.has(k)).map(([k, st]) => edgeOut(k, st)),
      });
    }
    for (const key of keys) {
      const { node, edges, stats, root } = nodes.get(key)!;
      services.push({
        ReferenceId: ref.get(key),
        Name: node.id.Name,
        Names: node.id.Names,
        Root: root,
        AccountId: node.id.AccountId,
        Type: node.id.Type,
        State: "active",
        StartTime: stats.start,
        EndTime: stats.end,
        Edges: [...edges].filter(([k]) => ref.has(k)).map(([k, st]) => edgeOut(k, st)),
        SummaryStatistics: summaryStatistics(stats),
        DurationHistogram: histogram(stats.times),
        ResponseTimeHistogram: histogram(stats.times),
      });
    }
    return { StartTime: start, EndTime: end, Services: services, ContainsOldGroupVersions: false };
  }
}

function mergeStats(into: CallStats, from: CallStats): void {
  into.ok += from.ok;
  into.error += from.error;
  into.throttle += from.throttle;
  into.fault += from.fault;
  for (const t of from.times) into.times.push(t);
  into.start = Math.min(into.start, from.start);
  into.end = Math.max(into.end, from.end);
}

function summaryStatistics(st: CallStats): object {
  const total = st.ok + st.error + st.throttle + st.fault;
  return {
    OkCount: st.ok,
    ErrorStatistics: { ThrottleCount: st.throttle, OtherCount: st.error, TotalCount: st.error + st.throttle },
    FaultStatistics: { OtherCount: st.fault, TotalCount: st.fault },
    TotalCount: total,
    TotalResponseTime: round3(st.times.reduce((a, b) => a + b, 0)),
  };
}

/** Response times grouped to the millisecond, as HistogramEntry values in seconds. */
function histogram(times: number[]): { Value: number; Count: number }[] {
  const counts = new Map<number, number>();
  for (const t of times) {
    const v = round3(t);
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => a[0] - b[0]).map(([Value, Count]) => ({ Value, Count }));
}

/** Deterministic value in [0,1) from a trace id, for sampling. */
function sampleHash(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return (h >>> 0) / 4294967296;
}

function tokenOf<T>(token: string | undefined): T | undefined {
  try {
    return decodeToken<T>(token, "InvalidRequestException");
  } catch {
    throw invalid("The specified NextToken is not valid.");
  }
}
