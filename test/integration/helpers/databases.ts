/**
 * Real databases for integration tests: a fresh SQLite file and a fresh PostgreSQL
 * database (on TEST_PG_URL, default the local server .ci/run starts) per call.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import pg from "pg";
import { migrateDatabase } from "../../../lib/store/migrate.ts";
import { openDb, type DbHandle } from "../../../lib/db.ts";

export const TEST_PG_URL = process.env.TEST_PG_URL ?? "postgresql://postgres:postgres@127.0.0.1:5432/postgres";

export interface TestDatabase extends DbHandle {
  drop(): Promise<void>;
}

/** A new, migrated SQLite database in a temp folder. */
export async function createSqliteDatabase(): Promise<TestDatabase> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faasight-test-"));
  const url = `file:${path.join(dir, "faasight.db")}`;
  await migrateDatabase(url);
  const handle = openDb(url);
  return {
    ...handle,
    async drop() {
      await handle.db.$disconnect();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A new, migrated PostgreSQL database; fails with a clear message when no server is reachable. */
export async function createPgDatabase(): Promise<TestDatabase> {
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(`PostgreSQL is not reachable at ${TEST_PG_URL.replace(/:[^:@/]+@/, ":***@")} (${(err as Error).message}). Start it (see .ci/run) or set TEST_PG_URL.`);
  }
  const name = `faasight_test_${crypto.randomBytes(6).toString("hex")}`;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(TEST_PG_URL);
  u.pathname = `/${name}`;
  const url = u.toString();
  await migrateDatabase(url);
  const handle = openDb(url);
  return {
    ...handle,
    async drop() {
      await handle.db.$disconnect();
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export const DATABASES = [
  { name: "sqlite", create: createSqliteDatabase },
  { name: "postgresql", create: createPgDatabase },
] as const;
