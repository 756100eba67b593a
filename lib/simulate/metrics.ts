/**
 * Per-minute metric aggregation, as AWS services publish to CloudWatch: counters as sums,
 * gauges as maxima, latencies as Values/Counts distributions (so percentiles work).
 */
import type { MetricDatumInput } from "../sandbox/core.ts";

export type Dimensions = readonly (readonly [string, string])[];

interface Slot {
  namespace: string;
  key: string;
  minute: number;
  series: Series | undefined;
}

interface Series {
  namespace: string;
  name: string;
  dims: Dimensions;
  minute: number;
  unit: string;
  kind: "sum" | "max" | "dist";
  value: number;
  /** Distribution: value -> count. */
  counts?: Map<number, number>;
  /** False once drained. */
  live: boolean;
}

/** The most distinct values CloudWatch accepts in one datum's Values array. */
export const MAX_VALUES_PER_DATUM = 150;

export interface NamespacedDatum {
  namespace: string;
  datum: MetricDatumInput;
}

/** Accumulates metric points per (minute, namespace, name, dimensions). */
export class MetricAggregator {
  private byMinute = new Map<number, Map<string, Series>>();
  private slots = new WeakMap<Dimensions, Map<string, Slot>>();

  /** Adds to a counter (Sum). */
  count(namespace: string, name: string, dims: Dimensions, at: number, value = 1, unit = "Count"): void {
    const s = this.get(namespace, name, dims, at, unit, "sum");
    s.value += value;
  }

  /** Raises a gauge (Maximum). */
  max(namespace: string, name: string, dims: Dimensions, at: number, value: number, unit = "Count"): void {
    const s = this.get(namespace, name, dims, at, unit, "max");
    s.value = Math.max(s.value, value);
  }

  /** Adds one sample to a distribution (Values/Counts). */
  sample(namespace: string, name: string, dims: Dimensions, at: number, value: number, unit = "Milliseconds"): void {
    const s = this.get(namespace, name, dims, at, unit, "dist");
    s.counts!.set(value, (s.counts!.get(value) ?? 0) + 1);
  }

  /** Number of pending series. */
  size(): number {
    let n = 0;
    for (const m of this.byMinute.values()) n += m.size;
    return n;
  }

  /** Removes and returns the datums of minutes before `beforeMs` (all when omitted), oldest first. */
  drain(beforeMs = Number.POSITIVE_INFINITY): NamespacedDatum[] {
    const out: NamespacedDatum[] = [];
    const minutes = [...this.byMinute.keys()].filter((m) => m < beforeMs).sort((a, b) => a - b);
    for (const minute of minutes) {
      const timestamp = new Date(minute);
      for (const s of this.byMinute.get(minute)!.values()) {
        s.live = false;
        toDatums(s, timestamp, out);
      }
      this.byMinute.delete(minute);
    }
    return out;
  }

  private get(namespace: string, name: string, dims: Dimensions, at: number, unit: string, kind: Series["kind"]): Series {
    const minute = at - (at % 60_000);
    let slots = this.slots.get(dims);
    if (!slots) {
      slots = new Map();
      this.slots.set(dims, slots);
    }
    // Slots are keyed by metric name; the rare same name in another namespace gets its own key.
    let slot = slots.get(name);
    if (slot && slot.namespace !== namespace) slot = slots.get(`${namespace}|${name}`);
    if (!slot) {
      let dimKey = "";
      for (const [k, v] of dims) dimKey += `${k}=${v};`;
      slot = { namespace, key: `${namespace}|${name}|${dimKey}`, minute: Number.NaN, series: undefined };
      slots.set(slots.has(name) ? `${namespace}|${name}` : name, slot);
    }
    // Most points go to the minute the previous point of the series went to.
    if (slot.minute === minute && slot.series && slot.series.live) return slot.series;
    let series = this.byMinute.get(minute);
    if (!series) {
      series = new Map();
      this.byMinute.set(minute, series);
    }
    let s = series.get(slot.key);
    if (!s) {
      s = { namespace, name, dims, minute, unit, kind, value: kind === "max" ? Number.NEGATIVE_INFINITY : 0, live: true };
      if (kind === "dist") s.counts = new Map();
      series.set(slot.key, s);
    }
    slot.minute = minute;
    slot.series = s;
    return s;
  }
}

function toDatums(s: Series, timestamp: Date, out: NamespacedDatum[]): void {
  const Dimensions = s.dims.map(([Name, Value]) => ({ Name, Value }));
  if (s.kind !== "dist") {
    out.push({ namespace: s.namespace, datum: { MetricName: s.name, Dimensions, Timestamp: timestamp, Value: s.value, Unit: s.unit, StorageResolution: 60 } });
    return;
  }
  const entries = [...s.counts!.entries()].sort((a, b) => a[0] - b[0]);
  for (let i = 0; i < entries.length; i += MAX_VALUES_PER_DATUM) {
    const chunk = entries.slice(i, i + MAX_VALUES_PER_DATUM);
    out.push({
      namespace: s.namespace,
      datum: { MetricName: s.name, Dimensions, Timestamp: timestamp, Values: chunk.map((e) => e[0]), Counts: chunk.map((e) => e[1]), Unit: s.unit, StorageResolution: 60 },
    });
  }
}
