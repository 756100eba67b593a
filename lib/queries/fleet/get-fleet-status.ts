import { getDb } from "../../db.ts";

export interface FleetStatus {
  sources: number;
  functions: number;
  invocations: number;
}

/** Counts of what the store holds (the placeholder home page and health checks). */
export async function getFleetStatus(): Promise<FleetStatus> {
  const { db } = getDb();
  const [sources, functions, invocations] = await Promise.all([
    db.source.count(),
    db.lambdaFunction.count({ where: { deletedAt: null } }),
    db.invocation.count(),
  ]);
  return { sources, functions, invocations };
}
