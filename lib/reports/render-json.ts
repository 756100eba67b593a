/** The report as JSON: the model's field names; micro-dollar amounts (…MicroUsd) as integers, other bigints (mbMs) as strings. */
import type { CostReport } from "./model.ts";

const MONEY_KEY = /(^m|M)icroUsd$/;

/** JSON.stringify replacer for the report's bigints. */
export function reportJsonReplacer(key: string, value: unknown): unknown {
  if (typeof value !== "bigint") return value;
  if (MONEY_KEY.test(key) && value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= -BigInt(Number.MAX_SAFE_INTEGER)) return Number(value);
  return value.toString();
}

/** Pretty-printed JSON document (stable field names; schemaVersion 1). */
export function renderJson(report: CostReport): string {
  return `${JSON.stringify(report, reportJsonReplacer, 2)}\n`;
}
