/** Scratch stores for benchmarks: a migrated SQLite file in a temp folder, or a PostgreSQL database created and dropped per run. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import pg from "pg";
import { migrateDatabase } from "../lib/store/migrate.ts";
import { openDb, type DbHandle } from "../lib/db.ts";

export const BENCH_PG_URL = process.env.BENCH_PG_URL ?? process.env.TEST_PG_URL ?? "postgresql://postgres:postgres@127.0.0.1:5432/postgres";

export type Engine = "sqlite" | "pg";

export interface ScratchDb extends DbHandle {
  engine: Engine;
  drop(): Promise<void>;
}

/** A new, migrated database of the given engine; `drop()` removes it. */
export async function createScratchDb(engine: Engine): Promise<ScratchDb> {
  if (engine === "sqlite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faasight-bench-"));
    const url = `file:${path.join(dir, "bench.db")}`;
    await migrateDatabase(url);
    const handle = openDb(url);
    return {
      ...handle,
      engine,
      async drop() {
        await handle.db.$disconnect();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `faasight_bench_${crypto.randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: BENCH_PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(BENCH_PG_URL);
  u.pathname = `/${name}`;
  const url = u.toString();
  await migrateDatabase(url);
  const handle = openDb(url);
  return {
    ...handle,
    engine,
    async drop() {
      await handle.db.$disconnect();
      const c = new pg.Client({ connectionString: BENCH_PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
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
