/**
 * Lease claims on a real SQLite file and a real PostgreSQL database: a source is claimed by one
 * owner until it lapses, concurrent claimers never take the same source (SKIP LOCKED on
 * PostgreSQL, the write lock on SQLite), and log-group shard leases follow the same rules.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASES, type TestDatabase } from "../helpers/databases.ts";
import { openStore, type Store } from "../../../lib/store/sql.ts";
import { claimNextLogShard, claimNextSource, extendLease, extendLogShardLease, readLeases, readLogShardLeases, releaseOwnLeases } from "../../../lib/worker/leases.ts";

describe.each(DATABASES)("lease claims on $name", ({ create }) => {
  let h: TestDatabase;
  let a: Store;
  let b: Store;
  const ids: number[] = [];
  beforeAll(async () => {
    h = await create();
    for (let i = 0; i < 6; i++) ids.push((await h.db.source.create({ data: { name: `s${i}`, accountId: String(100000000000 + i), region: "us-east-1" } })).id);
    a = openStore(h.url);
    b = openStore(h.url);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await h?.drop();
  });

  it("claims each source once until its lease lapses, then lets another owner take it", async () => {
    const now = Date.now();
    expect(await claimNextSource(a, "w1", ids.slice(0, 1), now, 10_000)).toBe(ids[0]);
    expect(await claimNextSource(b, "w2", ids.slice(0, 1), now + 1_000, 10_000)).toBeNull();
    expect(await extendLease(b, "w2", ids[0]!, now + 50_000)).toBe(false);
    expect(await extendLease(a, "w1", ids[0]!, now + 5_000)).toBe(true);
    expect(await claimNextSource(b, "w2", ids.slice(0, 1), now + 5_000, 10_000)).toBe(ids[0]);
    const [row] = await readLeases(a, ids.slice(0, 1));
    expect(row).toEqual({ id: ids[0], owner: "w2", expiresAt: now + 15_000 });
    expect(await extendLease(a, "w1", ids[0]!, now + 60_000)).toBe(false);
  });

  it("never gives one source to two concurrent claimers", async () => {
    const pool = ids.slice(1);
    const now = Date.now();
    const claims = await Promise.all([a, b, a, b, a, b, a, b].map((s, i) => claimNextSource(s, `c${i}`, pool, now, 60_000)));
    const got = claims.filter((x): x is number => x !== null);
    expect(got.sort()).toEqual([...pool].sort());
    expect(new Set(got).size).toBe(got.length);
    expect(claims.filter((x) => x === null)).toHaveLength(3);
  });

  it("leases log-group shards the same way", async () => {
    const now = Date.now();
    const source = ids[0]!;
    const first = await Promise.all([claimNextLogShard(a, "w1", source, 3, now, 10_000), claimNextLogShard(b, "w2", source, 3, now, 10_000)]);
    expect(new Set(first).size).toBe(2);
    const third = await claimNextLogShard(a, "w1", source, 3, now, 10_000, new Set([first[0]!]));
    expect(third).not.toBeNull();
    expect(await claimNextLogShard(b, "w2", source, 3, now, 10_000)).toBeNull();
    expect(await extendLogShardLease(a, "w1", source, first[0]!, 3, now - 1)).toBe(true);
    expect(await claimNextLogShard(b, "w2", source, 3, now, 10_000)).toBe(first[0]);
    const leases = await readLogShardLeases(a, source, 3);
    expect([...leases.keys()].sort()).toEqual([0, 1, 2]);
    expect(leases.get(first[0]!)!.owner).toBe("w2");
  });

  it("lets a restarted worker with a stable identity take back its own leases at once, and no one else's", async () => {
    const now = Date.now();
    const source = (await h.db.source.create({ data: { name: "restart", accountId: "100000000099", region: "us-east-1" } })).id;
    expect(await claimNextSource(a, "w1", [source], now, 120_000)).toBe(source);
    const shard = await claimNextLogShard(a, "w1", source, 2, now, 120_000);
    expect(shard).not.toBeNull();
    // Restarted: without a release it would wait for the expiry.
    expect(await claimNextSource(b, "w1", [source], now + 1_000, 120_000)).toBeNull();
    expect(await releaseOwnLeases(b, "w2", [source], now + 1_000)).toBe(0);
    expect(await claimNextSource(b, "w2", [source], now + 1_000, 120_000)).toBeNull();
    expect(await releaseOwnLeases(b, "w1", [source], now + 1_000)).toBe(2);
    expect(await claimNextSource(b, "w1", [source], now + 1_000, 120_000)).toBe(source);
    expect(await claimNextLogShard(b, "w1", source, 2, now + 1_000, 120_000, new Set([1 - shard!]))).toBe(shard);
    // Leases that already lapsed are left as they are (nothing to take back).
    expect(await releaseOwnLeases(b, "w1", [source], now + 500_000)).toBe(0);
  });
});
