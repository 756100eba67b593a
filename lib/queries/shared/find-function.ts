import type { Db } from "../../db.ts";

/** A function by name (the first source's when several accounts share a name), or null. */
export async function findFunctionByName(db: Db, name: string) {
  return db.lambdaFunction.findFirst({ where: { name, deletedAt: null }, orderBy: { sourceId: "asc" } });
}
