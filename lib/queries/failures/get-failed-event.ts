import type { Db } from "../../db.ts";
import { attemptView, type AttemptView } from "../../replay/context.ts";
import { readJson } from "../shared/json.ts";
import { z } from "zod";
import { failedEventFields, type FailedEventFields } from "./failed-event-row.ts";

export interface QualifierOption {
  /** What Invoke's Qualifier gets ("" = the event's original qualifier). */
  value: string;
  label: string;
  kind: "alias" | "version" | "latest";
}

export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  outcome: string;
  details: Record<string, unknown>;
}

/** One failed event with its queue, the function's qualifiers, replay attempts and audit rows. */
export interface FailedEventDetail extends FailedEventFields {
  queue: { id: number; name: string; arn: string; role: string };
  lastSeenAt: string;
  /** Versions and aliases of the event's function known to the store (for the target chooser). */
  qualifiers: QualifierOption[];
  replays: AttemptView[];
  audit: AuditRow[];
}

/** Numeric versions newest first. */
function byVersionDesc(a: string, b: string): number {
  return Number(b) - Number(a) || b.localeCompare(a);
}

/** One failed event with its function's qualifiers, replay attempts and audit rows (newest first), or null. */
export async function getFailedEventDetail(db: Db, id: number): Promise<FailedEventDetail | null> {
  const ev = await db.failedEvent.findUnique({ where: { id }, include: { queue: { select: { id: true, name: true, arn: true, role: true, sourceId: true } } } });
  if (!ev) return null;
  const fnId =
    ev.functionId ??
    (ev.functionName ? (await db.lambdaFunction.findFirst({ where: { name: ev.functionName, sourceId: ev.queue.sourceId }, select: { id: true } }))?.id : undefined);
  const [versions, aliases, replays, audit] = await Promise.all([
    fnId ? db.functionVersion.findMany({ where: { functionId: fnId, deletedAt: null }, select: { version: true } }) : Promise.resolve([]),
    fnId ? db.functionAlias.findMany({ where: { functionId: fnId, deletedAt: null }, select: { name: true, functionVersion: true }, orderBy: { name: "asc" } }) : Promise.resolve([]),
    db.replayAttempt.findMany({ where: { failedEventId: id }, orderBy: { id: "desc" } }),
    db.auditLog.findMany({ where: { resourceType: "failed_event", resourceId: String(id) }, orderBy: { id: "desc" }, take: 200 }),
  ]);
  const qualifiers: QualifierOption[] = [
    ...aliases.map((a) => ({ value: a.name, label: `alias ${a.name} (→ version ${a.functionVersion})`, kind: "alias" as const })),
    ...versions
      .map((v) => v.version)
      .filter((v) => v !== "$LATEST")
      .sort(byVersionDesc)
      .map((v) => ({ value: v, label: `version ${v}`, kind: "version" as const })),
    { value: "$LATEST", label: "$LATEST (unpublished code)", kind: "latest" },
  ];
  return {
    ...failedEventFields(ev),
    queue: { id: ev.queue.id, name: ev.queue.name, arn: ev.queue.arn, role: ev.queue.role },
    lastSeenAt: ev.lastSeenAt.toISOString(),
    qualifiers,
    replays: replays.map((r) => attemptView(r)),
    audit: audit.map((r) => ({ id: r.id, at: r.at.toISOString(), actor: r.actor, action: r.action, outcome: r.outcome, details: readJson(r.detailsJson, z.record(z.string(), z.unknown()), {}) })),
  };
}
