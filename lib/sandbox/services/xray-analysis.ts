/**
 * Pure X-Ray trace analysis for the sandbox: assembles a trace's segment documents
 * (independent subsegments folded into their parents, inferred segments for aws/remote
 * calls, as BatchGetTraces returns them), derives the GetTraceSummaries fields and the
 * per-trace services and edges that GetServiceGraph aggregates.
 */

/** A segment or subsegment document (only the fields the sandbox reads are typed). */
export interface SegmentDoc {
  id: string;
  name?: string;
  trace_id?: string;
  parent_id?: string;
  type?: string;
  start_time: number;
  end_time?: number;
  in_progress?: boolean;
  origin?: string;
  namespace?: string;
  error?: boolean;
  fault?: boolean;
  throttle?: boolean;
  inferred?: boolean;
  user?: string;
  resource_arn?: string;
  http?: { request?: { url?: string; method?: string; user_agent?: string; client_ip?: string }; response?: { status?: number } };
  aws?: Record<string, unknown> & { account_id?: string; ec2?: { instance_id?: string; availability_zone?: string } };
  annotations?: Record<string, string | number | boolean>;
  cause?: { exceptions?: { message?: string; type?: string; remote?: boolean }[] } | string;
  subsegments?: SegmentDoc[];
  [key: string]: unknown;
}

export interface ServiceId {
  Name: string;
  Names: string[];
  AccountId?: string;
  Type: string;
}

/** Outcome counts and response times of calls to a service or along an edge. */
export interface CallStats {
  ok: number;
  error: number;
  throttle: number;
  fault: number;
  /** Response times in seconds. */
  times: number[];
  start: number;
  end: number;
}

export interface ServiceNode {
  id: ServiceId;
  inferred: boolean;
  root: boolean;
  stats: CallStats;
  edges: Map<string, CallStats>;
}

export interface TraceAnalysis {
  id: string;
  /** Segment documents (folded subsegments, inferred segments) as BatchGetTraces returns them. */
  documents: SegmentDoc[];
  duration: number;
  responseTime: number;
  startTime: number;
  hasFault: boolean;
  hasError: boolean;
  hasThrottle: boolean;
  isPartial: boolean;
  http: { url?: string; method?: string; status?: number; userAgent?: string; clientIp?: string };
  annotations: Map<string, { value: string | number | boolean; services: ServiceId[] }[]>;
  users: Map<string, ServiceId[]>;
  services: Map<string, ServiceNode>;
  entryPoint?: ServiceId;
  resourceArns: string[];
  instanceIds: string[];
  availabilityZones: string[];
  faultRootCauses: unknown[];
  errorRootCauses: unknown[];
}

const INFERRED_TYPES: Record<string, string> = {
  DynamoDB: "AWS::DynamoDB::Table",
  S3: "AWS::S3::Bucket",
  SQS: "AWS::SQS::Queue",
  SNS: "AWS::SNS::Topic",
  Lambda: "AWS::Lambda",
  Kinesis: "AWS::Kinesis::Stream",
  EventBridge: "AWS::Events",
  CloudWatchEvents: "AWS::Events",
  STS: "AWS::STS",
  SecretsManager: "AWS::SecretsManager",
  SSM: "AWS::SSM",
  StepFunctions: "AWS::StepFunctions::StateMachine",
};

const serviceKey = (id: ServiceId) => `${id.Name}\u0000${id.Type}`;

/** Zeroed call statistics. */
export function emptyStats(): CallStats {
  return { ok: 0, error: 0, throttle: 0, fault: 0, times: [], start: Infinity, end: -Infinity };
}

function record(stats: CallStats, doc: SegmentDoc): void {
  if (doc.fault) stats.fault++;
  else if (doc.throttle) stats.throttle++;
  else if (doc.error) stats.error++;
  else stats.ok++;
  if (doc.end_time !== undefined) stats.times.push(doc.end_time - doc.start_time);
  stats.start = Math.min(stats.start, doc.start_time);
  stats.end = Math.max(stats.end, doc.end_time ?? doc.start_time);
}

/** The type of the inferred node for an aws/remote subsegment. */
function inferredType(sub: SegmentDoc): string {
  if (sub.namespace === "remote") return "remote";
  return INFERRED_TYPES[sub.name ?? ""] ?? `AWS::${sub.name ?? "Unknown"}`;
}

function walk(doc: SegmentDoc, visit: (d: SegmentDoc, depth: number) => void, depth = 0): void {
  visit(doc, depth);
  for (const sub of doc.subsegments ?? []) walk(sub, visit, depth + 1);
}

/**
 * Assembles and analyses a trace from its stored documents (latest version per id).
 * Documents are assumed valid (PutTraceSegments validated them).
 */
export function analyzeTrace(traceId: string, rawDocs: string[]): TraceAnalysis {
  const parsed = rawDocs.map((raw) => JSON.parse(raw) as SegmentDoc);
  // Freshly parsed, so folding subsegments into them mutates nothing shared.
  const segments = parsed.filter((d) => d.type !== "subsegment");
  const independent = parsed.filter((d) => d.type === "subsegment").sort((a, b) => a.start_time - b.start_time);

  // Fold independent subsegments into their parents (which may arrive in any order).
  const byId = new Map<string, SegmentDoc>();
  const segmentOf = new Map<string, SegmentDoc>();
  for (const s of segments) walk(s, (d) => (byId.set(d.id, d), segmentOf.set(d.id, s)));
  let remaining = independent;
  for (let pass = 0; pass < 8 && remaining.length; pass++) {
    const next: SegmentDoc[] = [];
    for (const sub of remaining) {
      const parent = sub.parent_id ? byId.get(sub.parent_id) : undefined;
      if (!parent) {
        next.push(sub);
        continue;
      }
      const { type: _t, trace_id: _tr, parent_id: _p, ...embedded } = sub;
      const copy = embedded as SegmentDoc;
      (parent.subsegments ??= []).push(copy);
      const seg = segmentOf.get(parent.id)!;
      walk(copy, (d) => (byId.set(d.id, d), segmentOf.set(d.id, seg)));
    }
    remaining = next;
  }

  const realParents = new Set(segments.map((s) => s.parent_id).filter((p): p is string => !!p));
  const serviceOf = (s: SegmentDoc): ServiceId => ({ Name: s.name ?? "", Names: [s.name ?? ""], AccountId: s.aws?.account_id, Type: s.origin ?? "None" });
  const services = new Map<string, ServiceNode>();
  const node = (id: ServiceId, inferred: boolean): ServiceNode => {
    const key = serviceKey(id);
    let n = services.get(key);
    if (!n) services.set(key, (n = { id, inferred, root: false, stats: emptyStats(), edges: new Map() }));
    return n;
  };
  const edge = (from: ServiceNode, to: ServiceNode, doc: SegmentDoc) => {
    const key = serviceKey(to.id);
    const st = from.edges.get(key) ?? emptyStats();
    from.edges.set(key, st);
    record(st, doc);
  };

  const out: TraceAnalysis = {
    id: traceId,
    documents: [],
    duration: 0,
    responseTime: 0,
    startTime: 0,
    hasFault: false,
    hasError: false,
    hasThrottle: false,
    isPartial: false,
    http: {},
    annotations: new Map(),
    users: new Map(),
    services,
    resourceArns: [],
    instanceIds: [],
    availabilityZones: [],
    faultRootCauses: [],
    errorRootCauses: [],
  };

  let minStart = Infinity;
  let maxEnd = -Infinity;
  const inferredDocs: SegmentDoc[] = [];
  const roots = segments.filter((s) => !s.parent_id || !byId.has(s.parent_id)).sort((a, b) => a.start_time - b.start_time);
  for (const seg of segments) {
    const svc = node(serviceOf(seg), false);
    record(svc.stats, seg);
    if (seg.resource_arn && !out.resourceArns.includes(seg.resource_arn)) out.resourceArns.push(seg.resource_arn);
    const ec2 = seg.aws?.ec2;
    if (ec2?.instance_id && !out.instanceIds.includes(ec2.instance_id)) out.instanceIds.push(ec2.instance_id);
    if (ec2?.availability_zone && !out.availabilityZones.includes(ec2.availability_zone)) out.availabilityZones.push(ec2.availability_zone);
    if (seg.user) out.users.set(seg.user, [...(out.users.get(seg.user) ?? []), svc.id]);
    if (seg.parent_id && byId.has(seg.parent_id)) {
      const parentSeg = segmentOf.get(seg.parent_id)!;
      edge(node(serviceOf(parentSeg), false), svc, seg);
    }
    walk(seg, (d) => {
      minStart = Math.min(minStart, d.start_time);
      if (d.end_time !== undefined) maxEnd = Math.max(maxEnd, d.end_time);
      if (d.in_progress) out.isPartial = true;
      if (d.fault) out.hasFault = true;
      if (d.error) out.hasError = true;
      if (d.throttle) out.hasThrottle = true;
      for (const [k, v] of Object.entries(d.annotations ?? {})) {
        const list = out.annotations.get(k) ?? [];
        const existing = list.find((x) => x.value === v);
        if (existing) {
          if (!existing.services.some((s) => serviceKey(s) === serviceKey(svc.id))) existing.services.push(svc.id);
        } else list.push({ value: v, services: [svc.id] });
        out.annotations.set(k, list);
      }
      if (d !== seg && (d.namespace === "aws" || d.namespace === "remote") && !realParents.has(d.id)) {
        const target = node({ Name: d.name ?? "", Names: [d.name ?? ""], Type: inferredType(d), AccountId: seg.aws?.account_id }, true);
        record(target.stats, d);
        edge(svc, target, d);
        inferredDocs.push({
          id: d.id,
          name: d.name,
          start_time: d.start_time,
          end_time: d.end_time,
          in_progress: d.in_progress,
          parent_id: seg.id,
          inferred: true,
          trace_id: traceId,
          origin: target.id.Type,
          aws: d.aws,
          http: d.http,
          error: d.error,
          fault: d.fault,
          throttle: d.throttle,
          cause: d.cause,
        });
      }
    });
  }
  const root = roots[0];
  if (root) {
    const rootNode = services.get(serviceKey(serviceOf(root)))!;
    rootNode.root = true;
    out.entryPoint = rootNode.id;
    out.startTime = root.start_time;
    out.responseTime = root.end_time !== undefined ? root.end_time - root.start_time : 0;
    const req = root.http?.request;
    out.http = { url: req?.url, method: req?.method, status: root.http?.response?.status, userAgent: req?.user_agent, clientIp: req?.client_ip };
  }
  out.duration = Number.isFinite(minStart) && Number.isFinite(maxEnd) ? maxEnd - minStart : 0;
  if (!root && Number.isFinite(minStart)) out.startTime = minStart;
  out.faultRootCauses = rootCauses(segments, serviceOf, "fault");
  out.errorRootCauses = rootCauses(segments, serviceOf, "error");
  out.documents = [...segments, ...inferredDocs.map(stripUndefined)];
  return out;
}

function stripUndefined(d: SegmentDoc): SegmentDoc {
  return Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined)) as SegmentDoc;
}

/** The deepest faulted (or errored) entity per segment, as TraceSummary root causes. */
function rootCauses(segments: SegmentDoc[], serviceOf: (s: SegmentDoc) => ServiceId, flag: "fault" | "error"): unknown[] {
  const causes: unknown[] = [];
  for (const seg of segments) {
    if (!seg[flag]) continue;
    let best: { path: SegmentDoc[]; depth: number } | undefined;
    const visit = (d: SegmentDoc, path: SegmentDoc[]) => {
      if (!d[flag]) return;
      const p = [...path, d];
      if (!best || p.length > best.depth) best = { path: p, depth: p.length };
      for (const sub of d.subsegments ?? []) visit(sub, p);
    };
    visit(seg, []);
    if (!best) continue;
    const svc = serviceOf(seg);
    causes.push({
      Services: [
        {
          Name: svc.Name,
          Names: svc.Names,
          Type: svc.Type,
          AccountId: svc.AccountId,
          Inferred: false,
          EntityPath: best.path.map((d) => ({
            Name: d.name,
            Exceptions: typeof d.cause === "object" ? (d.cause.exceptions ?? []).map((e) => ({ Name: e.type, Message: e.message })) : [],
            Remote: typeof d.cause === "object" ? (d.cause.exceptions ?? []).some((e) => e.remote) : false,
          })),
        },
      ],
      ClientImpacting: true,
    });
  }
  return causes;
}

/** The TraceSummary wire shape (restJson: timestamps as epoch seconds). */
export function toTraceSummary(a: TraceAnalysis, revision: number): Record<string, unknown> {
  const annotations: Record<string, unknown[]> = {};
  for (const [k, list] of a.annotations) {
    annotations[k] = list.map(({ value, services }) => ({
      AnnotationValue: typeof value === "number" ? { NumberValue: value } : typeof value === "boolean" ? { BooleanValue: value } : { StringValue: String(value) },
      ServiceIds: services,
    }));
  }
  const http = a.http;
  return {
    Id: a.id,
    StartTime: a.startTime,
    Duration: round3(a.duration),
    ResponseTime: round3(a.responseTime),
    HasFault: a.hasFault,
    HasError: a.hasError,
    HasThrottle: a.hasThrottle,
    IsPartial: a.isPartial,
    Http: { HttpURL: http.url, HttpStatus: http.status, HttpMethod: http.method, UserAgent: http.userAgent, ClientIp: http.clientIp },
    Annotations: annotations,
    Users: [...a.users].map(([UserName, ServiceIds]) => ({ UserName, ServiceIds })),
    ServiceIds: [...a.services.values()].map((n) => n.id),
    ResourceARNs: a.resourceArns.map((ARN) => ({ ARN })),
    InstanceIds: a.instanceIds.map((Id) => ({ Id })),
    AvailabilityZones: a.availabilityZones.map((Name) => ({ Name })),
    EntryPoint: a.entryPoint,
    FaultRootCauses: a.faultRootCauses,
    ErrorRootCauses: a.errorRootCauses,
    ResponseTimeRootCauses: [],
    Revision: revision,
  };
}

/** Rounds seconds to milliseconds, as X-Ray reports durations. */
export function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

// ---------------------------------------------------------------- filter expressions

/** Raised for a filter expression the sandbox cannot parse or does not support. */
export class FilterExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FilterExpressionError";
  }
}

type Pred = (a: TraceAnalysis) => boolean;
type ServicePred = (n: ServiceNode) => boolean;

interface Token {
  kind: "str" | "num" | "word" | "op" | "punct";
  v: string;
}

function tokenizeFilter(src: string): Token[] {
  const out: Token[] = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|(-?\d+(?:\.\d+)?)(?![\w.])|(&&|\|\||!=|<=|>=|=|<|>|!)|([(){},:])|([A-Za-z_][\w.]*))/y;
  let pos = 0;
  while (pos < src.length) {
    if (src.slice(pos).trim() === "") break;
    re.lastIndex = pos;
    const m = re.exec(src);
    if (!m) throw new FilterExpressionError(`Invalid filter expression near: ${src.slice(pos)}`);
    pos = re.lastIndex;
    if (m[1] !== undefined) out.push({ kind: "str", v: m[1].replace(/\\(.)/g, "$1") });
    else if (m[2] !== undefined) out.push({ kind: "num", v: m[2] });
    else if (m[3] !== undefined) out.push({ kind: "op", v: m[3] });
    else if (m[4] !== undefined) out.push({ kind: "punct", v: m[4] });
    else out.push({ kind: "word", v: m[5]! });
  }
  return out;
}

function compareValue(actual: unknown, op: string, expected: Token): boolean {
  if (actual === undefined || actual === null) return false;
  if (expected.kind === "num") {
    const a = Number(actual);
    const e = Number(expected.v);
    if (Number.isNaN(a)) return false;
    return { "=": a === e, "!=": a !== e, "<": a < e, "<=": a <= e, ">": a > e, ">=": a >= e }[op] ?? false;
  }
  const a = String(actual);
  const e = expected.v;
  switch (op.toUpperCase()) {
    case "=":
      return a === e;
    case "!=":
      return a !== e;
    case "CONTAINS":
      return a.includes(e);
    case "BEGINSWITH":
      return a.startsWith(e);
    case "ENDSWITH":
      return a.endsWith(e);
    default:
      return false;
  }
}

const BOOL_KEYWORDS: Record<string, (a: TraceAnalysis) => boolean> = {
  ok: (a) => !a.hasError && !a.hasFault && !a.hasThrottle,
  error: (a) => a.hasError,
  fault: (a) => a.hasFault,
  throttle: (a) => a.hasThrottle,
  partial: (a) => a.isPartial,
};

const SERVICE_BOOL: Record<string, (n: ServiceNode) => boolean> = {
  ok: (n) => n.stats.ok > 0,
  error: (n) => n.stats.error > 0,
  fault: (n) => n.stats.fault > 0,
  throttle: (n) => n.stats.throttle > 0,
};

/**
 * Compiles the supported subset of X-Ray filter expressions: ok/error/fault/throttle/partial,
 * responsetime/duration/http.status comparisons, http.url/method/useragent/clientip and
 * annotation.KEY / user comparisons (= != CONTAINS BEGINSWITH ENDSWITH), service("name")
 * or service(id(name: "n", type: "t")) optionally with { keyword }, edge("a", "b"),
 * combined with AND/OR/NOT (&&, ||, !) and parentheses.
 */
export function compileFilterExpression(src: string): Pred {
  const toks = tokenizeFilter(src);
  let pos = 0;
  const peek = () => toks[pos];
  const next = (): Token => {
    const t = toks[pos++];
    if (!t) throw new FilterExpressionError("Unexpected end of filter expression.");
    return t;
  };
  const expectPunct = (v: string) => {
    const t = next();
    if (t.v !== v) throw new FilterExpressionError(`Expected '${v}' in filter expression, got '${t.v}'.`);
  };
  const isWord = (t: Token | undefined, w: string) => t?.kind === "word" && t.v.toUpperCase() === w;
  const isOp = (t: Token | undefined) => t?.kind === "op" && t.v !== "!" && t.v !== "&&" && t.v !== "||";
  const isStringOp = (t: Token | undefined) => isWord(t, "CONTAINS") || isWord(t, "BEGINSWITH") || isWord(t, "ENDSWITH");

  const or = (): Pred => {
    let left = and();
    while (isWord(peek(), "OR") || peek()?.v === "||") {
      next();
      const l = left;
      const r = and();
      left = (a) => l(a) || r(a);
    }
    return left;
  };
  const and = (): Pred => {
    let left = not();
    while (isWord(peek(), "AND") || peek()?.v === "&&") {
      next();
      const l = left;
      const r = not();
      left = (a) => l(a) && r(a);
    }
    return left;
  };
  const not = (): Pred => {
    if (isWord(peek(), "NOT") || peek()?.v === "!") {
      next();
      const inner = not();
      return (a) => !inner(a);
    }
    return primary();
  };
  const serviceSelector = (): ((n: ServiceNode) => boolean) => {
    expectPunct("(");
    let match: (n: ServiceNode) => boolean = () => true;
    if (peek()?.kind === "str") {
      const name = next().v;
      match = (n) => n.id.Name === name || n.id.Names.includes(name);
    } else if (isWord(peek(), "ID")) {
      next();
      expectPunct("(");
      const conds: ((n: ServiceNode) => boolean)[] = [];
      while (peek()?.v !== ")") {
        const key = next().v.toLowerCase();
        expectPunct(":");
        const value = next();
        if (value.kind !== "str") throw new FilterExpressionError("id() values must be quoted strings.");
        if (key === "name") conds.push((n) => n.id.Name === value.v);
        else if (key === "type") conds.push((n) => n.id.Type === value.v);
        else if (key === "account.id") conds.push((n) => n.id.AccountId === value.v);
        else throw new FilterExpressionError(`Unknown id() key ${key}.`);
        if (peek()?.v === ",") next();
      }
      expectPunct(")");
      match = (n) => conds.every((c) => c(n));
    }
    expectPunct(")");
    return match;
  };
  const serviceCondition = (): ServicePred => {
    const t = next();
    if (t.kind !== "word") throw new FilterExpressionError(`Unexpected '${t.v}' in service filter.`);
    const w = t.v.toLowerCase();
    if (SERVICE_BOOL[w]) {
      if (peek()?.v === "=") {
        next();
        const b = next().v.toLowerCase() === "true";
        return (n) => SERVICE_BOOL[w]!(n) === b;
      }
      return SERVICE_BOOL[w]!;
    }
    if (w === "responsetime" || w === "duration") {
      const op = next();
      const value = next();
      return (n) => n.stats.times.some((x) => compareValue(x, op.v, value));
    }
    throw new FilterExpressionError(`The sandbox does not support '${t.v}' inside a service filter.`);
  };
  const primary = (): Pred => {
    const t = next();
    if (t.v === "(" && t.kind === "punct") {
      const inner = or();
      expectPunct(")");
      return inner;
    }
    if (t.kind !== "word") throw new FilterExpressionError(`Unexpected '${t.v}' in filter expression.`);
    const w = t.v.toLowerCase();
    if (w === "service") {
      const sel = serviceSelector();
      let cond: ServicePred = () => true;
      if (peek()?.v === "{") {
        next();
        cond = serviceCondition();
        expectPunct("}");
      }
      return (a) => [...a.services.values()].some((n) => sel(n) && cond(n));
    }
    if (w === "edge") {
      expectPunct("(");
      const from = next();
      expectPunct(",");
      const to = next();
      expectPunct(")");
      return (a) =>
        [...a.services.values()].some((n) => (n.id.Name === from.v || n.id.Names.includes(from.v)) && [...n.edges.keys()].some((k) => k.split("\u0000")[0] === to.v));
    }
    if (BOOL_KEYWORDS[w]) {
      if (peek()?.v === "=" || peek()?.v === "!=") {
        const op = next().v;
        const b = next().v.toLowerCase() === "true";
        return (a) => (BOOL_KEYWORDS[w]!(a) === b) === (op === "=");
      }
      return BOOL_KEYWORDS[w]!;
    }
    const getter = fieldGetter(w);
    if (!getter) throw new FilterExpressionError(`The sandbox does not support the filter keyword '${t.v}'.`);
    const op = next();
    if (!isOp(op) && !isStringOp(op)) throw new FilterExpressionError(`Expected a comparison after '${t.v}'.`);
    const value = next();
    if (value.kind !== "str" && value.kind !== "num" && !(value.kind === "word" && ["true", "false"].includes(value.v.toLowerCase()))) {
      throw new FilterExpressionError(`Expected a value after '${t.v} ${op.v}'.`);
    }
    return (a) => getter(a).some((actual) => compareValue(actual, op.v, value));
  };
  const pred = or();
  if (pos !== toks.length) throw new FilterExpressionError(`Unexpected '${toks[pos]!.v}' in filter expression.`);
  return pred;
}

function fieldGetter(field: string): ((a: TraceAnalysis) => unknown[]) | undefined {
  switch (field) {
    case "responsetime":
      return (a) => [a.responseTime];
    case "duration":
      return (a) => [a.duration];
    case "http.status":
      return (a) => [a.http.status];
    case "http.url":
      return (a) => [a.http.url];
    case "http.method":
      return (a) => [a.http.method];
    case "http.useragent":
      return (a) => [a.http.userAgent];
    case "http.clientip":
      return (a) => [a.http.clientIp];
    case "user":
      return (a) => [...a.users.keys()];
  }
  if (field.startsWith("annotation.") || field.startsWith("annotation[")) {
    const key = field.replace(/^annotation\.?/, "").replace(/^\[|\]$/g, "");
    return (a) => (a.annotations.get(key) ?? []).map((x) => x.value);
  }
  return undefined;
}
