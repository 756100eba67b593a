/**
 * SQS's older awsQuery protocol (form-encoded Action=..., flattened XML responses),
 * still accepted by AWS and spoken by older SDKs and CLIs (e.g. Debian's awscli 2.9).
 * Decodes requests into the JSON-protocol input shapes and renders outputs and errors.
 */
import type { AwsServiceError } from "../core.ts";

export const SQS_QUERY_XMLNS = "http://queue.amazonaws.com/doc/2012-11-05/";

type Tree = { [key: string]: Tree | Tree[] | string };

/** Prototype-less objects: parameter names such as "__proto__.x" must stay plain keys. */
const bare = <T>(): T => Object.create(null) as T;

/** Larger list indexes are ignored (SQS lists hold at most 10 entries; attributes a few dozen). */
const MAX_INDEX = 1000;

/** Splits "A.1.B.2.C" keys into nested objects, numeric segments into 1-based arrays; malformed keys are skipped. */
function toTree(params: URLSearchParams): Tree {
  const root = bare<Tree>();
  for (const [key, value] of params) {
    const parts = key.split(".");
    let node: any = root;
    for (let i = 0; i < parts.length && node !== undefined; i++) {
      const part = parts[i]!;
      const last = i === parts.length - 1;
      const isIndex = /^\d+$/.test(part);
      const slot: string | number = isIndex ? Number(part) - 1 : part;
      if (isIndex && (!Array.isArray(node) || (slot as number) < 0 || (slot as number) >= MAX_INDEX)) {
        node = undefined;
      } else if (last) {
        node[slot] = value;
      } else {
        const existing = Object.hasOwn(node, slot) ? node[slot] : undefined;
        if (existing === undefined) node = node[slot] = /^\d+$/.test(parts[i + 1]!) ? [] : bare<Tree>();
        else node = typeof existing === "object" ? existing : undefined;
      }
    }
  }
  return root;
}

const LIST_NAMES: Record<string, string> = {
  AttributeName: "AttributeNames",
  MessageSystemAttributeName: "MessageSystemAttributeNames",
  MessageAttributeName: "MessageAttributeNames",
  TagKey: "TagKeys",
  AWSAccountId: "AWSAccountIds",
  ActionName: "Actions",
};

function compact<T>(list: T[] | undefined): T[] {
  return (list ?? []).filter((x) => x !== undefined);
}

function attributeValue(v: any): Record<string, unknown> {
  const out: Record<string, unknown> = { DataType: v?.DataType };
  if (v?.StringValue !== undefined) out.StringValue = v.StringValue;
  if (v?.BinaryValue !== undefined) out.BinaryValue = v.BinaryValue;
  if (v?.StringListValue) out.StringListValues = compact(v.StringListValue);
  if (v?.BinaryListValue) out.BinaryListValues = compact(v.BinaryListValue);
  return out;
}

/** Converts a decoded tree to the JSON protocol's input members. */
function toInput(tree: Tree, action: string): Record<string, unknown> {
  const out = bare<Record<string, unknown>>();
  for (const [key, value] of Object.entries(tree)) {
    if (key === "Action" || key === "Version") continue;
    if (key === "Attribute") {
      out.Attributes = Object.fromEntries(compact(value as Tree[]).map((e) => [e.Name, e.Value]));
    } else if (key === "Tag") {
      out[action === "CreateQueue" ? "tags" : "Tags"] = Object.fromEntries(compact(value as Tree[]).map((e) => [e.Key, e.Value]));
    } else if (key === "MessageAttribute" || key === "MessageSystemAttribute") {
      out[`${key}s`] = Object.fromEntries(compact(value as Tree[]).map((e) => [e.Name, attributeValue(e.Value)]));
    } else if (key in LIST_NAMES) {
      out[LIST_NAMES[key]!] = compact(value as unknown as string[]);
    } else if (key.endsWith("BatchRequestEntry")) {
      out.Entries = compact(value as Tree[]).map((e) => toInput(e, action));
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** The action and JSON-shaped input of an SQS query request. */
export function decodeSqsQuery(params: URLSearchParams): { action: string; input: Record<string, unknown> } {
  const action = params.get("Action") ?? "";
  return { action, input: toInput(toTree(params), action) };
}

function escapeXml(s: string): string {
  return s.replace(/[<>&'"\r]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;", "\r": "&#13;" })[c]!);
}

const el = (name: string, value: unknown) => `<${name}>${escapeXml(String(value))}</${name}>`;

function nameValue(element: string, map: Record<string, unknown>, keyName = "Name", valueName = "Value"): string {
  return Object.entries(map)
    .map(([k, v]) => `<${element}>${el(keyName, k)}<${valueName}>${escapeXml(String(v))}</${valueName}></${element}>`)
    .join("");
}

function messageAttributes(map: Record<string, Record<string, unknown>>): string {
  return Object.entries(map)
    .map(([name, v]) => {
      let inner = "";
      if (v.StringValue !== undefined) inner += el("StringValue", v.StringValue);
      if (v.BinaryValue !== undefined) inner += el("BinaryValue", v.BinaryValue);
      for (const s of (v.StringListValues as string[] | undefined) ?? []) inner += el("StringListValue", s);
      for (const b of (v.BinaryListValues as string[] | undefined) ?? []) inner += el("BinaryListValue", b);
      inner += el("DataType", v.DataType);
      return `<MessageAttribute>${el("Name", name)}<Value>${inner}</Value></MessageAttribute>`;
    })
    .join("");
}

const ENTRY_ELEMENTS: Record<string, string> = {
  SendMessageBatch: "SendMessageBatchResultEntry",
  DeleteMessageBatch: "DeleteMessageBatchResultEntry",
  ChangeMessageVisibilityBatch: "ChangeMessageVisibilityBatchResultEntry",
};

/** Serialises one JSON-protocol output object in the SQS query (flattened) XML form. */
function toXml(output: Record<string, any>, action: string): string {
  let xml = "";
  for (const [key, value] of Object.entries(output)) {
    if (value === undefined || value === null) continue;
    switch (key) {
      case "Attributes":
        xml += nameValue("Attribute", value);
        break;
      case "Tags":
        xml += nameValue("Tag", value, "Key", "Value");
        break;
      case "MessageAttributes":
        xml += messageAttributes(value);
        break;
      case "QueueUrls":
      case "queueUrls":
        xml += (value as string[]).map((u) => el("QueueUrl", u)).join("");
        break;
      case "Messages":
        xml += (value as Record<string, any>[]).map((m) => `<Message>${toXml(m, action)}</Message>`).join("");
        break;
      case "Successful":
        xml += (value as Record<string, any>[]).map((e) => `<${ENTRY_ELEMENTS[action]}>${toXml(e, action)}</${ENTRY_ELEMENTS[action]}>`).join("");
        break;
      case "Failed":
        xml += (value as Record<string, any>[]).map((e) => `<BatchResultErrorEntry>${toXml(e, action)}</BatchResultErrorEntry>`).join("");
        break;
      case "Results":
        xml += (value as Record<string, any>[]).map((e) => `<ListMessageMoveTasksResultEntry>${toXml(e, action)}</ListMessageMoveTasksResultEntry>`).join("");
        break;
      default:
        xml += el(key, value);
    }
  }
  return xml;
}

/** Operations whose query response has no <ActionResult> element. */
const NO_RESULT = new Set(["AddPermission", "ChangeMessageVisibility", "DeleteMessage", "DeleteQueue", "PurgeQueue", "RemovePermission", "SetQueueAttributes", "TagQueue", "UntagQueue"]);

export function renderSqsQueryResult(action: string, output: Record<string, any>, requestId: string): string {
  const result = NO_RESULT.has(action) ? "" : `<${action}Result>${toXml(output, action)}</${action}Result>`;
  return `<?xml version="1.0"?><${action}Response xmlns="${SQS_QUERY_XMLNS}">${result}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}

/** The query-protocol error document, carrying the legacy code (e.g. AWS.SimpleQueueService.NonExistentQueue). */
export function renderSqsQueryError(err: AwsServiceError, requestId: string): string {
  const type = err.options.fault ?? (err.status >= 500 ? "Receiver" : "Sender");
  return (
    `<?xml version="1.0"?><ErrorResponse xmlns="${SQS_QUERY_XMLNS}"><Error><Type>${type}</Type>` +
    `${el("Code", err.options.queryCode ?? err.code)}${el("Message", err.message)}<Detail/></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}
