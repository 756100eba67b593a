/**
 * The MD5 digests SQS returns with every message: of the body, and of the message
 * (system) attributes in AWS's length-prefixed binary encoding, which SDKs verify.
 */
import { createHash } from "node:crypto";
import type { SqsMessageAttribute } from "../core.ts";

/** Hex MD5 of a UTF-8 string (MD5OfMessageBody / MD5OfBody). */
export function md5Hex(text: string): string {
  return createHash("md5").update(text, "utf8").digest("hex");
}

const STRING_VALUE = 1;
const BINARY_VALUE = 2;
const STRING_LIST_VALUE = 3;
const BINARY_LIST_VALUE = 4;

function lengthPrefixed(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/**
 * MD5OfMessageAttributes as AWS computes it: attributes sorted by name; for each, the
 * length-prefixed name and data type, one transport byte (1 string, 2 binary, 3 string
 * list, 4 binary list) and the length-prefixed value(s). Binary values are base64 on the wire.
 * Undefined when there are no attributes (AWS then omits the digest).
 */
export function md5OfMessageAttributes(attributes: Record<string, SqsMessageAttribute> | undefined): string | undefined {
  const names = Object.keys(attributes ?? {}).sort();
  if (names.length === 0) return undefined;
  const hash = createHash("md5");
  for (const name of names) {
    const attr = attributes![name]!;
    hash.update(lengthPrefixed(Buffer.from(name, "utf8")));
    hash.update(lengthPrefixed(Buffer.from(attr.DataType, "utf8")));
    if (attr.StringValue !== undefined) {
      hash.update(Buffer.of(STRING_VALUE));
      hash.update(lengthPrefixed(Buffer.from(attr.StringValue, "utf8")));
    } else if (attr.BinaryValue !== undefined) {
      hash.update(Buffer.of(BINARY_VALUE));
      hash.update(lengthPrefixed(Buffer.from(attr.BinaryValue, "base64")));
    } else if (attr.StringListValues && attr.StringListValues.length > 0) {
      hash.update(Buffer.of(STRING_LIST_VALUE));
      for (const v of attr.StringListValues) hash.update(lengthPrefixed(Buffer.from(v, "utf8")));
    } else if (attr.BinaryListValues && attr.BinaryListValues.length > 0) {
      hash.update(Buffer.of(BINARY_LIST_VALUE));
      for (const v of attr.BinaryListValues) hash.update(lengthPrefixed(Buffer.from(v, "base64")));
    }
  }
  return hash.digest("hex");
}
