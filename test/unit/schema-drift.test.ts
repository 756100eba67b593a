/** The models, the migrations and the derived per-provider schemas must agree. */
import { describe, expect, it } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { clientSchema, readModels, ROOT } from "../../scripts/prisma-schemas.ts";
import { loadMigrations } from "../../lib/store/migrate.ts";

describe("schema drift", () => {
  it("models.prisma has a migration (run `npm run db:migration -- <name>` after changing it)", () => {
    expect(fs.readFileSync(path.join(ROOT, "prisma/migrations/models.snapshot.prisma"), "utf8")).toBe(readModels());
  });
  it("both providers have the same migrations", () => {
    expect(loadMigrations("sqlite").map((m) => m.name)).toEqual(loadMigrations("pg").map((m) => m.name));
  });
  it("the derived schemas are generated from the models (run `npm run db:generate`)", () => {
    for (const p of ["sqlite", "pg"] as const) {
      expect(fs.readFileSync(path.join(ROOT, `prisma/.derived/${p}/schema.prisma`), "utf8")).toBe(clientSchema(p, readModels()));
    }
  });
});
