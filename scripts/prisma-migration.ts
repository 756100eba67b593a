/**
 * Creates a migration for BOTH providers from the change in prisma/models.prisma since the
 * last migration (prisma/migrations/models.snapshot.prisma), using Prisma 6's WASM schema
 * engine offline. Usage: npm run db:migration -- <name>
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { PROVIDERS, ROOT, migrationSchema, readModels, type ProviderKey } from "./prisma-schemas.ts";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  process.stderr.write("usage: npm run db:migration -- <snake_case_name>\n");
  process.exit(2);
}

const snapshotPath = path.join(ROOT, "prisma/migrations/models.snapshot.prisma");
const models = readModels();
const previous = fs.existsSync(snapshotPath) ? fs.readFileSync(snapshotPath, "utf8") : null;
if (previous === models) {
  process.stdout.write("models.prisma has not changed since the last migration\n");
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
const work = fs.mkdtempSync(path.join(os.tmpdir(), "faasight-migration-"));

for (const provider of Object.keys(PROVIDERS) as ProviderKey[]) {
  const url = provider === "sqlite" ? `file:${path.join(work, "diff.db")}` : (process.env.MIGRATION_PG_URL ?? "postgresql://postgres:postgres@127.0.0.1:5432/postgres");
  const to = path.join(work, `${provider}-to.prisma`);
  fs.writeFileSync(to, migrationSchema(provider, models, url));
  const fromArgs = previous === null ? ["--from-empty"] : ["--from-schema-datamodel", path.join(work, `${provider}-from.prisma`)];
  if (previous !== null) fs.writeFileSync(path.join(work, `${provider}-from.prisma`), migrationSchema(provider, previous, url));
  const config = path.join(work, `${provider}.config.mjs`);
  const adapter =
    provider === "sqlite"
      ? `import { PrismaBetterSqlite3 } from ${JSON.stringify(path.join(ROOT, "node_modules/@prisma/adapter-better-sqlite3/dist/index.mjs"))};
         export default { experimental: { adapter: true }, engine: "js", schema: ${JSON.stringify(to)}, async adapter() { return new PrismaBetterSqlite3({ url: ${JSON.stringify(url)} }); } };`
      : `import { PrismaPg } from ${JSON.stringify(path.join(ROOT, "node_modules/@prisma/adapter-pg/dist/index.mjs"))};
         export default { experimental: { adapter: true }, engine: "js", schema: ${JSON.stringify(to)}, async adapter() { return new PrismaPg({ connectionString: ${JSON.stringify(url)} }); } };`;
  fs.writeFileSync(config, adapter);
  const sql = execFileSync(
    process.execPath,
    [path.join(ROOT, "node_modules/prisma6/build/index.js"), "migrate", "diff", "--config", config, ...fromArgs, "--to-schema-datamodel", to, "--script"],
    { cwd: work, env: { ...process.env, PRISMA_QUERY_ENGINE_LIBRARY: "/bin/true", PRISMA_SCHEMA_ENGINE_BINARY: "/bin/true", PRISMA_HIDE_UPDATE_MESSAGE: "1" }, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
  );
  if (!/CREATE|ALTER|DROP/.test(sql)) throw new Error(`Prisma produced no SQL for ${provider}; refusing to write an empty migration`);
  const dir = path.join(ROOT, "prisma/migrations", provider, `${stamp}_${name}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "migration.sql"), sql.trimStart());
  process.stdout.write(`wrote ${path.relative(ROOT, dir)}/migration.sql\n`);
}
fs.writeFileSync(snapshotPath, models);
fs.rmSync(work, { recursive: true, force: true });
