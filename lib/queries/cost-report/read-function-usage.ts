/** Per function x qualifier sums (invocations, billed ms, exact MB-ms) over a window, for cost reports. */
import type { Db } from "../../db.ts";
import type { FunctionUsage } from "../../reports/model.ts";
import { splitRollupWindow } from "./window.ts";

/** Sums of every (or one) qualifier per function in [from, to): hour rows for whole hours, minute rows at the edges. */
export async function readFunctionUsage(db: Db, window: { from: Date; to: Date; qualifier?: string }): Promise<FunctionUsage[]> {
  const parts = splitRollupWindow(window.from, window.to);
  const where = (range: { from: Date; to: Date }) => ({ ...(window.qualifier !== undefined ? { qualifier: window.qualifier } : {}), bucketStart: { gte: range.from, lt: range.to } });
  const sum = { invocations: true, billedMs: true, mbMs: true } as const;
  const results = await Promise.all([
    ...(parts.hours ? [db.hourRollup.groupBy({ by: ["functionId", "qualifier"], where: where(parts.hours), _sum: sum })] : []),
    ...parts.minutes.map((m) => db.minuteRollup.groupBy({ by: ["functionId", "qualifier"], where: where(m), _sum: sum })),
  ]);
  const out = new Map<string, FunctionUsage>();
  for (const groups of results) {
    for (const g of groups) {
      const key = `${g.functionId}\u0000${g.qualifier}`;
      const u = out.get(key) ?? { functionId: g.functionId, qualifier: g.qualifier, invocations: 0, billedMs: 0n, mbMs: 0n };
      u.invocations += Number(g._sum.invocations ?? 0);
      u.billedMs += BigInt(g._sum.billedMs ?? 0);
      u.mbMs += BigInt(g._sum.mbMs ?? 0);
      out.set(key, u);
    }
  }
  return [...out.values()].sort((a, b) => a.functionId - b.functionId || a.qualifier.localeCompare(b.qualifier));
}
