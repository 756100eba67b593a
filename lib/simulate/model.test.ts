import { describe, expect, it } from "vitest";
import { EnvironmentPool, OOM_ERROR_TYPE, TIMEOUT_ERROR_TYPE, billedDurationMs, drawOutcome, gbSeconds, logStreamName, trafficFactor } from "./model.ts";
import { DEFAULT_PROFILE, applyOverrides, profileFromEnvironment, profileSchema, PROFILE_ENV } from "./profile.ts";
import { poisson, requestId, rngFor } from "./rng.ts";
import { createRandom } from "../sandbox/random.ts";

describe("billedDurationMs", () => {
  it.each([
    { duration: 12.34, init: undefined, billInit: false, billed: 13, why: "warm: duration rounded up" },
    { duration: 12.0, init: undefined, billInit: false, billed: 12, why: "exact ms stays" },
    { duration: 0.41, init: undefined, billInit: false, billed: 1, why: "at least 1 ms" },
    { duration: 12.34, init: 250.12, billInit: true, billed: 263, why: "on-demand cold start bills init (since Aug 2025)" },
    { duration: 12.5, init: 250.5, billInit: true, billed: 263, why: "sum of printed values, no float drift" },
    { duration: 12.34, init: 250.12, billInit: false, billed: 13, why: "provisioned concurrency: init not billed" },
    { duration: 3000, init: 180.33, billInit: true, billed: 3181, why: "timeout on a cold start" },
  ])("$why", ({ duration, init, billInit, billed }) => {
    expect(billedDurationMs(duration, init, billInit)).toBe(billed);
  });

  it("computes GB-seconds from billed ms and memory", () => {
    expect(gbSeconds(1000, 1024)).toBe(1);
    expect(gbSeconds(263, 512)).toBeCloseTo(0.1315, 10);
  });
});

describe("logStreamName", () => {
  it("formats YYYY/MM/DD/[version]<32 hex> in UTC", () => {
    const hex = "0123456789abcdef0123456789abcdef";
    expect(logStreamName(Date.parse("2026-03-05T23:59:59.999Z"), "$LATEST", hex)).toBe(`2026/03/05/[$LATEST]${hex}`);
    expect(logStreamName(Date.parse("2026-12-31T00:00:00Z"), "8", hex)).toBe(`2026/12/31/[8]${hex}`);
  });
});

describe("drawOutcome", () => {
  const base = { profile: DEFAULT_PROFILE, memoryMb: 512, timeoutS: 3, billInit: false, envMemoryMb: 0 };

  it("is deterministic for a seed", () => {
    const a = Array.from({ length: 50 }, (_, i) => drawOutcome(rngFor(7, "x", i), base));
    const b = Array.from({ length: 50 }, (_, i) => drawOutcome(rngFor(7, "x", i), base));
    expect(a).toEqual(b);
    const c = Array.from({ length: 50 }, (_, i) => drawOutcome(rngFor(8, "x", i), base));
    expect(c).not.toEqual(a);
  });

  it("times out at exactly the timeout, as a Sandbox.Timedout error", () => {
    const profile = profileSchema.parse({ ...DEFAULT_PROFILE, timeoutRate: 1 });
    const o = drawOutcome(createRandom(1), { ...base, profile, initDurationMs: 200.5, billInit: true });
    expect(o.status).toBe("timeout");
    expect(o.durationMs).toBe(3000);
    expect(o.billedMs).toBe(3201);
    expect(o.errorType).toBe(TIMEOUT_ERROR_TYPE);
    expect(o.errorMessage).toBe("Task timed out after 3.00 seconds");
  });

  it("times out when the drawn duration exceeds the timeout", () => {
    const profile = profileSchema.parse({ ...DEFAULT_PROFILE, durationMs: 50_000, durationSigma: 0 });
    expect(drawOutcome(createRandom(2), { ...base, profile }).status).toBe("timeout");
  });

  it("kills out-of-memory invocations with Max Memory Used = Memory Size", () => {
    const profile = profileSchema.parse({ ...DEFAULT_PROFILE, oomRate: 1, timeoutRate: 0 });
    const o = drawOutcome(createRandom(3), { ...base, profile });
    expect(o.status).toBe("oom");
    expect(o.maxMemoryUsedMb).toBe(512);
    expect(o.errorType).toBe(OOM_ERROR_TYPE);
  });

  it("fails poison events with the profile's first error type", () => {
    const profile = profileSchema.parse({ ...DEFAULT_PROFILE, errors: [{ type: "MessageRejected", message: "nope" }, { type: "Other", message: "x" }] });
    for (let i = 0; i < 20; i++) {
      const o = drawOutcome(rngFor(1, i), { ...base, profile, forceError: true });
      expect(o.status).toBe("error");
      expect(o.errorType).toBe("MessageRejected");
      expect(o.statusCode).toBe(502);
    }
  });

  it("keeps memory monotonic within an environment and durations at 2 decimals", () => {
    const o = drawOutcome(createRandom(4), { ...base, envMemoryMb: 300 });
    expect(o.maxMemoryUsedMb).toBeGreaterThanOrEqual(300);
    expect(Math.round(o.durationMs * 100) / 100).toBe(o.durationMs);
  });

  it("applies version overrides (a regression)", () => {
    const slow = applyOverrides(DEFAULT_PROFILE, { durationFactor: 2, errorRateFactor: 5 });
    expect(slow.durationMs).toBe(DEFAULT_PROFILE.durationMs * 2);
    expect(slow.errorRate).toBeCloseTo(DEFAULT_PROFILE.errorRate * 5);
  });
});

describe("EnvironmentPool", () => {
  const idle: [number, number] = [5, 5];

  it("reuses a warm environment, starts cold after idle expiry and scales out when busy", () => {
    const pool = new EnvironmentPool();
    const rng = createRandom(1);
    const t0 = Date.parse("2026-01-01T00:00:00Z");
    const first = pool.acquire(t0, "$LATEST", rng, idle, { useProvisioned: false });
    expect(first.cold).toBe(true);
    pool.release(first.env, t0 + 100, 80, false);
    const warm = pool.acquire(t0 + 1000, "$LATEST", rng, idle, { useProvisioned: false });
    expect(warm.cold).toBe(false);
    expect(warm.env.stream).toBe(first.env.stream);
    pool.release(warm.env, t0 + 5000, 80, false);
    const concurrent = pool.acquire(t0 + 2000, "$LATEST", rng, idle, { useProvisioned: false });
    expect(concurrent.cold).toBe(true);
    expect(concurrent.env.stream).not.toBe(first.env.stream);
    pool.release(concurrent.env, t0 + 2100, 80, false);
    expect(pool.busy(t0 + 3000)).toBe(1);
    const later = pool.acquire(t0 + 5000 + 6 * 60_000, "$LATEST", rng, idle, { useProvisioned: false });
    expect(later.cold).toBe(true);
  });

  it("keeps environments per version and destroys killed ones", () => {
    const pool = new EnvironmentPool();
    const rng = createRandom(2);
    const a = pool.acquire(0, "7", rng, idle, { useProvisioned: false });
    pool.release(a.env, 10, 50, true);
    const b = pool.acquire(20, "7", rng, idle, { useProvisioned: false });
    expect(b.cold).toBe(true);
    expect(b.env.stream).toMatch(/^1970\/01\/01\/\[7\][0-9a-f]{32}$/);
    const c = pool.acquire(20, "8", rng, idle, { useProvisioned: false });
    expect(c.cold).toBe(true);
    expect(c.env.stream).toContain("[8]");
  });

  it("serves provisioned concurrency warm and spills over to on-demand", () => {
    const pool = new EnvironmentPool();
    const rng = createRandom(3);
    pool.provision(0, "3", 2, rng);
    const a = pool.acquire(1000, "3", rng, idle, { useProvisioned: true });
    const b = pool.acquire(1000, "3", rng, idle, { useProvisioned: true });
    expect([a.cold, b.cold, a.env.provisioned, b.env.provisioned]).toEqual([false, false, true, true]);
    pool.release(a.env, 2000, 100, false);
    pool.release(b.env, 2000, 100, false);
    const spill = pool.acquire(1500, "3", rng, idle, { useProvisioned: true });
    expect(spill.cold).toBe(true);
    expect(spill.env.provisioned).toBe(false);
    expect(pool.provisionedUse(1500, "3")).toEqual({ busy: 2, total: 2 });
    // Provisioned environments never expire.
    expect(pool.acquire(10 * 3600_000, "3", rng, idle, { useProvisioned: true }).cold).toBe(false);
  });
});

describe("profiles and randomness", () => {
  it("falls back to the default profile when the environment carries none or garbage", () => {
    expect(profileFromEnvironment(undefined)).toBe(DEFAULT_PROFILE);
    expect(profileFromEnvironment({ [PROFILE_ENV]: "{not json" })).toBe(DEFAULT_PROFILE);
    expect(profileFromEnvironment({ [PROFILE_ENV]: JSON.stringify({ durationMs: -1 }) })).toBe(DEFAULT_PROFILE);
    const custom = profileFromEnvironment({ [PROFILE_ENV]: JSON.stringify({ durationMs: 99, initMs: 10, memoryUsedMb: [10, 20] }) });
    expect(custom.durationMs).toBe(99);
  });

  it("draws Poisson counts with the right mean and AWS-shaped request ids", () => {
    const rng = createRandom(5);
    let sum = 0;
    for (let i = 0; i < 5000; i++) sum += poisson(rng, 3);
    expect(sum / 5000).toBeGreaterThan(2.85);
    expect(sum / 5000).toBeLessThan(3.15);
    expect(requestId(rng)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("has a diurnal curve peaking in the afternoon and a weekend dip", () => {
    const wed = (h: number) => trafficFactor(Date.parse(`2026-01-07T${String(h).padStart(2, "0")}:00:00Z`));
    expect(wed(15)).toBeCloseTo(1.65);
    expect(wed(3)).toBeCloseTo(0.35);
    expect(trafficFactor(Date.parse("2026-01-10T15:00:00Z"))).toBeCloseTo(1.65 * 0.8);
  });
});
