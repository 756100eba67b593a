/** The migration runner against real databases: idempotent, concurrent-safe, Prisma-compatible bookkeeping. */
import { describe, expect, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { loadMigrations, migrateDatabase, MigrationError } from "../../../lib/store/migrate.ts";
import { createPgDatabase } from "../helpers/databases.ts";
import { compareRollupLevels } from "../helpers/truth-compare.ts";
import { openStore, insertRows } from "../../../lib/store/sql.ts";
import { openDb } from "../../../lib/db.ts";
import { histogramFromValues, serializeHistogram } from "../../../lib/histogram/histogram.ts";
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import pg from "pg";
import { TEST_PG_URL } from "../helpers/databases.ts";

const ROOT = path.resolve(import.meta.dirname, "../../..");

/** Runs a command of the real CLI (or npm script) against DATABASE_URL; returns its output. */
function runCli(command: string[], databaseUrl: string, cwd = ROOT) {
  const res = spawnSync(command[0]!, command.slice(1), { cwd, encoding: "utf8", env: { ...process.env, DATABASE_URL: databaseUrl }, timeout: 120_000 });
  expect(res.status, `${command.join(" ")}: ${res.stderr}`).toBe(0);
  return res.stdout;
}

/** An empty PostgreSQL database (not migrated) on the test server. */
async function emptyPgDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `faasight_mig_${crypto.randomBytes(5).toString("hex")}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: TEST_PG_URL });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const u = new URL(TEST_PG_URL);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

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

describe("migrations through the commands a user runs", () => {
  const names = (p: "sqlite" | "pg") => loadMigrations(p).map((m) => m.name).join(", ");

  it("npm run db:migrate applies them to a new SQLite file once, then reports it up to date", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faasight-mig-"));
    const url = `file:${path.join(dir, "nested", "store.db")}`;
    expect(runCli(["npm", "run", "-s", "db:migrate"], url)).toContain(`applied ${names("sqlite")} (${loadMigrations("sqlite").length} migrations)`);
    expect(runCli(["npm", "run", "-s", "db:migrate"], url)).toContain("up to date");
    const db = new Database(path.join(dir, "nested", "store.db"));
    expect((db.prepare(`SELECT count(*) AS n FROM "_prisma_migrations"`).get() as { n: number }).n).toBe(loadMigrations("sqlite").length);
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("npm run db:migrate applies them to an empty PostgreSQL database", async () => {
    const d = await emptyPgDatabase();
    try {
      expect(runCli(["npm", "run", "-s", "db:migrate"], d.url)).toContain(`applied ${names("pg")}`);
      expect(runCli(["npm", "run", "-s", "db:migrate"], d.url)).toContain("up to date");
    } finally {
      await d.drop();
    }
  });

  it("a faasight command migrates a store it finds empty before using it (SQLite and PostgreSQL)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faasight-mig-"));
    const bin = path.join(ROOT, "bin/faasight.js");
    const sqliteUrl = `file:${path.join(dir, "fresh.db")}`;
    expect(JSON.parse(runCli([process.execPath, bin, "users", "list", "--json"], sqliteUrl, dir))).toEqual([]);
    const db = new Database(path.join(dir, "fresh.db"));
    expect((db.prepare(`SELECT count(*) AS n FROM "_prisma_migrations"`).get() as { n: number }).n).toBe(loadMigrations("sqlite").length);
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });

    const d = await emptyPgDatabase();
    try {
      expect(JSON.parse(runCli([process.execPath, bin, "summary", "--json"], d.url))).toMatchObject({ functions: [] });
      const c = new pg.Client({ connectionString: d.url });
      await c.connect();
      const { rows } = await c.query<{ n: string }>(`SELECT count(*) AS n FROM "_prisma_migrations"`);
      await c.end();
      expect(Number(rows[0]!.n)).toBe(loadMigrations("pg").length);
    } finally {
      await d.drop();
    }
  });
});

describe("the day and fleet-minute rollups migration", () => {
  it("fills them once from the hour and minute rows of a store written before it (SQLite)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faasight-mig-"));
    const root = path.join(dir, "migrations");
    const before = loadMigrations("sqlite").filter((m) => !m.name.endsWith("_day_and_fleet_minute_rollups"));
    for (const m of before) {
      fs.mkdirSync(path.join(root, "sqlite", m.name), { recursive: true });
      fs.writeFileSync(path.join(root, "sqlite", m.name, "migration.sql"), m.sql);
    }
    const url = `file:${path.join(dir, "old.db")}`;
    await migrateDatabase(url, root);
    const store = openStore(url);
    const now = new Date("2026-03-10T12:00:00Z");
    const h = (values: number[]) => serializeHistogram(histogramFromValues(values));
    await store.transaction(function* () {
      yield* insertRows(store.dialect, "Source", ["id", "name", "accountId", "region", "enabled", "createdAt", "updatedAt"], [[1, "old", "123456789012", "us-east-1", true, now, now]]);
      yield* insertRows(store.dialect, "LambdaFunction", ["id", "sourceId", "name", "arn", "memoryMb", "timeoutSec", "logGroup", "updatedAt"], [
        [1, 1, "a", "arn:a", 128, 3, "/aws/lambda/a", now],
        [2, 1, "b", "arn:b", 128, 3, "/aws/lambda/b", now],
      ]);
      const cols = ["functionId", "qualifier", "bucketStart", "invocations", "errors", "mbMs", "hist"];
      yield* insertRows(store.dialect, "HourRollup", cols, [
        [1, "$ALL", new Date("2026-03-09T22:00:00Z"), 3, 1, 300, h([10, 20, 30])],
        [1, "$ALL", new Date("2026-03-10T01:00:00Z"), 2, 0, 200, h([40, 50])],
        [1, "$ALL", new Date("2026-03-10T02:00:00Z"), 1, 0, 100, h([60])],
        [2, "$ALL", new Date("2026-03-10T01:00:00Z"), 4, 2, 400, h([1, 2, 3, 4])],
      ]);
      yield* insertRows(store.dialect, "MinuteRollup", cols, [
        [1, "$ALL", new Date("2026-03-10T02:05:00Z"), 1, 0, 100, h([60])],
        [2, "$ALL", new Date("2026-03-10T01:07:00Z"), 4, 2, 400, h([1, 2, 3, 4])],
      ]);
    });
    await store.close();
    const result = await migrateDatabase(url);
    expect(result.applied.map((n) => n.replace(/^\d+_/, ""))).toEqual(["day_and_fleet_minute_rollups"]);
    const { db } = openDb(url);
    const days = await db.dayRollup.findMany({ orderBy: [{ functionId: "asc" }, { bucketStart: "asc" }], select: { functionId: true, bucketStart: true, invocations: true, errors: true } });
    expect(days.map((d) => [d.functionId, d.bucketStart.toISOString().slice(0, 10), d.invocations, d.errors])).toEqual([
      [1, "2026-03-09", 3, 1],
      [1, "2026-03-10", 3, 0],
      [2, "2026-03-10", 4, 2],
    ]);
    expect(await db.fleetMinuteRollup.count()).toBe(2);
    expect(await compareRollupLevels(db)).toEqual([]);
    await db.$disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
