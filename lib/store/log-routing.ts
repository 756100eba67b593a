/**
 * Which store rows a log group's events belong to: a function's /aws/lambda group or an API
 * stage's access-log group. Push ingestion (subscription -> Firehose) routes with these,
 * then calls ingestLambdaLogEvents / ingestAccessLogEvents and flushDirtyHours.
 */
import { all, toNum, type Store } from "./sql.ts";
import type { FunctionRef } from "./log-ingest.ts";
import type { StageRef } from "./access-log-ingest.ts";

export type LogGroupTarget = { kind: "lambda"; fn: FunctionRef } | { kind: "access"; stage: StageRef };

/** The function or stage that writes to `logGroup` in a source (null when none known). */
export async function resolveLogGroup(store: Store, sourceId: number, logGroup: string): Promise<LogGroupTarget | null> {
  const fns = await store.read(() =>
    all<Record<string, unknown>>(`SELECT "id", "name", "runtime" FROM "LambdaFunction" WHERE "sourceId" = ? AND "logGroup" = ? AND "deletedAt" IS NULL ORDER BY "id"`, [sourceId, logGroup]),
  );
  if (fns.length > 0) {
    const f = fns[0]!;
    return { kind: "lambda", fn: { id: toNum(f.id), sourceId, name: String(f.name), runtime: f.runtime == null ? null : String(f.runtime) } };
  }
  const stages = await store.read(() =>
    all<Record<string, unknown>>(
      `SELECT s."id", s."canaryPercent" FROM "ApiStage" s JOIN "Api" a ON a."id" = s."apiDbId" WHERE a."sourceId" = ? AND s."accessLogGroup" = ? AND s."deletedAt" IS NULL ORDER BY s."id"`,
      [sourceId, logGroup],
    ),
  );
  if (stages.length > 0) return { kind: "access", stage: { id: toNum(stages[0]!.id), sourceId, canary: stages[0]!.canaryPercent != null } };
  return null;
}

