/** Scratch stores for benchmarks (the integration tests' throwaway databases, on BENCH_PG_URL), and the machine the figures depend on. */
import os from "node:os";
import type { DbProvider } from "../lib/db-url.ts";
import { createScratchDatabase, TEST_PG_URL, type TestDatabase } from "../test/integration/helpers/databases.ts";

export const BENCH_PG_URL = process.env.BENCH_PG_URL ?? TEST_PG_URL;

export type Engine = DbProvider;
export type ScratchDb = TestDatabase;

/** A new, migrated database of the given engine; `drop()` removes it. */
export function createScratchDb(engine: Engine): Promise<ScratchDb> {
  return createScratchDatabase(engine, { pgUrl: BENCH_PG_URL, prefix: "faasight-bench" });
}

/** The machine as the figures depend on it (shared and noisy: load average matters). */
export function machineInfo(): { cpus: number; cpuModel: string; memoryMb: number; loadAvg: number[]; node: string; platform: string } {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? "unknown",
    memoryMb: Math.round(os.totalmem() / 1048576),
    loadAvg: os.loadavg().map((v) => Math.round(v * 100) / 100),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}
