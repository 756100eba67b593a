import { z } from "zod";
import type { Db } from "../../db.ts";
import type { TimeRange } from "../../time-range.ts";
import { readJson } from "../shared/json.ts";

export interface ErrorGroupRow {
  fingerprint: string;
  errorType: string;
  messagePattern: string;
  sampleMessage: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
  count: number;
  versions: string[];
}

/** Error groups of a function seen in the window, most recent first. */
export async function listErrorGroups(db: Db, functionId: number, range: TimeRange, limit = 50): Promise<ErrorGroupRow[]> {
  const groups = await db.errorGroup.findMany({
    where: { functionId, lastSeenAt: { gte: range.from }, firstSeenAt: { lt: range.to } },
    orderBy: [{ lastSeenAt: "desc" }],
    take: limit,
  });
  return groups.map((g) => ({
    fingerprint: g.fingerprint,
    errorType: g.errorType,
    messagePattern: g.messagePattern,
    sampleMessage: g.sampleMessage,
    firstSeenAt: g.firstSeenAt.toISOString(),
    lastSeenAt: g.lastSeenAt.toISOString(),
    count: g.count,
    versions: readJson(g.versionsJson, z.array(z.union([z.string(), z.number()]).transform(String)), []),
  }));
}
