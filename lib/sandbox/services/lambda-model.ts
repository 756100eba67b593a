/**
 * Pure pieces of the sandbox's Lambda service: function references and ARNs, alias
 * routing, AWS-style validation errors, and the async-invocation records Lambda sends
 * to destinations and dead-letter queues.
 */
import { AwsServiceError, type SqsMessageAttribute } from "../core.ts";

export const LATEST = "$LATEST";

/** AWS's FunctionName pattern: name, name:qualifier, partial ARN or full ARN. */
const FUNCTION_REF =
  /^(?:arn:aws[a-zA-Z-]*:lambda:)?(?:([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d):)?(?:(\d{12}):)?(?:function:)?([a-zA-Z0-9\-_.]+)(?::(\$LATEST|[a-zA-Z0-9\-_]+))?$/;

export interface FunctionRef {
  name: string;
  qualifier?: string;
  region?: string;
  accountId?: string;
}

/** Splits a FunctionName parameter (name, name:qualifier, partial or full ARN) into its parts. */
export function parseFunctionRef(ref: string): FunctionRef {
  const m = FUNCTION_REF.exec(ref);
  if (!m || ref.length > 256) {
    throw validationError(ref, "functionName", `Member must satisfy regular expression pattern: ${FUNCTION_REF.source}`);
  }
  return { name: m[3]!, qualifier: m[4], region: m[1], accountId: m[2] };
}

/** Combines the qualifier derived from the function name with an explicit Qualifier parameter as AWS does. */
export function effectiveQualifier(ref: FunctionRef, qualifier: string | undefined | null): string | undefined {
  const q = qualifier || undefined;
  if (ref.qualifier && q && ref.qualifier !== q) {
    throw new AwsServiceError("InvalidParameterValueException", "The derived qualifier from the function name does not match the specified qualifier.");
  }
  return ref.qualifier ?? q;
}

export function functionArn(region: string, accountId: string, name: string, qualifier?: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${name}${qualifier ? `:${qualifier}` : ""}`;
}

/** A "1 validation error detected" error as AWS's request validation reports it. */
export function validationError(value: unknown, member: string, constraint: string): AwsServiceError {
  return new AwsServiceError(
    "ValidationException",
    `1 validation error detected: Value '${typeof value === "string" ? value : JSON.stringify(value)}' at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

/** Checks an optional integer member against the model's range. */
export function checkRange(value: unknown, member: string, min: number, max: number): void {
  if (value === undefined || value === null) return;
  if (typeof value !== "number" || !Number.isInteger(value)) throw validationError(value, member, "Member must be an integer");
  if (value < min) throw validationError(value, member, `Member must have value greater than or equal to ${min}`);
  if (value > max) throw validationError(value, member, `Member must have value less than or equal to ${max}`);
}

export function checkEnum(value: unknown, member: string, allowed: readonly string[]): void {
  if (value === undefined || value === null) return;
  if (typeof value !== "string" || !allowed.includes(value)) {
    throw validationError(value, member, `Member must satisfy enum value set: [${allowed.join(", ")}]`);
  }
}

export interface AliasRouting {
  FunctionVersion: string;
  RoutingConfig?: { AdditionalVersionWeights?: Record<string, number> };
}

export interface QualifierView {
  /** Published version numbers as strings. */
  versions: readonly string[];
  aliases: Readonly<Record<string, AliasRouting>>;
}

export interface ResolvedQualifier {
  /** The version that runs. */
  version: string;
  /** The alias named by the caller, if it named one. */
  alias?: string;
}

/**
 * Resolves a qualifier (none/$LATEST, a version number, or an alias) to the version that
 * runs. An alias with AdditionalVersionWeights sends that share of calls to the extra
 * version, drawing from `random`. Null when the qualifier names nothing.
 */
export function resolveQualifier(view: QualifierView, qualifier: string | undefined, random: () => number): ResolvedQualifier | null {
  if (!qualifier || qualifier === LATEST) return { version: LATEST };
  if (/^\d+$/.test(qualifier)) return view.versions.includes(qualifier) ? { version: qualifier } : null;
  const alias = view.aliases[qualifier];
  if (!alias) return null;
  let version = alias.FunctionVersion;
  const weights = Object.entries(alias.RoutingConfig?.AdditionalVersionWeights ?? {});
  if (weights.length > 0) {
    const r = random();
    let acc = 0;
    for (const [v, w] of weights) {
      acc += w;
      if (r < acc) {
        version = v;
        break;
      }
    }
  }
  return { version, alias: qualifier };
}

/** Formats Lambda's LastModified ("2024-05-01T12:00:00.000+0000"). */
export function lambdaTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+0000");
}

/** Formats the provisioned-concurrency LastModified ("2024-05-01T12:00:00+0000"). */
export function lambdaTimestampSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "+0000");
}

/** Parses a payload as JSON when it is JSON, else keeps the string (records embed the payload as a value). */
export function payloadValue(payload: string): unknown {
  if (payload === "") return null;
  try {
    return JSON.parse(payload);
  } catch {
    return payload;
  }
}

export type AsyncCondition = "Success" | "RetriesExhausted" | "EventAgeExceeded";

export interface AsyncOutcome {
  requestId: string;
  /** ARN qualified with the alias or version the caller invoked ($LATEST when unqualified). */
  functionArn: string;
  condition: AsyncCondition;
  approximateInvokeCount: number;
  requestPayload: string;
  statusCode: number;
  executedVersion: string;
  functionError?: string;
  responsePayload: string;
  timestamp: number;
}

/** The invocation record Lambda sends to an on-success / on-failure destination. */
export function destinationRecord(o: AsyncOutcome): Record<string, unknown> {
  return {
    version: "1.0",
    timestamp: new Date(o.timestamp).toISOString(),
    requestContext: {
      requestId: o.requestId,
      functionArn: o.functionArn,
      condition: o.condition,
      approximateInvokeCount: o.approximateInvokeCount,
    },
    requestPayload: payloadValue(o.requestPayload),
    responseContext: {
      statusCode: o.statusCode,
      executedVersion: o.executedVersion,
      ...(o.functionError ? { functionError: o.functionError } : {}),
    },
    responsePayload: payloadValue(o.responsePayload),
  };
}

/** The error message a failed invocation reports: the payload's errorMessage, else the payload itself. */
export function errorMessageOf(responsePayload: string): string {
  const v = payloadValue(responsePayload);
  if (v && typeof v === "object" && typeof (v as { errorMessage?: unknown }).errorMessage === "string") {
    return (v as { errorMessage: string }).errorMessage;
  }
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** Message attributes of a dead-letter message: RequestID, ErrorCode (3-digit HTTP status), ErrorMessage (first 1 KB). */
export function deadLetterAttributes(requestId: string, statusCode: number, message: string): Record<string, SqsMessageAttribute> {
  return {
    RequestID: { DataType: "String", StringValue: requestId },
    ErrorCode: { DataType: "Number", StringValue: String(statusCode) },
    ErrorMessage: { DataType: "String", StringValue: truncateUtf8(message || "Unknown error", 1024) },
  };
}

function truncateUtf8(s: string, maxBytes: number): string {
  const buf = Buffer.from(s, "utf8");
  if (buf.length <= maxBytes) return s;
  // Cut on a character boundary: drop a trailing partial sequence.
  return buf.subarray(0, maxBytes).toString("utf8").replace(/\uFFFD$/, "");
}

/** The kind of AWS resource a destination ARN names. */
export function destinationKind(arn: string): "sqs" | "sns" | "lambda" | "events" | "s3" | "unknown" {
  const service = arn.split(":")[2];
  switch (service) {
    case "sqs":
    case "sns":
    case "lambda":
    case "events":
    case "s3":
      return service;
    default:
      return "unknown";
  }
}

/** Sandbox-only tags: the byte size of code the sandbox cannot read (S3 objects, images, layers). */
export const SANDBOX_CODE_SIZE_TAG = "sandbox:code-size";
export const SANDBOX_LAYER_SIZES_TAG = "sandbox:layer-code-sizes";
