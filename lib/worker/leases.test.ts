import { describe, expect, it } from "vitest";
import { claimOrder, dueAfterCycle, leaseState, logShardCount, logShardOf, nextWakeMs, workerOwnerId, type LeaseRow } from "./leases.ts";

const NOW = 1_000_000;
const row = (id: number, owner: string | null, expiresAt: number | null): LeaseRow => ({ id, owner, expiresAt });

describe("leaseState", () => {
  it.each([
    ["never leased", row(1, null, null), "free"],
    ["owner without expiry", row(1, "a", null), "free"],
    ["mine, running", row(1, "me", NOW + 1), "mine"],
    ["another's, running", row(1, "b", NOW + 1), "held"],
    ["another's, expired (dead worker or due)", row(1, "b", NOW - 1), "due"],
    ["expires exactly now", row(1, "b", NOW), "due"],
    ["mine, due again", row(1, "me", NOW - 5), "due"],
  ] as const)("%s", (_n, r, want) => expect(leaseState(r, "me", NOW)).toBe(want));
});

describe("claimOrder", () => {
  it.each([
    { name: "free and due sources by id", rows: [row(3, null, null), row(1, "b", NOW - 1), row(2, "b", NOW + 10)], exclude: [], want: [1, 3] },
    { name: "my own due sources first", rows: [row(1, "b", NOW - 1), row(2, "me", NOW - 1), row(3, null, null)], exclude: [], want: [2, 1, 3] },
    { name: "held ones never", rows: [row(1, "b", NOW + 1), row(2, "me", NOW + 1)], exclude: [], want: [] },
    { name: "sources collected this pass are excluded", rows: [row(1, null, null), row(2, null, null)], exclude: [1], want: [2] },
  ])("$name", ({ rows, exclude, want }) => expect(claimOrder(rows, "me", NOW, new Set(exclude))).toEqual(want));
});

describe("nextWakeMs", () => {
  it.each([
    { name: "no leases: one interval", rows: [], want: 60_000 },
    { name: "the earliest future expiry", rows: [row(1, "a", NOW + 20_000), row(2, "b", NOW + 5_000)], want: 5_000 },
    { name: "never longer than the interval", rows: [row(1, "a", NOW + 500_000)], want: 60_000 },
    { name: "never shorter than the minimum", rows: [row(1, "a", NOW + 10)], want: 200 },
    { name: "past expiries are ignored", rows: [row(1, "a", NOW - 10), row(2, "b", NOW + 30_000)], want: 30_000 },
  ])("$name", ({ rows, want }) => expect(nextWakeMs(rows, NOW, 60_000)).toBe(want));
});

describe("dueAfterCycle", () => {
  it.each([
    ["a short cycle: due one interval after its start", NOW - 2_000, 60_000, NOW + 58_000],
    ["a cycle longer than the interval: due shortly after", NOW - 90_000, 60_000, NOW + 1_000],
  ] as const)("%s", (_n, start, interval, want) => expect(dueAfterCycle(start, interval, NOW)).toBe(want));
});

it("names workers by host, process and a random suffix", () => {
  expect(workerOwnerId("host-1", 42, "abc")).toBe("host-1:42:abc");
  expect(workerOwnerId()).not.toBe(workerOwnerId());
});

describe("log-group shards", () => {
  it.each([
    [10, 0, 1],
    [10, 20, 1],
    [20, 20, 1],
    [21, 20, 2],
    [1000, 150, 7],
  ] as const)("%i groups at %i per lease: %i shard(s)", (groups, per, want) => expect(logShardCount(groups, per)).toBe(want));

  it("spreads groups over every shard, stably", () => {
    const groups = Array.from({ length: 400 }, (_, i) => `/aws/lambda/fn-${i}`);
    const counts = [0, 0, 0, 0];
    for (const g of groups) counts[logShardOf(g, 4)]!++;
    expect(counts.every((c) => c > 60)).toBe(true);
    expect(groups.map((g) => logShardOf(g, 4))).toEqual(groups.map((g) => logShardOf(g, 4)));
    expect(logShardOf("/aws/lambda/checkout", 1)).toBe(0);
  });
});
