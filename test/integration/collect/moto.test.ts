/**
 * The same collectors pointed at moto, an AWS emulator we did not write: the simulator
 * writes the shop's telemetry into moto through the AWS APIs, and the store reaches the
 * ground truth for everything moto supports (see the gaps below), on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASES, type TestDatabase } from "../helpers/databases.ts";
import { startMoto, type MotoServer } from "../helpers/moto.ts";
import { compareWithTruth } from "../helpers/truth-compare.ts";
import { openCollector, type Collector } from "../helpers/collect.ts";
import { createAwsClients, SANDBOX_CREDENTIALS, type AwsClients } from "../../../lib/aws/clients.ts";
import { buildShop } from "../../../lib/simulate/shop.ts";
import { provisionShop } from "../../../lib/simulate/provision.ts";
import { backfill, createRun } from "../../../lib/simulate/backfill.ts";
import type { GroundTruth } from "../../../lib/simulate/truth.ts";

let moto: MotoServer | null;
let clients: AwsClients;
let truth: GroundTruth;
let start: number;

beforeAll(async () => {
  moto = await startMoto();
  if (!moto) return;
  clients = createAwsClients({ region: "us-east-1", endpoint: moto.url, credentials: SANDBOX_CREDENTIALS, maxAttempts: 3 });
  const shop = buildShop({});
  const end = Math.floor(Date.now() / 60_000) * 60_000;
  start = end - 30 * 60_000;
  const provisioned = await provisionShop(clients, shop);
  const run = createRun({ clients, shop, seed: 41, start, provisioned });
  await backfill(run, end);
  expect([...run.writer.errors]).toEqual([]);
  truth = run.truth.toJSON(new Date(end));
}, 600_000);

afterAll(async () => {
  clients?.destroy();
  await moto?.stop();
});

describe.each(DATABASES)("collecting from moto into $name", ({ create }) => {
  let h: TestDatabase;
  let c: Collector;
  afterAll(async () => {
    await c?.close();
    await h?.drop();
  });

  it("reaches the ground truth for everything moto supports", async (ctx) => {
    if (!moto) return ctx.skip("python3 with moto is not installed (pip install 'moto[server]'), and MOTO_URL is not set");
    h = await create();
    c = await openCollector(h, moto.url);
    const [r] = await c.collect({ since: start - 60_000 });
    // moto answers ListProvisionedConcurrencyConfigs with a 404 page and rejects percentile statistics.
    for (const [name, s] of Object.entries(r!.collectors)) {
      if (name === "inventory") expect(s!.error ?? "").not.toMatch(/ListFunctions|ListAliases|ListVersionsByFunction|GetRestApis|GetApis|ListQueues/);
      else expect(s!.status, `${name}: ${s!.error}`).toBe("ok");
    }
    expect(r!.collectors.metrics!.error ?? "").toMatch(/^(|GetMetricData \(percentiles\).*)$/s);
    const diffs = await compareWithTruth(h.db, truth, {
      // moto does not store DeadLetterConfig, so nothing marks this queue as a DLQ.
      skipQueues: ["image-resize-dlq"],
      // moto drops the prod stage's settings (canary, cache, access log): its counts come from the REST ApiName+Stage metrics.
      stageCountsOnly: ["shop-api/prod"],
    });
    expect(diffs).toEqual([]);
  }, 600_000);
});
