/** The migration runner against real databases: idempotent, concurrent-safe, Prisma-compatible bookkeeping. */
import { describe, expect, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { loadMigrations, migrateDatabase, MigrationError } from "../../../lib/store/migrate.ts";
import { createPgDatabase } from "../helpers/databases.ts";

describe("migrations", () => {
  it("apply once to SQLite, in WAL mode, recorded like Prisma does", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faasight-mig-"));
    const url = `file:${path.join(dir, "a.db")}`;
    const [a, b] = await Promise.all([migrateDatabase(url), migrateDatabase(url)]);
    expect([...a.applied, ...b.applied]).toEqual(loadMigrations("sqlite").map((m) => m.name));
    expect((await migrateDatabase(url)).applied).toEqual([]);
    const db = new Database(path.join(dir, "a.db"));
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    const rows = db.prepare(`SELECT migration_name, checksum, finished_at FROM _prisma_migrations`).all() as { checksum: string; finished_at: string }[];
    expect(rows).toHaveLength(loadMigrations("sqlite").length);
    expect(rows[0]!.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.finished_at).toBeTruthy();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a migration edited after it was applied", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faasight-mig-"));
    const root = path.join(dir, "migrations");
    fs.mkdirSync(path.join(root, "sqlite", "001_a"), { recursive: true });
    fs.writeFileSync(path.join(root, "sqlite", "001_a", "migration.sql"), `CREATE TABLE "T" ("id" INTEGER PRIMARY KEY);`);
    const url = `file:${path.join(dir, "b.db")}`;
    await migrateDatabase(url, root);
    fs.writeFileSync(path.join(root, "sqlite", "001_a", "migration.sql"), `CREATE TABLE "T" ("id" INTEGER PRIMARY KEY, "x" TEXT);`);
    await expect(migrateDatabase(url, root)).rejects.toThrow(MigrationError);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("apply to PostgreSQL concurrently without double-applying", async () => {
    const h = await createPgDatabase(); // already migrated once
    const again = await Promise.all([migrateDatabase(h.url), migrateDatabase(h.url)]);
    expect(again.flatMap((r) => r.applied)).toEqual([]);
    const rows = await h.db.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM "_prisma_migrations"`);
    expect(Number(rows[0]!.n)).toBe(loadMigrations("pg").length);
    await h.drop();
  });
});
