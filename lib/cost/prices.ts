/**
 * Price tables: the built-in JSON per region, merged with an optional user override file
 * (FAASIGHT_PRICES_FILE), validated with zod. A bad file fails with the field it got wrong.
 *
 * Override file: { "regions": { "<region>": { ...any part of a table... } } }. Objects merge
 * key by key, arrays (tiers, sources) replace whole; a region that is not built in must be
 * complete. See lib/cost/prices/us-east-1.json for the full shape.
 */
import fs from "node:fs";
import { z } from "zod";
import { env as processEnv, parseEnv } from "../env.ts";
import { regionPricesSchema, type RegionPrices } from "./price-schema.ts";
import apNortheast1 from "./prices/ap-northeast-1.json" with { type: "json" };
import apSoutheast1 from "./prices/ap-southeast-1.json" with { type: "json" };
import euCentral1 from "./prices/eu-central-1.json" with { type: "json" };
import euWest1 from "./prices/eu-west-1.json" with { type: "json" };
import usEast1 from "./prices/us-east-1.json" with { type: "json" };
import usWest2 from "./prices/us-west-2.json" with { type: "json" };

export type { RegionPrices } from "./price-schema.ts";

/** The raw built-in tables, by region. */
export const BUILTIN_PRICE_TABLES: Readonly<Record<string, unknown>> = {
  "us-east-1": usEast1,
  "us-west-2": usWest2,
  "eu-west-1": euWest1,
  "eu-central-1": euCentral1,
  "ap-southeast-1": apSoutheast1,
  "ap-northeast-1": apNortheast1,
};

/** A price table (built-in or override) is invalid; the message names the file and field. */
export class PriceTableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PriceTableError";
  }
}

/** No table for a region, or the region's table lacks the price asked for. */
export class PriceNotAvailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PriceNotAvailableError";
  }
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), "");
}

function describeIssues(error: z.ZodError, prefix: string): string {
  return error.issues
    .map((issue) => {
      const keys = issue.code === "unrecognized_keys" ? ` (${issue.keys.join(", ")})` : "";
      const where = fieldPath([...(prefix ? [prefix] : []), ...issue.path]);
      return `  ${where || "(root)"}: ${issue.message}${keys}`;
    })
    .join("\n");
}

/** Validates one region's table; `origin` names where it came from in the error message. */
export function parsePriceTable(raw: unknown, origin: string): RegionPrices {
  const result = regionPricesSchema.safeParse(raw);
  if (!result.success) throw new PriceTableError(`Invalid price table ${origin}:\n${describeIssues(result.error, "")}`);
  return result.data;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) out[key] = key in base ? deepMerge(base[key], value) : value;
  return out;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

const overrideFileSchema = z.strictObject({
  regions: z.record(z.string(), z.record(z.string(), z.unknown())).superRefine((regions, ctx) => {
    for (const key of Object.keys(regions)) {
      if (!REGION.test(key)) ctx.addIssue({ code: "custom", path: [key], message: "must be an AWS region such as us-east-1" });
    }
  }),
});

/** Built-in tables merged with an override document (pure; `origin` is used in errors). */
export function mergePriceTables(override: unknown | undefined, origin = "override"): Map<string, RegionPrices> {
  const merged = new Map<string, unknown>(Object.entries(BUILTIN_PRICE_TABLES));
  if (override !== undefined) {
    const parsed = overrideFileSchema.safeParse(override);
    if (!parsed.success) throw new PriceTableError(`Invalid price override ${origin}:\n${describeIssues(parsed.error, "")}`);
    for (const [region, patch] of Object.entries(parsed.data.regions)) {
      const base = merged.get(region);
      const table = deepMerge(base ?? {}, patch) as Record<string, unknown>;
      if (base !== undefined && !("source" in patch)) {
        const sources = Array.isArray(table.source) ? table.source : [];
        table.source = [...sources, { what: "user override of some prices", url: origin, date: "at load time" }];
      }
      merged.set(region, table);
    }
  }
  const tables = new Map<string, RegionPrices>();
  for (const [region, raw] of merged) {
    const result = regionPricesSchema.safeParse(raw);
    if (!result.success) {
      const from = override !== undefined && isPlainObject(override) && isPlainObject(override.regions) && region in override.regions ? origin : "(built-in)";
      throw new PriceTableError(`Invalid price table for ${region} ${from}:\n${describeIssues(result.error, `regions.${region}`)}`);
    }
    if (result.data.region !== region) {
      throw new PriceTableError(`Invalid price table for ${region}: regions.${region}.region says "${result.data.region}"`);
    }
    tables.set(region, result.data);
  }
  return tables;
}

/** The override file named by an environment record (default: the parsed process environment, lib/env.ts). */
function overrideFileOf(env: Record<string, string | undefined> | undefined): string | undefined {
  return (env ? parseEnv(env) : processEnv()).FAASIGHT_PRICES_FILE?.trim() || undefined;
}

/** Reads and merges the override file named by `file` (or env FAASIGHT_PRICES_FILE). */
export function loadPriceTables(options: { file?: string; env?: Record<string, string | undefined> } = {}): Map<string, RegionPrices> {
  const file = options.file ?? overrideFileOf(options.env);
  if (!file) return mergePriceTables(undefined);
  const origin = `FAASIGHT_PRICES_FILE (${file})`;
  let text: string;
  try {
    // The path is the user's, known only at run time: keep the bundler from tracing it.
    text = fs.readFileSync(/* turbopackIgnore: true */ file, "utf8");
  } catch (err) {
    throw new PriceTableError(`Cannot read ${origin}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new PriceTableError(`${origin} is not valid JSON: ${(err as Error).message}`);
  }
  return mergePriceTables(doc, origin);
}

const cache = new Map<string, Map<string, RegionPrices>>();

/** The table for `region`, built-in plus overrides; loaded once per override file. */
export function getRegionPrices(region: string, options: { file?: string; env?: Record<string, string | undefined> } = {}): RegionPrices {
  const key = options.file ?? overrideFileOf(options.env) ?? "";
  let tables = cache.get(key);
  if (!tables) {
    tables = loadPriceTables(options);
    cache.set(key, tables);
  }
  const table = tables.get(region);
  if (!table) {
    throw new PriceNotAvailableError(
      `No price table for region "${region}" (built in: ${[...tables.keys()].sort().join(", ")}). Add one to the file named by FAASIGHT_PRICES_FILE.`,
    );
  }
  return table;
}

/** Forget loaded tables (tests that change FAASIGHT_PRICES_FILE or the file behind it). */
export function resetPriceCache(): void {
  cache.clear();
}

/** Throws PriceNotAvailableError naming the region and the missing price. */
export function requirePrice<T>(value: T | undefined, prices: RegionPrices, what: string): T {
  if (value === undefined) {
    throw new PriceNotAvailableError(
      `The ${prices.region} price table (version ${prices.version}) has no price for ${what}; add it to the file named by FAASIGHT_PRICES_FILE.`,
    );
  }
  return value;
}
