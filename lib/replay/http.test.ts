import { describe, expect, it } from "vitest";
import { replayResultStatus, toReplayInput } from "./http.ts";
import { jobView } from "./jobs.ts";

describe("replayResultStatus", () => {
  it.each([
    [{ outcome: "replayed" }, 200],
    [{ outcome: "failed_again" }, 200],
    [{ outcome: "failed" }, 200],
    [{ outcome: "duplicate" }, 200],
    [{ outcome: "dry_run" }, 200],
    [{ outcome: "busy" }, 409],
    [{ outcome: "refused", plan: { refusal: { code: "not_eligible" } } }, 409],
    [{ outcome: "refused" }, 409],
    [{ outcome: "refused", plan: { refusal: { code: "payload_too_large" } } }, 400],
    [{ outcome: "refused", plan: { refusal: { code: "not_json" } } }, 400],
  ])("%j -> %i", (r, status) => {
    expect(replayResultStatus(r)).toBe(status);
  });
});

describe("toReplayInput", () => {
  it("maps the UI's invoke to reinvoke, takes the id from the path, drops empty optionals", async () => {
    const r = toReplayInput(7, { action: "invoke", qualifier: "", invocationType: "Event" });
    expect(r).toEqual({ ok: true, value: { action: "reinvoke", invocationType: "Event", eventId: 7 } });
  });
  it.each([[null], [[1]], ["text"], [{ eventId: 8 }]])("refuses %j with 400", async (body) => {
    const r = toReplayInput(7, body);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.response.status).toBe(400);
  });
});

describe("jobView", () => {
  const base = {
    id: "j",
    status: "running" as const,
    actor: "a",
    filter: {},
    ratePerSecond: 5,
    total: 10,
    done: 3,
    counts: null,
    outcomes: [],
    inDoubt: [],
    error: null,
    createdAt: "2026-11-27T10:00:00.000Z",
    updatedAt: "2026-11-27T10:00:00.000Z",
    finishedAt: null,
  };
  const t = Date.parse(base.updatedAt);
  it.each([
    [t + 10_000, false, "running"],
    [t + 31_000, false, "interrupted"],
    [t + 31_000, true, "running"],
  ])("at +%i ms (active here %s) -> %s", (now, active, status) => {
    expect(jobView(base, now, active).status).toBe(status);
  });
  it("keeps finished states", () => {
    expect(jobView({ ...base, status: "completed" }, t + 1e9, false).status).toBe("completed");
  });
});
