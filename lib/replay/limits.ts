/**
 * Size limits of the replay targets, and the byte counts they apply to. Checked before any
 * call so an oversized event is refused with a reason instead of truncated or half-sent.
 */

/** Invoke with InvocationType=Event: 1 MB since AWS raised the asynchronous limit from 256 KB (2025). */
export const LAMBDA_ASYNC_PAYLOAD_LIMIT = 1_048_576;
/** Invoke with InvocationType=RequestResponse: 6 MB. */
export const LAMBDA_SYNC_PAYLOAD_LIMIT = 6_291_456;
/** SQS's largest MaximumMessageSize (1 MiB since 2025); a queue may be configured lower. */
export const SQS_MAX_MESSAGE_BYTES = 1_048_576;

export type InvocationType = "Event" | "RequestResponse";

/** The payload limit of an invocation type. */
export function lambdaPayloadLimit(type: InvocationType): number {
  return type === "Event" ? LAMBDA_ASYNC_PAYLOAD_LIMIT : LAMBDA_SYNC_PAYLOAD_LIMIT;
}

/** An SQS message attribute as the SDK carries it (binary values as bytes or base64 text). */
export interface SqsAttributeLike {
  DataType?: string;
  StringValue?: string;
  BinaryValue?: Uint8Array | string;
  StringListValues?: string[];
  BinaryListValues?: (Uint8Array | string)[];
}

function binaryLength(v: Uint8Array | string): number {
  return typeof v === "string" ? Buffer.from(v, "base64").length : v.byteLength;
}

/** Bytes SQS counts against MaximumMessageSize: the body plus each attribute's name, type and values. */
export function sqsMessageSize(body: string, attributes: Record<string, SqsAttributeLike | undefined> | undefined): number {
  let size = Buffer.byteLength(body, "utf8");
  for (const [name, a] of Object.entries(attributes ?? {})) {
    if (!a) continue;
    size += Buffer.byteLength(name, "utf8") + Buffer.byteLength(a.DataType ?? "", "utf8");
    if (a.StringValue !== undefined) size += Buffer.byteLength(a.StringValue, "utf8");
    if (a.BinaryValue !== undefined) size += binaryLength(a.BinaryValue);
    for (const s of a.StringListValues ?? []) size += Buffer.byteLength(s, "utf8");
    for (const b of a.BinaryListValues ?? []) size += binaryLength(b);
  }
  return size;
}

/** "1,048,576 bytes (1 MB)" for messages an operator reads. */
export function describeBytes(n: number): string {
  const unit = n >= 1_048_576 ? `${+(n / 1_048_576).toFixed(2)} MB` : n >= 1024 ? `${+(n / 1024).toFixed(1)} KB` : `${n} B`;
  return `${n.toLocaleString("en-US")} bytes (${unit})`;
}
