/**
 * The Firehose HTTP endpoint: one function from a Fetch Request to a Response, used by the
 * Next.js route and by any plain node:http server. Authenticates by access key (401), rejects
 * bodies that are not Firehose deliveries (400), stores the rest (500 on a store failure, so
 * Firehose retries the same request id; a replay changes nothing).
 */
import { FIREHOSE_HEADERS, MAX_BODY_BYTES, accessKeyMatches, decodeDelivery, firehoseResponseBody, requestBodyText, requestIdOf } from "./firehose-format.ts";
import { ingestSubscriptionPayloads, type PushIngestResult } from "./firehose-ingest.ts";
import type { Store } from "../store/sql.ts";
import type { ApiErrorCode } from "../api/errors.ts";

export interface FirehoseEndpointOptions {
  store: Store;
  /** FAASIGHT_FIREHOSE_ACCESS_KEY; unset = the endpoint refuses every delivery. */
  accessKey: string | undefined;
  /** FAASIGHT_FIREHOSE_SOURCE: the Source name deliveries belong to (else by payload owner account). */
  sourceName?: string;
  now?: () => number;
  log?: (line: string) => void;
  /** Called after each delivery was handled (tests and metrics). */
  onDelivery?: (r: FirehoseDeliveryReport) => void;
}

export interface FirehoseDeliveryReport {
  requestId: string;
  status: number;
  records: number;
  control: number;
  malformed: number;
  stored?: PushIngestResult;
  error?: string;
}

function respond(status: number, requestId: string, timestamp: number, error?: { code: ApiErrorCode; message: string }): Response {
  // Firehose's documented response body, plus the API's error shape on failures.
  const body = error ? { ...firehoseResponseBody(requestId, timestamp, error.message), error } : firehoseResponseBody(requestId, timestamp);
  return Response.json(body, { status, headers: { "cache-control": "no-store" } });
}

/** Handles one Firehose HTTP endpoint delivery. */
export async function handleFirehoseRequest(req: Request, o: FirehoseEndpointOptions): Promise<Response> {
  const now = o.now ?? Date.now;
  const headerId = req.headers.get(FIREHOSE_HEADERS.requestId);
  const report = (r: FirehoseDeliveryReport) => o.onDelivery?.(r);
  if (req.method !== "POST") return respond(405, headerId ?? "", now(), { code: "invalid_body", message: "Firehose deliveries are POST requests" });
  if (!o.accessKey || !accessKeyMatches(req.headers.get(FIREHOSE_HEADERS.accessKey), o.accessKey)) {
    report({ requestId: headerId ?? "", status: 401, records: 0, control: 0, malformed: 0, error: "bad access key" });
    return respond(401, headerId ?? "", now(), { code: "unauthorized", message: o.accessKey ? "the X-Amz-Firehose-Access-Key header does not match FAASIGHT_FIREHOSE_ACCESS_KEY" : "push ingestion is off: FAASIGHT_FIREHOSE_ACCESS_KEY is not set" });
  }
  const length = Number(req.headers.get("content-length") ?? 0);
  if (length > MAX_BODY_BYTES) return respond(413, headerId ?? "", now(), { code: "invalid_body", message: `body larger than ${MAX_BODY_BYTES} bytes` });
  const raw = new Uint8Array(await req.arrayBuffer());
  const body = requestBodyText(raw, req.headers.get("content-encoding"));
  if (!body.ok) {
    report({ requestId: headerId ?? "", status: 400, records: 0, control: 0, malformed: 0, error: body.reason });
    return respond(400, headerId ?? "", now(), { code: "invalid_body", message: body.reason });
  }
  const decoded = decodeDelivery(body.text, headerId);
  if (!decoded.ok) {
    const requestId = requestIdOf(body.text, headerId);
    report({ requestId, status: 400, records: 0, control: 0, malformed: 0, error: decoded.reason });
    return respond(400, requestId, now(), { code: "invalid_body", message: decoded.reason });
  }
  const d = decoded.delivery;
  if (d.malformed.length) o.log?.(`firehose ${d.requestId}: ${d.malformed.length} malformed record(s) skipped: ${d.malformed.slice(0, 3).join("; ")}`);
  try {
    const stored = await ingestSubscriptionPayloads(o.store, d.data, { sourceName: o.sourceName }, now());
    if (stored.unrouted) o.log?.(`firehose ${d.requestId}: ${stored.unrouted} event(s) of unknown log groups (${stored.unroutedGroups.slice(0, 3).join(", ")}) not stored; the inventory has not seen them yet`);
    report({ requestId: d.requestId, status: 200, records: d.records, control: d.control, malformed: d.malformed.length, stored });
    return respond(200, d.requestId, now());
  } catch (err) {
    const message = `the store could not take the delivery: ${(err as Error).message}`;
    o.log?.(`firehose ${d.requestId}: ${message}`);
    report({ requestId: d.requestId, status: 500, records: d.records, control: d.control, malformed: d.malformed.length, error: message });
    return respond(500, d.requestId, now(), { code: "internal", message: "the store could not take the delivery; Firehose will retry it" });
  }
}
