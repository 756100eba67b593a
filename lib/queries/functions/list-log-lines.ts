import type { Db } from "../../db.ts";

export interface LogLine {
  requestId: string | null;
  timestamp: string;
  logStream: string;
  message: string;
}

/** The log lines of some requests of a function, oldest first, grouped by request id. */
export async function listLogLines(db: Db, functionId: number, requestIds: string[], perRequest = 200): Promise<Map<string, LogLine[]>> {
  const out = new Map<string, LogLine[]>();
  if (requestIds.length === 0) return out;
  const rows = await db.logEvent.findMany({
    where: { functionId, requestId: { in: requestIds } },
    orderBy: [{ timestamp: "asc" }, { id: "asc" }],
    take: perRequest * requestIds.length,
  });
  for (const r of rows) {
    const k = r.requestId ?? "";
    const list = out.get(k) ?? [];
    if (list.length < perRequest) list.push({ requestId: r.requestId, timestamp: r.timestamp.toISOString(), logStream: r.logStream, message: r.message });
    out.set(k, list);
  }
  return out;
}
