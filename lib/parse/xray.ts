// Summarizes the segment documents of one X-Ray trace (BatchGetTraces Trace.Segments[].Document)
// into what the invocation view needs: Lambda identity, cold start, flags, a waterfall and downstream calls.
import { asNumber, asRecord, asString, describeError, tryParseJson, unparsed, type Unparsed } from "./unparsed.ts";

export interface TraceSegment {
  id: string;
  parentId?: string;
  name: string;
  origin?: string;
  /** Milliseconds from the trace start. */
  startMs: number;
  durationMs: number;
  /** Nesting level in the waterfall (0 for roots). */
  depth: number;
  fault: boolean;
  error: boolean;
  throttle: boolean;
  httpStatus?: number;
  namespace?: string;
  /** X-Ray inferred this segment from a client-side subsegment (e.g. DynamoDB). */
  inferred?: boolean;
  /** No end_time yet; durationMs is 0. */
  inProgress?: boolean;
}

export interface DownstreamCall {
  id: string;
  name: string;
  namespace: "aws" | "remote";
  operation?: string;
  /** Table, queue, function, bucket or first resource name the call touched. */
  resource?: string;
  url?: string;
  method?: string;
  startMs: number;
  durationMs: number;
  httpStatus?: number;
  fault: boolean;
  error: boolean;
  throttle: boolean;
}

export interface TraceException {
  segmentId: string;
  type?: string;
  message?: string;
  remote?: boolean;
}

export interface TraceSummary {
  kind: "trace";
  traceId: string;
  /** Epoch milliseconds. */
  startTime: number;
  /** Epoch milliseconds. */
  endTime: number;
  durationMs: number;
  rootName: string;
  functionName?: string;
  /** resource_arn of the AWS::Lambda segment, qualifier included when X-Ray recorded one. */
  functionArn?: string;
  /** Qualifier (version or alias) from the function ARN. */
  version?: string;
  /** aws.request_id of the AWS::Lambda segment: joins the trace to log lines. */
  requestId?: string;
  /** An Initialization (or SnapStart Restore) subsegment ran in this invocation. */
  coldStart: boolean;
  initMs?: number;
  restoreMs?: number;
  /** Duration of the function's Invocation subsegment (the handler). */
  invocationMs?: number;
  /** Duration of the function's Overhead subsegment (runtime work after the response was sent). */
  overheadMs?: number;
  fault: boolean;
  error: boolean;
  throttle: boolean;
  httpStatus?: number;
  /** Waterfall order: depth-first, siblings by start time. */
  segments: TraceSegment[];
  downstreamCalls: DownstreamCall[];
  exceptions: TraceException[];
  /** Documents skipped because they were not valid segment JSON or belonged to another trace. */
  malformed: number;
}

export type TraceSummaryResult = TraceSummary | (Unparsed & { malformed: number });

interface Node {
  id: string;
  parentId?: string;
  name: string;
  origin?: string;
  start: number;
  end?: number;
  fault: boolean;
  error: boolean;
  throttle: boolean;
  httpStatus?: number;
  namespace?: string;
  inferred: boolean;
  raw: Record<string, unknown>;
  order: number;
}

const MAX_NODES = 100_000;
const LAMBDA_ARN_RE = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9_-]+)(?::([A-Za-z0-9$_-]+))?$/;

/** Builds a trace summary from raw segment documents; malformed documents are skipped and counted, never thrown. */
export function summarizeTrace(traceId: string, documents: readonly string[]): TraceSummaryResult {
  let malformed = 0;
  try {
    const nodes = new Map<string, Node>();
    const docs = Array.isArray(documents) ? documents : [];
    for (const doc of docs) {
      if (typeof doc !== "string") {
        malformed++;
        continue;
      }
      const parsed = tryParseJson(doc);
      const seg = parsed.ok ? asRecord(parsed.value) : undefined;
      if (!seg || !isSegmentShape(seg)) {
        malformed++;
        continue;
      }
      const docTrace = asString(seg.trace_id);
      if (docTrace !== undefined && typeof traceId === "string" && traceId !== "" && docTrace !== traceId) {
        malformed++;
        continue;
      }
      collectNodes(seg, asString(seg.parent_id), nodes);
    }
    if (nodes.size === 0) return { ...unparsed("no valid segment documents"), malformed };
    return buildSummary(typeof traceId === "string" ? traceId : "", nodes, malformed);
  } catch (err) {
    return { ...unparsed(`trace summary failed: ${describeError(err)}`), malformed };
  }
}

function isSegmentShape(seg: Record<string, unknown>): boolean {
  return asString(seg.id) !== undefined && isEpochSeconds(seg.start_time);
}

/** Epoch seconds between 1970 and ~5000: anything else is corrupt and would poison the time axis. */
function isEpochSeconds(x: unknown): x is number {
  return typeof x === "number" && Number.isFinite(x) && x >= 0 && x < 1e11;
}

/** Flattens a segment and its nested subsegments iteratively (documents can nest deeper than the JS stack). */
function collectNodes(root: Record<string, unknown>, rootParent: string | undefined, nodes: Map<string, Node>): void {
  const stack: Array<{ seg: Record<string, unknown>; parentId?: string }> = [{ seg: root, parentId: rootParent }];
  while (stack.length > 0 && nodes.size < MAX_NODES) {
    const { seg, parentId } = stack.pop()!;
    const id = asString(seg.id);
    const start = isEpochSeconds(seg.start_time) ? seg.start_time : undefined;
    if (id === undefined || start === undefined) continue;
    if (!nodes.has(id)) nodes.set(id, toNode(seg, id, start, parentId, nodes.size));
    const subs = seg.subsegments;
    if (Array.isArray(subs)) {
      for (let i = subs.length - 1; i >= 0; i--) {
        const sub = asRecord(subs[i]);
        if (sub) stack.push({ seg: sub, parentId: id });
      }
    }
  }
}

function toNode(
  seg: Record<string, unknown>,
  id: string,
  start: number,
  parentId: string | undefined,
  order: number,
): Node {
  const end = isEpochSeconds(seg.end_time) ? seg.end_time : undefined;
  const http = asRecord(seg.http);
  const status = asNumber(asRecord(http?.response)?.status);
  const node: Node = {
    id,
    name: typeof seg.name === "string" ? seg.name : "",
    start,
    end: end !== undefined && end >= start ? end : undefined,
    fault: seg.fault === true,
    error: seg.error === true,
    throttle: seg.throttle === true,
    inferred: seg.inferred === true,
    raw: seg,
    order,
  };
  const explicitParent = asString(seg.parent_id);
  const parent = parentId ?? explicitParent;
  if (parent !== undefined && parent !== id) node.parentId = parent;
  const origin = asString(seg.origin);
  if (origin !== undefined) node.origin = origin;
  if (status !== undefined && Number.isInteger(status)) node.httpStatus = status;
  const namespace = asString(seg.namespace);
  if (namespace !== undefined) node.namespace = namespace;
  return node;
}

function buildSummary(traceId: string, nodes: Map<string, Node>, malformed: number): TraceSummary {
  const all = [...nodes.values()];
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const n of all) {
    if (n.start < t0) t0 = n.start;
    const end = n.end ?? n.start;
    if (end > t1) t1 = end;
  }

  const children = new Map<string, Node[]>();
  const roots: Node[] = [];
  for (const n of all) {
    if (n.parentId !== undefined && nodes.has(n.parentId)) {
      const list = children.get(n.parentId);
      if (list) list.push(n);
      else children.set(n.parentId, [n]);
    } else {
      roots.push(n);
    }
  }
  const byStart = (a: Node, b: Node) => a.start - b.start || a.order - b.order;
  roots.sort(byStart);
  for (const list of children.values()) list.sort(byStart);

  const segments: TraceSegment[] = [];
  const visited = new Set<string>();
  const walk = (from: Node) => {
    const stack: Array<{ node: Node; depth: number }> = [{ node: from, depth: 0 }];
    while (stack.length > 0) {
      const { node, depth } = stack.pop()!;
      if (visited.has(node.id)) continue;
      visited.add(node.id);
      segments.push(toSegment(node, depth, t0));
      const kids = children.get(node.id);
      if (kids) for (let k = kids.length - 1; k >= 0; k--) stack.push({ node: kids[k], depth: depth + 1 });
    }
  };
  for (const r of roots) walk(r);
  // Nodes whose parent links form a cycle (corrupt documents) are unreachable from any root.
  if (visited.size < all.length) {
    const orphans = all.filter((n) => !visited.has(n.id)).sort(byStart);
    for (const n of orphans) {
      if (visited.has(n.id)) continue;
      roots.push(n);
      walk(n);
    }
  }

  const root = roots.find((n) => n.parentId === undefined) ?? roots[0];
  const summary: TraceSummary = {
    kind: "trace",
    traceId,
    startTime: round3(t0 * 1000),
    endTime: round3(t1 * 1000),
    durationMs: round3((t1 - t0) * 1000),
    rootName: root.name,
    coldStart: false,
    fault: all.some((n) => n.fault),
    error: all.some((n) => n.error),
    throttle: all.some((n) => n.throttle),
    segments,
    downstreamCalls: collectDownstream(segments, nodes),
    exceptions: collectExceptions(all),
    malformed,
  };
  if (root.httpStatus !== undefined) summary.httpStatus = root.httpStatus;
  describeLambda(summary, all, children);
  return summary;
}

function toSegment(n: Node, depth: number, t0: number): TraceSegment {
  const seg: TraceSegment = {
    id: n.id,
    name: n.name,
    startMs: round3((n.start - t0) * 1000),
    durationMs: n.end === undefined ? 0 : round3((n.end - n.start) * 1000),
    depth,
    fault: n.fault,
    error: n.error,
    throttle: n.throttle,
  };
  if (n.parentId !== undefined) seg.parentId = n.parentId;
  if (n.origin !== undefined) seg.origin = n.origin;
  if (n.httpStatus !== undefined) seg.httpStatus = n.httpStatus;
  if (n.namespace !== undefined) seg.namespace = n.namespace;
  if (n.inferred) seg.inferred = true;
  if (n.end === undefined) seg.inProgress = true;
  return seg;
}

function describeLambda(summary: TraceSummary, all: Node[], children: Map<string, Node[]>): void {
  const byStart = (a: Node, b: Node) => a.start - b.start || a.order - b.order;
  const lambda = all.filter((n) => n.origin === "AWS::Lambda").sort(byStart)[0];
  const functions = all.filter((n) => n.origin === "AWS::Lambda::Function").sort(byStart);
  const fn = (lambda && functions.find((f) => f.parentId === lambda.id)) ?? functions[0];
  if (!lambda && !fn) return;

  const fnAws = asRecord(fn?.raw.aws);
  const arn =
    asString(lambda?.raw.resource_arn) ?? asString(fn?.raw.resource_arn) ?? asString(fnAws?.function_arn);
  if (arn !== undefined) {
    summary.functionArn = arn;
    const m = LAMBDA_ARN_RE.exec(arn);
    if (m) {
      summary.functionName = m[1];
      if (m[2] !== undefined) summary.version = m[2];
    }
  }
  summary.functionName ??= lambda?.name || fn?.name || undefined;
  const requestId = asString(asRecord(lambda?.raw.aws)?.request_id);
  if (requestId !== undefined) summary.requestId = requestId;

  if (fn) {
    for (const child of children.get(fn.id) ?? []) {
      if (child.name === "Initialization") {
        summary.coldStart = true;
        if (child.end !== undefined) summary.initMs = round3((child.end - child.start) * 1000);
      } else if (child.name === "Restore") {
        summary.coldStart = true;
        if (child.end !== undefined) summary.restoreMs = round3((child.end - child.start) * 1000);
      } else if (child.name === "Invocation") {
        if (child.end !== undefined) summary.invocationMs = round3((child.end - child.start) * 1000);
      } else if (child.name === "Overhead") {
        if (child.end !== undefined) summary.overheadMs = round3((child.end - child.start) * 1000);
      }
    }
  }
}

function collectDownstream(segments: TraceSegment[], nodes: Map<string, Node>): DownstreamCall[] {
  const calls: DownstreamCall[] = [];
  for (const seg of segments) {
    if (seg.namespace !== "aws" && seg.namespace !== "remote") continue;
    const raw = nodes.get(seg.id)?.raw ?? {};
    const aws = asRecord(raw.aws);
    const request = asRecord(asRecord(raw.http)?.request);
    const call: DownstreamCall = {
      id: seg.id,
      name: seg.name,
      namespace: seg.namespace,
      startMs: seg.startMs,
      durationMs: seg.durationMs,
      fault: seg.fault,
      error: seg.error,
      throttle: seg.throttle,
    };
    const operation = asString(aws?.operation);
    if (operation !== undefined) call.operation = operation;
    const names = Array.isArray(aws?.resource_names) ? aws.resource_names : [];
    const resource =
      asString(aws?.table_name) ??
      asString(aws?.queue_url) ??
      asString(aws?.function_name) ??
      asString(aws?.bucket_name) ??
      asString(aws?.topic_arn) ??
      asString(names[0]);
    if (resource !== undefined) call.resource = resource;
    const url = asString(request?.url);
    if (url !== undefined) call.url = url;
    const method = asString(request?.method);
    if (method !== undefined) call.method = method;
    if (seg.httpStatus !== undefined) call.httpStatus = seg.httpStatus;
    calls.push(call);
  }
  return calls.sort((a, b) => a.startMs - b.startMs);
}

function collectExceptions(all: Node[]): TraceException[] {
  const out: TraceException[] = [];
  for (const n of all) {
    const exceptions = asRecord(n.raw.cause)?.exceptions;
    if (!Array.isArray(exceptions)) continue;
    for (const e of exceptions) {
      const rec = asRecord(e);
      if (!rec) continue;
      const ex: TraceException = { segmentId: n.id };
      const type = asString(rec.type);
      if (type !== undefined) ex.type = type;
      const message = asString(rec.message);
      if (message !== undefined) ex.message = message;
      if (typeof rec.remote === "boolean") ex.remote = rec.remote;
      out.push(ex);
    }
  }
  return out;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
