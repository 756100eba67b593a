/**
 * The write path's own connection to the store: raw, batched SQL that runs unchanged on
 * SQLite and PostgreSQL. Transaction bodies are generators yielding SQL steps, so one
 * body runs synchronously on SQLite (nothing can interleave inside a transaction, and no
 * Prisma call can deadlock against it) and asynchronously on PostgreSQL.
 */
import Database from "better-sqlite3";
import pg from "pg";
import { providerOf, sqlitePath, type DbProvider } from "../db-url.ts";

export type Row = Record<string, unknown>;

export interface SqlStep {
  sql: string;
  params: unknown[];
  mode: "all" | "run";
}

/** A unit of SQL work: yield* its steps; the runner feeds each step's result back. */
export type Sql<T> = Generator<SqlStep, T, unknown>;

/** Runs a query and returns its rows (also INSERT … RETURNING). Placeholders are `?`. */
export function* all<R = Row>(sql: string, params: unknown[] = []): Sql<R[]> {
  return (yield { sql, params, mode: "all" }) as R[];
}

/** Runs a statement and returns the number of rows it changed. */
export function* run(sql: string, params: unknown[] = []): Sql<number> {
  return (yield { sql, params, mode: "run" }) as number;
}

export interface Store {
  dialect: DbProvider;
  url: string;
  /** Runs `body` in one transaction; retried from scratch on lock contention, so keep it pure apart from SQL. */
  transaction<T>(body: () => Sql<T>): Promise<T>;
  /** Runs `body` without an explicit transaction (reads). */
  read<T>(body: () => Sql<T>): Promise<T>;
  close(): Promise<void>;
}

export class StoreBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StoreBusyError";
  }
}

// Dates are formatted for every row written: the day's text is cached, the time built from tables.
const DAY_MS = 86_400_000;
const MAX_FAST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const TWO = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, "0"));
const THREE = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, "0"));
let cachedDay = NaN;
let cachedDayText = "";

/** "YYYY-MM-DD" and "hh:mm:ss.mmm" of a date in UTC (years 1970–9999 fast, others via toISOString). */
function utcParts(d: Date): [string, string] {
  const ms = d.getTime();
  if (!(ms >= 0 && ms <= MAX_FAST_MS)) {
    const iso = d.toISOString();
    return [iso.slice(0, iso.indexOf("T")), iso.slice(iso.indexOf("T") + 1, -1)];
  }
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDayText = new Date(day * DAY_MS).toISOString().slice(0, 10);
  }
  let rest = ms - day * DAY_MS;
  const milli = rest % 1000;
  rest = (rest - milli) / 1000;
  const sec = rest % 60;
  rest = (rest - sec) / 60;
  const min = rest % 60;
  return [cachedDayText, `${TWO[(rest - min) / 60]}:${TWO[min]}:${TWO[sec]}.${THREE[milli]}`];
}

/** Date as the Prisma SQLite adapter stores it (ISO-8601 with an explicit +00:00 offset). */
export function sqliteDate(d: Date): string {
  const [day, time] = utcParts(d);
  return `${day}T${time}+00:00`;
}

/** Date as a PostgreSQL timestamp(3) literal in UTC (the column has no time zone). */
export function pgDate(d: Date): string {
  const [day, time] = utcParts(d);
  return `${day} ${time}`;
}

/** Reads a DateTime column from either driver. */
export function toDate(v: unknown): Date {
  if (v instanceof Date) return v;
  if (typeof v === "string") return new Date(v.includes("T") || v.includes("+") || v.endsWith("Z") ? v : `${v.replace(" ", "T")}Z`);
  if (typeof v === "number") return new Date(v);
  throw new TypeError(`not a date: ${String(v)}`);
}

/** Reads an integer column (SQLite number, PostgreSQL int8 text) as a number. */
export function toNum(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string") return Number(v);
  if (v == null) return 0;
  return Number(v);
}

/** Reads a BIGINT column exactly. */
export function toBig(v: unknown): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number") return BigInt(Math.round(v));
  if (typeof v === "string" && v !== "") return BigInt(v.split(".")[0]!);
  return 0n;
}

/** Reads a BOOLEAN column (SQLite 0/1, PostgreSQL boolean). */
export function toBool(v: unknown): boolean {
  return v === true || v === 1 || v === "1" || v === "t" || v === "true";
}

function sqliteParam(v: unknown): unknown {
  if (v instanceof Date) return sqliteDate(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v === undefined) return null;
  return v;
}

/** A value as node-pg should send it (dates as UTC text, bigints as text). */
export function pgParam(v: unknown): unknown {
  if (v instanceof Date) return pgDate(v);
  if (typeof v === "bigint") return v.toString();
  if (v === undefined) return null;
  return v;
}

const NEEDS_ESCAPE = /[\\"]/;
const ESCAPE = /[\\"]/g;

/**
 * A column of values as a PostgreSQL array literal (what node-pg would send for a JS array, built
 * in one pass; the escaping of long text elements is most of an unnest insert's client time).
 */
export function pgArrayLiteral(values: unknown[]): string {
  let out = "{";
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ",";
    const v = values[i];
    if (v == null) out += "NULL";
    else if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") out += `"${String(v)}"`;
    else {
      const t = v instanceof Date ? pgDate(v) : typeof v === "string" ? v : null;
      if (t === null) throw new TypeError(`cannot send ${Object.prototype.toString.call(v)} in an array`);
      out += `"${NEEDS_ESCAPE.test(t) ? t.replace(ESCAPE, "\\$&") : t}"`;
    }
  }
  return `${out}}`;
}

/** `?` placeholders -> `$1…$n` (the SQL we write never has `?` inside literals). */
export function toPgPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** The most parameters one statement may carry on each engine (kept well under the hard limits). */
export const MAX_PARAMS: Record<DbProvider, number> = { sqlite: 30_000, pg: 60_000 };

// ---------------------------------------------------------------- SQLite

const SQLITE_BUSY_TIMEOUT_MS = 25;
const BEGIN_RETRY_LIMIT_MS = 120_000;

function isSqliteBusy(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? "";
  return code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED");
}

function openSqliteStore(url: string): Store {
  const db = new Database(sqlitePath(url), { timeout: SQLITE_BUSY_TIMEOUT_MS });
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  // Batched index-heavy writes: a larger page cache and fewer, bigger WAL checkpoints.
  db.pragma("cache_size = -65536");
  db.pragma("temp_store = MEMORY");
  db.pragma("wal_autocheckpoint = 10000");
  const cache = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let s = cache.get(sql);
    if (!s) {
      s = db.prepare(sql);
      if (cache.size > 400) cache.delete(cache.keys().next().value!);
      cache.set(sql, s);
    }
    return s;
  };
  const exec = (step: SqlStep): unknown => {
    const s = prepare(step.sql);
    // One array argument binds anonymous parameters; spreading thousands of arguments costs more than the insert.
    const params = new Array<unknown>(step.params.length);
    for (let i = 0; i < params.length; i++) params[i] = sqliteParam(step.params[i]);
    if (step.mode === "all") return s.reader ? s.all(params) : (s.run(params), []);
    return s.reader ? s.all(params).length : s.run(params).changes;
  };
  const drive = <T>(gen: Sql<T>): T => {
    let r = gen.next();
    while (!r.done) r = gen.next(exec(r.value));
    return r.value;
  };
  return {
    dialect: "sqlite",
    url,
    async transaction(body) {
      const started = Date.now();
      let delay = 5;
      // Busy waits happen here, asynchronously, never inside the synchronous transaction.
      for (;;) {
        try {
          db.exec("BEGIN IMMEDIATE");
          break;
        } catch (err) {
          if (!isSqliteBusy(err)) throw err;
          if (Date.now() - started > BEGIN_RETRY_LIMIT_MS) throw new StoreBusyError(`SQLite stayed locked for ${BEGIN_RETRY_LIMIT_MS / 1000}s`);
          await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(250, delay * 2);
        }
      }
      try {
        const out = drive(body());
        db.exec("COMMIT");
        return out;
      } catch (err) {
        if (db.inTransaction) db.exec("ROLLBACK");
        throw err;
      }
    },
    async read(body) {
      return drive(body());
    },
    async close() {
      cache.clear();
      db.close();
    },
  };
}

// ---------------------------------------------------------------- PostgreSQL

const PG_TIMESTAMP = 1114;
const PG_INT8 = 20;
const PG_NUMERIC = 1700;
const RETRYABLE_PG = new Set(["40001", "40P01"]);

function openPgStore(url: string): Store {
  const types = {
    getTypeParser(oid: number, format?: "text" | "binary") {
      if (oid === PG_TIMESTAMP) return (v: string) => new Date(`${v.replace(" ", "T")}Z`);
      if (oid === PG_INT8 || oid === PG_NUMERIC) return (v: string) => Number(v);
      return pg.types.getTypeParser(oid, format as "text");
    },
  };
  const pool = new pg.Pool({ connectionString: url, max: 4, types: types as pg.CustomTypesConfig, allowExitOnIdle: true });
  const exec = async (client: pg.PoolClient | pg.Pool, step: SqlStep): Promise<unknown> => {
    const res = await client.query(toPgPlaceholders(step.sql), step.params.map(pgParam));
    return step.mode === "all" ? res.rows : (res.rowCount ?? 0);
  };
  const drive = async <T>(client: pg.PoolClient | pg.Pool, gen: Sql<T>): Promise<T> => {
    let r = gen.next();
    while (!r.done) r = gen.next(await exec(client, r.value));
    return r.value;
  };
  return {
    dialect: "pg",
    url,
    async transaction(body) {
      for (let attempt = 1; ; attempt++) {
        const client = await pool.connect();
        try {
          // Commits stay synchronous: a pushed (Firehose) batch is acknowledged once committed, and
          // nobody would resend it if a server crash lost an asynchronous commit.
          await client.query("BEGIN");
          const out = await drive(client, body());
          await client.query("COMMIT");
          return out;
        } catch (err) {
          await client.query("ROLLBACK").catch(() => {});
          if (attempt < 5 && RETRYABLE_PG.has((err as { code?: string }).code ?? "")) {
            await new Promise((r) => setTimeout(r, 20 * attempt));
            continue;
          }
          throw err;
        } finally {
          client.release();
        }
      }
    },
    async read(body) {
      return drive(pool, body());
    },
    async close() {
      await pool.end();
    },
  };
}

/** Opens the write-path connection for a DATABASE_URL. */
export function openStore(url: string): Store {
  return providerOf(url) === "sqlite" ? openSqliteStore(url) : openPgStore(url);
}

// ---------------------------------------------------------------- statement builders

export interface InsertOptions {
  /** Natural key; with it, rows repeating a key within one call keep the last one. */
  conflict?: string[];
  /** Columns overwritten on conflict; empty or absent = DO NOTHING. */
  update?: string[];
  /** Extra SET expressions on conflict, e.g. `"count" = "Table"."count" + excluded."count"`. */
  updateExpr?: string[];
  returning?: string[];
  /** No ON CONFLICT clause: a duplicate key fails the statement (see isUniqueViolation). */
  failOnConflict?: boolean;
}

/** True for a unique-key violation on `table` from either driver. */
export function isUniqueViolation(err: unknown, table: string): boolean {
  const e = err as { code?: unknown; table?: unknown; message?: unknown } | null;
  if (!e) return false;
  if (e.code === "23505") return e.table === table;
  return (e.code === "SQLITE_CONSTRAINT_UNIQUE" || e.code === "SQLITE_CONSTRAINT_PRIMARYKEY") && typeof e.message === "string" && e.message.includes(`: ${table}.`);
}

const q = (id: string) => `"${id}"`;

/**
 * Plans the chunks of a multi-row insert (pure; unit-tested): full chunks, then the rest in
 * power-of-two sizes, so a few statement texts (prepared once, cached) serve every row count.
 */
export function chunkRows<T>(rows: T[], columns: number, maxParams: number, maxRows = 500): T[][] {
  const per = Math.max(1, Math.min(maxRows, Math.floor(maxParams / Math.max(1, columns))));
  const out: T[][] = [];
  let i = 0;
  for (; i + per <= rows.length; i += per) out.push(rows.slice(i, i + per));
  for (let size = 2 ** Math.floor(Math.log2(per)); i < rows.length; size /= 2) {
    if (rows.length - i >= size) {
      out.push(rows.slice(i, i + size));
      i += size;
    }
  }
  return out;
}

/** Keeps the last row for each natural key (an upsert may not touch a row twice). */
export function dedupeByKey(rows: unknown[][], columns: string[], key: string[]): unknown[][] {
  const idx = key.map((k) => columns.indexOf(k));
  if (idx.some((i) => i < 0)) throw new Error(`conflict key ${key.join(",")} not among columns`);
  const seen = new Map<string, number>();
  const out: unknown[][] = [];
  for (const r of rows) {
    const k = idx.map((i) => { const v = r[i]; return v instanceof Date ? v.getTime() : String(v); }).join("\u0001");
    const at = seen.get(k);
    if (at === undefined) {
      seen.set(k, out.length);
      out.push(r);
    } else out[at] = r;
  }
  return out;
}

// PostgreSQL column types per table (for unnest inserts), read once from the catalog.
const pgColumnTypes = new Map<string, Map<string, string>>();

function* pgTypes(table: string): Sql<Map<string, string>> {
  let t = pgColumnTypes.get(table);
  if (!t) {
    const rows = yield* all<{ column_name: string; udt_name: string }>(`SELECT column_name, udt_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?`, [table]);
    t = new Map(rows.map((r) => [r.column_name, r.udt_name]));
    pgColumnTypes.set(table, t);
  }
  return t;
}

/** Multi-row INSERT … ON CONFLICT: VALUES lists on SQLite, one unnest() of column arrays per chunk on PostgreSQL. */
export function* insertRows<R = Row>(dialect: DbProvider, table: string, columns: string[], rows: unknown[][], opts: InsertOptions = {}): Sql<R[]> {
  return (yield* insertChunks<R>(dialect, table, columns, rows, opts)).rows;
}

/** insertRows without RETURNING: the number of rows inserted or changed (DO NOTHING skips count 0). */
export function* insertRowsCount(dialect: DbProvider, table: string, columns: string[], rows: unknown[][], opts: Omit<InsertOptions, "returning"> = {}): Sql<number> {
  return (yield* insertChunks(dialect, table, columns, rows, opts)).changed;
}

function* insertChunks<R>(dialect: DbProvider, table: string, columns: string[], rows: unknown[][], opts: InsertOptions): Sql<{ rows: R[]; changed: number }> {
  if (rows.length === 0) return { rows: [], changed: 0 };
  const sets = [...(opts.update ?? []).map((c) => `${q(c)} = excluded.${q(c)}`), ...(opts.updateExpr ?? [])];
  // DO UPDATE may not touch a row twice in one statement; DO NOTHING skips repeats itself.
  const data = opts.conflict && sets.length ? dedupeByKey(rows, columns, opts.conflict) : rows;
  const returning = opts.returning?.length ? ` RETURNING ${opts.returning.map(q).join(", ")}` : "";
  // Rows whose values did not change are not rewritten (re-runs write nothing to the WAL).
  const distinct = dialect === "pg" ? "IS DISTINCT FROM" : "IS NOT";
  const changed = opts.update?.length && !opts.updateExpr?.length ? ` WHERE ${opts.update.map((c) => `${q(table)}.${q(c)} ${distinct} excluded.${q(c)}`).join(" OR ")}` : "";
  const conflict = opts.failOnConflict ? "" : opts.conflict ? ` ON CONFLICT (${opts.conflict.map(q).join(", ")}) ${sets.length ? `DO UPDATE SET ${sets.join(", ")}${changed}` : "DO NOTHING"}` : " ON CONFLICT DO NOTHING";
  const head = `INSERT INTO ${q(table)} (${columns.map(q).join(", ")}) `;
  const out: R[] = [];
  let count = 0;
  if (dialect === "pg") {
    const types = yield* pgTypes(table);
    const casts = columns.map((c) => {
      const t = types.get(c);
      if (!t) throw new Error(`unknown column ${table}.${c}`);
      return `?::${t}[]`;
    });
    const sql = `${head}SELECT * FROM unnest(${casts.join(", ")})${conflict}${returning}`;
    // One statement text whatever the row count: plain 5,000-row chunks.
    for (let at = 0; at < data.length; at += 5000) {
      const chunk = data.slice(at, at + 5000);
      const params = columns.map((_, i) => pgArrayLiteral(chunk.map((r) => r[i])));
      if (returning) out.push(...(yield* all<R>(sql, params)));
      else count += yield* run(sql, params);
    }
    return { rows: out, changed: returning ? out.length : count };
  }
  const rowSql = `(${columns.map(() => "?").join(", ")})`;
  for (const chunk of chunkRows(data, columns.length, MAX_PARAMS[dialect])) {
    const sql = `${head}VALUES ${Array.from({ length: chunk.length }, () => rowSql).join(", ")}${conflict}${returning}`;
    const params: unknown[] = [];
    for (const r of chunk) for (const v of r) params.push(v);
    if (returning) out.push(...(yield* all<R>(sql, params)));
    else count += yield* run(sql, params);
  }
  return { rows: out, changed: returning ? out.length : count };
}

/** `col IN (?, ?, …)` for a list, chunk-safe callers pass ≤ a few thousand values. */
export function inList(column: string, values: unknown[]): string {
  return `${column} IN (${values.map(() => "?").join(", ")})`;
}

/** Splits a list so each `IN (…)` stays within the parameter limit. */
export function chunks<T>(values: T[], size = 900): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}
