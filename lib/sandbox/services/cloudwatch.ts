/**
 * CloudWatch metrics for the sandbox (awsJson1_0, awsQueryCompatible, as the current SDK
 * speaks it): PutMetricData (incl. gzip bodies), GetMetricData, GetMetricStatistics and
 * ListMetrics, with AWS's exact dimension-set identity and period-aligned buckets.
 */
import zlib from "node:zlib";
import {
  AwsServiceError,
  decodeToken,
  encodeToken,
  type MetricDatumInput,
  type SandboxContext,
  type SandboxRequest,
  type SandboxService,
} from "../core.ts";
import { jsonProtocol } from "../protocols.ts";
import { MetricSeries, SeriesLookup, seriesId, sortDimensions, type Dimension, type PeriodSlice, type SeriesSnapshot } from "./cloudwatch-store.ts";
import { MetricMathError, evaluateExpression, parseExpression, referencedIds, usesMetrics, type ExpressionNode, type MathSeries } from "./cloudwatch-math.ts";

const QUERY_CODES: Record<string, string> = {
  InvalidParameterValueException: "InvalidParameterValue",
  InvalidParameterCombinationException: "InvalidParameterCombination",
  MissingRequiredParameterException: "MissingParameter",
  InvalidNextToken: "InvalidNextToken",
  LimitExceededException: "LimitExceededException",
  ValidationException: "ValidationError",
  Throttling: "Throttling",
};

/** A CloudWatch error with the legacy query code the SDK maps back to its exception class. */
function cwError(code: keyof typeof QUERY_CODES | string, message: string): AwsServiceError {
  return new AwsServiceError(code, message, 400, { queryCode: QUERY_CODES[code] ?? code, fault: "Sender" });
}

const TWO_WEEKS_MS = 14 * 24 * 3600_000;
const TWO_HOURS_MS = 2 * 3600_000;
const RECENTLY_ACTIVE_MS = 3 * 3600_000;
const MAX_DATAPOINTS_DEFAULT = 100_800;
const GET_METRIC_STATISTICS_LIMIT = 1_440;
const SIMPLE_STATS = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"] as const;

/** A datum after validation: one series, one bucket time, values or a statistic set. */
interface NormalizedDatum {
  n: string;
  dims: Dimension[];
  u: string;
  /** Storage resolution in seconds (1 or 60). */
  r: number;
  /** Timestamp, epoch seconds. */
  t: number;
  v?: number[];
  c?: number[];
  s?: [count: number, sum: number, min: number, max: number];
}

interface PendingDatum {
  ns: string;
  d: NormalizedDatum;
  /** Epoch ms from which the datum is visible. */
  at: number;
}

interface CloudWatchSnapshot {
  series: SeriesSnapshot[];
  pending: PendingDatum[];
}

interface QueryInput {
  Id?: string;
  MetricStat?: { Metric?: { Namespace?: string; MetricName?: string; Dimensions?: Dimension[] }; Period?: number; Stat?: string; Unit?: string };
  Expression?: string;
  Label?: string;
  ReturnData?: boolean;
  Period?: number;
  AccountId?: string;
}

interface QueryOutput {
  id: string;
  label: string;
  ts: number[];
  vals: number[];
  returnData: boolean;
  messages: { Code: string; Value: string }[];
  status?: string;
}

/** Epoch ms from a Date, epoch seconds/ms number, or ISO/epoch string. */
function toEpochMs(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (v instanceof Date) return v.getTime();
  const n = typeof v === "number" ? v : Number(v);
  if (typeof v === "number" || !Number.isNaN(n)) return Math.abs(n) < 1e11 ? n * 1000 : n;
  const t = Date.parse(String(v));
  return Number.isNaN(t) ? undefined : t;
}

/** The query-style path of a PutMetricData member field, as AWS names it in errors. */
function memberPath(index: number, field: string): string {
  return `MetricData.member.${index + 1}.${field}`;
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

/** Statistic evaluator for a period, or null for an unknown statistic. */
function statistic(stat: string): ((s: MetricSeries, p: PeriodSlice) => number | undefined) | null {
  switch (stat) {
    case "SampleCount":
      return (_, p) => p.count;
    case "Sum":
      return (_, p) => p.sum;
    case "Average":
      return (_, p) => (p.count > 0 ? p.sum / p.count : undefined);
    case "Minimum":
      return (_, p) => p.min;
    case "Maximum":
      return (_, p) => p.max;
  }
  const m = /^[pP](\d{1,3}(?:\.\d+)?)$/.exec(stat);
  if (m) {
    const q = Number(m[1]);
    if (q < 0 || q > 100) return null;
    return (s, p) => s.percentile(p, q);
  }
  return null;
}

function validPeriod(period: unknown): period is number {
  return isFiniteNumber(period) && Number.isInteger(period) && (period >= 60 ? period % 60 === 0 : [1, 5, 10, 30].includes(period));
}

/** CloudWatch (metrics) in the sandbox. */
export class CloudWatchService implements SandboxService {
  readonly signingName: string;
  readonly matches: SandboxService["matches"];
  readonly renderError: SandboxService["renderError"];
  readonly throttlingError: SandboxService["throttlingError"];
  readonly resolve: SandboxService["resolve"];

  private series = new Map<string, MetricSeries>();
  /** A cache of `series` by the parts of the id, for ingestion (series are never removed but by restore). */
  private lookup = new SeriesLookup<MetricSeries>();
  private sortedIds: string[] | null = null;
  private pending: PendingDatum[] = [];

  constructor(private readonly ctx: SandboxContext) {
    const proto = jsonProtocol({
      signingName: "monitoring",
      targetPrefix: "GraniteServiceVersion20100801",
      jsonVersion: "1.0",
      operations: {
        PutMetricData: (input) => this.putMetricData(input),
        GetMetricData: (input) => this.getMetricData(input),
        GetMetricStatistics: (input) => this.getMetricStatistics(input),
        ListMetrics: (input) => this.listMetrics(input),
      },
      throttlingError: () => cwError("Throttling", "Rate exceeded"),
    });
    this.signingName = proto.signingName;
    this.matches = proto.matches;
    this.renderError = proto.renderError;
    this.throttlingError = proto.throttlingError;
    // The SDK gzips PutMetricData bodies over 10 KB; the server hands us the raw bytes.
    this.resolve = (req, ctx) => proto.resolve(decodeContentEncoding(req), ctx);
  }

  /** In-process PutMetricData (no validation of namespace or timestamp age; AWS/ namespaces allowed). */
  putMetricDataInternal(namespace: string, data: MetricDatumInput[]): void {
    const now = this.ctx.now();
    const late = this.lateFault();
    for (const datum of data) this.ingest(namespace, this.normalize(datum, -1, now, false), now, late);
    this.ctx.touch();
  }

  snapshot(): CloudWatchSnapshot {
    return { series: [...this.series.values()].map((s) => s.toJSON()), pending: this.pending };
  }

  restore(state: unknown): void {
    const snap = state as CloudWatchSnapshot;
    this.series = new Map();
    this.lookup.clear();
    for (const s of snap?.series ?? []) {
      const series = MetricSeries.fromJSON(s);
      this.series.set(series.id, series);
    }
    this.pending = snap?.pending ?? [];
    this.sortedIds = null;
  }

  // ---------------------------------------------------------------- ingestion

  // Hot path of every PutMetricData datum: plain loops, no closures or temporary arrays (tsx names each closure created at runtime).
  private normalize(datum: MetricDatumInput, index: number, now: number, strict: boolean): NormalizedDatum {
    if (typeof datum?.MetricName !== "string" || datum.MetricName.length === 0 || datum.MetricName.length > 255) {
      throw cwError("MissingRequiredParameterException", `The parameter ${memberPath(index, "MetricName")} is required.`);
    }
    const dims = sortDimensions(datum.Dimensions);
    if (dims.length > 30) throw cwError("InvalidParameterValueException", `The collection ${memberPath(index, "Dimensions")} must not have a size greater than 30.`);
    // A non-list fails as an internal error, as it always has here.
    if (!Array.isArray(dims)) throw new TypeError("Dimensions is not a list");
    for (let i = 0; i < dims.length; i++) {
      const d = dims[i]!;
      if (typeof d.Name !== "string" || !d.Name || typeof d.Value !== "string" || !d.Value) {
        throw cwError("InvalidParameterValueException", `The dimension ${memberPath(index, `Dimensions.member.${i + 1}`)} must have a non-empty Name and Value.`);
      }
    }
    // Sorted by name, so duplicate names are neighbours.
    for (let i = 1; i < dims.length; i++) {
      if (dims[i]!.Name === dims[i - 1]!.Name) throw cwError("InvalidParameterValueException", `No metric may have duplicate dimension names (${memberPath(index, "Dimensions")}).`);
    }
    const tsMs = toEpochMs(datum.Timestamp) ?? now;
    if (strict && datum.Timestamp !== undefined) {
      if (tsMs > now + TWO_HOURS_MS) throw cwError("InvalidParameterValueException", `The parameter ${memberPath(index, "Timestamp")} must specify a time no more than two hours in the future.`);
      if (tsMs < now - TWO_WEEKS_MS) throw cwError("InvalidParameterValueException", `The parameter ${memberPath(index, "Timestamp")} must specify a time within the past two weeks.`);
    }
    const resolution = datum.StorageResolution ?? 60;
    if (resolution !== 1 && resolution !== 60) throw cwError("InvalidParameterValueException", `The parameter ${memberPath(index, "StorageResolution")} must be 1 or 60.`);
    const hasValue = datum.Value !== undefined && datum.Value !== null;
    const values = datum.Values;
    const hasValues = !!values?.length;
    if ((hasValue ? 1 : 0) + (hasValues ? 1 : 0) + (datum.StatisticValues ? 1 : 0) > 1) {
      throw cwError(
        "InvalidParameterCombinationException",
        `The parameters ${memberPath(index, "Value")}, ${memberPath(index, "Values")} and ${memberPath(index, "StatisticValues")} are mutually exclusive and you have specified more than one.`,
      );
    }
    const out: NormalizedDatum = { n: datum.MetricName, dims, u: datum.Unit ?? "None", r: resolution, t: tsMs / 1000 };
    if (datum.StatisticValues) {
      const { SampleCount, Sum, Minimum, Maximum } = datum.StatisticValues;
      if (!(isFiniteNumber(SampleCount) && isFiniteNumber(Sum) && isFiniteNumber(Minimum) && isFiniteNumber(Maximum)) || SampleCount <= 0 || Minimum > Maximum) {
        throw cwError("InvalidParameterValueException", `The parameter ${memberPath(index, "StatisticValues")} must have SampleCount > 0, Minimum <= Maximum and finite numbers.`);
      }
      out.s = [SampleCount, Sum, Minimum, Maximum];
    } else if (hasValues) {
      if (values.length > 150) throw cwError("InvalidParameterValueException", `The collection ${memberPath(index, "Values")} must not have a size greater than 150.`);
      if (!Array.isArray(values)) throw new TypeError("Values is not a list");
      for (let i = 0; i < values.length; i++) {
        if (!isFiniteNumber(values[i])) throw cwError("InvalidParameterValueException", `The collection ${memberPath(index, "Values")} must contain finite numbers.`);
      }
      const counts = datum.Counts;
      if (counts?.length) {
        if (counts.length !== values.length) {
          throw cwError("InvalidParameterValueException", `The collections ${memberPath(index, "Values")} and ${memberPath(index, "Counts")} must be of the same size.`);
        }
        if (!Array.isArray(counts)) throw new TypeError("Counts is not a list");
        for (let i = 0; i < counts.length; i++) {
          const c = counts[i];
          if (!(isFiniteNumber(c) && c >= 0)) throw cwError("InvalidParameterValueException", `The collection ${memberPath(index, "Counts")} must contain non-negative numbers.`);
        }
        out.c = counts.slice();
      }
      out.v = values.slice();
    } else if (hasValue) {
      if (!isFiniteNumber(datum.Value)) throw cwError("InvalidParameterValueException", `The parameter ${memberPath(index, "Value")} must be a finite number.`);
      out.v = [datum.Value];
    } else {
      throw cwError("MissingRequiredParameterException", `The parameter ${memberPath(index, "Value")}, ${memberPath(index, "Values")} or ${memberPath(index, "StatisticValues")} is required.`);
    }
    return out;
  }

  private lateFault(): { rate: number; ms: number } | undefined {
    const f = this.ctx.faults("monitoring", "PutMetricData");
    return f.lateRate && f.lateMs ? { rate: f.lateRate, ms: f.lateMs } : undefined;
  }

  /** Stores a datum now, or holds it back when the late-data fault picks it. */
  private ingest(namespace: string, d: NormalizedDatum, now: number, late: { rate: number; ms: number } | undefined): void {
    if (late && this.ctx.random() < late.rate) {
      this.pending.push({ ns: namespace, d, at: now + late.ms });
      return;
    }
    this.apply(namespace, d, now);
  }

  private apply(namespace: string, d: NormalizedDatum, now: number): void {
    let series = this.lookup.get(namespace, d.n, d.dims);
    if (!series) {
      // The series id stays the identity; the lookup only remembers what it resolved to.
      const id = seriesId(namespace, d.n, d.dims);
      series = this.series.get(id);
      if (!series) {
        series = new MetricSeries(id, namespace, d.n, d.dims.map((x) => ({ Name: x.Name, Value: x.Value })), d.u, now);
        this.series.set(id, series);
        this.sortedIds = null;
      }
      this.lookup.set(namespace, d.n, d.dims, series);
    }
    series.unit = d.u;
    series.lastPut = Math.max(series.lastPut, now);
    const key = d.r === 1 ? Math.floor(d.t) : Math.floor(d.t / 60) * 60;
    if (d.s) series.addStatisticSet(key, ...d.s);
    else if (d.v) {
      for (let i = 0; i < d.v.length; i++) {
        const c = d.c ? d.c[i]! : 1;
        if (c > 0) series.addSample(key, d.v[i]!, c);
      }
    }
  }

  /** Makes held-back data visible once its time has come. */
  private promote(): void {
    if (this.pending.length === 0) return;
    const now = this.ctx.now();
    const keep: PendingDatum[] = [];
    for (const p of this.pending) {
      if (p.at <= now) this.apply(p.ns, p.d, p.at);
      else keep.push(p);
    }
    if (keep.length !== this.pending.length) this.ctx.touch();
    this.pending = keep;
  }

  // ---------------------------------------------------------------- operations

  private putMetricData(input: { Namespace?: string; MetricData?: MetricDatumInput[]; EntityMetricData?: { MetricData?: MetricDatumInput[] }[] }): object {
    this.promote();
    const ns = input.Namespace;
    if (typeof ns !== "string" || ns.length === 0) throw cwError("MissingRequiredParameterException", "The parameter Namespace is required.");
    // AWS reserves AWS/ namespaces for its own services; the sandbox accepts them because its
    // simulator plays those services (Lambda, API Gateway, SQS…) through this very API.
    if (ns.length > 255 || ns.startsWith(":")) {
      throw cwError("InvalidParameterValueException", `The value ${ns} for parameter Namespace is invalid.`);
    }
    const data = [...(input.MetricData ?? []), ...(input.EntityMetricData ?? []).flatMap((e) => e.MetricData ?? [])];
    if (data.length === 0) throw cwError("MissingRequiredParameterException", "The parameter MetricData is required.");
    if (data.length > 1000) throw cwError("InvalidParameterValueException", "The collection MetricData must not have a size greater than 1000.");
    const now = this.ctx.now();
    // Validate everything first: AWS rejects the whole call on one bad datum.
    const normalized = data.map((d, i) => this.normalize(d, i, now, true));
    const late = this.lateFault();
    for (const d of normalized) this.ingest(ns, d, now, late);
    this.ctx.touch();
    return {};
  }

  private listMetrics(input: { Namespace?: string; MetricName?: string; Dimensions?: { Name?: string; Value?: string }[]; NextToken?: string; RecentlyActive?: string; IncludeLinkedAccounts?: boolean; OwningAccount?: string }): object {
    this.promote();
    if (input.RecentlyActive !== undefined && input.RecentlyActive !== "PT3H") {
      throw cwError("InvalidParameterValueException", `The value ${input.RecentlyActive} for parameter RecentlyActive is invalid.`);
    }
    const filters = input.Dimensions ?? [];
    if (filters.length > 10) throw cwError("InvalidParameterValueException", "The collection Dimensions must not have a size greater than 10.");
    const cursor = decodeCursor<{ after: string }>(input.NextToken);
    const pageSize = this.ctx.pageSize("monitoring", "ListMetrics", 500);
    const now = this.ctx.now();
    const ids = this.sorted();
    let i = cursor ? upperBoundString(ids, cursor.after) : 0;
    const metrics: object[] = [];
    let next: string | undefined;
    for (; i < ids.length; i++) {
      const s = this.series.get(ids[i]!)!;
      if (input.Namespace !== undefined && s.namespace !== input.Namespace) continue;
      if (input.MetricName !== undefined && s.name !== input.MetricName) continue;
      if (!filters.every((f) => s.dims.some((d) => d.Name === f.Name && (f.Value === undefined || f.Value === null || d.Value === f.Value)))) continue;
      if (now - s.lastPut > TWO_WEEKS_MS) continue;
      if (input.RecentlyActive === "PT3H" && now - s.lastPut > RECENTLY_ACTIVE_MS) continue;
      if (metrics.length === pageSize) {
        next = encodeToken({ after: ids[i - 1] });
        break;
      }
      metrics.push({ Namespace: s.namespace, MetricName: s.name, Dimensions: s.dims });
    }
    const out: Record<string, unknown> = { Metrics: metrics, NextToken: next };
    if (input.IncludeLinkedAccounts) out.OwningAccounts = metrics.map(() => this.ctx.accountId);
    return out;
  }

  private getMetricStatistics(input: {
    Namespace?: string;
    MetricName?: string;
    Dimensions?: Dimension[];
    StartTime?: number;
    EndTime?: number;
    Period?: number;
    Statistics?: string[];
    ExtendedStatistics?: string[];
    Unit?: string;
  }): object {
    this.promote();
    for (const field of ["Namespace", "MetricName", "StartTime", "EndTime", "Period"] as const) {
      if (input[field] === undefined || input[field] === null || input[field] === "") throw cwError("MissingRequiredParameterException", `The parameter ${field} is required.`);
    }
    const start = toEpochMs(input.StartTime)! / 1000;
    const end = toEpochMs(input.EndTime)! / 1000;
    if (!(start < end)) throw cwError("InvalidParameterValueException", "The parameter StartTime must be less than the parameter EndTime.");
    if (!validPeriod(input.Period)) throw cwError("InvalidParameterValueException", "The parameter Period must be a multiple of 60 or equal to 1, 5, 10, or 30.");
    const period = input.Period;
    const stats = input.Statistics ?? [];
    const extended = input.ExtendedStatistics ?? [];
    if (stats.length === 0 && extended.length === 0) throw cwError("InvalidParameterCombinationException", "Must specify either Statistics or ExtendedStatistics");
    if (stats.length > 0 && extended.length > 0) {
      throw cwError("InvalidParameterCombinationException", "The parameters Statistics and ExtendedStatistics are mutually exclusive and you have specified both.");
    }
    for (const s of stats) if (!(SIMPLE_STATS as readonly string[]).includes(s)) throw cwError("InvalidParameterValueException", `The value ${s} for parameter Statistics is not valid.`);
    for (const s of extended) if (!/^p\d{1,3}(\.\d+)?$/.test(s) || !statistic(s)) throw cwError("InvalidParameterValueException", `The value ${s} for parameter ExtendedStatistics is not a valid percentile.`);
    const alignedStart = Math.floor(start / period) * period;
    const requested = Math.ceil((end - alignedStart) / period);
    if (requested > GET_METRIC_STATISTICS_LIMIT) {
      throw cwError(
        "InvalidParameterCombinationException",
        `You have requested up to ${requested.toLocaleString("en-US")} datapoints, which exceeds the limit of 1,440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`,
      );
    }
    const s = this.series.get(seriesId(input.Namespace!, input.MetricName!, sortDimensions(input.Dimensions)));
    const datapoints: object[] = [];
    if (s && (input.Unit === undefined || input.Unit === s.unit)) {
      for (const p of s.periods(alignedStart, end, period)) {
        const dp: Record<string, unknown> = { Timestamp: p.ts };
        for (const st of stats) dp[st] = statistic(st)!(s, p);
        if (extended.length) {
          const ext: Record<string, number> = {};
          for (const st of extended) {
            const v = statistic(st)!(s, p);
            if (v !== undefined) ext[st] = v;
          }
          dp.ExtendedStatistics = ext;
        }
        dp.Unit = s.unit;
        datapoints.push(dp);
      }
    }
    return { Label: input.MetricName, Datapoints: datapoints };
  }

  private getMetricData(input: { MetricDataQueries?: QueryInput[]; StartTime?: number; EndTime?: number; NextToken?: string; ScanBy?: string; MaxDatapoints?: number }): object {
    this.promote();
    const queries = input.MetricDataQueries ?? [];
    if (input.StartTime === undefined || input.EndTime === undefined) throw cwError("MissingRequiredParameterException", "The parameters StartTime and EndTime are required.");
    if (queries.length === 0) throw cwError("MissingRequiredParameterException", "The parameter MetricDataQueries is required.");
    if (queries.length > 500) throw cwError("InvalidParameterValueException", "The collection MetricDataQueries must not have a size greater than 500.");
    const start = toEpochMs(input.StartTime)! / 1000;
    const end = toEpochMs(input.EndTime)! / 1000;
    if (!(start < end)) throw cwError("InvalidParameterValueException", "The parameter StartTime must be less than the parameter EndTime.");
    const scanBy = input.ScanBy ?? "TimestampDescending";
    if (scanBy !== "TimestampDescending" && scanBy !== "TimestampAscending") throw cwError("InvalidParameterValueException", `The value ${scanBy} for parameter ScanBy is not valid.`);
    const maxDatapoints = input.MaxDatapoints ?? MAX_DATAPOINTS_DEFAULT;
    if (!Number.isInteger(maxDatapoints) || maxDatapoints < 1) throw cwError("InvalidParameterValueException", "The parameter MaxDatapoints must be a positive integer.");
    const cursor = decodeCursor<{ o: number }>(input.NextToken);

    const results = this.evaluateQueries(queries, start, end);
    const returned = results.filter((r) => r.returnData);
    // One global order of points across queries, newest (or oldest) first, paginated by MaxDatapoints.
    const entries: [ts: number, q: number, k: number][] = [];
    returned.forEach((r, q) => r.ts.forEach((t, k) => entries.push([t, q, k])));
    const dir = scanBy === "TimestampDescending" ? -1 : 1;
    entries.sort((a, b) => (a[0] - b[0]) * dir || a[1] - b[1]);
    const offset = cursor?.o ?? 0;
    const page = entries.slice(offset, offset + maxDatapoints);
    const remaining = new Set(entries.slice(offset + maxDatapoints).map((e) => e[1]));
    const perQuery = returned.map(() => ({ ts: [] as number[], vals: [] as number[] }));
    for (const [t, q, k] of page) {
      perQuery[q]!.ts.push(t);
      perQuery[q]!.vals.push(returned[q]!.vals[k]!);
    }
    return {
      MetricDataResults: returned.map((r, q) => ({
        Id: r.id,
        Label: r.label,
        Timestamps: perQuery[q]!.ts,
        Values: perQuery[q]!.vals,
        StatusCode: r.status ?? (remaining.has(q) ? "PartialData" : "Complete"),
        Messages: r.messages,
      })),
      NextToken: offset + maxDatapoints < entries.length ? encodeToken({ o: offset + maxDatapoints }) : undefined,
      Messages: [],
    };
  }

  /** Evaluates every query (metric stats first, then expressions in dependency order); values ascending by time. */
  private evaluateQueries(queries: QueryInput[], start: number, end: number): QueryOutput[] {
    const ids = new Set<string>();
    const parsed = new Map<string, ExpressionNode>();
    queries.forEach((q, i) => {
      const at = `MetricDataQueries.member.${i + 1}`;
      if (typeof q.Id !== "string" || !/^[a-z][a-zA-Z0-9_]*$/.test(q.Id) || q.Id.length > 255) {
        throw cwError("InvalidParameterValueException", `The value ${q.Id} for parameter ${at}.Id is invalid: it must start with a lowercase letter and contain only letters, numbers and underscores.`);
      }
      if (ids.has(q.Id)) throw cwError("InvalidParameterValueException", `The value ${q.Id} for parameter ${at}.Id is duplicated.`);
      ids.add(q.Id);
      if (!!q.MetricStat === !!q.Expression) {
        throw cwError("InvalidParameterCombinationException", `Exactly one of ${at}.MetricStat and ${at}.Expression must be specified.`);
      }
      if (q.MetricStat) {
        const m = q.MetricStat.Metric;
        if (!m?.Namespace || !m.MetricName) throw cwError("MissingRequiredParameterException", `The parameters ${at}.MetricStat.Metric.Namespace and MetricName are required.`);
        if (!validPeriod(q.MetricStat.Period)) throw cwError("InvalidParameterValueException", `The parameter ${at}.MetricStat.Period must be a multiple of 60 or equal to 1, 5, 10, or 30.`);
        if (typeof q.MetricStat.Stat !== "string" || !statistic(q.MetricStat.Stat)) {
          throw cwError("InvalidParameterValueException", `The value ${q.MetricStat.Stat} for parameter ${at}.MetricStat.Stat is not supported by the sandbox (SampleCount, Sum, Average, Minimum, Maximum, pNN.NN).`);
        }
      } else {
        try {
          parsed.set(q.Id, parseExpression(q.Expression!));
        } catch (err) {
          throw cwError("ValidationException", `Error in expression ${q.Id}: ${(err as Error).message}`);
        }
      }
    });

    const byId = new Map<string, QueryOutput>();
    const statQueries = queries.filter((q) => q.MetricStat);
    for (const q of statQueries) byId.set(q.Id!, this.evaluateMetricStat(q, start, end));
    const allTs = [...new Set(statQueries.flatMap((q) => byId.get(q.Id!)!.ts))].sort((a, b) => a - b);
    const metricSeries = () => statQueries.map((q) => byId.get(q.Id!)!);
    const visiting = new Set<string>();
    const evalExpr = (q: QueryInput): QueryOutput => {
      const done = byId.get(q.Id!);
      if (done) return done;
      if (visiting.has(q.Id!)) throw cwError("ValidationException", `Error in expression ${q.Id}: circular dependency.`);
      visiting.add(q.Id!);
      const node = parsed.get(q.Id!)!;
      const out: QueryOutput = { id: q.Id!, label: q.Label ?? q.Id!, ts: [], vals: [], returnData: q.ReturnData ?? true, messages: [] };
      try {
        for (const ref of referencedIds(node)) {
          const dep = queries.find((x) => x.Id === ref);
          if (dep?.Expression) evalExpr(dep);
        }
        const series: MathSeries = evaluateExpression(node, (id) => byId.get(id), metricSeries, allTs);
        out.ts = series.ts;
        out.vals = series.vals;
        if (usesMetrics(node) && statQueries.length === 0) out.messages.push({ Code: "NoData", Value: "METRICS() matched no metric queries." });
      } catch (err) {
        if (!(err instanceof MetricMathError)) throw err;
        throw cwError("ValidationException", `Error in expression ${q.Id}: ${err.message}`);
      }
      visiting.delete(q.Id!);
      byId.set(q.Id!, out);
      return out;
    };
    for (const q of queries) if (q.Expression) evalExpr(q);
    for (const r of byId.values()) r.label = substituteLabel(r.label, r, queries.find((q) => q.Id === r.id)!);
    return queries.map((q) => byId.get(q.Id!)!);
  }

  private evaluateMetricStat(q: QueryInput, start: number, end: number): QueryOutput {
    const stat = q.MetricStat!;
    const m = stat.Metric!;
    const out: QueryOutput = { id: q.Id!, label: q.Label ?? m.MetricName!, ts: [], vals: [], returnData: q.ReturnData ?? true, messages: [] };
    const s = this.series.get(seriesId(m.Namespace!, m.MetricName!, sortDimensions(m.Dimensions)));
    if (!s || (stat.Unit !== undefined && stat.Unit !== s.unit)) return out;
    const period = stat.Period!;
    const fn = statistic(stat.Stat!)!;
    for (const p of s.periods(Math.floor(start / period) * period, end, period)) {
      const v = fn(s, p);
      if (v === undefined || !Number.isFinite(v)) continue;
      out.ts.push(p.ts);
      out.vals.push(v);
    }
    return out;
  }

  private sorted(): string[] {
    if (!this.sortedIds) this.sortedIds = [...this.series.keys()].sort();
    return this.sortedIds;
  }
}

/** Dynamic labels: ${PROP('...')} and the ${AVG}/${MAX}/${MIN}/${SUM}/${FIRST}/${LAST} summaries. */
function substituteLabel(label: string, r: QueryOutput, q: QueryInput): string {
  if (!label.includes("${")) return label;
  const m = q.MetricStat?.Metric;
  const fmt = (v: number | undefined) => (v === undefined ? "" : String(Math.round(v * 1000) / 1000));
  const vals = r.vals;
  const summary: Record<string, () => number | undefined> = {
    AVG: () => (vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : undefined),
    MAX: () => (vals.length ? Math.max(...vals) : undefined),
    MIN: () => (vals.length ? Math.min(...vals) : undefined),
    SUM: () => (vals.length ? vals.reduce((a, b) => a + b, 0) : undefined),
    FIRST: () => vals[0],
    LAST: () => vals[vals.length - 1],
  };
  return label.replace(/\$\{(?:PROP\('([^']+)'\)|([A-Z]+))\}/g, (whole, prop: string | undefined, name: string | undefined) => {
    if (name) return summary[name] ? fmt(summary[name]!()) : whole;
    if (prop === "MetricName") return m?.MetricName ?? "";
    if (prop === "Namespace") return m?.Namespace ?? "";
    if (prop === "Period") return String(q.MetricStat?.Period ?? q.Period ?? "");
    if (prop === "Stat") return q.MetricStat?.Stat ?? "";
    if (prop?.startsWith("Dim.")) return m?.Dimensions?.find((d) => d.Name === prop.slice(4))?.Value ?? "";
    return whole;
  });
}

function decodeCursor<T>(token: string | undefined): T | undefined {
  try {
    return decodeToken<T>(token, "InvalidNextToken");
  } catch {
    throw cwError("InvalidNextToken", "The specified NextToken is not valid.");
  }
}

/** First index with arr[i] > x (arr ascending). */
function upperBoundString(arr: string[], x: string): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The request with a gzip/deflate Content-Encoding undone. */
function decodeContentEncoding(req: SandboxRequest): SandboxRequest {
  const encoding = (req.headers["content-encoding"] ?? "").toLowerCase();
  if (!encoding || req.body.length === 0) return req;
  let body = req.body;
  for (const enc of encoding.split(",").map((e) => e.trim()).reverse()) {
    try {
      if (enc === "gzip") body = zlib.gunzipSync(body);
      else if (enc === "deflate") body = zlib.inflateSync(body);
    } catch {
      throw cwError("InvalidParameterValueException", `The request body could not be decoded with Content-Encoding ${enc}.`);
    }
  }
  return { ...req, body };
}
