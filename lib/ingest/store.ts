/** The web process's write-path store for push ingestion (one per process, survives dev reloads). */
import { env } from "../env.ts";
import { openStore, type Store } from "../store/sql.ts";

const globalForIngest = globalThis as unknown as { faasightIngestStore?: Store };

/** The process-wide store for DATABASE_URL. */
export function getIngestStore(): Store {
  globalForIngest.faasightIngestStore ??= openStore(env().DATABASE_URL);
  return globalForIngest.faasightIngestStore;
}
