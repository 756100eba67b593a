import { describe, expect, it } from "vitest";
import { nextStep, noDataLimitMs, type OpenEvent, type Policy, type Step } from "./state.ts";

const t0 = new Date("2026-11-02T10:00:00.000Z");
const at = (minutes: number, seconds = 0) => new Date(t0.getTime() + minutes * 60_000 + seconds * 1000);
const policy = (p: Partial<Policy> = {}): Policy => ({ pendingPeriods: 3, cooldownMinutes: 30, windowMinutes: 5, ...p });
const open = (e: Partial<OpenEvent> = {}): OpenEvent => ({
  state: "pending",
  pendingCount: 1,
  startedAt: t0,
  firedAt: null,
  lastNotifiedAt: null,
  lastEvaluatedAt: t0,
  noDataSince: null,
  acknowledged: false,
  ...e,
});
const breached = { present: true, breached: true };
const clear = { present: true, breached: false };
const noData = { present: true, breached: null };
const gone = { present: false, breached: null };

describe("nextStep", () => {
  it.each<[string, OpenEvent | null, { present: boolean; breached: boolean | null }, Policy, Date, Step]>([
    ["ok stays ok", null, clear, policy(), at(0), { action: "none" }],
    ["ok with no data stays ok", null, noData, policy(), at(0), { action: "none" }],
    ["ok -> pending on the first breach", null, breached, policy(), at(0), { action: "open", state: "pending", pendingCount: 1, notify: null }],
    ["ok -> firing at once when one period is enough", null, breached, policy({ pendingPeriods: 1 }), at(0), { action: "open", state: "firing", pendingCount: 1, notify: "firing" }],
    ["pending counts a new period", open(), breached, policy(), at(1), { action: "update", state: "pending", pendingCount: 2, fired: false, noDataSince: null, notify: null }],
    ["pending -> firing after N periods", open({ pendingCount: 2, lastEvaluatedAt: at(1) }), breached, policy(), at(2), { action: "update", state: "firing", pendingCount: 3, fired: true, noDataSince: null, notify: "firing" }],
    ["a second evaluation in the same minute does not count", open({ lastEvaluatedAt: at(0, 10) }), breached, policy(), at(0, 40), { action: "update", state: "pending", pendingCount: 1, fired: false, noDataSince: null, notify: null }],
    ["the same instant again changes nothing", open({ lastEvaluatedAt: at(1) }), breached, policy(), at(1), { action: "none" }],
    ["an earlier instant changes nothing", open({ lastEvaluatedAt: at(2) }), clear, policy(), at(1), { action: "none" }],
    ["pending that clears is cancelled", open(), clear, policy(), at(1), { action: "cancel", reason: "cleared" }],
    ["pending out of scope is cancelled", open(), gone, policy(), at(1), { action: "cancel", reason: "out_of_scope" }],
    ["firing -> resolved when it clears", open({ state: "firing", firedAt: t0, lastNotifiedAt: t0 }), clear, policy(), at(1), { action: "resolve", reason: "cleared", notify: "resolved" }],
    ["firing -> resolved when out of scope", open({ state: "firing", firedAt: t0 }), gone, policy(), at(1), { action: "resolve", reason: "out_of_scope", notify: "resolved" }],
    ["firing stays firing within the cooldown", open({ state: "firing", firedAt: t0, lastNotifiedAt: t0 }), breached, policy(), at(29), { action: "update", state: "firing", pendingCount: 2, fired: false, noDataSince: null, notify: null }],
    ["firing re-notifies after the cooldown", open({ state: "firing", firedAt: t0, lastNotifiedAt: t0 }), breached, policy(), at(30), { action: "update", state: "firing", pendingCount: 2, fired: false, noDataSince: null, notify: "reminder" }],
    ["acknowledged alerts are not re-notified", open({ state: "firing", firedAt: t0, lastNotifiedAt: t0, acknowledged: true }), breached, policy(), at(90), { action: "update", state: "firing", pendingCount: 2, fired: false, noDataSince: null, notify: null }],
    ["cooldown 0 never re-notifies", open({ state: "firing", firedAt: t0, lastNotifiedAt: t0 }), breached, policy({ cooldownMinutes: 0 }), at(90), { action: "update", state: "firing", pendingCount: 2, fired: false, noDataSince: null, notify: null }],
    ["no data holds the state and starts the clock", open({ state: "firing", firedAt: t0 }), noData, policy(), at(1), { action: "update", state: "firing", pendingCount: 1, fired: false, noDataSince: at(1), notify: null }],
    ["no data keeps its start", open({ state: "firing", firedAt: t0, noDataSince: at(1) }), noData, policy(), at(5), { action: "update", state: "firing", pendingCount: 1, fired: false, noDataSince: at(1), notify: null }],
    ["long no data resolves a firing alert", open({ state: "firing", firedAt: t0, noDataSince: at(1) }), noData, policy(), at(16), { action: "resolve", reason: "no_data", notify: "resolved" }],
    ["long no data cancels a pending alert", open({ noDataSince: at(1) }), noData, policy(), at(16), { action: "cancel", reason: "no_data" }],
    ["data again clears the no-data clock", open({ state: "firing", firedAt: t0, lastNotifiedAt: t0, noDataSince: at(1) }), breached, policy(), at(5), { action: "update", state: "firing", pendingCount: 2, fired: false, noDataSince: null, notify: null }],
  ])("%s", (_name, event, obs, p, now, expected) => {
    expect(nextStep(event, obs, p, now)).toEqual(expected);
  });

  it("does not reopen a key closed at (or after) this instant", () => {
    expect(nextStep(null, breached, policy({ pendingPeriods: 1 }), at(5), at(5))).toEqual({ action: "none" });
    expect(nextStep(null, breached, policy({ pendingPeriods: 1 }), at(6), at(5))).toMatchObject({ action: "open", state: "firing" });
  });

  it("walks ok -> pending -> firing -> resolved with one notification per transition", () => {
    const p = policy({ pendingPeriods: 2, cooldownMinutes: 10 });
    let ev: OpenEvent | null = null;
    const notices: string[] = [];
    const observations = [clear, breached, breached, breached, breached, clear, clear];
    observations.forEach((obs, minute) => {
      const now = at(minute * 6);
      const s = nextStep(ev, obs, p, now);
      if (s.action === "open") ev = open({ state: s.state, pendingCount: s.pendingCount, startedAt: now, lastEvaluatedAt: now, firedAt: s.state === "firing" ? now : null, lastNotifiedAt: s.notify ? now : null });
      else if (s.action === "update") ev = { ...ev!, state: s.state, pendingCount: s.pendingCount, lastEvaluatedAt: now, firedAt: s.fired ? now : ev!.firedAt, lastNotifiedAt: s.notify ? now : ev!.lastNotifiedAt };
      else if (s.action === "resolve" || s.action === "cancel") ev = null;
      if (s.action !== "none" && s.action !== "cancel" && s.notify) notices.push(`${minute * 6}:${s.notify}`);
    });
    // Pending at 6, firing at 12, reminder at 24 (cooldown 10 after 12), resolved at 30.
    expect(notices).toEqual(["12:firing", "24:reminder", "30:resolved"]);
  });

  it("allows no data for twice the window, at least 15 minutes", () => {
    expect(noDataLimitMs({ windowMinutes: 5 })).toBe(15 * 60_000);
    expect(noDataLimitMs({ windowMinutes: 30 })).toBe(60 * 60_000);
  });
});
