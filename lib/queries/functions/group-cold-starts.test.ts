import { describe, expect, it } from "vitest";
import { groupColdStarts, type ColdStartInput } from "./group-cold-starts.ts";

const fn = (runtime: string | null, architecture: string, memoryMb: number, invocations: number, coldStarts: number, avgInitMs: number | null): ColdStartInput => ({
  runtime,
  architecture,
  memoryMb,
  stats: { invocations, coldStarts, avgInitMs },
});

describe("groupColdStarts", () => {
  it.each([
    { name: "no functions", rows: [], want: [] },
    {
      name: "two functions of one configuration merge, init averaged over cold starts",
      rows: [fn("python3.11", "x86_64", 1024, 100, 10, 400), fn("python3.11", "x86_64", 1024, 300, 30, 800)],
      want: [{ runtime: "python3.11", architecture: "x86_64", memoryMb: 1024, functions: 2, invocations: 400, coldStarts: 40, rate: 0.1, avgInitMs: 700 }],
    },
    {
      name: "configurations stay apart, highest rate first; no invocations sorts last with null rate",
      rows: [fn("nodejs20.x", "arm64", 256, 1000, 5, 200), fn("java21", "x86_64", 2048, 50, 25, 3000), fn(null, "x86_64", 512, 0, 0, null)],
      want: [
        { runtime: "java21", architecture: "x86_64", memoryMb: 2048, functions: 1, invocations: 50, coldStarts: 25, rate: 0.5, avgInitMs: 3000 },
        { runtime: "nodejs20.x", architecture: "arm64", memoryMb: 256, functions: 1, invocations: 1000, coldStarts: 5, rate: 0.005, avgInitMs: 200 },
        { runtime: "container image", architecture: "x86_64", memoryMb: 512, functions: 1, invocations: 0, coldStarts: 0, rate: null, avgInitMs: null },
      ],
    },
  ])("$name", ({ rows, want }) => {
    expect(groupColdStarts(rows)).toEqual(want);
  });
});
