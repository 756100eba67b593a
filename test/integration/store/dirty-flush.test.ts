/**
 * Deferred rollups survive a crash at any step: ingest marks the function's hours and the
 * fleet's minutes with the rows it writes; flushDirtyHours recomputes the function's hours in
 * one transaction, then the fleet's minute and hour rows in another, each clearing its marks.
 * A run killed between the two leaves the fleet marks; the next flush completes the fleet rows
 * (on SQLite and PostgreSQL).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASES, type TestDatabase } from "../helpers/databases.ts";
import { openStore, type Store } from "../../../lib/store/sql.ts";
import { ingestLambdaLogEvents } from "../../../lib/store/log-ingest.ts";
import { DIRTY_COLLECTOR, flushDirtyHours } from "../../../lib/store/rollups.ts";
import type { RawLogEvent } from "../../../lib/store/invocation-assembly.ts";

const STREAM = "2026/11/27/[$LATEST]0c7e3a5f9d8b4e21a6f0b3c2d1e4f5a6";
const T0 = Date.parse("2026-11-27T10:10:20.000Z");

function invocation(rid: string, at: number, firstId: number): RawLogEvent[] {
  const lines = [
    [0, `START RequestId: ${rid} Version: $LATEST`],
    [120, `END RequestId: ${rid}`],
    [120, `REPORT RequestId: ${rid}\tDuration: 120.00 ms\tBilled Duration: 120 ms\tMemory Size: 512 MB\tMax Memory Used: 90 MB\t`],
  ] as const;
  return lines.map(([dt, message], i) => ({ eventId: String(firstId + i).padStart(56, "0"), logStream: STREAM, timestamp: at + dt, message }));
}

describe.each(DATABASES)("deferred rollups after a crash on $name", ({ create }) => {
  let h: TestDatabase;
  let store: Store;
  beforeAll(async () => {
    h = await create();
    store = openStore(h.url);
  });
  afterAll(async () => {
    await store?.close();
    await h?.drop();
  });

  it("a flush killed after the function's hours leaves the fleet marked, and the next flush completes it", async () => {
    const source = await h.db.source.create({ data: { name: "t", accountId: "123456789012", region: "us-east-1" } });
    const f = await h.db.lambdaFunction.create({ data: { sourceId: source.id, name: "orders", arn: "arn:aws:lambda:us-east-1:123456789012:function:orders", runtime: "nodejs20.x", memoryMb: 512, timeoutSec: 6, logGroup: "/aws/lambda/orders" } });
    await ingestLambdaLogEvents(store, { id: f.id, sourceId: source.id, name: "orders", runtime: "nodejs20.x" }, [
      ...invocation("5d0c2f5e-0001-4a33-b563-6c6ae1ed48db", T0, 100),
      ...invocation("5d0c2f5e-0002-4a33-b563-6c6ae1ed48db", T0 + 60_000, 200),
    ]);
    // The process dies at the second transaction of the flush (the fleet's).
    let n = 0;
    const dying: Store = { ...store, transaction: (body) => (++n === 2 ? Promise.reject(new Error("SIGKILL")) : store.transaction(body)) };
    await expect(flushDirtyHours(dying, source.id)).rejects.toThrow("SIGKILL");
    expect(await h.db.hourRollup.count({ where: { functionId: f.id, qualifier: "$ALL" } })).toBe(1);
    expect(await h.db.fleetMinuteRollup.count()).toBe(0);
    const marks = await h.db.collectorCursor.findMany({ where: { sourceId: source.id, collector: DIRTY_COLLECTOR }, select: { key: true } });
    const minute = Math.floor(T0 / 60_000) * 60_000;
    expect(marks.map((m) => m.key).sort()).toEqual([`fleet:0:${minute}`, `fleet:0:${minute + 60_000}`]);

    await flushDirtyHours(store, source.id);
    const minutes = await h.db.fleetMinuteRollup.findMany({ where: { sourceId: source.id }, orderBy: { bucketStart: "asc" }, select: { bucketStart: true, invocations: true, mbMs: true } });
    expect(minutes.map((m) => [m.bucketStart.getTime(), m.invocations, Number(m.mbMs)])).toEqual([
      [Math.floor(T0 / 60_000) * 60_000, 1, 120 * 512],
      [Math.floor(T0 / 60_000) * 60_000 + 60_000, 1, 120 * 512],
    ]);
    const hour = await h.db.fleetHourRollup.findMany({ where: { sourceId: source.id }, select: { invocations: true } });
    expect(hour.map((r) => r.invocations)).toEqual([2]);
    expect(await h.db.collectorCursor.count({ where: { sourceId: source.id, collector: DIRTY_COLLECTOR } })).toBe(0);
  });
});
