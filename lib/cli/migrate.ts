/** `faasight migrate`: applies pending migrations to DATABASE_URL. */
import { env } from "../env.ts";
import { migrateDatabase } from "../store/migrate.ts";
import { redactDbUrl } from "../db-url.ts";
import { parseOptions } from "./args.ts";

export async function run(args: string[]): Promise<number> {
  const { values } = parseOptions(args, { help: { type: "boolean", short: "h" } });
  if (values.help) {
    process.stdout.write("Usage: faasight migrate\n\nApplies pending migrations to the database named by DATABASE_URL\n(default file:./data/faasight.db). Safe to run repeatedly and concurrently.\n");
    return 0;
  }
  const url = env().DATABASE_URL;
  const result = await migrateDatabase(url);
  process.stdout.write(
    `${redactDbUrl(url)}: ${result.applied.length ? `applied ${result.applied.join(", ")}` : "up to date"} (${result.total} migration${result.total === 1 ? "" : "s"})\n`,
  );
  return 0;
}
