/**
 * What the worker does after each collection cycle: link asynchronous replays that failed
 * again (from the failed events just collected), evaluate alert rules (notifying SNS and
 * webhooks) and run cost-report schedules that are due. One failure never stops the others.
 */
import type { Db } from "../db.ts";
import { createNotifier } from "../alerts/notify.ts";
import { evaluateAlerts } from "../alerts/evaluate-alerts.ts";
import { reconcileAsyncReplays } from "../replay/outcomes.ts";
import { reportClientsFromEnv } from "../reports/deliver.ts";
import { runDueReports } from "../reports/run-due.ts";
import { syncReportSchedulesFromConfig } from "../reports/config.ts";

export interface AfterCycle {
  run(now?: Date): Promise<void>;
  close(): Promise<void>;
}

/** Creates the hook; loads report schedules from FAASIGHT_REPORTS_FILE once. */
export async function createAfterCycle(db: Db, log: (line: string) => void): Promise<AfterCycle> {
  const notifier = createNotifier({ db });
  const reportClients = reportClientsFromEnv();
  try {
    const synced = await syncReportSchedulesFromConfig(db);
    if (synced.file) log(`report schedules from ${synced.file}: ${synced.created.length} created, ${synced.updated.length} updated`);
  } catch (err) {
    log(`report schedules config: ${(err as Error).message}`);
  }
  return {
    async run(now = new Date()) {
      try {
        const r = await reconcileAsyncReplays(db);
        if (r.failedAgain.length) log(`replays: ${r.failedAgain.length} asynchronous replay(s) failed again (events ${r.failedAgain.map((f) => f.eventId).join(", ")})`);
      } catch (err) {
        log(`replay reconciliation failed: ${(err as Error).message}`);
      }
      try {
        const r = await evaluateAlerts(db, { now, notifier, log });
        const fired = r.rules.flatMap((x) => x.transitions).filter((t) => t.state === "firing").length;
        if (fired || r.notifications.sent || r.notifications.failed) log(`alerts: ${fired} firing transitions, ${r.notifications.sent} notifications sent, ${r.notifications.failed} failed`);
      } catch (err) {
        log(`alert evaluation failed: ${(err as Error).message}`);
      }
      try {
        const runs = await runDueReports(db, reportClients, { now, log });
        if (runs.length) log(`reports: ${runs.length} scheduled report(s) run`);
      } catch (err) {
        log(`scheduled reports failed: ${(err as Error).message}`);
      }
    },
    async close() {
      await (notifier as { close?: () => Promise<void> | void }).close?.();
      reportClients.destroy();
    },
  };
}
