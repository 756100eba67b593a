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

const providers = new WeakMap<object, DbProvider>();

/** Opens a new client for a URL (tests and tools that need their own). */
export function openDb(url: string): DbHandle {
  const provider = providerOf(url);
  let db: Db;
  if (provider === "sqlite") db = new SqliteClient({ adapter: new PrismaBetterSqlite3({ url: `file:${sqlitePath(url)}`, timeout: 15_000 }) });
  else db = new PgClient({ adapter: new PrismaPg({ connectionString: url, max: 10 }) }) as unknown as Db;
  providers.set(db, provider);
  return { db, provider, url };
}

/** The database a client talks to (for the few hot reads written in SQL). */
export function dbProvider(db: Db): DbProvider {
  return providers.get(db) ?? "sqlite";
}

/** Runs a read written with `?` placeholders on either database (PostgreSQL gets $1, $2, …). */
export function queryRows<T>(db: Db, sql: string, params: unknown[]): Promise<T[]> {
  let n = 0;
  const text = dbProvider(db) === "pg" ? sql.replace(/\?/g, () => `$${++n}`) : sql;
  return db.$queryRawUnsafe<T[]>(text, ...params);
}

const globalForDb = globalThis as unknown as { faasightDb?: DbHandle };

/** The process-wide client for DATABASE_URL (survives Next.js dev reloads). */
export function getDb(): DbHandle {
  globalForDb.faasightDb ??= openDb(env().DATABASE_URL);
  return globalForDb.faasightDb;
}
