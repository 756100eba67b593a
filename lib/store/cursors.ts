/** Collector cursors: where each collector got to, per source and key, written inside data transactions. */
import { all, insertRows, type Sql, type Store } from "./sql.ts";
import type { DbProvider } from "../db-url.ts";

export interface CursorWrite {
  sourceId: number;
  /** inventory | metrics | logs | traces | failures | access-logs */
  collector: string;
  key: string;
  position: string;
}

/** Upserts a cursor (yield* it inside the transaction that wrote the data it covers). */
export function* writeCursor(dialect: DbProvider, c: CursorWrite): Sql<void> {
  yield* insertRows(dialect, "CollectorCursor", ["sourceId", "collector", "key", "position", "updatedAt"], [[c.sourceId, c.collector, c.key, c.position, new Date()]], {
    conflict: ["sourceId", "collector", "key"],
    update: ["position", "updatedAt"],
  });
}

/** All cursors of one collector for a source: key -> position. */
export async function readCursors(store: Store, sourceId: number, collector: string): Promise<Map<string, string>> {
  const rows = await store.read(() => all<{ key: string; position: string }>(`SELECT "key", "position" FROM "CollectorCursor" WHERE "sourceId" = ? AND "collector" = ?`, [sourceId, collector]));
  return new Map(rows.map((r) => [r.key, r.position]));
}

/** Writes a cursor on its own (when there is no data to commit with it). */
export async function saveCursor(store: Store, c: CursorWrite): Promise<void> {
  await store.transaction(() => writeCursor(store.dialect, c));
}

/** Epoch-ms cursor positions ("" or junk = undefined). */
export function positionMs(position: string | undefined): number | undefined {
  if (position === undefined) return undefined;
  const n = Number(position);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}
