/** Which database a DATABASE_URL names, and where a SQLite file lives. */
import path from "node:path";

export type DbProvider = "sqlite" | "pg";

export function providerOf(url: string): DbProvider {
  if (url.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(url)) return "pg";
  throw new Error(`DATABASE_URL must start with file: or postgres://, got "${url.split(":")[0]}:…"`);
}

/** The absolute SQLite file path of a file: URL (relative paths resolve from the working directory). */
export function sqlitePath(url: string): string {
  const p = url.slice("file:".length).split("?")[0]!;
  return p === ":memory:" ? p : path.resolve(p);
}

/** The URL with any password replaced, for logs. */
export function redactDbUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, "$1***@");
}
