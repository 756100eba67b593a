/**
 * Storage of the sandbox's CloudWatch Logs: per stream, events in parallel columns sorted
 * by (timestamp, sequence). The sequence is a service-wide ingestion counter, so
 * (timestamp, sequence) is a total order across streams, and the 56-digit eventId
 * (timestamp then sequence, zero-padded like AWS's digit ids) sorts the same way.
 */

/** A position between events: events are "after" it when (ts, seq) > (this.ts, this.seq). */
export interface EventPosition {
  ts: number;
  seq: number;
}

/** AWS-style eventId: 56 digits, stable for an event, ordered like (timestamp, sequence). */
export function eventIdOf(ts: number, seq: number): string {
  return `${String(ts).padStart(20, "0")}${String(seq).padStart(36, "0")}`;
}

/** Parses the digits of an eventId or GetLogEvents token back into a position. */
export function positionOf(digits: string): EventPosition | undefined {
  if (!/^\d{56}$/.test(digits)) return undefined;
  return { ts: Number(digits.slice(0, 20)), seq: Number(digits.slice(20)) };
}

/** Bytes AWS counts for an event against batch and page size limits. */
export function eventSize(message: string): number {
  return Buffer.byteLength(message, "utf8") + 26;
}

export interface StreamSnapshot {
  name: string;
  creationTime: number;
  uploadSeq: number;
  lastIngestionTime?: number;
  /** Delta-encoded timestamps, ingestion delay after the timestamp, delta-encoded sequences. */
  ts: number[];
  ing: number[];
  seq: number[];
  msg: string[];
}

/** The events of one log stream, sorted by (timestamp, sequence). */
export class LogStreamData {
  ts: number[] = [];
  ing: number[] = [];
  seq: number[] = [];
  msg: string[] = [];
  uploadSeq = 1;
  lastIngestionTime: number | undefined;
  storedBytes = 0;

  constructor(
    readonly name: string,
    readonly creationTime: number,
  ) {}

  get size(): number {
    return this.ts.length;
  }

  /** Inserts an event; appends in the common in-order case. */
  insert(ts: number, ingestionTime: number, seq: number, message: string): void {
    const n = this.ts.length;
    let i = n;
    if (n > 0 && (ts < this.ts[n - 1]! || (ts === this.ts[n - 1] && seq < this.seq[n - 1]!))) i = this.firstAfter({ ts, seq });
    if (i === n) {
      this.ts.push(ts);
      this.ing.push(ingestionTime);
      this.seq.push(seq);
      this.msg.push(message);
    } else {
      this.ts.splice(i, 0, ts);
      this.ing.splice(i, 0, ingestionTime);
      this.seq.splice(i, 0, seq);
      this.msg.splice(i, 0, message);
    }
    this.storedBytes += Buffer.byteLength(message, "utf8");
    if (this.lastIngestionTime === undefined || ingestionTime > this.lastIngestionTime) this.lastIngestionTime = ingestionTime;
  }

  /** First index whose event is after position p. */
  firstAfter(p: EventPosition): number {
    let lo = 0;
    let hi = this.ts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const t = this.ts[mid]!;
      if (t < p.ts || (t === p.ts && this.seq[mid]! <= p.seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index with timestamp >= ts. */
  firstAtOrAfterTime(ts: number): number {
    let lo = 0;
    let hi = this.ts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts[mid]! < ts) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  toJSON(): StreamSnapshot {
    const ts: number[] = [];
    const seq: number[] = [];
    let pt = 0;
    let ps = 0;
    for (let i = 0; i < this.ts.length; i++) {
      ts.push(this.ts[i]! - pt);
      seq.push(this.seq[i]! - ps);
      pt = this.ts[i]!;
      ps = this.seq[i]!;
    }
    return {
      name: this.name,
      creationTime: this.creationTime,
      uploadSeq: this.uploadSeq,
      lastIngestionTime: this.lastIngestionTime,
      ts,
      ing: this.ing.map((v, i) => v - this.ts[i]!),
      seq,
      msg: this.msg,
    };
  }

  static fromJSON(s: StreamSnapshot): LogStreamData {
    const stream = new LogStreamData(s.name, s.creationTime);
    stream.uploadSeq = s.uploadSeq;
    stream.lastIngestionTime = s.lastIngestionTime;
    let t = 0;
    let q = 0;
    for (let i = 0; i < s.ts.length; i++) {
      t += s.ts[i]!;
      q += s.seq[i]!;
      stream.ts.push(t);
      stream.seq.push(q);
      stream.ing.push(t + s.ing[i]!);
      stream.msg.push(s.msg[i]!);
      stream.storedBytes += Buffer.byteLength(s.msg[i]!, "utf8");
    }
    return stream;
  }
}

/** A min-heap of stream cursors ordered by the (timestamp, sequence) of their next event. */
export class EventMergeHeap {
  private heap: { s: LogStreamData; i: number }[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(s: LogStreamData, i: number): void {
    this.heap.push({ s, i });
    let c = this.heap.length - 1;
    while (c > 0) {
      const p = (c - 1) >> 1;
      if (!this.less(c, p)) break;
      [this.heap[c], this.heap[p]] = [this.heap[p]!, this.heap[c]!];
      c = p;
    }
  }

  peek(): { s: LogStreamData; i: number } | undefined {
    return this.heap[0];
  }

  /** Advances the top cursor by one event, dropping it at `end` (exclusive index bound per stream). */
  advance(limitOf: (s: LogStreamData) => number): void {
    const top = this.heap[0]!;
    top.i++;
    if (top.i >= limitOf(top.s)) {
      const last = this.heap.pop()!;
      if (this.heap.length === 0) return;
      this.heap[0] = last;
    }
    let p = 0;
    for (;;) {
      const l = 2 * p + 1;
      const r = l + 1;
      let m = p;
      if (l < this.heap.length && this.less(l, m)) m = l;
      if (r < this.heap.length && this.less(r, m)) m = r;
      if (m === p) break;
      [this.heap[m], this.heap[p]] = [this.heap[p]!, this.heap[m]!];
      p = m;
    }
  }

  private less(a: number, b: number): boolean {
    const x = this.heap[a]!;
    const y = this.heap[b]!;
    const tx = x.s.ts[x.i]!;
    const ty = y.s.ts[y.i]!;
    return tx < ty || (tx === ty && x.s.seq[x.i]! < y.s.seq[y.i]!);
  }
}
