/**
 * The failed-event page's query on SQLite and PostgreSQL: the function's aliases and versions
 * for the target chooser, message attributes, and the replay attempt and audit row that a
 * real replay (against the sandbox) leaves on the event.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASES, type TestDatabase } from "../helpers/databases.ts";
import { replayEvent } from "../../../lib/replay/index.ts";
import { getFailedEventDetail } from "../../../lib/queries/failures/get-failed-event.ts";
import { FN, captureQueue, failAsync, operator, seedInventory, startWorld, type Seeded, type World } from "./helpers.ts";

describe.each(DATABASES)("failed event detail ($name)", ({ create }) => {
  let w: World;
  let t: TestDatabase;
  let seeded: Seeded;
  let eventId: number;

  beforeAll(async () => {
    [w, t] = await Promise.all([startWorld(), create()]);
    seeded = await seedInventory(t.db, w);
    await t.db.functionVersion.createMany({ data: ["1", "2", "10", "$LATEST"].map((version) => ({ functionId: seeded.functionId, version })) });
    await t.db.functionVersion.create({ data: { functionId: seeded.functionId, version: "3", deletedAt: new Date() } });
    await t.db.functionAlias.create({ data: { functionId: seeded.functionId, name: "live", functionVersion: "1" } });
    await failAsync(w, [{ orderId: "d-1", bug: true }]);
    const ids = await captureQueue(t.db, w, { id: seeded.dlqId, url: w.dlq.url }, { id: seeded.functionId, name: FN });
    eventId = [...ids.values()][0]!;
  });
  afterAll(async () => {
    await w?.close();
    await t?.drop();
  });

  it("lists aliases, then versions newest first, then $LATEST; deleted versions are left out", async () => {
    const d = (await getFailedEventDetail(t.db, eventId))!;
    expect(d.qualifiers.map((q) => q.value)).toEqual(["live", "10", "2", "1", "$LATEST"]);
    expect(d.qualifiers[0]!.label).toBe("alias live (→ version 1)");
    expect(d).toMatchObject({ status: "new", functionName: FN, sourceKind: "async_dlq", payload: JSON.stringify({ orderId: "d-1", bug: true }), replays: [], audit: [] });
    expect(d.attributes).toMatchObject({ ErrorCode: "200", ErrorMessage: "bug in version 1" });
    expect(d.attributes.RequestID).toBe(d.requestId);
  });

  it("shows the replay attempt with its new request id and the audit row", async () => {
    const r = await replayEvent(t.db, w.clients, operator, { eventId, qualifier: "2" });
    expect(r.outcome).toBe("replayed");
    const d = (await getFailedEventDetail(t.db, eventId))!;
    expect(d.status).toBe("replayed");
    expect(d.replays).toHaveLength(1);
    expect(d.replays[0]).toMatchObject({ action: "reinvoke", target: "2", method: "RequestResponse", status: "succeeded", resultRequestId: r.requestId, actor: operator.email, inDoubt: false });
    expect(d.audit).toHaveLength(1);
    expect(d.audit[0]).toMatchObject({ actor: operator.email, action: "failures.replay", outcome: "ok", details: { result: "replayed", qualifier: "2", requestId: r.requestId } });
  });

  it("answers null for an unknown event", async () => {
    expect(await getFailedEventDetail(t.db, 999_999)).toBeNull();
  });
});
