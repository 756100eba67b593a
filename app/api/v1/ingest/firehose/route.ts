import { env } from "@/lib/env";
import { getIngestStore } from "@/lib/ingest/store";
import { handleFirehoseRequest } from "@/lib/ingest/firehose-handler";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** Amazon Data Firehose HTTP endpoint deliveries of CloudWatch Logs subscription data (authenticated by access key, not session). */
export async function POST(req: Request) {
  const e = env();
  return handleFirehoseRequest(req, {
    store: getIngestStore(),
    accessKey: e.FAASIGHT_FIREHOSE_ACCESS_KEY,
    sourceName: e.FAASIGHT_FIREHOSE_SOURCE,
    log: (line) => console.warn(`faasight ingest: ${line}`),
  });
}
