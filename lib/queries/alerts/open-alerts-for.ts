/**
 * The open (pending or firing) alerts that concern one function or one API stage, for the
 * banner on their pages. Alert scope keys name what they watch: `function:<name>[:<qualifier>]`,
 * `alias:<name>:<alias>`, `cost:<name>`, `stage:<api>/<stage>`; a function name shared by
 * several sources carries `<source>/` before it.
 */
import type { Db } from "../../db.ts";
import { listAlerts, type AlertEventRow } from "./list-alerts.ts";

export type AlertSubject = { kind: "function"; name: string } | { kind: "stage"; api: string; stage: string };

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Whether an alert's scope key concerns the subject (pure). */
export function alertConcerns(scopeKey: string, subject: AlertSubject): boolean {
  if (subject.kind === "stage") return scopeKey === `stage:${subject.api}/${subject.stage}`;
  return new RegExp(`^(?:function|alias|cost):(?:[^/:]+/)?${escape(subject.name)}(?::|$)`).test(scopeKey);
}

/** Open alerts of one function or stage, firing first. */
export async function getOpenAlertsFor(db: Db, subject: AlertSubject): Promise<AlertEventRow[]> {
  const { events } = await listAlerts(db, { openOnly: true, limit: 500 });
  return events.filter((e) => alertConcerns(e.scopeKey, subject));
}
