/**
 * Faster request bodies for the three bulk write operations (PutLogEvents, PutMetricData,
 * PutTraceSegments). The SDK's schema serializer walks every member of every event, which
 * dominates a backfill's CPU; these bodies are plain JSON.stringify of the same shapes.
 * The rest of the SDK pipeline (endpoint, signing, retries, HTTP) is unchanged, and a test
 * checks the bodies equal the SDK's own.
 */
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { XRayClient } from "@aws-sdk/client-xray";

type Serializer = (input: any) => string;

interface PatchableProtocol {
  serializeRequest(operationSchema: { name: string }, input: unknown, context: unknown): Promise<{ body?: unknown; headers: Record<string, string> }>;
}

const PATCHED = Symbol.for("faasight.fastSerde");

const toEpochSeconds = (t: unknown): number | undefined => {
  if (t === undefined || t === null) return undefined;
  if (t instanceof Date) return t.getTime() / 1000;
  if (typeof t === "number") return t;
  return Date.parse(String(t)) / 1000;
};

/** awsJson1_1 body of PutLogEvents. */
export const putLogEventsBody: Serializer = (input) =>
  JSON.stringify({ logGroupName: input.logGroupName, logStreamName: input.logStreamName, logEvents: input.logEvents, sequenceToken: input.sequenceToken });

/** awsJson1_0 body of PutMetricData (timestamps as epoch seconds). */
export const putMetricDataBody: Serializer = (input) =>
  JSON.stringify({
    Namespace: input.Namespace,
    MetricData: (input.MetricData as Record<string, unknown>[]).map((d) => ({ ...d, Timestamp: toEpochSeconds(d.Timestamp) })),
  });

/** restJson1 body of PutTraceSegments. */
export const putTraceSegmentsBody: Serializer = (input) => JSON.stringify({ TraceSegmentDocuments: input.TraceSegmentDocuments });

function patch(client: { config: unknown }, serializers: Record<string, Serializer>): void {
  const config = client.config as { protocol?: PatchableProtocol & { [PATCHED]?: boolean } };
  const protocol = config.protocol;
  if (!protocol || typeof protocol.serializeRequest !== "function" || protocol[PATCHED]) return;
  const original = protocol.serializeRequest.bind(protocol);
  protocol.serializeRequest = async (operationSchema, input, context) => {
    const fast = serializers[operationSchema.name];
    if (!fast) return original(operationSchema, input, context);
    // The SDK still builds method, path and headers; only the body is ours.
    const request = await original(operationSchema, {}, context);
    // Bytes once: the signer hashes and the socket writes the same buffer without re-encoding.
    request.body = Buffer.from(fast(input), "utf8");
    return request;
  };
  protocol[PATCHED] = true;
}

/** Makes the bulk write operations of these clients serialize their bodies with JSON.stringify. */
export function enableFastSerialization(clients: { logs: CloudWatchLogsClient; cloudwatch: CloudWatchClient; xray: XRayClient }): void {
  patch(clients.logs, { PutLogEvents: putLogEventsBody });
  patch(clients.cloudwatch, { PutMetricData: putMetricDataBody });
  patch(clients.xray, { PutTraceSegments: putTraceSegmentsBody });
}
