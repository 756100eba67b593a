// Lambda log group and log stream names carry the function name and the version of every invocation.
import { unparsed, type Unparsed } from "./unparsed.ts";

export interface LogStreamInfo {
  kind: "log_stream";
  /** UTC day the execution environment started writing, "YYYY-MM-DD". */
  date: string;
  /** "$LATEST" or a published version number as a string. */
  version: string;
  /** The execution environment's 32-hex-digit id. */
  instanceId: string;
  /** Present when the function logs to a custom group shared by several functions. */
  functionName?: string;
}

export interface LogGroupInfo {
  kind: "log_group";
  functionName: string;
  /** Lambda@Edge replicas log to "/aws/lambda/<region>.<function>" in the region that ran them. */
  edgeRegion?: string;
}

// "2024/05/01/[$LATEST]0123…" or, in a custom shared log group, "2024/05/01/my-fn[3]0123…".
const STREAM_RE = /^(\d{4})\/(\d{2})\/(\d{2})\/([A-Za-z0-9_-]{1,64})?\[(\$LATEST|\d{1,10})\]([0-9a-fA-F]{32})$/;
const FUNCTION_NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;
const EDGE_PREFIX_RE = /^([a-z]{2}(?:-gov)?-[a-z]+-\d)\.([A-Za-z0-9_-]{1,64})$/;

/** Parses a Lambda log stream name into its date, version and execution environment id. */
export function parseLogStreamName(name: string): LogStreamInfo | Unparsed {
  if (typeof name !== "string") return unparsed("not a string");
  const m = STREAM_RE.exec(name);
  if (!m) return unparsed("not a Lambda log stream name");
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return unparsed("invalid date in log stream name");
  const out: LogStreamInfo = { kind: "log_stream", date: `${m[1]}-${m[2]}-${m[3]}`, version: m[5], instanceId: m[6] };
  if (m[4] !== undefined) out.functionName = m[4];
  return out;
}

/** Extracts the function name from "/aws/lambda/<function>" (and Lambda@Edge "/aws/lambda/<region>.<function>"). */
export function functionNameFromLogGroup(logGroupName: string): LogGroupInfo | Unparsed {
  if (typeof logGroupName !== "string") return unparsed("not a string");
  const prefix = "/aws/lambda/";
  if (!logGroupName.startsWith(prefix)) return unparsed("not a /aws/lambda/ log group");
  const rest = logGroupName.slice(prefix.length);
  if (FUNCTION_NAME_RE.test(rest)) return { kind: "log_group", functionName: rest };
  const edge = EDGE_PREFIX_RE.exec(rest);
  if (edge) return { kind: "log_group", functionName: edge[2], edgeRegion: edge[1] };
  return unparsed("invalid function name in log group");
}
