/** The shared prelude of the POST routes on one failed event: the checks that answer before any database read. */
import { describe, expect, it } from "vitest";
import { objectWithEventId, readEventRequest } from "../../app/api/v1/failures/[id]/event-request.ts";

describe("objectWithEventId", () => {
  it.each([
    [{ reason: "noise" }, { ok: true, value: { reason: "noise", eventId: 5 } }],
    [{ reason: "x", eventId: 99 }, { ok: true, value: { reason: "x", eventId: 5 } }],
    [{}, { ok: true, value: { eventId: 5 } }],
  ])("accepts %j", (body, expected) => {
    expect(objectWithEventId(5, body)).toEqual(expected);
  });

  it.each([[null], [[1, 2]], ["text"], [3]])("refuses %j with 400 invalid_body", async (body) => {
    const r = objectWithEventId(5, body);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.response.status).toBe(400);
    expect(((await r.response.json()) as { error: { code: string } }).error.code).toBe("invalid_body");
  });
});

describe("readEventRequest", () => {
  it.each([["abc"], ["0"], ["-1"], ["1.5"]])("answers 400 for the path id %j before authorizing", async (id) => {
    const req = new Request("http://localhost/api/v1/failures/x/preview", { method: "POST", body: "{}" });
    const r = await readEventRequest(req, { params: Promise.resolve({ id }) }, objectWithEventId);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.response.status).toBe(400);
    expect(((await r.response.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: "invalid_query", message: expect.stringContaining("the failed event id") });
  });
});
