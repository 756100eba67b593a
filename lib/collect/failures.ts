/**
 * Failures collector: for each DLQ and on-failure destination queue, the depth every cycle
 * (GetQueueAttributes) and, when enabled and the queue changed, a capture of its messages
 * (ReceiveMessage with a short visibility timeout, never deleting). Reading a message
 * increments its ApproximateReceiveCount, so capture is skipped while nothing changed.
 */
import { GetQueueAttributesCommand, ReceiveMessageCommand, type Message, type SQSClient } from "@aws-sdk/client-sqs";
import type { DbProvider } from "../db-url.ts";
import { parseFailedEvent } from "../parse/failed-event.ts";
import { all, insertRows, run, toNum, type Sql, type Store } from "../store/sql.ts";

export const FAILURES_COLLECTOR = "failures";

export interface FailureQueue {
  id: number;
  name: string;
  url: string;
  arn: string;
  role: "dlq" | "destination";
  /** The single function whose DLQ/destination this is, when there is exactly one. */
  functionId?: number;
  functionName?: string;
}

export interface FailuresCollectOptions {
  store: Store;
  now: number;
  /** every-cycle: capture when a queue changed; on-demand: depth only (capture via captureQueue). */
  capture: "every-cycle" | "on-demand";
  /** Seconds a received message stays hidden (other consumers see it again right after). */
  visibilityTimeout?: number;
  maxMessagesPerQueue?: number;
  /** Function name -> id (to link destination records to their function). */
  functionIds: Map<string, number>;
  signal?: AbortSignal;
}

export interface QueueResult {
  queue: string;
  depth: number;
  inFlight: number;
  captured: number;
  written: number;
  malformed: number;
  error?: string;
}

export interface FailuresResult {
  queues: QueueResult[];
  written: number;
  malformed: number;
  failed: number;
}

/** Whether a capture is needed: the queue holds a different number of messages than stored (pure). */
export function needsCapture(total: number, storedPresent: number): boolean {
  return total !== storedPresent;
}

/** Receives up to `max` distinct messages without deleting any. */
export async function receiveAll(sqs: SQSClient, url: string, total: number, max: number, visibilityTimeout: number, signal?: AbortSignal): Promise<Message[]> {
  const seen = new Map<string, Message>();
  const want = Math.min(total, max);
  let idle = 0;
  const maxCalls = Math.ceil(want / 10) * 3 + 5;
  for (let call = 0; call < maxCalls && seen.size < want && idle < 3 && !signal?.aborted; call++) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: visibilityTimeout,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      }),
    );
    let fresh = 0;
    for (const m of out.Messages ?? []) {
      if (!m.MessageId || seen.has(m.MessageId)) continue;
      seen.set(m.MessageId, m);
      fresh++;
    }
    idle = fresh === 0 ? idle + 1 : 0;
  }
  return [...seen.values()];
}

const FE_COLUMNS = [
  "queueId",
  "messageId",
  "sourceKind",
  "functionId",
  "functionName",
  "qualifier",
  "requestId",
  "errorCode",
  "errorMessage",
  "condition",
  "attempts",
  "payload",
  "attributesJson",
  "receiveCount",
  "sentAt",
  "firstSeenAt",
  "lastSeenAt",
  "status",
];

/** Stores captured messages of one queue (by message id), its depth, and marks messages gone after a full capture. */
export function* writeQueueCapture(
  dialect: DbProvider,
  q: FailureQueue,
  depth: { visible: number; inFlight: number; at: Date; oldestAgeSec: number | null },
  rows: unknown[][] | null,
  complete: boolean,
): Sql<number> {
  yield* run(`UPDATE "Queue" SET "depth" = ?, "depthInFlight" = ?, "depthAt" = ?, "oldestAgeSec" = COALESCE(?, "oldestAgeSec") WHERE "id" = ?`, [
    depth.visible,
    depth.inFlight,
    depth.at,
    depth.oldestAgeSec,
    q.id,
  ]);
  if (!rows) return 0;
  const existing = new Set((yield* all<{ messageId: string }>(`SELECT "messageId" FROM "FailedEvent" WHERE "queueId" = ?`, [q.id])).map((r) => String(r.messageId)));
  yield* insertRows(dialect, "FailedEvent", FE_COLUMNS, rows, { conflict: ["queueId", "messageId"], update: ["receiveCount", "lastSeenAt"] });
  if (complete) {
    const ids = rows.map((r) => String(r[1]));
    const placeholders = ids.map(() => "?").join(", ");
    yield* run(`UPDATE "FailedEvent" SET "status" = 'gone' WHERE "queueId" = ? AND "status" = 'new'${ids.length ? ` AND "messageId" NOT IN (${placeholders})` : ""}`, [q.id, ...ids]);
  }
  return rows.filter((r) => !existing.has(String(r[1]))).length;
}

/** The FailedEvent row of a received message (null when unparseable). */
export function failedEventRow(q: FailureQueue, m: Message, functionIds: Map<string, number>, now: Date): unknown[] | null {
  const parsed = parseFailedEvent(m);
  if (parsed.kind !== "failed_event") return null;
  const fnName = parsed.functionName ?? q.functionName;
  const fnId = fnName ? (functionIds.get(fnName) ?? (fnName === q.functionName ? q.functionId : undefined)) : q.functionId;
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.MessageAttributes ?? {})) attrs[k] = v.StringValue ?? "";
  return [
    q.id,
    parsed.messageId,
    parsed.sourceKind,
    fnId ?? null,
    fnName ?? null,
    parsed.qualifier ?? null,
    parsed.requestId ?? null,
    parsed.errorCode ?? null,
    parsed.errorMessage ?? null,
    parsed.condition ?? null,
    parsed.attempts ?? null,
    parsed.payload,
    JSON.stringify({ messageAttributes: attrs, attributes: m.Attributes ?? {} }),
    parsed.receiveCount ?? toNum(m.Attributes?.ApproximateReceiveCount ?? 0),
    parsed.sentAt ? new Date(parsed.sentAt) : null,
    now,
    now,
    "new",
  ];
}

/** Depth, then (when needed) capture, of one queue. */
export async function collectQueue(sqs: SQSClient, q: FailureQueue, opts: FailuresCollectOptions, forceCapture = false): Promise<QueueResult> {
  const res: QueueResult = { queue: q.name, depth: 0, inFlight: 0, captured: 0, written: 0, malformed: 0 };
  try {
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: q.url, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"] }),
    );
    res.depth = toNum(attrs.Attributes?.ApproximateNumberOfMessages ?? 0);
    res.inFlight = toNum(attrs.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    const total = res.depth + res.inFlight;
    const present = toNum(
      (await opts.store.read(() => all<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "FailedEvent" WHERE "queueId" = ? AND "status" NOT IN ('gone', 'replayed', 'discarded')`, [q.id])))[0]?.n,
    );
    let rows: unknown[][] | null = null;
    let complete = false;
    let oldestAgeSec: number | null = null;
    if ((opts.capture === "every-cycle" || forceCapture) && (forceCapture || needsCapture(total, present)) && total > 0) {
      const max = opts.maxMessagesPerQueue ?? 1000;
      const messages = await receiveAll(sqs, q.url, total, max, opts.visibilityTimeout ?? 5, opts.signal);
      res.captured = messages.length;
      const now = new Date(opts.now);
      rows = [];
      let oldest = Infinity;
      for (const m of messages) {
        const row = failedEventRow(q, m, opts.functionIds, now);
        if (row) rows.push(row);
        else res.malformed++;
        const sent = Number(m.Attributes?.SentTimestamp);
        if (Number.isFinite(sent)) oldest = Math.min(oldest, sent);
      }
      if (oldest !== Infinity) oldestAgeSec = Math.max(0, Math.round((opts.now - oldest) / 1000));
      complete = messages.length >= total && total <= max;
    } else if (total === 0 && present > 0) {
      rows = [];
      complete = true;
    }
    res.written = await opts.store.transaction(() => writeQueueCapture(opts.store.dialect, q, { visible: res.depth, inFlight: res.inFlight, at: new Date(opts.now), oldestAgeSec }, rows, complete));
  } catch (err) {
    res.error = `${(err as Error).name}: ${(err as Error).message}`;
  }
  return res;
}

/** One failures cycle over the DLQ and destination queues of a source. */
export async function collectFailures(sqs: SQSClient, queues: FailureQueue[], opts: FailuresCollectOptions): Promise<FailuresResult> {
  const out: FailuresResult = { queues: [], written: 0, malformed: 0, failed: 0 };
  for (const q of queues) {
    if (opts.signal?.aborted) break;
    const r = await collectQueue(sqs, q, opts);
    out.queues.push(r);
    out.written += r.written;
    out.malformed += r.malformed;
    if (r.error) out.failed++;
  }
  return out;
}
