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
import { all, openStore, type Store } from "./store/sql.ts";

/** The client type used across lib/ (the PostgreSQL client has the same model API). */
export type Db = SqliteClient;

export interface DbHandle {
  db: Db;
  provider: DbProvider;
  url: string;
}

interface DbMeta {
  provider: DbProvider;
  url: string;
  /** The driver connection the hot reads use (opened on first use, closed with the client). */
  reader?: Store;
}

// Kept on the client itself: Next.js may load this module more than once (one copy per bundle
// layer), and a client opened by one copy must be known to the others.
const META = Symbol.for("faasight.db.meta");
const metaOf = (db: Db): DbMeta | undefined => (db as unknown as { [META]?: DbMeta })[META];

/** Opens a new client for a URL (tests and tools that need their own). */
export function openDb(url: string): DbHandle {
  const provider = providerOf(url);
  let db: Db;
  if (provider === "sqlite") db = new SqliteClient({ adapter: new PrismaBetterSqlite3({ url: `file:${sqlitePath(url)}`, timeout: 15_000 }) });
  else db = new PgClient({ adapter: new PrismaPg({ connectionString: url, max: 10 }) }) as unknown as Db;
  const meta: DbMeta = { provider, url };
  Object.defineProperty(db, META, { value: meta });
  // $disconnect also closes the read connection (a dropped test database must not find it open).
  const disconnect = db.$disconnect.bind(db);
  db.$disconnect = async () => {
    const reader = meta.reader;
    meta.reader = undefined;
    await reader?.close();
    await disconnect();
  };
  return { db, provider, url };
}

/** The database a client talks to (for the few hot reads written in SQL). */
export function dbProvider(db: Db): DbProvider {
  const meta = metaOf(db);
  if (!meta) throw new Error("dbProvider needs a client from openDb/getDb");
  return meta.provider;
}

/**
 * Runs a read written with `?` placeholders on either database, straight on the driver
 * (lib/store/sql.ts): fleet views read tens of thousands of rollup rows, and the ORM's raw
 * query path costs about six times the driver's per row. Rows come as the driver returns
 * them: SQLite dates as text, PostgreSQL bigints as numbers; cast exact sums to TEXT.
 */
export function queryRows<T>(db: Db, sql: string, params: unknown[]): Promise<T[]> {
  const meta = metaOf(db);
  if (!meta) throw new Error("queryRows needs a client from openDb/getDb");
  meta.reader ??= openStore(meta.url);
  return meta.reader.read(() => all<T>(sql, params));
}

const globalForDb = globalThis as unknown as { faasightDb?: DbHandle };

/** The process-wide client for DATABASE_URL (survives Next.js dev reloads). */
export function getDb(): DbHandle {
  globalForDb.faasightDb ??= openDb(env().DATABASE_URL);
  return globalForDb.faasightDb;
}
