/**
 * Real, throwaway databases for integration tests and benchmarks (bench/scratch.ts): a fresh
 * migrated SQLite file in a temp folder, or a fresh migrated PostgreSQL database on TEST_PG_URL
 * (default: the local server .ci/run starts), per call; `drop()` removes it.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import pg from "pg";
import { migrateDatabase } from "../../../lib/store/migrate.ts";
import { openDb, type DbHandle } from "../../../lib/db.ts";
import type { DbProvider } from "../../../lib/db-url.ts";

export const TEST_PG_URL = process.env.TEST_PG_URL ?? "postgresql://postgres:postgres@127.0.0.1:5432/postgres";

export interface TestDatabase extends DbHandle {
  drop(): Promise<void>;
}

export interface ScratchOptions {
  /** Server to create PostgreSQL databases on (default TEST_PG_URL). */
  pgUrl?: string;
  /** Prefix of the temp folder / database name (default "faasight-test"). */
  prefix?: string;
}

/** A new, migrated database of the given engine. */
export async function createScratchDatabase(engine: DbProvider, o: ScratchOptions = {}): Promise<TestDatabase> {
  const prefix = o.prefix ?? "faasight-test";
  if (engine === "sqlite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
    return openMigrated(`file:${path.join(dir, "faasight.db")}`, async () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  const server = o.pgUrl ?? TEST_PG_URL;
  const admin = async <T>(body: (c: pg.Client) => Promise<T>): Promise<T> => {
    const c = new pg.Client({ connectionString: server });
    try {
      await c.connect();
    } catch (err) {
      throw new Error(`PostgreSQL is not reachable at ${server.replace(/:[^:@/]+@/, ":***@")} (${(err as Error).message}). Start it (see .ci/run) or set TEST_PG_URL.`);
    }
    try {
      return await body(c);
    } finally {
      await c.end();
    }
  };
  const name = `${prefix.replaceAll("-", "_")}_${crypto.randomBytes(6).toString("hex")}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const u = new URL(server);
  u.pathname = `/${name}`;
  return openMigrated(u.toString(), () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)));
}

async function openMigrated(url: string, remove: () => Promise<unknown>): Promise<TestDatabase> {
  await migrateDatabase(url);
  const handle = openDb(url);
  return {
    ...handle,
    async drop() {
      await handle.db.$disconnect();
      await remove();
    },
  };
}

/** A new, migrated SQLite database in a temp folder. */
export function createSqliteDatabase(): Promise<TestDatabase> {
  return createScratchDatabase("sqlite");
}

/** A new, migrated PostgreSQL database; fails with a clear message when no server is reachable. */
export function createPgDatabase(): Promise<TestDatabase> {
  return createScratchDatabase("pg");
}

export const DATABASES = [
  { name: "sqlite", create: createSqliteDatabase },
  { name: "postgresql", create: createPgDatabase },
] as const;
