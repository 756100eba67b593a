import { describe, expect, it } from "vitest";
import { TokenBucket, type Clock } from "./token-bucket.ts";

/** A clock that only moves when something sleeps. */
function fakeClock(): Clock & { sleeps: number[] } {
  let t = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms, signal) => {
      if (signal?.aborted) return;
      sleeps.push(ms);
      t += ms;
    },
  };
}

describe("TokenBucket", () => {
  it("paces takes at the rate after the burst", async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(5, 1, clock);
    for (let i = 0; i < 11; i++) expect(await bucket.take()).toBe(true);
    // 1 token at start, then one every 200 ms: 10 more take 2 s.
    expect(clock.now()).toBe(2000);
    expect(clock.sleeps).toEqual(Array(10).fill(200));
  });

  it("lets a burst through at once, then paces", async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(10, 5, clock);
    for (let i = 0; i < 5; i++) await bucket.take();
    expect(clock.now()).toBe(0);
    await bucket.take();
    expect(clock.now()).toBe(100);
  });

  it("refills while idle, but never above the burst", async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(2, 2, clock);
    await bucket.take();
    await bucket.take();
    await clock.sleep(10_000);
    expect(bucket.waitMs()).toBe(0);
    await bucket.take();
    await bucket.take();
    expect(bucket.waitMs()).toBe(500);
  });

  it("returns false without a token when the signal aborts", async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(1, 1, clock);
    const stop = new AbortController();
    await bucket.take(stop.signal);
    stop.abort();
    expect(await bucket.take(stop.signal)).toBe(false);
    expect(clock.now()).toBe(0);
  });

  it("paces real time too", async () => {
    const bucket = new TokenBucket(100);
    const started = performance.now();
    for (let i = 0; i < 6; i++) await bucket.take();
    expect(performance.now() - started).toBeGreaterThanOrEqual(48);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])("refuses a rate of %s", (rate) => {
    expect(() => new TokenBucket(rate)).toThrow(RangeError);
  });
});
