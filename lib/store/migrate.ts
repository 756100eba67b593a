/**
 * Applies the committed migrations (prisma/migrations/<provider>/<name>/migration.sql) and
 * records them in a Prisma-compatible `_prisma_migrations` table, so the stock
 * `prisma migrate deploy/status` agree with it on machines that have the Prisma engines.
 */
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import Database from "better-sqlite3";
import pg from "pg";
import { providerOf, sqlitePath, type DbProvider } from "../db-url.ts";
import { backfillCoarseRollups } from "./rollups.ts";
import { openStore } from "./sql.ts";

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MigrationError";
  }
}

const MIGRATIONS_ROOT = path.resolve(import.meta.dirname, "../../prisma/migrations");

/** The committed migrations of a provider, in order. */
export function loadMigrations(provider: DbProvider, root = MIGRATIONS_ROOT): Migration[] {
  const dir = path.join(root, provider);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((d) => fs.existsSync(path.join(dir, d, "migration.sql")))
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: crypto.createHash("sha256").update(sql).digest("hex") };
    });
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

/** Decides what to run; refuses when an applied migration was edited or failed half-way. */
export function planMigrations(all: Migration[], applied: AppliedRow[]): Migration[] {
  const byName = new Map(applied.filter((a) => a.rolled_back_at == null).map((a) => [a.migration_name, a]));
  const pending: Migration[] = [];
  for (const m of all) {
    const row = byName.get(m.name);
    if (!row) {
      pending.push(m);
      continue;
    }
    if (row.finished_at == null) throw new MigrationError(`Migration ${m.name} started but did not finish; fix the database by hand, then mark it rolled back.`);
    if (row.checksum !== m.checksum) throw new MigrationError(`Migration ${m.name} was changed after it was applied (checksum mismatch). Add a new migration instead.`);
  }
  return pending;
}

const CREATE_TABLE_SQLITE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME, "migration_name" TEXT NOT NULL,
  "logs" TEXT, "rolled_back_at" DATETIME, "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
  "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`;
const CREATE_TABLE_PG = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ, "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT, "rolled_back_at" TIMESTAMPTZ, "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`;
// Any constant works; it serialises concurrent migrators (several workers starting at once).
const PG_LOCK_ID = 72_707_369;

export interface MigrateResult {
  provider: DbProvider;
  applied: string[];
  total: number;
}

/** Applies pending migrations to the database at `url`. Safe to run concurrently and repeatedly. */
export async function migrateDatabase(url: string, root = MIGRATIONS_ROOT): Promise<MigrateResult> {
  const provider = providerOf(url);
  const all = loadMigrations(provider, root);
  if (all.length === 0) throw new MigrationError(`No migrations found for ${provider} under ${root}`);
  const result = provider === "sqlite" ? migrateSqlite(url, all) : await migratePg(url, all);
  // Stores written before the day and fleet-minute rollups existed get them once, from the rows below.
  if (result.applied.some((n) => n.endsWith("_day_and_fleet_minute_rollups")) && result.applied.length < result.total) {
    const store = openStore(url);
    try {
      await backfillCoarseRollups(store);
    } finally {
      await store.close();
    }
  }
  return result;
}

function migrateSqlite(url: string, all: Migration[]): MigrateResult {
  const file = sqlitePath(url);
  if (file !== ":memory:") fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, { timeout: 15_000 });
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("foreign_keys = ON");
    db.exec(CREATE_TABLE_SQLITE);
    const applied: string[] = [];
    // IMMEDIATE takes the write lock up front, so two migrators cannot both see a migration as pending.
    db.exec("BEGIN IMMEDIATE");
    try {
      const rows = db.prepare(`SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`).all() as AppliedRow[];
      for (const m of planMigrations(all, rows)) {
        db.exec(m.sql);
        db.prepare(`INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count, started_at) VALUES (?, ?, ?, ?, 1, ?)`).run(
          crypto.randomUUID(),
          m.checksum,
          new Date().toISOString(),
          m.name,
          new Date().toISOString(),
        );
        applied.push(m.name);
      }
      db.exec("COMMIT");
    } catch (err) {
      db.exec("ROLLBACK");
      throw err;
    }
    return { provider: "sqlite", applied, total: all.length };
  } finally {
    db.close();
  }
}

async function migratePg(url: string, all: Migration[]): Promise<MigrateResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PG_LOCK_ID]);
    await client.query(CREATE_TABLE_PG);
    const { rows } = await client.query<AppliedRow>(`SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`);
    const applied: string[] = [];
    for (const m of planMigrations(all, rows)) {
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count, started_at) VALUES ($1, $2, now(), $3, 1, now())`,
          [crypto.randomUUID(), m.checksum, m.name],
        );
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK");
        throw new MigrationError(`Migration ${m.name} failed: ${(err as Error).message}`);
      }
      applied.push(m.name);
    }
    return { provider: "pg", applied, total: all.length };
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [PG_LOCK_ID]).catch(() => {});
    await client.end();
  }
}
