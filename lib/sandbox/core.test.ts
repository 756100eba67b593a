import { describe, expect, it } from "vitest";
import { hexId, newRequestId } from "./core.ts";
import { createRandom } from "./random.ts";

/** The ids as the sandbox has always drawn them, for comparison. */
const reference = {
  hex: (rand: () => number, n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join(""),
  requestId(rand: () => number): string {
    const hex = (n: number) => this.hex(rand, n);
    return `${hex(8)}-${hex(4)}-4${hex(3)}-${"89ab"[Math.floor(rand() * 4)]}${hex(3)}-${hex(12)}`;
  },
};

describe("ids", () => {
  it.each([1, 7, 42, 2026])("draws the same request ids and hex ids as before (seed %i)", (seed) => {
    const a = createRandom(seed);
    const b = createRandom(seed);
    for (let i = 0; i < 200; i++) {
      expect(newRequestId(a)).toBe(reference.requestId(b));
      expect(hexId(a, i % 40)).toBe(reference.hex(b, i % 40));
    }
  });

  it.each([
    { draws: [0], id: "00000000-0000-4000-8000-000000000000" },
    { draws: [0.999999], id: "ffffffff-ffff-4fff-bfff-ffffffffffff" },
    { draws: [0.5], id: "88888888-8888-4888-a888-888888888888" },
    { draws: [1], id: "1010101010101010-10101010-4101010-undefined101010-101010101010101010101010" },
  ])("request id from constant draws $draws", ({ draws, id }) => {
    expect(newRequestId(() => draws[0]!)).toBe(id);
  });
});
