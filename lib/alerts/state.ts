/**
 * The alert state machine (pure): ok -> pending (breached for fewer than N consecutive
 * evaluation periods) -> firing -> resolved. One open event per rule and scope key; a
 * firing alert is re-notified at most once per cooldown while it stays breached (unless
 * acknowledged). An evaluation period is a UTC minute: evaluating twice within one minute
 * counts once, and evaluating again at the same (or an earlier) instant changes nothing.
 */

export type OpenState = "pending" | "firing";

export interface OpenEvent {
  state: OpenState;
  pendingCount: number;
  startedAt: Date;
  firedAt: Date | null;
  lastNotifiedAt: Date | null;
  /** When this event was last evaluated (null for rows written by something else). */
  lastEvaluatedAt: Date | null;
  /** Since when the evaluations had too little data to judge (null while they have). */
  noDataSince: Date | null;
  acknowledged: boolean;
}

export interface Observation {
  /** Whether the scope key is still produced by the rule (a deleted function or changed scope is not). */
  present: boolean;
  breached: boolean | null;
}

export interface Policy {
  pendingPeriods: number;
  cooldownMinutes: number;
  windowMinutes: number;
}

export type Notice = "firing" | "reminder" | "resolved";

export type Step =
  | { action: "none" }
  /** Create an event (pending, or firing when one period is enough). */
  | { action: "open"; state: OpenState; pendingCount: number; notify: Notice | null }
  /** Update the open event in place. */
  | { action: "update"; state: OpenState; pendingCount: number; fired: boolean; noDataSince: Date | null; notify: Notice | null }
  /** Close a firing event. */
  | { action: "resolve"; reason: "cleared" | "out_of_scope" | "no_data"; notify: Notice | null }
  /** Drop a pending event that never fired (nothing was notified, nothing to keep). */
  | { action: "cancel"; reason: "cleared" | "out_of_scope" | "no_data" };

const MINUTE = 60_000;
const periodOf = (d: Date) => Math.floor(d.getTime() / MINUTE);

/** How long an open event may see no data before it is closed: twice the window, at least 15 minutes. */
export function noDataLimitMs(policy: Pick<Policy, "windowMinutes">): number {
  return Math.max(2 * policy.windowMinutes, 15) * MINUTE;
}

/**
 * The next step for one rule and scope key. `lastClosedAt` is when the latest closed event
 * of the key was resolved (so re-running an evaluation that closed it does not reopen it).
 */
export function nextStep(open: OpenEvent | null, obs: Observation, policy: Policy, now: Date, lastClosedAt: Date | null = null): Step {
  const needed = Math.max(1, policy.pendingPeriods);
  if (!open) {
    if (lastClosedAt && now.getTime() <= lastClosedAt.getTime()) return { action: "none" };
    if (!obs.present || obs.breached !== true) return { action: "none" };
    return needed <= 1 ? { action: "open", state: "firing", pendingCount: 1, notify: "firing" } : { action: "open", state: "pending", pendingCount: 1, notify: null };
  }
  const last = open.lastEvaluatedAt ?? open.startedAt;
  if (now.getTime() <= last.getTime()) return { action: "none" };
  const newPeriod = periodOf(now) > periodOf(last);

  if (!obs.present) return open.state === "firing" ? { action: "resolve", reason: "out_of_scope", notify: "resolved" } : { action: "cancel", reason: "out_of_scope" };

  if (obs.breached === null) {
    const since = open.noDataSince ?? now;
    if (now.getTime() - since.getTime() >= noDataLimitMs(policy)) {
      return open.state === "firing" ? { action: "resolve", reason: "no_data", notify: "resolved" } : { action: "cancel", reason: "no_data" };
    }
    return { action: "update", state: open.state, pendingCount: open.pendingCount, fired: false, noDataSince: since, notify: null };
  }

  if (obs.breached === false) return open.state === "firing" ? { action: "resolve", reason: "cleared", notify: "resolved" } : { action: "cancel", reason: "cleared" };

  // Breached.
  if (open.state === "pending") {
    const pendingCount = open.pendingCount + (newPeriod ? 1 : 0);
    if (pendingCount >= needed) return { action: "update", state: "firing", pendingCount, fired: true, noDataSince: null, notify: "firing" };
    return { action: "update", state: "pending", pendingCount, fired: false, noDataSince: null, notify: null };
  }
  const cooldownMs = policy.cooldownMinutes * MINUTE;
  const lastNotice = open.lastNotifiedAt ?? open.firedAt ?? open.startedAt;
  const remind = policy.cooldownMinutes > 0 && !open.acknowledged && now.getTime() - lastNotice.getTime() >= cooldownMs;
  return { action: "update", state: "firing", pendingCount: open.pendingCount + (newPeriod ? 1 : 0), fired: false, noDataSince: null, notify: remind ? "reminder" : null };
}
