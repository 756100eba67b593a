import path from "node:path";
import { describe, expect, it } from "vitest";
import { providerOf, redactDbUrl, sqlitePath } from "../../lib/db-url.ts";

describe("DATABASE_URL", () => {
  it.each([
    ["file:./data/faasight.db", "sqlite"],
    ["file:/var/lib/faasight/store.db?connection_limit=1", "sqlite"],
    ["postgres://u:p@db:5432/faasight", "pg"],
    ["postgresql://u:p@db:5432/faasight?sslmode=require", "pg"],
  ])("%s -> %s", (url, provider) => {
    expect(providerOf(url)).toBe(provider);
  });

  it.each(["mysql://u:p@h/db", "sqlite:./x.db", "./data/faasight.db", ""])("rejects %j", (url) => {
    expect(() => providerOf(url)).toThrow(/DATABASE_URL must start with file: or postgres:\/\//);
  });

  it.each([
    ["file:./data/faasight.db", path.resolve("data/faasight.db")],
    ["file:/tmp/a.db?mode=rwc", "/tmp/a.db"],
    ["file::memory:", ":memory:"],
  ])("SQLite file of %s", (url, file) => {
    expect(sqlitePath(url)).toBe(file);
  });

  it.each([
    ["postgresql://faasight:s3cr3t@db:5432/faasight", "postgresql://faasight:***@db:5432/faasight"],
    ["postgres://db:5432/faasight", "postgres://db:5432/faasight"],
    ["file:./data/faasight.db", "file:./data/faasight.db"],
  ])("redacts %s", (url, shown) => {
    expect(redactDbUrl(url)).toBe(shown);
  });
});
