import { describe, expect, it } from "vitest";
import type { CostReportRow } from "../../reports/model.ts";
import { sortCostRows, type CostSort } from "./sort-cost-rows.ts";

const row = (kind: CostReportRow["kind"], name: string, qualifier: string | null, total: bigint, change: bigint): CostReportRow => ({
  kind,
  key: kind === "function" ? `fn:shop/${name}` : kind === "alias" ? `alias:shop/${name}:${qualifier}` : `stage:shop/abc123/${qualifier}`,
  name,
  qualifier,
  source: "shop",
  region: "us-east-1",
  architecture: kind === "stage" ? null : "x86_64",
  memoryMb: kind === "stage" ? null : 512,
  apiType: kind === "stage" ? "REST" : null,
  requests: 1,
  mbMs: 0n,
  gbSeconds: "0",
  computeMicroUsd: 0n,
  requestsMicroUsd: total,
  totalMicroUsd: total,
  costPer1kRequestsMicroUsd: null,
  previousTotalMicroUsd: total - change,
  changeMicroUsd: change,
  changePct: null,
  estimated: false,
  live: true,
});

const rows = [
  row("function", "checkout", null, 900n, 100n),
  row("alias", "checkout", "live", 800n, 90n),
  row("function", "image-resize", null, 2_000n, -50n),
  row("stage", "shop-api", "prod", 1_200n, 400n),
  row("function", "notifier", null, 50n, 0n),
];

describe("sortCostRows", () => {
  it.each<[CostSort, string[]]>([
    ["spend", ["fn:shop/image-resize", "stage:shop/abc123/prod", "fn:shop/checkout", "alias:shop/checkout:live", "fn:shop/notifier"]],
    ["change", ["stage:shop/abc123/prod", "fn:shop/checkout", "alias:shop/checkout:live", "fn:shop/notifier", "fn:shop/image-resize"]],
    ["name", ["fn:shop/checkout", "alias:shop/checkout:live", "fn:shop/image-resize", "fn:shop/notifier", "stage:shop/abc123/prod"]],
  ])("%s", (sort, keys) => {
    expect(sortCostRows(rows, sort).map((r) => r.key)).toEqual(keys);
  });
});
