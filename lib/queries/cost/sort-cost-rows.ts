/** Orders the Cost page's per function / alias / stage rows; alias rows stay under their function. */
import type { CostReportRow } from "../../reports/model.ts";

export const COST_SORTS = ["spend", "change", "name"] as const;
export type CostSort = (typeof COST_SORTS)[number];

const cmpBig = (a: bigint, b: bigint) => (a === b ? 0 : a > b ? -1 : 1);

/** Sorts functions and stages together (spend: highest first; change: largest increase first; name: A-Z); aliases follow their function. */
export function sortCostRows(rows: readonly CostReportRow[], sort: CostSort): CostReportRow[] {
  const aliases = new Map<string, CostReportRow[]>();
  const top: CostReportRow[] = [];
  for (const r of rows) {
    if (r.kind !== "alias") {
      top.push(r);
      continue;
    }
    const parent = `fn:${r.source}/${r.name}`;
    aliases.set(parent, [...(aliases.get(parent) ?? []), r]);
  }
  const cmp = (a: CostReportRow, b: CostReportRow): number => {
    const primary = sort === "spend" ? cmpBig(a.totalMicroUsd, b.totalMicroUsd) : sort === "change" ? cmpBig(a.changeMicroUsd, b.changeMicroUsd) : a.name.localeCompare(b.name) || (a.qualifier ?? "").localeCompare(b.qualifier ?? "");
    return primary || a.key.localeCompare(b.key);
  };
  const out: CostReportRow[] = [];
  for (const r of [...top].sort(cmp)) {
    out.push(r);
    if (r.kind === "function") out.push(...(aliases.get(r.key) ?? []).sort(cmp));
  }
  return out;
}
