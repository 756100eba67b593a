/**
 * Sources: a cross-account source assumes its role with the external id (the sandbox's STS
 * enforces it), the Source row records the assumed account, and a wrong external id is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSqliteDatabase, type TestDatabase } from "../helpers/databases.ts";
import { simulateShop, type SimulatedShop } from "../helpers/shop.ts";
import { openSource } from "../../../lib/worker/sources.ts";
import { openStore } from "../../../lib/store/sql.ts";
import { runCollection, settingsFromEnv } from "../../../lib/worker/collect.ts";
import { parseEnv } from "../../../lib/env.ts";

const ROLE = "arn:aws:iam::210987654321:role/faasight-collector";
let sim: SimulatedShop;
let h: TestDatabase;

beforeAll(async () => {
  sim = await simulateShop({ hours: 0.1, seed: 3 });
  (sim.sandbox.services.find((s) => s.signingName === "sts") as unknown as { requireExternalId(arn: string, id: string): void }).requireExternalId(ROLE, "ext-7f3a9c");
  h = await createSqliteDatabase();
}, 300_000);

afterAll(async () => {
  await h?.drop();
  await sim?.close();
});

describe("cross-account sources", () => {
  it("assume the role with the external id and collect as that account", async () => {
    const ctx = await openSource(h.db, { name: "workload", region: "us-east-1", endpoint: sim.sandbox.url, roleArn: ROLE, externalId: "ext-7f3a9c", enabled: true }, { staticCredentials: true, quotaScale: 100 });
    try {
      expect(ctx.accountId).toBe("210987654321");
      expect(await h.db.source.findUniqueOrThrow({ where: { name: "workload" } })).toMatchObject({ accountId: "210987654321", roleArn: ROLE, externalId: "ext-7f3a9c" });
      const store = openStore(h.url);
      const [r] = await runCollection({ db: h.db, store, sources: [ctx], settings: settingsFromEnv(parseEnv({})), since: sim.start, only: ["inventory"] });
      await store.close();
      expect(r!.collectors.inventory!.status).toBe("ok");
      expect(await h.db.lambdaFunction.count({ where: { sourceId: ctx.id } })).toBe(sim.shop.functions.length);
    } finally {
      ctx.clients.destroy();
    }
  });

  it("refuse a wrong external id", async () => {
    await expect(openSource(h.db, { name: "intruder", region: "us-east-1", endpoint: sim.sandbox.url, roleArn: ROLE, externalId: "guess", enabled: true }, { staticCredentials: true, quotaScale: 100 })).rejects.toThrow(/not authorized|AccessDenied/);
  });
});
