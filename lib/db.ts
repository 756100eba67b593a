/**
 * The one Prisma client. The driver adapter follows DATABASE_URL: file: -> better-sqlite3
 * (WAL, busy timeout), postgres:// -> pg. Both generated clients expose the same models.
 */
import { PrismaClient as SqliteClient } from "./generated/sqlite/client.ts";
import { PrismaClient as PgClient } from "./generated/pg/client.ts";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { env } from "./env.ts";
import { providerOf, sqlitePath, type DbProvider } from "./db-url.ts";

/** The client type used across lib/ (the PostgreSQL client has the same model API). */
export type Db = SqliteClient;

export interface DbHandle {
  db: Db;
  provider: DbProvider;
  url: string;
}

/** Opens a new client for a URL (tests and tools that need their own). */
export function openDb(url: string): DbHandle {
  const provider = providerOf(url);
  if (provider === "sqlite") {
    const adapter = new PrismaBetterSqlite3({ url: `file:${sqlitePath(url)}`, timeout: 15_000 });
    return { db: new SqliteClient({ adapter }), provider, url };
  }
  const adapter = new PrismaPg({ connectionString: url, max: 10 });
  return { db: new PgClient({ adapter }) as unknown as Db, provider, url };
}

const globalForDb = globalThis as unknown as { faasightDb?: DbHandle };

/** The process-wide client for DATABASE_URL (survives Next.js dev reloads). */
export function getDb(): DbHandle {
  globalForDb.faasightDb ??= openDb(env().DATABASE_URL);
  return globalForDb.faasightDb;
}
