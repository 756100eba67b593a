/** The audit log: who did what, when, to which resource, with what outcome. Details are redacted. */
import type { Db } from "../db.ts";
import { redact } from "../redact.ts";
import type { Principal } from "./permissions.ts";

export interface AuditEntry {
  principal: Principal | null;
  /** Who acted when there is no principal (e.g. "cli" for `faasight users`). */
  actor?: string;
  action: string;
  resourceType: string;
  resourceId?: string | number;
  outcome: "ok" | "denied" | "failed";
  details?: Record<string, unknown>;
  ip?: string;
}

/** Appends one audit row; never stores secrets. */
export async function writeAudit(db: Db, entry: AuditEntry): Promise<void> {
  await db.auditLog.create({
    data: {
      actorId: entry.principal?.userId ?? null,
      actor: entry.principal?.email ?? entry.actor ?? "anonymous",
      action: entry.action,
      resourceType: entry.resourceType,
      resourceId: entry.resourceId === undefined ? null : String(entry.resourceId),
      outcome: entry.outcome,
      detailsJson: JSON.stringify(redact(entry.details ?? {})),
      ip: entry.ip,
    },
  });
}
