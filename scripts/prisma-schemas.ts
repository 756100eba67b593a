/**
 * Derives the per-provider Prisma schemas from prisma/models.prisma (the one source of
 * truth) and generates one Prisma client per provider. Run by `npm run db:generate`.
 */
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";

export const ROOT = path.resolve(import.meta.dirname, "..");
export const PROVIDERS = { sqlite: "sqlite", pg: "postgresql" } as const;
export type ProviderKey = keyof typeof PROVIDERS;

const HEADER = "// GENERATED from prisma/models.prisma by scripts/prisma-schemas.ts — do not edit.\n";

/** The Prisma 7 schema (client generation) for a provider. */
export function clientSchema(provider: ProviderKey, models: string): string {
  return `${HEADER}
generator client {
  provider     = "prisma-client"
  output       = "../../../lib/generated/${provider}"
  moduleFormat = "esm"
  runtime      = "nodejs"
}

datasource db {
  provider = "${PROVIDERS[provider]}"
}

${models}`;
}

/** The Prisma 6 schema (migration SQL generation): needs a url, no Prisma 7 generator. */
export function migrationSchema(provider: ProviderKey, models: string, url: string): string {
  return `${HEADER}
datasource db {
  provider = "${PROVIDERS[provider]}"
  url      = "${url}"
}

${models}`;
}

export function readModels(file = path.join(ROOT, "prisma/models.prisma")): string {
  return fs.readFileSync(file, "utf8");
}

function generate(): void {
  const models = readModels();
  for (const provider of Object.keys(PROVIDERS) as ProviderKey[]) {
    const dir = path.join(ROOT, "prisma/.derived", provider);
    fs.mkdirSync(dir, { recursive: true });
    const schemaPath = path.join(dir, "schema.prisma");
    fs.writeFileSync(schemaPath, clientSchema(provider, models));
    // The CLI would download a schema engine it does not need for `generate` (offline machines).
    execFileSync(process.execPath, [path.join(ROOT, "node_modules/prisma/build/index.js"), "generate", "--schema", schemaPath], {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: "/bin/true", PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" },
    });
    process.stdout.write(`generated Prisma client for ${provider} -> lib/generated/${provider}\n`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) generate();
