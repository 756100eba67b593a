/**
 * CloudWatch Logs for the sandbox (awsJson1_1, target prefix Logs_20140328): log groups
 * and streams, PutLogEvents with AWS's batch rules, FilterLogEvents / GetLogEvents over
 * time-sorted per-stream storage, and subscription filters delivering to Lambda or to a
 * Firehose HTTP endpoint.
 */
import {
  AwsServiceError,
  decodeToken,
  encodeToken,
  type LogEventInput,
  type SandboxContext,
  type SandboxService,
} from "../core.ts";
import { jsonProtocol } from "../protocols.ts";
import { FilterPatternError, compileFilterPattern, type MessagePredicate } from "./logs-filter-pattern.ts";
import { EventMergeHeap, LogStreamData, eventIdOf, eventSize, positionOf, type EventPosition, type StreamSnapshot } from "./logs-store.ts";
import { SubscriptionDelivery, firehoseStreamName, parseFirehoseEnv, type DeliveryStats, type FirehoseEndpoint } from "./logs-subscriptions.ts";

const invalid = (message: string) => new AwsServiceError("InvalidParameterException", message);
const notFound = (message: string) => new AwsServiceError("ResourceNotFoundException", message);

const DAY_MS = 24 * 3600_000;
const MAX_BATCH_BYTES = 1_048_576;
const MAX_PAGE_BYTES = 1_048_576;
const MAX_EVENTS = 10_000;
const MAX_SUBSCRIPTION_FILTERS = 2;
/** Events examined per FilterLogEvents call before answering with a partial page and a token. */
const MAX_SCAN_PER_PAGE = 500_000;
const END_OF_TIME = 9_000_000_000_000_000;
const GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const STREAM_NAME = /^[^:*]{1,512}$/;
const FILTER_NAME = /^[^:*]{1,512}$/;

interface SubscriptionFilterState {
  filterName: string;
  filterPattern: string;
  destinationArn: string;
  roleArn?: string;
  distribution: string;
  applyOnTransformedLogs: boolean;
  creationTime: number;
}

class LogGroupData {
  streams = new Map<string, LogStreamData>();
  filters: SubscriptionFilterState[] = [];
  matchers = new Map<string, MessagePredicate>();
  private sortedNames: string[] | null = null;

  constructor(
    readonly name: string,
    readonly creationTime: number,
    public options: { retentionInDays?: number; kmsKeyId?: string; logGroupClass: string; tags: Record<string, string>; deletionProtectionEnabled?: boolean },
  ) {}

  addStream(stream: LogStreamData): void {
    this.streams.set(stream.name, stream);
    this.sortedNames = null;
  }

  streamNames(): string[] {
    if (!this.sortedNames) this.sortedNames = [...this.streams.keys()].sort();
    return this.sortedNames;
  }

  setFilters(filters: SubscriptionFilterState[]): void {
    this.filters = filters;
    this.matchers = new Map(filters.map((f) => [f.filterName, compileFilterPattern(f.filterPattern)]));
  }
}

interface PendingEvent {
  g: string;
  s: string;
  ts: number;
  msg: string;
  /** Epoch ms at which the event is ingested (becomes visible). */
  at: number;
}

interface LogsSnapshot {
  seq: number;
  groups: {
    name: string;
    creationTime: number;
    options: LogGroupData["options"];
    filters: SubscriptionFilterState[];
    streams: StreamSnapshot[];
  }[];
  pending: PendingEvent[];
}

interface StoredEvent {
  id: string;
  timestamp: number;
  message: string;
}

/** CloudWatch Logs in the sandbox. */
export class LogsService implements SandboxService {
  readonly signingName: string;
  readonly matches: SandboxService["matches"];
  readonly renderError: SandboxService["renderError"];
  readonly throttlingError: SandboxService["throttlingError"];
  readonly resolve: SandboxService["resolve"];

  private groups = new Map<string, LogGroupData>();
  private sortedGroupNames: string[] | null = null;
  private pending: PendingEvent[] = [];
  private seq = 0;
  private readonly delivery: SubscriptionDelivery;

  constructor(private readonly ctx: SandboxContext) {
    const proto = jsonProtocol({
      signingName: "logs",
      targetPrefix: "Logs_20140328",
      jsonVersion: "1.1",
      operations: {
        CreateLogGroup: (input) => this.createLogGroup(input),
        DeleteLogGroup: (input) => this.deleteLogGroup(input),
        CreateLogStream: (input) => this.createLogStream(input),
        PutLogEvents: (input) => this.putLogEvents(input),
        DescribeLogGroups: (input) => this.describeLogGroups(input),
        DescribeLogStreams: (input) => this.describeLogStreams(input),
        FilterLogEvents: (input) => this.filterLogEvents(input),
        GetLogEvents: (input) => this.getLogEvents(input),
        PutSubscriptionFilter: (input) => this.putSubscriptionFilter(input),
        DescribeSubscriptionFilters: (input) => this.describeSubscriptionFilters(input),
        DeleteSubscriptionFilter: (input) => this.deleteSubscriptionFilter(input),
      },
      throttlingError: () => new AwsServiceError("ThrottlingException", "Rate exceeded", 400),
    });
    this.signingName = proto.signingName;
    this.matches = proto.matches;
    this.renderError = proto.renderError;
    this.throttlingError = proto.throttlingError;
    this.resolve = (req, ctx) => {
      const op = proto.resolve(req, ctx);
      if (op) this.promote();
      return op;
    };
    this.delivery = new SubscriptionDelivery(ctx, parseFirehoseEnv(process.env.FAASIGHT_SANDBOX_FIREHOSE), () => this.promote());
  }

  /** In-process PutLogEvents as Lambda writes: creates the group/stream when missing, no batch rules. */
  putLogEventsInternal(group: string, stream: string, events: LogEventInput[]): void {
    const now = this.ctx.now();
    const g = this.groups.get(group) ?? this.addGroup(group, now, { logGroupClass: "STANDARD", tags: {} });
    if (!g.streams.has(stream)) g.addStream(new LogStreamData(stream, now));
    this.ingest(g, stream, [...events].sort((a, b) => a.timestamp - b.timestamp), now);
    this.ctx.touch();
  }

  /** Registers (or replaces) the HTTP endpoint of a Firehose delivery stream used by subscription filters. */
  registerFirehoseEndpoint(streamName: string, endpoint: FirehoseEndpoint): void {
    this.delivery.registerFirehoseEndpoint(streamName, endpoint);
  }

  /** Delivers all buffered subscription data now and waits until every delivery finished. */
  flushSubscriptions(): Promise<void> {
    return this.delivery.flush();
  }

  /** Counters of subscription deliveries (delivered records, failed attempts, dropped records). */
  subscriptionStats(): DeliveryStats {
    return { ...this.delivery.stats };
  }

  snapshot(): LogsSnapshot {
    return {
      seq: this.seq,
      groups: [...this.groups.values()].map((g) => ({
        name: g.name,
        creationTime: g.creationTime,
        options: g.options,
        filters: g.filters,
        streams: [...g.streams.values()].map((s) => s.toJSON()),
      })),
      pending: this.pending,
    };
  }

  restore(state: unknown): void {
    const snap = state as LogsSnapshot;
    this.groups = new Map();
    this.sortedGroupNames = null;
    this.seq = snap?.seq ?? 0;
    for (const g of snap?.groups ?? []) {
      const group = new LogGroupData(g.name, g.creationTime, g.options);
      group.setFilters(g.filters);
      for (const s of g.streams) group.addStream(LogStreamData.fromJSON(s));
      this.groups.set(group.name, group);
    }
    this.pending = snap?.pending ?? [];
  }

  // ---------------------------------------------------------------- ingestion

  private addGroup(name: string, now: number, options: LogGroupData["options"]): LogGroupData {
    const g = new LogGroupData(name, now, options);
    this.groups.set(name, g);
    this.sortedGroupNames = null;
    return g;
  }

  /** Stores events (or holds back the late-fault share), then feeds subscription filters. */
  private ingest(g: LogGroupData, stream: string, events: LogEventInput[], now: number): void {
    const f = this.ctx.faults("logs", "PutLogEvents");
    const visible: LogEventInput[] = [];
    for (const e of events) {
      if (f.lateRate && f.lateMs && this.ctx.random() < f.lateRate) this.pending.push({ g: g.name, s: stream, ts: e.timestamp, msg: e.message, at: now + f.lateMs });
      else visible.push(e);
    }
    this.store(g, g.streams.get(stream)!, visible, now);
  }

  private store(g: LogGroupData, s: LogStreamData, events: LogEventInput[], ingestionTime: number): void {
    if (events.length === 0) return;
    const subscribed = g.filters.length > 0;
    const stored: StoredEvent[] = [];
    for (const e of events) {
      const seq = ++this.seq;
      s.insert(e.timestamp, ingestionTime, seq, e.message);
      if (subscribed) stored.push({ id: eventIdOf(e.timestamp, seq), timestamp: e.timestamp, message: e.message });
    }
    for (const filter of g.filters) {
      const match = g.matchers.get(filter.filterName)!;
      const matched = stored.filter((e) => match(e.message));
      if (matched.length === 0) continue;
      this.delivery.enqueue(
        filter.destinationArn,
        { messageType: "DATA_MESSAGE", owner: this.ctx.accountId, logGroup: g.name, logStream: s.name, subscriptionFilters: [filter.filterName] },
        matched,
      );
    }
  }

  /** Ingests held-back events whose time has come, with their original timestamps and a later ingestion time. */
  private promote(): void {
    if (this.pending.length === 0) return;
    const now = this.ctx.now();
    const due = this.pending.filter((p) => p.at <= now);
    if (due.length === 0) return;
    this.pending = this.pending.filter((p) => p.at > now);
    const batches = new Map<string, PendingEvent[]>();
    for (const p of due) {
      const key = `${p.g}\u0000${p.s}\u0000${p.at}`;
      (batches.get(key) ?? batches.set(key, []).get(key)!).push(p);
    }
    for (const batch of batches.values()) {
      const { g: groupName, s: streamName, at } = batch[0]!;
      const g = this.groups.get(groupName);
      const s = g?.streams.get(streamName);
      if (!g || !s) continue;
      this.store(g, s, batch.map((p) => ({ timestamp: p.ts, message: p.msg })), at);
    }
    this.ctx.touch();
  }

  // ---------------------------------------------------------------- lookups

  private groupNamed(name: unknown): LogGroupData {
    if (typeof name !== "string" || name === "") throw invalid("1 validation error detected: Value null at 'logGroupName' failed to satisfy constraint: Member must not be null");
    const g = this.groups.get(name);
    if (!g) throw notFound("The specified log group does not exist.");
    return g;
  }

  /** The group named by logGroupName or logGroupIdentifier (name or ARN), exactly one of them. */
  private groupFrom(input: { logGroupName?: string; logGroupIdentifier?: string }): LogGroupData {
    if (input.logGroupName && input.logGroupIdentifier) throw invalid("LogGroup name and LogGroup ARN are mutually exclusive parameters.");
    const id = input.logGroupName ?? input.logGroupIdentifier;
    if (!id) throw invalid("Should provide either name or ARN of the log group.");
    return this.groupNamed(id.startsWith("arn:") ? groupNameFromArn(id) : id);
  }

  private streamOf(g: LogGroupData, name: unknown): LogStreamData {
    if (typeof name !== "string" || name === "") throw invalid("1 validation error detected: Value null at 'logStreamName' failed to satisfy constraint: Member must not be null");
    const s = g.streams.get(name);
    if (!s) throw notFound("The specified log stream does not exist.");
    return s;
  }

  private groupArn(name: string): string {
    return `arn:aws:logs:${this.ctx.region}:${this.ctx.accountId}:log-group:${name}`;
  }

  // ---------------------------------------------------------------- operations

  private createLogGroup(input: { logGroupName?: string; kmsKeyId?: string; tags?: Record<string, string>; logGroupClass?: string; deletionProtectionEnabled?: boolean }): object {
    const name = input.logGroupName;
    if (typeof name !== "string" || !GROUP_NAME.test(name)) throw invalid(`1 validation error detected: Value '${name}' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+`);
    const cls = input.logGroupClass ?? "STANDARD";
    if (!["STANDARD", "INFREQUENT_ACCESS", "DELIVERY"].includes(cls)) throw invalid(`Invalid logGroupClass: ${cls}`);
    if (this.groups.has(name)) throw new AwsServiceError("ResourceAlreadyExistsException", "The specified log group already exists");
    this.addGroup(name, this.ctx.now(), { kmsKeyId: input.kmsKeyId, logGroupClass: cls, tags: { ...input.tags }, deletionProtectionEnabled: input.deletionProtectionEnabled });
    this.ctx.touch();
    return {};
  }

  private deleteLogGroup(input: { logGroupName?: string }): object {
    const g = this.groupNamed(input.logGroupName);
    if (g.options.deletionProtectionEnabled) throw new AwsServiceError("OperationAbortedException", "The log group has deletion protection enabled.");
    this.groups.delete(g.name);
    this.sortedGroupNames = null;
    this.pending = this.pending.filter((p) => p.g !== g.name);
    this.ctx.touch();
    return {};
  }

  private createLogStream(input: { logGroupName?: string; logStreamName?: string }): object {
    const g = this.groupNamed(input.logGroupName);
    const name = input.logStreamName;
    if (typeof name !== "string" || !STREAM_NAME.test(name)) throw invalid(`1 validation error detected: Value '${name}' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*`);
    if (g.streams.has(name)) throw new AwsServiceError("ResourceAlreadyExistsException", "The specified log stream already exists");
    g.addStream(new LogStreamData(name, this.ctx.now()));
    this.ctx.touch();
    return {};
  }

  private putLogEvents(input: { logGroupName?: string; logStreamName?: string; logEvents?: { timestamp?: number; message?: string }[] }): object {
    const g = this.groupNamed(input.logGroupName);
    const s = this.streamOf(g, input.logStreamName);
    const events = input.logEvents ?? [];
    if (events.length === 0) throw invalid("1 validation error detected: Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1");
    if (events.length > MAX_EVENTS) throw invalid(`1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length less than or equal to ${MAX_EVENTS}`);
    let bytes = 0;
    for (const [i, e] of events.entries()) {
      if (typeof e.timestamp !== "number" || !Number.isInteger(e.timestamp) || e.timestamp < 0) throw invalid(`1 validation error detected: Value at 'logEvents.${i + 1}.member.timestamp' failed to satisfy constraint: Member must have value greater than or equal to 0`);
      if (typeof e.message !== "string" || e.message.length === 0) throw invalid(`1 validation error detected: Value at 'logEvents.${i + 1}.member.message' failed to satisfy constraint: Member must have length greater than or equal to 1`);
      if (i > 0 && e.timestamp < events[i - 1]!.timestamp!) throw invalid("Log events in a single PutLogEvents request must be in chronological order.");
      bytes += eventSize(e.message);
    }
    if (bytes > MAX_BATCH_BYTES) throw invalid(`Upload too large: ${bytes} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
    if (events[events.length - 1]!.timestamp! - events[0]!.timestamp! > DAY_MS) throw invalid("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.");

    const now = this.ctx.now();
    const tooNewFrom = now + 2 * 3600_000;
    const tooOldBefore = now - 14 * DAY_MS;
    const expiredBefore = g.options.retentionInDays ? now - g.options.retentionInDays * DAY_MS : -Infinity;
    const rejected: { tooNewLogEventStartIndex?: number; tooOldLogEventEndIndex?: number; expiredLogEventEndIndex?: number } = {};
    const accepted: LogEventInput[] = [];
    events.forEach((e, i) => {
      const ts = e.timestamp!;
      if (ts > tooNewFrom) rejected.tooNewLogEventStartIndex ??= i;
      else if (ts < expiredBefore && expiredBefore >= tooOldBefore) rejected.expiredLogEventEndIndex = i;
      else if (ts < tooOldBefore) rejected.tooOldLogEventEndIndex = i;
      else accepted.push({ timestamp: ts, message: e.message! });
    });
    this.ingest(g, s.name, accepted, now);
    s.uploadSeq++;
    this.ctx.touch();
    return {
      nextSequenceToken: String(s.uploadSeq).padStart(56, "0"),
      rejectedLogEventsInfo: Object.keys(rejected).length ? rejected : undefined,
    };
  }

  private describeLogGroups(input: { logGroupNamePrefix?: string; logGroupNamePattern?: string; nextToken?: string; limit?: number; logGroupClass?: string; logGroupIdentifiers?: string[] }): object {
    if (input.logGroupNamePrefix && input.logGroupNamePattern) throw invalid("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.");
    const limit = pageLimit(input.limit, this.ctx.pageSize("logs", "DescribeLogGroups", 50), 50);
    const cursor = tokenOf<{ after: string }>(input.nextToken);
    if (!this.sortedGroupNames) this.sortedGroupNames = [...this.groups.keys()].sort();
    const names = this.sortedGroupNames;
    const identifiers = input.logGroupIdentifiers?.map((id) => (id.startsWith("arn:") ? groupNameFromArn(id) : id));
    const pattern = input.logGroupNamePattern?.toLowerCase();
    const out: object[] = [];
    let next: string | undefined;
    for (let i = cursor ? upperBound(names, cursor.after) : 0; i < names.length; i++) {
      const g = this.groups.get(names[i]!)!;
      if (input.logGroupNamePrefix && !g.name.startsWith(input.logGroupNamePrefix)) continue;
      if (pattern && !g.name.toLowerCase().includes(pattern)) continue;
      if (input.logGroupClass && g.options.logGroupClass !== input.logGroupClass) continue;
      if (identifiers && !identifiers.includes(g.name)) continue;
      if (out.length === limit) {
        next = encodeToken({ after: names[i - 1] });
        break;
      }
      let storedBytes = 0;
      for (const s of g.streams.values()) storedBytes += s.storedBytes;
      out.push({
        logGroupName: g.name,
        creationTime: g.creationTime,
        retentionInDays: g.options.retentionInDays,
        metricFilterCount: 0,
        arn: `${this.groupArn(g.name)}:*`,
        storedBytes,
        kmsKeyId: g.options.kmsKeyId,
        logGroupClass: g.options.logGroupClass,
        logGroupArn: this.groupArn(g.name),
        deletionProtectionEnabled: g.options.deletionProtectionEnabled,
      });
    }
    return { logGroups: out, nextToken: next };
  }

  private describeLogStreams(input: { logGroupName?: string; logGroupIdentifier?: string; logStreamNamePrefix?: string; orderBy?: string; descending?: boolean; nextToken?: string; limit?: number }): object {
    const g = this.groupFrom(input);
    const orderBy = input.orderBy ?? "LogStreamName";
    if (orderBy !== "LogStreamName" && orderBy !== "LastEventTime") throw invalid(`1 validation error detected: Value '${orderBy}' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LastEventTime, LogStreamName]`);
    if (orderBy === "LastEventTime" && input.logStreamNamePrefix) throw invalid("Cannot order by LastEventTime with a logStreamNamePrefix.");
    const limit = pageLimit(input.limit, this.ctx.pageSize("logs", "DescribeLogStreams", 50), 50);
    const cursor = tokenOf<{ o: number }>(input.nextToken);
    let streams = g.streamNames().map((n) => g.streams.get(n)!);
    if (input.logStreamNamePrefix) streams = streams.filter((s) => s.name.startsWith(input.logStreamNamePrefix!));
    if (orderBy === "LastEventTime") streams = [...streams].sort((a, b) => lastEvent(a) - lastEvent(b) || (a.name < b.name ? -1 : 1));
    if (input.descending) streams = [...streams].reverse();
    const offset = cursor?.o ?? 0;
    const page = streams.slice(offset, offset + limit);
    return {
      logStreams: page.map((s) => ({
        logStreamName: s.name,
        creationTime: s.creationTime,
        firstEventTimestamp: s.size ? s.ts[0] : undefined,
        lastEventTimestamp: s.size ? s.ts[s.size - 1] : undefined,
        lastIngestionTime: s.lastIngestionTime,
        uploadSequenceToken: String(s.uploadSeq).padStart(56, "0"),
        arn: `${this.groupArn(g.name)}:log-stream:${s.name}`,
        // AWS deprecated storedBytes for streams and always reports zero.
        storedBytes: 0,
      })),
      nextToken: offset + limit < streams.length ? encodeToken({ o: offset + limit }) : undefined,
    };
  }

  private filterLogEvents(input: {
    logGroupName?: string;
    logGroupIdentifier?: string;
    logStreamNames?: string[];
    logStreamNamePrefix?: string;
    startTime?: number;
    endTime?: number;
    filterPattern?: string;
    nextToken?: string;
    limit?: number;
  }): object {
    const g = this.groupFrom(input);
    if (input.logStreamNames?.length && input.logStreamNamePrefix) throw invalid("Cannot specify both logStreamNames and logStreamNamePrefix.");
    if (input.logStreamNames && input.logStreamNames.length > 100) throw invalid("1 validation error detected: Value at 'logStreamNames' failed to satisfy constraint: Member must have length less than or equal to 100");
    const limit = pageLimit(input.limit, this.ctx.pageSize("logs", "FilterLogEvents", MAX_EVENTS), MAX_EVENTS);
    const match = compilePattern(input.filterPattern);
    const cursor = tokenOf<EventPosition>(input.nextToken);
    // AWS documents startTime and endTime as inclusive ("later than endTime are not returned").
    const start = input.startTime ?? 0;
    const end = input.endTime ?? END_OF_TIME;
    let streams: LogStreamData[];
    if (input.logStreamNames?.length) streams = input.logStreamNames.map((n) => g.streams.get(n)).filter((s): s is LogStreamData => !!s);
    else if (input.logStreamNamePrefix) streams = g.streamNames().filter((n) => n.startsWith(input.logStreamNamePrefix!)).map((n) => g.streams.get(n)!);
    else streams = [...g.streams.values()];

    const heap = new EventMergeHeap();
    const endIndex = new Map<LogStreamData, number>();
    for (const s of streams) {
      if (s.size === 0 || s.ts[0]! > end || s.ts[s.size - 1]! < start) continue;
      let i = s.firstAtOrAfterTime(start);
      if (cursor) i = Math.max(i, s.firstAfter(cursor));
      const j = s.firstAtOrAfterTime(end + 1);
      if (i >= j) continue;
      endIndex.set(s, j);
      heap.push(s, i);
    }
    const events: object[] = [];
    let bytes = 0;
    let scanned = 0;
    let last: EventPosition | undefined;
    let stoppedEarly = false;
    while (heap.size > 0) {
      const { s, i } = heap.peek()!;
      const message = s.msg[i]!;
      if (++scanned > MAX_SCAN_PER_PAGE) {
        // A selective pattern over a large window: return what we have and continue later (AWS pages can be empty).
        stoppedEarly = true;
        break;
      }
      if (match(message)) {
        const size = eventSize(message);
        if (events.length >= limit || bytes + size > MAX_PAGE_BYTES) {
          stoppedEarly = true;
          break;
        }
        bytes += size;
        events.push({ logStreamName: s.name, timestamp: s.ts[i], message, ingestionTime: s.ing[i], eventId: eventIdOf(s.ts[i]!, s.seq[i]!) });
      }
      last = { ts: s.ts[i]!, seq: s.seq[i]! };
      heap.advance((x) => endIndex.get(x)!);
    }
    return { events, searchedLogStreams: [], nextToken: stoppedEarly && last ? encodeToken(last) : undefined };
  }

  private getLogEvents(input: { logGroupName?: string; logGroupIdentifier?: string; logStreamName?: string; startTime?: number; endTime?: number; nextToken?: string; limit?: number; startFromHead?: boolean }): object {
    const g = this.groupFrom(input);
    const s = this.streamOf(g, input.logStreamName);
    const limit = pageLimit(input.limit, this.ctx.pageSize("logs", "GetLogEvents", MAX_EVENTS), MAX_EVENTS);
    // GetLogEvents' endTime is exclusive ("equal to or later than this time are not included").
    const lo = s.firstAtOrAfterTime(input.startTime ?? 0);
    const hi = input.endTime === undefined ? s.size : s.firstAtOrAfterTime(input.endTime);
    let forward = input.startFromHead ?? false;
    let from: EventPosition | undefined;
    if (input.nextToken) {
      const m = /^([fb])\/(\d{56})$/.exec(input.nextToken);
      const pos = m ? positionOf(m[2]!) : undefined;
      if (!m || !pos) throw invalid("The specified nextToken is invalid.");
      forward = m[1] === "f";
      from = pos;
    }
    const out: { timestamp: number; message: string; ingestionTime: number }[] = [];
    let first = -1;
    let lastIdx = -1;
    let bytes = 0;
    if (forward) {
      let i = from ? Math.max(lo, s.firstAfter(from)) : lo;
      for (; i < hi && out.length < limit; i++) {
        bytes += eventSize(s.msg[i]!);
        if (bytes > MAX_PAGE_BYTES && out.length > 0) break;
        out.push({ timestamp: s.ts[i]!, message: s.msg[i]!, ingestionTime: s.ing[i]! });
        if (first < 0) first = i;
        lastIdx = i;
      }
    } else {
      // Backward: the `limit` events just before the position, returned oldest first.
      let i = (from ? Math.min(hi, s.firstAfter({ ts: from.ts, seq: from.seq - 1 })) : hi) - 1;
      const picked: number[] = [];
      for (; i >= lo && picked.length < limit; i--) {
        bytes += eventSize(s.msg[i]!);
        if (bytes > MAX_PAGE_BYTES && picked.length > 0) break;
        picked.push(i);
      }
      picked.reverse();
      for (const k of picked) out.push({ timestamp: s.ts[k]!, message: s.msg[k]!, ingestionTime: s.ing[k]! });
      if (picked.length) {
        first = picked[0]!;
        lastIdx = picked[picked.length - 1]!;
      }
    }
    let fwd: EventPosition;
    let back: EventPosition;
    if (out.length) {
      fwd = { ts: s.ts[lastIdx]!, seq: s.seq[lastIdx]! };
      back = { ts: s.ts[first]!, seq: s.seq[first]! };
    } else {
      // Nothing more in this direction: hand back the same position (AWS returns the same token).
      fwd = back = from ?? { ts: input.startTime ?? 0, seq: 0 };
    }
    return { events: out, nextForwardToken: `f/${eventIdOf(fwd.ts, fwd.seq)}`, nextBackwardToken: `b/${eventIdOf(back.ts, back.seq)}` };
  }

  private putSubscriptionFilter(input: { logGroupName?: string; filterName?: string; filterPattern?: string; destinationArn?: string; roleArn?: string; distribution?: string; applyOnTransformedLogs?: boolean }): object {
    const g = this.groupNamed(input.logGroupName);
    const name = input.filterName;
    if (typeof name !== "string" || !FILTER_NAME.test(name)) throw invalid(`1 validation error detected: Value '${name}' at 'filterName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*`);
    if (typeof input.filterPattern !== "string") throw invalid("1 validation error detected: Value null at 'filterPattern' failed to satisfy constraint: Member must not be null");
    if (input.filterPattern.length > 1024) throw invalid("1 validation error detected: Value at 'filterPattern' failed to satisfy constraint: Member must have length less than or equal to 1024");
    const dest = input.destinationArn;
    if (typeof dest !== "string" || !/^arn:aws[\w-]*:(lambda|firehose|kinesis|logs):/.test(dest)) throw invalid(`Invalid destinationArn: ${dest}`);
    const distribution = input.distribution ?? "ByLogStream";
    if (distribution !== "Random" && distribution !== "ByLogStream") throw invalid(`Invalid distribution: ${distribution}`);
    compilePattern(input.filterPattern);
    const existing = g.filters.find((f) => f.filterName === name);
    if (!existing && g.filters.length >= MAX_SUBSCRIPTION_FILTERS) throw new AwsServiceError("LimitExceededException", "Resource limit exceeded.");
    const filter: SubscriptionFilterState = {
      filterName: name,
      filterPattern: input.filterPattern,
      destinationArn: dest,
      roleArn: input.roleArn,
      distribution,
      applyOnTransformedLogs: input.applyOnTransformedLogs ?? false,
      creationTime: existing?.creationTime ?? this.ctx.now(),
    };
    g.setFilters(existing ? g.filters.map((f) => (f === existing ? filter : f)) : [...g.filters, filter]);
    if (!existing && firehoseStreamName(dest)) {
      // Like AWS, a new subscription first sends a health-check control message.
      this.delivery.enqueuePayload(dest, {
        messageType: "CONTROL_MESSAGE",
        owner: "CloudwatchLogs",
        logGroup: "",
        logStream: "",
        subscriptionFilters: [],
        logEvents: [{ id: "", timestamp: this.ctx.now(), message: "CWL CONTROL MESSAGE: Checking health of destination Firehose." }],
      });
    }
    this.ctx.touch();
    return {};
  }

  private describeSubscriptionFilters(input: { logGroupName?: string; filterNamePrefix?: string; nextToken?: string; limit?: number }): object {
    const g = this.groupNamed(input.logGroupName);
    const limit = pageLimit(input.limit, this.ctx.pageSize("logs", "DescribeSubscriptionFilters", 50), 50);
    const cursor = tokenOf<{ o: number }>(input.nextToken);
    const filters = g.filters.filter((f) => !input.filterNamePrefix || f.filterName.startsWith(input.filterNamePrefix)).sort((a, b) => (a.filterName < b.filterName ? -1 : 1));
    const offset = cursor?.o ?? 0;
    return {
      subscriptionFilters: filters.slice(offset, offset + limit).map((f) => ({ ...f, logGroupName: g.name })),
      nextToken: offset + limit < filters.length ? encodeToken({ o: offset + limit }) : undefined,
    };
  }

  private deleteSubscriptionFilter(input: { logGroupName?: string; filterName?: string }): object {
    const g = this.groupNamed(input.logGroupName);
    if (!g.filters.some((f) => f.filterName === input.filterName)) throw notFound("The specified subscription filter does not exist.");
    g.setFilters(g.filters.filter((f) => f.filterName !== input.filterName));
    this.ctx.touch();
    return {};
  }
}

function compilePattern(pattern: string | undefined): MessagePredicate {
  try {
    return compileFilterPattern(pattern);
  } catch (err) {
    if (err instanceof FilterPatternError) throw invalid(`Invalid filter pattern: ${err.message}`);
    throw err;
  }
}

function groupNameFromArn(arn: string): string {
  const m = /^arn:aws[\w-]*:logs:[^:]*:\d*:log-group:(.+?)(?::\*)?$/.exec(arn);
  if (!m) throw invalid(`Invalid log group ARN: ${arn}`);
  return m[1]!;
}

function lastEvent(s: LogStreamData): number {
  return s.size ? s.ts[s.size - 1]! : 0;
}

function pageLimit(requested: number | undefined, pageSize: number, max: number): number {
  if (requested === undefined || requested === null) return pageSize;
  if (!Number.isInteger(requested) || requested < 1 || requested > max) {
    throw invalid(`1 validation error detected: Value '${requested}' at 'limit' failed to satisfy constraint: Member must have value between 1 and ${max}`);
  }
  return Math.min(requested, pageSize);
}

function tokenOf<T>(token: string | undefined): T | undefined {
  try {
    return decodeToken<T>(token, "InvalidParameterException");
  } catch {
    throw invalid("The specified nextToken is invalid.");
  }
}

/** First index with arr[i] > x (arr ascending). */
function upperBound(arr: string[], x: string): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
