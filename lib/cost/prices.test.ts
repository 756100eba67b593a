import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { lambdaComputeCost } from "./lambda.ts";
import { BUILTIN_PRICE_TABLES, getRegionPrices, loadPriceTables, mergePriceTables, parsePriceTable, PriceNotAvailableError, PriceTableError, resetPriceCache } from "./prices.ts";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "faasight-prices-"));
const writeJson = (name: string, doc: unknown) => {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, typeof doc === "string" ? doc : JSON.stringify(doc));
  return file;
};

afterEach(() => resetPriceCache());
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("built-in price tables", () => {
  it.each(Object.keys(BUILTIN_PRICE_TABLES))("%s is valid, dated and sourced", (region) => {
    const table = parsePriceTable(BUILTIN_PRICE_TABLES[region], region);
    expect(table.region).toBe(region);
    expect(table.version).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const s of table.source) {
      expect(s.url).toMatch(/^https:\/\//);
      expect(s.date).toMatch(/\d{4}/);
    }
    // Same tier bounds everywhere (AWS applies them per account-region and architecture).
    expect(table.lambda.duration.x86_64.map((t) => t.upTo)).toEqual(["6000000000", "15000000000", null]);
    expect(table.lambda.duration.arm64.map((t) => t.upTo)).toEqual(["7500000000", "18750000000", null]);
    expect(table.lambda.freeTier).toEqual({ requests: "1000000", gbSeconds: "400000" });
  });

  it("covers us-east-1 and five other regions", () => {
    expect(Object.keys(BUILTIN_PRICE_TABLES).sort()).toEqual(["ap-northeast-1", "ap-southeast-1", "eu-central-1", "eu-west-1", "us-east-1", "us-west-2"]);
  });

  it("keeps prices out of the code: no decimal price literals in lib/cost sources", () => {
    const dir = path.dirname(new URL(import.meta.url).pathname);
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))) {
      const code = fs
        .readFileSync(path.join(dir, file), "utf8")
        .split("\n")
        .filter((line) => !/^\s*(\/\/|\/?\*)/.test(line))
        .join("\n");
      expect(code.match(/\b0\.0\d{3,}/g) ?? [], file).toEqual([]);
    }
  });
});

describe("override file (FAASIGHT_PRICES_FILE)", () => {
  it("merges a partial override into the built-in table and records it as a source", () => {
    const file = writeJson("partial.json", { regions: { "us-east-1": { lambda: { requests: { usd: "0.25", per: "1000000" } } } } });
    const table = getRegionPrices("us-east-1", { env: { FAASIGHT_PRICES_FILE: file } });
    expect(table.lambda.requests.usd).toBe("0.25");
    expect(table.lambda.duration.arm64[0].usd).toBe("0.0000133334");
    expect(table.source.at(-1)).toMatchObject({ what: "user override of some prices", url: `FAASIGHT_PRICES_FILE (${file})` });
  });

  it("replaces tier arrays whole and adds regions that are not built in", () => {
    const full = structuredClone(BUILTIN_PRICE_TABLES["us-east-1"]) as Record<string, unknown>;
    full.region = "sa-east-1";
    const file = writeJson("new-region.json", {
      regions: {
        "sa-east-1": full,
        "us-east-1": { lambda: { duration: { x86_64: [{ upTo: null, usd: "0.00002", per: "1" }] } } },
      },
    });
    const tables = loadPriceTables({ file });
    expect(tables.get("sa-east-1")?.region).toBe("sa-east-1");
    expect(lambdaComputeCost(tables.get("us-east-1")!, { arch: "x86_64", gbSeconds: 10_000_000_000 }).microUsd).toBe(200_000_000_000n);
  });

  it.each([
    [{ regions: { "us-east-1": { lambda: { requests: { usd: 0.2, per: "1000000" } } } } }, /regions\.us-east-1\.lambda\.requests\.usd: Invalid input: expected string/],
    [{ regions: { "us-east-1": { lambda: { requests: { usd: "0,20", per: "1000000" } } } } }, /regions\.us-east-1\.lambda\.requests\.usd: must be a non-negative decimal string/],
    [{ regions: { "us-east-1": { lambda: { requests: { usdd: "0.20" } } } } }, /regions\.us-east-1\.lambda\.requests: Unrecognized key.*usdd/],
    [{ regions: { "us-east-1": { lambda: { duration: { arm64: [{ upTo: "5", usd: "1", per: "1" }] } } } } }, /regions\.us-east-1\.lambda\.duration\.arm64\[0\]\.upTo: the last tier must have upTo: null/],
    [{ regions: { "us-east-1": { lambda: { requests: { usd: "0.2", per: "0" } } } } }, /regions\.us-east-1\.lambda\.requests\.per: must be greater than zero/],
    [{ regions: { "sa-east-1": { lambda: {} } } }, /Invalid price table for sa-east-1 .*\n.*regions\.sa-east-1\.schemaVersion/],
    [{ regions: { "us-east-1": { region: "us-west-2" } } }, /regions\.us-east-1\.region says "us-west-2"/],
    [{ region: "us-east-1" }, /Invalid price override .*\n {2}regions: Invalid input/],
    [{ regions: { useast1: {} } }, /regions\.useast1: must be an AWS region/],
  ])("rejects %j naming the field", (doc, message) => {
    const file = writeJson("bad.json", doc);
    expect(() => loadPriceTables({ file })).toThrow(PriceTableError);
    expect(() => loadPriceTables({ file })).toThrow(message);
  });

  it("names the file when it is missing or not JSON", () => {
    expect(() => loadPriceTables({ env: { FAASIGHT_PRICES_FILE: path.join(tmp, "nope.json") } })).toThrow(/Cannot read FAASIGHT_PRICES_FILE \(.*nope\.json\)/);
    const file = writeJson("broken.json", "{ not json");
    expect(() => loadPriceTables({ file })).toThrow(/FAASIGHT_PRICES_FILE \(.*broken\.json\) is not valid JSON/);
  });

  it("treats an empty FAASIGHT_PRICES_FILE as unset", () => {
    expect(getRegionPrices("us-east-1", { env: { FAASIGHT_PRICES_FILE: "" } }).lambda.requests.usd).toBe("0.20");
  });
});

describe("getRegionPrices", () => {
  it("names the built-in regions when asked for another", () => {
    expect(() => getRegionPrices("mars-north-1", { env: {} })).toThrow(PriceNotAvailableError);
    expect(() => getRegionPrices("mars-north-1", { env: {} })).toThrow(/No price table for region "mars-north-1" \(built in: ap-northeast-1, .*us-west-2\)/);
  });

  it("merges nothing without an override", () => {
    expect(mergePriceTables(undefined).size).toBe(6);
  });
});
